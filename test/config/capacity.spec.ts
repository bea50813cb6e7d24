import { defaultAutoInflateMaximum, loadEnvironment, processingUnitsFor, throughputUnitsFor } from "../../config";

const load = (peakEventsPerSecond: number, averageEventSizeBytes: number, headroomPercent = 0) => ({ peakEventsPerSecond, averageEventSizeBytes, headroomPercent });

describe("capacity formula: TU = max(ceil(events/s ÷ 1000), ceil(MB/s ÷ 1)) on peak plus headroom", () => {
  it.each([
    [load(1, 100), 1], // never below one TU
    [load(1000, 100), 1], // exactly 1000 events/s
    [load(1001, 100), 2], // one event over
    [load(500, 4000), 2], // 2 MB/s: bytes dominate
    [load(1000, 1000), 1], // exactly 1 MB/s and 1000 events/s
    [load(2000, 600, 25), 3], // 2500 events/s after 25 % headroom
  ])("%j needs %i TU", (expected, units) => {
    expect(throughputUnitsFor(expected)).toBe(units);
  });

  it("rounds Premium processing units up to an allowed count (1, 2, 4, 6, 8, 10, 12, 16)", () => {
    expect(processingUnitsFor(load(5000, 100))).toBe(1);
    expect(processingUnitsFor(load(10_001, 100))).toBe(4); // needs 3, 3 is not offered
    expect(processingUnitsFor(load(1000, 70_000))).toBe(16); // 70 MB/s → 14 → 16
    expect(processingUnitsFor(load(80_001, 100))).toBeUndefined();
  });

  it("defaults the auto-inflate maximum to twice the capacity, within [capacity, 40]", () => {
    expect(defaultAutoInflateMaximum(3, 40)).toBe(6);
    expect(defaultAutoInflateMaximum(30, 40)).toBe(40);
    expect(defaultAutoInflateMaximum(40, 40)).toBe(40);
  });

  it("puts the computed capacity on each environment", () => {
    const staging = loadEnvironment("staging", { variables: {} });
    expect(staging.capacity).toEqual({ sku: "Standard", units: 3, throughputUnits: 3, processingUnits: undefined, autoInflateMaximum: 6 });
    const prod = loadEnvironment("prod", { variables: {} });
    expect(prod.capacity).toEqual({ sku: "Premium", units: 6, throughputUnits: undefined, processingUnits: 6, autoInflateMaximum: undefined });
  });
});
