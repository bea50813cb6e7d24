/**
 * One driver per checkpoint, as the deployer keeps it: the checkpoint's lease (state/driver-lease.ts) says
 * who runs a checkpoint, never Livy's ids, names or states, which Livy loses on a restart. Three checks:
 *   - before the stop, `refuseIfCheckpointHeld`: a live holder Livy does not run is stopped through the
 *     ResourceManager, or refused while nothing is changed yet;
 *   - after the stop, `untilCheckpointsFree`: no driver may still hold the checkpoint when the next one starts
 *     or the checkpoint moves (a renamed checkpoint carries its open lease file along, and a driver on a fresh
 *     one would run beside it);
 *   - after the start, `awaitLeaseTaken`: a submission counts as started once its driver holds the lease, not
 *     while it still waits for one.
 * Probes (an APPEND of nothing) are sent only while no driver of ours is starting; a starting driver is
 * watched by reading the record alone.
 */
import { DeployError } from "../core/errors";
import { ALIVE_STATES, type Batch } from "../clients/livy-client";
import { FINAL_APP_STATES } from "../clients/yarn-client";
import type { DeployState } from "../state/deploy-state";
import { describeHolder, howToStop, leasePath, probeLease, readLeaseRecord, type LeaseState } from "../state/driver-lease";
import { BatchFailedError } from "./batch-runner";
import { CheckpointHeldError } from "./outcome";
import type { Observed, ReconcileContext } from "./release-runner";

/**
 * Refuses to start a driver while another one holds the checkpoint's lease and Livy runs none of ours: the
 * driver Livy lost (restarted without recovery, or a batch id now naming another user's batch) still runs, and a
 * second one must not start. Not refused: Livy runs the state's batch or another batch of our name (the caller
 * stops those, then `untilCheckpointsFree` checks their drivers let go); Livy saw the state's batch, or the
 * submission the holder names, end (a crash: its lease lapses; `untilCheckpointsFree` waits for that); or the
 * holder stopped renewing (its lease is being recovered: it is dead, or paused past the soft limit, and stops at
 * its next heartbeat). Returns true when it stopped a holder through the ResourceManager (something changed).
 */
export async function refuseIfCheckpointHeld(rc: ReconcileContext, state: DeployState | undefined, observed: Observed, checkpoints: readonly (string | undefined)[]): Promise<boolean> {
  if (observed.live || observed.strangers.length > 0) return false;
  const known = state?.batch;
  const stateEnded = known ? observed.ours.find((b) => b.id === known.id && !ALIVE_STATES.has(b.state)) : undefined;
  let stoppedAny = false;
  for (const checkpoint of unique(checkpoints)) {
    const first = await probeLease(rc.hdfs, checkpoint);
    if (!first.held) continue;
    // The holder names the submission it runs as: a finished batch of that unique name is its driver, ended.
    const submission = first.record?.submission;
    const ended = stateEnded ?? (submission ? observed.ours.find((b) => b.name === submission && !ALIVE_STATES.has(b.state)) : undefined);
    const lease = ended ? first : await untilLapsedOrAlive(rc, first);
    if (!lease.held) continue;
    if (lease.lapsing || ended) {
      rc.progress.step("lease", `${lease.path}: ${describeHolder(lease)} ${lease.lapsing ? "stopped renewing its lease" : `(batch ${ended!.id}, ${ended!.state})`}; the driver started next takes the lease once it lapses`);
      continue;
    }
    const outside = `${lease.path} is held by ${describeHolder(lease)}, while Livy runs no batch of "${rc.plan.batchName}"${known ? ` (batch ${known.id} of the state is unknown to Livy)` : ""}: a driver runs outside Livy`;
    await stopOrRefuse(rc, lease, outside);
    stoppedAny = true;
  }
  return stoppedAny;
}

/**
 * After every batch of ours was stopped: waits until no driver holds the checkpoints' leases. A driver Livy
 * stopped frees its lease when it exits, a killed one's lapses after HDFS's soft limit, both within the job's
 * `lease_wait_seconds`. Still held then, the holder lives on outside Livy (Livy reported it ended, or never knew
 * it): it is stopped through the ResourceManager, or the run stops here with CheckpointHeldError, before a driver
 * starts or the checkpoint moves.
 */
export async function untilCheckpointsFree(rc: ReconcileContext, checkpoints: readonly (string | undefined)[]): Promise<void> {
  for (const checkpoint of unique(checkpoints)) {
    const lease = await untilLapsedOrAlive(rc, await probeLease(rc.hdfs, checkpoint), "after the stop");
    if (!lease.held || lease.lapsing) continue;
    const outside = `${lease.path} is still held by ${describeHolder(lease)} ${rc.plan.job.lease_wait_seconds}s after every batch of "${rc.plan.batchName}" was stopped: a driver runs outside Livy`;
    await stopOrRefuse(rc, lease, outside);
    const after = await untilLapsedOrAlive(rc, await probeLease(rc.hdfs, checkpoint), "after the kill");
    if (after.held && !after.lapsing) throw new CheckpointHeldError(`${outside}; it still holds the lease after the ResourceManager's kill. Not starting a second one. ${howToStop(after)}`, after.path);
  }
}

