/**
 * `ensure` (the CronJob): keep the live state's release running. It restarts exactly the recorded
 * request, from files already on HDFS (checked against their sidecars first), never from the plan
 * in the ConfigMap and never from the artifact store, so it works after a rollback and long after
 * any SAS expired. Finding the batch alive and progressing costs a few calls (the state, the batch,
 * the checkpoint's offsets log, the batch's log tail, and with Kafka access the checkpoint's last commits
 * and the topic's end offsets) and no lock; alive but stuck (stuck.ts) it is restarted like a dead one, and
 * the restart counts toward the limit; alive with its input mostly rejected (rejected.ts) or its backlog
 * over a limit (backlog-rule.ts) it is left running and the condition is notified once.
 */
import { isSubmissionOf } from "../../../contracts/submission-name";
import { BatchFailedError, BatchRunner } from "../reconcile/batch-runner";
import { readStateFrom, releaseName, writeStateTo, type DeployState } from "../state/deploy-state";
import { emptyResult, lockOptions, storesOf, type DeployResult, type GatewayContext } from "../reconcile/context";
import { ALIVE_STATES } from "../clients/livy-client";
import { EnvironmentLock, LockHeldError, describeHolder } from "../state/lock";
import { readJobConfig, verifyReleaseFiles } from "../release/release";
import { adopt, clearAll, clearName, forgetBatch, launch, observe, ownOrphan, currentCheckpoint, runningNow, type ReconcileContext } from "../reconcile/release-runner";
import { OutcomeError } from "../reconcile/outcome";
import { refuseIfCheckpointHeld, untilCheckpointsFree } from "../reconcile/lease-guard";
import { backoffSeconds, decideRestart } from "../health/restart-policy";
import { backlogReason } from "../health/backlog-rule";
import { readRecentBatches } from "../clients/batch-log";
import { rejectedReason } from "../health/rejected";
import { stuckReason } from "../health/stuck";
import { alreadyNotified, notifyChange, type About, type Condition, type Notifier } from "../health/notify";

export async function runEnsure(ctx: GatewayContext): Promise<DeployResult> {
  const { plan, hdfs, livy, progress } = ctx;
  const stores = storesOf(ctx);
  const runner = new BatchRunner(livy, progress, ctx.sleep);
  const result = emptyResult(runner);
  const first = await readStateFrom(stores.state);
  if (first === undefined) {
    progress.step("ensure", "no live state: nothing was deployed to this environment yet");
    return result("none", undefined, null);
  }
  let stuck: { batchId: number; reason: string } | undefined;
  if (first.batch) {
    const found = await livy.findBatch(first.batch.id);
    // After a Livy restart the recorded id may name another user's batch: only a submission of ours is ours.
    const batch = found && isSubmissionOf(plan.batchName, found.name) ? found : undefined;
    if (found && !batch) progress.step("ensure", `batch ${found.id} is "${found.name}", not a submission of ours: our driver's Livy record is gone`);
    if (batch && ALIVE_STATES.has(batch.state)) {
      const running = batch.state === "running";
      // The live release's job config, read once for the stuck and backlog rules.
      const config = running ? await readJobConfig(hdfs, first.current) : undefined;
      const reason = config ? await stuckReason(hdfs, plan, config, (ctx.now ?? (() => new Date()))()) : undefined;
      if (reason === undefined) {
        // The job's batch lines, read once for the rejected fraction and the throughput rule.
        const recent = running ? await readRecentBatches(livy, batch.id) : undefined;
        const rejected = rejectedReason(plan, recent);
        const sources = { offsetsAt: ctx.offsetsAt, took: recent?.took, nowMs: (ctx.now ?? (() => new Date()))().getTime(), request: first.current.request };
        const backlog = config && !rejected && ctx.endOffsets ? await backlogReason(hdfs, plan, config, ctx.endOffsets, progress, sources) : undefined;
        const problem = rejected ?? backlog?.text;
        progress.step("ensure", `batch ${batch.id} is ${batch.state}; ${problem ? `but ${problem}` : "nothing to do"}`);
        const condition: Condition = rejected ? "rejected" : backlog ? "backlog" : "healthy";
        // Not judged this run (no duration line in the log window): the backlog is about what it was last said to be.
        const about = rejected || !backlog ? undefined : backlog.undersized === undefined ? first.notified?.about : backlog.undersized ? "undersized" : undefined;
        if (!alreadyNotified(first, condition, about)) await recordCondition(ctx, batch.id, condition, problem, about);
        return result("alive", first.current, first.batch);
      }
      progress.step("ensure", `batch ${batch.id} is ${batch.state} but ${reason}: restarting it`);
      stuck = { batchId: batch.id, reason };
    }
  }
  let lock: EnvironmentLock;
  try {
    lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "ensure", 0), progress);
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    progress.step("ensure", `the lock is held by ${describeHolder(err.holder)}; leaving it to that run`);
    return { ...result("skipped", first.current, first.batch), runningNow: `unchanged by this run: the lock is held by ${describeHolder(err.holder)}` };
  }
  try {
    return await ensureLocked({ plan, hdfs, runner, progress, now: ctx.now ?? (() => new Date()), lock, stores, yarn: ctx.yarn }, result, stuck, ctx.notifier);
  } finally {
    await lock.release();
  }
}

