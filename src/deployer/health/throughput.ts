/**
 * Is the running job big enough for its input (issue 28 item 4)? From what runs, not from the plan:
 * - the input rate: the topic's offsets now minus its offsets a window ago (Kafka's ListOffsets by timestamp);
 * - what the job can process with its sizing: its recent batches' cost (a fixed cost per batch plus a cost per
 *   reading, batch-cost.ts), with batches back to back, each at most maxOffsetsPerTrigger and at least a trigger;
 * - the backlog, and how long it takes to drain at that capacity minus the input.
 * The job is undersized when input waits beyond the next batch and cannot drain within the bound. The advice is a
 * sizing that would (advice only, like the Flink autoscaler's recommendation mode), with the plan's margin
 * (contracts/sizing-margin.ts). Pure: status and ensure measure, this judges.
 */
import { TARGET_BUSY } from "../../../contracts/sizing-margin";

/** The recent batches as their `took` lines summed them (batch-log.ts), with their fitted cost when one fits. */
export interface BatchSample {
  batches: number;
  rows: number;
  wholeMs: number;
  cost?: { fixedMs: number; perReadingMs: number };
  /** The batch that read the most rows (the latest of equals). */
  largest: { rows: number; wholeMs: number };
  /** The fewest rows a batch read. */
  smallestRows: number;
}

/** A batch's cost: fixed per batch plus per reading. `split`: whether the two were told apart (a fit), or all of it is counted per reading. */
export interface CostModel {
  fixedMs: number;
  perReadingMs: number;
  split: boolean;
}

/** A fit is trusted only over batches whose sizes differ at least this much: a near-flat spread makes a line of noise. */
export const FIT_ROWS_SPREAD = 2;

export interface RunningSizing {
  executors: number;
  executorCores: number;
  /** The job's cap on readings per batch; undefined: none. */
  maxOffsetsPerTrigger?: number;
  triggerSeconds: number;
}

export interface ThroughputInput {
  /** Readings that arrived per second over the last `windowSeconds`. */
  inputPerSecond: number;
  windowSeconds: number;
  backlogRecords: number;
  batches: BatchSample;
  sizing: RunningSizing;
  /** The backlog must be able to drain within this (bdc.health.maxBacklogSeconds). */
  catchUpWithinSeconds: number;
}

/** A sizing that would drain the backlog within the bound and then keep up with the margin. */
export interface SizingAdvice {
  executors: number;
  cores: number;
  maxOffsetsPerTrigger: number;
  triggerSeconds: number;
  /** What it would process, readings/s. */
  capacityPerSecond: number;
}

export interface Throughput {
  inputPerSecond: number;
  windowSeconds: number;
  /** What the job processes with its sizing while input waits, readings/s. */
  capacityPerSecond: number;
  /** The cost model it came from. */
  fixedMs: number;
  perReadingMs: number;
  /** Whether the batches told the fixed cost from the per-reading one (else no sizing can be advised). */
  split: boolean;
  backlogRecords: number;
  /** Seconds for the backlog to drain at capacity minus input; null when it never drains. */
  catchUpSeconds: number | null;
  undersized: boolean;
  /** When undersized and the cost is split. */
  advice?: SizingAdvice;
}

/**
 * The batches' cost: the fitted line when it is a cost (positive slope, no negative fixed part) over batches whose
 * sizes differ by FIT_ROWS_SPREAD. Else (batches of one size, as a job capped by maxOffsetsPerTrigger runs, or noise)
 * the largest batch's duration spread over its readings, as if all of it were per reading: at that batch size the
 * capacity is what the job did, but how it would change with the sizing is unknown (`split` false).
 */
export function costModel(batches: BatchSample): CostModel | undefined {
  const fit = batches.cost;
  const spread = batches.largest.rows >= FIT_ROWS_SPREAD * Math.max(1, batches.smallestRows);
  if (fit && spread && fit.perReadingMs > 0 && fit.fixedMs >= 0) return { fixedMs: fit.fixedMs, perReadingMs: fit.perReadingMs, split: true };
  const { rows, wholeMs } = batches.largest;
  return rows > 0 && wholeMs > 0 ? { fixedMs: 0, perReadingMs: wholeMs / rows, split: false } : undefined;
}

/** Readings/s of back-to-back batches: each takes min(backlog, cap) readings and lasts at least a trigger. */
export function capacityPerSecond(model: { fixedMs: number; perReadingMs: number }, maxOffsetsPerTrigger: number | undefined, triggerSeconds: number, coreScale = 1): number {
  const perReadingMs = model.perReadingMs / coreScale;
  // Without a cap, a batch takes the whole backlog: the larger it is, the more the per-reading cost rules.
  if (maxOffsetsPerTrigger === undefined) return 1000 / perReadingMs;
  const batchMs = Math.max(triggerSeconds * 1000, model.fixedMs + perReadingMs * maxOffsetsPerTrigger);
  return (maxOffsetsPerTrigger * 1000) / batchMs;
}

