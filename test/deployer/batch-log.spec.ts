/** The job's per-batch log lines as status and npm start read them (the format job.py's for_each_batch prints). */
import fc from "fast-check";
import { recentBatches, recentDurations, tookBatches, writtenBatches } from "../../src/deployer/clients/batch-log";

const line = (run: string, batch: number, counts: object) => `sensor-aggregation: run ${run} batch ${batch} written ${JSON.stringify(counts)}`;
const took = (run: string, batch: number, figures: object) => `sensor-aggregation: run ${run} batch ${batch} took ${JSON.stringify(figures)}`;

test("each written batch once per (run, batch), other lines and a line cut by the log window ignored", () => {
  const lines = [
    "26/12/01 10:00:00 WARN Something: noise",
    line("r1", 3, { readings: 90, rejected: 10, reasons: { "unparseable JSON": 10 } }),
    line("r1", 3, { readings: 90, rejected: 10, reasons: { "unparseable JSON": 10 } }),
    'sensor-aggregation: run r1 batch 4 written {"readings": 5',
    line("r2", 0, { readings: 100, rejected: 0, reasons: {} }),
  ];
  expect(writtenBatches(lines)).toEqual([
    { runId: "r1", batchId: 3, readings: 90, rejected: 10, reasons: { "unparseable JSON": 10 } },
    { runId: "r2", batchId: 0, readings: 100, rejected: 0, reasons: {} },
  ]);
});

test("the recent batches' rejected fraction is over their whole input, and 0 without input", () => {
  const batches = writtenBatches([1, 2, 3].map((b) => line("r", b, { readings: b * 10, rejected: b, reasons: {} })));
  expect(recentBatches(batches, 2)).toEqual({ batches: 2, readings: 50, rejected: 5, rejectedFraction: 5 / 55 });
  expect(recentBatches([], 10)).toEqual({ batches: 0, readings: 0, rejected: 0, rejectedFraction: 0 });
});

test("each took batch once per (run, batch), the last attempt's; written lines, cut lines and lines without the whole batch's duration ignored", () => {
  const lines = [
    took("r1", 3, { triggerExecution: 900, addBatch: 700, walCommit: 40, rows: 12 }),
    line("r1", 3, { readings: 12, rejected: 0, reasons: {} }),
    took("r1", 3, { triggerExecution: 1100, addBatch: 800, walCommit: 50, rows: 12 }),
    'sensor-aggregation: run r1 batch 4 took {"triggerExecution": 5',
    took("r1", 5, { addBatch: 800, rows: 1 }),
    took("r2", 0, { triggerExecution: 300, addBatch: 200, rows: 0 }),
  ];
  expect(tookBatches(lines)).toEqual([
    { runId: "r1", batchId: 3, wholeMs: 1100, rows: 12, durationsMs: { triggerExecution: 1100, addBatch: 800, walCommit: 50 } },
    { runId: "r2", batchId: 0, wholeMs: 300, rows: 0, durationsMs: { triggerExecution: 300, addBatch: 200 } },
  ]);
  expect(writtenBatches(lines)).toHaveLength(1);
});

test("the recent durations are the median and the longest of the last batches' whole durations", () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 10_000_000 }), { maxLength: 40 }), fc.integer({ min: 1, max: 20 }), (durations, count) => {
      const batches = tookBatches(durations.map((ms, i) => took("r", i, { triggerExecution: ms, addBatch: 0, rows: 1 })));
      const recent = recentDurations(batches, count);
      const last = durations.slice(-count);
      if (last.length === 0) return recent === undefined;
      const below = last.filter((ms) => ms < recent!.medianMs).length;
      const above = last.filter((ms) => ms > recent!.medianMs).length;
      const sums = recent!.rows === last.length && recent!.wholeMs === last.reduce((a, b) => a + b, 0);
      return sums && recent!.batches === last.length && recent!.maxMs === Math.max(...last) && below <= last.length / 2 && above <= last.length / 2;
    }),
  );
  expect(recentDurations(tookBatches([1, 2, 3, 10].map((s, i) => took("r", i, { triggerExecution: s * 1000, rows: 0 }))), 10)).toEqual({ batches: 4, medianMs: 2500, maxMs: 10_000, rows: 0, wholeMs: 16_000, largest: { rows: 0, wholeMs: 10_000 }, smallestRows: 0 });
  // Batches of different sizes on a line: the fitted cost comes with them.
  const onALine = tookBatches([0, 1000, 3000].map((rows, i) => took("r", i, { triggerExecution: 800 + rows / 4, rows })));
  const cost = recentDurations(onALine, 10)?.cost;
  expect(cost?.fixedMs).toBeCloseTo(800, 6);
  expect(cost?.perReadingMs).toBeCloseTo(0.25, 9);
});
