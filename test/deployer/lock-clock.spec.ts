/**
 * The lock's clock check (lock-clock.ts): the measured skew is a lower bound of the true one, never off by more
 * than the Date header's second and the request's time (generated), and a skewed run takes no lock.
 */
import fc from "fast-check";
import { EnvironmentLock } from "../../src/deployer/state/lock";
import { ClockSkewError, skewAtLeast } from "../../src/deployer/state/lock-clock";
import type { AcquireOutcome, LockCandidate, LockRecord, LockStore } from "../../src/deployer/state/lock-store";

const quiet = { step: () => undefined };

test("skewAtLeast never exceeds the true skew and misses it by at most the header's second and the round trip", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), // server time when it answers
      fc.integer({ min: -3_600_000, max: 3_600_000 }), // true skew: local minus server
      fc.integer({ min: 0, max: 30_000 }), // request's way there
      fc.integer({ min: 0, max: 30_000 }), // answer's way back
      (serverAt, skew, there, back) => {
        const answeredLocal = serverAt + skew + back;
        const sentLocal = serverAt + skew - there;
        const measured = skewAtLeast(sentLocal, Math.floor(serverAt / 1000) * 1000, answeredLocal);
        expect(Math.abs(measured)).toBeLessThanOrEqual(Math.abs(skew));
        if (measured !== 0) expect(Math.sign(measured)).toBe(Math.sign(skew));
        expect(Math.abs(skew) - Math.abs(measured)).toBeLessThanOrEqual(1000 + there + back);
      },
    ),
  );
});

/** An in-memory store whose server clock is the test's; counts writes. */
class ClockedStore implements LockStore {
  writes = 0;
  constructor(private readonly serverNow: () => number | undefined) {}
  async tryAcquire(candidate: LockCandidate): Promise<AcquireOutcome> {
    this.writes++;
    return { kind: "acquired", record: { ...candidate, fence: 1 } };
  }
  async current(): Promise<LockRecord | "free"> {
    return "free";
  }
  confirm(): Promise<LockRecord | "free"> {
    return this.current();
  }
  async renew(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {
    this.writes++;
  }
  async serverTime(): Promise<number | undefined> {
    const at = this.serverNow();
    return at === undefined ? undefined : Math.floor(at / 1000) * 1000;
  }
}

test("a run whose clock is off by more than the allowance takes no lock (generated skews around TTL/6)", async () => {
  const ttlSeconds = 600;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: -400_000, max: 400_000 }), async (skewMs) => {
      const store = new ClockedStore(() => Date.now());
      const options = { mode: "deploy", ttlSeconds, waitSeconds: 0, pollSeconds: 1, now: () => Date.now() + skewMs };
      const outcome = await EnvironmentLock.acquireIn(store, options, quiet).catch((err: Error) => err);
      if (Math.abs(skewMs) > ttlSeconds * 1000 / 6 + 1000) {
        expect(outcome).toBeInstanceOf(ClockSkewError);
        expect(store.writes).toBe(0);
      } else if (Math.abs(skewMs) <= ttlSeconds * 1000 / 6) {
        expect(outcome).toBeInstanceOf(EnvironmentLock);
        await (outcome as EnvironmentLock).release();
      }
    }),
    { numRuns: 200 },
  );
});

test("a store that states no time does not stop the lock, and says so", async () => {
  const said: string[] = [];
  const lock = await EnvironmentLock.acquireIn(new ClockedStore(() => undefined), { mode: "deploy", ttlSeconds: 600, waitSeconds: 0, pollSeconds: 1 }, { step: (_k: string, m: string) => void said.push(m) });
  expect(said.join("\n")).toContain("could not be compared");
  await lock.release();
});

test("a slow first answer (a retry inside it) hides the skew; it is sampled again, and the tight sample refuses", async () => {
  let local = Date.parse("2026-12-07T00:00:00Z");
  const aheadMs = 150_000; // local clock ahead of the server's
  let calls = 0;
  const store = new ClockedStore(() => {
    calls++;
    if (calls === 1) local += 60_000; // the first request took a minute (a timed-out try, then the retry)
    else local += 50;
    return local - aheadMs;
  });
  const outcome = await EnvironmentLock.acquireIn(store, { mode: "deploy", ttlSeconds: 600, waitSeconds: 0, pollSeconds: 1, now: () => local }, quiet).catch((err: Error) => err);
  expect(calls).toBe(2);
  expect(outcome).toBeInstanceOf(ClockSkewError);
  expect(store.writes).toBe(0);
});
