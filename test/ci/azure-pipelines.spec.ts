// The Azure Pipelines definition parses, refers only to files that exist, and has the shape the
// operations docs promise: build once, plan on pull requests, deploy dev -> staging -> prod
// through environment-gated deployment jobs, authenticated by workload identity federation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { allStrings, azurePipelineFiles, missingAzureReferences, parseYamlFile, REPO_ROOT, valuesOfKey } from "./ci-files";

type Node = Record<string, unknown>;
const rel = (f: string) => path.relative(REPO_ROOT, f);
const load = (relPath: string) => parseYamlFile(path.join(REPO_ROOT, relPath)) as Node;

describe("Azure Pipelines YAML", () => {
  const files = azurePipelineFiles();

  it("ships the pipeline, its templates and the drift-check pipeline", () => {
    expect(files.map(rel)).toEqual(
      expect.arrayContaining([
        "azure-pipelines.yml",
        ".azure-pipelines/drift-check.yml",
        ".azure-pipelines/jobs/test-and-build.yml",
        ".azure-pipelines/jobs/diff-environment.yml",
        ".azure-pipelines/stages/deploy-environment.yml",
      ]),
    );
  });

  it.each(files.map((f) => [rel(f)]))("%s parses and refers only to files that exist", (file) => {
    expect(missingAzureReferences(path.join(REPO_ROOT, file))).toEqual([]);
  });

  it("uses every template it ships", () => {
    const used = new Set<string>();
    for (const f of files) {
      for (const t of valuesOfKey(parseYamlFile(f), "template")) used.add(path.resolve(path.dirname(f), String(t)));
    }
    const pipelines = ["azure-pipelines.yml", ".azure-pipelines/drift-check.yml"].map((p) => path.join(REPO_ROOT, p));
    const unused = files.filter((f) => !pipelines.includes(f) && !used.has(f)).map(rel);
    expect(unused).toEqual([]);
  });

  it("deploys dev, then staging, then prod, each after the build, one run at a time", () => {
    const root = load("azure-pipelines.yml");
    expect(root.lockBehavior).toBe("sequential");
    const deploys = (root.stages as Node[]).filter((s) => s.template === ".azure-pipelines/stages/deploy-environment.yml");
    expect(deploys.map((s) => (s.parameters as Node).environment)).toEqual(["dev", "staging", "prod"]);
    expect(deploys.map((s) => (s.parameters as Node).dependsOn)).toEqual([["Build"], ["Build", "Deploy_dev"], ["Build", "Deploy_staging"]]);
  });

  it("deploys through a deployment job on the environment, with OIDC and a verified, downloaded artifact", () => {
    const stage = (load(".azure-pipelines/stages/deploy-environment.yml").stages as Node[])[0];
    expect(String(stage.condition)).toContain("ne(variables['Build.Reason'], 'PullRequest')");
    const job = (stage.jobs as Node[])[0];
    expect(job.deployment).toBeDefined();
    expect(job.environment).toBe("sensors-${{ parameters.environment }}");
    const steps = ((job.strategy as Node).runOnce as { deploy: { steps: Node[] } }).deploy.steps;
    const download = steps.find((s) => "download" in s);
    expect(download).toMatchObject({ download: "current", artifact: "job-artifact" });
    const scripts = allStrings(steps).join("\n");
    expect(scripts).toContain("verify-artifact.ts --root dist/artifacts --expect-hashes");
    expect(scripts).not.toMatch(/build:job/); // promoted, never rebuilt
    const cli = steps.find((s) => s.task === "AzureCLI@2") as Node;
    expect(cli.inputs).toMatchObject({ addSpnToEnvironment: true, azureSubscription: "sensors-${{ parameters.environment }}-deploy" });
    expect(String((cli.inputs as Node).inlineScript)).toContain("source scripts/ci/azure-pipelines-oidc-env.sh");
  });

  it("builds the artifact once and publishes it; plans only on pull requests", () => {
    const build = load(".azure-pipelines/jobs/test-and-build.yml");
    const text = allStrings(build).join("\n");
    expect(text).toContain("bash scripts/setup.sh --for-tests");
    expect(text).toContain("npm test");
    expect(valuesOfKey(build, "artifact")).toEqual(["job-artifact"]);
    const plan = (load("azure-pipelines.yml").stages as Node[]).find((s) => s.stage === "Plan") as Node;
    expect(String(plan.condition)).toContain("eq(variables['Build.Reason'], 'PullRequest')");
  });

  it("runs the drift check on a schedule and fails on changes", () => {
    const drift = load(".azure-pipelines/drift-check.yml");
    expect((drift.schedules as Node[]).length).toBeGreaterThan(0);
    expect(valuesOfKey(drift, "failOnChanges")).toEqual([true]);
  });
});

describe("the reference check can fail", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "azp-negative-"));
    mkdirSync(path.join(dir, "scripts"), { recursive: true });
    writeFileSync(path.join(dir, "scripts", "present.sh"), "true\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names a missing template, a missing scriptPath and a missing script in an inline script", () => {
    const file = path.join(dir, "azure-pipelines.yml");
    writeFileSync(
      file,
      [
        "steps:",
        "  - template: steps/absent.yml",
        "  - task: AzureCLI@2",
        "    inputs:",
        "      scriptPath: scripts/absent.sh",
        "  - script: bash scripts/present.sh && bash scripts/ci/gone.sh",
      ].join("\n"),
    );
    expect(missingAzureReferences(file, dir)).toEqual(["template steps/absent.yml", "scriptPath scripts/absent.sh", "path scripts/ci/gone.sh"]);
  });

  it("reports YAML that does not parse", () => {
    const file = path.join(dir, "bad.yml");
    writeFileSync(file, "stages:\n  - stage: A\n    jobs: [\n");
    expect(() => parseYamlFile(file)).toThrow(/bad\.yml/);
  });
});