/** Undefined when the batches tell no cost (no `took` line with rows yet). */
export function judgeThroughput(input: ThroughputInput): Throughput | undefined {
  const model = costModel(input.batches);
  if (model === undefined) return undefined;
  const { sizing, inputPerSecond, backlogRecords } = input;
  const capacity = capacityPerSecond(model, sizing.maxOffsetsPerTrigger, sizing.triggerSeconds);
  const catchUpSeconds = backlogRecords === 0 ? 0 : capacity > inputPerSecond ? backlogRecords / (capacity - inputPerSecond) : null;
  // A backlog of up to one trigger's input is the next batch's, in any healthy stream.
  const waitsBeyondNextBatch = backlogRecords > inputPerSecond * sizing.triggerSeconds;
  // A catch-up at the bound to a float's last digit is within it (an advice sized exactly for the bound).
  const undersized = waitsBeyondNextBatch && (catchUpSeconds === null || catchUpSeconds > input.catchUpWithinSeconds * (1 + 1e-9));
  const judged: Throughput = { inputPerSecond, windowSeconds: input.windowSeconds, capacityPerSecond: capacity, ...model, backlogRecords, catchUpSeconds, undersized };
  return undersized && model.split ? { ...judged, advice: adviseSizing(input, model) } : judged;
}

/**
 * Needed: the input with the margin, and the input plus the backlog spread over the bound. The trigger (at least
 * 1 s) must leave the fixed cost within the busy share; each trigger may take the needed rate's readings (a larger
 * cap stays); the cores make a batch of the cap take at most the time the needed rate allows it, cap ÷ needed (the
 * per-reading cost shrinks with more cores, the fixed cost does not).
 */
export function adviseSizing(input: ThroughputInput, model: { fixedMs: number; perReadingMs: number }): SizingAdvice {
  const { sizing } = input;
  const needed = Math.max(input.inputPerSecond / TARGET_BUSY, input.inputPerSecond + input.backlogRecords / input.catchUpWithinSeconds);
  const triggerSeconds = Math.max(sizing.triggerSeconds, 1, Math.ceil(model.fixedMs / 1000 / TARGET_BUSY));
  const maxOffsetsPerTrigger = Math.max(sizing.maxOffsetsPerTrigger ?? 0, Math.ceil(needed * triggerSeconds));
  const cores0 = sizing.executors * sizing.executorCores;
  // maxOffsetsPerTrigger ≥ needed × trigger > fixed ÷ 1000 × needed ÷ TARGET_BUSY: the budget exceeds the fixed cost.
  const rowsMs = (maxOffsetsPerTrigger * 1000) / needed - model.fixedMs;
  const cores = Math.max(cores0, Math.ceil((model.perReadingMs * cores0 * maxOffsetsPerTrigger) / rowsMs));
  const executors = Math.max(sizing.executors, Math.ceil(cores / sizing.executorCores));
  const capacity = capacityPerSecond(model, maxOffsetsPerTrigger, triggerSeconds, (executors * sizing.executorCores) / cores0);
  return { executors, cores: executors * sizing.executorCores, maxOffsetsPerTrigger, triggerSeconds, capacityPerSecond: capacity };
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");

/** The measurement in one line, for status. */
export function describeThroughput(t: Throughput): string {
  const drains = t.catchUpSeconds === null ? "the backlog never drains" : `the backlog drains in about ${n(t.catchUpSeconds)}s`;
  // Unsplit, the whole of the largest batch's time is counted per reading: what it does is at least that.
  const cost = t.split
    ? `at most ${n(t.capacityPerSecond)}/s (${(t.fixedMs / 1000).toFixed(2)}s a batch + ${t.perReadingMs.toFixed(3)} ms a reading)`
    : `at least ${n(t.capacityPerSecond)}/s (${t.perReadingMs.toFixed(3)} ms a reading, fixed cost included: its batches were too alike in size to tell the two apart)`;
  return `input ${n(t.inputPerSecond)}/s over the last ${t.windowSeconds}s; the job does ${cost}; ${drains}`;
}

/** The problem and its advice, in words; undefined when the job keeps up. */
export function undersizedProblem(t: Throughput | undefined, sizing: RunningSizing, withinSeconds: number): string | undefined {
  if (!t?.undersized) return undefined;
  const said = `undersized: ${describeThroughput(t)}, not within ${n(withinSeconds)}s (bdc.health.maxBacklogSeconds).`;
  const a = t.advice;
  if (a === undefined) {
    return `${said} No sizing is advised: the recent batches read about as many rows each, so their fixed and per-reading costs cannot be told apart (more cores shorten only the second, a larger maxOffsetsPerTrigger spreads only the first)`;
  }
  const changes = [
    a.executors !== sizing.executors ? `bdc.spark.executors ${a.executors} (× ${sizing.executorCores} cores, now ${sizing.executors})` : undefined,
    a.maxOffsetsPerTrigger !== sizing.maxOffsetsPerTrigger ? `bdc.job.maxOffsetsPerTrigger ${n(a.maxOffsetsPerTrigger)} (now ${sizing.maxOffsetsPerTrigger === undefined ? "none" : n(sizing.maxOffsetsPerTrigger)})` : undefined,
    a.triggerSeconds !== sizing.triggerSeconds ? `bdc.job.triggerInterval "${a.triggerSeconds} seconds" (now ${sizing.triggerSeconds} s)` : undefined,
  ].filter((c): c is string => c !== undefined);
  return (
    `${said} ` +
    `Advice, to catch up within it: ${changes.length > 0 ? changes.join(", ") : "the same sizing (the input exceeds it only now)"}, about ${n(a.capacityPerSecond)}/s`
  );
}
