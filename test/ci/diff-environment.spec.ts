// scripts/ci/diff-environment.ts end to end with the real cdktf CLI and the real Terraform binary:
// a small cdktf app whose stacks hold only Terraform's built-in `terraform_data` resource (no
// provider download) and local state, so plan, apply and drift are real and run offline.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./ci-files";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CDKTF = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
const SCRIPT = path.join(REPO_ROOT, "scripts", "ci", "diff-environment.ts");

// Two stacks for environment "ci" (the second reads nothing from the first, but depends on it),
// and one for another environment that must never be diffed with them.
const APP = `
import { App, DataResource, LocalBackend, TerraformStack } from "cdktf";
const app = new App();
const make = (name: string) => {
  const stack = new TerraformStack(app, name);
  new LocalBackend(stack, { path: process.env.FIXTURE_STATE_DIR + "/" + name + ".tfstate" });
  new DataResource(stack, "marker", { input: { version: process.env.FIXTURE_INPUT ?? "v1", stack: name } });
  return stack;
};
const core = make("sensors-ci-core");
make("sensors-ci-edge").addDependency(core);
make("sensors-other-core");
app.synth();
`;

// Each step runs real cdktf and terraform processes; on a loaded shared machine one test can take minutes.
jest.setTimeout(600_000);

describe("diff-environment (real cdktf diff + terraform)", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(cmd, args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 300_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const synth = (input: string) => {
    const r = run(CDKTF, ["synth"], { FIXTURE_INPUT: input });
    if (r.status !== 0) throw new Error(`cdktf synth failed:\n${r.out}`);
  };
  const diff = (...args: string[]) => {
    const summary = path.join(dir, `summary-${Math.random().toString(36).slice(2)}.md`);
    const r = run(TSX, [SCRIPT, "--env", "ci", "--summary", summary, ...args]);
    let markdown = "";
    try {
      markdown = readFileSync(summary, "utf8");
    } catch {
      // no summary: the caller asserts on the exit code and output
    }
    return { ...r, markdown };
  };

  beforeAll(() => {
    if (spawnSync("terraform", ["version"]).status !== 0) {
      throw new Error("terraform is not on PATH; the pipelines install it with hashicorp/setup-terraform / TerraformInstaller");
    }
    // Inside the repo (.tmp/ is ignored) so the app resolves cdktf from the project's node_modules.
    mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
    dir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "ci-diff-"));
    mkdirSync(path.join(dir, "state"));
    writeFileSync(path.join(dir, "app.ts"), APP);
    writeFileSync(
      path.join(dir, "cdktf.json"),
      JSON.stringify({ language: "typescript", app: `${TSX} app.ts`, sendCrashReports: "false", terraformProviders: [] }),
    );
    env = { ...process.env, CHECKPOINT_DISABLE: "1", FIXTURE_STATE_DIR: path.join(dir, "state"), GITHUB_STEP_SUMMARY: "" };
    delete env.TF_CLI_ARGS_plan;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("summarizes what a new environment would create, only for that environment's stacks", () => {
    synth("v1");
    const r = diff();
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/cdktf diff sensors-ci-core \(1\/2\)[\s\S]*cdktf diff sensors-ci-edge \(2\/2\)/);
    expect(r.markdown).toContain("### 📝 ci: 2 to add, 0 to change, 0 to destroy");
    expect(r.markdown).toContain("| 🟢 create | `terraform_data.marker` |");
    expect(r.markdown).not.toContain("sensors-other-core");
  });

  it("drift check passes once the code is deployed, and fails naming the resource when live state differs", () => {
    const deploy = run(CDKTF, ["deploy", "sensors-ci-*", "--auto-approve", "--skip-synth"]);
    if (deploy.status !== 0) throw new Error(`cdktf deploy failed:\n${deploy.out}`);

    const clean = diff("--fail-on-changes");
    expect(clean.status).toBe(0);
    expect(clean.markdown).toContain("✅ ci: no changes");

    // Someone changes the live object behind Terraform's back (here: its recorded state).
    const stateFile = path.join(dir, "state", "sensors-ci-edge.tfstate");
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    state.serial += 1;
    state.resources[0].instances[0].attributes.input.value.version = "changed-by-hand";
    writeFileSync(stateFile, JSON.stringify(state));

    const drifted = diff("--fail-on-changes");
    expect(drifted.status).toBe(2);
    expect(drifted.out).toMatch(/live infrastructure differs from the code \(drift\) in: sensors-ci-edge/);
    expect(drifted.markdown).toContain("#### ✅ `sensors-ci-core`: no changes");
    expect(drifted.markdown).toMatch(/🟡 update \| `terraform_data.marker` \| `input`/);
    expect(drifted.markdown).not.toContain("changed-by-hand"); // names only, never values

    // Without --fail-on-changes (pull requests) the same difference is reported, not failed.
    expect(diff().status).toBe(0);
  });

  it("reports a code change as a plan", () => {
    synth("v2");
    const r = diff();
    expect(r.status).toBe(0);
    expect(r.markdown).toContain("### 📝 ci: 0 to add, 2 to change, 0 to destroy");
  });

  it("fails, and says so in the summary, when a stack cannot be planned", () => {
    // A state file Terraform cannot read makes the plan of that stack fail.
    writeFileSync(path.join(dir, "state", "sensors-ci-core.tfstate"), "{ not json");
    const r = diff("--fail-on-changes");
    expect(r.status).toBe(1);
    expect(r.markdown).toContain("❌ ci: diff failed for 1 of 2 stack(s)");
    expect(r.markdown).toContain("#### ❌ `sensors-ci-core`: diff failed");
  });

  it("names the stacks it knows when the environment has none", () => {
    const r = run(TSX, [SCRIPT, "--env", "qa"]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/no stack named sensors-qa-\* .*synthesized stacks: sensors-ci-core, sensors-ci-edge, sensors-other-core/);
  });
});
