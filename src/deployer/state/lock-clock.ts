/**
 * The lock's expiry compares a time the holder's clock wrote with the reader's clock, so two deployers whose
 * clocks differ by more than the time between renewals could each see the other's live lock as expired. A run
 * therefore takes the lock only when its clock agrees with the store's (the server's HTTP `Date`) within
 * `maxSkewSeconds`, TTL/6 by default: two runs each within it differ by at most TTL/3 from each other, the
 * renewal interval, leaving another TTL/3 before a renewed lock could look expired (a renewal's latency).
 */
import { DeployError } from "../core/errors";
import type { Progress } from "../core/progress";
import type { LockStore } from "./lock-store";

export class ClockSkewError extends DeployError {
  constructor(readonly skewMs: number, maxSkewSeconds: number) {
    super(
      `this machine's clock is at least ${Math.round(skewMs / 1000)}s ${skewMs > 0 ? "ahead of" : "behind"} the store's (the gateway's Date header); ` +
        `the deploy lock tolerates ${maxSkewSeconds}s. Not taking the lock, nothing changed. Synchronise this machine's clock (NTP) and run again`,
    );
    this.name = "ClockSkewError";
  }
}

/**
 * How far the local clock is from the server's at least, in ms (positive: local ahead), from a request sent at
 * `sentAt` and answered at `answeredAt` (local clock) whose answer carries `serverDate` (whole seconds, so the
 * server's time at answering lay in [serverDate, serverDate + 1 s)). 0 when the two intervals overlap: what a
 * lower bound must say when the clocks may agree.
 */
export function skewAtLeast(sentAt: number, serverDate: number, answeredAt: number): number {
  const serverLatest = serverDate + 1000;
  if (sentAt > serverLatest) return sentAt - serverLatest;
  if (answeredAt < serverDate) return answeredAt - serverDate;
  return 0;
}

/** A sample whose round trip is this short bounds the skew within 1 s + this; a slower one is taken again. */
const TIGHT_ROUND_TRIP_MS = 2000;
const MAX_SAMPLES = 3;

/**
 * Throws ClockSkewError when the local clock is further from the store's than `maxSkewSeconds`; says so when the
 * store gives no time. The bound is a lower one, short by the request's round trip, so a slow answer (a retry
 * inside it) is sampled again, up to three times, and the sample with the shortest round trip decides.
 */
export async function checkClock(store: LockStore, now: () => number, maxSkewSeconds: number, progress: Progress): Promise<void> {
  let best: { skew: number; roundTrip: number } | undefined;
  for (let sample = 0; sample < MAX_SAMPLES && (best === undefined || best.roundTrip > TIGHT_ROUND_TRIP_MS); sample++) {
    const sentAt = now();
    const serverDate = await store.serverTime();
    const answeredAt = now();
    if (serverDate === undefined) {
      progress.step("lock", "the store's answer carries no Date header: this machine's clock could not be compared with it");
      return;
    }
    const roundTrip = answeredAt - sentAt;
    if (best === undefined || roundTrip < best.roundTrip) best = { skew: skewAtLeast(sentAt, serverDate, answeredAt), roundTrip };
  }
  if (Math.abs(best!.skew) > maxSkewSeconds * 1000) throw new ClockSkewError(best!.skew, maxSkewSeconds);
}
