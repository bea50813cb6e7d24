/** Delivery counters and the progress / summary lines the CLI prints on stderr. */

export interface DeliveryCounts {
  /** Messages handed to the Kafka client. */
  sent: number;
  /** Messages the broker acknowledged. */
  acknowledged: number;
  /** Messages whose delivery failed. */
  failed: number;
  /** Malformed messages among the sent ones. */
  malformed: number;
}

export interface ProgressSample {
  readonly atMs: number;
  readonly acknowledged: number;
}

export function emptyCounts(): DeliveryCounts {
  return { sent: 0, acknowledged: 0, failed: 0, malformed: 0 };
}

/** Acknowledged events per second between two samples. */
export function ratePerSecond(previous: ProgressSample, current: ProgressSample): number {
  const seconds = (current.atMs - previous.atMs) / 1000;
  return seconds > 0 ? (current.acknowledged - previous.acknowledged) / seconds : 0;
}

export function formatProgress(counts: DeliveryCounts, currentRate: number): string {
  return `progress: sent ${counts.sent}, acknowledged ${counts.acknowledged}, failed ${counts.failed}, in flight ${counts.sent - counts.acknowledged - counts.failed}, rate ${Math.round(currentRate)}/s`;
}

export interface RunSummary extends DeliveryCounts {
  readonly seconds: number;
  /** Acknowledged events per second over the whole run. */
  readonly eventsPerSecond: number;
  readonly seed: number;
  /** Why the run ended. */
  readonly stoppedBy: "count" | "duration" | "signal" | "failures";
}

export function formatSummary(summary: RunSummary): string {
  return (
    `done (${summary.stoppedBy}): sent ${summary.sent}, acknowledged ${summary.acknowledged}, failed ${summary.failed}, ` +
    `malformed ${summary.malformed}, ${summary.seconds.toFixed(1)} s, ${Math.round(summary.eventsPerSecond)} events/s, seed ${summary.seed}`
  );
}
