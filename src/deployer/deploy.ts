/**
 * The deploy: artifact → HDFS (only what differs), job config and JAAS file, table DDL, then
 * start or replace the streaming batch, restoring the previous one if the new one fails to start.
 * `ensure` only (re)starts the current artifact when no batch of that name is alive.
 */
import { posix } from "node:path";
import { loadArtifact, type ArtifactLocation, type LoadedArtifact } from "./artifact-source";
import { BatchFailedError, BatchRunner, type Sleep } from "./batch-runner";
import { createTablesRequest, streamingRequest } from "./batch-requests";
import { readState, sameSpec, writeState, type BatchSpec, type DeployState } from "./deploy-state";
import { DeployError } from "./errors";
import { jobDir, newCounters, syncArtifact, syncJaasFiles, syncJobConfig } from "./hdfs-sync";
import { ALIVE_STATES, type Batch, type LivyClient } from "./livy-client";
import { sha256 } from "./manifest";
import { USER_PLACEHOLDER, type DeployPlanConfig, type JobConfig } from "./plan-config";
import type { Progress } from "./progress";
import { eventHubsJaasLine } from "./secrets";
import type { WebHdfsClient } from "./webhdfs-client";

export type DeployMode = "deploy" | "ensure";

export interface DeployContext {
  plan: DeployPlanConfig;
  artifact: ArtifactLocation;
  hdfs: WebHdfsClient;
  livy: LivyClient;
  /** Gateway user: owner of the JAAS file's home directory. */
  gatewayUser: string;
  /** Listen connection string on the input hub (the Kafka source's JAAS file). */
  eventHubsConnectionString: string;
  /** Send connection string on the output hub (the Kafka sink's JAAS file). */
  eventHubsSendConnectionString: string;
  progress: Progress;
  sleep?: Sleep;
}

export interface DeployResult {
  action: "unchanged" | "started" | "replaced" | "alive";
  batchId: number | null;
  artifactHash: string;
  uploadedFiles: number;
  uploadedBytes: number;
  skippedFiles: number;
  /** Livy batches submitted (table DDL and streaming). */
  submissions: number;
}

export function resolvedJobConfig(plan: DeployPlanConfig, user: string): JobConfig {
  const forUser = (path: string): string => path.split(USER_PLACEHOLDER).join(user);
  return { ...plan.job, jaas_config_path: forUser(plan.hdfs.jaasPath), output_jaas_config_path: forUser(plan.hdfs.outputJaasPath) };
}

export async function runDeploy(ctx: DeployContext, mode: DeployMode): Promise<DeployResult> {
  const { plan, hdfs, progress } = ctx;
  const jaasLine = eventHubsJaasLine(ctx.eventHubsConnectionString, "EVENTHUBS_JOB_CONNECTION_STRING");
  const outputJaasLine = eventHubsJaasLine(ctx.eventHubsSendConnectionString, "EVENTHUBS_JOB_SEND_CONNECTION_STRING");
  const readArtifact = () => loadArtifact(ctx.artifact, progress, plan.artifact.hash);
  // A deploy verifies the artifact before it contacts the gateway; ensure reads it only when it must restart.
  const verified = mode === "deploy" ? await readArtifact() : undefined;
  const runner = new BatchRunner(ctx.livy, progress, ctx.sleep);
  const counters = newCounters();
  // loadArtifact refuses any artifact whose hash is not the plan's, so the plan's hash is the artifact's.
  const result = (action: DeployResult["action"], batchId: number | null): DeployResult => ({
    action,
    batchId,
    artifactHash: plan.artifact.hash,
    ...counters,
    submissions: runner.submissions,
  });

  progress.step("livy", `looking for batch "${plan.batchName}" at ${plan.gatewayUrl}`);
  const sameName = await runner.findByName(plan.batchName);
  const alive = sameName.filter((b) => ALIVE_STATES.has(b.state));
  if (mode === "ensure" && alive.length > 0) {
    progress.step("ensure", `batch ${alive.map((b) => b.id).join(", ")} is ${alive[0]!.state}; nothing to do`);
    return result("alive", alive[0]!.id);
  }

  const artifact = verified ?? (await readArtifact());
  const state = await readState(hdfs, plan.hdfs.stateDir);
  const files = await syncArtifact(hdfs, artifact, plan.hdfs, state?.files ?? {}, counters, progress);
  const jobConfig = resolvedJobConfig(plan, ctx.gatewayUser);
  const config = await syncJobConfig(hdfs, plan.hdfs.configDir, jobConfig, counters, progress);
  const jaas = await syncJaasFiles(
    hdfs,
    [
      { path: jobConfig.jaas_config_path, line: jaasLine },
      { path: jobConfig.output_jaas_config_path, line: outputJaasLine },
    ],
    counters,
    progress,
  );
  const spec: BatchSpec = { artifactHash: artifact.manifest.hash, configPath: config.path, jars: jarNames(artifact), ddlDigest: ddlDigest(artifact, config.path) };

  const running = alive.find((b) => b.id === state?.batchId);
  if (mode === "deploy" && running && alive.length === 1 && sameSpec(state?.current, spec) && jaas.written === 0) {
    progress.step("deploy", `artifact ${short(spec.artifactHash)} already running as batch ${running.id}; nothing to do`);
    return result("unchanged", running.id);
  }

  if (state?.current.ddlDigest !== spec.ddlDigest) {
    await createTables(runner, plan, spec);
  } else {
    progress.step("tables", "table DDL and config unchanged since the last deploy; not rerun");
  }
  await runner.stop(sameName, alive.length > 0 ? "stopping the running version" : "clearing finished batches of this name", {
    pollSeconds: plan.timing.pollSeconds,
    timeoutSeconds: plan.timing.startTimeoutSeconds,
  });
  const previous = pickPrevious(state, spec);
  try {
    const batch = await startStreaming(runner, plan, spec, "new streaming job");
    await writeState(hdfs, plan.hdfs.stateDir, { current: spec, previous, batchId: batch.id, files });
    progress.step("deploy", `artifact ${short(spec.artifactHash)} live as batch ${batch.id}`);
    return result(alive.length > 0 ? "replaced" : "started", batch.id);
  } catch (err) {
    if (!(err instanceof BatchFailedError)) throw err;
    await runner.remove([{ id: err.batchId, name: plan.batchName, state: "dead", appId: null }], "removing the failed batch");
    // ensure only restarts what is current; a deploy falls back to what ran before.
    if (mode === "ensure") throw new DeployError(`restarting ${short(spec.artifactHash)} failed: ${err.message}`);
    throw await restorePrevious(ctx, runner, previous, state, files, err, spec);
  }
}

