// Spark sizing from the expected load (issue 28 item 3): a configured sizing that cannot keep up with the peak is
// refused at synth with the numbers; the derived sizing never is. Generated loads and sizings (fast-check) check
// that the refusal falls exactly where the arithmetic says.
import fc from "fast-check";
import { MEASURED_BATCH_COST, MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY } from "../../config/spark-sizing";
import { messagesOf, variant } from "./helpers";

const sizingMessages = (input: ReturnType<typeof variant>) => messagesOf(input).filter((m) => /bdc\.spark\.executors|bdc\.job\.maxOffsetsPerTrigger|bdc\.job\.triggerInterval/.test(m));

const arbitrarySizing: fc.Arbitrary<Sizing> = fc.record({
  peak: fc.integer({ min: 1, max: 200_000 }),
  headroom: fc.integer({ min: 0, max: 300 }),
  executors: fc.integer({ min: 1, max: 200 }),
  cores: fc.integer({ min: 1, max: 64 }),
  maxOffsets: fc.integer({ min: 1, max: 10_000_000 }),
  triggerSeconds: fc.integer({ min: 1, max: 600 }),
});

interface Sizing {
  peak: number;
  headroom: number;
  executors: number;
  cores: number;
  maxOffsets: number;
  triggerSeconds: number;
}

const inputOf = (s: Sizing) =>
  variant({
    eventHubs: { expectedLoad: { peakEventsPerSecond: s.peak, averageEventSizeBytes: 200, headroomPercent: s.headroom } },
    bdc: { spark: { executors: s.executors, executorCores: s.cores }, job: { maxOffsetsPerTrigger: s.maxOffsets, triggerInterval: `${s.triggerSeconds} seconds` } },
  });

/** What spark-sizing.ts derives from the same load and sizing. */
const derivedFor = (s: Sizing) =>
  sparkSizing({ load: { peakEventsPerSecond: s.peak, averageEventSizeBytes: 200, headroomPercent: s.headroom }, executors: s.executors, executorCores: s.cores, maxOffsetsPerTrigger: s.maxOffsets, triggerSeconds: s.triggerSeconds });

test("a sizing is refused exactly when a batch keeps its cores too busy or its maxOffsetsPerTrigger cannot take the peak", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const messages = sizingMessages(inputOf(s));
      const peak = s.peak * (1 + s.headroom / 100);
      // A batch's fixed cost plus one trigger's peak input at the measured rate, over the trigger.
      const busy = (MEASURED_BATCH_COST.fixedSeconds + (s.triggerSeconds * peak) / (s.executors * s.cores * MEASURED_JOB_RATE.readingsPerCoreSecond)) / s.triggerSeconds;
      const tooBusy = busy > TARGET_BUSY;
      const noCoresSuffice = s.triggerSeconds <= MEASURED_BATCH_COST.fixedSeconds / TARGET_BUSY;
      const offsetsShort = s.maxOffsets / s.triggerSeconds < peak;
      return (
        messages.some((m) => m.includes("bdc.spark.executors")) === (tooBusy && !noCoresSuffice) &&
        messages.some((m) => m.includes("bdc.job.triggerInterval")) === (tooBusy && noCoresSuffice) &&
        messages.some((m) => m.includes("bdc.job.maxOffsetsPerTrigger:")) === offsetsShort
      );
    }),
  );
});

test("the derived executors (at the configured trigger) and the derived trigger (with the configured cores) are never refused", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const derived = derivedFor(s);
      const maxOffsets = derived.maxOffsetsPerTriggerNeeded;
      if (maxOffsets > 2 ** 31 - 1) return true; // past the schema's bounds
      const withExecutors = derived.executorsNeeded === undefined || derived.executorsNeeded > 200 || sizingMessages(inputOf({ ...s, executors: derived.executorsNeeded, maxOffsets })).length === 0;
      const trigger = derived.triggerSecondsNeeded;
      // A longer trigger needs a larger maxOffsetsPerTrigger to take the peak: the one derived for it.
      const forTrigger = trigger === undefined ? 0 : Math.ceil(derived.peakPerSecond * trigger * 2);
      const withTrigger = trigger === undefined || trigger > 600 || forTrigger > 2 ** 31 - 1 || sizingMessages(inputOf({ ...s, triggerSeconds: trigger, maxOffsets: forTrigger })).length === 0;
      return withExecutors && withTrigger;
    }),
  );
});

