/** The local pipeline's latency arithmetic: which readings a batch consumed, and nearest-rank percentiles. */
import { batchLatencies, percentiles, ProduceTimes } from "../../src/local/latency";

test("a batch's readings are those between the previous batch's end and its own, in each partition", () => {
  const produced = new ProduceTimes();
  for (let offset = 0; offset < 10; offset += 1) {
    produced.add(0, offset, 1000 + offset);
    produced.add("1", offset, 2000 + offset);
  }
  const latencies = batchLatencies({ start: { "0": 2, "1": 5 }, end: { "0": 4, "1": 6 } }, 5000, produced);
  expect(latencies.sort((a, b) => a - b)).toEqual([2995, 3997, 3998]);
});

test("the first batch starts at each partition's offset 0, and readings the monitor never saw are left out", () => {
  const produced = new ProduceTimes();
  produced.add(0, 1, 100);
  expect(batchLatencies({ start: {}, end: { "0": 3 } }, 400, produced)).toEqual([300]);
});

test("nearest-rank percentiles", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect(percentiles(values)).toEqual({ count: 100, p50: 50, p95: 95, max: 100 });
  expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, max: 7 });
  expect(percentiles([])).toBeUndefined();
});
