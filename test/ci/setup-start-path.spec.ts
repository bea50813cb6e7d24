/**
 * `bash scripts/setup.sh` installs only what `npm start` uses; `--for-tests` adds the steps only the tests use
 * (the Python 3.8/3.7 lanes, the Go tools). Runs the real setup.sh over stand-in steps that carry each real
 * step's header comments (where the `# setup: tests only` mark lives) and only record that they ran.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const STEPS = readdirSync(join(ROOT, "scripts", "setup.d")).filter((f) => f.endsWith(".sh")).sort();
// What `npm start` needs: Node modules, the 3.11 venv with PySpark 3.5, and the jars of Kafka, the Spark connector,
// HDFS, Livy, the metastore and Apache Knox (the gateway of `npm start`, on the venv's Java 11).
const START_PATH = ["10-node.sh", "20-python.sh", "30-kafka.sh", "31-spark-jars.sh", "40-hdfs.sh", "41-livy.sh", "42-metastore.sh", "43-knox.sh"];

function runSetup(args: string[]): { status: number | null; ran: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "setup-start-path-"));
  try {
    mkdirSync(join(dir, "scripts", "setup.d"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "setup.sh"), join(dir, "scripts", "setup.sh"));
    for (const step of STEPS) {
      const header = readFileSync(join(ROOT, "scripts", "setup.d", step), "utf8").split("\n").filter((l) => l.startsWith("#"));
      writeFileSync(join(dir, "scripts", "setup.d", step), [...header, `echo ${step} >> "$PWD/ran.txt"`, ""].join("\n"));
    }
    const run = spawnSync("bash", [join(dir, "scripts", "setup.sh"), ...args], { encoding: "utf8" });
    const ranFile = join(dir, "ran.txt");
    const ran = existsSync(ranFile) ? readFileSync(ranFile, "utf8").trim().split("\n") : [];
    return { status: run.status, ran, stdout: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("without --for-tests, setup runs exactly the steps `npm start` needs and says what it skipped", () => {
  const run = runSetup([]);
  expect(run.status).toBe(0);
  expect(run.ran).toEqual(START_PATH);
  expect(run.stdout).toContain("21-python-spark31.sh (skipped: only the tests use it; bash scripts/setup.sh --for-tests)");
});

test("with --for-tests, setup runs every step, in name order", () => {
  const run = runSetup(["--for-tests"]);
  expect(run.status).toBe(0);
  expect(run.ran).toEqual(STEPS);
});

test("an unknown argument is refused before any step runs", () => {
  const run = runSetup(["--with-everything"]);
  expect(run.status).toBe(2);
  expect(run.ran).toEqual([]);
});
