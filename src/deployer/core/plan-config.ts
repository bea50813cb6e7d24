/**
 * The deploy plan (`plan.json`, its schema in contracts/deploy-plan.ts): `deployPlanConfig()` builds it from
 * an environment's config at synth (it is pure: the bdc stack may pass Terraform tokens as strings);
 * `parseDeployPlan()` validates it where the deployer reads it.
 */
import { DeployError } from "./errors";
import { formatIssues } from "../../../contracts/schema-issues";
import type { Manifest } from "./manifest";
import { intervalMs } from "../../../contracts/job-config";
import { DEPLOYER_CA_PATH } from "../../../contracts/deployer-container";
import { DEFAULT_LEASE_WAIT_SECONDS, DEFAULT_MAX_SENSOR_LENGTH, type JobConfig } from "../../../contracts/job-config";
import { EVENT_HUBS_MAX_MESSAGE_BYTES } from "../../../contracts/eventhubs-limits";
import type { PlanTarget, TargetKind } from "../../../contracts/deploy-target";
import { deployPlanSchema, USER_PLACEHOLDER, type DeployPlanConfig, type MaintainedTable } from "../../../contracts/deploy-plan";

export { forUser, MAINTAINED_TABLES, USER_PLACEHOLDER, type DeployPlanConfig } from "../../../contracts/deploy-plan";
export type { JobConfig };

/** The environment fields the plan reads; `EnvironmentConfig` (config/index.ts) satisfies it. */
export interface PlanEnvironment {
  readonly name: string;
  /** preventDestroy marks a production environment: a teardown purge there needs the environment's name to confirm. */
  readonly eventHubs: { readonly preventDestroy: boolean };
  /** Where the job runs (contracts/deploy-target.ts); absent: the BDC of `bdc.gatewayUrl`. */
  readonly target?: { readonly kind: TargetKind } & Partial<Omit<PlanTarget, "kind">>;
  readonly bdc: {
    readonly gatewayUrl: string;
    readonly gatewayCaBundlePath?: string;
    readonly spark: {
      readonly executors: number;
      readonly executorCores: number;
      readonly executorMemory: string;
      readonly driverCores: number;
      readonly driverMemory: string;
      readonly conf: Readonly<Record<string, string>>;
    };
    readonly job: {
      readonly checkpointLocation: string;
      readonly startingOffsets: string;
      readonly maxOffsetsPerTrigger: number;
      readonly triggerInterval: string;
      readonly database: string;
      readonly failOnDataLoss: boolean;
      readonly maxSensorsPerBatch: number;
    };
    readonly deployer: PlanDeployerSettings;
    readonly health: { readonly maxBacklogRecords: number; readonly maxBacklogSeconds: number; readonly maxSecondsWithoutCommit?: number; readonly maxRejectedFraction: number };
    readonly maintenance: { readonly retentionDays: Readonly<Record<MaintainedTable, number>>; readonly timeoutSeconds: number };
  };
}


/** How the deployer keeps the job running (config `bdc.deployer`); defaults in config/environments/defaults.ts. */
export interface PlanDeployerSettings {
  /** Restarts `ensure` makes before it stops and fails loudly, until the next deploy. */
  readonly restartLimit: number;
  /** Wait before the second restart, doubled for each further one. */
  readonly restartBackoffSeconds: number;
  readonly restartMaxBackoffSeconds: number;
  /** A run that stayed up this long counts as stable: the restart count starts again from 0. */
  readonly restartStableAfterSeconds: number;
  /** Total deadline of one deploy run (the Kubernetes Job's activeDeadlineSeconds leaves room for a restore after it). */
  readonly deployDeadlineSeconds: number;
  /** Artifact directories and job configs kept beyond the live and previous releases' (retention.ts). */
  readonly keepReleases: number;
}

export interface PlanEventHubs {
  /** Kafka bootstrap, `<namespace>.servicebus.windows.net:9093`. */
  bootstrap: string;
  inputTopic: string;
  outputTopic: string;
  /** SASL_SSL for Event Hubs; PLAINTEXT only for the local environment's broker. @default SASL_SSL */
  securityProtocol?: "SASL_SSL" | "PLAINTEXT";
}



