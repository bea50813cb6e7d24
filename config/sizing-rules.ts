// The Spark sizing an environment configures must keep up with its expected load (spark-sizing.ts): cores and a
// trigger for which a batch's fixed cost and the peak's input keep the cores busy at most TARGET_BUSY of each
// trigger, and a maxOffsetsPerTrigger that lets a trigger take the peak. Each shortfall is one violation, with the
// numbers and the remedies. Values the environment left out were derived before this (derived-sizing.ts), so they
// pass; this checks the ones it set.
import { intervalMs } from "../contracts/job-config";
import type { DerivableSizing } from "./derived-sizing";
import { positiveNumber, record } from "./raw-input";
import { MAX_EXECUTORS } from "./schema";
import { MEASURED_BATCH_COST, MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY, type SparkSizing } from "./spark-sizing";
import type { Violation } from "./violation";

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const count = (value: number, thing: string) => `${value} ${thing}${value === 1 ? "" : "s"}`;

/** `derived`: the values derived-sizing.ts filled in; a message that names a derived trigger says so. */
export function sizingViolations(env: string, input: unknown, derived: readonly DerivableSizing[] = []): Violation[] {
  const root = record(input);
  // The local environment runs on this machine at whatever rate the simulator is set to.
  if (root.localStack !== undefined) return [];
  const load = record(record(root.eventHubs).expectedLoad);
  const spark = record(record(root.bdc).spark);
  const job = record(record(root.bdc).job);
  const peakEventsPerSecond = positiveNumber(load.peakEventsPerSecond);
  const executorCores = positiveNumber(spark.executorCores);
  const maxOffsetsPerTrigger = positiveNumber(job.maxOffsetsPerTrigger);
  const trigger = typeof job.triggerInterval === "string" && intervalMs(job.triggerInterval) > 0 ? job.triggerInterval : undefined;
  // Malformed values are the schema's to report.
  if (peakEventsPerSecond === undefined || executorCores === undefined || trigger === undefined) return [];
  const headroomPercent = typeof load.headroomPercent === "number" ? load.headroomPercent : 0;
  const averageEventSizeBytes = positiveNumber(load.averageEventSizeBytes) ?? 1;
  const triggerSeconds = intervalMs(trigger) / 1000;
  const triggerNote = derived.includes("bdc.job.triggerInterval") ? ` (the ${trigger} trigger was derived from the load: set bdc.job.triggerInterval to choose another)` : "";
  const executors = positiveNumber(spark.executors);
  // Executors left out and not derivable (derived-sizing.ts): none up to MAX_EXECUTORS keeps up at this trigger.
  const underivable = spark.executors === undefined;
  const sizing = sparkSizing({ load: { peakEventsPerSecond, averageEventSizeBytes, headroomPercent }, executors: executors ?? 1, executorCores, maxOffsetsPerTrigger: maxOffsetsPerTrigger ?? 1, triggerSeconds });
  const violations: Violation[] = [];
  if (underivable) {
    const shortest = MEASURED_BATCH_COST.fixedSeconds / TARGET_BUSY;
    violations.push({
      env,
      path: "bdc.spark.executors",
      value: undefined,
      allowed:
        sizing.executorsNeeded === undefined
          ? `set, or derived from the expected load at a trigger longer than ${shortest} seconds: at the ${trigger} trigger a batch's fixed cost alone (${MEASURED_BATCH_COST.fixedSeconds} s, bench:e2e, ${MEASURED_BATCH_COST.measuredOn}) takes ${Math.round((MEASURED_BATCH_COST.fixedSeconds / triggerSeconds) * 100)}% of it, above ${TARGET_BUSY * 100}%, whatever the executors${triggerNote}`
          : `not derived: the expected peak with headroom, ${n(sizing.peakPerSecond)} readings/s, needs ${count(sizing.executorsNeeded, "executor")} of ${count(executorCores, "core")} at the ${trigger} trigger, more than ${MAX_EXECUTORS}: more bdc.spark.executorCores, or a longer trigger${triggerNote}`,
    });
  }
  if (executors === undefined || maxOffsetsPerTrigger === undefined) {
    // The offsets per trigger do not depend on the executors: checked whenever they are set.
    if (maxOffsetsPerTrigger !== undefined && sizing.configuredOffsetsPerSecond < sizing.peakPerSecond) violations.push(offsetsViolation(env, sizing, maxOffsetsPerTrigger, trigger, triggerNote));
    return violations;
  }
  const peak = `the expected peak with headroom, ${n(sizing.peakPerSecond)} readings/s (eventHubs.expectedLoad)`;
  if (sizing.busyFraction > TARGET_BUSY) {
    const measured = `measured: ${n(MEASURED_JOB_RATE.readingsPerCoreSecond)} readings per core-second (bench:job, ${MEASURED_JOB_RATE.measuredOn}, ${MEASURED_JOB_RATE.machine}), a fixed cost of ${MEASURED_BATCH_COST.fixedSeconds} s a batch (bench:e2e, ${MEASURED_BATCH_COST.measuredOn}, ${MEASURED_BATCH_COST.machine})`;
    const busy = `${executors} × ${count(executorCores, "core")} are busy ${Math.round(sizing.busyFraction * 100)}% of each ${trigger} trigger at ${peak}, above ${TARGET_BUSY * 100}%`;
    if (sizing.executorsNeeded === undefined) {
      violations.push({
        env,
        path: "bdc.job.triggerInterval",
        value: trigger,
        allowed: `${sizing.triggerSecondsNeeded === undefined ? `longer than ${MEASURED_BATCH_COST.fixedSeconds / TARGET_BUSY} seconds, with more cores` : `at least ${sizing.triggerSecondsNeeded} seconds`}: at this trigger a batch's fixed cost alone takes ${Math.round((MEASURED_BATCH_COST.fixedSeconds / sizing.triggerSeconds) * 100)}% of it, whatever the cores; ${busy}; ${measured}${triggerNote}`,
      });
    } else {
      // A longer trigger takes more readings a batch: maxOffsetsPerTrigger must take its peak input too.
      const offsetsFor = (seconds: number) => n(Math.ceil(sizing.peakPerSecond * seconds));
      const orTrigger =
        sizing.triggerSecondsNeeded === undefined
          ? ""
          : `, or a trigger of at least ${sizing.triggerSecondsNeeded} seconds with ${count(executors, "executor")} (and a maxOffsetsPerTrigger of at least ${offsetsFor(sizing.triggerSecondsNeeded)})`;
      violations.push({
        env,
        path: "bdc.spark.executors",
        value: executors,
        allowed: `at least ${count(sizing.executorsNeeded, "executor")} of ${count(executorCores, "core")} at the ${trigger} trigger${orTrigger}: ${busy}; ${measured}${triggerNote}`,
      });
    }
  }
  if (sizing.configuredOffsetsPerSecond < sizing.peakPerSecond) violations.push(offsetsViolation(env, sizing, maxOffsetsPerTrigger, trigger, triggerNote));
  return violations;
}

function offsetsViolation(env: string, sizing: SparkSizing, maxOffsetsPerTrigger: number, trigger: string, triggerNote: string): Violation {
  const peak = `the expected peak with headroom, ${n(sizing.peakPerSecond)} readings/s (eventHubs.expectedLoad)`;
  return {
    env,
    path: "bdc.job.maxOffsetsPerTrigger",
    value: maxOffsetsPerTrigger,
    allowed: `at least ${n(Math.ceil(sizing.peakPerSecond * sizing.triggerSeconds))} (${n(sizing.maxOffsetsPerTriggerNeeded)} to catch up after a pause): ${n(maxOffsetsPerTrigger)} per ${trigger} trigger takes at most ${n(sizing.configuredOffsetsPerSecond)} readings/s < ${peak}${triggerNote}`,
  };
}
