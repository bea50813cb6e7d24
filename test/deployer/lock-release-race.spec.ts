/**
 * A release while a renewal waits for its answer (review of issue 24): the renewal must not rewrite the record
 * after the release marked it released, or the lock reads as held for a whole TTL.
 */
import { EnvironmentLock } from "../../src/deployer/state/lock";
import type { AcquireOutcome, LockCandidate, LockRecord, LockStore } from "../../src/deployer/state/lock-store";
import { stderrProgress } from "../../src/deployer/core/progress";

const silentProgress = () => stderrProgress([], () => undefined);

/** An in-memory LockStore whose renewals answer only when the test lets them. */
class SlowRenewStore implements LockStore {
  record: LockRecord | undefined;
  renewStarted = false;
  private answerRenew: (() => void) | undefined;

  async tryAcquire(candidate: LockCandidate): Promise<AcquireOutcome> {
    this.record = { ...candidate, fence: 1 };
    return { kind: "acquired", record: this.record };
  }
  async current(): Promise<LockRecord | "free" | undefined> {
    return this.record && !this.record.released ? this.record : "free";
  }
  confirm(): Promise<LockRecord | "free" | undefined> {
    return this.current();
  }
  async renew(mine: LockRecord, expiresAt: string): Promise<boolean> {
    this.renewStarted = true;
    await new Promise<void>((resolve) => (this.answerRenew = resolve));
    this.record = { ...mine, expiresAt }; // as the WebHDFS store does: REPLACE of our own record
    return true;
  }
  async release(mine: LockRecord): Promise<void> {
    this.record = { ...mine, released: true };
  }
  async serverTime(): Promise<number> {
    return Date.now();
  }
  letRenewAnswer(): void {
    this.answerRenew?.();
  }
}

it("release waits for the renewal in flight, so the record ends released", async () => {
  const store = new SlowRenewStore();
  const lock = await EnvironmentLock.acquireIn(store, { mode: "deploy", ttlSeconds: 3, waitSeconds: 0, pollSeconds: 1 }, silentProgress());
  while (!store.renewStarted) await new Promise((r) => setTimeout(r, 50)); // the first renewal is sent after TTL/3
  const released = lock.release();
  store.letRenewAnswer();
  await released;
  expect(store.record?.released).toBe(true);
  expect(await store.current()).toBe("free");
});
