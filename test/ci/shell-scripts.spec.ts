// ShellCheck on every shell script the pipelines run: scripts/ci/*.sh, the actionlint setup step,
// and the bash embedded in the Azure Pipelines YAML (GitHub's `run:` scripts are covered by
// actionlint, which calls the same shellcheck).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { azureInlineScripts, azurePipelineFiles, REPO_ROOT, SHELLCHECK } from "./ci-files";

function shellcheck(args: string[], input?: string): { status: number | null; output: string } {
  if (!existsSync(SHELLCHECK)) throw new Error(`${SHELLCHECK} not found; run \`bash scripts/setup.sh --for-tests\``);
  const r = spawnSync(SHELLCHECK, args, { cwd: REPO_ROOT, input, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const ciScripts = readdirSync(path.join(REPO_ROOT, "scripts", "ci"))
  .filter((f) => f.endsWith(".sh"))
  .map((f) => `scripts/ci/${f}`);

describe("shellcheck", () => {
  it.each([...ciScripts, "scripts/setup.d/50-go-tools.sh"].map((f) => [f]))("%s", (file) => {
    const { status, output } = shellcheck([file]);
    if (status !== 0) throw new Error(output);
  });

  const inline = azurePipelineFiles().flatMap(azureInlineScripts);

  it("finds the Azure Pipelines scripts", () => {
    expect(inline.length).toBeGreaterThanOrEqual(8);
  });

  it.each(inline.map((s) => [s.where, s.text]))("%s", (_where, text) => {
    const { status, output } = shellcheck(["--shell=bash", "--external-sources", `--source-path=${REPO_ROOT}`, "-"], text);
    if (status !== 0) throw new Error(`${output}\n--- script as checked ---\n${text}`);
  });

  it("fails on an unsafe script (so the checks above can fail)", () => {
    const { status, output } = shellcheck(["--shell=bash", "-"], "rm -rf $TARGET/*\n");
    expect(status).not.toBe(0);
    expect(output).toContain("SC2086");
  });
});