/** The plan for one environment and artifact. Pure: no I/O, tokens pass through as strings. */
export function deployPlanConfig(
  env: PlanEnvironment,
  manifest: Manifest,
  artifactBaseUrl: string,
  eventhubs: PlanEventHubs,
): DeployPlanConfig {
  const appRoot = "/apps/ETL-Pipelines/sensor-aggregation";
  const jaasPath = `/user/${USER_PLACEHOLDER}/.sensor-aggregation/${env.name}/jaas.conf`;
  const outputJaasPath = `/user/${USER_PLACEHOLDER}/.sensor-aggregation/${env.name}/jaas-output.conf`;
  const job = env.bdc.job;
  return {
    version: 1,
    environment: env.name,
    protected: env.eventHubs.preventDestroy,
    ...platformOf(env),
    artifact: { baseUrl: artifactBaseUrl, hash: manifest.hash, manifest },
    hdfs: {
      uriPrefix: "hdfs://",
      jarsDir: "/apps/jars",
      jobRoot: appRoot,
      configDir: `${appRoot}/config/${env.name}`,
      stateDir: `${appRoot}/deployments/${env.name}`,
      jaasPath,
      outputJaasPath,
    },
    job: {
      bootstrap_servers: eventhubs.bootstrap,
      input_topic: eventhubs.inputTopic,
      output_topic: eventhubs.outputTopic,
      security_protocol: eventhubs.securityProtocol ?? "SASL_SSL",
      jaas_config_path: jaasPath,
      output_jaas_config_path: outputJaasPath,
      checkpoint_location: job.checkpointLocation,
      starting_offsets: job.startingOffsets,
      max_offsets_per_trigger: job.maxOffsetsPerTrigger,
      trigger_interval: job.triggerInterval,
      database: job.database,
      data_table: "sensor_data",
      rejected_table: "sensor_data_rejected",
      stats_table: "sensor_data_stats",
      query_name: `sensor-aggregation-${env.name}`,
      fail_on_data_loss: job.failOnDataLoss,
      max_sensors_per_batch: job.maxSensorsPerBatch,
      max_message_bytes: EVENT_HUBS_MAX_MESSAGE_BYTES,
      max_sensor_length: DEFAULT_MAX_SENSOR_LENGTH,
      lease_wait_seconds: DEFAULT_LEASE_WAIT_SECONDS,
    },
    spark: { ...env.bdc.spark, conf: { ...env.bdc.spark.conf } },
    batchName: `sensor-aggregation-${env.name}`,
    timing: {
      startGraceSeconds: 45,
      pollSeconds: 5,
      startTimeoutSeconds: 600,
      createTablesTimeoutSeconds: 900,
      deployDeadlineSeconds: env.bdc.deployer.deployDeadlineSeconds,
      requestDeadlineSeconds: 300,
    },
    // Renewed every third of the TTL while held; a killed holder blocks others for at most the TTL.
    lock: { ttlSeconds: 600, waitSeconds: 900 },
    restartPolicy: {
      limit: env.bdc.deployer.restartLimit,
      backoffSeconds: env.bdc.deployer.restartBackoffSeconds,
      maxBackoffSeconds: env.bdc.deployer.restartMaxBackoffSeconds,
      stableAfterSeconds: env.bdc.deployer.restartStableAfterSeconds,
    },
    retention: { keepReleases: env.bdc.deployer.keepReleases },
    health: {
      maxBacklogRecords: env.bdc.health.maxBacklogRecords,
      maxBacklogSeconds: env.bdc.health.maxBacklogSeconds,
      maxSecondsWithoutCommit: env.bdc.health.maxSecondsWithoutCommit ?? (4 * intervalMs(job.triggerInterval)) / 1000 + 60,
      maxRejectedFraction: env.bdc.health.maxRejectedFraction,
    },
    maintenance: { retentionDays: { ...env.bdc.maintenance.retentionDays }, timeoutSeconds: env.bdc.maintenance.timeoutSeconds },
    retry: { maxRetries: 5, minTimeoutMs: 1000, maxTimeoutMs: 16000 },
  };
}

/**
 * How the plan reaches the platform: a BDC's gateway (the plan as before targets existed, so a BDC
 * environment's plan, state and names stay as they were), or the `livy` target's own endpoints.
 */
function platformOf(env: PlanEnvironment): Pick<DeployPlanConfig, "gatewayUrl" | "gatewayCaBundlePath" | "target"> {
  const target = env.target;
  if (target === undefined || target.kind === "bdc") {
    return { gatewayUrl: env.bdc.gatewayUrl, ...(env.bdc.gatewayCaBundlePath !== undefined ? { gatewayCaBundlePath: DEPLOYER_CA_PATH } : {}) };
  }
  if (target.kind !== "livy" || target.livyUrl === undefined || target.webhdfsUrl === undefined || target.user === undefined || target.auth === undefined) {
    // config/target-rules.ts refuses these at synth; a plan is never built for them.
    throw new DeployError(`environment ${env.name}: target ${target.kind}: the deployer cannot deploy there yet (contracts/deploy-target.ts DEPLOYABLE_TARGET_KINDS)`);
  }
  const { livyUrl, webhdfsUrl, user, auth, caBundlePath, stateStore } = target;
  return { target: { kind: "livy", livyUrl, webhdfsUrl, user, auth, ...(caBundlePath !== undefined ? { caBundlePath } : {}), ...(stateStore !== undefined ? { stateStore } : {}) } };
}

/**
 * The deploy Job's hard limit (Kubernetes activeDeadlineSeconds): the deploy's own deadline, plus
 * room for a restore after it (one start timeout and grace) and the lock wait.
 */
export function deployJobDeadlineSeconds(plan: DeployPlanConfig): number {
  return plan.timing.deployDeadlineSeconds + plan.timing.startTimeoutSeconds + plan.timing.startGraceSeconds + plan.lock.waitSeconds + 60;
}

/** The maintain Job's hard limit: the lock wait, then the maintenance batch's own limit and a stop after it. */
export function maintainJobDeadlineSeconds(plan: DeployPlanConfig): number {
  return plan.lock.waitSeconds + plan.maintenance.timeoutSeconds + plan.timing.startTimeoutSeconds + 60;
}

/** Validates a plan read from plan.json; the error names each wrong field. */
export function parseDeployPlan(json: string, where: string): DeployPlanConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new DeployError(`${where}: not JSON (${(err as Error).message})`);
  }
  const parsed = deployPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new DeployError(`${where}: invalid deploy plan: ${issues}`);
  }
  return parsed.data;
}
