// Spark sizing from the expected load (issue 28 item 3): a configured sizing that cannot keep up with the peak is
// refused at synth with the numbers; the derived sizing never is. Generated loads and sizings (fast-check) check
// that the refusal falls exactly where the arithmetic says.
import fc from "fast-check";
import { MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY } from "../../config/spark-sizing";
import { messagesOf, variant } from "./helpers";

const sizingMessages = (input: ReturnType<typeof variant>) => messagesOf(input).filter((m) => /bdc\.spark\.executors|bdc\.job\.maxOffsetsPerTrigger/.test(m));

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

test("a sizing is refused exactly when its cores or its maxOffsetsPerTrigger cannot keep up with the peak", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const messages = sizingMessages(inputOf(s));
      const peak = s.peak * (1 + s.headroom / 100);
      const coresShort = s.executors * s.cores * MEASURED_JOB_RATE.readingsPerCoreSecond * TARGET_BUSY < peak;
      const offsetsShort = s.maxOffsets / s.triggerSeconds < peak;
      return messages.some((m) => m.includes("bdc.spark.executors")) === coresShort && messages.some((m) => m.includes("bdc.job.maxOffsetsPerTrigger")) === offsetsShort;
    }),
  );
});

test("the derived sizing is never refused", () => {
  fc.assert(
    fc.property(arbitrarySizing, (s) => {
      const derived = sparkSizing({ load: { peakEventsPerSecond: s.peak, averageEventSizeBytes: 200, headroomPercent: s.headroom }, executors: s.executors, executorCores: s.cores, maxOffsetsPerTrigger: s.maxOffsets, triggerSeconds: s.triggerSeconds });
      if (derived.executorsNeeded > 200 || derived.maxOffsetsPerTriggerNeeded > 2 ** 31 - 1) return true; // past the schema's bounds
      return sizingMessages(inputOf({ ...s, executors: derived.executorsNeeded, maxOffsets: derived.maxOffsetsPerTriggerNeeded })).length === 0;
    }),
  );
});

test("the refusal names the shortfall with its numbers and where the rate was measured", () => {
  const messages = sizingMessages(inputOf({ peak: 40_000, headroom: 25, executors: 1, cores: 2, maxOffsets: 100_000, triggerSeconds: 15 }));
  expect(messages).toEqual([
    `dev: bdc.spark.executors: 1 — at least 2 executors of 2 cores: 1 × 2 cores at 34,000 readings per core-second (measured ${MEASURED_JOB_RATE.measuredOn}, ${MEASURED_JOB_RATE.machine}), busy at most 50%, do 34,000 readings/s < the expected peak with headroom, 50,000 readings/s (eventHubs.expectedLoad)`,
    "dev: bdc.job.maxOffsetsPerTrigger: 100000 — at least 750,000 (1,500,000 to catch up after a pause): 100,000 per 15 seconds trigger takes at most 6,667 readings/s < the expected peak with headroom, 50,000 readings/s (eventHubs.expectedLoad)",
  ]);
});
