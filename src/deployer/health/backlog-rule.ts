/**
 * The backlog rules (bdc.health.maxBacklogRecords / maxBacklogSeconds), as ensure checks them on a job that
 * runs: the live release's checkpoint against the input topic's end offsets. Over a limit the job is not
 * restarted (it runs; a restart would only add to the backlog): it is notified. Kafka out of reach is said
 * on the progress lines and leaves the rule unchecked: ensure must not fail for it.
 */
import { backlogProblems, measureBacklog, type EndOffsets } from "./backlog";
import { readCheckpointProgress } from "../state/checkpoint";
import type { DeployPlanConfig, JobConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import type { OffsetsAt } from "../clients/topic-offsets-loader";
import type { RecentDurations } from "../clients/batch-log";
import { measureThroughput, runningSizing, type SizedRequest } from "./throughput-rule";
import { undersizedProblem } from "./throughput";

/** What the throughput rule needs beside the backlog's: Kafka's offsets at a time, and the recent batches' durations. */
export interface ThroughputSources {
  offsetsAt?: OffsetsAt;
  took?: RecentDurations;
  nowMs: number;
  /** The live release's request (its executors). */
  request: SizedRequest;
}

/**
 * Why a backlog rule is broken, or the job is undersized for its input (throughput.ts, with the advice), in words;
 * undefined when they hold (or the backlog could not be measured). Both are the one "backlog" condition ensure
 * notifies: a new condition in the live state would make a deployer rolled back to before it unable to read it.
 * `undersized`: judged so, judged not, or undefined when not judged (no Kafka offsets by time, no duration lines).
 */
export async function backlogReason(hdfs: WebHdfsClient, plan: DeployPlanConfig, config: Partial<JobConfig>, endOffsets: EndOffsets, progress: Progress, sources?: ThroughputSources): Promise<{ text: string; undersized: boolean | undefined } | undefined> {
  if (!config.checkpoint_location || !config.input_topic) return undefined;
  const problems: string[] = [];
  let undersizedToo: boolean | undefined;
  try {
    const end = await endOffsets(config.input_topic);
    const backlog = measureBacklog(end, await readCheckpointProgress(hdfs, config.checkpoint_location), config.input_topic);
    const limits = backlogProblems(plan.health, backlog);
    if (limits.length > 0) problems.push(`its ${limits.join(" and ")} (bdc.health.maxBacklogRecords, maxBacklogSeconds)`);
    if (sources?.offsetsAt) {
      const sizing = runningSizing(plan, config, sources.request);
      const measure = { offsetsAt: sources.offsetsAt, topic: config.input_topic, end, backlogRecords: backlog.records, took: sources.took, nowMs: sources.nowMs, sizing };
      const judged = await measureThroughput(measure, plan);
      const undersized = undersizedProblem(judged, sizing, plan.health.maxBacklogSeconds);
      if (undersized) problems.push(`it is ${undersized}`);
      undersizedToo = judged === undefined ? undefined : undersized !== undefined;
    }
  } catch (err) {
    progress.step("ensure", `the backlog was not measured (${(err as Error).message}); its rules are not checked this run`);
    return undefined;
  }
  return problems.length === 0 ? undefined : { text: problems.join("; and "), undersized: undersizedToo };
}
