/**
 * The backlog rules (bdc.health.maxBacklogRecords / maxBacklogSeconds), as ensure checks them on a job that
 * runs: the live release's checkpoint against the input topic's end offsets. Over a limit the job is not
 * restarted (it runs; a restart would only add to the backlog): it is notified. Kafka out of reach is said
 * on the progress lines and leaves the rule unchecked: ensure must not fail for it.
 */
import { backlogProblems, readBacklog, type EndOffsets } from "./backlog";
import type { DeployPlanConfig, JobConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import type { WebHdfsClient } from "../clients/webhdfs-client";

/** Why a backlog rule is broken, in words, or undefined when they hold (or the backlog could not be measured). */
export async function backlogReason(hdfs: WebHdfsClient, plan: DeployPlanConfig, config: Partial<JobConfig>, endOffsets: EndOffsets, progress: Progress): Promise<string | undefined> {
  if (!config.checkpoint_location || !config.input_topic) return undefined;
  let problems: string[];
  try {
    problems = backlogProblems(plan.health, await readBacklog(hdfs, config.checkpoint_location, config.input_topic, endOffsets));
  } catch (err) {
    progress.step("ensure", `the backlog was not measured (${(err as Error).message}); its rules are not checked this run`);
    return undefined;
  }
  return problems.length === 0 ? undefined : `its ${problems.join(" and ")} (bdc.health.maxBacklogRecords, maxBacklogSeconds)`;
}
