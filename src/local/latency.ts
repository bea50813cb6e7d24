/**
 * End-to-end latency of the local pipeline, per reading: when the stats message of the micro-batch that
 * consumed it first arrived, minus when the reading was produced (its Kafka timestamp). Which batch consumed
 * which offsets comes from the checkpoint: batch N read [end of N-1, end of N) of each partition.
 */

/** Produce times of one topic, per partition, by offset. */
export class ProduceTimes {
  private readonly partitions = new Map<string, Map<number, number>>();

  add(partition: number | string, offset: number, producedAtMs: number): void {
    const key = String(partition);
    let times = this.partitions.get(key);
    if (times === undefined) this.partitions.set(key, (times = new Map()));
    times.set(offset, producedAtMs);
  }

  get(partition: string, offset: number): number | undefined {
    return this.partitions.get(partition)?.get(offset);
  }
}

/** Where a batch started and ended in each partition (end exclusive). */
export interface BatchRange {
  start: Record<string, number>;
  end: Record<string, number>;
}

/** Latencies in ms of the readings of one batch whose stats arrived at `arrivedAtMs`; readings not seen are skipped. */
export function batchLatencies(range: BatchRange, arrivedAtMs: number, produced: ProduceTimes): number[] {
  const latencies: number[] = [];
  for (const [partition, end] of Object.entries(range.end)) {
    for (let offset = range.start[partition] ?? 0; offset < end; offset += 1) {
      const at = produced.get(partition, offset);
      if (at !== undefined) latencies.push(arrivedAtMs - at);
    }
  }
  return latencies;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles; undefined for no values. */
export function percentiles(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { count: sorted.length, p50: rank(50), p95: rank(95), max: sorted[sorted.length - 1] as number };
}
