/**
 * A micro-batch's cost split in two, from the batches' `took` lines: a fixed cost per batch (what a batch of no
 * readings would take: its Spark jobs, metastore calls and checkpoint writes) and a cost per reading, by a
 * least-squares line through (rows, whole-batch duration). bench:e2e prints both (issue 28 item 1); status sizes the job from them (throughput.ts).
 */
import type { TookBatch } from "./batch-log";

export interface BatchCost {
  batches: number;
  /** The line's value at 0 rows, ms. */
  fixedMs: number;
  /** Its slope, ms per reading. */
  perReadingMs: number;
}

/** Undefined with fewer than two batches or when every batch read as many rows (no slope to tell). */
export function batchCost(took: readonly TookBatch[]): BatchCost | undefined {
  const n = took.length;
  if (n < 2) return undefined;
  const meanRows = took.reduce((sum, b) => sum + b.rows, 0) / n;
  const meanMs = took.reduce((sum, b) => sum + b.wholeMs, 0) / n;
  const spread = took.reduce((sum, b) => sum + (b.rows - meanRows) ** 2, 0);
  if (spread === 0) return undefined;
  const perReadingMs = took.reduce((sum, b) => sum + (b.rows - meanRows) * (b.wholeMs - meanMs), 0) / spread;
  return { batches: n, fixedMs: meanMs - perReadingMs * meanRows, perReadingMs };
}
