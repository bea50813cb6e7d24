// The shape of one environment's settings, with the limits that do not depend on other fields.
// Limits that depend on the SKU or on several fields (the Event Hubs tier rules) live in tier-rules.ts.
import * as z from "zod";
import { SUPPORTED_SKUS } from "./limits";
import { LIVY_AUTH_KINDS, LOOPBACK_URL, PLAIN_USER_NAME, SERVICE_URL, STATE_STORE_AUTH_KINDS } from "../contracts/deploy-target";

/** Topic (event hub) names the pipeline itself reads and writes. */
export const READINGS_TOPIC = "sensor-readings";
export const STATS_TOPIC = "sensor-stats";

/** Principals whose authorization rules the pipeline's own parts use. */
export const SIMULATOR_PRINCIPAL = "simulator";
export const JOB_PRINCIPAL = "aggregation-job";
export const STATS_CONSUMER_PRINCIPAL = "stats-consumer";

const lowerName = (what: string, max: number) =>
  z.string().regex(new RegExp(`^[a-z][a-z0-9]{1,${max - 1}}$`), { error: `${what}: 2–${max} lower-case letters and digits, starting with a letter` });

const hubName = z
  .string()
  .regex(/^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$/, { error: "1–256 letters, digits, '.', '_' or '-', starting and ending with a letter or digit" });

const principalName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,48}[a-z0-9]$/, { error: "2–50 lower-case letters, digits or '-', starting with a letter" });

const ipv4OrCidr = z
  .string()
  .regex(/^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)(\/([0-9]|[12]\d|3[0-2]))?$/, { error: "an IPv4 address or CIDR range, e.g. 203.0.113.0/24" });

const subnetId = z
  .string()
  .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i, {
    error: "a subnet resource id, /subscriptions/…/resourceGroups/…/providers/Microsoft.Network/virtualNetworks/…/subnets/…",
  });

const privateDnsZoneId = z
  .string()
  .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/privateDnsZones\/[^/]+$/i, { error: "a private DNS zone resource id" });

/** A private endpoint in a subnet of the environment's network, registered in its private DNS zones. */
const privateEndpointSchema = z.strictObject({
  subnetId,
  /** e.g. privatelink.servicebus.windows.net or privatelink.blob.core.windows.net; none leaves DNS to the network's owner. */
  privateDnsZoneIds: z.array(privateDnsZoneId),
});

/** `<registry>/<name>@sha256:<64 hex>`: an image that cannot change under the same reference. */
export const DIGEST_PINNED_IMAGE = /@sha256:[0-9a-f]{64}$/;

const imageReference = z.string().regex(/^[a-z0-9][a-z0-9./_:@-]*$/, { error: "a container image reference" });

/** The most executors an environment may ask for (config/derived-sizing.ts derives no more). */
export const MAX_EXECUTORS = 200;

const positiveInt = (what: string) => z.number().int({ error: `${what}: a whole number` }).min(1, { error: `${what}: at least 1` });

const sparkMemory = z.string().regex(/^[1-9]\d*[mg]$/, { error: "a Spark memory size such as 1664m or 4g" });

const topicSchema = z.strictObject({
  /** Partitions of the event hub (the Kafka topic); upper limit depends on the SKU. */
  partitions: positiveInt("partitions"),
  /** Days Event Hubs keeps events; upper limit depends on the SKU. */
  retentionDays: positiveInt("retention in days"),
});

const accessSchema = z.strictObject({
  /** Topics this principal may send to. */
  send: z.array(hubName),
  /** Topics this principal may listen on. */
  listen: z.array(hubName),
});

