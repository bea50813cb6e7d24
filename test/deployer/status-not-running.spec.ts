/**
 * What `status` says when Livy runs no batch of ours (status.ts notRunningProblem), over generated leases and
 * Livy answers: a held lease is "running outside Livy" unless its record names the batch Livy saw end.
 */
import fc from "fast-check";
import { notRunningProblem } from "../../src/deployer/commands/status";
import type { LeaseState } from "../../src/deployer/state/driver-lease";

const names = fc.constantFrom("sensor-aggregation-test.aaaa.1-1", "sensor-aggregation-test.bbbb.2-1", "sensor-aggregation-test.cccc.3-2");

function lease(held: boolean, lapsing: boolean, submission: string | undefined): LeaseState {
  const record = { run: "r", release: "x", application: "local-1", host: "h", pid: 1, since: "2026-12-07T00:00:00Z", ...(submission ? { submission } : {}) };
  return held ? { held: true, lapsing, path: "/c/_driver.lease", answer: "", record: record as never } : { held: false, path: "/c/_driver.lease", record: record as never };
}

test("a live holder is outside Livy exactly when Livy saw no batch of ours end or the holder names another submission", () => {
  fc.assert(
    fc.property(fc.boolean(), fc.boolean(), fc.option(names, { nil: undefined }), fc.option(names, { nil: undefined }), (held, lapsing, holderNames, endedName) => {
      const ended = endedName === undefined ? undefined : { name: endedName };
      const said = notRunningProblem("batch 7 dead", lease(held, lapsing, holderNames), ended);
      const outside = held && !lapsing && (ended === undefined || (holderNames !== undefined && holderNames !== endedName));
      expect(said.startsWith("running outside Livy")).toBe(outside);
      if (!outside) expect(said.startsWith("the job is not running (batch 7 dead)")).toBe(true);
    }),
  );
});
