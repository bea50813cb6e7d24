/**
 * The start and end of one dependency's outage, as the local monitor sees it: the first failure starts it (logged
 * once), the first success after it ends it (logged once), and the reason is the latest failure's.
 */
import { describeKafkaError } from "../simulator/kafka-errors";

export interface Outage {
  /** Epoch ms of the first failure of this outage. */
  since: number;
  /** Whole seconds since then, as of the snapshot. */
  seconds: number;
  reason: string;
}

export class OutageTracker {
  private since: number | undefined;
  private reason = "";

  constructor(
    /** What is unreachable, as the log says it, e.g. "livy/webhdfs". */
    private readonly what: string,
    private readonly log: (line: string) => void,
  ) {}

  failed(error: unknown, now = Date.now()): void {
    // The innermost messages of a wrapped error (a client error around ECONNREFUSED, Kafka's per-broker aggregates).
    this.reason = describeKafkaError(error);
    if (this.since !== undefined) return;
    this.since = now;
    this.log(`monitor: ${this.what} unreachable (${this.reason}); showing the last figures read and trying again`);
  }

  ok(now = Date.now()): void {
    if (this.since === undefined) return;
    this.log(`monitor: ${this.what} reachable again after ${Math.round((now - this.since) / 1000)} s`);
    this.since = undefined;
  }

  get down(): boolean {
    return this.since !== undefined;
  }

  current(now = Date.now()): Outage | null {
    return this.since === undefined ? null : { since: this.since, seconds: Math.max(0, Math.round((now - this.since) / 1000)), reason: this.reason };
  }
}
