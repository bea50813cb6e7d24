/** npm start's deploy-then-ensure loop: a deploy failing at start (Livy not answering) is retried until it succeeds. */
import { startReconcileLoop } from "../../src/local/reconcile-loop";

const timing = { retryAfterFailureMs: 20, ensureEveryMs: 30 };

test("failed deploys are retried until one succeeds, then ensure runs on its pace; the loop ends when stopped", async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const stop = new AbortController();
  let deploys = 0;
  const loop = startReconcileLoop(
    {
      deploy: async () => {
        calls.push("deploy");
        deploys += 1;
        if (deploys <= 2) throw new Error("fetch failed: connect ECONNREFUSED 127.0.0.1:8998\nmore detail");
        return { action: "started", runningNow: "v1 as batch 0" };
      },
      ensure: async () => {
        calls.push("ensure");
        if (calls.filter((c) => c === "ensure").length === 2) throw new Error("Livy restarting");
        return { action: "alive" };
      },
    },
    stop.signal,
    (line) => lines.push(line),
    timing,
  );
  await loop.firstAttempt;
  expect(loop.deployed()).toBe(false);
  // Until a third ensure (the second one failed), however slow a busy machine makes the timers.
  while (calls.filter((c) => c === "ensure").length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
  stop.abort();
  await loop.done;
  expect(loop.deployed()).toBe(true);
  expect(calls.slice(0, 3)).toEqual(["deploy", "deploy", "deploy"]);
  // A failing ensure does not stop the loop, and nothing deploys again once deployed.
  expect(calls.slice(3).every((c) => c === "ensure")).toBe(true);
  expect(calls.filter((c) => c === "ensure").length).toBeGreaterThanOrEqual(3);
  expect(lines.slice(0, 3)).toEqual([
    "deploy attempt 1 failed (fetch failed: connect ECONNREFUSED 127.0.0.1:8998); next attempt in 0.02 s",
    "deploy attempt 2 failed (fetch failed: connect ECONNREFUSED 127.0.0.1:8998); next attempt in 0.02 s",
    "done: v1 as batch 0",
  ]);
  expect(lines).toContain("ensure failed (Livy restarting); next in 0.03 s");
});
