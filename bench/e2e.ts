// `npm run bench:e2e [-- --rate 1000 --trigger "5 seconds" --seconds 90]`: end-to-end latency of the local
// pipeline, from a reading's produce time to the arrival of its micro-batch's stats message (p50, p95, max
// over every reading of the measured batches), and the throughput the job sustained (input records committed
// per second). Goal: p95 ≤ trigger + 3 s at 1,000 readings/s with a 5 s trigger on 2 cores. Runs the stack
// of `npm start` (src/local/), leaves the first 20 s out as warm-up, prints figures; asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { intervalMs } from "../src/deployer/core/interval";
import { startLocalPipeline } from "../src/local/pipeline";

const WARM_UP_MS = 20_000;
const GOAL_SLACK_MS = 3_000;

async function main(): Promise<void> {
  const opts = new Command("bench:e2e")
    .option("--rate <readings/s>", "simulator rate", "1000")
    .option("--trigger <interval>", "the job's trigger interval", "5 seconds")
    .option("--seconds <n>", "measured seconds after the warm-up", "90")
    .parse()
    .opts<{ rate: string; trigger: string; seconds: string }>();
  const rate = Number(opts.rate);
  const measuredMs = Number(opts.seconds) * 1000;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dir = mkdtempSync(join(os.tmpdir(), "bench-e2e-"));
  const pipeline = await startLocalPipeline({ dir, triggerInterval: opts.trigger, log: () => undefined });
  try {
    log("bench:e2e: deploying the job on the local stack");
    await pipeline.deploy();
    const simulator = await pipeline.startSimulator({ ratePerSecond: rate, malformedFraction: 0 });
    log(`bench:e2e: ${rate} readings/s; warming up for ${WARM_UP_MS / 1000} s`);
    await sleep(WARM_UP_MS);
    await pipeline.monitor.poll();
    pipeline.monitor.resetLatencies();
    const start = { at: Date.now(), consumed: pipeline.monitor.snapshot().consumed };
    log(`bench:e2e: measuring for ${measuredMs / 1000} s`);
    while (Date.now() - start.at < measuredMs) {
      await sleep(2000);
      await pipeline.monitor.poll();
    }
    const end = { at: Date.now(), snapshot: pipeline.monitor.snapshot() };
    const summary = await simulator.stop();
    const latency = end.snapshot.latency;
    const throughput = (end.snapshot.consumed - start.consumed) / ((end.at - start.at) / 1000);
    const goalMs = intervalMs(opts.trigger) + GOAL_SLACK_MS;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`bench:e2e — local pipeline on ${os.cpus().length} cores, Node ${process.version}`);
    console.log(`settings: simulator ${rate} readings/s, trigger ${opts.trigger}, ${pipeline.env.stack.partitions} partitions, Spark ${pipeline.env.stack.sparkMaster}, ${measuredMs / 1000} s measured after ${WARM_UP_MS / 1000} s warm-up`);
    if (latency === undefined) console.log("latency: no batch measured");
    else console.log(`latency produce → stats message: p50 ${s(latency.p50)}  p95 ${s(latency.p95)}  max ${s(latency.max)}  (${latency.count} readings)`);
    console.log(`throughput: ${Math.round(throughput)} input records/s committed (simulator delivered ${summary.acknowledged}, backlog at the end ${end.snapshot.backlog ?? "unknown"})`);
    console.log(`goal p95 ≤ trigger + 3 s = ${s(goalMs)}: ${latency !== undefined && latency.p95 <= goalMs ? "met" : "NOT met"}`);
  } finally {
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:e2e: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
