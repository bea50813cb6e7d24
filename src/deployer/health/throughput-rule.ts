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

/** The sizing the live release runs with: the plan's executors, the release's job config's cap and trigger. */
export function runningSizing(plan: DeployPlanConfig, config: Partial<JobConfig>): RunningSizing {
  return {
    executors: plan.spark.executors,
    executorCores: plan.spark.executorCores,
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
}

/** Undefined without `took` lines that tell a cost. */
export async function measureThroughput(m: ThroughputMeasure, plan: DeployPlanConfig, config: Partial<JobConfig>): Promise<Throughput | undefined> {
  if (m.took === undefined) return undefined;
  const before = await m.offsetsAt(m.topic, m.nowMs - INPUT_WINDOW_SECONDS * 1000);
  const arrived = Object.entries(m.end).reduce((sum, [partition, end]) => sum + Math.max(0, end - (before[partition] ?? end)), 0);
  return judgeThroughput({
    inputPerSecond: arrived / INPUT_WINDOW_SECONDS,
    windowSeconds: INPUT_WINDOW_SECONDS,
    backlogRecords: m.backlogRecords,
    batches: m.took,
    sizing: runningSizing(plan, config),
    catchUpWithinSeconds: plan.health.maxBacklogSeconds,
  });
}
