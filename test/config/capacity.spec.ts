import fc from "fast-check";
import { defaultAutoInflateMaximum, loadEnvironment, processingUnitsFor, readersOf, throughputUnitsFor, validateEnvironment } from "../../config";
import { variant } from "./helpers";

const load = (peakEventsPerSecond: number, averageEventSizeBytes: number, headroomPercent = 0) => ({ peakEventsPerSecond, averageEventSizeBytes, headroomPercent });

describe("capacity formula: TU = max(ceil(events/s ÷ 1000), ceil(MB/s ÷ 1), egress over 4096 events/s and 2 MB/s) on peak plus headroom", () => {
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

  it("counts egress: each event read by the most readers of one hub, 4096 events/s or 2 MB/s per TU (generated loads)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 12 }), (peak, size, headroom, readers) => {
        const tu = throughputUnitsFor({ ...load(peak, size, headroom), readers });
        const events = peak * (1 + headroom / 100);
        const mb = (events * size) / 1_000_000;
        // Enough for ingress and for egress, and one less is not.
        const enough = (units: number) => units * 1000 >= events - 1e-9 && units >= mb - 1e-9 && units * 4096 >= events * readers - 1e-9 && units * 2 >= mb * readers - 1e-9;
        return enough(tu) && (tu === 1 || !enough(tu - 1)) && tu >= throughputUnitsFor(load(peak, size, headroom));
      }),
    );
    // 3,000 events/s of 100 bytes: 3 TU for ingress; read by 5 principals, 15,000 events/s out need 4.
    expect(throughputUnitsFor({ ...load(3000, 100), readers: 5 })).toBe(4);
    expect(throughputUnitsFor({ ...load(3000, 100), readers: 1 })).toBe(3);
    // An exact boundary that floating point puts a hair over: 5,734.4 events/s × 5 readers is 7 TU of egress.
    expect(throughputUnitsFor({ ...load(5120, 100, 12), readers: 5 })).toBe(7);
  });

  it("the readers of a hub come from eventHubs.access, and an environment's capacity counts them", () => {
    expect(readersOf({ job: { send: [], listen: ["a"] }, stats: { send: [], listen: ["b"] } })).toBe(1);
    // A hub listed twice by one principal is read by two of its consumer groups.
    expect(readersOf({ x: { send: [], listen: ["a", "a"] }, y: { send: [], listen: ["a"] }, z: { send: [], listen: ["a", "b"] } })).toBe(4);
    expect(readersOf({})).toBe(1);
    const readers = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`reader-${i}`, { send: [], listen: ["sensor-readings"] }]));
    const base = validateEnvironment("dev", variant({}));
    const many = validateEnvironment("dev", variant({ eventHubs: { access: { ...base.eventHubs.access, ...readers } } }));
    expect(many.capacity.units).toBeGreaterThanOrEqual(base.capacity.units);
    expect(many.capacity.units).toBe(throughputUnitsFor({ ...base.eventHubs.expectedLoad, readers: 7 }));
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
