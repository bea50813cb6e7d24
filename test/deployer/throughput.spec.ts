/** The throughput judgement (issue 28 item 4): input against what the job can process, and advice that catches up. */
import fc from "fast-check";
import { adviseSizing, capacityPerSecond, describeThroughput, judgeThroughput, undersizedProblem, type ThroughputInput } from "../../src/deployer/health/throughput";
import { TARGET_BUSY } from "../../contracts/sizing-margin";
import { brokenRules, formatStatus, type StatusReport } from "../../src/deployer/commands/status";

const sizingArb = fc.record({
  executors: fc.integer({ min: 1, max: 20 }),
  executorCores: fc.integer({ min: 1, max: 8 }),
  maxOffsetsPerTrigger: fc.option(fc.integer({ min: 100, max: 2_000_000 }), { nil: undefined }),
  triggerSeconds: fc.integer({ min: 0, max: 120 }),
});
const modelArb = fc.record({ fixedMs: fc.double({ min: 0, max: 20_000, noNaN: true }), perReadingMs: fc.double({ min: 1e-4, max: 5, noNaN: true }) });
const inputArb = fc.record({
  inputPerSecond: fc.double({ min: 0, max: 200_000, noNaN: true }),
  backlogRecords: fc.integer({ min: 0, max: 50_000_000 }),
  catchUpWithinSeconds: fc.integer({ min: 30, max: 7200 }),
  sizing: sizingArb,
  model: modelArb,
});
type Drawn = { inputPerSecond: number; backlogRecords: number; catchUpWithinSeconds: number; sizing: ThroughputInput["sizing"]; model: { fixedMs: number; perReadingMs: number } };
const asInput = (d: Drawn): ThroughputInput => ({
  inputPerSecond: d.inputPerSecond,
  windowSeconds: 60,
  backlogRecords: d.backlogRecords,
  // Batches whose fitted cost is the drawn model.
  batches: { batches: 10, rows: 10_000, wholeMs: 10 * d.model.fixedMs + 10_000 * d.model.perReadingMs, cost: d.model, largest: { rows: 1000, wholeMs: d.model.fixedMs + 1000 * d.model.perReadingMs }, smallestRows: 100 },
  sizing: d.sizing,
  catchUpWithinSeconds: d.catchUpWithinSeconds,
});

test("the advised sizing drains the backlog within the bound and keeps the margin, by the same cost model", () => {
  fc.assert(
    fc.property(inputArb, (d) => {
      const input = asInput(d);
      const judged = judgeThroughput(input)!;
      if (!judged.undersized || !judged.split) return judged.advice === undefined;
      const a = judged.advice!;
      // Rerun the judgement as if the advice were applied: more cores cut the per-reading cost, never the fixed one.
      const cores0 = d.sizing.executors * d.sizing.executorCores;
      const scaled = { fixedMs: d.model.fixedMs, perReadingMs: (d.model.perReadingMs * cores0) / a.cores };
      const after = judgeThroughput({ ...input, batches: { ...input.batches, cost: scaled }, sizing: { ...d.sizing, executors: a.executors, maxOffsetsPerTrigger: a.maxOffsetsPerTrigger, triggerSeconds: a.triggerSeconds } })!;
      const slack = 1 + 1e-9;
      return (
        !after.undersized &&
        after.catchUpSeconds !== null &&
        after.catchUpSeconds <= d.catchUpWithinSeconds * slack &&
        after.capacityPerSecond * TARGET_BUSY * slack >= d.inputPerSecond &&
        a.executors >= d.sizing.executors &&
        a.triggerSeconds >= d.sizing.triggerSeconds &&
        a.maxOffsetsPerTrigger >= (d.sizing.maxOffsetsPerTrigger ?? 0)
      );
    }),
  );
});

test("a backlog no larger than the next batch's input is never undersized, and a backlog that cannot drain always is", () => {
  fc.assert(
    fc.property(inputArb, (d) => {
      const input = asInput(d);
      const judged = judgeThroughput(input)!;
      const capacity = capacityPerSecond(d.model, d.sizing.maxOffsetsPerTrigger, d.sizing.triggerSeconds);
      if (d.backlogRecords <= d.inputPerSecond * d.sizing.triggerSeconds) return !judged.undersized;
      if (capacity <= d.inputPerSecond) return judged.undersized && judged.catchUpSeconds === null;
      return judged.undersized === judged.catchUpSeconds! > d.catchUpWithinSeconds;
    }),
  );
});

