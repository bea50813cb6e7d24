// The Spark sizing an environment configures must keep up with its expected load (spark-sizing.ts): enough cores
// at the measured per-core rate, and a maxOffsetsPerTrigger that lets a trigger take the peak. Each shortfall is
// one violation, with the numbers.
import { intervalMs } from "../contracts/job-config";
import { MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY } from "./spark-sizing";
import type { Violation } from "./violation";

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === "object" ? (value as Raw) : {});
const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined);
const n = (value: number) => Math.round(value).toLocaleString("en-US");

export function sizingViolations(env: string, input: unknown): Violation[] {
  const root = record(input);
  // The local environment runs on this machine at whatever rate the simulator is set to.
  if (root.localStack !== undefined) return [];
  const load = record(record(root.eventHubs).expectedLoad);
  const spark = record(record(root.bdc).spark);
  const job = record(record(root.bdc).job);
  const peakEventsPerSecond = num(load.peakEventsPerSecond);
  const executors = num(spark.executors);
  const executorCores = num(spark.executorCores);
  const maxOffsetsPerTrigger = num(job.maxOffsetsPerTrigger);
  const trigger = typeof job.triggerInterval === "string" ? job.triggerInterval : undefined;
  // Malformed values are the schema's to report.
  if (peakEventsPerSecond === undefined || executors === undefined || executorCores === undefined || maxOffsetsPerTrigger === undefined || trigger === undefined) return [];
  const headroomPercent = typeof load.headroomPercent === "number" ? load.headroomPercent : 0;
  const averageEventSizeBytes = num(load.averageEventSizeBytes) ?? 1;
  const sizing = sparkSizing({ load: { peakEventsPerSecond, averageEventSizeBytes, headroomPercent }, executors, executorCores, maxOffsetsPerTrigger, triggerSeconds: intervalMs(trigger) / 1000 });
  const violations: Violation[] = [];
  const peak = `the expected peak with headroom, ${n(sizing.peakPerSecond)} readings/s (eventHubs.expectedLoad)`;
  if (sizing.configuredPerSecond * TARGET_BUSY < sizing.peakPerSecond) {
    violations.push({
      env,
      path: "bdc.spark.executors",
      value: executors,
      allowed: `at least ${sizing.executorsNeeded} executors of ${executorCores} cores: ${executors} × ${executorCores} cores at ${n(MEASURED_JOB_RATE.readingsPerCoreSecond)} readings per core-second (measured ${MEASURED_JOB_RATE.measuredOn}, ${MEASURED_JOB_RATE.machine}), busy at most ${TARGET_BUSY * 100}%, do ${n(sizing.configuredPerSecond * TARGET_BUSY)} readings/s < ${peak}`,
    });
  }
  if (sizing.configuredOffsetsPerSecond < sizing.peakPerSecond) {
    violations.push({
      env,
      path: "bdc.job.maxOffsetsPerTrigger",
      value: maxOffsetsPerTrigger,
      allowed: `at least ${n(Math.ceil(sizing.peakPerSecond * sizing.triggerSeconds))} (${n(sizing.maxOffsetsPerTriggerNeeded)} to catch up after a pause): ${n(maxOffsetsPerTrigger)} per ${trigger} trigger takes at most ${n(sizing.configuredOffsetsPerSecond)} readings/s < ${peak}`,
    });
  }
  return violations;
}
