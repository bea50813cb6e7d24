/**
 * What the cluster's deploy Job and ensure CronJob do, in one loop for `npm start`: deploy until a deploy succeeds
 * (a Livy or WebHDFS outage at start is waited out, not the end of the run), then ensure at a steady pace, which
 * restarts the job if an outage killed it. The loop never throws; it reports each outcome as one line.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** After a failed deploy, the next attempt comes this much later. */
export const RETRY_AFTER_FAILURE_MS = 10_000;
/** Once deployed, ensure runs this often (the cluster's CronJob runs every few minutes; locally outages are short). */
export const ENSURE_EVERY_MS = 30_000;

export interface ReconcileSteps {
  deploy(): Promise<Record<string, unknown>>;
  ensure(): Promise<Record<string, unknown>>;
}

export interface ReconcileLoop {
  /** Settles when the first deploy attempt has ended, whichever way. */
  firstAttempt: Promise<void>;
  /** True once a deploy succeeded. */
  deployed(): boolean;
  /** Settles when the loop has ended (after `signal` aborts). */
  done: Promise<void>;
}

const outcome = (result: Record<string, unknown>) => String(result.runningNow ?? result.action ?? JSON.stringify(result));

export function startReconcileLoop(
  steps: ReconcileSteps,
  signal: AbortSignal,
  report: (line: string) => void,
  timing = { retryAfterFailureMs: RETRY_AFTER_FAILURE_MS, ensureEveryMs: ENSURE_EVERY_MS },
): ReconcileLoop {
  let deployed = false;
  let firstAttemptEnded!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptEnded = resolve));
  const wait = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);
  const done = (async () => {
    let attempt = 0;
    while (!signal.aborted) {
      if (!deployed) {
        attempt += 1;
        try {
          const result = await steps.deploy();
          deployed = true;
          report(`done: ${outcome(result)}`);
        } catch (err) {
          if (!signal.aborted) report(`deploy attempt ${attempt} failed (${firstLine(err)}); next attempt in ${timing.retryAfterFailureMs / 1000} s`);
        }
        firstAttemptEnded();
        await wait(deployed ? timing.ensureEveryMs : timing.retryAfterFailureMs);
      } else {
        try {
          report(`ensure: ${outcome(await steps.ensure())}`);
        } catch (err) {
          if (!signal.aborted) report(`ensure failed (${firstLine(err)}); next in ${timing.ensureEveryMs / 1000} s`);
        }
        await wait(timing.ensureEveryMs);
      }
    }
    firstAttemptEnded();
  })();
  return { firstAttempt, deployed: () => deployed, done };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}
