/**
 * `teardown`: remove what deploys put on the cluster for this environment, under its lock.
 *   1. print what it will stop and delete;
 *   2. stop every batch of the environment's names (stream, table DDL, maintenance) and wait;
 *   3. with purge only: drop the tables (a Livy batch of the live release's create_tables.py
 *      --drop), delete the checkpoint and the job files no other environment's release reads;
 *   4. delete the JAAS files (the secrets) and the job configs;
 *   5. delete the live state last, so an interrupted teardown is simply run again, and a later
 *      `ensure` or `maintain` finds nothing deployed and does nothing.
 * Purging a production environment (plan.protected) needs its name given again.
 */
import { posix } from "node:path";
import { BatchRunner } from "../reconcile/batch-runner";
import { createTablesRequest } from "../release/batch-requests";
import { readStateFrom, type Release } from "../state/deploy-state";
import { STATE_ELSEWHERE_XATTR } from "../state/environment-stores";
import { emptyResult, lockOptions, storesOf, type DeployResult, type GatewayContext } from "../reconcile/context";
import { DeployError } from "../core/errors";
import { jobDir } from "../release/hdfs-sync";
import { EnvironmentLock } from "../state/lock";
import { forUser } from "../core/plan-config";
import { readJobConfig, releaseInputs } from "../release/release";
import { forgetBatch, type ReconcileContext } from "../reconcile/release-runner";
import { releasesOfEveryEnvironment } from "../release/retention";
import { isSubmissionOf } from "../../../contracts/submission-name";

export interface TeardownOptions {
  /** Gateway user: owner of the JAAS files' directory. */
  gatewayUser: string;
  /** Also drop the tables and delete the checkpoint and job files. @default false */
  purge?: boolean;
  /** The environment's name, required to purge a protected (production) environment. */
  confirmPurge?: string;
}

/** Every Livy batch name a deploy of this environment uses (the streaming one per submission: contracts/submission-name.ts). */
export function batchNamesOf(batchName: string): string[] {
  return [`${batchName}.<release>.<attempt>`, `${batchName}-create-tables`, `${batchName}-maintenance`];
}

/** Whether a batch is one a deploy of this environment submitted. */
export function isBatchOf(batchName: string, name: string | null): boolean {
  return isSubmissionOf(batchName, name) || name === `${batchName}-create-tables` || name === `${batchName}-maintenance`;
}

export async function runTeardown(ctx: GatewayContext, options: TeardownOptions): Promise<DeployResult> {
  const { plan, hdfs, livy, progress } = ctx;
  const stores = storesOf(ctx);
  const purge = options.purge ?? false;
  if (purge && plan.protected && options.confirmPurge !== plan.environment) {
    throw new DeployError(`${plan.environment} is a production environment: purging drops its tables and checkpoint for good; repeat its name with --confirm-purge ${plan.environment} to go on`);
  }
  const runner = new BatchRunner(livy, progress, ctx.sleep);
  const lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "teardown", plan.lock.waitSeconds), progress);
  const rc: ReconcileContext = { plan, hdfs, runner, progress, now: ctx.now ?? (() => new Date()), lock, stores, yarn: ctx.yarn };
  try {
    const state = await readStateFrom(stores.state);
    const releases = state ? [state.current, ...(state.previous ? [state.previous] : [])] : [];
    const config = state ? await readJobConfig(hdfs, state.current) : {};
    const jaasDir = posix.dirname(forUser(plan.hdfs.jaasPath, options.gatewayUser));
    const jobDirs = purge ? await unsharedJobDirs(rc, releases) : [];
    const batches = (await livy.listBatches()).filter((b) => isBatchOf(plan.batchName, b.name));
    progress.step(
      "teardown",
      [
        `${plan.environment}: stopping ${batches.length} batch(es) named ${batchNamesOf(plan.batchName).join(", ")}`,
        `deleting ${jaasDir} (JAAS files), ${plan.hdfs.configDir} (job configs) and the live state`,
        ...(purge
          ? [`purge: dropping the tables of ${state ? "the live job config" : "(no live state: tables are left)"}, deleting the checkpoint ${config.checkpoint_location ?? "(unknown)"} and ${jobDirs.length} job director(ies)`]
          : ["tables, checkpoint and job files are kept (--purge removes them)"]),
      ].join("; "),
    );
    if (state) await forgetBatch(rc, state);
    await runner.stop(batches, "teardown", { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.timing.startTimeoutSeconds });
    await lock.verify();
    if (purge && state) {
      await dropTables(rc, state.current);
      if (config.checkpoint_location) await hdfs.delete(config.checkpoint_location, true);
      for (const dir of jobDirs) await hdfs.delete(dir, true);
    }
    await hdfs.delete(jaasDir, true);
    await hdfs.delete(plan.hdfs.configDir, true);
    await lock.verify();
    await rc.stores.state.clear();
    // Retention on the cluster no longer needs to keep every artifact directory for this environment.
    if (rc.stores.elsewhere !== undefined) await hdfs.removeXAttr(plan.hdfs.stateDir, STATE_ELSEWHERE_XATTR);
    progress.step("teardown", `${plan.environment} is torn down${purge ? " and purged" : ""}`);
    return { ...emptyResult(runner)("torn-down", undefined, null), runningNow: "nothing runs under this environment's batch name" };
  } finally {
    await lock.release();
  }
}

async function dropTables(rc: ReconcileContext, release: Release): Promise<void> {
  const base = createTablesRequest(rc.plan, releaseInputs(release));
  const request = { ...base, args: [...(base.args ?? []), "--drop"] };
  const batch = await rc.runner.submit(request, "dropping the tables (create_tables.py --drop)");
  await rc.runner.waitForSuccess(batch.id, "dropping the tables", { pollSeconds: rc.plan.timing.pollSeconds, timeoutSeconds: rc.plan.timing.createTablesTimeoutSeconds });
  await rc.runner.remove([batch], "tables dropped");
}

/** The job directories of these releases that no other environment's live or previous release reads. */
async function unsharedJobDirs(rc: ReconcileContext, releases: readonly Release[]): Promise<string[]> {
  const others = await releasesOfEveryEnvironment(rc.hdfs, posix.dirname(rc.plan.hdfs.stateDir), posix.basename(rc.plan.hdfs.stateDir));
  if (others === undefined) throw new DeployError("another environment's live state cannot be read, so it is unknown which job files it needs; nothing was purged");
  const shared = new Set(others.map((r) => r.artifactHash));
  return [...new Set(releases.map((r) => r.artifactHash))].filter((h) => !shared.has(h)).map((h) => jobDir(rc.plan.hdfs.jobRoot, h));
}