/**
 * A running job's condition changed (runs again after a notified problem, its input is mostly rejected, or
 * its backlog is over a limit): say so once, under the lock (skipped if another run holds it).
 */
async function recordCondition(ctx: GatewayContext, batchId: number, condition: "healthy" | "rejected" | "backlog", problem?: string, about?: About): Promise<void> {
  const { plan, progress } = ctx;
  const stores = storesOf(ctx);
  const lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "ensure", 0), progress).catch((err: Error) => {
    if (err instanceof LockHeldError) return undefined;
    throw err;
  });
  if (lock === undefined) return;
  try {
    const state = await readStateFrom(stores.state);
    if (state === undefined || state.batch?.id !== batchId) return;
    const text =
      condition === "healthy"
        ? `${plan.environment}: the streaming job runs again (Livy batch ${batchId}, ${releaseName(state.current)})`
        : `${plan.environment}: the streaming job runs (Livy batch ${batchId}), but ${problem}`;
    const notified = await notifyChange(ctx.notifier, state, condition, text, progress, (ctx.now ?? (() => new Date()))(), about);
    await writeStateTo(stores.state, { ...state, notified }, lock);
  } finally {
    await lock.release();
  }
}

async function ensureLocked(rc: ReconcileContext, result: ReturnType<typeof emptyResult>, stuck?: { batchId: number; reason: string }, notifier?: Notifier): Promise<DeployResult> {
  const say = (state: DeployState, condition: Condition, text: string) => notifyChange(notifier, state, condition, `${rc.plan.environment}: ${text}`, rc.progress, rc.now());
  const { plan, hdfs, runner, progress } = rc;
  // Read again under the lock: another run may have changed it since.
  let state = await readStateFrom(rc.stores.state);
  if (state === undefined) return result("none", undefined, null);
  const seen = await observe(runner, plan.batchName, state);
  // A stuck batch (found before the lock and still the live one) counts as down: it is stopped below.
  const observed = stuck && seen.live?.id === stuck.batchId ? { ...seen, live: undefined } : seen;
  // The stuck batch is in Livy and is stopped through it below: its lease is no driver outside Livy.
  const checkpoint = await currentCheckpoint(rc, state);
  await refuseIfCheckpointHeld(rc, state, seen, [checkpoint]);
  const orphan = ownOrphan(observed, state, state.current.digest);
  const keep = observed.live ?? orphan;
  if (!observed.live) state = await forgetBatch(rc, state);
  await clearName(rc, observed.ours, stuck ? `stopping the stuck batch ${stuck.batchId} and any other of this name` : "stopping batches of this name that the live state does not run", keep);
  if (observed.live) {
    if (observed.live.id !== state.batch?.id) await writeStateTo(rc.stores.state, { ...state, batch: { id: observed.live.id, appId: observed.live.appId } }, rc.lock);
    progress.step("ensure", `batch ${observed.live.id} runs ${releaseName(state.current)}`);
    return result("alive", state.current, observed.live);
  }
  if (orphan) {
    const batch = await adopt(rc, orphan, state.current, "streaming job (from an earlier lost answer)");
    await writeStateTo(rc.stores.state, { ...state, batch, pending: undefined }, rc.lock);
    return result("adopted", state.current, batch);
  }

  const decision = decideRestart(state.restarts, plan.restartPolicy, rc.now());
  if (decision.kind === "limit") {
    const tail = (state.restarts.lastFailure ?? []).map((l) => `  | ${l}`).join("\n");
    const notified = await say(state, "limit", `the streaming job is down and the restart limit (${plan.restartPolicy.limit}) is reached: fix the cause and deploy`);
    if (notified !== state.notified) await writeStateTo(rc.stores.state, { ...state, notified }, rc.lock);
    throw new OutcomeError(
      `${releaseName(state.current)} is down and the restart limit (${plan.restartPolicy.limit}) is reached: no more restarts until the next deploy.\n` +
        `last failure's log tail:\n${tail}`,
      runningNow(undefined, null),
    );
  }
  if (decision.kind === "wait") {
    progress.step("ensure", `restart ${decision.attempt}/${plan.restartPolicy.limit} backs off until ${decision.until.toISOString()}`);
    return { ...result("backoff", state.current, null), runningNow: `nothing runs; restart ${decision.attempt} not before ${decision.until.toISOString()}` };
  }

  // Before a restart is counted: a driver still holding the checkpoint (stopped just now, crashed and not yet
  // lapsed, or alive while Livy says it ended) is waited for, stopped, or refused.
  await untilCheckpointsFree(rc, [checkpoint]);
  await verifyReleaseFiles(hdfs, state.current, progress);
  state = { ...state, batch: null, restarts: { ...state.restarts, count: decision.attempt, lastAt: rc.now().toISOString() } };
  progress.step("ensure", `restart ${decision.attempt}/${plan.restartPolicy.limit} of ${releaseName(state.current)} (next one waits ${backoffSeconds(plan.restartPolicy, decision.attempt)}s)`);
  try {
    const batch = await launch(rc, state, state.current, observed.maxId, "streaming job restart");
    // Why it was restarted stays on record (status shows it) when the cause was no progress.
    const why = stuck ? { lastFailure: [stuck.reason] } : {};
    const notified = stuck
      ? await say(state, "stuck", `the streaming job was ${stuck.reason}; ensure restarted it as Livy batch ${batch.id}`)
      : await say(state, "restarted", `the streaming job was down; ensure restarted it as Livy batch ${batch.id} (restart ${decision.attempt}/${plan.restartPolicy.limit})`);
    await writeStateTo(rc.stores.state, { ...state, batch, pending: undefined, restarts: { ...state.restarts, ...why }, notified }, rc.lock);
    return result("restarted", state.current, batch);
  } catch (err) {
    const tail = err instanceof BatchFailedError ? err.logTail : [(err as Error).message];
    await clearAll(rc, "removing the failed restart");
    const notified = await say(state, "restarted", `the streaming job is down and restart ${decision.attempt}/${plan.restartPolicy.limit} failed: ${(err as Error).message.split("\n")[0]}`);
    // The backoff counts from the failure, as spark-operator's retry interval does.
    await writeStateTo(rc.stores.state, { ...state, pending: undefined, notified, restarts: { ...state.restarts, lastAt: rc.now().toISOString(), lastFailure: tail.slice(-40) } } satisfies DeployState, rc.lock);
    throw new OutcomeError(`restart ${decision.attempt}/${plan.restartPolicy.limit} of ${releaseName(state.current)} failed: ${(err as Error).message}`, runningNow(undefined, null));
  }
}
