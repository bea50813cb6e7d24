// `npm run bench:e2e [-- --rates 200,1000,5000 --trigger "5 seconds" --seconds 120]`: the local pipeline (the
// stack of `npm start`, src/local/) fed at each rate in turn, for `--seconds` after a 20 s warm-up each. Per rate:
// the end-to-end latency from a reading's produce time to the arrival of its micro-batch's stats message (p50,
// p95, max over every reading of the measured batches), the throughput committed, the backlog at the start and
// the end (bounded when it did not grow past one trigger's worth of input), and the batches' durations from the
// job's `took` lines. Over every measured batch: the fixed cost per batch and the cost per reading (a line
// through rows and whole-batch duration, src/deployer/clients/batch-cost.ts), and the highest rate held with a bounded
// backlog. At the end of each rate, what `status` says of it: the input rate against what the job can process,
// and "undersized" with its advice (src/deployer/health/throughput.ts); `--max-offsets` lowers the job's cap per
// batch so that a rate can exceed what it processes. Goal: p95 ≤ trigger + 3 s at 1,000 readings/s with a 5 s
// trigger on 2 cores. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { median, recentDurations, type TookBatch } from "../src/deployer/clients/batch-log";
import { intervalMs } from "../contracts/job-config";
import { startLocalPipeline } from "../src/local/pipeline";
import { runStatus } from "../src/deployer/commands/status";
import { endOffsets, offsetsAt, type KafkaAccess } from "../src/deployer/clients/topic-offsets";
import { costModel, describeThroughput } from "../src/deployer/health/throughput";

