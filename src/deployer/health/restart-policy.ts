/**
 * `ensure`'s restart policy, after spark-operator's onFailureRetries/onFailureRetryInterval: the
 * first restart is immediate, each further one waits twice as long (up to a maximum), and past the
 * limit restarts stop until the next deploy resets the count. A run that stayed up for
 * `stableAfterSeconds` since the last restart counts as recovered, so rare failures months apart
 * never add up to the limit.
 */
import type { DeployPlanConfig } from "../core/plan-config";
import type { DeployState } from "../state/deploy-state";

export type RestartDecision =
  | { kind: "restart"; attempt: number }
  | { kind: "wait"; until: Date; attempt: number }
  | { kind: "limit"; count: number };

export function backoffSeconds(policy: DeployPlanConfig["restartPolicy"], restartsSoFar: number): number {
  if (restartsSoFar === 0) return 0;
  return Math.min(policy.backoffSeconds * 2 ** (restartsSoFar - 1), policy.maxBackoffSeconds);
}

export function decideRestart(restarts: DeployState["restarts"], policy: DeployPlanConfig["restartPolicy"], now: Date): RestartDecision {
  if (restarts.count >= policy.limit) return { kind: "limit", count: restarts.count };
  const lastAt = restarts.lastAt !== undefined ? Date.parse(restarts.lastAt) : undefined;
  const stable = lastAt !== undefined && now.getTime() - lastAt >= policy.stableAfterSeconds * 1000;
  const count = stable ? 0 : restarts.count;
  const wait = backoffSeconds(policy, count);
  if (lastAt !== undefined && !stable && now.getTime() < lastAt + wait * 1000) return { kind: "wait", until: new Date(lastAt + wait * 1000), attempt: count + 1 };
  return { kind: "restart", attempt: count + 1 };
}
