/** The local pipeline's view: every fact the user watches is on it, and the terminal painter redraws in place. */
import { renderPlain, renderView, terminalPainter } from "../../src/local/display";
import type { PipelineSnapshot } from "../../src/local/monitor";

const snapshot: PipelineSnapshot = {
  produced: 1200,
  job: { batchId: 3, state: "running" },
  lastCommit: { batchId: 7, secondsAgo: 2 },
  tables: { batches: 8, readings: 1180, rejected: 12, reasons: { "unparseable JSON": 9, "missing sensor": 3 } },
  latestStats: { "Sensor 10": { measure1Avg: 37.2, measure2Avg: 0.51, count: 40, batchId: 7 }, "Sensor 2": { measure1Avg: 36.9, measure2Avg: 0.49, count: 41, batchId: 7 } },
  statsMessages: 80,
  backlog: 20,
  consumed: 1192,
  latency: { count: 1180, p50: 3100, p95: 5600, max: 6100 },
  took: [2100, 1200, 1500].map((wholeMs, batchId) => ({ runId: "r", batchId, wholeMs, rows: 150, durationsMs: { triggerExecution: wholeMs } })),
  gatewayOutage: null,
  brokerOutage: null,
};
const ctx = { elapsedSeconds: 42, sent: { acknowledged: 1200, failed: 0 }, rate: "200/s", trigger: "5 seconds" };

test("the view shows readings, the job, commits, backlog, rows, reasons, latency and stats per sensor in natural order", () => {
  const text = renderView(snapshot, ctx).join("\n");
  for (const fact of ["1,200 acknowledged", "Livy batch 3 running", "micro-batch 7, 2 s ago", "20 records", "sensor_data 1,180 rows", "sensor_data_rejected 12 rows", "unparseable JSON 9 · missing sensor 3", "p95 5.6 s", "80 messages", "last 3: median 1.5 s · longest 2.1 s (trigger 5 seconds)"]) {
    expect(text).toContain(fact);
  }
  expect(text.indexOf("Sensor 2 ")).toBeLessThan(text.indexOf("Sensor 10"));
});

test("while the deploy runs, its last line shows in the view", () => {
  expect(renderView(snapshot, { ...ctx, deploy: "livy: table DDL (batch 0): running" }).join("\n")).toContain("deploy             livy: table DDL (batch 0): running");
  expect(renderView(snapshot, ctx).join("\n")).not.toContain("deploy ");
});

test("the plain line carries the same facts for logs", () => {
  expect(renderPlain(snapshot, ctx)).toHaveLength(1);
  expect(renderPlain(snapshot, ctx)[0]).toMatch(/sent 1200 .*micro-batch 7.*backlog 20 · data 1180 · rejected 12 \(unparseable JSON 9 · missing sensor 3\).*p95 5\.6 s/);
});

test("before anything arrived, the view says what it waits for", () => {
  const empty: PipelineSnapshot = { ...snapshot, job: null, lastCommit: null, tables: { batches: 0, readings: 0, rejected: 0, reasons: {} }, latestStats: {}, backlog: null, latency: undefined, took: [] };
  expect(renderView(empty, ctx).join("\n")).toMatch(/no batch yet; nothing committed yet[\s\S]*unknown yet[\s\S]*none[\s\S]*waiting for the first stats message/);
});

test("the terminal painter moves up over its previous view before drawing the next", () => {
  const written: string[] = [];
  const paint = terminalPainter((text) => written.push(text));
  paint(["a", "b", "c"]);
  paint(["d"]);
  expect(written).toEqual(["\x1b[Ja\nb\nc\n", "\x1b[3F\x1b[Jd\n"]);
});

test("a source that does not answer gets its own line, in the view and in the plain output, with how long and why", () => {
  const down: PipelineSnapshot = {
    ...snapshot,
    gatewayOutage: { since: 1, seconds: 25, reason: "connect ECONNREFUSED 127.0.0.1:8443" },
    brokerOutage: { since: 1, seconds: 7, reason: "Connection error" },
  };
  const view = renderView(down, ctx);
  expect(view).toContain("livy/webhdfs       unreachable for 25 s (connect ECONNREFUSED 127.0.0.1:8443)");
  expect(view).toContain("kafka broker       unreachable for 7 s (Connection error)");
  // The figures last read stay on the view beside the outage.
  expect(view.join("\n")).toContain("Livy batch 3 running");
  expect(renderPlain(down, ctx).slice(1)).toEqual([
    "[42 s] kafka broker       unreachable for 7 s (Connection error)",
    "[42 s] livy/webhdfs       unreachable for 25 s (connect ECONNREFUSED 127.0.0.1:8443)",
  ]);
  expect(renderView(snapshot, ctx).join("\n")).not.toContain("unreachable");
});
