// local: the whole pipeline on this machine (`npm start`, src/local/): Kafka, HDFS, a Hive metastore, Livy on
// local Spark and the gateway stand-in, all on loopback. No stacks: main.ts synthesizes only the cloud environments.
// The gateway's address is the local stack's, known once it has started; the value here is a placeholder.
import type { DeepPartial } from "../deep-merge";
import type { EnvironmentInput } from "../schema";

export const local: DeepPartial<EnvironmentInput> & Pick<EnvironmentInput, "name" | "uniqueSuffix"> = {
  name: "local",
  uniqueSuffix: "l0c4l",
  tags: { environment: "local" },
  bdc: {
    // What runs locally is PySpark 3.5 (the artifact's local line); the release only names the BDC it stands for.
    release: 17,
    kubeContext: "none",
    gatewayUrl: "https://127.0.0.1:8443",
    spark: {
      executors: 1,
      executorCores: 1,
      executorMemory: "512m",
      driverCores: 1,
      driverMemory: "768m",
      // WARN: Spark's INFO lines cost a shared laptop CPU and push the job's own batch lines out of Livy's log.
      conf: { "spark.sql.shuffle.partitions": "2", "spark.ui.enabled": "false", "spark.log.level": "WARN" },
    },
    job: {
      checkpointLocation: "/apps/checkpoints/sensor-aggregation-local",
      startingOffsets: "earliest",
      maxOffsetsPerTrigger: 50_000,
      triggerInterval: "5 seconds",
      database: "sensors_local",
    },
    // Quick restarts: a local stack has no neighbours to protect.
    deployer: { restartBackoffSeconds: 0, restartStableAfterSeconds: 300 },
    maintenance: { schedule: "off" },
    simulator: { enabled: true, eventsPerSecond: 200 },
    // No storage account: the artifact is a directory on this machine.
    artifactStorage: { defaultAction: "Allow" },
  },
  localStack: { partitions: 2, sparkMaster: "local[2]", sensors: 5, malformedFraction: 0.01 },
};