test("capacity grows with cores and with the cap, and never exceeds a cap per trigger", () => {
  fc.assert(
    fc.property(modelArb, sizingArb, fc.double({ min: 1, max: 16, noNaN: true }), (model, s, scale) => {
      const base = capacityPerSecond(model, s.maxOffsetsPerTrigger, s.triggerSeconds);
      const more = capacityPerSecond(model, s.maxOffsetsPerTrigger, s.triggerSeconds, scale);
      const capped = s.maxOffsetsPerTrigger === undefined || base <= (s.maxOffsetsPerTrigger / s.triggerSeconds) * (1 + 1e-12);
      return more >= base * (1 - 1e-12) && capped;
    }),
  );
});

test("no judgement without a batch that read rows; a fit that is no cost falls back to the largest batch's cost per reading", () => {
  const sizing = { executors: 2, executorCores: 2, maxOffsetsPerTrigger: 10_000, triggerSeconds: 5 };
  const base = { inputPerSecond: 100, windowSeconds: 60, backlogRecords: 0, sizing, catchUpWithinSeconds: 600 };
  expect(judgeThroughput({ ...base, batches: { batches: 3, rows: 0, wholeMs: 3000, largest: { rows: 0, wholeMs: 1000 }, smallestRows: 0 } })).toBeUndefined();
  const noisy = judgeThroughput({ ...base, batches: { batches: 3, rows: 3000, wholeMs: 3000, cost: { fixedMs: -200, perReadingMs: 1.2 }, largest: { rows: 2000, wholeMs: 1000 }, smallestRows: 100 } })!;
  expect(noisy).toMatchObject({ fixedMs: 0, perReadingMs: 0.5, split: false });
  // A fit over batches of nearly one size is noise, not a cost split.
  const flat = judgeThroughput({ ...base, batches: { batches: 3, rows: 3000, wholeMs: 3000, cost: { fixedMs: 100, perReadingMs: 0.9 }, largest: { rows: 1100, wholeMs: 1000 }, smallestRows: 950 } })!;
  expect(flat).toMatchObject({ split: false });
});

test("an undersized job is told with the rates and the settings to change", () => {
  // 4 cores, 1 s fixed + 0.1 ms a reading, at most 20,000 a 5 s batch: 4,000/s; 6,000/s arrive over 60 s.
  const sizing = { executors: 2, executorCores: 2, maxOffsetsPerTrigger: 20_000, triggerSeconds: 5 };
  const input: ThroughputInput = { inputPerSecond: 6000, windowSeconds: 60, backlogRecords: 600_000, sizing, catchUpWithinSeconds: 600, batches: { batches: 10, rows: 200_000, wholeMs: 30_000, cost: { fixedMs: 1000, perReadingMs: 0.1 }, largest: { rows: 20_000, wholeMs: 3000 }, smallestRows: 5000 } };
  const judged = judgeThroughput(input)!;
  expect(judged).toMatchObject({ capacityPerSecond: 4000, catchUpSeconds: null, undersized: true });
  // Needed: max(6,000 / 0.5, 6,000 + 600,000 / 600) = 12,000/s → 60,000 a 5 s trigger; 0.4 ms of one core a reading over 4 s → 6 cores.
  expect(adviseSizing(input, { fixedMs: 1000, perReadingMs: 0.1 })).toEqual({ executors: 3, cores: 6, maxOffsetsPerTrigger: 60_000, triggerSeconds: 5, capacityPerSecond: 12_000 });
  const text = undersizedProblem(judged, sizing, 600)!;
  expect(text).toContain("input 6,000/s over the last 60s; the job does at most 4,000/s (1.00s a batch + 0.100 ms a reading); the backlog never drains");
  expect(text).toContain("bdc.spark.executors 3 (× 2 cores, now 2), bdc.job.maxOffsetsPerTrigger 60,000 (now 20,000)");
  expect(undersizedProblem(judgeThroughput({ ...input, backlogRecords: 10_000 }), sizing, 600)).toBeUndefined();
  // Batches all capped at one size: undersized, but no sizing can be derived from them, and it says why.
  const capped = judgeThroughput({ ...input, batches: { batches: 10, rows: 200_000, wholeMs: 30_000, largest: { rows: 20_000, wholeMs: 3000 }, smallestRows: 20_000 } })!;
  expect(capped).toMatchObject({ undersized: true, split: false });
  expect(capped.advice).toBeUndefined();
  expect(undersizedProblem(capped, sizing, 600)).toMatch(/undersized: .* No sizing is advised: the recent batches read about as many rows each/);
  // Unsplit, all of the largest batch's 3 s is counted on its 20,000 readings: a lower bound on what the job does.
  expect(describeThroughput(capped)).toBe("input 6,000/s over the last 60s; the job does at least 4,000/s (0.150 ms a reading, fixed cost included: its batches were too alike in size to tell the two apart); the backlog never drains");
});

