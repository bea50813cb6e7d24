/**
 * `status`: what runs in an environment and whether it is healthy, from the sources that know:
 * the live state (what should run, restarts), Livy (what runs), the checkpoint (what was
 * committed, and where in the topic), and Kafka (the topic's end offsets, with the job's listen key).
 * Backlog = end offsets minus the last committed batch's end offsets, exactly, per partition.
 * Who drives the checkpoint is asked of the file system (driver-lease.ts), so a driver Livy lost shows as
 * "running outside Livy", never as "not running". Read-only: no lock, no change (the lease probe appends nothing).
 */
import { readRecentBatches, type RecentBatches } from "../clients/batch-log";
import { backlogProblems, measureBacklog, type Backlog, type EndOffsets } from "../health/backlog";
import { readCheckpointProgress, type CheckpointProgress } from "../state/checkpoint";
import { readStateFrom, releaseName } from "../state/deploy-state";
import { storesOf, type GatewayContext } from "../reconcile/context";
import { ALIVE_STATES } from "../clients/livy-client";
import { describeHolder, probeLease, type LeaseState } from "../state/driver-lease";
import { readJobConfig } from "../release/release";
import { isSubmissionOf } from "../../../contracts/submission-name";
import { HDFS_LEASE_SOFT_LIMIT_SECONDS } from "../../../contracts/driver-lease";
import { DEFAULT_TRIGGER_INTERVAL, intervalMs } from "../../../contracts/job-config";
import { measureThroughput, runningSizing } from "../health/throughput-rule";
import { describeThroughput, undersizedProblem, type RunningSizing, type Throughput } from "../health/throughput";

export type { EndOffsets };

export interface StatusReport {
  environment: string;
  live: string | null;
  previous: string | null;
  batch: { id: number; state: string } | null;
  /** Who holds the checkpoint's lease: "held" (by `holder`), "lapsing" (its holder stopped renewing) or "free". */
  driver: { lease: "held" | "lapsing" | "free"; holder: string | null } | null;
  restarts: number;
  lastCommit: { batchId: number; secondsAgo: number } | null;
  backlog: Backlog | null;
  /** Rows and rejected rows of the recent written batches, and how long they took (batch-log.ts), from the job's lines in Livy's log window. */
  recent: RecentBatches | null;
  /** The live release's trigger interval (its job config's trigger_interval), which a batch should take less than. */
  trigger: string | null;
  /** The input rate against what the job can process, the catch-up time, and advice when undersized (throughput.ts). */
  throughput: Throughput | null;
  /** The sizing the live release runs with, which the advice is against. */
  sizing: RunningSizing | null;
  /** Every health rule broken, in words; empty when healthy. */
  problems: string[];
}

export async function runStatus(ctx: GatewayContext, endOffsets: EndOffsets | undefined): Promise<StatusReport> {
  const { plan, hdfs, livy, progress } = ctx;
  const now = (ctx.now ?? (() => new Date()))().getTime();
  const report: StatusReport = { environment: plan.environment, live: null, previous: null, batch: null, driver: null, restarts: 0, lastCommit: null, backlog: null, recent: null, trigger: null, throughput: null, sizing: null, problems: [] };
  progress.step("status", "reading the live state");
  const state = await readStateFrom(storesOf(ctx).state);
  if (state === undefined) {
    report.problems.push("nothing is deployed to this environment");
    return report;
  }
  report.live = releaseName(state.current);
  report.previous = state.previous ? releaseName(state.previous) : null;
  report.restarts = state.restarts.count;
  let ourBatch: { id: number; state: string; name?: string | null } | undefined;
  if (state.batch) {
    progress.step("status", `asking Livy for batch ${state.batch.id}`);
    const found = await livy.findBatch(state.batch.id);
    // After a Livy restart, our id may name another user's batch: only a submission of ours is ours.
    const batch = found && isSubmissionOf(plan.batchName, found.name) ? found : undefined;
    report.batch = { id: state.batch.id, state: batch?.state ?? (found ? `unknown to Livy (id ${found.id} now names "${found.name}")` : "unknown to Livy") };
    if (batch) ourBatch = batch;
    if (batch) {
      progress.step("status", `reading the job's batch lines in the log of batch ${state.batch.id}`);
      report.recent = (await readRecentBatches(livy, state.batch.id)) ?? null;
    }
  }

  const config = await readJobConfig(hdfs, state.current);
  report.trigger = config.trigger_interval ?? DEFAULT_TRIGGER_INTERVAL;
  const sizing = runningSizing(plan, config, state.current.request);
  report.sizing = sizing;
  progress.step("status", `reading the checkpoint ${config.checkpoint_location}`);
  const checkpoint: CheckpointProgress = config.checkpoint_location ? await readCheckpointProgress(hdfs, config.checkpoint_location) : {};
  const lease = config.checkpoint_location ? await probeLease(hdfs, config.checkpoint_location) : undefined;
  if (lease) report.driver = { lease: !lease.held ? "free" : lease.lapsing ? "lapsing" : "held", holder: lease.held || lease.record ? describeHolder(lease) : null };
  if (!report.batch || !ALIVE_STATES.has(report.batch.state as never)) {
    report.problems.push(notRunningProblem(report.batch ? `batch ${report.batch.id} ${report.batch.state}` : "no batch", lease, ourBatch));
  }
  if (checkpoint.last) report.lastCommit = { batchId: checkpoint.last.batchId, secondsAgo: Math.round((now - checkpoint.last.committedAt) / 1000) };

  if (endOffsets !== undefined && config.input_topic) {
    progress.step("status", `asking Kafka for the end offsets of ${config.input_topic}`);
    const end = await endOffsets(config.input_topic);
    report.backlog = measureBacklog(end, checkpoint, config.input_topic);
    // Only a running job's batches tell what it does now.
    if (ctx.offsetsAt && ourBatch?.state === "running") {
      progress.step("status", `asking Kafka what arrived in ${config.input_topic} lately, for the input rate`);
      const measure = { offsetsAt: ctx.offsetsAt, topic: config.input_topic, end, backlogRecords: report.backlog.records, took: report.recent?.took, nowMs: now, sizing };
      report.throughput = (await measureThroughput(measure, plan)) ?? null;
    }
  }
  report.problems.push(...brokenRules(plan.health, report));
  return report;
}