export const eventHubsSchema = z.strictObject({
  sku: z.enum(SUPPORTED_SKUS, { error: "Standard or Premium (Basic has no Kafka endpoint)" }),
  /** Namespace name; derived as `<namePrefix>-<env>-<uniqueSuffix>` when absent. */
  namespaceName: z.string().optional(),
  expectedLoad: z.strictObject({
    peakEventsPerSecond: z.number().positive({ error: "events per second: more than 0" }),
    averageEventSizeBytes: positiveInt("average event size in bytes").max(1_048_576, { error: "at most 1048576 bytes (the Event Hubs event size limit)" }),
    headroomPercent: z.number().min(0, { error: "0 to 300 percent" }).max(300, { error: "0 to 300 percent" }),
  }),
  autoInflate: z.strictObject({
    enabled: z.boolean(),
    /** Most TUs auto-inflate may reach; default twice the computed capacity (at most 40). */
    maximumThroughputUnits: positiveInt("auto-inflate maximum").optional(),
  }),
  topics: z.record(hubName, topicSchema),
  /** Hubs a deploy may delete or replace, with every event they retain (a renamed or removed topic names its old
   * hub here): scripts/ci/lib/hub-changes.ts refuses it otherwise. Empty it again after that deploy. */
  hubsThatMayBeDeleted: z.array(hubName).optional(),
  access: z.record(principalName, accessSchema),
  /** Refuse `terraform destroy` of the namespace and its hubs (losing them loses unread events and every client's credentials). */
  preventDestroy: z.boolean(),
  network: z.strictObject({
    publicNetworkAccess: z.boolean(),
    defaultAction: z.enum(["Allow", "Deny"], { error: "Allow or Deny" }),
    ipRules: z.array(ipv4OrCidr),
    trustedServiceAccess: z.boolean(),
    /** A private endpoint for the namespace, when the environment gives a subnet. */
    privateEndpoint: privateEndpointSchema.optional(),
  }),
  /** Azure Monitor on the namespace: an action group and metric alerts (stacks/constructs/eventhubs-monitoring.ts). */
  monitoring: z.strictObject({
    /** Who the alerts mail. */
    emails: z.array(z.email({ error: "an email address" })),
    /** Also call a webhook (Teams, Slack, …) whose URL comes from TF_VAR_alert_webhook_url: it holds a token, so it is never in config. */
    webhook: z.boolean(),
    /** Alert when ingress passes this percent of what the namespace takes in (config/capacity.ts). */
    ingressAlertPercent: z.number().min(1, { error: "1 to 100 percent" }).max(100, { error: "1 to 100 percent" }),
    /** Log Analytics workspace (resource id) for the namespace's logs and metrics; none sends none. */
    logAnalyticsWorkspaceId: z
      .string()
      .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i, { error: "a Log Analytics workspace resource id" })
      .optional(),
  }),
});

export const stateBackendSchema = z.strictObject({
  /** Storage account holding Terraform state; when absent, state is local (terraform.<stack>.tfstate). */
  storageAccountName: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, { error: "3–24 lower-case letters and digits (an Azure storage account name)" })
    .optional(),
  resourceGroupName: z.string().min(1, { error: "a resource group name" }).optional(),
  containerName: z.string().regex(/^[a-z0-9](?!.*--)[-a-z0-9]{1,61}[a-z0-9]$/, { error: "3–63 lower-case letters, digits or single '-'" }),
  /** State blob key is `<keyPrefix>/<stack name>.tfstate`, one per stack. */
  keyPrefix: z.string().regex(/^[a-zA-Z0-9][-_/a-zA-Z0-9]*$/, { error: "letters, digits, '-', '_' or '/'" }),
  /** Authenticate to the state account with OIDC (workload identity federation) instead of az login. */
  useOidc: z.boolean(),
  /**
   * Refuse to synthesize for deployment with local state (config/state-rules.ts): the state holds connection
   * strings and SAS tokens. Default: on when eventHubs.preventDestroy is; never off when it is.
   */
  requireRemote: z.boolean().optional(),
});

