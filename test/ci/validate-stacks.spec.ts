/**
 * `terraform validate` of every synthesized stack runs in every pipeline build (pull requests and
 * the drift check included), after synth. The script itself is run here on stacks that need no
 * provider download (terraform's built-in provider), a valid one and a broken one.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYamlFile, REPO_ROOT } from "./ci-files";

jest.setTimeout(60_000);
const SCRIPT = join(REPO_ROOT, "scripts", "ci", "validate-stacks.sh");

function stacksRoot(stacks: Record<string, object>): string {
  const root = mkdtempSync(join(tmpdir(), "validate-stacks-"));
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, "cdk.tf.json"), JSON.stringify(json));
  }
  return root;
}

function validate(root: string) {
  const run = spawnSync("bash", [SCRIPT, root], { encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1" } });
  rmSync(root, { recursive: true, force: true });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const valid = { resource: { terraform_data: { marker: { input: "ok" } } }, output: { marker: { value: "${terraform_data.marker.output}" } } };
const broken = { output: { dangling: { value: "${terraform_data.missing.output}" } } };

test("passes when every stack validates", () => {
  const run = validate(stacksRoot({ "sensors-dev-eventhubs": valid, "sensors-dev-bdc": valid }));
  expect(run.out).toContain("validate-stacks: 2 stack(s) valid");
  expect(run.status).toBe(0);
});

test("fails naming the stack terraform validate rejects, after running them all", () => {
  const run = validate(stacksRoot({ "sensors-dev-bdc": broken, "sensors-dev-eventhubs": valid }));
  expect(run.status).not.toBe(0);
  expect(run.out).toMatch(/Reference to undeclared resource/);
  expect(run.out).toContain("validate-stacks: sensors-dev-eventhubs");
  expect(run.out).toContain("terraform validate failed for: sensors-dev-bdc");
});

test("fails when there is nothing to validate", () => {
  const run = validate(stacksRoot({}));
  expect(run.status).not.toBe(0);
  expect(run.out).toContain("no stack under");
});

type Step = { name?: string; run?: string; script?: string; displayName?: string };

test("GitHub: the shared build validates right after synth, and pull requests and the drift check use it", () => {
  const steps = (parseYamlFile(join(REPO_ROOT, ".github/workflows/test-and-build.yml")) as { jobs: Record<string, { steps: Step[] }> }).jobs["test-and-build"]!.steps;
  const synth = steps.findIndex((s) => s.run === "npm run synth");
  expect(synth).toBeGreaterThanOrEqual(0);
  expect(steps[synth + 1]?.run).toBe("bash scripts/ci/validate-stacks.sh cdktf.out/stacks");
  for (const workflow of ["pull-request.yml", "drift-check.yml"]) {
    const jobs = (parseYamlFile(join(REPO_ROOT, ".github/workflows", workflow)) as { jobs: Record<string, { uses?: string }> }).jobs;
    expect(Object.values(jobs).map((j) => j.uses)).toContain("./.github/workflows/test-and-build.yml");
  }
});

test("Azure Pipelines: the shared build job validates right after synth, and the main and drift pipelines use it", () => {
  const steps = (parseYamlFile(join(REPO_ROOT, ".azure-pipelines/jobs/test-and-build.yml")) as { jobs: { steps: Step[] }[] }).jobs[0]!.steps;
  const synth = steps.findIndex((s) => s.script === "npm run synth");
  expect(synth).toBeGreaterThanOrEqual(0);
  expect(steps[synth + 1]?.script).toBe("bash scripts/ci/validate-stacks.sh cdktf.out/stacks");
  expect(JSON.stringify(parseYamlFile(join(REPO_ROOT, "azure-pipelines.yml")))).toContain(".azure-pipelines/jobs/test-and-build.yml");
  expect(JSON.stringify(parseYamlFile(join(REPO_ROOT, ".azure-pipelines/drift-check.yml")))).toContain("jobs/test-and-build.yml");
});
