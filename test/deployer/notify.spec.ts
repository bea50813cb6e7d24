/** One notification per change of the job's condition, never per run: (condition, about) sequences generated. */
import fc from "fast-check";
import { alreadyNotified, notifyChange, type About, type Condition } from "../../src/deployer/health/notify";
import type { DeployState } from "../../src/deployer/state/deploy-state";

const CONDITIONS: Condition[] = ["healthy", "restarted", "stuck", "limit", "rolled-back", "rejected", "backlog"];
const step = fc.record({ condition: fc.constantFrom(...CONDITIONS), about: fc.constantFrom<About>(undefined, "undersized") }).map((s) => (s.condition === "backlog" ? s : { condition: s.condition, about: undefined }));

test("a run sends exactly when its (condition, about) differs from the last one sent; healthy with nothing sent before sends nothing", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (runs) => {
      const sent: string[] = [];
      const notifier = { send: async (text: string) => void sent.push(text) };
      let state: Pick<DeployState, "notified"> = {};
      let expected = 0;
      let last = { condition: "healthy" as Condition, about: undefined as About };
      for (const [i, run] of runs.entries()) {
        if (run.condition !== last.condition || run.about !== last.about) expected++;
        expect(alreadyNotified(state, run.condition, run.about)).toBe(run.condition === last.condition && run.about === last.about);
        state = { notified: await notifyChange(notifier, state, run.condition, `run ${i}`, { step: () => undefined }, new Date(i * 1000), run.about) };
        last = run;
      }
      return sent.length === expected;
    }),
  );
});

test("a backlog over its limits and then an undersized one are two notifications; a state written before `about` reads as no about", async () => {
  const sent: string[] = [];
  const notifier = { send: async (text: string) => void sent.push(text) };
  const quiet = { step: () => undefined };
  const old: Pick<DeployState, "notified"> = { notified: { condition: "backlog", at: "2026-12-01T00:00:00Z" } };
  expect(alreadyNotified(old, "backlog")).toBe(true);
  const next = await notifyChange(notifier, old, "backlog", "undersized", quiet, new Date(0), "undersized");
  expect(next).toEqual({ condition: "backlog", at: new Date(0).toISOString(), about: "undersized" });
  expect(sent).toEqual(["undersized"]);
});
