import { createRandom } from "../../src/simulator/random";

describe("seeded random", () => {
  it("repeats its sequence for a seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.uniform())).not.toEqual(seqA);
  });

  it("draws uniforms in [0, 1) and integers in [0, max)", () => {
    const random = createRandom(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const u = random.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      counts[random.int(4)] += 1;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it("draws normals with the requested mean and standard deviation", () => {
    const random = createRandom(2);
    const values = Array.from({ length: 100_000 }, () => random.normal(-3, 2));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(-3, 1);
    expect(sd).toBeCloseTo(2, 1);
  });
});
