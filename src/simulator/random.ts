/**
 * Seeded random numbers for reproducible readings: the same seed gives the same sequence on any
 * machine. The generator is pure-rand's xoroshiro128+; the distributions on top are the textbook
 * ones (53-bit uniform doubles, Box-Muller for the normal).
 */
import { xoroshiro128plus } from "pure-rand";

export interface Random {
  /** Uniform double in [0, 1). */
  uniform(): number;
  /** Normal double with the given mean and standard deviation. */
  normal(mean: number, stddev: number): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

export function createRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed | 0);
  const next32 = (): number => generator.unsafeNext() >>> 0;
  // Box-Muller yields two independent normals per pair of uniforms; keep the second for the next call.
  let spareNormal: number | undefined;

  const uniform = (): number => ((next32() >>> 5) * TWO_POW_26 + (next32() >>> 6)) / TWO_POW_53;

  return {
    uniform,
    normal(mean: number, stddev: number): number {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return mean + stddev * z;
      }
      const u1 = 1 - uniform(); // (0, 1]: log(0) is not allowed
      const u2 = uniform();
      const radius = Math.sqrt(-2 * Math.log(u1));
      const angle = 2 * Math.PI * u2;
      spareNormal = radius * Math.sin(angle);
      return mean + stddev * radius * Math.cos(angle);
    },
    int(maxExclusive: number): number {
      return Math.floor(uniform() * maxExclusive);
    },
  };
}