const WARM_UP_MS = 20_000;
const GOAL_SLACK_MS = 3_000;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const opts = new Command("bench:e2e")
    .option("--rates <readings/s,...>", "simulator rates, measured one after the other", "200,1000,5000")
    .option("--trigger <interval>", "the job's trigger interval", "5 seconds")
    .option("--seconds <n>", "measured seconds per rate, after its warm-up", "120")
    .option("--max-offsets <n>", "the job's maxOffsetsPerTrigger (default: the local config's)")
    .parse()
    .opts<{ rates: string; trigger: string; seconds: string; maxOffsets?: string }>();
  const rates = opts.rates.split(",").map(Number);
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--rates: got '${opts.rates}'; positive numbers separated by commas`);
  const measuredMs = Number(opts.seconds) * 1000;
  const triggerMs = intervalMs(opts.trigger);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dir = mkdtempSync(join(os.tmpdir(), "bench-e2e-"));
  const maxOffsetsPerTrigger = opts.maxOffsets === undefined ? undefined : Number(opts.maxOffsets);
  const pipeline = await startLocalPipeline({ dir, triggerInterval: opts.trigger, maxOffsetsPerTrigger, log: () => undefined });
  const kafka: KafkaAccess = { bootstrap: pipeline.services.kafka.bootstrap };
  const status = () =>
    runStatus(
      { plan: pipeline.plan, hdfs: pipeline.gateway.hdfs, livy: pipeline.gateway.livy, progress: { step: () => undefined }, offsetsAt: (topic, atMs) => offsetsAt(kafka, topic, atMs) },
      (topic) => endOffsets(kafka, topic),
    );
  const allTook: TookBatch[] = [];
  const held: number[] = [];
  try {
    log("bench:e2e: deploying the job on the local stack");
    await pipeline.deploy();
    console.log(`bench:e2e — local pipeline on ${os.cpus().length} cores, Node ${process.version}`);
    console.log(`settings: trigger ${opts.trigger}, maxOffsetsPerTrigger ${pipeline.env.config.bdc.job.maxOffsetsPerTrigger}, ${pipeline.env.stack.partitions} partitions, Spark ${pipeline.env.stack.sparkMaster}, ${measuredMs / 1000} s measured per rate after ${WARM_UP_MS / 1000} s warm-up`);
    for (const rate of rates) {
      const simulator = await pipeline.startSimulator({ ratePerSecond: rate, malformedFraction: 0 });
      log(`bench:e2e: ${rate} readings/s; warming up for ${WARM_UP_MS / 1000} s`);
      await sleep(WARM_UP_MS);
      await pipeline.monitor.poll();
      pipeline.monitor.resetLatencies();
      const start = { at: Date.now(), snapshot: pipeline.monitor.snapshot() };
      log(`bench:e2e: measuring ${rate} readings/s for ${measuredMs / 1000} s`);
      while (Date.now() - start.at < measuredMs) {
        await sleep(2000);
        await pipeline.monitor.poll();
      }
      const end = { at: Date.now(), snapshot: pipeline.monitor.snapshot() };
      const said = await status();
      const summary = await simulator.stop();
      const { latency, took } = end.snapshot;
      allTook.push(...took);
      const throughput = (end.snapshot.consumed - start.snapshot.consumed) / ((end.at - start.at) / 1000);
      const bounded = end.snapshot.backlog !== null && end.snapshot.backlog <= (start.snapshot.backlog ?? 0) + (rate * triggerMs) / 1000;
      if (bounded) held.push(rate);
      const durations = recentDurations(took, took.length);
      console.log(`\nrate ${rate} readings/s (simulator delivered ${summary.acknowledged})`);
      console.log(`  latency produce → stats message: ${latency ? `p50 ${s(latency.p50)}  p95 ${s(latency.p95)}  max ${s(latency.max)}  (${latency.count} readings)` : "no batch measured"}`);
      console.log(`  throughput: ${Math.round(throughput)} input records/s committed; backlog ${start.snapshot.backlog ?? "unknown"} → ${end.snapshot.backlog ?? "unknown"} records (${bounded ? "bounded" : "GREW"})`);
      console.log(`  batches: ${durations ? `${durations.batches}, median ${s(durations.medianMs)}, longest ${s(durations.maxMs)} (trigger ${opts.trigger})` : "no took line read"}`);
      const undersized = said.problems.find((p) => p.startsWith("undersized"));
      console.log(`  status: ${said.throughput ? describeThroughput(said.throughput) : "rates not measured"}`);
      console.log(`  status says: ${undersized ?? (said.problems.length === 0 ? "healthy" : said.problems.join("; "))}`);
      if (rate === 1000 && triggerMs === 5000) console.log(`  goal p95 ≤ trigger + 3 s = ${s(triggerMs + GOAL_SLACK_MS)}: ${latency !== undefined && latency.p95 <= triggerMs + GOAL_SLACK_MS ? "met" : "NOT met"}`);
      await sleep(triggerMs * 2); // let the backlog drain before the next rate
    }
    console.log(`\nper batch: ${describeCost(allTook)}`);
    console.log(`phases (median ms over ${allTook.length} batches): ${phaseMedians(allTook)}`);
    console.log(`highest rate held with a bounded backlog: ${held.length > 0 ? `${Math.max(...held)} readings/s` : "none of those tried"} (tried ${rates.join(", ")})`);
  } finally {
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixed and per-reading cost, from a line through the batches' sizes and durations; only when status would
 * trust the split too (costModel: sizes far enough apart for a slope to mean something), e.g. over several rates. */
function describeCost(batches: readonly TookBatch[]): string {
  const sample = recentDurations(batches, batches.length);
  const model = sample && costModel(sample);
  if (!sample || !model?.split) return `no split: the batches' sizes (${sample?.smallestRows ?? 0}–${sample?.largest.rows ?? 0} readings) are too alike for a line; measure more than one rate`;
  return `fixed ${s(model.fixedMs)}, plus ${(model.perReadingMs * 1000).toFixed(1)} ms per 1,000 readings (a line through ${sample.batches} batches' rows and durations)`;
}

/** Each durationMs phase's median over the batches (addBatch is the foreachBatch body, walCommit and commit the
 * checkpoint's two logs, latestOffset the source's offset lookup): where a batch's fixed cost goes. */
function phaseMedians(batches: readonly TookBatch[]): string {
  const phases = [...new Set(batches.flatMap((b) => Object.keys(b.durationsMs)))].sort();
  return phases.map((p) => `${p} ${median(batches.map((b) => b.durationsMs[p] ?? 0))}`).join(", ") || "none";
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:e2e: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
