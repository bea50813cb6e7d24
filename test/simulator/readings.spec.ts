import { MALFORMED_KINDS } from "../../src/simulator/malformed";
import { createReadingSource, MEASURE1_MEAN, MEASURE1_STDDEV } from "../../src/simulator/readings";
import { classify, meanAndStddev } from "./classify";

const SENSORS = ["Sensor 1", "Sensor 2", "Sensor 3"];

function take(n: number, seed: number, malformedFraction = 0) {
  const source = createReadingSource({ sensors: SENSORS, seed, malformedFraction });
  return Array.from({ length: n }, () => source.next());
}

describe("reading source", () => {
  it("gives the same messages for the same seed and different ones for another seed", () => {
    expect(take(1000, 7, 0.1)).toEqual(take(1000, 7, 0.1));
    expect(take(1000, 8, 0.1).map((m) => m.value)).not.toEqual(take(1000, 7, 0.1).map((m) => m.value));
  });

  it("produces the seed's reading shape with measure1 ~ N(37, 7), measure2 ~ U(0, 1), sensors uniform", () => {
    const n = 200_000;
    const verdicts = take(n, 12345).map((m) => classify(m.value));
    const valid = verdicts.flatMap((v) => (v.kind === "valid" ? [v] : []));
    expect(valid).toHaveLength(n);
    const m1 = meanAndStddev(valid.map((v) => v.measure1));
    const m2 = meanAndStddev(valid.map((v) => v.measure2));
    // Tolerances are ~5 standard errors for n = 200000.
    expect(Math.abs(m1.mean - MEASURE1_MEAN)).toBeLessThan(0.08);
    expect(Math.abs(m1.stddev - MEASURE1_STDDEV)).toBeLessThan(0.06);
    expect(Math.abs(m2.mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(m2.stddev - Math.sqrt(1 / 12))).toBeLessThan(0.003);
    expect(valid.every((v) => v.measure2 >= 0 && v.measure2 < 1)).toBe(true);
    // Normal shape: about 68.3 % within one stddev, 95.4 % within two.
    const within = (k: number) => valid.filter((v) => Math.abs(v.measure1 - MEASURE1_MEAN) < k * MEASURE1_STDDEV).length / n;
    expect(within(1)).toBeCloseTo(0.6827, 2);
    expect(within(2)).toBeCloseTo(0.9545, 2);
    for (const sensor of SENSORS) {
      expect(valid.filter((v) => v.sensor === sensor).length / n).toBeCloseTo(1 / 3, 2);
    }
  });

  it("makes exactly floor(n * fraction) messages malformed, of every kind, each rejected for its stated reason", () => {
    for (const fraction of [0, 0.013, 0.1, 0.5, 1]) {
      const messages = take(10_000, 99, fraction);
      const malformed = messages.filter((m) => m.malformedKind !== undefined);
      expect(malformed).toHaveLength(Math.floor(10_000 * fraction));
      for (const m of messages) {
        expect(classify(m.value).kind).toBe(m.malformedKind ?? "valid");
      }
      if (fraction >= 0.1) {
        expect(new Set(malformed.map((m) => m.malformedKind))).toEqual(new Set(MALFORMED_KINDS));
      }
    }
  });

  it("spreads malformed messages evenly rather than bunching them", () => {
    const messages = take(1000, 3, 0.1);
    for (let start = 0; start < 1000; start += 100) {
      expect(messages.slice(start, start + 100).filter((m) => m.malformedKind).length).toBe(10);
    }
  });

  it("keys each message by its sensor", () => {
    for (const m of take(500, 5)) {
      const verdict = classify(m.value);
      expect(verdict.kind === "valid" && verdict.sensor).toBe(m.key);
    }
  });
});
