// Settings every environment shares unless its own file says otherwise.
import { HDFS_CLOSE_CONF } from "../hdfs-client";
import type { UnsizedEnvironmentInput } from "../derived-sizing";
import { JOB_PRINCIPAL, READINGS_TOPIC, SIMULATOR_PRINCIPAL, STATS_CONSUMER_PRINCIPAL, STATS_TOPIC } from "../schema";

/**
 * The deployer's and simulator's image: Node 20 on Debian bookworm, pinned by digest (the multi-arch
 * index of node:20-bookworm-slim). Bump it deliberately; a tag alone can change under the same name.
 */
const NODE_IMAGE = "node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0";

/** Shared defaults; an environment file overrides fields of this (without `name`, `uniqueSuffix` and the gateway, which are per environment). */
export const sharedDefaults: Omit<UnsizedEnvironmentInput, "name" | "uniqueSuffix"> = {
  location: "westeurope",
  namePrefix: "sensors",
  // The provider registers nothing: the bootstrap registers REQUIRED_RESOURCE_PROVIDERS once.
  azure: { resourceProviderRegistrations: "none" },
  tags: { project: "bdc-sensor-streaming", "managed-by": "cdktf" },
  eventHubs: {
    sku: "Standard",
    expectedLoad: { peakEventsPerSecond: 500, averageEventSizeBytes: 200, headroomPercent: 25 },
    autoInflate: { enabled: true },
    topics: {
      [READINGS_TOPIC]: { partitions: 4, retentionDays: 1 },
      [STATS_TOPIC]: { partitions: 2, retentionDays: 1 },
    },
    // Least privilege: one hub-scoped rule per principal and topic, never manage.
    access: {
      [SIMULATOR_PRINCIPAL]: { send: [READINGS_TOPIC], listen: [] },
      [JOB_PRINCIPAL]: { send: [STATS_TOPIC], listen: [READINGS_TOPIC] },
      [STATS_CONSUMER_PRINCIPAL]: { send: [], listen: [STATS_TOPIC] },
    },
    preventDestroy: false,
    network: { publicNetworkAccess: true, defaultAction: "Allow", ipRules: [], trustedServiceAccess: true },
    // Alerts go to the action group; an environment adds its mail addresses (and the webhook variable).
    monitoring: { emails: [], webhook: false, ingressAlertPercent: 80 },
  },
  // Local state unless a pipeline names a storage account (SENSORS_STATE_STORAGE_ACCOUNT, see README).
  stateBackend: { containerName: "tfstate", keyPrefix: "sensors", useOidc: false },
  bdc: {
    release: 17,
    kubeconfigPath: "~/.kube/config",
    kubeContext: "bdc",
    namespace: "mssql-cluster",
    gatewayUrl: "https://bdc.example.internal:30443",
    spark: {
      // executors: derived from eventHubs.expectedLoad unless an environment sets it (config/derived-sizing.ts).
      executorCores: 2,
      executorMemory: "1664m",
      driverCores: 1,
      driverMemory: "2g",
      conf: { "spark.sql.shuffle.partitions": "8", ...HDFS_CLOSE_CONF },
    },
    job: {
      checkpointLocation: "/apps/checkpoints/sensor-aggregation",
      startingOffsets: "latest",
      // maxOffsetsPerTrigger and triggerInterval: derived unless an environment sets them (config/derived-sizing.ts).
      database: "default",
      failOnDataLoss: true,
      maxSensorsPerBatch: 100_000,
    },
    // Restarts wait 1, 2, 4, 8 min … (at most 30) after the first; 5 within an unstable stretch stop
    // them until the next deploy. A run that stayed up 1 h resets the count.
    deployer: {
      restartLimit: 5,
      restartBackoffSeconds: 60,
      restartMaxBackoffSeconds: 1800,
      restartStableAfterSeconds: 3600,
      deployDeadlineSeconds: 1500,
      // Besides the live and previous releases' files, the newest 5 others stay on HDFS (quick roll back).
      keepReleases: 5,
    },
    health: { maxBacklogRecords: 1_000_000, maxBacklogSeconds: 900, maxRejectedFraction: 0.05 },
    // Compaction every 6 hours: a run's catalog work grows with the square of the batches it drops (the metastore
    // scans the table's partitions per drop), and nightly runs did not fit the timeout at any environment's peak
    // (npm run bench:maintenance). Rejected rows are kept 30 days, data and stats for good.
    maintenance: { schedule: "17 */6 * * *", retentionDays: { data: 0, rejected: 30, stats: 0 }, timeoutSeconds: 3600 },
    deployerImage: NODE_IMAGE,
    pinImagesByDigest: true,
    teardownOnDestroy: true,
    notifyWebhook: false,
    // Locked down unless an environment lists who may reach it (its agents and its BDC's egress).
    artifactStorage: { defaultAction: "Deny", ipRules: [], subnetIds: [] },
    // The gateway is a cluster-internal address; the storage endpoint a public one unless a private endpoint serves it.
    deployerEgress: { gatewayCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], storageCidrs: ["0.0.0.0/0"], eventHubsCidrs: ["0.0.0.0/0"] },
    ensureSchedule: "*/5 * * * *",
    simulator: { enabled: false, eventsPerSecond: 10, image: NODE_IMAGE },
  },
};