test("at the configured trigger, the derived executors are the fewest that are not refused", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const derived = derivedFor(s);
      const executors = derived.executorsNeeded;
      if (executors === undefined || executors <= 1 || executors > 201) return true;
      return sizingMessages(inputOf({ ...s, executors: executors - 1, maxOffsets: 2 ** 31 - 1 })).some((m) => m.includes("bdc.spark.executors"));
    }),
  );
});

test("a sizing exactly at the bound is kept, and derives itself", () => {
  // 12,896/s on one core at 52,000/s is 1.24 s of a 5 s trigger; with the 1.26 s fixed cost, exactly 50%.
  const s = { peak: 12_896, headroom: 0, executors: 1, cores: 1, maxOffsets: 100_000, triggerSeconds: 5 };
  expect(sizingMessages(inputOf(s))).toEqual([]);
  const derived = derivedFor(s);
  expect([derived.executorsNeeded, derived.triggerSecondsNeeded]).toEqual([1, 5]);
});

test("with the configured cores, the derived trigger is the shortest whole second that is not refused", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const derived = derivedFor(s);
      const trigger = derived.triggerSecondsNeeded;
      if (trigger === undefined || trigger <= 1 || trigger > 600) return true;
      const shorter = trigger - 1;
      const busyMessages = sizingMessages(inputOf({ ...s, triggerSeconds: shorter, maxOffsets: 2 ** 31 - 1 })).filter((m) => !m.includes("bdc.job.maxOffsetsPerTrigger:"));
      return busyMessages.length > 0;
    }),
  );
});

test("the refusal names the shortfall with its numbers, its remedies and where the costs were measured", () => {
  const measured = `measured: 52,000 readings per core-second (bench:job, ${MEASURED_JOB_RATE.measuredOn}, ${MEASURED_JOB_RATE.machine}), a fixed cost of 1.26 s a batch (bench:e2e, ${MEASURED_BATCH_COST.measuredOn}, ${MEASURED_BATCH_COST.machine})`;
  const peak = "the expected peak with headroom, 75,000 readings/s (eventHubs.expectedLoad)";
  // 2 cores do 104,000/s, busy 72% with readings alone: no trigger helps, more executors do.
  expect(sizingMessages(inputOf({ peak: 60_000, headroom: 25, executors: 1, cores: 2, maxOffsets: 100_000, triggerSeconds: 15 }))).toEqual([
    `dev: bdc.spark.executors: 1 — at least 2 executors of 2 cores at the 15 seconds trigger: 1 × 2 cores are busy 81% of each 15 seconds trigger at ${peak}, above 50%; ${measured}`,
    `dev: bdc.job.maxOffsetsPerTrigger: 100000 — at least 1,125,000 (2,250,000 to catch up after a pause): 100,000 per 15 seconds trigger takes at most 6,667 readings/s < ${peak}`,
  ]);
  // 4 cores do 208,000/s, busy 36% with readings alone: at 5 s the fixed cost adds 25%, too much; at 10 s, 13% fits.
  expect(sizingMessages(inputOf({ peak: 60_000, headroom: 25, executors: 2, cores: 2, maxOffsets: 10_000_000, triggerSeconds: 5 }))).toEqual([
    `dev: bdc.spark.executors: 2 — at least 3 executors of 2 cores at the 5 seconds trigger, or a trigger of at least 10 seconds with 2 executors (and a maxOffsetsPerTrigger of at least 750,000): 2 × 2 cores are busy 61% of each 5 seconds trigger at ${peak}, above 50%; ${measured}`,
  ]);
  expect(sizingMessages(inputOf({ peak: 100, headroom: 0, executors: 2, cores: 2, maxOffsets: 10_000, triggerSeconds: 2 }))).toEqual([
    `dev: bdc.job.triggerInterval: "2 seconds" — at least 3 seconds: at this trigger a batch's fixed cost alone takes 63% of it, whatever the cores; 2 × 2 cores are busy 63% of each 2 seconds trigger at the expected peak with headroom, 100 readings/s (eventHubs.expectedLoad), above 50%; ${measured}`,
  ]);
});
