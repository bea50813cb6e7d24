/**
 * `maintain` (the maintenance CronJob): run the live release's maintenance.py (compaction and
 * retention of the job's tables) as a Livy batch, holding the environment's lock until it ends,
 * so no deploy changes the tables meanwhile and no second maintenance runs beside it. Each of
 * maintenance.py's steps is safe to interrupt, so a run left behind by a killed deployer is
 * stopped and the compaction started again.
 */
import { BatchRunner } from "../reconcile/batch-runner";
import { maintenanceRequest } from "../release/batch-requests";
import { readStateFrom, releaseName } from "../state/deploy-state";
import { emptyResult, lockOptions, storesOf, type DeployResult, type GatewayContext } from "../reconcile/context";
import { DeployError } from "../core/errors";
import { jobDir } from "../release/hdfs-sync";
import { EnvironmentLock } from "../state/lock";
import { releaseInputs } from "../release/release";
import { runningNow } from "../reconcile/release-runner";

/** The line maintenance.py ends a successful run with. */
const DONE = /^maintenance: done (\{.*\})\s*$/;

export async function runMaintain(ctx: GatewayContext): Promise<DeployResult> {
  const { plan, hdfs, livy, progress } = ctx;
  const stores = storesOf(ctx);
  const runner = new BatchRunner(livy, progress, ctx.sleep);
  const result = emptyResult(runner);
  if ((await readStateFrom(stores.state)) === undefined) {
    progress.step("maintain", "no live state: nothing was deployed to this environment yet");
    return result("none", undefined, null);
  }
  const lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "maintain", plan.lock.waitSeconds), progress);
  try {
    // Read again under the lock: the tables are those of the release live now.
    const state = (await readStateFrom(stores.state))!;
    const script = `${jobDir(plan.hdfs.jobRoot, state.current.artifactHash)}/maintenance.py`;
    if ((await hdfs.getFileStatus(script)) === undefined) {
      throw new DeployError(`the live ${releaseName(state.current)} has no maintenance.py (${script}): it predates housekeeping; deploy a newer artifact first`);
    }
    const request = maintenanceRequest(plan, releaseInputs(state.current));
    const timing = { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.maintenance.timeoutSeconds };
    // Under the lock, a maintenance batch of this name is an earlier run's, e.g. of a killed deployer.
    await runner.stop(await runner.findByName(request.name), "stopping an earlier maintenance run (each of its steps is safe to interrupt)", timing);
    const batch = await runner.submit(request, "table maintenance (maintenance.py)");
    try {
      await runner.waitForSuccess(batch.id, "table maintenance", timing);
    } catch (err) {
      // Never leave it running once the lock is gone: the next run starts it again from its last commit.
      await runner.stop([{ ...batch, state: "running" }], "stopping the failed maintenance run", timing).catch(() => undefined);
      throw err;
    }
    const done = (await livy.getLogTail(batch.id, 100)).map((line) => DONE.exec(line)?.[1]).find(Boolean);
    progress.step("maintain", `done${done ? `: ${done}` : ""}`);
    await runner.remove([batch], "table maintenance done");
    return { ...result("maintained", state.current, state.batch), runningNow: runningNow(state.current, state.batch) };
  } finally {
    await lock.release();
  }
}
