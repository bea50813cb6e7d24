// The Spark sizing an environment leaves out is derived from its expected load (config/derived-sizing.ts, issue 28
// item 3): what it sets stays as set, what it leaves out is derived and never refused. Generated loads, with each of
// the three values set or left out (fast-check).
import fc from "fast-check";
import { DEFAULT_TRIGGER_SECONDS, loadEnvironments, validateEnvironment, type DerivableSizing, type UnsizedEnvironmentInput } from "../../config";
import { MEASURED_BATCH_COST, sparkSizing, TARGET_BUSY } from "../../config/spark-sizing";
import { messagesOf, variant } from "./helpers";

interface Case {
  peak: number;
  headroom: number;
  cores: number;
  executors: number | undefined;
  maxOffsets: number | undefined;
  triggerSeconds: number | undefined;
}

const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
const arbitraryCase: fc.Arbitrary<Case> = fc.record({
  // dev's simulator sends 20/s, which may not exceed the peak; dev's Standard namespace takes up to 40 TU.
  peak: fc.integer({ min: 20, max: 15_000 }),
  headroom: fc.integer({ min: 0, max: 100 }),
  cores: fc.integer({ min: 1, max: 64 }),
  executors: optional(fc.integer({ min: 1, max: 200 })),
  maxOffsets: optional(fc.integer({ min: 1, max: 10_000_000 })),
  triggerSeconds: optional(fc.integer({ min: 1, max: 600 })),
});

/** dev with the case's load and sizing, and the values the case leaves out removed (dev's file sets some). */
function inputOf(c: Case): UnsizedEnvironmentInput {
  const input = variant({ eventHubs: { expectedLoad: { peakEventsPerSecond: c.peak, averageEventSizeBytes: 200, headroomPercent: c.headroom } }, bdc: { spark: { executorCores: c.cores } } });
  const { spark, job } = input.bdc;
  if (c.executors === undefined) delete spark.executors;
  else spark.executors = c.executors;
  if (c.maxOffsets === undefined) delete job.maxOffsetsPerTrigger;
  else job.maxOffsetsPerTrigger = c.maxOffsets;
  if (c.triggerSeconds === undefined) delete job.triggerInterval;
  else job.triggerInterval = `${c.triggerSeconds} seconds`;
  return input;
}

const loadOf = (c: Case) => ({ peakEventsPerSecond: c.peak, averageEventSizeBytes: 200, headroomPercent: c.headroom });
const sizingAt = (c: Case, executors: number, triggerSeconds: number) => sparkSizing({ load: loadOf(c), executors, executorCores: c.cores, maxOffsetsPerTrigger: 1, triggerSeconds });
const sizingMessages = (c: Case) => messagesOf(inputOf(c)).filter((m) => /bdc\.spark\.executors|bdc\.job\.maxOffsetsPerTrigger|bdc\.job\.triggerInterval/.test(m));

/** What the derivation should give, computed here from spark-sizing.ts's arithmetic. */
function expected(c: Case): { executors: number | undefined; maxOffsets: number; triggerSeconds: number; derived: DerivableSizing[] } {
  const triggerSeconds =
    c.triggerSeconds ?? Math.max(DEFAULT_TRIGGER_SECONDS, (c.executors === undefined ? undefined : sizingAt(c, c.executors, DEFAULT_TRIGGER_SECONDS).triggerSecondsNeeded) ?? DEFAULT_TRIGGER_SECONDS);
  const executors = c.executors ?? sizingAt(c, 1, triggerSeconds).executorsNeeded;
  const derived: DerivableSizing[] = [];
  if (c.executors === undefined && executors !== undefined) derived.push("bdc.spark.executors");
  if (c.triggerSeconds === undefined) derived.push("bdc.job.triggerInterval");
  if (c.maxOffsets === undefined) derived.push("bdc.job.maxOffsetsPerTrigger");
  return { executors, maxOffsets: c.maxOffsets ?? Math.ceil(sizingAt(c, 1, triggerSeconds).peakPerSecond * triggerSeconds * 2), triggerSeconds, derived };
}

/** Within the schema's bounds: more than 200 executors or 2^31 offsets is refused as it always was. */
const inBounds = (e: ReturnType<typeof expected>) => (e.executors ?? 0) <= 200 && e.maxOffsets <= 2 ** 31 - 1;

test("what an environment sets stays as set; what it leaves out is derived from its load, and named as derived", () => {
  fc.assert(
    fc.property(arbitraryCase, (c) => {
      const e = expected(c);
      if (e.executors === undefined || !inBounds(e) || messagesOf(inputOf(c)).length > 0) return true; // refusals: the next tests
      const config = validateEnvironment("dev", inputOf(c));
      expect({ executors: config.bdc.spark.executors, maxOffsets: config.bdc.job.maxOffsetsPerTrigger, trigger: config.bdc.job.triggerInterval, derived: config.derivedSizing }).toEqual({
        executors: e.executors,
        maxOffsets: e.maxOffsets,
        trigger: `${e.triggerSeconds} seconds`,
        derived: e.derived,
      });
      return true;
    }),
  );
});

test("a derived value is never refused: only a value the environment set can fail the sizing rules", () => {
  fc.assert(
    fc.property(arbitraryCase, (c) => {
      const e = expected(c);
      if (!inBounds(e)) return true;
      const messages = sizingMessages(c);
      const refused = (path: string) => messages.some((m) => m.startsWith(`dev: ${path}:`));
      if (c.executors === undefined && e.executors !== undefined) expect(refused("bdc.spark.executors")).toBe(false);
      if (c.maxOffsets === undefined) expect(refused("bdc.job.maxOffsetsPerTrigger")).toBe(false);
      // All three left out: no sizing rule refuses the environment.
      if (c.executors === undefined && c.maxOffsets === undefined && c.triggerSeconds === undefined) expect(messages).toEqual([]);
      return true;
    }),
  );
});

test("executors left out at a trigger too short for any number of them: one message, saying why and what to set", () => {
  fc.assert(
    fc.property(arbitraryCase, fc.integer({ min: 1, max: Math.floor(MEASURED_BATCH_COST.fixedSeconds / TARGET_BUSY) }), (c, triggerSeconds) => {
      const messages = messagesOf(inputOf({ ...c, executors: undefined, maxOffsets: 1_000_000, triggerSeconds }));
      const executors = messages.filter((m) => m.includes("bdc.spark.executors"));
      expect(executors).toEqual([expect.stringMatching(/^dev: bdc\.spark\.executors: \(missing\) — set, or derived from the expected load at a trigger longer than 2\.52 seconds: .* whatever the executors$/)]);
      return true;
    }),
    { numRuns: 30 },
  );
});

test("the existing environments run with the sizing they ran with before it was derived (no redeploy on upgrade)", () => {
  const sizing = loadEnvironments(["dev", "staging", "prod"]).map((config) => [config.name, config.bdc.spark.executors, config.bdc.job.maxOffsetsPerTrigger, config.bdc.job.triggerInterval]);
  expect(sizing).toEqual([
    ["dev", 1, 20_000, "15 seconds"],
    ["staging", 2, 200_000, "15 seconds"],
    ["prod", 6, 1_000_000, "30 seconds"],
  ]);
});
