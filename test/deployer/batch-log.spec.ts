/** The job's per-batch log lines as status and npm start read them (the format job.py's for_each_batch prints). */
import { recentBatches, writtenBatches } from "../../src/deployer/clients/batch-log";

const line = (run: string, batch: number, counts: object) => `sensor-aggregation: run ${run} batch ${batch} written ${JSON.stringify(counts)}`;

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