export const bdcSchema = z.strictObject({
  /** BDC cumulative update number: CU9–CU12 run Spark 2.4, CU13+ Spark 3.1. */
  release: z.number().int({ error: "a CU number such as 9 or 17" }).min(9, { error: "CU9 or later (the seed's Kafka jars need CU9)" }).max(30, { error: "a CU number up to 30" }),
  kubeconfigPath: z.string().min(1, { error: "a path to a kubeconfig file" }),
  kubeContext: z.string().min(1, { error: "a kubeconfig context name" }),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "a Kubernetes namespace name (DNS label)" }),
  gatewayUrl: z.string().regex(/^https:\/\/[a-zA-Z0-9.-]+:\d{1,5}$/, { error: "https://<host>:<port>, e.g. https://bdc.example.internal:30443" }),
  gatewayCaBundlePath: z.string().min(1).optional(),
  spark: z.strictObject({
    executors: positiveInt("executors").max(MAX_EXECUTORS, { error: `executors: at most ${MAX_EXECUTORS}` }),
    executorCores: positiveInt("executor cores").max(64, { error: "executor cores: at most 64" }),
    executorMemory: sparkMemory,
    driverCores: positiveInt("driver cores").max(64, { error: "driver cores: at most 64" }),
    driverMemory: sparkMemory,
    conf: z.record(
      z
        .string()
        .regex(/^spark\.[a-zA-Z0-9._-]+$/, { error: "a Spark property name starting with 'spark.'" })
        .refine((key) => !/password|secret|jaas|token/i.test(key), { error: "no secrets in Spark conf: they go in the job's HDFS JAAS file" }),
      z.string(),
    ),
  }),
  job: z.strictObject({
    checkpointLocation: z.string().regex(/^\/\S+$/, { error: "an absolute HDFS path" }),
    startingOffsets: z.enum(["latest", "earliest"], { error: "latest or earliest" }),
    maxOffsetsPerTrigger: positiveInt("max offsets per trigger"),
    triggerInterval: z.string().regex(/^[1-9]\d* (seconds?|minutes?)$/, { error: "'<n> seconds' or '<n> minutes'" }),
    database: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/, { error: "a SQL identifier" }),
    /** Stop when Kafka data the checkpoint expects is gone (retention, a recreated topic); false skips the gap and logs it. */
    failOnDataLoss: z.boolean(),
    /** Most sensors in one micro-batch: bounds the stats the driver collects (see jobs/sensor_aggregation/README.md). */
    maxSensorsPerBatch: positiveInt("max sensors per batch"),
  }),
  /** How the deployer keeps the job running; see src/deployer/core/plan-config.ts PlanDeployerSettings. */
  deployer: z.strictObject({
    restartLimit: z.number().int().min(0, { error: "restart limit: 0 or more" }).max(100, { error: "restart limit: at most 100" }),
    restartBackoffSeconds: z.number().int().min(0).max(86400, { error: "restart backoff: at most a day" }),
    restartMaxBackoffSeconds: z.number().int().min(0).max(7 * 86400, { error: "restart max backoff: at most a week" }),
    restartStableAfterSeconds: z.number().int().min(60, { error: "stable after: at least 60 s" }),
    deployDeadlineSeconds: z.number().int().min(60, { error: "deploy deadline: at least 60 s" }).max(6 * 3600, { error: "deploy deadline: at most 6 h" }),
    /** Artifact directories and job configs kept on HDFS beyond the live and previous releases'. */
    keepReleases: z.number().int().min(0, { error: "keep releases: 0 or more" }).max(100, { error: "keep releases: at most 100" }),
  }),
  /** Health rules `npm run status` checks (and exits non-zero when one is broken). */
  health: z.strictObject({
    /** Most records waiting in the input topic. */
    maxBacklogRecords: z.number().int().min(1, { error: "at least 1 record" }),
    /** Most seconds of input waiting (estimated from the recent consumption rate). */
    maxBacklogSeconds: z.number().int().min(1, { error: "at least 1 s" }),
    /** Most seconds without a committed batch while input waits; default four triggers plus a minute. */
    maxSecondsWithoutCommit: z.number().int().min(1, { error: "at least 1 s" }).optional(),
    /** Most rejected rows, as a fraction of the input of the recent batches (from the job's per-batch log lines). */
    maxRejectedFraction: z.number().min(0, { error: "a fraction from 0 to 1" }).max(1, { error: "a fraction from 0 to 1" }),
  }),
  /** Housekeeping of the job's tables (jobs/sensor_aggregation/maintenance.py), run by the deployer's `maintain` CronJob. */
  maintenance: z.strictObject({
    /** When it runs (cron, the cluster's time zone); "off" ships no CronJob. */
    schedule: z.union([z.literal("off"), z.string().regex(/^(\S+\s+){4}\S+$/, { error: "a five-field cron expression, e.g. 17 2 * * *, or off" })]),
    /** Days of history kept per table, by the row's UTC day; 0 keeps everything. */
    retentionDays: z.strictObject({
      data: z.number().int().min(0, { error: "retention: 0 (keep all) or more days" }),
      rejected: z.number().int().min(0, { error: "retention: 0 (keep all) or more days" }),
      stats: z.number().int().min(0, { error: "retention: 0 (keep all) or more days" }),
    }),
    /** Limit on one maintenance batch; it holds the environment's lock meanwhile (deploys wait, ensure skips). */
    timeoutSeconds: z.number().int().min(60, { error: "maintenance timeout: at least 60 s" }).max(6 * 3600, { error: "maintenance timeout: at most 6 h" }),
  }),
  deployerImage: imageReference,
  /** The deployer notifies changes of the job's condition (restarted, stuck, limit, rolled back, recovered) to the webhook in TF_VAR_alert_webhook_url. */
  notifyWebhook: z.boolean(),
  /** `cdktf destroy` of the bdc stack runs the deployer's teardown first (kubectl on the machine running Terraform). */
  teardownOnDestroy: z.boolean(),
  /** Images must be pinned by digest (`…@sha256:<64 hex>`): on by default; never off in an environment with preventDestroy. */
  pinImagesByDigest: z.boolean(),
  /** The artifact storage account's network: who may reach the artifacts (the pipeline's agents to upload, the BDC to download). */
  artifactStorage: z.strictObject({
    defaultAction: z.enum(["Allow", "Deny"], { error: "Allow or Deny" }),
    ipRules: z.array(ipv4OrCidr),
    subnetIds: z.array(subnetId),
    privateEndpoint: privateEndpointSchema.optional(),
  }),
  /** Where the deployer pods may connect (their NetworkPolicy): besides DNS, only these, on the gateway's port, 443 and Kafka's 9093. */
  deployerEgress: z.strictObject({
    gatewayCidrs: z.array(ipv4OrCidr).min(1, { error: "at least one CIDR: where the gateway's address is" }),
    storageCidrs: z.array(ipv4OrCidr).min(1, { error: "at least one CIDR: where the artifact storage endpoint is" }),
    /** Event Hubs' Kafka endpoint, which ensure asks for the input topic's end offsets (the backlog rules). */
    eventHubsCidrs: z.array(ipv4OrCidr).min(1, { error: "at least one CIDR: where the Event Hubs namespace's endpoint is" }),
  }),
  ensureSchedule: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, { error: "a five-field cron expression, e.g. */5 * * * *" }),
  simulator: z.strictObject({
    enabled: z.boolean(),
    eventsPerSecond: z.number().positive({ error: "events per second: more than 0" }),
    image: imageReference,
  }),
});

