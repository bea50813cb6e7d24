// Rules every CI/CD definition (GitHub Actions and Azure Pipelines) must keep: the README's
// commands and only npm scripts that exist, no stored cloud secret or credential-looking literal,
// least-privilege permissions, pinned actions, and one deploy per environment at a time.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  allStrings,
  azurePipelineFiles,
  npmScriptsInText,
  packageScripts,
  parseYamlFile,
  REPO_ROOT,
  repoPathsInText,
  secretProblems,
  valuesOfKey,
  workflowFiles,
} from "./ci-files";

type Node = Record<string, unknown>;
const rel = (f: string) => path.relative(REPO_ROOT, f);
const allFiles = [...workflowFiles(), ...azurePipelineFiles()];
const workflow = (name: string) => parseYamlFile(path.join(REPO_ROOT, ".github", "workflows", name)) as Node;

describe("npm scripts named by the pipelines", () => {
  const scripts = packageScripts();

  it.each(allFiles.map((f) => [rel(f)]))("%s runs only npm scripts that package.json defines", (file) => {
    const used = npmScriptsInText(allStrings(parseYamlFile(path.join(REPO_ROOT, file))).join("\n"));
    expect(used.filter((name) => !(name in scripts))).toEqual([]);
  });

  it("the build runs exactly the README's setup and test commands, on both platforms", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("bash scripts/setup.sh --for-tests && npm test");
    for (const file of [".github/workflows/test-and-build.yml", ".azure-pipelines/jobs/test-and-build.yml"]) {
      const text = allStrings(parseYamlFile(path.join(REPO_ROOT, file))).join("\n");
      expect(npmScriptsInText(text)).toEqual(expect.arrayContaining(["test", "build:job", "synth"]));
      expect(text).toContain("bash scripts/setup.sh --for-tests");
    }
  });

  it.each(workflowFiles().map((f) => [rel(f)]))("%s refers only to repository files that exist", (file) => {
    const paths = allStrings(parseYamlFile(path.join(REPO_ROOT, file))).flatMap(repoPathsInText);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !existsSync(path.join(REPO_ROOT, p)))).toEqual([]);
  });

  it("spots an npm script that does not exist", () => {
    expect(npmScriptsInText("npm run synth && npm run deploy:everything\nnpm test")).toEqual(["synth", "deploy:everything", "test"]);
  });
});

describe("no stored secret in any pipeline", () => {
  it.each(allFiles.map((f) => [rel(f)]))("%s holds no secret and no client secret", (file) => {
    expect(secretProblems(readFileSync(path.join(REPO_ROOT, file), "utf8"))).toEqual([]);
  });

  it.each([
    ["client-secret: ${{ secrets.AZURE_CLIENT_SECRET }}", "client secret"],
    ["ARM_CLIENT_SECRET: ${{ secrets.SP }}", "client secret"],
    ["creds: ${{ secrets.AZURE_CREDENTIALS }}", "credentials JSON"],
    ["ARM_ACCESS_KEY: $(stateKey)", "storage account key"],
    ["servicePrincipalKey: $(spKey)", "service principal key"],
    ["ARM_TENANT_ID: 72f988bf-86f1-41af-91ab-2d7cd011db47", "literal tenant"],
    ["TF_VAR_bdc_gateway_password: Hunter2Hunter2", "password or token"],
    ["conn: Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=abc", "key/SAS"],
    ["token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOng6eSJ9.c2lnbmF0dXJlc2lnbmF0dXJl", "JSON web token"],
    ["key: " + "A".repeat(86) + "==", "storage account key"],
  ])("flags %s", (line, what) => {
    const problems = secretProblems(`steps:\n  - run: true\n    env:\n      ${line}\n`);
    expect(problems.join("\n")).toMatch(new RegExp(what));
  });

  it("accepts secrets that are only referenced", () => {
    const ok = [
      "TF_VAR_bdc_gateway_password: ${{ secrets.BDC_GATEWAY_PASSWORD }}",
      "TF_VAR_bdc_gateway_password: $(BDC_GATEWAY_PASSWORD)",
      "github-token: ${{ github.token }}",
      "ARM_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}",
    ].join("\n");
    expect(secretProblems(ok)).toEqual([]);
  });
});

