// Spark sizing from the expected load (issue 28 item 3), as config/capacity.ts sizes Event Hubs from it.
//
// The job reads the peak load plus its headroom (capacity.ts sizedLoad). What the job costs is measured, not
// guessed: MEASURED_JOB_RATE, readings per core-second, from `npm run bench:job` (the job's logic over one batch
// read from a real Kafka topic), and MEASURED_BATCH_COST, the fixed cost of a micro-batch, from `npm run bench:e2e`
// (its Spark jobs, metastore calls and checkpoint logs), each with the day and the machine it was measured on.
// At the peak a batch takes its fixed cost plus one trigger's input at the per-core rate, and may keep the cores
// busy at most TARGET_BUSY of the trigger, so there is room for a slower node and a replay:
//   fixed + T × peak ÷ (cores × rate) ≤ TARGET_BUSY × T
// From this one inequality, each value given the others:
//   cores      = ceil(peak ÷ (rate × (TARGET_BUSY − fixed ÷ T)))   (none when T ≤ fixed ÷ TARGET_BUSY)
//   trigger T  = ceil(fixed ÷ (TARGET_BUSY − peak ÷ (cores × rate)))  (none when the cores alone are too busy)
//   executors  = ceil(cores ÷ executor cores)
//   maxOffsetsPerTrigger = peak readings/s × T × CATCH_UP (a batch can take the peak and catch up)
// The configured bdc.spark and bdc.job values stay as configured; sizingViolations refuses a sizing for which the
// inequality fails (naming both remedies, more cores or a longer trigger), and a maxOffsetsPerTrigger below one
// trigger's peak input (1×: the derived 2× is advice).
import { sizedLoad, type ExpectedLoad } from "./capacity";
import { TARGET_BUSY } from "../contracts/sizing-margin";

export { TARGET_BUSY };

/** The job's measured throughput per core; re-measure with `npm run bench:job` when the job's logic changes. */
export const MEASURED_JOB_RATE = {
  // bench:job printed 104,742 and 119,928 readings/s for the job's logic on local[2] (two rounds, a quiet machine):
  // the lesser, over 2 cores. (34,000 before the reading checks' shortcuts, 2026-12-07.)
  readingsPerCoreSecond: 52_000,
  measuredOn: "2026-12-08",
  machine: "2-core sandbox, local[2], Spark 3.5, 1M readings",
} as const;

/** A micro-batch's fixed cost; re-measure with `npm run bench:e2e` when the job's writes change. */
export const MEASURED_BATCH_COST = {
  // bench:e2e at 200 and 1,000 readings/s: a line through 24 batches' rows and durations met 0 rows at 1.26 s.
  fixedSeconds: 1.26,
  measuredOn: "2026-12-07",
  machine: "2-core sandbox, local[2], Spark 3.5, HDFS and a Derby metastore",
} as const;

/** maxOffsetsPerTrigger over one trigger's peak input: a batch after a pause takes more than it, and catches up. */
export const CATCH_UP = 2;

export interface SparkSizingInput {
  readonly load: ExpectedLoad;
  readonly executors: number;
  readonly executorCores: number;
  readonly maxOffsetsPerTrigger: number;
  readonly triggerSeconds: number;
}

export interface SparkSizing {
  /** The peak plus headroom the job must keep up with, readings/s. */
  readonly peakPerSecond: number;
  readonly triggerSeconds: number;
  /** Cores that keep up at the configured trigger; undefined when no number does (the trigger is too short). */
  readonly coresNeeded: number | undefined;
  readonly executorsNeeded: number | undefined;
  /** The shortest whole-second trigger at which the configured cores keep up; undefined when none does. */
  readonly triggerSecondsNeeded: number | undefined;
  readonly maxOffsetsPerTriggerNeeded: number;
  /** The fraction of a trigger the configured cores are busy at the peak: its fixed cost and its input. */
  readonly busyFraction: number;
  /** What the configured cores do at the measured rate, readings/s. */
  readonly configuredPerSecond: number;
  /** The highest peak the configured cores keep up with at the configured trigger (after each batch's fixed cost), readings/s. */
  readonly configuredPeakPerSecond: number;
  /** What the configured maxOffsetsPerTrigger lets a trigger take, readings/s. */
  readonly configuredOffsetsPerSecond: number;
}

/** The fraction of a trigger that cores doing `perSecond` readings/s are busy at the peak: a batch's fixed cost
 * plus one trigger's input. sizing-rules.ts refuses a sizing above TARGET_BUSY; the derivations below use this
 * same function, so a derived value is never refused by float noise. */
export function busyFraction(peakPerSecond: number, perSecond: number, triggerSeconds: number, fixedSeconds = MEASURED_BATCH_COST.fixedSeconds): number {
  return (fixedSeconds + (triggerSeconds * peakPerSecond) / perSecond) / triggerSeconds;
}

/** The least whole number ≥ 1 for which `fits` holds (fits is monotone), from a real-valued estimate that float
 * noise may put a hair off a whole number either way. */
function leastWhole(estimate: number, fits: (n: number) => boolean): number {
  let n = Math.max(1, Math.ceil(estimate));
  while (n > 1 && fits(n - 1)) n -= 1;
  while (!fits(n)) n += 1;
  return n;
}

export function sparkSizing(input: SparkSizingInput, rate = MEASURED_JOB_RATE.readingsPerCoreSecond, fixedSeconds = MEASURED_BATCH_COST.fixedSeconds): SparkSizing {
  const peakPerSecond = sizedLoad(input.load).eventsPerSecond;
  const T = input.triggerSeconds;
  const configuredPerSecond = input.executors * input.executorCores * rate;
  const fits = (perSecond: number, trigger: number) => busyFraction(peakPerSecond, perSecond, trigger, fixedSeconds) <= TARGET_BUSY;
  const coreRoom = TARGET_BUSY - fixedSeconds / T; // the share of a trigger left for readings
  const coresNeeded = coreRoom > 0 ? leastWhole(peakPerSecond / (rate * coreRoom), (cores) => fits(cores * rate, T)) : undefined;
  const triggerRoom = TARGET_BUSY - peakPerSecond / configuredPerSecond;
  return {
    peakPerSecond,
    triggerSeconds: T,
    coresNeeded,
    executorsNeeded: coresNeeded === undefined ? undefined : Math.ceil(coresNeeded / input.executorCores),
    triggerSecondsNeeded: triggerRoom > 0 ? leastWhole(fixedSeconds / triggerRoom, (trigger) => fits(configuredPerSecond, trigger)) : undefined,
    maxOffsetsPerTriggerNeeded: Math.ceil(peakPerSecond * T * CATCH_UP),
    busyFraction: busyFraction(peakPerSecond, configuredPerSecond, T, fixedSeconds),
    configuredPerSecond,
    configuredPeakPerSecond: configuredPerSecond * Math.max(0, coreRoom),
    configuredOffsetsPerSecond: input.maxOffsetsPerTrigger / T,
  };
}