/** How `npm start` runs the pipeline on this machine (src/local/): everything else comes from the environment's `bdc`. */
export const localStackSchema = z.strictObject({
  /** Partitions of the local topics. */
  partitions: positiveInt("partitions").max(32, { error: "partitions: at most 32" }),
  /** Spark master of the local Livy's batches: local[n] threads. */
  sparkMaster: z.string().regex(/^local\[[1-9]\d*\]$/, { error: "local[n], e.g. local[2]" }),
  /** The simulator's defaults (its rate is bdc.simulator.eventsPerSecond). */
  sensors: positiveInt("sensors").max(10_000, { error: "sensors: at most 10000" }),
  malformedFraction: z.number().min(0, { error: "a fraction from 0 to 1" }).max(1, { error: "a fraction from 0 to 1" }),
});

/** azurerm 4.x's `resource_provider_registrations` sets (which resource providers it registers itself). */
export const RESOURCE_PROVIDER_REGISTRATIONS = ["none", "core", "extended", "all", "legacy"] as const;
/**
 * The resource providers the stacks' resources need registered on the subscription. With
 * `resourceProviderRegistrations: "none"` (the default) an admin registers these once
 * (`npm run bootstrap:print`); identities scoped to resource groups may not register anything.
 */
export const REQUIRED_RESOURCE_PROVIDERS = ["Microsoft.EventHub", "Microsoft.Storage"] as const;

const azureSchema = z.strictObject({
  /** Subscription of the environment; else the provider reads ARM_SUBSCRIPTION_ID (azurerm 4.x needs one of them). */
  subscriptionId: z.uuid({ error: "a subscription id (a GUID)" }).optional(),
  /** What the azurerm provider registers by itself; "none" leaves it to the bootstrap. */
  resourceProviderRegistrations: z.enum(RESOURCE_PROVIDER_REGISTRATIONS),
});

