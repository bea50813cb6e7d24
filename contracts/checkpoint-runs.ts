/**
 * How `new-run` closes a streaming run (issue 30 item 4): the one fact the deployer (src/deployer/commands/new-run.ts) and
 * the job (checkpoint_runs.py) share about it. new-run renames the live checkpoint to
 * `<checkpoint><CHECKPOINT_ASIDE_INFIX><UTC time>`; the job and maintenance read such a sibling as a closed run,
 * whose batches past its last commit are dropped, since the new run reads them again. The generated
 * checkpoint-runs.json (beside job.py) carries the infix to the job's tests. Pure: no I/O.
 */
export const CHECKPOINT_ASIDE_INFIX = ".before-";

/** Where new-run moves a checkpoint aside at `at`: `<checkpoint>.before-20261204T183000Z`. */
export function asideCheckpointPath(checkpoint: string, at: Date): string {
  return `${checkpoint}${CHECKPOINT_ASIDE_INFIX}${at.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "Z")}`;
}

export const CHECKPOINT_RUNS_CONTRACT_FILE = "checkpoint-runs.json";

/** What the job's tests compare checkpoint_runs.py with. */
export function checkpointRunsContractJson(): string {
  return `${JSON.stringify({ asideInfix: CHECKPOINT_ASIDE_INFIX }, null, 2)}\n`;
}
