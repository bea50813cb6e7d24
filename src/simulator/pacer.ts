/**
 * Rate control: how many messages may be sent now to keep an average of `ratePerSecond`.
 * Pure (time is passed in), so it is tested without waiting.
 *
 * Messages due by time t are `rate * t + 1` (the first goes at once). They are handed out in
 * batches of at least `lingerMs` worth (so a high rate is not sent one message per timer tick)
 * and at most `maxBatch`. After a stall (a slow broker) the catch-up burst is capped at one
 * second's worth of messages.
 */

export type PacerDecision = { readonly send: number } | { readonly waitMs: number };

export interface PacerOptions {
  /** Target events per second; Infinity for unthrottled. */
  readonly ratePerSecond: number;
  /** Largest batch to hand out at once. */
  readonly maxBatch: number;
  /** Gather this many milliseconds of messages per batch at high rates. @default 20 */
  readonly lingerMs?: number;
}

export interface Pacer {
  /** What to do at `nowMs` (ms since the run started); call `sent(n)` after sending. */
  decide(nowMs: number): PacerDecision;
  /** Records that n messages were handed out. */
  sent(n: number): void;
}

export function createPacer(options: PacerOptions): Pacer {
  const { ratePerSecond, maxBatch } = options;
  const lingerMs = options.lingerMs ?? 20;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be an integer ≥ 1, got ${maxBatch}`);
  const minBatch = Math.max(1, Math.min(maxBatch, Math.floor((ratePerSecond * lingerMs) / 1000)));
  // Largest backlog handed out at once after a stall: one second's worth (at least one batch).
  const maxBacklog = Math.max(Math.floor(ratePerSecond), minBatch);
  let handedOut = 0; // messages sent since `baseMs`
  let baseMs = 0; // moved forward after a stall to cap the catch-up burst
  // Message k (from 0) is due at baseMs + k / rate, so the first one goes at once.
  const dueBy = (nowMs: number): number => Math.floor(((nowMs - baseMs) * ratePerSecond) / 1000) + 1 - handedOut;

  return {
    decide(nowMs: number): PacerDecision {
      if (ratePerSecond === Infinity) return { send: maxBatch };
      let due = dueBy(nowMs);
      if (due > maxBacklog) {
        baseMs = nowMs - ((handedOut + maxBacklog - 1) * 1000) / ratePerSecond;
        due = dueBy(nowMs);
      }
      if (due >= minBatch) return { send: Math.min(due, maxBatch) };
      const dueAtMs = baseMs + ((handedOut + minBatch - 1) * 1000) / ratePerSecond;
      return { waitMs: Math.max(1, Math.ceil(dueAtMs - nowMs)) };
    },
    sent(n: number): void {
      handedOut += n;
    },
  };
}
