/**
 * Deploy benchmark: HTTP calls and bytes uploaded through the gateway for a first deploy, an
 * unchanged redeploy, a job-only change and an `ensure` that finds the job alive, against real HDFS
 * and real Livy behind the Knox stand-in (counts are the stand-in's own); and the stream gap of the
 * replacement, read from the checkpoint's commit log on HDFS.
 * Goals: unchanged = 0 bytes, no submission, ≤ 10 calls; ensure-when-alive ≤ 6 calls (the state, the batch, the job config and its redirect, the offsets log for the stuck check, the log tail for the rejected fraction), 0 bytes;
 * gap ≤ the new batch's start time + 1 trigger interval.
 *   npm run bench:deploy
 */
import { join } from "node:path";
import type { DeployMode } from "../src/deployer/reconcile/context";
import { deployOnce } from "../test/deployer/support/deploy-context";
import { startDeployerServices } from "../test/deployer/support/services";
import { buildTestArtifact, fakeConnectionString } from "../test/deployer/support/test-artifact";
import { testPlan } from "../test/deployer/support/test-plan";

/** Roughly the size of the Spark 3.1 Kafka connector jars (spark-sql-kafka + kafka-clients + token provider). */
const JAR_BYTES = 4 * 1024 * 1024;

interface Row {
  scenario: string;
  calls: number;
  uploadedBytes: number;
  uploadedFiles: number;
  submissions: number;
  seconds: number;
}

async function main(): Promise<void> {
  process.stderr.write("bench:deploy: starting HDFS, Livy and the gateway stand-in…\n");
  const services = await startDeployerServices({ livy: true });
  const rows: Row[] = [];
  const marks: { submit?: number } = {};
  let gap: Gap | undefined;
  try {
    const v1 = join(services.work, "bench-v1");
    const v2 = join(services.work, "bench-v2");
    buildTestArtifact(v1, { version: "v1", jarPayloadBytes: JAR_BYTES });
    buildTestArtifact(v2, { version: "v2", jarPayloadBytes: JAR_BYTES });
    const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };
    const capture = { lines: timedLines(marks) };
    const run = async (scenario: string, dir: string, mode: DeployMode = "deploy"): Promise<void> => {
      services.knox.resetStats();
      const started = Date.now();
      const result = await deployOnce(testPlan(dir, services.knox.url, services.hdfs.rpc), dir, connectionStrings, mode, capture, services.ca.caCertPath);
      const stats = services.knox.stats();
      rows.push({ scenario, calls: stats.calls, uploadedBytes: stats.uploadedBytes, uploadedFiles: result.uploadedFiles, submissions: stats.livySubmissions, seconds: (Date.now() - started) / 1000 });
      process.stderr.write(`bench:deploy: ${scenario}: ${result.action}\n`);
    };
    await run("first deploy", v1);
    await run("unchanged redeploy", v1);
    await run("job-only change", v2);
    gap = await replacementGap(services.hdfs.webhdfs, testPlan(v2, services.knox.url, services.hdfs.rpc).job.checkpoint_location, marks.submit!);
    await run("ensure, job alive", v2, "ensure");
    for (const b of (await (await fetch(`${services.livy!.url}/batches`)).json() as { sessions: { id: number }[] }).sessions) {
      await fetch(`${services.livy!.url}/batches/${b.id}`, { method: "DELETE", headers: { "x-requested-by": "bench" } });
    }
  } finally {
    await services.stop();
  }

  const header = ["scenario", "HTTP calls", "bytes uploaded", "files uploaded", "Livy submissions", "seconds"];
  const lines = rows.map((r) => [r.scenario, String(r.calls), String(r.uploadedBytes), String(r.uploadedFiles), String(r.submissions), r.seconds.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  const unchanged = rows.find((r) => r.scenario === "unchanged redeploy")!;
  const met = unchanged.uploadedBytes === 0 && unchanged.submissions === 0 && unchanged.calls <= 10;
  console.log(`goal (unchanged: 0 bytes, no submission, <= 10 HTTP calls): ${met ? "MET" : "NOT MET"} (${unchanged.uploadedBytes} bytes, ${unchanged.submissions} submissions, ${unchanged.calls} calls)`);
  const alive = rows.find((r) => r.scenario === "ensure, job alive")!;
  console.log(`goal (ensure, job alive: <= 6 HTTP calls, 0 bytes): ${alive.calls <= 6 && alive.uploadedBytes === 0 ? "MET" : "NOT MET"} (${alive.calls} calls, ${alive.uploadedBytes} bytes)`);
  if (gap) {
    console.log(
      `replacement gap: ${gap.gapSeconds.toFixed(1)} s from the old batch's last committed micro-batch to the new one's first ` +
        `(new batch start: ${gap.startSeconds.toFixed(1)} s from submission to first commit; trigger ${TRIGGER_SECONDS} s)`,
    );
    console.log(`goal (gap <= start + 1 trigger = ${(gap.startSeconds + TRIGGER_SECONDS).toFixed(1)} s): ${gap.gapSeconds <= gap.startSeconds + TRIGGER_SECONDS ? "MET" : "NOT MET"}`);
  }
}

/** The test plan's trigger interval ("5 seconds"). */
const TRIGGER_SECONDS = 5;

interface Gap {
  gapSeconds: number;
  startSeconds: number;
}

/** Progress lines that also note when the new streaming job was submitted. */
function timedLines(marks: { submit?: number }): string[] {
  const lines: string[] = [];
  const push = lines.push.bind(lines);
  lines.push = (...items: string[]) => {
    if (items.some((l) => l.startsWith("livy: submitting new streaming job"))) marks.submit = Date.now();
    return push(...items);
  };
  return lines;
}

/**
 * Reads `<checkpoint>/commits` (one file per committed micro-batch, written by Structured Streaming)
 * until the new batch has committed, and measures the gap around the submission.
 */
async function replacementGap(webhdfs: string, checkpoint: string, submittedAt: number): Promise<Gap> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const res = await fetch(`${webhdfs}/webhdfs/v1${checkpoint}/commits?op=LISTSTATUS&user.name=deployer`);
    const files = ((await res.json()) as { FileStatuses: { FileStatus: { pathSuffix: string; modificationTime: number }[] } }).FileStatuses.FileStatus;
    const times = files.filter((f) => /^\d+$/.test(f.pathSuffix)).map((f) => f.modificationTime);
    const before = times.filter((t) => t < submittedAt);
    const after = times.filter((t) => t >= submittedAt);
    if (after.length > 0 && before.length > 0) {
      const firstNew = Math.min(...after);
      return { gapSeconds: (firstNew - Math.max(...before)) / 1000, startSeconds: (firstNew - submittedAt) / 1000 };
    }
    if (Date.now() > deadline) throw new Error(`no commit of the new batch in ${checkpoint}/commits within 180 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main().catch((err: Error) => {
  console.error(`bench:deploy: ${err.message}`);
  process.exitCode = 1;
});
