/**
 * `new-run`: the way out of a data-loss stop (retention expired, topic recreated). Under the lock it
 * stops the job, moves its checkpoint aside and starts the live release again on a fresh checkpoint
 * at the chosen offsets. A fresh checkpoint gives the query a new id, the job's run_id, so nothing
 * the earlier run wrote is overwritten (jobs/sensor_aggregation/README.md, "Run identity").
 *
 * Order, so that an interruption at any point ends safely:
 *   1. check the release's files and the right to move the checkpoint, and with `committed` that the checkpoint
 *      has a commit to resume from (nothing is stopped if not);
 *   2. stop every batch of our name and wait until no driver holds the checkpoint's lease (lease-guard.ts: the rename
 *      would carry an open lease along); with `committed`, read the last commit's end offsets now (committed-offsets.ts);
 *   3. record the new release (the live request plus `--starting-offsets`) as what should run;
 *   4. rename the checkpoint aside;  5. submit and wait until it stays running.
 * Interrupted after 3 but before 4, a restart by `ensure` resumes the old checkpoint and stops again
 * on the same data loss (loud, nothing skipped); after 4, it starts the new run as asked.
 *
 * The old run is closed: its checkpoint aside is how the job and maintenance know it (contracts/checkpoint-runs.ts),
 * and they drop its batches past its last commit before the new run writes (jobs/sensor_aggregation/checkpoint_runs.py).
 * Which starting offsets give each reading once: `committed` (every reading the topic still holds, once; what
 * retention removed is named). `earliest` repeats what the old run committed; `latest` skips what came after its
 * last commit; explicit offsets do either, by partition.
 */
import { asideCheckpointPath } from "../../../contracts/checkpoint-runs";
import { BatchRunner } from "../reconcile/batch-runner";
import { readStateFrom, releaseDigest, releaseName, STATE_VERSION, writeStateTo, type DeployState, type Release } from "../state/deploy-state";
import { emptyResult, lockOptions, storesOf, type DeployResult, type GatewayContext } from "../reconcile/context";
import { readCheckpointProgress } from "../state/checkpoint";
import { resolveCommittedOffsets } from "../state/committed-offsets";
import { DeployError } from "../core/errors";
import { EnvironmentLock } from "../state/lock";
import { readJobConfig, verifyReleaseFiles } from "../release/release";
import { clearAll, clearName, forgetBatch, launch, observe, currentCheckpoint, runningNow, type ReconcileContext } from "../reconcile/release-runner";
import { OutcomeError } from "../reconcile/outcome";
import { refuseIfCheckpointHeld, untilCheckpointsFree } from "../reconcile/lease-guard";

const FLAG = "--starting-offsets";

/** Resume where the closed run's last commit ended (committed-offsets.ts), resolved once the job is stopped. */
export const COMMITTED = "committed";

/**
 * "committed", "earliest", "latest", or Spark's JSON form for the input topic: {"<topic>": {"<partition>": offset}},
 * offset -2 meaning earliest and -1 latest. Returns it as the job will read it ("committed" as it is).
 */
export function parseStartingOffsets(value: string, inputTopic: string): string {
  if (value === COMMITTED || value === "earliest" || value === "latest") return value;
  const allowed = `allowed: committed, earliest, latest, or {"${inputTopic}": {"<partition>": <offset>, ...}} with offsets ≥ -2 (-2 earliest, -1 latest)`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DeployError(`--starting-offsets ${value}: not JSON; ${allowed}`);
  }
  const topics = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  const partitions = topics.length === 1 && topics[0] === inputTopic ? (parsed as Record<string, unknown>)[inputTopic] : undefined;
  const entries = partitions !== null && typeof partitions === "object" && !Array.isArray(partitions) ? Object.entries(partitions) : [];
  if (entries.length === 0 || !entries.every(([p, o]) => /^\d+$/.test(p) && Number.isInteger(o) && (o as number) >= -2)) {
    throw new DeployError(`--starting-offsets ${value}: ${allowed}`);
  }
  return JSON.stringify({ [inputTopic]: Object.fromEntries(entries) });
}

/** The live request with `--starting-offsets` set (replacing any earlier one). */
export function withStartingOffsets(release: Release, offsets: string, now: Date): Release {
  const args = [...(release.request.args ?? [])];
  const at = args.indexOf(FLAG);
  if (at >= 0) args.splice(at, 2);
  const request = { ...release.request, args: [...args, FLAG, offsets] };
  return { ...release, request, digest: releaseDigest(request, release.jaas.map((j) => j.fingerprint)), deployedAt: now.toISOString() };
}

