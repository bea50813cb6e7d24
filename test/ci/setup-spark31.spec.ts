/**
 * The Spark 3.1 lane's setup step (scripts/setup.d/21-python-spark31.sh) refuses a machine without Python 3.8,
 * saying what to install, before it creates anything.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");

test("without Python 3.8 the lane's setup stops and names what to install, leaving no venv", () => {
  const dir = mkdtempSync(join(tmpdir(), "setup-spark31-"));
  try {
    mkdirSync(join(dir, "scripts", "setup.d"), { recursive: true });
    mkdirSync(join(dir, "scripts", "lib"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "setup.d", "21-python-spark31.sh"), join(dir, "scripts", "setup.d", "21-python-spark31.sh"));
    copyFileSync(join(ROOT, "scripts", "lib", "lane-venv.sh"), join(dir, "scripts", "lib", "lane-venv.sh"));
    copyFileSync(join(ROOT, "requirements-spark31.txt"), join(dir, "requirements-spark31.txt"));
    // No pyenv, no python3.8 on this PATH, and a PYTHON38 that is not one.
    const run = spawnSync("bash", [join(dir, "scripts", "setup.d", "21-python-spark31.sh")], {
      env: { PATH: "/usr/bin:/bin", PYTHON38: "/usr/bin/false" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the Spark 3.1 lane (BDC CU13+ runs the job on Python 3.8) needs Python 3.8");
    expect(run.stderr).toContain("install it (e.g. 'pyenv install 3.8') or set PYTHON38=/path/to/python3.8");
    expect(run.stderr).toContain("only the tests use this lane; `npm start` does not");
    expect(existsSync(join(dir, ".venv-spark31"))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
