/** The fixed and per-reading cost of a batch, fitted from its `took` lines (bench:e2e). */
import fc from "fast-check";
import { batchCost } from "../../src/deployer/clients/batch-cost";

const took = (rows: number, wholeMs: number, batchId = 0) => ({ runId: "r", batchId, rows, wholeMs, durationsMs: { triggerExecution: wholeMs } });

test("batches on a line give back its fixed cost and slope", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat({ max: 100_000 }), { minLength: 2, maxLength: 30 }),
      fc.double({ min: 0, max: 10_000, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (rows, fixedMs, perReadingMs) => {
        const cost = batchCost(rows.map((r, i) => took(r, fixedMs + perReadingMs * r, i)))!;
        return cost.batches === rows.length && Math.abs(cost.fixedMs - fixedMs) < 1e-6 * (1 + fixedMs + perReadingMs * 100_000) && Math.abs(cost.perReadingMs - perReadingMs) < 1e-6;
      },
    ),
  );
});

test("no fit from fewer than two batches, or from batches of one size", () => {
  expect(batchCost([])).toBeUndefined();
  expect(batchCost([took(10, 500)])).toBeUndefined();
  expect(batchCost([took(10, 500), took(10, 700)])).toBeUndefined();
});
