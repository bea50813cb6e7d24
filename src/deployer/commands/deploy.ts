/**
 * `deploy`: put the plan's artifact live, under the environment's lock.
 *   1. verify the artifact (before the gateway is contacted), take the lock, read the live state;
 *   2. upload what differs (content-addressed), write the job config and the JAAS files;
 *   3. build the desired release; if it runs already, alone, do nothing;
 *   4. stop every batch of our name (but our own orphan of the same release, which is adopted);
 *   5. migrate the tables when their DDL changed: after the stop, so that no driver writes while a table is
 *      altered or moved (a first-release move beside a running writer could leave its last batch behind);
 *   6. submit the release and wait until it stays running;
 *   7. any failure after the stop (a refused migration too) restores what was live, from its recorded request:
 *      a migration is additive, so the previous release keeps writing on migrated tables.
 */
import { posix } from "node:path";
import { loadArtifact, type ArtifactLocation, type LoadedArtifact } from "../clients/artifact-source";
import { BatchRunner } from "../reconcile/batch-runner";
import { emptyResult, lockOptions, storesOf, type DeployMode, type DeployResult, type GatewayContext } from "../reconcile/context";
import { createTablesRequest, maintenanceRequest, streamingRequest } from "../release/batch-requests";
import { readStateFrom, releaseName, secretFingerprint, STATE_VERSION, writeStateTo, type DeployState, type Release } from "../state/deploy-state";
import { contentAddressed, jarPath, jobDir, newCounters, pruneJaasFiles, syncArtifact, syncJaasFiles, syncJobConfig } from "../release/hdfs-sync";
import { EnvironmentLock, LockLostError } from "../state/lock";
import { markStateElsewhere } from "../state/environment-stores";
import { forUser, type DeployPlanConfig, type JobConfig } from "../core/plan-config";
import { jobModules } from "../../../contracts/artifact-manifest";
import { buildRelease, releaseInputs, verifyReleaseFiles, type PlacedJaas } from "../release/release";
import { adopt, clearAll, clearName, forgetBatch, launch, observe, ownOrphan, currentCheckpoint, runningNow, type ReconcileContext } from "../reconcile/release-runner";
import { CheckpointHeldError, OutcomeError } from "../reconcile/outcome";
import { refuseIfCheckpointHeld, untilCheckpointsFree } from "../reconcile/lease-guard";
import { notifyChange, type Notifier } from "../health/notify";
import { pruneDeployFiles } from "../release/retention";
import { eventHubsJaasLine } from "../core/secrets";

/** What only a deploy needs: the artifact and the job's Event Hubs credentials. */
export interface DeployContext extends GatewayContext {
  artifact: ArtifactLocation;
  /** Gateway user: owner of the JAAS files' home directory. */
  gatewayUser: string;
  /** Listen connection string on the input hub (the Kafka source's JAAS file). */
  eventHubsConnectionString: string;
  /** Send connection string on the output hub (the Kafka sink's JAAS file). */
  eventHubsSendConnectionString: string;
}

/** The JAAS files of a deploy: content-addressed by their content, so a rotation never rewrites a file a kept release reads. */
export function jaasFiles(plan: DeployPlanConfig, user: string, listen: string, send: string): PlacedJaas[] {
  return [
    { template: plan.hdfs.jaasPath, line: eventHubsJaasLine(listen, "EVENTHUBS_JOB_CONNECTION_STRING") },
    { template: plan.hdfs.outputJaasPath, line: eventHubsJaasLine(send, "EVENTHUBS_JOB_SEND_CONNECTION_STRING") },
  ].map(({ template, line }) => {
    const content = `${line}\n`;
    return { path: contentAddressed(forUser(template, user), secretFingerprint(content)), content };
  });
}

export function resolvedJobConfig(plan: DeployPlanConfig, jaas: readonly PlacedJaas[]): JobConfig {
  return { ...plan.job, jaas_config_path: jaas[0]!.path, output_jaas_config_path: jaas[1]!.path };
}

