/**
 * Deploy benchmark: HTTP calls and bytes uploaded through the gateway for a first deploy, an
 * unchanged redeploy and a job-only change, against real HDFS and real Livy behind the Knox
 * stand-in (counts are the stand-in's own). Goal: unchanged = 0 bytes, no submission, ≤ 10 calls.
 *   npm run bench:deploy
 */
import { join } from "node:path";
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
  try {
    const v1 = join(services.work, "bench-v1");
    const v2 = join(services.work, "bench-v2");
    buildTestArtifact(v1, { version: "v1", jarPayloadBytes: JAR_BYTES });
    buildTestArtifact(v2, { version: "v2", jarPayloadBytes: JAR_BYTES });
    const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };
    const capture = { lines: [] as string[] };
    const run = async (scenario: string, dir: string): Promise<void> => {
      services.knox.resetStats();
      const started = Date.now();
      const result = await deployOnce(testPlan(dir, services.knox.url, services.hdfs.rpc), dir, connectionStrings, "deploy", capture, services.ca.caCertPath);
      const stats = services.knox.stats();
      rows.push({ scenario, calls: stats.calls, uploadedBytes: stats.uploadedBytes, uploadedFiles: result.uploadedFiles, submissions: stats.livySubmissions, seconds: (Date.now() - started) / 1000 });
      process.stderr.write(`bench:deploy: ${scenario}: ${result.action}\n`);
    };
    await run("first deploy", v1);
    await run("unchanged redeploy", v1);
    await run("job-only change", v2);
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
}

main().catch((err: Error) => {
  console.error(`bench:deploy: ${err.message}`);
  process.exitCode = 1;
});
