/**
 * Generated names: a submission's name gives back the release and attempt it was made from, is never shared by
 * two submissions, and no other environment's batch, no create-tables or maintenance batch and no other user's
 * batch is ever taken for a streaming submission of ours (contracts/submission-name.ts).
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";
import { isSubmissionOf, parseSubmissionName, submissionName } from "../../contracts/submission-name";
import { isBatchOf } from "../../src/deployer/commands/teardown";

function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[unsafeUniformIntDistribution(0, items.length - 1, rng)]!;
}

function word(rng: RandomGenerator, alphabet: string, length: number): string {
  return Array.from({ length }, () => pick(rng, [...alphabet])).join("");
}

const ENV_ALPHABET = "abcdez019-";

test("a submission's name round-trips, is unique per (release, fence, attempt), and is ours only in its own environment", () => {
  const seed = Date.now();
  const rng = xoroshiro128plus(seed);
  const seen = new Map<string, string>();
  for (let i = 0; i < 3000; i++) {
    const env = word(rng, ENV_ALPHABET, unsafeUniformIntDistribution(1, 12, rng));
    const other = pick(rng, [`${env}-eu`, `${env}x`, env.slice(0, -1) || "q", `${env}.1`, word(rng, ENV_ALPHABET, 5)]);
    const batchName = `sensor-aggregation-${env}`;
    const digest = word(rng, "0123456789abcdef", 64);
    const fence = unsafeUniformIntDistribution(1, 2 ** 31, rng);
    const attempt = unsafeUniformIntDistribution(1, 9, rng);
    const name = submissionName(batchName, digest, fence, attempt);
    const context = `seed ${seed}, case ${i}: ${name}`;
    expect([context, parseSubmissionName(batchName, name)]).toEqual([context, { digest12: digest.slice(0, 12), fence, attempt }]);
    const key = `${batchName}|${digest.slice(0, 12)}|${fence}|${attempt}`;
    expect([context, seen.get(name) ?? key]).toEqual([context, key]);
    seen.set(name, key);
    expect([context, isBatchOf(batchName, name)]).toEqual([context, true]);
    if (other !== env) {
      const otherName = `sensor-aggregation-${other}`;
      expect([context, isSubmissionOf(otherName, name), isBatchOf(otherName, name)]).toEqual([context, false, false]);
    }
    for (const notOurs of [`${batchName}-maintenance`, `${batchName}-create-tables`, `${name}x`, `${name}.1`, name.toUpperCase(), word(rng, "abc.-0123456789f", 30)]) {
      if (notOurs === name) continue;
      expect([context, notOurs, isSubmissionOf(batchName, notOurs)]).toEqual([context, notOurs, false]);
    }
  }
});

test("the bare batch name of earlier deployers is still ours (legacy), and a batch without a name is nobody's", () => {
  expect(parseSubmissionName("sensor-aggregation-prod", "sensor-aggregation-prod")).toBe("legacy");
  expect(parseSubmissionName("sensor-aggregation-prod", null)).toBeUndefined();
  expect(isBatchOf("sensor-aggregation-prod", "sensor-aggregation-prod-maintenance")).toBe(true);
});
