/** Submitting Livy batches and waiting for them, with progress; failures carry the batch's log tail. */
import { realSleep, type Sleep } from "../core/sleep";
import { DeployError } from "../core/errors";
import { ALIVE_STATES, type Batch, type BatchRequest, type BatchState, type LivyClient } from "../clients/livy-client";
import type { Progress } from "../core/progress";

export interface WaitTiming {
  pollSeconds: number;
  timeoutSeconds: number;
  /** After `running`, how long the batch must stay alive to count as started (streaming only). */
  graceSeconds?: number;
}


export class BatchFailedError extends DeployError {
  constructor(
    readonly batchId: number,
    readonly state: BatchState | "timeout",
    readonly logTail: string[],
    what: string,
  ) {
    super(`${what} (Livy batch ${batchId}) ended in state ${state}; log tail:\n${logTail.map((l) => `  | ${l}`).join("\n")}`);
    this.name = "BatchFailedError";
  }
}

export class BatchRunner {
  submissions = 0;
  private attempts = 0;
  /** Epoch ms after which no wait may continue (the run's deadline). @default none */
  deadlineAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly livy: LivyClient,
    private readonly progress: Progress,
    readonly sleep: Sleep = realSleep,
  ) {}

  /** All batches (alive or finished) with this name, across every page of Livy's list. */
  async findByName(name: string): Promise<Batch[]> {
    const named = (b: Batch) => b.name === name;
    return (await this.livy.listBatchesStable(named)).filter(named);
  }

  /** This run's next submission number, for the submission's name (counted whether or not its answer arrives). */
  nextAttempt(): number {
    this.attempts += 1;
    return this.attempts;
  }

  /** Limits a wait's own timeout to what is left of the run's deadline. */
  private until(timeoutSeconds: number): { at: number; why: string } {
    const own = Date.now() + timeoutSeconds * 1000;
    return own <= this.deadlineAt ? { at: own, why: `${timeoutSeconds}s` } : { at: this.deadlineAt, why: "the run's deadline" };
  }

  async submit(request: BatchRequest, what: string): Promise<Batch> {
    this.progress.step("livy", `submitting ${what} as batch "${request.name}" (${request.file})`);
    const batch = await this.livy.createBatch(request);
    this.submissions += 1;
    this.progress.step("livy", `${what} is batch ${batch.id} (${batch.state})`);
    return batch;
  }

  /**
   * Deletes batches (kills the alive ones; frees the name of finished ones). Each is read again by id first: a
   * Livy restart since it was listed can have given its id to another user's batch, which is never deleted.
   */
  async remove(batches: readonly Batch[], why: string): Promise<Batch[]> {
    const deleted: Batch[] = [];
    for (const listed of batches) {
      const b = await this.livy.findBatch(listed.id);
      if (b === undefined) continue;
      if (b.name !== listed.name) {
        this.progress.step("livy", `${why}: batch ${listed.id} is now "${b.name}", not "${listed.name}" (Livy restarted?); not deleted`);
        continue;
      }
      this.progress.step("livy", `${why}: deleting batch ${b.id} (${b.state})`);
      await this.livy.deleteBatch(b.id);
      deleted.push(b);
    }
    return deleted;
  }

  /**
   * Deletes the batches, then waits until none of them is listed as alive any more: two drivers
   * must never write the same checkpoint at once.
   */
  async stop(batches: readonly Batch[], why: string, timing: WaitTiming): Promise<void> {
    const deleted = await this.remove(batches, why);
    const names = new Map(deleted.map((b) => [b.id, b.name]));
    let pending = deleted.filter((b) => ALIVE_STATES.has(b.state)).map((b) => b.id);
    if (pending.length === 0) return;
    // Stopping is never cut short by the run's deadline: a second driver must not start beside it.
    const deadline = Date.now() + timing.timeoutSeconds * 1000;
    for (;;) {
      const still: Batch[] = [];
      for (const id of pending) {
        const b = await this.livy.findBatch(id);
        if (b && b.name === names.get(id) && ALIVE_STATES.has(b.state)) still.push(b);
      }
      pending = still.map((b) => b.id);
      if (still.length === 0) return;
      if (Date.now() > deadline) throw new DeployError(`batch ${still.map((b) => b.id).join(", ")} still ${still[0]!.state} ${timing.timeoutSeconds}s after being deleted`);
      this.progress.step("livy", `waiting for batch ${still.map((b) => b.id).join(", ")} to stop (${still[0]!.state})`);
      await this.sleep(timing.pollSeconds * 1000);
    }
  }

  /** Waits for `success` (a one-shot batch); throws BatchFailedError with the log tail otherwise. */
  async waitForSuccess(id: number, what: string, timing: WaitTiming): Promise<void> {
    await this.poll(id, what, timing, (state) => (state === "success" ? "done" : ALIVE_STATES.has(state) ? "wait" : "failed"));
  }

  /** Waits for `running`, then for the grace period in which it must stay alive. */
  async waitForRunning(id: number, what: string, timing: WaitTiming): Promise<void> {
    await this.poll(id, what, timing, (state) => (state === "running" ? "done" : ALIVE_STATES.has(state) ? "wait" : "failed"));
    const grace = timing.graceSeconds ?? 0;
    if (grace <= 0) return;
    this.progress.step("livy", `${what} (batch ${id}) is running; checking it stays up for ${grace}s`);
    const until = Math.min(Date.now() + grace * 1000, this.deadlineAt);
    while (Date.now() < until) {
      await this.sleep(Math.min(timing.pollSeconds * 1000, Math.max(0, until - Date.now())));
      const state = await this.livy.getState(id);
      if (!ALIVE_STATES.has(state)) throw await this.failure(id, state, `${what} stopped during its start grace period`);
    }
    this.progress.step("livy", `${what} (batch ${id}) started`);
  }

  private async poll(id: number, what: string, timing: WaitTiming, judge: (s: BatchState) => "done" | "wait" | "failed"): Promise<void> {
    const deadline = this.until(timing.timeoutSeconds);
    let last: BatchState | undefined;
    for (;;) {
      const state = await this.livy.getState(id);
      if (state !== last) this.progress.step("livy", `${what} (batch ${id}): ${state}`);
      last = state;
      const verdict = judge(state);
      if (verdict === "done") return;
      if (verdict === "failed") throw await this.failure(id, state, what);
      if (Date.now() > deadline.at) throw await this.failure(id, "timeout", `${what} not ready within ${deadline.why}`);
      await this.sleep(timing.pollSeconds * 1000);
    }
  }

  private async failure(id: number, state: BatchState | "timeout", what: string): Promise<BatchFailedError> {
    let tail: string[];
    try {
      tail = await this.livy.getLogTail(id, 40);
    } catch (err) {
      tail = [`(log unavailable: ${(err as Error).message})`];
    }
    return new BatchFailedError(id, state, tail, what);
  }
}
