/**
 * The job's lines per micro-batch in the driver's log (which Livy keeps): the one fact the job (batch_lines.py) and the deployer (src/deployer/clients/batch-log.ts: `status`, `ensure`, `npm start`) share
 * about them. Each is `sensor-aggregation: run <run_id> batch <N> <kind> <JSON object>`:
 *   - `written`: what the batch wrote, `{"readings": n, "rejected": n, "reasons": {reason: n}}`, printed by the batch;
 *   - `took`: how long it took, the streaming query's own progress for it (`durationMs`: `triggerExecution`, the
 *     whole batch; `addBatch`, the foreachBatch body; `walCommit`, ...) plus `rows` (its input rows), printed once
 *     the query reports it.
 * The generated batch-lines.json (beside job.py) carries these to the job's tests. Pure: no I/O.
 */
export const BATCH_LINE_PREFIX = "sensor-aggregation: run";
export const WRITTEN_KIND = "written";
export const TOOK_KIND = "took";

/** The progress duration that covers a whole micro-batch (StreamingQueryProgress.durationMs, Spark 2.4 to 3.5). */
export const WHOLE_BATCH_DURATION = "triggerExecution";

/** Matches one line: run id, batch id, kind, JSON. */
export const BATCH_LINE = new RegExp(`${BATCH_LINE_PREFIX} (\\S+) batch (\\d+) (${WRITTEN_KIND}|${TOOK_KIND}) (\\{.*\\})\\s*$`);

export const BATCH_LINES_CONTRACT_FILE = "batch-lines.json";

/** What the job's tests compare batch_lines.py's lines with. */
export function batchLinesContractJson(): string {
  return `${JSON.stringify({ prefix: BATCH_LINE_PREFIX, kinds: { written: WRITTEN_KIND, took: TOOK_KIND }, wholeBatchDuration: WHOLE_BATCH_DURATION }, null, 2)}\n`;
}
