// Spark sizing from the expected load (issue 28 item 3), as config/capacity.ts sizes Event Hubs from it.
//
// The job reads the peak load plus its headroom (capacity.ts sizedLoad). What one core of the job does is
// measured, not guessed: MEASURED_JOB_RATE, from `npm run bench:job` (the job's logic over one batch read from a
// real Kafka topic, local[2]), with the day and the machine it was measured on. At the peak the cores may be busy
// at most TARGET_BUSY of the time, so a batch leaves room for the fixed cost of the next, a slower cluster node and
// a replay. From these:
//   cores      = ceil(peak readings/s ÷ (readings per core-second × TARGET_BUSY))
//   executors  = ceil(cores ÷ executor cores)
//   maxOffsetsPerTrigger = peak readings/s × trigger seconds × CATCH_UP (a batch can take the peak and catch up)
// The configured bdc.spark and bdc.job values stay as configured; sizingViolations refuses cores that cannot keep
// up with the peak, and a maxOffsetsPerTrigger below one trigger's peak input (1×: the derived 2× is advice).
import { sizedLoad, type ExpectedLoad } from "./capacity";
import { TARGET_BUSY } from "../contracts/sizing-margin";

export { TARGET_BUSY };

/** The job's measured throughput per core; re-measure with `npm run bench:job` when the job's logic changes. */
export const MEASURED_JOB_RATE = {
  // bench:job printed 68,145 readings/s for the job's logic on local[2] (its better round of two), over 2 cores.
  readingsPerCoreSecond: 34_000,
  measuredOn: "2026-12-07",
  machine: "2-core sandbox, local[2], Spark 3.5, 1M readings",
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
  readonly coresNeeded: number;
  readonly executorsNeeded: number;
  readonly maxOffsetsPerTriggerNeeded: number;
  /** What the configured cores do at the measured rate, readings/s. */
  readonly configuredPerSecond: number;
  /** What the configured maxOffsetsPerTrigger lets a trigger take, readings/s. */
  readonly configuredOffsetsPerSecond: number;
}

export function sparkSizing(input: SparkSizingInput, rate = MEASURED_JOB_RATE.readingsPerCoreSecond): SparkSizing {
  const peakPerSecond = sizedLoad(input.load).eventsPerSecond;
  const coresNeeded = Math.max(1, Math.ceil(peakPerSecond / (rate * TARGET_BUSY)));
  return {
    peakPerSecond,
    triggerSeconds: input.triggerSeconds,
    coresNeeded,
    executorsNeeded: Math.ceil(coresNeeded / input.executorCores),
    maxOffsetsPerTriggerNeeded: Math.ceil(peakPerSecond * input.triggerSeconds * CATCH_UP),
    configuredPerSecond: input.executors * input.executorCores * rate,
    configuredOffsetsPerSecond: input.maxOffsetsPerTrigger / input.triggerSeconds,
  };
}