describe("GitHub Actions: least privilege, pinned actions, OIDC, serialized deploys", () => {
  it.each(workflowFiles().map((f) => [rel(f)]))("%s sets least-privilege permissions and pins every action", (file) => {
    const wf = parseYamlFile(path.join(REPO_ROOT, file)) as Node;
    expect(wf.permissions).toEqual({ contents: "read" });
    const perms = valuesOfKey(wf, "permissions");
    expect(perms.filter((p) => typeof p === "string")).toEqual([]); // never read-all / write-all
    for (const p of perms as Node[]) {
      for (const [scope, level] of Object.entries(p)) {
        // id-token for OIDC; the plan comment and the drift issue are the only other writes.
        if (level === "write") expect(["id-token", "pull-requests", "issues"]).toContain(scope);
      }
    }
    for (const uses of valuesOfKey(wf, "uses") as string[]) {
      expect(uses).toMatch(/^(\.\/\.github\/workflows\/[\w-]+\.yml|[\w-]+\/[\w-]+@(v\d+|[0-9a-f]{40}))$/);
    }
    for (const step of valuesOfKey(wf, "steps").flat() as Node[]) {
      if (String(step.uses).startsWith("hashicorp/setup-terraform")) {
        // The wrapper rewrites stdout, which would corrupt `terraform show -json`.
        expect((step.with as Node).terraform_wrapper).toBe(false);
      }
      if (String(step.uses).startsWith("azure/login")) {
        expect(Object.keys(step.with as Node).sort()).toEqual(["client-id", "subscription-id", "tenant-id"]);
      }
    }
  });

  it("deploys each environment behind its GitHub environment, one deploy at a time, with OIDC", () => {
    const job = (workflow("deploy-environment.yml").jobs as Record<string, Node>).deploy;
    expect(job.environment).toEqual({ name: "${{ inputs.environment }}" });
    expect(job.concurrency).toEqual({ group: "sensors-deploy-${{ inputs.environment }}", "cancel-in-progress": false });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", actions: "read" });
    expect((job.env as Node).ARM_USE_OIDC).toBe("true");
    const scripts = allStrings(job.steps).join("\n");
    expect(scripts).toContain("--expect-hashes");
    expect(scripts).toContain("check-synth-artifact.ts");
    expect(scripts).not.toMatch(/build:job/);
    // The code deployed is the commit that built the artifact (this run's, or the rolled-back run's).
    expect((job.steps as Node[])[0]).toMatchObject({ uses: "actions/checkout@v6", with: { ref: "${{ inputs.ref }}" } });
  });

  it("rolls back only to artifacts of deploy runs of main, with the commit that built them", () => {
    const rollback = (workflow("deploy.yml").jobs as Record<string, Node>)["rollback-artifact"];
    const script = allStrings(rollback.steps).join("\n");
    expect(script).toContain('"$path" != ".github/workflows/deploy.yml"');
    expect(script).toContain('"$branch" != "main"');
    expect(rollback.outputs).toMatchObject({ ref: "${{ steps.run.outputs.head-sha }}" });
  });

  it("promotes dev -> staging -> prod from one build", () => {
    const jobs = workflow("deploy.yml").jobs as Record<string, Node>;
    expect(jobs.dev.needs).toEqual(["build", "rollback-artifact"]);
    expect(jobs.staging.needs).toContain("dev");
    expect(jobs.prod.needs).toContain("staging");
    for (const env of ["dev", "staging", "prod"]) {
      expect(jobs[env].uses).toBe("./.github/workflows/deploy-environment.yml");
      expect((jobs[env].with as Node).environment).toBe(env);
    }
  });

  it("plans every environment on pull requests and checks drift on a schedule", () => {
    const pr = workflow("pull-request.yml");
    const diff = (pr.jobs as Record<string, Node>).diff;
    expect(((diff.strategy as Node).matrix as Node).environment).toEqual(["dev", "staging", "prod"]);
    const drift = workflow("drift-check.yml");
    expect(((drift.on as Node).schedule as Node[]).length).toBe(1);
    expect((((drift.jobs as Record<string, Node>).drift.with as Node) ?? {})["fail-on-changes"]).toBe(true);
    const report = (drift.jobs as Record<string, Node>).report;
    expect(report).toMatchObject({ needs: "drift", if: "${{ failure() }}", permissions: { contents: "read", issues: "write" } });
    expect(allStrings(report.steps).join("\n")).toContain("scripts/ci/report-drift-issue.ts");
  });
});
