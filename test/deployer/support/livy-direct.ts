/**
 * The tests' own view of Livy and the Spark drivers, asked directly (not through the gateway stand-in,
 * so its counts stay the deployer's): alive streaming submissions of a batch name (contracts/submission-name.ts), a batch's log, and a driver crash.
 */
import { execFileSync } from "node:child_process";
import type { DeployerServices } from "./services";
import { isSubmissionOf } from "../../../contracts/submission-name";

const ALIVE = ["starting", "running", "idle", "busy", "not_started", "recovering"];

export interface LivyDirect {
  call(path: string, init?: RequestInit): Promise<any>;
  aliveBatches(): Promise<{ id: number; state: string }[]>;
  /** Waits until the batch's log shows `text`; fails fast, with the log tail, if the batch ends first. */
  waitForLog(id: number, text: string, timeoutMs?: number): Promise<string[]>;
  /**
   * A driver crash: SIGKILL of the cluster's streaming driver processes (spark-submit of a job.py with
   * this HDFS as fs.defaultFS). Livy then records the batch as dead; it does not forget it, as a DELETE would.
   */
  killDrivers(): Promise<void>;
  /** Waits until Livy no longer lists the batch alive: Livy notices a driver's exit a moment after its process is gone. */
  waitUntilEnded(id: number, timeoutMs?: number): Promise<void>;
  deleteAll(): Promise<void>;
}

/** Process ids of the spark-submit JVMs on this machine that run `script` with `rpc` as fs.defaultFS. */
export function sparkSubmitPids(rpc: string, script: string): number[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes("org.apache.spark.deploy.SparkSubmit") && line.includes(`fs.defaultFS=${rpc}`) && line.includes(script))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Process ids of the streaming drivers on this machine: spark-submit JVMs of a job.py whose fs.defaultFS is `rpc`. */
export const streamingDriverPids = (rpc: string): number[] => sparkSubmitPids(rpc, "/job.py");

export function livyDirect(services: DeployerServices, batchName: string): LivyDirect {
  const call = async (path: string, init?: RequestInit): Promise<any> => {
    const res = await fetch(`${services.livy!.url}${path}`, { ...init, headers: { "x-requested-by": "test", ...(init?.headers ?? {}) } });
    return res.json();
  };
  const aliveBatches = async () => {
    const { sessions } = (await call("/batches?from=0&size=100000")) as { sessions: { id: number; name: string; state: string }[] };
    return sessions.filter((s) => isSubmissionOf(batchName, s.name) && ALIVE.includes(s.state));
  };
  return {
    call,
    aliveBatches,
    async waitForLog(id, text, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { log } = (await call(`/batches/${id}/log?size=400`)) as { log: string[] };
        if (log.some((l) => l.includes(text))) return log;
        const { state } = (await call(`/batches/${id}/state`)) as { state: string };
        if (["dead", "error", "killed", "success"].includes(state) || Date.now() > deadline) {
          throw new Error(`batch ${id} (${state}) log never showed "${text}"; tail:\n${log.slice(-30).join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async killDrivers() {
      const drivers = streamingDriverPids(services.hdfs.rpc);
      for (const pid of drivers) process.kill(pid, "SIGKILL");
      for (let i = 0; i < 120 && (await aliveBatches()).length > 0; i++) await new Promise((r) => setTimeout(r, 500));
      if ((await aliveBatches()).length > 0) throw new Error(`killed ${drivers.length} driver process(es), but Livy still lists the batch alive`);
    },
    async waitUntilEnded(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while ((await aliveBatches()).some((b) => b.id === id)) {
        if (Date.now() > deadline) throw new Error(`batch ${id}'s driver process is gone, but Livy still lists it alive after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async deleteAll() {
      for (const b of (await call("/batches?from=0&size=100000")).sessions as { id: number }[]) await call(`/batches/${b.id}`, { method: "DELETE" });
    },
  };
}
