/**
 * The rejected-fraction rule (bdc.health.maxRejectedFraction), as ensure checks it on a job that runs: the
 * rejected share of the input of the recent written batches, from the job's batch lines in its driver's log
 * (read once by ensure, readRecentBatches). Over the limit the job is not restarted (the input is bad, not the job): it is notified.
 */
import type { RecentBatches } from "../clients/batch-log";
import type { DeployPlanConfig } from "../core/plan-config";

/** Why the rule is broken, in words, or undefined when it holds (or no batch line is in the log window: `recent` undefined). */
export function rejectedReason(plan: DeployPlanConfig, recent: RecentBatches | undefined): string | undefined {
  if (recent === undefined) return undefined;
  const limit = plan.health.maxRejectedFraction;
  if (recent.rejectedFraction <= limit) return undefined;
  const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
  return `${percent(recent.rejectedFraction)} of the input of the last ${recent.batches} batches was rejected (limit ${percent(limit)}, bdc.health.maxRejectedFraction): see the rejected table's reasons`;
}