/** The Spark versions a successor platform offers (HDInsight 4.0/5.x, Synapse pools); which the job covers is a target rule. */
export const PLATFORM_SPARK_VERSIONS = ["2.4", "3.1", "3.3", "3.4", "3.5"] as const;
const serviceUrl = (what: string) => z.string().regex(SERVICE_URL, { error: `${what}: an http(s)://host:port URL` });
const sparkVersion = z.enum(PLATFORM_SPARK_VERSIONS, { error: `a Spark version: one of ${PLATFORM_SPARK_VERSIONS.join(", ")}` });
/** Where the job's files, checkpoint and tables live on HDInsight and Synapse: a Blob or ADLS Gen2 container. */
const containerUrl = z
  .string()
  .regex(/^(abfss|wasbs):\/\/[a-z0-9](-?[a-z0-9]){2,62}@[a-z0-9]{3,24}\.(dfs|blob)\.core\.windows\.net$/, {
    error: "abfss://<container>@<account>.dfs.core.windows.net or wasbs://<container>@<account>.blob.core.windows.net",
  });

/**
 * Where the environment's job runs (contracts/deploy-target.ts). Absent or `bdc`: the BDC of `bdc.gatewayUrl`,
 * its Spark line from `bdc.release`. The other kinds name their own endpoints and Spark version; combinations
 * the job or the deployer cannot serve are refused in target-rules.ts.
 */
export const targetSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("bdc") }),
  z.strictObject({
    kind: z.literal("livy"),
    /** The Spark line the cluster runs: picks the artifact's jar line. */
    sparkVersion,
    livyUrl: serviceUrl("livyUrl"),
    webhdfsUrl: serviceUrl("webhdfsUrl"),
    user: z.string().regex(PLAIN_USER_NAME, { error: "a plain user name (no '/', ':' or spaces)" }),
    auth: z.enum(LIVY_AUTH_KINDS),
    caBundlePath: z.string().min(1).optional(),
    /** Where the deployer keeps the live state and lock (contracts/deploy-target.ts); absent: WebHDFS xattrs. */
    stateStore: z
      .strictObject({
        kind: z.literal("blob"),
        containerUrl: serviceUrl("stateStore.containerUrl").refine((url) => url.startsWith("https://") || LOOPBACK_URL.test(url), {
          error: "stateStore.containerUrl: https:// (http:// only on loopback): the token is never sent in clear",
        }),
        auth: z.enum(STATE_STORE_AUTH_KINDS),
      })
      .optional(),
  }),
  z.strictObject({
    kind: z.literal("hdinsight"),
    /** The cluster's name: https://<cluster>.azurehdinsight.net/livy. */
    cluster: z.string().regex(/^[a-z][a-z0-9-]{1,58}[a-z0-9]$/, { error: "an HDInsight cluster name (3–59 lower-case letters, digits or '-')" }),
    sparkVersion,
    storage: containerUrl,
  }),
  z.strictObject({
    kind: z.literal("synapse"),
    workspace: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/, { error: "a Synapse workspace name (1–50 lower-case letters, digits or '-')" }),
    pool: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,14}$/, { error: "a Spark pool name (letters and digits, starting with a letter, at most 15)" }),
    sparkVersion,
    storage: containerUrl,
  }),
]);
export type TargetSettings = z.output<typeof targetSchema>;

export const environmentSchema = z.strictObject({
  name: lowerName("environment name", 12),
  /** Azure region, e.g. westeurope. */
  location: z.string().regex(/^[a-z][a-z0-9]+$/, { error: "an Azure region name in lower case, e.g. westeurope" }),
  namePrefix: lowerName("name prefix", 12),
  /** Stable per-environment suffix that keeps global names (the namespace) unique; never change it once deployed. */
  uniqueSuffix: z.string().regex(/^[a-z0-9]{4,8}$/, { error: "4–8 lower-case letters and digits" }),
  tags: z.record(z.string().min(1).max(512), z.string().max(256)),
  azure: azureSchema,
  eventHubs: eventHubsSchema,
  stateBackend: stateBackendSchema,
  /** Where the job runs; absent: the BDC of `bdc` (today's environments, unchanged). */
  target: targetSchema.optional(),
  bdc: bdcSchema,
  /** Only the `local` environment has it: it runs on this machine (`npm start`) on loopback services, and has no stacks. */
  localStack: localStackSchema.optional(),
});

/** One environment's settings as written in config/environments (before validation). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** One environment's settings after validation. */
export type EnvironmentSettings = z.output<typeof environmentSchema>;
export type EventHubsSettings = EnvironmentSettings["eventHubs"];
export type BdcSettings = EnvironmentSettings["bdc"];
export type StateBackendSettings = EnvironmentSettings["stateBackend"];
export type TopicSettings = EventHubsSettings["topics"][string];
export type AccessSettings = EventHubsSettings["access"][string];
