/**
 * `npm ci`, which setup and every pipeline run, installs only from a lock in step with package.json.
 * Checked with `npm ci --dry-run` on a copy of the two files (it resolves nothing it installs), and
 * against a package.json with one dependency more, to show the check fails when the lock lags.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { azurePipelineFiles, workflowFiles } from "./ci-files";

jest.setTimeout(120_000);
const ROOT = resolve(__dirname, "..", "..");

function npmCiDryRun(mutate?: (pkg: { dependencies: Record<string, string> }) => void): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "lockfile-"));
  try {
    copyFileSync(join(ROOT, "package-lock.json"), join(dir, "package-lock.json"));
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    mutate?.(pkg);
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    // Its own log directory, so that it prunes nothing a parallel npm still writes. Its own log level: `npm run -s …`
    // hands npm_config_loglevel=silent down, and npm then refuses without saying why (this test failed under
    // `npm run -s test:unit` with no output at all, which an earlier note took for load).
    const args = ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel", "notice", "--logs-dir", join(dir, "logs")];
    const run = spawnSync("npm", args, { cwd: dir, encoding: "utf8" });
    // A signal or a spawn error is named, so a run that ends without output says why.
    const why = [run.signal ? `[killed by ${run.signal}]` : "", run.error ? `[spawn error: ${run.error.message}]` : ""].join("");
    return { status: run.status, output: `${run.stdout}${run.stderr}${why}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("package-lock.json satisfies package.json for npm ci", () => {
  const run = npmCiDryRun();
  expect(run.output).not.toMatch(/can only install packages when your package\.json and package-lock\.json .* are in sync/);
  expect(run.status).toBe(0);
});

test("a lock that lags package.json is refused (the check can fail)", () => {
  const run = npmCiDryRun((pkg) => {
    pkg.dependencies["left-pad"] = "1.3.0";
  });
  expect(run.status).not.toBe(0);
  expect(run.output).toMatch(/Missing: left-pad@1\.3\.0 from lock file/);
});

test("setup and every pipeline install with npm ci, never npm install", () => {
  const setup = readFileSync(join(ROOT, "scripts", "setup.d", "10-node.sh"), "utf8");
  expect(setup).toMatch(/^\s*npm ci --no-fund --no-audit$/m);
  const files = [join(ROOT, "scripts", "setup.d", "10-node.sh"), ...workflowFiles(), ...azurePipelineFiles()];
  expect(files.filter((f) => /\bnpm (install|i)\b/.test(readFileSync(f, "utf8")))).toEqual([]);
  const installing = [...workflowFiles(), ...azurePipelineFiles()].filter((f) => /\bnpm ci\b/.test(readFileSync(f, "utf8")));
  expect(installing.length).toBeGreaterThanOrEqual(6);
});