async function createTables(runner: BatchRunner, plan: DeployPlanConfig, spec: BatchSpec): Promise<void> {
  const request = createTablesRequest(plan, spec);
  await runner.remove(await runner.findByName(request.name), "clearing an earlier table DDL batch");
  const batch = await runner.submit(request, "table DDL (create_tables.py)");
  await runner.waitForSuccess(batch.id, "table DDL", { pollSeconds: plan.timing.pollSeconds, timeoutSeconds: plan.timing.createTablesTimeoutSeconds });
  await runner.remove([batch], "table DDL done");
}

async function startStreaming(runner: BatchRunner, plan: DeployPlanConfig, spec: BatchSpec, what: string): Promise<Batch> {
  const batch = await runner.submit(streamingRequest(plan, spec), `${what} ${short(spec.artifactHash)}`);
  await runner.waitForRunning(batch.id, what, {
    pollSeconds: plan.timing.pollSeconds,
    timeoutSeconds: plan.timing.startTimeoutSeconds,
    graceSeconds: plan.timing.startGraceSeconds,
  });
  return batch;
}

/** The version to fall back to: what ran until now, unless it is this very spec. */
function pickPrevious(state: DeployState | undefined, spec: BatchSpec): BatchSpec | undefined {
  if (state === undefined) return undefined;
  return sameSpec(state.current, spec) ? state.previous : state.current;
}

async function restorePrevious(
  ctx: DeployContext,
  runner: BatchRunner,
  previous: BatchSpec | undefined,
  state: DeployState | undefined,
  files: DeployState["files"],
  failure: BatchFailedError,
  spec: BatchSpec,
): Promise<DeployError> {
  const failed = `new version ${short(spec.artifactHash)} failed to start: ${failure.message}`;
  if (previous === undefined) return new DeployError(`${failed}\nno previous version to restore`);
  ctx.progress.step("restore", `restarting the previous version ${short(previous.artifactHash)}`);
  try {
    const batch = await startStreaming(runner, ctx.plan, previous, "previous streaming job");
    await writeState(ctx.hdfs, ctx.plan.hdfs.stateDir, { current: previous, previous: state?.previous, batchId: batch.id, files });
    return new DeployError(`${failed}\nrestored the previous version ${short(previous.artifactHash)} as batch ${batch.id}`);
  } catch (err) {
    return new DeployError(`${failed}\nrestoring the previous version ${short(previous.artifactHash)} also failed: ${(err as Error).message}`);
  }
}

/** Identifies what the table DDL depends on: its script, its SQL and the config (database and table names). */
function ddlDigest(artifact: LoadedArtifact, configPath: string): string {
  const shaOf = (path: string): string => artifact.files.find((f) => f.path === path)?.sha256 ?? "";
  return sha256(`${shaOf("create_tables.py")} ${shaOf("tables.sql")} ${configPath}`);
}

function jarNames(artifact: LoadedArtifact): string[] {
  return artifact.files.filter((f) => f.kind === "jar").map((f) => posix.basename(f.path));
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

/** What a deploy would do, without contacting anything but the artifact (`--dry-run`). */
export function describePlan(plan: DeployPlanConfig, artifact: LoadedArtifact, user: string, mode: DeployMode): string {
  const configPath = `${plan.hdfs.configDir}/job-config-<sha256>.json`;
  const spec: BatchSpec = { artifactHash: artifact.manifest.hash, configPath, jars: jarNames(artifact), ddlDigest: "" };
  const jobConfig = resolvedJobConfig(plan, user);
  const lines = [
    `deploy plan (${mode}) for environment ${plan.environment}, gateway ${plan.gatewayUrl}`,
    `artifact ${artifact.manifest.name} ${artifact.manifest.hash} (Spark ${artifact.manifest.sparkVersion}, Scala ${artifact.manifest.scalaVersion})`,
    ...artifact.files.map((f) => `  upload if changed: ${f.kind === "jar" ? `${plan.hdfs.jarsDir}/${posix.basename(f.path)}` : `${jobDir(plan.hdfs.jobRoot, artifact.manifest.hash)}/${f.path}`} (${f.size} bytes, + .sha256)`),
    `job config (no secrets): ${spec.configPath}`,
    `Event Hubs JAAS files (mode 600): ${jobConfig.jaas_config_path} (listen), ${jobConfig.output_jaas_config_path} (send)`,
    `table DDL batch: ${JSON.stringify(createTablesRequest(plan, spec))}`,
    `streaming batch "${plan.batchName}": ${JSON.stringify(streamingRequest(plan, spec))}`,
    mode === "deploy"
      ? "then: nothing if this artifact already runs; else stop the running batch, submit this one, wait until running; restore the previous one on failure"
      : "then: submit this artifact only if no batch of that name is alive",
  ];
  return `${lines.join("\n")}\n`;
}
