/** A deploy plan for the test services: built by deployPlanConfig(), then pointed at loopback and sped up. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest } from "../../../src/deployer/manifest";
import { deployPlanConfig, type DeployPlanConfig, type PlanEnvironment } from "../../../src/deployer/plan-config";

export function testEnvironment(gatewayUrl: string, rpc: string): PlanEnvironment {
  return {
    name: "test",
    bdc: {
      gatewayUrl,
      spark: {
        executors: 1,
        executorCores: 1,
        executorMemory: "512m",
        driverCores: 1,
        driverMemory: "512m",
        // Spark resolves hdfs:/// paths against the test HDFS, as a BDC's Spark does against its own.
        conf: { "spark.hadoop.fs.defaultFS": rpc, "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "1" },
      },
      job: {
        checkpointLocation: "/apps/checkpoints/sensor-aggregation-test",
        startingOffsets: "latest",
        maxOffsetsPerTrigger: 1000,
        triggerInterval: "5 seconds",
        database: "sensors_test",
      },
    },
  };
}

export function testPlan(artifactDir: string, gatewayUrl: string, rpc: string, overrides: Partial<DeployPlanConfig["timing"]> = {}): DeployPlanConfig {
  const manifest = parseManifest(readFileSync(join(artifactDir, "manifest.json"), "utf8"), artifactDir);
  const plan = deployPlanConfig(testEnvironment(gatewayUrl, rpc), manifest, artifactDir, {
    bootstrap: "sensors-test.servicebus.windows.net:9093",
    inputTopic: "sensor-readings",
    outputTopic: "sensor-stats",
  });
  return {
    ...plan,
    // Grace: long enough for spark-submit's JVM to start the Python driver on 2 busy cores.
    timing: { startGraceSeconds: 20, pollSeconds: 1, startTimeoutSeconds: 180, createTablesTimeoutSeconds: 240, ...overrides },
    retry: { maxRetries: 3, minTimeoutMs: 50, maxTimeoutMs: 200 },
  };
}
