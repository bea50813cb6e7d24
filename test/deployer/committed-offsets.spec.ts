/**
 * new-run's `committed` starting offsets, for generated checkpoints and topics (fast-check; the seed is printed on
 * a failure and FC_SEED replays one): every partition of the topic is named, a partition resumes exactly where the
 * closed run committed whenever the topic still holds that offset, and each one that cannot is said, with what is lost;
 * without the topic's offsets it is refused.
 */
import fc from "fast-check";
import { resolveCommittedOffsets } from "../../src/deployer/state/committed-offsets";
import { parseStartingOffsets } from "../../src/deployer/commands/new-run";

const TOPIC = "sensor-readings";
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

/** A topic now (earliest ≤ latest per partition) and where a closed run's last commit ended on some partitions. */
const cases = fc
  .array(fc.tuple(fc.nat(1_000_000), fc.nat(1_000_000)), { minLength: 1, maxLength: 8 })
  .chain((ends) =>
    fc.record({
      earliest: fc.constant(Object.fromEntries(ends.map(([a, b], p) => [String(p), Math.min(a, b)]))),
      latest: fc.constant(Object.fromEntries(ends.map(([a, b], p) => [String(p), Math.max(a, b)]))),
      committed: fc.dictionary(fc.nat(ends.length + 2).map(String), fc.nat(1_200_000), { minKeys: 1 }),
    }),
  );

test("every partition is named; each resumes where the closed run committed if the topic still holds it, else from its earliest, said", () => {
  fc.assert(
    fc.property(cases, ({ earliest, latest, committed }) => {
      const { json, notes } = resolveCommittedOffsets(TOPIC, committed, { earliest, latest });
      const offsets = (JSON.parse(json) as Record<string, Record<string, number>>)[TOPIC]!;
      expect(Object.keys(offsets).sort()).toEqual(Object.keys(latest).sort());
      for (const [partition, at] of Object.entries(offsets)) {
        const was = committed[partition];
        const held = was !== undefined && was >= earliest[partition]! && was <= latest[partition]!;
        expect(at).toBe(held ? was : -2);
        expect(notes.some((n) => n.startsWith(`partition ${partition}:`))).toBe(!held);
        if (was !== undefined && was < earliest[partition]!) expect(notes.join("\n")).toContain(`(${earliest[partition]! - was} readings lost)`);
      }
      for (const gone of Object.keys(committed).filter((p) => !(p in latest))) expect(notes).toContain(`partition ${gone}: no longer in the topic`);
      // What the job is given is a value new-run itself accepts.
      expect(parseStartingOffsets(json, TOPIC)).toBe(json);
    }),
    { seed, numRuns: 500 },
  );
});

test("without the topic's offsets, or of a checkpoint without a commit, committed is refused", () => {
  expect(() => resolveCommittedOffsets(TOPIC, { "0": 5, "1": 7 }, undefined)).toThrow(/offsets of sensor-readings could not be read \(no listen connection string.*Nothing was stopped/);
  expect(() => resolveCommittedOffsets(TOPIC, { "0": 5 }, { earliest: {}, latest: {} })).toThrow(/the topic has no partitions/);
  expect(() => resolveCommittedOffsets(TOPIC, { "0": 5 }, { earliest: {}, latest: { "0": 9 } })).toThrow(/partition 0: its earliest offset could not be read/);
  expect(() => resolveCommittedOffsets(TOPIC, undefined, { earliest: { "0": 0 }, latest: { "0": 9 } })).toThrow(/read nothing of sensor-readings.*choose earliest, latest or per-partition offsets\. Nothing was stopped/);
  expect(parseStartingOffsets("committed", TOPIC)).toBe("committed");
});