export async function runDeploy(ctx: DeployContext): Promise<DeployResult> {
  const { plan, progress } = ctx;
  // Verified before the gateway is contacted: a bad artifact changes nothing.
  const artifact = await loadArtifact(ctx.artifact, progress, plan.artifact.hash);
  const runner = new BatchRunner(ctx.livy, progress, ctx.sleep);
  runner.deadlineAt = Date.now() + plan.timing.deployDeadlineSeconds * 1000;
  const stores = storesOf(ctx);
  const lock = await EnvironmentLock.acquireIn(stores.lock, lockOptions(ctx, "deploy", plan.lock.waitSeconds), progress);
  try {
    return await deployLocked({ ...ctx, stores }, artifact, runner, lock);
  } finally {
    await lock.release();
  }
}

async function deployLocked(ctx: DeployContext, artifact: LoadedArtifact, runner: BatchRunner, lock: EnvironmentLock): Promise<DeployResult> {
  const { plan, hdfs, progress } = ctx;
  const now = ctx.now ?? (() => new Date());
  const rc: ReconcileContext = { plan, hdfs, runner, progress, now, lock, stores: storesOf(ctx), yarn: ctx.yarn };
  const state = await readStateFrom(rc.stores.state);
  await markStateElsewhere(hdfs, plan.hdfs.stateDir, rc.stores);
  const counters = newCounters();
  const result = emptyResult(runner, counters);

  const uploads = await syncArtifact(hdfs, artifact, plan.hdfs, state?.uploads ?? {}, counters, progress);
  const jaas = jaasFiles(plan, ctx.gatewayUser, ctx.eventHubsConnectionString, ctx.eventHubsSendConnectionString);
  await syncJaasFiles(hdfs, jaas, counters, progress);
  const config = await syncJobConfig(hdfs, plan.hdfs.configDir, resolvedJobConfig(plan, jaas), counters, progress);
  const desired = buildRelease(plan, artifact, config, jaas, now());
  lock.assertHeld();

  progress.step("livy", `looking for batches named "${plan.batchName}" at ${plan.gatewayUrl ?? plan.target?.livyUrl}`);
  const observed = await observe(runner, plan.batchName, state);
  if (state?.current.digest === desired.digest && observed.live && observed.strangers.length === 0) {
    progress.step("deploy", `${releaseName(desired)} already runs as batch ${observed.live.id}; nothing to do`);
    if (counters.uploadedFiles > 0) await writeStateTo(rc.stores.state, { ...state, uploads }, lock);
    return result("unchanged", state.current, state.batch);
  }
  progress.step("deploy", `desired ${releaseName(desired)}; live ${state ? releaseName(state.current) : "none"} (${observed.live ? `batch ${observed.live.id}` : "not running"})`);

  const checkpoints = [await currentCheckpoint(rc, state), plan.job.checkpoint_location];
  await refuseIfCheckpointHeld(rc, state, observed, checkpoints);

  const orphan = ownOrphan(observed, state, desired.digest);
  const base: DeployState = state ? { ...state, batch: null } : { version: STATE_VERSION, current: desired, batch: null, restarts: { count: 0 }, uploads };
  // From the stop on (the first change to what runs), every failure goes through the restore path: also
  // a stop applied but never answered, or a lost lock (restore's writes then refuse, changing nothing).
  try {
    await lock.verify();
    if (state) await forgetBatch(rc, state);
    await clearName(rc, observed.ours, observed.live || observed.strangers.length > 0 ? "stopping what runs now" : "clearing finished batches of this name", orphan);
    // The kept orphan holds the desired checkpoint's lease itself (or waits for it, as any driver would).
    if (!orphan) await untilCheckpointsFree(rc, checkpoints);
    // An adopted orphan was submitted after its DDL succeeded: running that DDL again beside it would only add a way to fail.
    if (orphan) progress.step("tables", "the adopted batch's table DDL ran before it was submitted; not rerun");
    else if (state?.current.ddlDigest !== desired.ddlDigest) await createTables(rc, desired);
    else progress.step("tables", "table DDL and config unchanged since the last deploy; not rerun");
    await lock.verify();
    const batch = orphan ? await adopt(rc, orphan, desired, "new streaming job (from an earlier lost answer)") : await launch(rc, { ...base, uploads }, desired, observed.maxId, "new streaming job");
    const previous = state && state.current.digest !== desired.digest ? state.current : state?.previous;
    const notified = await notifyChange(ctx.notifier, state ?? {}, "healthy", `${plan.environment}: the streaming job runs again: deployed ${releaseName(desired)} as Livy batch ${batch.id}`, progress, now());
    await writeStateTo(rc.stores.state, { version: STATE_VERSION, current: desired, previous, batch, restarts: { count: 0 }, uploads, notified }, rc.lock);
    await pruneJaas(rc, desired, previous);
    await pruneDeployFiles(hdfs, plan, [desired, ...(previous ? [previous] : [])], plan.retention.keepReleases, progress).catch((err: Error) =>
      progress.step("retention", `not pruned this time: ${err.message}`),
    );
    progress.step("deploy", `${releaseName(desired)} live as batch ${batch.id}`);
    return result(orphan ? "adopted" : state && (observed.live || observed.strangers.length > 0) ? "replaced" : "started", desired, batch);
  } catch (err) {
    throw await restore(rc, state, desired, uploads, err as Error, ctx.notifier);
  }
}