/**
 * Waits until the batch's driver holds the checkpoint's lease: the lease record names its submission or its
 * application. A driver waits for an earlier holder's lease to lapse before it starts its query, longer than a
 * start grace, so "running" alone does not mean it runs. Only reads the record. Throws when the batch ends first
 * (with its log tail) or when the lease is not its own within the job's lease wait and the start timeout.
 */
export async function awaitLeaseTaken(rc: ReconcileContext, batch: Batch, checkpoint: string, what: string): Promise<void> {
  const { hdfs, plan, runner, progress } = rc;
  const path = leasePath(checkpoint);
  const waitSeconds = plan.job.lease_wait_seconds + plan.timing.startTimeoutSeconds;
  let said = false;
  for (const until = Date.now() + waitSeconds * 1000; ; ) {
    const record = await readLeaseRecord(hdfs, path);
    if (record && ((batch.name && record.submission === batch.name) || (batch.appId && record.application === batch.appId))) return;
    const state = await runner.livy.getState(batch.id);
    if (!ALIVE_STATES.has(state)) throw new BatchFailedError(batch.id, state, await runner.livy.getLogTail(batch.id, 40).catch(() => []), `${what} ended before it took ${path}`);
    if (Date.now() >= until) throw new DeployError(`${what} (batch ${batch.id}) runs but has not taken ${path} within ${waitSeconds}s (${record ? `the record names ${describeHolder({ held: true, path, lapsing: false, record, answer: "" })}` : "no record"})`);
    if (!said) progress.step("lease", `${what} (batch ${batch.id}) waits for ${path} (${record ? `held last by ${record.submission ?? record.application}` : "no record yet"})`);
    said = true;
    await runner.sleep(plan.timing.pollSeconds * 1000);
  }
}

/** Stops a live holder outside Livy through the ResourceManager, or throws CheckpointHeldError saying how to stop it. */
async function stopOrRefuse(rc: ReconcileContext, lease: LeaseState & { held: true }, outside: string): Promise<void> {
  const stopped = await stopThroughResourceManager(rc, lease, outside);
  if (stopped === true) return;
  throw new CheckpointHeldError(`${outside}. Not starting a second one${stopped ? ` (${stopped})` : ""}. ${howToStop(lease)}; the next run then starts one under Livy.`, lease.path);
}

/**
 * Stops a live lease holder that Livy has no record of through the cluster's ResourceManager, when the
 * gateway offers one and the holder's record names its application. True once the application ended (its
 * lease is freed, or lapses); else why it could not be stopped. Only an application whose record the lease
 * itself holds is killed: never one inferred from Livy.
 */
async function stopThroughResourceManager(rc: ReconcileContext, lease: LeaseState, outside: string): Promise<true | string | undefined> {
  const yarn = rc.yarn;
  const appId = lease.record?.application;
  if (!yarn || !appId) return undefined;
  try {
    const answer = await yarn.kill(appId);
    if (answer.outcome === "unavailable") return answer.why;
    rc.progress.step("lease", `${outside}; asked the ResourceManager to kill ${appId} (it was ${answer.state || "?"})`);
    const timeoutSeconds = rc.plan.timing.startTimeoutSeconds;
    for (const until = Date.now() + timeoutSeconds * 1000; ; ) {
      const state = await yarn.state(appId);
      if (state === undefined || FINAL_APP_STATES.has(state)) {
        rc.progress.step("lease", `${appId} is ${state ?? "gone"}: the driver started next takes ${lease.path} once it is free`);
        return true;
      }
      if (Date.now() >= until) return `the ResourceManager still reports ${appId} ${state} ${timeoutSeconds}s after the kill`;
      await rc.runner.sleep(rc.plan.timing.pollSeconds * 1000);
    }
  } catch (err) {
    if (err instanceof DeployError) return `stopping it through the ResourceManager failed: ${err.message}`;
    throw err;
  }
}

/**
 * The lease, once it is known whether its holder lives: a dead driver's lease lapses HDFS's soft limit after its
 * last renewal, a stopped one's is freed at its exit, while a live holder renews it. So a held lease is watched for
 * as long as a starting driver waits for one (the job config's `lease_wait_seconds`, longer than the soft limit):
 * held all that time, its holder is alive.
 */
async function untilLapsedOrAlive(rc: ReconcileContext, first: LeaseState, when = ""): Promise<LeaseState> {
  let lease = first;
  if (!lease.held || lease.lapsing) return lease;
  const waitSeconds = rc.plan.job.lease_wait_seconds;
  rc.progress.step("lease", `${lease.path} is held by ${describeHolder(lease)}${when ? ` ${when}` : ""}; watching up to ${waitSeconds}s whether it is freed or lapses (a stopped or dead driver's is)`);
  for (const until = Date.now() + waitSeconds * 1000; lease.held && !lease.lapsing && Date.now() < until; ) {
    await rc.runner.sleep(rc.plan.timing.pollSeconds * 1000);
    lease = await probeLease(rc.hdfs, first.path.replace(/\/[^/]*$/, ""));
  }
  return lease;
}

function unique(checkpoints: readonly (string | undefined)[]): string[] {
  return [...new Set(checkpoints.filter((c): c is string => !!c))];
}
