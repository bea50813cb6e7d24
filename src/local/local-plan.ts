/**
 * The local environment's deploy plan: config/environments/local.ts, with the addresses its services got at
 * start (the gateway's, HDFS's, the metastore's, Kafka's), built by the same deployPlanConfig() the bdc stack
 * uses. The job reads Kafka over PLAINTEXT here; the deployer still writes its two JAAS files, from local
 * connection strings that no broker checks, so the deploy takes the in-cluster path step by step.
 */
import { loadEnvironment, LOCAL_ENVIRONMENT_NAME, READINGS_TOPIC, STATS_TOPIC, type EnvironmentConfig } from "../../config";
import type { ArtifactManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { deployPlanConfig, type DeployPlanConfig } from "../deployer/core/plan-config";
import { LOCAL_GATEWAY_PASSWORD, LOCAL_GATEWAY_USER, type LocalServices } from "./services";
import { formatConnectionString } from "../../contracts/eventhubs-connection-string";

export interface LocalEnvironment {
  config: EnvironmentConfig;
  /** localStack of the config, there by construction. */
  stack: NonNullable<EnvironmentConfig["localStack"]>;
}

/** The local environment's validated config; `triggerInterval` and `maxOffsetsPerTrigger` override the job's. */
export function localEnvironment(overrides: { triggerInterval?: string; maxOffsetsPerTrigger?: number } = {}): LocalEnvironment {
  const config = loadEnvironment(LOCAL_ENVIRONMENT_NAME);
  if (config.localStack === undefined) throw new Error(`config/environments/${LOCAL_ENVIRONMENT_NAME}.ts has no localStack section`);
  const job = {
    ...config.bdc.job,
    triggerInterval: overrides.triggerInterval ?? config.bdc.job.triggerInterval,
    maxOffsetsPerTrigger: overrides.maxOffsetsPerTrigger ?? config.bdc.job.maxOffsetsPerTrigger,
  };
  return { config: { ...config, bdc: { ...config.bdc, job } }, stack: config.localStack };
}

/**
 * The platform shape the local stack is deployed as: `bdc` through the Knox gateway (as on a BDC), or `livy`,
 * Livy and the NameNode reached directly with no gateway (contracts/deploy-target.ts; Knox still runs, unused by the deployer).
 */
export type LocalTarget = "bdc" | "livy";

export function localPlan(env: LocalEnvironment, services: LocalServices, manifest: ArtifactManifest, artifactDir: string, target: LocalTarget = "bdc"): DeployPlanConfig {
  const { config } = env;
  const conf = {
    ...config.bdc.spark.conf,
    // hdfs:/// paths and the tables' warehouse resolve against the local HDFS, as on a BDC against its own.
    "spark.hadoop.fs.defaultFS": services.hdfs.rpc,
    "spark.sql.warehouse.dir": `${services.hdfs.rpc}/apps/hive/warehouse`,
    // Every batch (DDL, the job, a reader) shares one catalog, as a BDC's Spark applications share its metastore.
    ...services.metastore.sparkConf,
  };
  const plan = deployPlanConfig(
    { ...config, bdc: { ...config.bdc, gatewayUrl: services.gateway.url, spark: { ...config.bdc.spark, conf } } },
    manifest,
    artifactDir,
    { bootstrap: services.kafka.bootstrap, inputTopic: READINGS_TOPIC, outputTopic: STATS_TOPIC, securityProtocol: "PLAINTEXT" },
  );
  // A laptop's two cores start a Spark driver slower than a cluster does.
  const timing = { ...plan.timing, startGraceSeconds: 20, pollSeconds: 2 };
  if (target === "bdc") return { ...plan, gatewayCaBundlePath: services.gateway.caCertPath, timing };
  const { gatewayUrl: _gateway, gatewayCaBundlePath: _ca, ...rest } = plan;
  return { ...rest, target: { kind: "livy", livyUrl: services.livy.url, webhdfsUrl: services.hdfs.webhdfs, user: LOCAL_GATEWAY_USER, auth: "none" }, timing };
}

/** The deployer's secrets for the local stack, as the in-cluster Job gets them from its Secret. */
export function localSecrets(bootstrap: string): Record<string, string> {
  const [host, port] = bootstrap.split(":") as [string, string];
  const connectionString = (rule: string, hub: string) => formatConnectionString({ host, port: Number(port), keyName: rule, key: "local-only-not-checked", entityPath: hub });
  return {
    BDC_GATEWAY_USERNAME: LOCAL_GATEWAY_USER,
    BDC_GATEWAY_PASSWORD: LOCAL_GATEWAY_PASSWORD,
    EVENTHUBS_JOB_CONNECTION_STRING: connectionString("aggregation-job-listen", READINGS_TOPIC),
    EVENTHUBS_JOB_SEND_CONNECTION_STRING: connectionString("aggregation-job-send", STATS_TOPIC),
  };
}
