/**
 * The job's one line per written micro-batch, as job.py's for_each_batch prints it into the driver's log
 * (which Livy keeps): `sensor-aggregation: run <run_id> batch <N> written {"readings": …, "rejected": …,
 * "reasons": {…}}`. Read by `status` and `ensure` (rows and rejected fraction of the recent batches) and by
 * `npm start`.
 */
import type { LivyClient } from "./livy-client";

export interface WrittenBatch {
  runId: string;
  batchId: number;
  readings: number;
  rejected: number;
  reasons: Record<string, number>;
}

const WRITTEN = /sensor-aggregation: run (\S+) batch (\d+) written (\{.*\})\s*$/;

/** The written-batch lines among log lines, once per (run, batch): a batch replayed after a crash logs again. */
export function writtenBatches(lines: readonly string[]): WrittenBatch[] {
  const seen = new Map<string, WrittenBatch>();
  for (const line of lines) {
    const match = WRITTEN.exec(line);
    if (!match) continue;
    const key = `${match[1]}/${match[2]}`;
    if (seen.has(key)) continue;
    try {
      const counts = JSON.parse(match[3] as string) as { readings: number; rejected: number; reasons: Record<string, number> };
      seen.set(key, { runId: match[1] as string, batchId: Number(match[2]), readings: counts.readings, rejected: counts.rejected, reasons: counts.reasons ?? {} });
    } catch {
      // A line cut by the log window is not a batch.
    }
  }
  return [...seen.values()];
}

/** How many written batches the rejected fraction is taken over. */
const RECENT_BATCHES = 10;
/** Lines of the driver's log asked of Livy for the batch lines (a cluster's Livy keeps 200 by default). */
const LOG_LINES = 1000;

export interface RecentBatches {
  batches: number;
  readings: number;
  rejected: number;
  /** rejected / (readings + rejected); 0 without input. */
  rejectedFraction: number;
}

/** Totals of the last `count` written batches. */
export function recentBatches(batches: readonly WrittenBatch[], count: number): RecentBatches {
  const last = batches.slice(-count);
  const readings = last.reduce((sum, b) => sum + b.readings, 0);
  const rejected = last.reduce((sum, b) => sum + b.rejected, 0);
  return { batches: last.length, readings, rejected, rejectedFraction: readings + rejected === 0 ? 0 : rejected / (readings + rejected) };
}

/** The last RECENT_BATCHES written batches in a running batch's Livy log window; undefined when it shows none. */
export async function readRecentBatches(livy: LivyClient, batchId: number): Promise<RecentBatches | undefined> {
  const written = writtenBatches(await livy.getLogTail(batchId, LOG_LINES));
  return written.length > 0 ? recentBatches(written, RECENT_BATCHES) : undefined;
}
