/**
 * Generated names: an upload's temporary is always recognised as one (so a killed upload's leftover is swept),
 * stays in its target's directory (so the RENAME is one directory's atomic operation), and no content-addressed
 * name or sidecar is ever taken for a temporary (so the sweep never deletes a placed file).
 */
import { posix } from "node:path";
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";
import { isTemporaryName, temporaryName } from "../../src/deployer/release/create-only";
import { jarPath } from "../../src/deployer/release/hdfs-sync";

const ALPHABET = "abcXYZ0123456789.-_f";
const EXTENSIONS = ["", ".jar", ".tmp", ".py", ".sha256", ".0123456789abcdef.tmp"];

function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[unsafeUniformIntDistribution(0, items.length - 1, rng)]!;
}

function word(rng: RandomGenerator, alphabet: string, length: number): string {
  return Array.from({ length }, () => pick(rng, [...alphabet])).join("");
}

test("temporaries are recognised, stay beside their target, and never collide with a content-addressed name", () => {
  const seed = Date.now();
  const rng = xoroshiro128plus(seed);
  for (let i = 0; i < 2000; i++) {
    const base = word(rng, ALPHABET, unsafeUniformIntDistribution(1, 24, rng)) + pick(rng, EXTENSIONS);
    const sha = word(rng, "0123456789abcdef", 64);
    const dir = pick(rng, ["/apps/jars", "/apps/ETL-Pipelines/sensor-aggregation/abc", "/x"]);
    const placed = jarPath(dir, { path: `jars/${base}`, sha256: sha });
    const temp = temporaryName(placed);
    const context = `seed ${seed}, case ${i}: ${placed}`;
    expect([context, posix.dirname(temp)]).toEqual([context, dir]);
    expect([context, isTemporaryName(posix.basename(temp)), isTemporaryName(posix.basename(temporaryName(`${placed}.sha256`)))]).toEqual([context, true, true]);
    expect([context, isTemporaryName(posix.basename(placed)), isTemporaryName(`${posix.basename(placed)}.sha256`)]).toEqual([context, false, false]);
  }
});
