/**
 * The reconcile steps deploy and ensure share: observe what Livy runs under our name, submit a
 * release (recording the submission first, so the batch of a lost response is recognised later),
 * adopt such a batch, and the outcome line that says what runs now.
 */
import { BatchRunner, type WaitTiming } from "./batch-runner";
import { releaseName, writeState, type DeployState, type Release } from "../state/deploy-state";
import { DeployError, HttpStatusError } from "../core/errors";
import { ALIVE_STATES, type Batch } from "../clients/livy-client";
import type { DeployPlanConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import { RELEASE_CONF_KEY } from "../../../contracts/driver-lease";
import { describeHolder, howToStop, probeLease, type LeaseState } from "../state/driver-lease";
import { readJobConfig } from "../release/release";
import { isSubmissionOf, submissionName } from "../../../contracts/submission-name";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import type { Fence } from "../state/lock";
import { FINAL_APP_STATES, type ResourceManagerClient } from "../clients/yarn-client";

export interface ReconcileContext {
  plan: DeployPlanConfig;
  hdfs: WebHdfsClient;
  runner: BatchRunner;
  progress: Progress;
  now: () => Date;
  /** The run's lock: every state write checks it (deploy-state.ts). */
  lock: Fence;
  /** The cluster's ResourceManager, to stop a lease holder outside Livy; without it the operator is told how. */
  yarn?: ResourceManagerClient;
}

/** A deploy or ensure failure, with what runs once it is over (the run's final line). */
export class OutcomeError extends DeployError {
  constructor(
    message: string,
    readonly runningNow: string,
  ) {
    super(message);
    this.name = "OutcomeError";
  }
}

export interface Observed {
  /** Every streaming submission of ours Livy lists (contracts/submission-name.ts), alive or finished. */
  ours: Batch[];
  /** The state's batch, alive (found by id, or by its Spark application id if Livy renumbered it). */
  live?: Batch;
  /** Alive batches of our name that the state does not name. */
  strangers: Batch[];
  /** The highest batch id Livy lists under any name: a later submission gets a higher one. */
  maxId: number;
}

export async function observe(runner: BatchRunner, name: string, state: DeployState | undefined): Promise<Observed> {
  const listed = await runner.livy.listBatchesStable();
  // The state's batch is looked up by id too (and kept only under our name): a list is never the only source.
  const byId = state?.batch && !listed.some((b) => b.id === state.batch!.id) ? await runner.livy.findBatch(state.batch.id) : undefined;
  const all = byId && isSubmissionOf(name, byId.name) ? [...listed, byId] : listed;
  const ours = all.filter((b) => isSubmissionOf(name, b.name));
  const alive = ours.filter((b) => ALIVE_STATES.has(b.state));
  const known = state?.batch;
  const live = known ? (alive.find((b) => b.id === known.id) ?? alive.find((b) => known.appId !== null && b.appId === known.appId)) : undefined;
  return { ours, live, strangers: alive.filter((b) => b !== live), maxId: Math.max(-1, ...all.map((b) => b.id)) };
}

/**
 * A stranger that is our own recorded submission of `digest` (its response never arrived): the batch holding
 * the recorded submission's name. A record of an earlier deployer (no name) falls back to the newest batch of
 * our name above the id recorded before it was sent.
 */
export function ownOrphan(observed: Observed, state: DeployState | undefined, digest: string): Batch | undefined {
  const pending = state?.pending;
  if (pending === undefined || pending.digest !== digest) return undefined;
  if (pending.name !== undefined) return observed.strangers.find((b) => b.name === pending.name);
  return observed.strangers.filter((b) => b.id > pending.afterBatchId).sort((a, b) => b.id - a.id)[0];
}

export function startTiming(plan: DeployPlanConfig): WaitTiming {
  return { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.timing.startTimeoutSeconds, graceSeconds: plan.timing.startGraceSeconds };
}

/**
 * Submits the release and waits until it stays running. The submission's name is its identity
 * (contracts/submission-name.ts), recorded in the state first: if the answer is lost, or Livy refuses the
 * name as taken (an earlier attempt of this very request arrived), the batch holding that exact name is
 * the submission, and nothing else is.
 */
export async function launch(ctx: ReconcileContext, base: DeployState, release: Release, afterBatchId: number, what: string): Promise<DeployState["batch"] & object> {
  const { hdfs, plan, runner, progress } = ctx;
  const { fence } = await ctx.lock.verify();
  const name = submissionName(plan.batchName, release.digest, fence, runner.nextAttempt());
  await writeState(hdfs, plan.hdfs.stateDir, { ...base, pending: { digest: release.digest, name, afterBatchId, at: ctx.now().toISOString() } }, ctx.lock);
  let batch: Batch;
  try {
    batch = await runner.submit(sendable(release, name), `${what} ${releaseName(release)}`);
  } catch (err) {
    // Another 4xx is an answer: nothing was submitted. A missing answer (or a gateway 5xx), or a refusal of the
    // name itself, is resolved by the name: it is unique to this attempt, so a batch that holds it is ours.
    if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && !isDuplicateName(err)) throw err;
    const holders = await runner.findByName(name);
    if (holders.length !== 1) throw err;
    batch = holders[0]!;
    progress.step("livy", `the submission's answer was ${isDuplicateName(err) ? "a refusal of its own name" : `lost (${(err as Error).message})`}; batch ${batch.id} holds "${name}": it is this submission`);
  }
  return adopt(ctx, batch, what);
}

/** Livy's refusal of a name an existing session holds (`400 Duplicate session name: Some(<name>) for session <id>`). */
function isDuplicateName(err: unknown): boolean {
  return err instanceof HttpStatusError && err.status === 400 && /Duplicate session name/i.test(err.message);
}

