/**
 * Whatever ends a local command, what it started is stopped: a real child process (tsx) starts `sleep`, registers
 * its cleanup with onEveryExit and then fails or is stopped; the sleep must be gone and the exit code say so.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const CHILD = join(__dirname, "fixtures", "exit-child.ts");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the child; `whenStarted` gets the sleep's pid and the child (to signal it). */
function runChild(how: string, whenStarted: (sleepPid: number, child: ReturnType<typeof spawn>) => void = () => undefined) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, how], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let sleepPid = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (sleepPid === 0 && stdout.includes("\n")) {
      sleepPid = Number(stdout.split("\n")[0]);
      whenStarted(sleepPid, child);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string; sleepPid: number }>((resolveRun) =>
    child.on("close", (code) => resolveRun({ code, stdout, stderr, sleepPid })),
  );
}

test.each([
  ["throw", "uncaught error: Error: boom from a stream handler"],
  ["reject", "unhandled rejection: Error: nobody awaited this"],
])("an asynchronous %s runs the cleanup once and exits 1", async (how, logged) => {
  const { code, stdout, stderr, sleepPid } = await runChild(how);
  expect(sleepPid).toBeGreaterThan(0);
  expect(code).toBe(1);
  expect(stderr).toContain(logged);
  expect(stdout.match(/cleaned/g)).toEqual(["cleaned"]);
  expect(alive(sleepPid)).toBe(false);
});

test("SIGTERM asks the command to stop; it runs the cleanup and ends with its own code", async () => {
  const { code, stdout, stderr, sleepPid } = await runChild("sigterm", (_pid, child) => setTimeout(() => child.kill("SIGTERM"), 300));
  expect(code).toBe(143);
  expect(stderr).toContain("SIGTERM: stopping every process this run started");
  expect(stdout.match(/cleaned/g)).toEqual(["cleaned"]);
  expect(alive(sleepPid)).toBe(false);
});
