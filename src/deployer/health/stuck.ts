/**
 * A job Livy reports running can still be stuck: a micro-batch that started and never commits (a
 * blocked foreachBatch, a hung write). The checkpoint shows it without asking Kafka: Spark writes
 * `offsets/N` when it starts batch N with new input and `commits/N` when N is done, so an
 * `offsets/N` older than the limit without its `commits/N` is a batch stuck that long. An idle
 * stream writes neither, and is not stuck. (spark-operator restarts only on failure; this also
 * restarts on no progress.)
 */
import type { DeployPlanConfig, JobConfig } from "../core/plan-config";
import type { FileStatus, WebHdfsClient } from "../clients/webhdfs-client";

function newest(listing: Map<string, FileStatus> | undefined): { id: number; at: number } | undefined {
  let best: { id: number; at: number } | undefined;
  for (const f of listing?.values() ?? []) {
    if (/^\d+$/.test(f.pathSuffix) && (best === undefined || Number(f.pathSuffix) > best.id)) best = { id: Number(f.pathSuffix), at: f.modificationTime };
  }
  return best;
}

/** Why the live release's job is stuck, or undefined when it is progressing (or idle). */
export async function stuckReason(hdfs: WebHdfsClient, plan: DeployPlanConfig, config: Partial<JobConfig>, now: Date): Promise<string | undefined> {
  if (!config.checkpoint_location) return undefined;
  const started = newest(await hdfs.listStatus(`${config.checkpoint_location}/offsets`));
  const limit = plan.health.maxSecondsWithoutCommit;
  if (started === undefined || now.getTime() - started.at <= limit * 1000) return undefined;
  const committed = newest(await hdfs.listStatus(`${config.checkpoint_location}/commits`));
  if (committed !== undefined && committed.id >= started.id) return undefined;
  const seconds = Math.round((now.getTime() - started.at) / 1000);
  return `stuck: micro-batch ${started.id} started ${seconds}s ago and has not committed (limit ${limit}s, bdc.health.maxSecondsWithoutCommit)`;
}
