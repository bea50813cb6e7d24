/**
 * One simulator run: generates readings, paces them, sends them in batches with a bounded number
 * of requests in flight, reports progress, and on stop (count, duration, signal) waits for every
 * in-flight batch before returning the summary. It does not know Kafka: it sends to a sink.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SimulatorOptions } from "./options";
import { createPacer } from "./pacer";
import { type DeliveryCounts, emptyCounts, formatProgress, type ProgressSample, ratePerSecond, type RunSummary } from "./progress";
import { createReadingSource, type SimulatedMessage } from "./readings";

/** Give up after this many batches in a row failed for a whole delivery timeout: the broker is gone for good. */
export const MAX_CONSECUTIVE_FAILED_BATCHES = 5;

/**
 * How long a batch is retried through an outage, as a production producer does: Kafka's own default
 * `delivery.timeout.ms` (2 minutes), with backoff doubling from `initialBackoffMs` up to `maxBackoffMs`.
 */
export interface DeliveryRetry {
  deliveryTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { deliveryTimeoutMs: 120_000, initialBackoffMs: 250, maxBackoffMs: 5_000 };

export interface MessageSink {
  send(messages: readonly SimulatedMessage[]): Promise<void>;
}

export interface RunHooks {
  /** A progress line, every options.progressIntervalMs. */
  onProgress?(line: string, counts: Readonly<DeliveryCounts>): void;
  /** A delivery error (repeats of the same message are reported once). */
  onError?(message: string): void;
  /** Aborting stops generating; in-flight batches are still awaited. */
  readonly stopSignal?: AbortSignal;
  /** Turns a sink error into one line. @default String(error) */
  describeError?(error: unknown): string;
  /** @default DEFAULT_DELIVERY_RETRY */
  retry?: DeliveryRetry;
}

/**
 * Sends one batch, retried with capped exponential backoff until it is acknowledged, its delivery timeout passes,
 * or the run is stopped (then the batch counts as failed at once: Ctrl-C must not wait out an outage). Each failed
 * attempt is reported; a retried batch may reach Kafka twice if only its acknowledgement was lost (at least once).
 */
async function sendWithRetry(sink: MessageSink, batch: readonly SimulatedMessage[], retry: DeliveryRetry, signal: AbortSignal | undefined, onRetry: (error: unknown) => void): Promise<void> {
  const giveUpAt = performance.now() + retry.deliveryTimeoutMs;
  for (let backoff = retry.initialBackoffMs; ; backoff = Math.min(backoff * 2, retry.maxBackoffMs)) {
    try {
      return await sink.send(batch);
    } catch (error) {
      const wait = Math.min(backoff, giveUpAt - performance.now());
      if (wait <= 0 || signal?.aborted) throw error;
      onRetry(error);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) throw error;
    }
  }
}

export async function runSimulation(options: SimulatorOptions, seed: number, sink: MessageSink, hooks: RunHooks = {}): Promise<RunSummary> {
  const source = createReadingSource({ sensors: options.sensors, seed, malformedFraction: options.malformedFraction });
  const pacer = createPacer({ ratePerSecond: options.ratePerSecond, maxBatch: options.batchSize });
  const counts = emptyCounts();
  const inFlight = new Set<Promise<void>>();
  const describeError = hooks.describeError ?? ((error: unknown) => String(error));
  const signal = hooks.stopSignal;
  let consecutiveFailures = 0;

  const startMs = performance.now();
  const elapsed = (): number => performance.now() - startMs;
  let previous: ProgressSample = { atMs: 0, acknowledged: 0 };
  const progressTimer = setInterval(() => {
    const current = { atMs: elapsed(), acknowledged: counts.acknowledged };
    hooks.onProgress?.(formatProgress(counts, ratePerSecond(previous, current)), counts);
    previous = current;
  }, options.progressIntervalMs);

  /** One line per distinct error, for retries and for given-up batches each (an outage repeats one error). */
  const said = { retrying: "", "given up": "" };
  const report = (size: number, error: unknown, what: keyof typeof said): void => {
    const message = describeError(error);
    if (message !== said[what]) hooks.onError?.(`delivery of ${size} messages failed (${what}): ${message}`);
    said[what] = message;
  };

  const dispatch = (batch: SimulatedMessage[]): void => {
    const size = batch.length;
    const delivery = sendWithRetry(sink, batch, hooks.retry ?? DEFAULT_DELIVERY_RETRY, signal, (error) => report(size, error, "retrying")).then(
      () => {
        counts.acknowledged += size;
        consecutiveFailures = 0;
      },
      (error: unknown) => {
        counts.failed += size;
        consecutiveFailures += 1;
        report(size, error, "given up");
      },
    );
    const tracked = delivery.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  let stoppedBy: RunSummary["stoppedBy"];
  try {
    for (;;) {
      if (signal?.aborted) { stoppedBy = "signal"; break; }
      if (options.count !== undefined && counts.sent >= options.count) { stoppedBy = "count"; break; }
      const now = elapsed();
      if (options.durationMs !== undefined && now >= options.durationMs) { stoppedBy = "duration"; break; }
      if (consecutiveFailures >= MAX_CONSECUTIVE_FAILED_BATCHES) { stoppedBy = "failures"; break; }
      if (inFlight.size >= options.maxInFlight) {
        await Promise.race(inFlight);
        continue;
      }
      const decision = pacer.decide(now);
      if ("waitMs" in decision) {
        const untilEnd = options.durationMs === undefined ? Infinity : options.durationMs - now;
        await sleep(Math.max(1, Math.min(decision.waitMs, untilEnd)), undefined, { signal }).catch(() => undefined);
        continue;
      }
      const size = Math.min(decision.send, (options.count ?? Infinity) - counts.sent);
      const batch: SimulatedMessage[] = new Array(size);
      for (let i = 0; i < size; i++) {
        const message = source.next();
        if (message.malformedKind) counts.malformed += 1;
        batch[i] = message;
      }
      pacer.sent(size);
      counts.sent += size;
      dispatch(batch);
      // Let acknowledgements and timers run between batches when unthrottled.
      if (options.ratePerSecond === Infinity) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(progressTimer);
  }

  const seconds = elapsed() / 1000;
  const eventsPerSecond = seconds > 0 ? counts.acknowledged / seconds : 0;
  return { ...counts, seconds: Math.round(seconds * 1000) / 1000, eventsPerSecond: Math.round(eventsPerSecond * 10) / 10, seed, stoppedBy };
}
