// Prints, as JSON, what each cloud environment's housekeeping must keep up with: its peak readings/s, its trigger,
// its maintenance timeout and its Spark executors (bench/maintenance/run.py reads this; config/ owns the figures).
import { loadEnvironments } from "../../config";
import { intervalMs } from "../../contracts/job-config";

/** How many times a day a five-field cron schedule fires, for the forms "M H * * *" with H a number, a list, a range,
 * "*" or a step; undefined for any other (the benchmark then says so). */
function runsPerDay(schedule: string): number | undefined {
  const [minute, hour, ...rest] = schedule.trim().split(/\s+/);
  if (!minute || !/^\d+$/.test(minute) || rest.join(" ") !== "* * *") return undefined;
  const hours = new Set<number>();
  for (const part of hour!.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === "*" ? 0 : Number(m[2]);
    const to = m[1] === "*" ? 23 : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? 23 : from;
    for (let h = from; h <= Math.min(to, 23); h += Number(m[4] ?? 1)) hours.add(h);
  }
  return hours.size;
}

const volumes = loadEnvironments().map((env) => ({
  name: env.name,
  peakEventsPerSecond: env.eventHubs.expectedLoad.peakEventsPerSecond,
  triggerSeconds: intervalMs(env.bdc.job.triggerInterval) / 1000,
  maintenanceSchedule: env.bdc.maintenance.schedule,
  runsPerDay: env.bdc.maintenance.schedule === "off" ? 0 : runsPerDay(env.bdc.maintenance.schedule) ?? null,
  maintenanceTimeoutSeconds: env.bdc.maintenance.timeoutSeconds,
  executorCores: env.bdc.spark.executors * env.bdc.spark.executorCores,
  // Spark's own default when the environment leaves it unset.
  shufflePartitions: Number(env.bdc.spark.conf["spark.sql.shuffle.partitions"] ?? 200),
  retentionDays: env.bdc.maintenance.retentionDays,
}));
process.stdout.write(JSON.stringify(volumes) + "\n");
