/**
 * The throughput rule as status and ensure check it on a running job (throughput.ts judges): the input rate from
 * Kafka (the topic's end offsets minus its offsets INPUT_WINDOW_SECONDS ago), the recent batches' cost from their
 * `took` lines, the backlog, and the sizing the live release runs with. Kafka out of reach leaves it unmeasured.
 */
import type { OffsetsAt } from "../clients/topic-offsets-loader";
import type { RecentDurations } from "../clients/batch-log";
import type { DeployPlanConfig, JobConfig } from "../core/plan-config";
import { judgeThroughput, type RunningSizing, type Throughput } from "./throughput";
import { DEFAULT_TRIGGER_INTERVAL, intervalMs } from "../../../contracts/job-config";

/** The input rate is taken over this much of the topic's recent past. */
export const INPUT_WINDOW_SECONDS = 60;

/** The part of a live release's Livy request that sizes it. */
export interface SizedRequest {
  numExecutors?: number;
  executorCores?: number;
}

/**
 * The sizing the live release runs with: its recorded request's executors (the plan's when it names none, or
 * before a deploy of an edited config, the release still runs the old ones), its job config's cap and trigger.
 */
export function runningSizing(plan: DeployPlanConfig, config: Partial<JobConfig>, request: SizedRequest = {}): RunningSizing {
  return {
    executors: request.numExecutors ?? plan.spark.executors,
    executorCores: request.executorCores ?? plan.spark.executorCores,
    ...(config.max_offsets_per_trigger !== undefined ? { maxOffsetsPerTrigger: config.max_offsets_per_trigger } : {}),
    triggerSeconds: intervalMs(config.trigger_interval ?? DEFAULT_TRIGGER_INTERVAL) / 1000,
  };
}

export interface ThroughputMeasure {
  offsetsAt: OffsetsAt;
  topic: string;
  /** The topic's end offsets, as the backlog was measured from. */
  end: Record<string, number>;
  backlogRecords: number;
  took: RecentDurations | undefined;
  nowMs: number;
  /** What the live release runs with (runningSizing), which the judgement and its advice are against. */
  sizing: RunningSizing;
}

/** Undefined without `took` lines that tell a cost. */
export async function measureThroughput(m: ThroughputMeasure, plan: DeployPlanConfig): Promise<Throughput | undefined> {
  if (m.took === undefined) return undefined;
  const before = await m.offsetsAt(m.topic, m.nowMs - INPUT_WINDOW_SECONDS * 1000);
  const arrived = Object.entries(m.end).reduce((sum, [partition, end]) => sum + Math.max(0, end - (before[partition] ?? end)), 0);
  return judgeThroughput({
    inputPerSecond: arrived / INPUT_WINDOW_SECONDS,
    windowSeconds: INPUT_WINDOW_SECONDS,
    backlogRecords: m.backlogRecords,
    batches: m.took,
    sizing: m.sizing,
    catchUpWithinSeconds: plan.health.maxBacklogSeconds,
  });
}