/**
 * The release's request as sent: under this attempt's name, and with a conf naming the release for the driver's
 * lease record (contracts/driver-lease.ts). Both are set when the batch is sent, not in the release's request,
 * so a release's digest depends on neither.
 */
function sendable(release: Release, name: string): Release["request"] {
  return { ...release.request, name, conf: { ...release.request.conf, [RELEASE_CONF_KEY]: release.digest } };
}

/** Waits until an already submitted batch stays running; returns its id and Spark application id. */
export async function adopt(ctx: ReconcileContext, batch: Batch, what: string): Promise<{ id: number; appId: string | null }> {
  await ctx.runner.waitForRunning(batch.id, what, startTiming(ctx.plan));
  const seen = await ctx.runner.livy.findBatch(batch.id);
  return { id: batch.id, appId: seen?.appId ?? batch.appId ?? null };
}

/**
 * Records that the state's batch is about to be deleted. Livy forgets a deleted batch at once, and a
 * state still naming it would read, to a later run, as a driver whose Livy record was lost.
 */
export async function forgetBatch(rc: ReconcileContext, state: DeployState): Promise<DeployState> {
  if (state.batch === null) return state;
  const forgotten = { ...state, batch: null };
  await writeState(rc.hdfs, rc.plan.hdfs.stateDir, forgotten, rc.lock);
  return forgotten;
}

/** Stops every alive batch of our name except `keep`, and frees the name of finished ones. */
export async function clearName(ctx: ReconcileContext, batches: readonly Batch[], why: string, keep?: Batch): Promise<void> {
  const rest = batches.filter((b) => b.id !== keep?.id);
  if (rest.length === 0) return;
  await ctx.runner.stop(rest, why, { pollSeconds: ctx.plan.timing.pollSeconds, timeoutSeconds: ctx.plan.timing.startTimeoutSeconds });
}

/**
 * Refuses to start a driver while another one holds the checkpoint's lease and Livy runs none of ours: the
 * driver Livy lost (restarted without recovery, or a batch id now naming another user's batch) still runs, and a
 * second one must not start. Decided by the lease (driver-lease.ts), not by Livy's ids or commit times.
 * Not refused: Livy runs the state's batch or another batch of our name (the caller stops those through Livy,
 * and a stopped driver frees its lease); Livy saw the state's batch, or the submission the holder names, end
 * (a crash: its lease lapses, and the
 * driver started next waits for that, checkpoint_lease.py); or the holder stopped renewing (its lease is
 * being recovered: it is dead, or paused past the soft limit, and stops at its next heartbeat).
 */
export async function refuseIfCheckpointHeld(rc: ReconcileContext, state: DeployState | undefined, observed: Observed, checkpoints: readonly (string | undefined)[]): Promise<void> {
  if (observed.live || observed.strangers.length > 0) return;
  const known = state?.batch;
  const stateEnded = known ? observed.ours.find((b) => b.id === known.id && !ALIVE_STATES.has(b.state)) : undefined;
  for (const checkpoint of new Set(checkpoints.filter((c): c is string => !!c))) {
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
    const stopped = await stopThroughResourceManager(rc, lease, outside);
    if (stopped === true) continue;
    throw new OutcomeError(
      `${outside}. Not starting a second one${stopped ? ` (${stopped})` : ""}. ${howToStop(lease)}; the next run then starts one under Livy.`,
      `a driver outside Livy holds ${lease.path}`,
    );
  }
}

/**
 * Stops a live lease holder that Livy has no record of through the cluster's ResourceManager, when the
 * gateway offers one and the holder's record names its application. True once the application ended (the
 * driver started next takes the lease when its lease is freed or lapses); else why it could not be stopped.
 * Only an application whose record the lease itself holds is killed: never one inferred from Livy.
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
 * The lease, once it is known whether its holder lives. A holder Livy does not list may be a driver that just
 * died (Livy forgot its batch, or a run freed the finished batch's name): its lease lapses HDFS's soft limit
 * after its last renewal, while a live holder renews it. So a held lease is watched for as long as a starting
 * driver waits for one (the job config's `lease_wait_seconds`, longer than the soft limit): held all that time,
 * its holder is alive.
 */
async function untilLapsedOrAlive(rc: ReconcileContext, first: LeaseState): Promise<LeaseState> {
  let lease = first;
  if (!lease.held || lease.lapsing) return lease;
  const waitSeconds = rc.plan.job.lease_wait_seconds;
  rc.progress.step("lease", `${lease.path} is held by ${describeHolder(lease)}; watching up to ${waitSeconds}s whether it lapses (a dead driver's does)`);
  for (const until = Date.now() + waitSeconds * 1000; lease.held && !lease.lapsing && Date.now() < until; ) {
    await rc.runner.sleep(rc.plan.timing.pollSeconds * 1000);
    lease = await probeLease(rc.hdfs, first.path.replace(/\/[^/]*$/, ""));
  }
  return lease;
}

/** The checkpoint the state's release writes (its job config on HDFS), if there is a state. */
export async function currentCheckpoint(rc: ReconcileContext, state: DeployState | undefined): Promise<string | undefined> {
  return state ? (await readJobConfig(rc.hdfs, state.current)).checkpoint_location : undefined;
}

/** Lists every batch of our name and removes them all (what a failed submission left); returns what was seen. */
export async function clearAll(rc: ReconcileContext, why: string): Promise<Observed> {
  const left = await observe(rc.runner, rc.plan.batchName, undefined);
  await clearName(rc, left.ours, why);
  return left;
}

/** The final line: exactly what runs now. */
export function runningNow(release: Release | undefined, batch: { id: number } | null | undefined): string {
  if (release === undefined || !batch) return "nothing runs under this environment's batch name";
  return `Livy batch ${batch.id} runs ${releaseName(release)}`;
}
