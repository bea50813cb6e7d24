/** Runs the simulator CLI and the read-back helper as child processes (one node process each, no npm/npx in between, so signals reach them). */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { RunSummary } from "../../src/simulator/progress";
import type { ReadBackMessage } from "./read-back";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "src", "simulator", "cli.ts");
const READ_BACK = join(__dirname, "read-back.ts");

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Resolves when stderr contains the text. */
  waitForStderr(text: string): Promise<void>;
  done: Promise<Finished>;
}

export function startTs(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.filter((w) => stderr.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    done,
    waitForStderr: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then(() => reject(new Error(`exited before printing '${text}'; stderr:\n${stderr}`)));
      }),
  };
}

export function simulate(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Finished> {
  return startTs(CLI, args, env).done;
}

export function startSimulator(args: readonly string[], env?: NodeJS.ProcessEnv): Running {
  return startTs(CLI, args, env);
}

/** The JSON summary line the CLI prints on stdout. */
export function summaryOf(run: Finished): RunSummary {
  const line = run.stdout.trim().split("\n").pop();
  if (!line) throw new Error(`no summary on stdout; stderr:\n${run.stderr}`);
  return JSON.parse(line) as RunSummary;
}

export async function readBack(bootstrap: string, topic: string): Promise<{ endOffsetsTotal: number; messages: ReadBackMessage[] }> {
  const run = await startTs(READ_BACK, [bootstrap, topic, "60000"]).done;
  if (run.code !== 0) throw new Error(`read-back failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { endOffsetsTotal: number; messages: ReadBackMessage[] };
}
