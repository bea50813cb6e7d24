// The Spark sizing an environment leaves out is derived from its expected load (issue 28 item 3), as the Event Hubs
// capacity is: config may set any of these values, and what it leaves out comes from spark-sizing.ts.
//   bdc.job.triggerInterval       set, or DEFAULT_TRIGGER_SECONDS; when the executors are set, the shortest
//                                 whole-second trigger at which they keep up, if that is longer than the default and
//                                 at most MAX_DERIVED_TRIGGER_SECONDS (longer ones leave readings stale: the default,
//                                 and sizing-rules.ts refuses the executors with both remedies);
//   bdc.spark.executors           set, or the fewest executors of bdc.spark.executorCores that keep up at the trigger
//                                 (at most MAX_EXECUTORS);
//   bdc.job.maxOffsetsPerTrigger  set, or CATCH_UP × one trigger's peak input.
// The local environment sets its own (it runs on this machine). A derived value passes sizing-rules.ts; a set one is
// checked as before. When no number of executors up to MAX_EXECUTORS keeps up at the trigger, executors stay unset
// and sizing-rules.ts says why.
import { intervalMs } from "../contracts/job-config";
import { isRecord, positiveNumber, record, type Raw } from "./raw-input";
import { MAX_EXECUTORS, type EnvironmentInput } from "./schema";
import { sparkSizing } from "./spark-sizing";

/** The trigger an environment that sets neither its trigger nor its executors gets: fresh, and few small files. */
export const DEFAULT_TRIGGER_SECONDS = 15;
/** The longest trigger derived for configured executors; a longer one must be set, knowing its readings' age. */
export const MAX_DERIVED_TRIGGER_SECONDS = 60;

/** The derivable values' paths, as the plan and the violations name them. */
export const DERIVABLE_SIZING = ["bdc.spark.executors", "bdc.job.triggerInterval", "bdc.job.maxOffsetsPerTrigger"] as const;
export type DerivableSizing = (typeof DERIVABLE_SIZING)[number];

type Bdc = EnvironmentInput["bdc"];
/** An environment's input before derivation: the derivable values may be absent. */
export type UnsizedEnvironmentInput = Omit<EnvironmentInput, "bdc"> & {
  bdc: Omit<Bdc, "spark" | "job"> & {
    spark: Omit<Bdc["spark"], "executors"> & Partial<Pick<Bdc["spark"], "executors">>;
    job: Omit<Bdc["job"], "maxOffsetsPerTrigger" | "triggerInterval"> & Partial<Pick<Bdc["job"], "maxOffsetsPerTrigger" | "triggerInterval">>;
  };
};

const seconds = (count: number) => `${count} second${count === 1 ? "" : "s"}`;

/** The input with its absent derivable values filled in, and which were. Malformed or local input comes back as it
 * was: the schema reports what is malformed, and the local stack sizes itself for this machine. */
export function withDerivedSizing<T>(input: T): { input: T; derived: DerivableSizing[] } {
  const root = record(input);
  const bdc = record(root.bdc);
  const spark = record(bdc.spark);
  const job = record(bdc.job);
  const load = record(record(root.eventHubs).expectedLoad);
  const peakEventsPerSecond = positiveNumber(load.peakEventsPerSecond);
  const executorCores = positiveNumber(spark.executorCores);
  const absent = (value: unknown) => value === undefined;
  if (!isRecord(input) || root.localStack !== undefined || peakEventsPerSecond === undefined || executorCores === undefined) return { input, derived: [] };
  if (!absent(spark.executors) && !absent(job.triggerInterval) && !absent(job.maxOffsetsPerTrigger)) return { input, derived: [] };
  const expectedLoad = { peakEventsPerSecond, averageEventSizeBytes: positiveNumber(load.averageEventSizeBytes) ?? 1, headroomPercent: typeof load.headroomPercent === "number" ? load.headroomPercent : 0 };
  const sizingAt = (executors: number, triggerSeconds: number) => sparkSizing({ load: expectedLoad, executors, executorCores, maxOffsetsPerTrigger: 1, triggerSeconds });
  const derived: DerivableSizing[] = [];

  let trigger = job.triggerInterval; // a malformed one stays, for the schema to report
  if (absent(job.triggerInterval)) {
    const executors = positiveNumber(spark.executors);
    const needed = executors === undefined ? undefined : sizingAt(executors, DEFAULT_TRIGGER_SECONDS).triggerSecondsNeeded;
    trigger = seconds(needed !== undefined && needed > DEFAULT_TRIGGER_SECONDS && needed <= MAX_DERIVED_TRIGGER_SECONDS ? needed : DEFAULT_TRIGGER_SECONDS);
    derived.push("bdc.job.triggerInterval");
  }
  const triggerSeconds = typeof trigger === "string" && intervalMs(trigger) > 0 ? intervalMs(trigger) / 1000 : undefined;
  // What the load asks for at that trigger (neither value below depends on the executors given).
  const atTrigger = triggerSeconds === undefined ? undefined : sizingAt(1, triggerSeconds);
  let executors = spark.executors;
  if (absent(spark.executors) && atTrigger !== undefined) {
    const needed = atTrigger.executorsNeeded;
    executors = needed !== undefined && needed <= MAX_EXECUTORS ? needed : undefined;
    if (executors !== undefined) derived.push("bdc.spark.executors");
  }
  let maxOffsetsPerTrigger = job.maxOffsetsPerTrigger;
  if (absent(job.maxOffsetsPerTrigger) && atTrigger !== undefined) {
    maxOffsetsPerTrigger = atTrigger.maxOffsetsPerTriggerNeeded;
    derived.push("bdc.job.maxOffsetsPerTrigger");
  }
  const sized = { ...root, bdc: { ...bdc, spark: { ...spark, executors }, job: { ...job, triggerInterval: trigger, maxOffsetsPerTrigger } } };
  // An executor count no trigger allows stays absent (sizing-rules.ts explains); undefined keys would read as set.
  if (executors === undefined) delete (sized.bdc.spark as Raw).executors;
  return { input: sized as T, derived: DERIVABLE_SIZING.filter((path) => derived.includes(path)) };
}
