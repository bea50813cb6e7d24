// Prints, as JSON, what each cloud environment's housekeeping must keep up with: its peak readings/s, its trigger,
// its maintenance timeout and its Spark executors (bench/maintenance/run.py reads this; config/ owns the figures).
import { loadEnvironments } from "../../config";
import { intervalMs } from "../../src/deployer/interval";

const volumes = loadEnvironments().map((env) => ({
  name: env.name,
  peakEventsPerSecond: env.eventHubs.expectedLoad.peakEventsPerSecond,
  triggerSeconds: intervalMs(env.bdc.job.triggerInterval) / 1000,
  maintenanceSchedule: env.bdc.maintenance.schedule,
  maintenanceTimeoutSeconds: env.bdc.maintenance.timeoutSeconds,
  executorCores: env.bdc.spark.executors * env.bdc.spark.executorCores,
  // Spark's own default when the environment leaves it unset.
  shufflePartitions: Number(env.bdc.spark.conf["spark.sql.shuffle.partitions"] ?? 200),
  retentionDays: env.bdc.maintenance.retentionDays,
}));
process.stdout.write(JSON.stringify(volumes) + "\n");
