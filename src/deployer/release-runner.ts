/**
 * The reconcile steps deploy and ensure share: observe what Livy runs under our name, submit a
 * release (recording the submission first, so the batch of a lost response is recognised later),
 * adopt such a batch, and the outcome line that says what runs now.
 */
import { BatchRunner, type WaitTiming } from "./batch-runner";
import { releaseName, writeState, type DeployState, type Release } from "./deploy-state";
import { DeployError, HttpStatusError } from "./errors";
import { ALIVE_STATES, type Batch } from "./livy-client";
import type { DeployPlanConfig } from "./plan-config";
import type { Progress } from "./progress";
import { intervalMs } from "./interval";
import { readJobConfig } from "./release";
import type { WebHdfsClient } from "./webhdfs-client";
import type { Fence } from "./lock";

export interface ReconcileContext {
  plan: DeployPlanConfig;
  hdfs: WebHdfsClient;
  runner: BatchRunner;
  progress: Progress;
  now: () => Date;
  /** The run's lock: every state write checks it (deploy-state.ts). */
  lock: Fence;
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
  /** Every batch Livy lists under our name, alive or finished. */
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
  const all = byId && byId.name === name ? [...listed, byId] : listed;
  const ours = all.filter((b) => b.name === name);
  const alive = ours.filter((b) => ALIVE_STATES.has(b.state));
  const known = state?.batch;
  const live = known ? (alive.find((b) => b.id === known.id) ?? alive.find((b) => known.appId !== null && b.appId === known.appId)) : undefined;
  return { ours, live, strangers: alive.filter((b) => b !== live), maxId: Math.max(-1, ...all.map((b) => b.id)) };
}

/** A stranger that answers our own recorded submission of `digest` (its response never arrived). */
export function ownOrphan(observed: Observed, state: DeployState | undefined, digest: string): Batch | undefined {
  const pending = state?.pending;
  if (pending === undefined || pending.digest !== digest) return undefined;
  return observed.strangers.filter((b) => b.id > pending.afterBatchId).sort((a, b) => b.id - a.id)[0];
}

export function startTiming(plan: DeployPlanConfig): WaitTiming {
  return { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.timing.startTimeoutSeconds, graceSeconds: plan.timing.startGraceSeconds };
}

/**
 * Submits the release and waits until it stays running. The submission is recorded in the state
 * first; if its answer is lost, the one new batch of our name above `afterBatchId` is taken as it.
 */
export async function launch(ctx: ReconcileContext, base: DeployState, release: Release, afterBatchId: number, what: string): Promise<DeployState["batch"] & object> {
  const { hdfs, plan, runner, progress } = ctx;
  await writeState(hdfs, plan.hdfs.stateDir, { ...base, pending: { digest: release.digest, afterBatchId, at: ctx.now().toISOString() } }, ctx.lock);
  let batch: Batch;
  try {
    batch = await runner.submit(release.request, `${what} ${releaseName(release)}`);
  } catch (err) {
    // A 4xx is an answer (e.g. 400 Duplicate session name: a batch of that name still runs): nothing was
    // submitted, so no batch is taken as ours. Only a missing answer (or a gateway 5xx) is looked for.
    if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500) throw err;
    const answered = (await runner.findByName(plan.batchName)).filter((b) => b.id > afterBatchId && ALIVE_STATES.has(b.state));
    if (answered.length !== 1) throw err;
    batch = answered[0]!;
    progress.step("livy", `the submission's answer was lost (${(err as Error).message}); batch ${batch.id} is its result`);
  }
  return adopt(ctx, batch, what);
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
 * Refuses to start anything when Livy has no record of the state's batch (none under its id or its
 * Spark application id) while the checkpoint's commit log shows a driver still committing: Livy lost
 * the record (e.g. restarted without session recovery), the driver did not die, and a second one on
 * the same checkpoint must not start. The release's own job config names the checkpoint and trigger.
 */
export async function refuseIfDriverOutlivedLivy(rc: ReconcileContext, state: DeployState | undefined, observed: Observed): Promise<void> {
  const known = state?.batch;
  if (!known || observed.live || (await rc.runner.livy.findBatch(known.id)) !== undefined) return;
  const config = await readJobConfig(rc.hdfs, state.current);
  if (!config.checkpoint_location) return;
  const commits = await rc.hdfs.listStatus(`${config.checkpoint_location}/commits`);
  const latest = Math.max(0, ...[...(commits?.values() ?? [])].filter((f) => /^\d+$/.test(f.pathSuffix)).map((f) => f.modificationTime));
  const triggerMs = intervalMs(config.trigger_interval ?? "");
  const ago = rc.now().getTime() - latest;
  if (latest === 0 || ago > 3 * triggerMs + 30_000) return;
  throw new OutcomeError(
    `Livy has no record of batch ${known.id}${known.appId ? ` (Spark application ${known.appId})` : ""}, but its checkpoint ` +
      `${config.checkpoint_location} committed a micro-batch ${Math.round(ago / 1000)}s ago: the driver still runs. Not starting a second one. ` +
      `Stop it on the cluster${known.appId ? ` (yarn application -kill ${known.appId})` : ""}; the next run then restarts it under Livy.`,
    `a driver outside Livy's knowledge still writes ${config.checkpoint_location}`,
  );
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