async function createTables(rc: ReconcileContext, desired: Release): Promise<void> {
  const { plan, runner } = rc;
  const request = createTablesRequest(plan, releaseInputs(desired));
  // Under the lock, any DDL batch of this name is an earlier run's: clearing it frees the name.
  await runner.remove(await runner.findByName(request.name), "clearing an earlier table DDL batch");
  try {
    const batch = await runner.submit(request, "table DDL (create_tables.py)");
    await runner.waitForSuccess(batch.id, "table DDL", { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.timing.createTablesTimeoutSeconds });
    await runner.remove([batch], "table DDL done");
  } catch (err) {
    // A DDL that timed out, or whose answer was lost, may still run: it is stopped before the restore starts a
    // driver, so no table is altered or moved beside one (the restore clears only streaming batches).
    const left = await runner.findByName(request.name).catch(() => []);
    await runner.remove(left, "stopping the table DDL that failed or went unanswered").catch(() => undefined);
    throw err;
  }
}

/**
 * After a failure past the stop: remove whatever the failure left under our name (one driver),
 * then restart the release that was live (or, if the failed one was that release, the one before).
 */
async function restore(rc: ReconcileContext, state: DeployState | undefined, desired: Release, uploads: DeployState["uploads"], failure: Error, notifier?: Notifier): Promise<OutcomeError> {
  const { plan, hdfs, runner, progress } = rc;
  const failed = `new ${releaseName(desired)} failed: ${failure.message}`;
  // A run that lost the lock changes nothing more: the run that holds it now decides.
  if (failure instanceof LockLostError) return new OutcomeError(failed, "unchanged by this run: another run holds the lock now");
  // A driver outside Livy holds the checkpoint: the previous release's driver could not take it either.
  if (failure instanceof CheckpointHeldError) {
    if (state) await writeStateTo(rc.stores.state, { ...state, batch: null, pending: undefined, uploads }, rc.lock).catch(() => undefined);
    return new OutcomeError(`${failed}\nnothing was started; the next run starts ${releaseName(state?.current ?? desired)} once ${failure.leasePath} is free`, failure.runningNow);
  }
  // The restore gets its own timeouts, whatever is left of the deploy's deadline.
  runner.deadlineAt = Number.POSITIVE_INFINITY;
  const fallback = state && state.current.digest !== desired.digest ? state.current : state?.previous;
  // The state once restored: the fallback is what should run, and the release before it stays known only if it was live.
  const restored: DeployState | undefined = fallback && {
    version: STATE_VERSION,
    current: fallback,
    previous: fallback === state?.current ? state.previous : undefined,
    batch: null,
    restarts: { count: 0 },
    uploads,
  };
  try {
    const left = await clearAll(rc, "removing what the failed deploy left");
    if (restored === undefined) {
      if (state) await writeStateTo(rc.stores.state, { ...state, batch: null, pending: undefined, uploads }, rc.lock);
      return new OutcomeError(`${failed}\nno previous version to restore`, runningNow(undefined, null));
    }
    progress.step("restore", `restarting the previous ${releaseName(restored.current)}`);
    await verifyReleaseFiles(hdfs, restored.current, progress);
    const batch = await launch(rc, restored, restored.current, left.maxId, "previous streaming job");
    const text = `${plan.environment}: the deploy of ${releaseName(desired)} failed (${failure.message.split("\n")[0]}); restored ${releaseName(restored.current)} as Livy batch ${batch.id}`;
    const notified = await notifyChange(notifier, state ?? {}, "rolled-back", text, progress, rc.now());
    await writeStateTo(rc.stores.state, { ...restored, batch, notified }, rc.lock);
    return new OutcomeError(`${failed}\nrestored the previous ${releaseName(restored.current)} as batch ${batch.id}`, runningNow(restored.current, batch));
  } catch (err) {
    // What should run stays the known-good release; ensure keeps trying it, with its backoff.
    // A submission whose answer was lost stays recorded (pending), so the next run resolves its batch by identity.
    const pending = (await readStateFrom(rc.stores.state).catch(() => undefined))?.pending;
    if (restored && state) await writeStateTo(rc.stores.state, { ...restored, pending }, rc.lock).catch(() => undefined);
    return new OutcomeError(`${failed}\nrestoring the previous ${fallback ? releaseName(fallback) : "version"} also failed: ${(err as Error).message}`, runningNow(undefined, null));
  }
}

