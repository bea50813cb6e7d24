/** A deploy plan for the test services: built by deployPlanConfig(), then pointed at loopback and sped up. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest } from "../../../src/deployer/core/manifest";
import { HDFS_CLOSE_CONF } from "../../../config/hdfs-client";
import { TEST_HDFS_CLIENT_CONF, TEST_LEASE_SOFT_LIMIT_SECONDS } from "./services";
import { deployPlanConfig, type DeployPlanConfig, type PlanEnvironment } from "../../../src/deployer/core/plan-config";

export const TEST_BATCH_NAME = "sensor-aggregation-test";

export function testEnvironment(gatewayUrl: string, rpc: string, spark: Partial<PlanEnvironment["bdc"]["spark"]> = {}): PlanEnvironment {
  return {
    name: "test",
    eventHubs: { preventDestroy: false },
    bdc: {
      gatewayUrl,
      spark: {
        executors: 1,
        executorCores: 1,
        executorMemory: "512m",
        driverCores: 1,
        driverMemory: "512m",
        // Spark resolves hdfs:/// paths against the test HDFS, as a BDC's Spark does against its own.
        conf: { "spark.hadoop.fs.defaultFS": rpc, "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "1", ...HDFS_CLOSE_CONF, ...TEST_HDFS_CLIENT_CONF },
        ...spark,
      },
      job: {
        checkpointLocation: "/apps/checkpoints/sensor-aggregation-test",
        startingOffsets: "latest",
        maxOffsetsPerTrigger: 1000,
        triggerInterval: "5 seconds",
        database: "sensors_test",
        failOnDataLoss: true,
        maxSensorsPerBatch: 100_000,
      },
      deployer: { restartLimit: 5, restartBackoffSeconds: 60, restartMaxBackoffSeconds: 1800, restartStableAfterSeconds: 3600, deployDeadlineSeconds: 600, keepReleases: 5 },
      health: { maxBacklogRecords: 1_000_000, maxBacklogSeconds: 900, maxRejectedFraction: 0.05 },
      maintenance: { retentionDays: { data: 0, rejected: 30, stats: 0 }, timeoutSeconds: 240 },
    },
  };
}

export interface TestPlanOptions {
  timing?: Partial<DeployPlanConfig["timing"]>;
  spark?: Partial<PlanEnvironment["bdc"]["spark"]>;
  restartPolicy?: Partial<DeployPlanConfig["restartPolicy"]>;
  lock?: Partial<DeployPlanConfig["lock"]>;
  health?: Partial<DeployPlanConfig["health"]>;
}

export function testPlan(artifactDir: string, gatewayUrl: string, rpc: string, options: TestPlanOptions = {}): DeployPlanConfig {
  const manifest = parseManifest(readFileSync(join(artifactDir, "manifest.json"), "utf8"), artifactDir);
  const plan = deployPlanConfig(testEnvironment(gatewayUrl, rpc, options.spark), manifest, artifactDir, {
    bootstrap: "sensors-test.servicebus.windows.net:9093",
    inputTopic: "sensor-readings",
    outputTopic: "sensor-stats",
  });
  return {
    ...plan,
    // Grace: long enough for spark-submit's JVM to start the Python driver on 2 busy cores.
    timing: { ...plan.timing, startGraceSeconds: 20, pollSeconds: 1, startTimeoutSeconds: 180, createTablesTimeoutSeconds: 240, requestDeadlineSeconds: 60, ...options.timing },
    retry: { maxRetries: 3, minTimeoutMs: 50, maxTimeoutMs: 200 },
    lock: { ...plan.lock, waitSeconds: 300, ...options.lock },
    // A starting driver, and a deployer watching a lease Livy cannot account for, wait twice the test HDFS's soft limit.
    job: { ...plan.job, lease_wait_seconds: 2 * TEST_LEASE_SOFT_LIMIT_SECONDS },
    restartPolicy: { ...plan.restartPolicy, ...options.restartPolicy },
    health: { ...plan.health, ...options.health },
  };
}
