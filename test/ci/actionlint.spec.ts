// Lints every GitHub Actions workflow with the real actionlint binary (installed by
// scripts/setup.d/50-go-tools.sh), and proves the check can fail on a broken workflow.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, SHELLCHECK, workflowFiles } from "./ci-files";

function findActionlint(): string {
  const candidates = [path.join(REPO_ROOT, ".cache", "bin", "actionlint")];
  try {
    const gopath = execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim();
    candidates.push(path.join(gopath, "bin", "actionlint"));
  } catch {
    // no Go on PATH: only the repo-local install can be used
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`actionlint not found in ${candidates.join(" or ")}; run \`bash scripts/setup.sh --for-tests\``);
  return found;
}

function actionlint(cwd: string, files: string[]): { status: number | null; output: string } {
  if (!existsSync(SHELLCHECK)) throw new Error(`${SHELLCHECK} not found; run \`bash scripts/setup.sh --for-tests\``);
  const r = spawnSync(findActionlint(), ["-no-color", `-shellcheck=${SHELLCHECK}`, ...files], { cwd, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("GitHub Actions workflows pass actionlint", () => {
  const files = workflowFiles();

  it("finds the workflows this project ships", () => {
    const names = files.map((f) => path.basename(f));
    expect(names).toEqual(
      expect.arrayContaining(["pull-request.yml", "deploy.yml", "deploy-environment.yml", "diff-environment.yml", "drift-check.yml", "test-and-build.yml"]),
    );
  });

  it.each(files.map((f) => [path.relative(REPO_ROOT, f)]))("%s", (rel) => {
    // Run from the repo root so calls to local reusable workflows are checked against their inputs.
    const { status, output } = actionlint(REPO_ROOT, [rel]);
    if (status !== 0) throw new Error(`actionlint reported problems in ${rel}:\n${output}`);
    expect(output).toBe("");
  });
});

describe("the actionlint check can fail", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "actionlint-negative-"));
    mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
    // actionlint needs a repository to resolve local reusable workflows.
    execFileSync("git", ["init", "-q", dir]);
  });

  const write = (name: string, lines: string[]): string => {
    writeFileSync(path.join(dir, ".github", "workflows", name), lines.join("\n") + "\n");
    return `.github/workflows/${name}`;
  };

  const reusable = [
    "name: reusable",
    "on:",
    "  workflow_call:",
    "    inputs:",
    "      environment:",
    "        type: string",
    "        required: true",
    "permissions:",
    "  contents: read",
    "jobs:",
    "  show:",
    "    runs-on: ubuntu-24.04",
    "    steps:",
    "      - run: echo \"$ENVIRONMENT\"",
    "        env:",
    "          ENVIRONMENT: ${{ inputs.environment }}",
  ];

  it("accepts a correct workflow in the same harness (so a failure below means the lint failed)", () => {
    const file = write("reusable.yml", reusable);
    const { status, output } = actionlint(dir, [file]);
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("rejects a call to a reusable workflow with a misspelt input", () => {
    write("reusable.yml", reusable);
    const caller = write("caller.yml", [
      "name: caller",
      "on: push",
      "permissions:",
      "  contents: read",
      "jobs:",
      "  dev:",
      "    uses: ./.github/workflows/reusable.yml",
      "    with:",
      "      enviroment: dev",
    ]);
    const { status, output } = actionlint(dir, [caller]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/input "environment" is required/);
    expect(output).toMatch(/"enviroment" is not defined/);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rejects a workflow with a typo'd context, a missing job, an unknown input and an unsafe script", () => {
    const broken = [
      "name: broken",
      "on: push",
      "jobs:",
      "  deploy:",
      "    needs: buidl",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - uses: actions/checkout@v6",
      "        with:",
      "          fetch-deph: 1",
      "      - run: echo ${{ github.evnt_name }}",
      "      - run: rm -rf $TARGET_DIR/*",
      "",
    ].join("\n");
    writeFileSync(path.join(dir, ".github", "workflows", "broken.yml"), broken);
    const { status, output } = actionlint(dir, [".github/workflows/broken.yml"]);
    expect(output).not.toMatch(/no project was found/);
    expect(status).not.toBe(0);
    expect(output).toMatch(/buidl/);
    expect(output).toMatch(/fetch-deph/);
    expect(output).toMatch(/evnt_name/);
    expect(output).toMatch(/SC2086/); // shellcheck ran: unquoted variable in `rm -rf`
  });
});
