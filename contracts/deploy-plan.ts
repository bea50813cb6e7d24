/**
 * The deploy plan (`plan.json`): what the bdc stack hands the in-cluster deployer, everything but secrets, as
 * plain JSON; the one definition of its schema. src/deployer/core/plan-config.ts builds it from an environment's
 * config at synth and validates it where the deployer reads it. Pure: no I/O.
 */
import * as z from "zod/mini";
import { manifestSchema } from "./artifact-manifest";
import { jobConfigSchema } from "./job-config";
import { planTargetSchema } from "./deploy-target";

/** Placeholder in `hdfs.jaasPath` for the gateway user (known only at run time, from the Secret). */
export const USER_PLACEHOLDER = "{user}";

/** A plan path with the gateway user in place of USER_PLACEHOLDER. */
export function forUser(path: string, user: string): string {
  return path.split(USER_PLACEHOLDER).join(user);
}

/** The tables maintenance.py keeps, as its --retention-days names them. */
export const MAINTAINED_TABLES = ["data", "rejected", "stats"] as const;
export type MaintainedTable = (typeof MAINTAINED_TABLES)[number];

export const deployPlanSchema = z.object({
  version: z.literal(1),
  environment: z.string().check(z.minLength(1)),
  /** A production environment (eventHubs.preventDestroy): `teardown --purge` needs `--confirm-purge <environment>`. */
  protected: z.boolean(),
  /** A BDC's Knox gateway; a plan with a `target` reaches its platform there instead. */
  gatewayUrl: z.optional(z.string().check(z.regex(/^https:\/\//, { error: "an https:// URL" }))),
  /** Where the job runs when it is not a BDC (contracts/deploy-target.ts). */
  target: z.optional(planTargetSchema),
  gatewayCaBundlePath: z.optional(z.string().check(z.minLength(1))),
  artifact: z.object({ baseUrl: z.string().check(z.regex(/^(https:\/\/|\/)/, { error: "an https:// URL or an absolute directory path (http:// would send the SAS in clear)" })), hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)), manifest: manifestSchema }),
  hdfs: z.object({
    /** Prefix that turns an HDFS path into a URI Spark resolves on the cluster's default file system. */
    uriPrefix: z.string(),
    jarsDir: z.string().check(z.startsWith("/")),
    jobRoot: z.string().check(z.startsWith("/")),
    configDir: z.string().check(z.startsWith("/")),
    stateDir: z.string().check(z.startsWith("/")),
    jaasPath: z.string().check(z.startsWith("/")),
    outputJaasPath: z.string().check(z.startsWith("/")),
  }),
  /** The job config (contracts/job-config.ts), without secrets; the two JAAS paths may hold the {user} placeholder. */
  job: jobConfigSchema,
  spark: z.object({
    executors: z.int().check(z.positive()),
    executorCores: z.int().check(z.positive()),
    executorMemory: z.string(),
    driverCores: z.int().check(z.positive()),
    driverMemory: z.string(),
    conf: z.record(z.string(), z.string()),
  }),
  batchName: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/)),
  timing: z.object({
    /** How long a new streaming batch must stay running before the deploy counts it as started. */
    startGraceSeconds: z.number().check(z.nonnegative()),
    /** Livy state polling interval. */
    pollSeconds: z.number().check(z.positive()),
    /** Limit for a batch to reach `running` (streaming) or `success` (create tables). */
    startTimeoutSeconds: z.number().check(z.positive()),
    createTablesTimeoutSeconds: z.number().check(z.positive()),
    /** Total deadline of one deploy run's waits; a restore after it gets its own start timeout. */
    deployDeadlineSeconds: z.number().check(z.positive()),
    /** Total deadline of one HTTP request, retries included. */
    requestDeadlineSeconds: z.number().check(z.positive()),
  }),
  /** The environment lock (lock.ts). */
  lock: z.object({
    ttlSeconds: z.number().check(z.positive()),
    /** How long a deploy waits for a held lock; ensure never waits. */
    waitSeconds: z.number().check(z.nonnegative()),
  }),
  /** `ensure`'s restart policy, like spark-operator's onFailureRetries / onFailureRetryInterval. */
  restartPolicy: z.object({
    limit: z.int().check(z.nonnegative()),
    backoffSeconds: z.number().check(z.nonnegative()),
    maxBackoffSeconds: z.number().check(z.nonnegative()),
    stableAfterSeconds: z.number().check(z.positive()),
  }),
  /** Health rules (status.ts). */
  health: z.object({
    maxBacklogRecords: z.int().check(z.positive()),
    maxBacklogSeconds: z.number().check(z.positive()),
    maxSecondsWithoutCommit: z.number().check(z.positive()),
    maxRejectedFraction: z.number().check(z.gte(0), z.lte(1)),
  }),
  /** Deploy files kept on HDFS beyond the live and previous releases' (retention.ts). */
  retention: z.object({ keepReleases: z.int().check(z.nonnegative()) }),
  /** `maintain`: compaction and retention of the job's tables (jobs/sensor_aggregation/maintenance.py). */
  maintenance: z.object({
    /** Days of history kept per table; 0 keeps everything. */
    retentionDays: z.record(z.enum(MAINTAINED_TABLES), z.int().check(z.nonnegative())),
    timeoutSeconds: z.number().check(z.positive()),
  }),
  retry: z.object({ maxRetries: z.int().check(z.nonnegative()), minTimeoutMs: z.number().check(z.nonnegative()), maxTimeoutMs: z.number().check(z.positive()) }),
}).check(
  z.refine((plan) => (plan.gatewayUrl === undefined) !== (plan.target === undefined), {
    error: "either gatewayUrl (a BDC) or target (any other platform), not both or neither",
  }),
);

export type DeployPlanConfig = z.infer<typeof deployPlanSchema>;
