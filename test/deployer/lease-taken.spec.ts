/**
 * `awaitLeaseTaken` (src/deployer/reconcile/lease-guard.ts): a started or adopted batch counts as running once
 * the lease record names it, not while its driver waits for an earlier holder. In-memory stand-ins for the
 * lease file and Livy's batch state; the integration specs run it against real HDFS and Livy.
 */
import fc from "fast-check";
import { awaitLeaseTaken } from "../../src/deployer/reconcile/lease-guard";
import { BatchFailedError } from "../../src/deployer/reconcile/batch-runner";
import type { ReconcileContext } from "../../src/deployer/reconcile/release-runner";
import type { Batch, BatchState } from "../../src/deployer/clients/livy-client";
import type { HolderRecord } from "../../contracts/driver-lease";
import { DeployError } from "../../src/deployer/core/errors";

const CHECKPOINT = "/ckpt/run";
const BATCH: Batch = { id: 7, name: "job-abc-7-1", state: "running", appId: "application_1_0007" };

function holder(over: Partial<HolderRecord>): HolderRecord {
  return { run: "r1", release: "d1", submission: "job-abc-6-1", application: "application_1_0006", host: "h", pid: 1, since: "2026-12-06T00:00:00Z", ...over };
}

/** Each poll reads the next lease record and Livy state of the script (the last one repeats). */
function context(records: (HolderRecord | undefined)[], states: BatchState[], waitSeconds = 1) {
  let reads = 0;
  let polls = 0;
  const lines: string[] = [];
  const rc = {
    plan: { job: { lease_wait_seconds: 0 }, timing: { startTimeoutSeconds: waitSeconds, pollSeconds: 0 } },
    hdfs: {
      open: async (path: string) => {
        expect(path).toBe(`${CHECKPOINT}/_driver.lease`);
        const r = records[Math.min(reads++, records.length - 1)];
        return r ? Buffer.from(`${JSON.stringify(r)}\n`) : undefined;
      },
    },
    runner: {
      livy: { getState: async () => states[Math.min(polls++, states.length - 1)]!, getLogTail: async () => ["tail"] },
      sleep: async () => new Promise((r) => setTimeout(r, 5)),
    },
    progress: { step: (s: string, d: string) => lines.push(`${s}: ${d}`) },
  } as unknown as ReconcileContext;
  return { rc, lines, reads: () => reads };
}

it("returns once the record names the batch's submission or application, however many polls it waits", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(4), fc.boolean(), fc.boolean(), async (waits, byName, noRecordFirst) => {
      const earlier = noRecordFirst ? undefined : holder({});
      const mine = byName ? holder({ submission: BATCH.name, application: "local-1" }) : holder({ submission: null, application: BATCH.appId! });
      const { rc, reads } = context([...Array<HolderRecord | undefined>(waits).fill(earlier), mine], ["starting"], 30);
      await awaitLeaseTaken(rc, BATCH, CHECKPOINT, "the release");
      expect(reads()).toBe(waits + 1);
    }),
    { numRuns: 30 },
  );
});

it("throws BatchFailedError with the log tail when the batch ends while it waits", async () => {
  const { rc } = context([holder({})], ["starting", "dead"]);
  const err = await awaitLeaseTaken(rc, BATCH, CHECKPOINT, "the release").catch((e: Error) => e);
  expect(err).toBeInstanceOf(BatchFailedError);
  expect((err as Error).message).toMatch(/ended before it took \/ckpt\/run\/_driver\.lease/);
});

it("throws once the wait is over while another driver's record stays, naming that holder", async () => {
  const { rc, lines } = context([holder({})], ["running"], 1);
  const err = await awaitLeaseTaken(rc, BATCH, CHECKPOINT, "the release").catch((e: Error) => e);
  expect(err).toBeInstanceOf(DeployError);
  expect(err).not.toBeInstanceOf(BatchFailedError);
  expect((err as Error).message).toMatch(/runs but has not taken .* within 1s .*submitted as job-abc-6-1/);
  expect(lines.filter((l) => l.includes("waits for"))).toHaveLength(1);
});