test("a large cap already set is kept and the cores are sized for the needed rate, not for the whole cap in one trigger", () => {
  const sizing = { executors: 1, executorCores: 1, maxOffsetsPerTrigger: 1_000_000, triggerSeconds: 10 };
  const input: ThroughputInput = { inputPerSecond: 900, windowSeconds: 60, backlogRecords: 2_000_000, sizing, catchUpWithinSeconds: 600, batches: { batches: 10, rows: 100_000, wholeMs: 110_000, cost: { fixedMs: 1000, perReadingMs: 1 }, largest: { rows: 20_000, wholeMs: 21_000 }, smallestRows: 2000 } };
  const advice = judgeThroughput(input)!.advice!;
  // Needed: 900 + 2,000,000 / 600 ≈ 4,233/s; a batch of 1,000,000 may take 236 s: 5 cores, not 112.
  expect(advice).toMatchObject({ cores: 5, maxOffsetsPerTrigger: 1_000_000, triggerSeconds: 10 });
  expect(advice.capacityPerSecond).toBeGreaterThanOrEqual(900 + 2_000_000 / 600);
});

test("status says undersized, with the advice, instead of the slow-batch rule; a job that keeps up says neither", () => {
  const sizing = { executors: 2, executorCores: 2, maxOffsetsPerTrigger: 20_000, triggerSeconds: 5 };
  const batches = { batches: 10, rows: 200_000, wholeMs: 60_000, cost: { fixedMs: 1000, perReadingMs: 0.1 }, largest: { rows: 20_000, wholeMs: 3000 }, smallestRows: 5000 };
  const rules = { maxBacklogRecords: 10_000_000, maxBacklogSeconds: 600, maxSecondsWithoutCommit: 120, maxRejectedFraction: 0.05 };
  const report = (inputPerSecond: number, backlogRecords: number): StatusReport => ({
    environment: "test", live: "x", previous: null, batch: { id: 1, state: "running" }, driver: null, restarts: 0, lastCommit: { batchId: 9, secondsAgo: 1 },
    backlog: { perPartition: { "0": backlogRecords }, records: backlogRecords, seconds: null, secondsEstimated: true },
    recent: { batches: 10, readings: 200_000, rejected: 0, rejectedFraction: 0, took: { medianMs: 6000, maxMs: 6000, ...batches } },
    trigger: "5 seconds", sizing,
    throughput: judgeThroughput({ inputPerSecond, windowSeconds: 60, backlogRecords, batches, sizing, catchUpWithinSeconds: 600 }) ?? null,
    problems: [],
  });
  const slow = brokenRules(rules, report(6000, 600_000));
  expect(slow).toHaveLength(1);
  expect(slow[0]).toMatch(/^undersized: input 6,000\/s .* Advice, to catch up within it: bdc\.spark\.executors 3/);
  // Keeps up (4,000/s of capacity against 1,000/s), though its batches take longer than the trigger: the slow-batch rule alone.
  expect(brokenRules(rules, report(1000, 30_000))).toEqual(["the last 10 batches took a median 6.00s > the trigger (5 seconds): the job falls behind its input"]);
  expect(formatStatus(report(1000, 30_000))).toContain("rates     input 1,000/s over the last 60s; the job does at most 4,000/s (1.00s a batch + 0.100 ms a reading); the backlog drains in about 10s");
});