export async function runNewRun(ctx: GatewayContext, startingOffsets: string): Promise<DeployResult> {
  const { plan, hdfs, livy, progress } = ctx;
  const stores = storesOf(ctx);
  const offsets = parseStartingOffsets(startingOffsets, plan.job.input_topic);
  const runner = new BatchRunner(livy, progress, ctx.sleep);
  const now = ctx.now ?? (() => new Date());
  const lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "new-run", plan.lock.waitSeconds), progress);
  const rc: ReconcileContext = { plan, hdfs, runner, progress, now, lock, stores, yarn: ctx.yarn };
  try {
    const state = await readStateFrom(stores.state);
    if (state === undefined) throw new DeployError("no live state: nothing was deployed to this environment yet; deploy first");
    await verifyReleaseFiles(hdfs, state.current, progress);
    const checkpoint = checkpointOf(await readJobConfig(hdfs, state.current));
    // Moving the checkpoint aside needs write access to its directory: known before anything is stopped.
    const parent = checkpoint.slice(0, checkpoint.lastIndexOf("/")) || "/";
    if ((await hdfs.getFileStatus(checkpoint)) !== undefined && !(await hdfs.canWrite(parent))) {
      throw new DeployError(`the gateway user may not write ${parent}, so the checkpoint ${checkpoint} cannot be moved aside; nothing was stopped. Grant it write access there (the job's own user owns its checkpoints), or move the checkpoint aside yourself and run new-run again`);
    }

    if (offsets === COMMITTED) await committedOffsets(ctx, checkpoint); // refused before anything is stopped

    const observed = await observe(runner, plan.batchName, state);
    await refuseIfCheckpointHeld(rc, state, observed, [await currentCheckpoint(rc, state)]);
    await forgetBatch(rc, state);
    await clearName(rc, observed.ours, "stopping the job for a new run");
    // The rename below moves an open lease file along with the checkpoint: no driver may hold it then, or it would
    // run on beside the new run's driver on the fresh checkpoint.
    await untilCheckpointsFree(rc, [checkpoint]);
    // Read again once the job is stopped: it may have committed more batches since.
    const starting = offsets === COMMITTED ? await committedOffsets(ctx, checkpoint) : offsets;

    const release = withStartingOffsets(state.current, starting, now());
    const base: DeployState = { version: STATE_VERSION, current: release, previous: state.current, batch: null, restarts: { count: 0 }, uploads: state.uploads };
    await writeStateTo(stores.state, base, lock);
    lock.assertHeld();
    const aside = asideCheckpointPath(checkpoint, now());
    if (await hdfs.rename(checkpoint, aside)) progress.step("new-run", `moved the checkpoint ${checkpoint} aside to ${aside} (the earlier run's offsets and commits, kept)`);
    else if ((await hdfs.getFileStatus(checkpoint)) !== undefined) throw new DeployError(`the checkpoint ${checkpoint} could not be moved aside to ${aside} (it exists already?). The job is stopped; ensure resumes the old checkpoint meanwhile (Spark ignores starting offsets there). Run new-run again`);
    else progress.step("new-run", `no checkpoint at ${checkpoint}: the new run starts one`);

    try {
      const batch = await launch(rc, base, release, observed.maxId, `new run at ${starting}`);
      await writeStateTo(stores.state, { ...base, batch }, lock);
      progress.step("new-run", `${releaseName(release)} runs as batch ${batch.id} on a fresh checkpoint from ${starting}`);
      const result = emptyResult(runner)("started", release, batch);
      return { ...result, runningNow: runningNow(release, batch) };
    } catch (err) {
      await clearAll(rc, "removing the failed new run").catch(() => undefined);
      throw new OutcomeError(
        `the new run failed to start: ${(err as Error).message}\nthe live state names the new run; ensure retries it with its backoff`,
        runningNow(undefined, null),
      );
    }
  } finally {
    await lock.release();
  }
}

/** The offsets where the checkpoint's last commit ended, held against what the topic still has (if it can be read). */
async function committedOffsets(ctx: GatewayContext, checkpoint: string): Promise<string> {
  const topic = ctx.plan.job.input_topic;
  const committed = (await readCheckpointProgress(ctx.hdfs, checkpoint)).last?.offsets[topic];
  // Kafka is asked only when there is something to resume from.
  const bounds = committed && ctx.endOffsets && ctx.earliestOffsets ? { latest: await ctx.endOffsets(topic), earliest: await ctx.earliestOffsets(topic) } : undefined;
  const resolved = resolveCommittedOffsets(topic, committed, bounds);
  for (const note of resolved.notes) ctx.progress.step("new-run", `committed offsets: ${note}`);
  return resolved.json;
}

function checkpointOf(config: { checkpoint_location?: unknown }): string {
  const path = config.checkpoint_location;
  if (typeof path !== "string" || !path.startsWith("/")) throw new DeployError(`the live job config's checkpoint_location ${JSON.stringify(path)}: expected an absolute HDFS path`);
  return path.replace(/\/+$/, "");
}