/** Removes JAAS files that neither the live release nor the previous one reads (rotated-away secrets). */
async function pruneJaas(rc: ReconcileContext, current: Release, previous: Release | undefined): Promise<void> {
  const keep = new Set([...current.jaas, ...(previous?.jaas ?? [])].map((j) => j.path));
  for (const dir of new Set(current.jaas.map((j) => posix.dirname(j.path)))) await pruneJaasFiles(rc.hdfs, dir, keep, rc.progress);
}

/** What a deploy would do, without contacting anything but the artifact (`--dry-run`). */
export function describePlan(plan: DeployPlanConfig, artifact: LoadedArtifact, user: string, mode: DeployMode): string {
  const configPath = `${plan.hdfs.configDir}/job-config-<sha256>.json`;
  const jars = artifact.files.filter((f) => f.kind === "jar");
  const inputs = { artifactHash: artifact.manifest.hash, configPath, jarPaths: jars.map((f) => jarPath(plan.hdfs.jarsDir, f)), modules: jobModules(artifact.manifest.files) };
  const lines = [
    `deploy plan (${mode}) for environment ${plan.environment}, ${plan.target ? `livy ${plan.target.livyUrl}, WebHDFS ${plan.target.webhdfsUrl} as ${plan.target.user}` : `gateway ${plan.gatewayUrl}`}`,
    `artifact ${artifact.manifest.name} ${artifact.manifest.hash} (Spark ${artifact.manifest.sparkVersion}, Scala ${artifact.manifest.scalaVersion})`,
    ...artifact.files.map((f) => `  upload if changed: ${f.kind === "jar" ? jarPath(plan.hdfs.jarsDir, f) : `${jobDir(plan.hdfs.jobRoot, artifact.manifest.hash)}/${f.path}`} (${f.size} bytes, + .sha256)`),
    `job config (no secrets): ${configPath}`,
    `Event Hubs JAAS files (mode 600, named by a fingerprint of their content): ${contentAddressed(forUser(plan.hdfs.jaasPath, user), "<sha256>")} (listen), ${contentAddressed(forUser(plan.hdfs.outputJaasPath, user), "<sha256>")} (send)`,
    `table DDL batch: ${JSON.stringify(createTablesRequest(plan, inputs))}`,
    `streaming batch "${plan.batchName}": ${JSON.stringify(streamingRequest(plan, inputs))}`,
    `table maintenance batch: ${JSON.stringify(maintenanceRequest(plan, inputs))}`,
    {
      deploy: "then, under the environment's lock: nothing if this exact request already runs; else stop what runs, submit this one, wait until it stays running; restore the previous one on any failure",
      ensure: "then: if the live state's batch is not alive, restart the live state's recorded request from HDFS (with backoff and a limit)",
      maintain: "then, under the environment's lock: run the live release's maintenance.py (compaction, then retention) and wait until it ends",
      "new-run": "then, under the environment's lock: stop the job, move its checkpoint aside, start the live release on a fresh checkpoint at --starting-offsets",
      teardown: "then, under the environment's lock: stop every batch of this environment, delete its JAAS files, job configs and live state (with --purge also its tables, checkpoint and job files)",
    }[mode],
  ];
  return `${lines.join("\n")}\n`;
}

