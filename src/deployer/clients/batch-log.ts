/**
 * The job's lines per micro-batch, as it prints them into the driver's log (which Livy keeps); their shape is
 * contracts/batch-lines.ts's: `written` (rows and rejected rows by reason) and `took` (the batch's durations as the
 * streaming query measured them). Read by `status` and `ensure` (rows, rejected fraction and durations of the
 * recent batches) and by `npm start`.
 */
import type { LivyClient } from "./livy-client";
import { BATCH_LINE, TOOK_KIND, WHOLE_BATCH_DURATION, WRITTEN_KIND } from "../../../contracts/batch-lines";
import { batchCost, type BatchCost } from "./batch-cost";

export interface WrittenBatch {
  runId: string;
  batchId: number;
  readings: number;
  rejected: number;
  reasons: Record<string, number>;
}

export interface TookBatch {
  runId: string;
  batchId: number;
  /** The whole batch (WHOLE_BATCH_DURATION), ms. */
  wholeMs: number;
  /** Its input rows. */
  rows: number;
  /** Every duration the query reported for it (addBatch, walCommit, ...), ms. */
  durationsMs: Record<string, number>;
}

/** The JSON of each line of one kind, keyed by (run, batch); the first line of a key wins unless `lastWins`. */
function linesOfKind(lines: readonly string[], kind: string, lastWins: boolean): Map<string, { runId: string; batchId: number; fields: Record<string, unknown> }> {
  const seen = new Map<string, { runId: string; batchId: number; fields: Record<string, unknown> }>();
  for (const line of lines) {
    const match = BATCH_LINE.exec(line);
    if (!match || match[3] !== kind) continue;
    const key = `${match[1]}/${match[2]}`;
    if (seen.has(key) && !lastWins) continue;
    try {
      seen.set(key, { runId: match[1] as string, batchId: Number(match[2]), fields: JSON.parse(match[4] as string) as Record<string, unknown> });
    } catch {
      // A line cut by the log window is not a batch.
    }
  }
  return seen;
}

/** The written-batch lines among log lines, once per (run, batch): a batch replayed after a crash logs again. */
export function writtenBatches(lines: readonly string[]): WrittenBatch[] {
  return [...linesOfKind(lines, WRITTEN_KIND, false).values()].map(({ runId, batchId, fields }) => {
    const counts = fields as { readings: number; rejected: number; reasons?: Record<string, number> };
    return { runId, batchId, readings: counts.readings, rejected: counts.rejected, reasons: counts.reasons ?? {} };
  });
}

/** The took-batch lines among log lines, once per (run, batch), the last attempt's (the one that ran to its end last). */
export function tookBatches(lines: readonly string[]): TookBatch[] {
  const took: TookBatch[] = [];
  for (const { runId, batchId, fields } of linesOfKind(lines, TOOK_KIND, true).values()) {
    const { rows, ...durations } = fields as Record<string, number>;
    const wholeMs = durations[WHOLE_BATCH_DURATION];
    if (typeof wholeMs !== "number" || typeof rows !== "number") continue;
    took.push({ runId, batchId, wholeMs, rows, durationsMs: durations });
  }
  return took;
}

export interface RecentDurations {
  batches: number;
  /** Of the whole batch (WHOLE_BATCH_DURATION), ms. */
  medianMs: number;
  maxMs: number;
  /** Their input rows and whole durations (ms), summed. */
  rows: number;
  wholeMs: number;
  /** Their fixed and per-reading cost, when the batches' sizes differ enough to fit one (batch-cost.ts). */
  cost?: Omit<BatchCost, "batches">;
  /** The one that read the most rows (the latest of equals: after a restart, not the cold first one): what the job did when it had the most to do. */
  largest: { rows: number; wholeMs: number };
  /** The fewest rows a batch read. */
  smallestRows: number;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The median and longest whole-batch duration of the last `count` batches that took, their sums and cost; undefined with none. */
export function recentDurations(batches: readonly TookBatch[], count: number): RecentDurations | undefined {
  const recent = batches.slice(-count);
  const last = recent.map((b) => b.wholeMs).sort((a, b) => a - b);
  if (last.length === 0) return undefined;
  const fit = batchCost(recent);
  return {
    batches: last.length,
    medianMs: median(last),
    maxMs: last[last.length - 1] as number,
    rows: recent.reduce((sum, b) => sum + b.rows, 0),
    wholeMs: recent.reduce((sum, b) => sum + b.wholeMs, 0),
    largest: recent.reduce((most, b) => (b.rows >= most.rows ? { rows: b.rows, wholeMs: b.wholeMs } : most), { rows: recent[0]!.rows, wholeMs: recent[0]!.wholeMs }),
    smallestRows: Math.min(...recent.map((b) => b.rows)),
    ...(fit ? { cost: { fixedMs: fit.fixedMs, perReadingMs: fit.perReadingMs } } : {}),
  };
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
  /** How long the recent batches took (their `took` lines), when the log window shows any. */
  took?: RecentDurations;
}

/** Totals of the last `count` written batches. */
export function recentBatches(batches: readonly WrittenBatch[], count: number): RecentBatches {
  const last = batches.slice(-count);
  const readings = last.reduce((sum, b) => sum + b.readings, 0);
  const rejected = last.reduce((sum, b) => sum + b.rejected, 0);
  return { batches: last.length, readings, rejected, rejectedFraction: readings + rejected === 0 ? 0 : rejected / (readings + rejected) };
}

/** The last RECENT_BATCHES written batches, and how long the last batches took, in a running batch's Livy log window; undefined when it shows neither. */
export async function readRecentBatches(livy: LivyClient, batchId: number): Promise<RecentBatches | undefined> {
  const lines = await livy.getLogTail(batchId, LOG_LINES);
  const written = writtenBatches(lines);
  const took = recentDurations(tookBatches(lines), RECENT_BATCHES);
  if (written.length === 0 && took === undefined) return undefined;
  return { ...recentBatches(written, RECENT_BATCHES), ...(took !== undefined ? { took } : {}) };
}
