// The Spark sizing an environment leaves out is derived from its expected load (config/derived-sizing.ts, issue 28
// item 3): what it sets stays as set, what it leaves out is derived and never refused. Generated loads, with each of
// the three values set or left out (fast-check).
import fc from "fast-check";
import { DEFAULT_TRIGGER_SECONDS, environmentInput, loadEnvironments, validateEnvironment, withDerivedSizing, type DerivableSizing, type UnsizedEnvironmentInput } from "../../config";
import { MAX_DERIVED_TRIGGER_SECONDS } from "../../config/derived-sizing";
import { MAX_EXECUTORS } from "../../config/schema";
import { MEASURED_BATCH_COST, MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY } from "../../config/spark-sizing";
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
  // With executors set, the trigger they keep up at, if longer than the default and not past the longest derived.
  const needed = c.executors === undefined ? undefined : sizingAt(c, c.executors, DEFAULT_TRIGGER_SECONDS).triggerSecondsNeeded;
  const triggerSeconds = c.triggerSeconds ?? (needed !== undefined && needed > DEFAULT_TRIGGER_SECONDS && needed <= MAX_DERIVED_TRIGGER_SECONDS ? needed : DEFAULT_TRIGGER_SECONDS);
  const fewest = sizingAt(c, 1, triggerSeconds).executorsNeeded;
  const executors = c.executors ?? (fewest !== undefined && fewest <= MAX_EXECUTORS ? fewest : undefined);
  const derived: DerivableSizing[] = [];
  if (c.executors === undefined && executors !== undefined) derived.push("bdc.spark.executors");
  if (c.triggerSeconds === undefined) derived.push("bdc.job.triggerInterval");
  if (c.maxOffsets === undefined) derived.push("bdc.job.maxOffsetsPerTrigger");
  return { executors, maxOffsets: c.maxOffsets ?? Math.ceil(sizingAt(c, 1, triggerSeconds).peakPerSecond * triggerSeconds * 2), triggerSeconds, derived };
}

/** Within the schema's bounds: more than MAX_EXECUTORS set executors are refused as they always were. */
const inBounds = (e: ReturnType<typeof expected>) => (e.executors ?? 0) <= MAX_EXECUTORS;

test("the derivation, over every case: each value left out is derived as spark-sizing.ts's arithmetic says, each set one kept", () => {
  fc.assert(
    fc.property(arbitraryCase, (c) => {
      const e = expected(c);
      const { input, derived } = withDerivedSizing(inputOf(c));
      expect({ executors: input.bdc.spark.executors, maxOffsets: input.bdc.job.maxOffsetsPerTrigger, trigger: input.bdc.job.triggerInterval, derived }).toEqual({
        executors: e.executors,
        maxOffsets: e.maxOffsets,
        trigger: `${e.triggerSeconds} seconds`,
        derived: e.derived,
      });
    }),
    { numRuns: 300 },
  );
});

test("with executors set and the trigger left out, a trigger longer than the default is derived when they need one", () => {
  // A peak of 45% of what 1 core does: at 15 s the fixed cost adds 8%, too much; at 60 s 2%, which fits.
  const rate = MEASURED_JOB_RATE.readingsPerCoreSecond;
  const c = { peak: Math.round(0.45 * rate), headroom: 0, cores: 1, executors: 1, maxOffsets: undefined, triggerSeconds: undefined };
  const config = validateEnvironment("dev", inputOf(c));
  expect([config.bdc.job.triggerInterval, config.derivedSizing]).toEqual([expected(c).triggerSeconds + " seconds", ["bdc.job.triggerInterval", "bdc.job.maxOffsetsPerTrigger"]]);
  expect(expected(c).triggerSeconds).toBeGreaterThan(DEFAULT_TRIGGER_SECONDS);
  // At 49% the one core would need a trigger of over 100 s, past the longest derived: the default, refused.
  const slow = { ...c, peak: Math.round(0.49 * rate) };
  expect(sizingAt(slow, 1, DEFAULT_TRIGGER_SECONDS).triggerSecondsNeeded).toBeGreaterThan(MAX_DERIVED_TRIGGER_SECONDS);
  expect(withDerivedSizing(inputOf(slow)).input.bdc.job.triggerInterval).toBe(`${DEFAULT_TRIGGER_SECONDS} seconds`);
  expect(sizingMessages(slow)).toEqual([expect.stringMatching(/^dev: bdc\.spark\.executors: 1 — at least 2 executors of 1 core at the 15 seconds trigger, or a trigger of at least \d+ seconds with 1 executor .*\(the 15 seconds trigger was derived from the load: set bdc\.job\.triggerInterval to choose another\)$/)]);
});

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

test("executors that the load needs more of than an environment may ask for are not derived, and the message says so", () => {
  // At a 3 s trigger a batch's fixed cost leaves 8% of it to readings: more than MAX_EXECUTORS 1-core executors.
  const peak = Math.ceil(((MAX_EXECUTORS + 1) * MEASURED_JOB_RATE.readingsPerCoreSecond * (TARGET_BUSY - MEASURED_BATCH_COST.fixedSeconds / 3)) / 2);
  const messages = messagesOf(inputOf({ peak, headroom: 100, cores: 1, executors: undefined, maxOffsets: undefined, triggerSeconds: 3 }));
  const executors = messages.filter((m) => m.includes("bdc.spark.executors"));
  expect(executors).toHaveLength(1);
  expect(executors[0]).toMatch(/^dev: bdc\.spark\.executors: \(missing\) — not derived: .* needs \d+ executors of 1 core at the 3 seconds trigger, more than 200: more bdc\.spark\.executorCores, or a longer trigger$/);
  expect(MAX_EXECUTORS).toBe(200);
});

test("a refusal that names a derived trigger says it was derived", () => {
  // dev's own maxOffsetsPerTrigger (20,000 per 15 s trigger) cannot take a 5,000/s peak.
  const messages = messagesOf(inputOf({ peak: 5_000, headroom: 0, cores: 2, executors: 1, maxOffsets: 20_000, triggerSeconds: undefined }));
  expect(messages).toEqual([expect.stringMatching(/^dev: bdc\.job\.maxOffsetsPerTrigger: 20000 — .* \(the 15 seconds trigger was derived from the load: set bdc\.job\.triggerInterval to choose another\)$/)]);
});

test("the local environment derives nothing: a sizing value it leaves out is reported missing, not thrown later", () => {
  for (const path of [["spark", "executors"], ["job", "triggerInterval"], ["job", "maxOffsetsPerTrigger"]] as const) {
    const input = structuredClone(environmentInput("local")) as unknown as { bdc: Record<string, Record<string, unknown>> };
    delete input.bdc[path[0]][path[1]];
    expect(messagesOf(input as unknown as UnsizedEnvironmentInput, "local")).toEqual([expect.stringMatching(new RegExp(`^local: bdc\\.${path[0]}\\.${path[1]}: \\(missing\\) — `))]);
  }
});

test("the existing environments run with the sizing they ran with before it was derived (no redeploy on upgrade)", () => {
  const sizing = loadEnvironments(["dev", "staging", "prod"]).map((config) => [config.name, config.bdc.spark.executors, config.bdc.job.maxOffsetsPerTrigger, config.bdc.job.triggerInterval]);
  expect(sizing).toEqual([
    ["dev", 1, 20_000, "15 seconds"],
    ["staging", 2, 200_000, "15 seconds"],
    ["prod", 6, 1_000_000, "30 seconds"],
  ]);
});