/**
 * What status says when Livy runs no batch of ours. A lease still held after Livy saw our batch end is that
 * batch's dead driver's, until HDFS lets it lapse (the deployer's rule too), but only if the holder's record
 * names that batch: a holder naming another submission is a driver Livy does not run.
 */
export function notRunningProblem(livySays: string, lease: LeaseState | undefined, ended: { name?: string | null } | undefined): string {
  const submission = lease?.record?.submission;
  const itsDriver = !!ended && (!submission || !ended.name || submission === ended.name);
  if (lease?.held && !lease.lapsing && !itsDriver) return `running outside Livy: ${describeHolder(lease)} holds ${lease.path} (Livy: ${livySays})`;
  return `the job is not running (${livySays})${lease?.held ? `; its driver's lease on ${lease.path} lapses ${HDFS_LEASE_SOFT_LIMIT_SECONDS}s after its last renewal` : ""}`;
}

export function brokenRules(
  rules: { maxBacklogRecords: number; maxBacklogSeconds: number; maxSecondsWithoutCommit: number; maxRejectedFraction: number },
  report: StatusReport,
): string[] {
  const broken: string[] = [];
  const recent = report.recent;
  if (recent && recent.rejectedFraction > rules.maxRejectedFraction) {
    broken.push(`${(recent.rejectedFraction * 100).toFixed(1)}% of the input of the last ${recent.batches} batches rejected > ${(rules.maxRejectedFraction * 100).toFixed(1)}%`);
  }
  const took = recent?.took;
  const triggerMs = report.trigger !== null ? intervalMs(report.trigger) : 0;
  // As for a stuck job: with no input waiting, slow batches from before a catch-up are no problem.
  const inputWaits = report.backlog === null || report.backlog.records > 0;
  const undersized = report.sizing ? undersizedProblem(report.throughput ?? undefined, report.sizing, rules.maxBacklogSeconds) : undefined;
  // Undersized says more than slow batches (the rates and a sizing that catches up): then it alone is said.
  if (undersized) broken.push(undersized);
  else if (took && triggerMs > 0 && inputWaits && took.medianMs > triggerMs) {
    broken.push(`the last ${took.batches} batches took a median ${seconds(took.medianMs)} > the trigger (${report.trigger}): the job falls behind its input`);
  }
  const backlog = report.backlog;
  broken.push(...backlogProblems(rules, backlog));
  // Without input waiting, no commit is expected: an idle stream commits nothing.
  const waiting = backlog === null || backlog.records > 0;
  if (waiting && report.lastCommit && report.lastCommit.secondsAgo > rules.maxSecondsWithoutCommit) {
    broken.push(`no batch committed for ${report.lastCommit.secondsAgo}s > ${rules.maxSecondsWithoutCommit}s while input waits (stuck)`);
  }
  return broken;
}

/** The report as lines for a terminal. */
export function formatStatus(r: StatusReport): string {
  const lines = [
    `environment ${r.environment}: ${r.problems.length === 0 ? "healthy" : "UNHEALTHY"}`,
    `  live      ${r.live ?? "none"}`,
    `  previous  ${r.previous ?? "none"}`,
    `  batch     ${r.batch ? `${r.batch.id} ${r.batch.state}` : "none"} (restarts since the last deploy: ${r.restarts})`,
    `  driver    ${r.driver ? `checkpoint lease ${r.driver.lease}${r.driver.holder ? `: ${r.driver.lease === "free" ? "last held by " : ""}${r.driver.holder}` : ""}` : "no checkpoint"}`,
    `  committed ${r.lastCommit ? `batch ${r.lastCommit.batchId}, ${r.lastCommit.secondsAgo}s ago` : "nothing yet"}`,
    `  backlog   ${
      r.backlog
        ? `${r.backlog.records} records (${Object.entries(r.backlog.perPartition).map(([p, n]) => `p${p}=${n}`).join(" ")})` +
          `, ${r.backlog.seconds === null ? "seconds unknown" : `about ${r.backlog.seconds}s`} (estimated from the recent consumption rate)`
        : "not asked (no Kafka access)"
    }`,
    `  recent    ${r.recent && r.recent.batches > 0 ? `${r.recent.batches} batches: ${r.recent.readings} rows, ${r.recent.rejected} rejected (${(r.recent.rejectedFraction * 100).toFixed(1)}%)` : "no batch line in the job's log window"}`,
    `  took      ${r.recent?.took ? `last ${r.recent.took.batches} batches: median ${seconds(r.recent.took.medianMs)}, longest ${seconds(r.recent.took.maxMs)}` : "no duration line in the job's log window"}${r.trigger ? ` (trigger ${r.trigger})` : ""}`,
    `  rates     ${r.throughput ? describeThroughput(r.throughput) : "not measured (no Kafka access, no running batch, or no duration line)"}`,
    ...r.problems.map((p) => `  problem   ${p}`),
  ];
  return `${lines.join("\n")}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}
