/**
 * The rejected-fraction rule (bdc.health.maxRejectedFraction), as ensure checks it on a job that runs: the
 * rejected share of the input of the recent written batches, from the job's batch lines in its driver's log
 * (one Livy call). Over the limit the job is not restarted (the input is bad, not the job): it is notified.
 */
import { readRecentBatches } from "../clients/batch-log";
import type { LivyClient } from "../clients/livy-client";
import type { DeployPlanConfig } from "../core/plan-config";

/** Why the rule is broken, in words, or undefined when it holds (or no batch line is in the log window). */
export async function rejectedReason(livy: LivyClient, plan: DeployPlanConfig, batchId: number): Promise<string | undefined> {
  const recent = await readRecentBatches(livy, batchId);
  if (recent === undefined) return undefined;
  const limit = plan.health.maxRejectedFraction;
  if (recent.rejectedFraction <= limit) return undefined;
  const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
  return `${percent(recent.rejectedFraction)} of the input of the last ${recent.batches} batches was rejected (limit ${percent(limit)}, bdc.health.maxRejectedFraction): see the rejected table's reasons`;
}
