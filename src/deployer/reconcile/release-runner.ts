/**
 * The reconcile steps deploy and ensure share: observe what Livy runs under our name, submit a
 * release (recording the submission first, so the batch of a lost response is recognised later),
 * adopt such a batch, and the outcome line that says what runs now.
 */
import { BatchRunner, type WaitTiming } from "./batch-runner";
import { releaseName, writeStateTo, type DeployState, type Release } from "../state/deploy-state";
import type { EnvironmentStores } from "../state/environment-stores";
import { HttpStatusError } from "../core/errors";
import { ALIVE_STATES, type Batch } from "../clients/livy-client";
import type { DeployPlanConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import { RELEASE_CONF_KEY } from "../../../contracts/driver-lease";
import { readJobConfig } from "../release/release";
import { isSubmissionOf, submissionName } from "../../../contracts/submission-name";
import type { WebHdfsClient } from "../clients/webhdfs-client";
import type { Fence } from "../state/lock";
import type { ResourceManagerClient } from "../clients/yarn-client";
import { awaitLeaseTaken } from "./lease-guard";
export { OutcomeError } from "./outcome";

export interface ReconcileContext {
  plan: DeployPlanConfig;
  hdfs: WebHdfsClient;
  runner: BatchRunner;
  progress: Progress;
  now: () => Date;
  /** The run's lock: every state write checks it (deploy-state.ts). */
  lock: Fence;
  /** Where the live state is written. */
  stores: EnvironmentStores;
  /** The cluster's ResourceManager, to stop a lease holder outside Livy; without it the operator is told how. */
  yarn?: ResourceManagerClient;
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
  const listed = await runner.livy.listBatchesStable((b) => isSubmissionOf(name, b.name));
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
  const { plan, runner, progress } = ctx;
  const { fence } = await ctx.lock.verify();
  const name = submissionName(plan.batchName, release.digest, fence, runner.nextAttempt());
  await writeStateTo(ctx.stores.state, { ...base, pending: { digest: release.digest, name, afterBatchId, at: ctx.now().toISOString() } }, ctx.lock);
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
  return adopt(ctx, batch, release, what);
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

/**
 * Waits until an already submitted batch of `release` stays running and its driver holds the checkpoint's lease;
 * returns its id and Spark application id.
 */
export async function adopt(ctx: ReconcileContext, batch: Batch, release: Release, what: string): Promise<{ id: number; appId: string | null }> {
  await ctx.runner.waitForRunning(batch.id, what, startTiming(ctx.plan));
  const seen = (await ctx.runner.livy.findBatch(batch.id)) ?? batch;
  const checkpoint = (await readJobConfig(ctx.hdfs, release)).checkpoint_location;
  if (checkpoint) await awaitLeaseTaken(ctx, seen, checkpoint, what);
  return { id: batch.id, appId: seen.appId ?? batch.appId ?? null };
}

/**
 * Records that the state's batch is about to be deleted. Livy forgets a deleted batch at once, and a
 * state still naming it would read, to a later run, as a driver whose Livy record was lost.
 */
export async function forgetBatch(rc: ReconcileContext, state: DeployState): Promise<DeployState> {
  if (state.batch === null) return state;
  const forgotten = { ...state, batch: null };
  await writeStateTo(rc.stores.state, forgotten, rc.lock);
  return forgotten;
}

/** Stops every alive batch of our name except `keep`, and frees the name of finished ones. */
export async function clearName(ctx: ReconcileContext, batches: readonly Batch[], why: string, keep?: Batch): Promise<void> {
  const rest = batches.filter((b) => b.id !== keep?.id);
  if (rest.length === 0) return;
  await ctx.runner.stop(rest, why, { pollSeconds: ctx.plan.timing.pollSeconds, timeoutSeconds: ctx.plan.timing.startTimeoutSeconds });
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
