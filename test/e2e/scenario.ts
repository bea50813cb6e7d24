/**
 * The end-to-end scenario on the local stack (run as a child process: the Kafka client is ESM-only), printing
 * one JSON line of what it observed for test/e2e/pipeline.spec.ts to judge:
 *   the simulator at a steady rate throughout; deploy v1; deploy v2 (a changed job.py) while data flows;
 *   deploy v3, whose migration adds a column and whose job then fails at start, so the deploy restores v2;
 *   SIGKILL of the streaming driver, which `ensure` restarts; the simulator stopped and the job drained;
 *   then every produced reading, the three tables (read through the shared metastore) and the stats topic.
 *
 *   tsx test/e2e/scenario.ts <work dir> [rate]
 */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { manifestHash, sha256Hex, type ArtifactManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { statusCli } from "../../src/deployer/cli/status-cli";
import type { StatusReport } from "../../src/deployer/commands/status";
import { localArtifact, startLocalPipeline, type LocalPipeline } from "../../src/local/pipeline";
import { readState } from "../../src/deployer/state/deploy-state";
import { MIGRATED_COLUMN } from "./scenario-constants";
import type { LocalTarget } from "../../src/local/local-plan";
import { LOCAL_GATEWAY_PASSWORD, LOCAL_GATEWAY_USER } from "../../src/local/services";
import { streamingDriverPids } from "../deployer/support/livy-direct";
import { readBack } from "../simulator/read-back";
import { HARNESS_PYTHON } from "../harness/python";

const run = promisify(execFile);

/** Another version of an artifact: the same with some job files edited, its manifest recomputed. */
function editedVersion(from: { dir: string; manifest: ArtifactManifest }, dir: string, edits: Record<string, (text: string) => string>): { dir: string; manifest: ArtifactManifest } {
  cpSync(from.dir, dir, { recursive: true });
  const edited = new Map<string, Buffer>();
  for (const [path, edit] of Object.entries(edits)) {
    const before = readFileSync(join(dir, path), "utf8");
    const after = edit(before);
    if (after === before) throw new Error(`the scenario's edit of ${path} changed nothing: has the file changed?`);
    writeFileSync(join(dir, path), after);
    edited.set(path, Buffer.from(after));
  }
  const files = from.manifest.files.map((f) => {
    const data = edited.get(f.path);
    return data ? { ...f, sha256: sha256Hex(data), size: data.length } : f;
  });
  const manifest = { ...from.manifest, files, hash: manifestHash(files) };
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

/** v3: an additive migration (a column in job_tables.py, so the deployer runs create_tables.py) whose job then fails at start. */
function failingMigration(v2: { dir: string; manifest: ArtifactManifest }, dir: string): { dir: string; manifest: ArtifactManifest } {
  return editedVersion(v2, dir, {
    "job_tables.py": (text) => text.replace('("kafka_offset", "bigint"), ("event_time", "timestamp")) + _PARTITIONS,\n    "stats"', `("kafka_offset", "bigint"), ("event_time", "timestamp"), ("${MIGRATED_COLUMN}", "string")) + _PARTITIONS,\n    "stats"`),
    "job.py": (text) => text.replace("sys.exit(main(sys.argv[1:]))", 'sys.exit("v3 of the end-to-end scenario fails at start")'),
  });
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

/** Waits for `count` more committed micro-batches than now. */
async function moreCommits(pipeline: LocalPipeline, count: number): Promise<void> {
  await pipeline.monitor.poll();
  const from = pipeline.monitor.snapshot().lastCommit?.batchId ?? -1;
  await waitFor(`${count} more committed batches after ${from}`, async () => {
    await pipeline.monitor.poll();
    return (pipeline.monitor.snapshot().lastCommit?.batchId ?? -1) >= from + count;
  });
}

/** SIGKILL of the streaming driver (the spark-submit JVM of job.py for this stack's HDFS). */
function killDriver(pipeline: LocalPipeline): number {
  const drivers = streamingDriverPids(pipeline.services.hdfs.rpc);
  for (const pid of drivers) process.kill(pid, "SIGKILL");
  return drivers.length;
}

/** The longest wait between consecutive stats-message arrivals from `from` on: the stream's gap. */
function gapSince(pipeline: LocalPipeline, from: number): number {
  const arrivals = [...pipeline.monitor.arrivals()].filter((at) => at >= from).sort((a, b) => a - b);
  let gap = arrivals.length > 0 ? (arrivals[0] as number) - from : 0;
  for (let i = 1; i < arrivals.length; i += 1) gap = Math.max(gap, (arrivals[i] as number) - (arrivals[i - 1] as number));
  return gap;
}

/** `npm run status -- --env local --json` against the stack, in process. */
async function status(pipeline: LocalPipeline): Promise<{ code: number; report: StatusReport }> {
  let text = "";
  const env = {
    ...process.env,
    SENSORS_LOCAL_BDC_GATEWAY_URL: pipeline.services.gateway.url,
    SENSORS_LOCAL_BDC_GATEWAY_CA_BUNDLE: pipeline.services.gateway.caCertPath,
    BDC_GATEWAY_USERNAME: LOCAL_GATEWAY_USER,
    BDC_GATEWAY_PASSWORD: LOCAL_GATEWAY_PASSWORD,
  };
  const code = await statusCli(["--env", "local", "--json", "--plaintext", "--bootstrap", pipeline.services.kafka.bootstrap], env, (t) => {
    text += t;
    return true;
  });
  return { code, report: JSON.parse(text) as StatusReport };
}

async function drain(pipeline: LocalPipeline): Promise<void> {
  await waitFor("the job to drain the input topic", async () => {
    await pipeline.monitor.poll();
    return pipeline.monitor.snapshot().backlog === 0;
  });
}

/**
 * The job stopped and N readings produced: status must report a backlog of exactly N (and a broken rule);
 * after ensure's restart, 0 again. Returns what status said and how long the restarted job took to catch up.
 */
/** Readings produced right before status measures the input rate. */
const RATE_CHECK_READINGS = 600;

async function backlogAcrossARestart(pipeline: LocalPipeline, readings: number) {
  killDriver(pipeline);
  await waitFor("Livy to see the killed driver", async () => {
    await pipeline.monitor.poll();
    return pipeline.monitor.snapshot().job?.state !== "running";
  });
  const extra = await pipeline.startSimulator({ ratePerSecond: 500, count: readings, malformedFraction: 0, seed: 11 });
  const produced = await extra.done;
  const stopped = await status(pipeline);
  await pipeline.ensure();
  const restartedAt = Date.now();
  let after = await status(pipeline);
  while ((after.report.backlog?.records ?? -1) !== 0 && Date.now() - restartedAt < 180_000) {
    await sleep(1000);
    after = await status(pipeline);
  }
  const caughtUpMs = Date.now() - restartedAt;
  // A known input within status's 60 s window: RATE_CHECK_READINGS more, then status measures the rates once the
  // restarted driver's took lines are in Livy's log.
  const rateCheck = await pipeline.startSimulator({ ratePerSecond: 200, count: RATE_CHECK_READINGS, malformedFraction: 0, seed: 12 });
  const rateCheckProduced = (await rateCheck.done).acknowledged;
  const producedAt = Date.now();
  let measured = await status(pipeline);
  while ((measured.report.throughput === null || measured.report.backlog?.records !== 0) && Date.now() - producedAt < 40_000) {
    await sleep(2000);
    measured = await status(pipeline);
  }
  return { produced: produced.acknowledged, stopped, after, measured: { ...measured, produced: rateCheckProduced, secondsAfter: (Date.now() - producedAt) / 1000 }, caughtUpMs };
}

/** A real HTTP receiver of the deployer's webhook: `received` holds each message's text. */
async function webhookReceiver(): Promise<{ url: string; received: string[]; close(): void }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => server.close() };
}

/**
 * A driver frozen (SIGSTOP: alive to Livy, consuming nothing) while N readings arrive. ensure, with a backlog
 * limit of N/2, leaves it running and notifies the backlog once (a second run sends nothing); thawed, the job
 * catches up and the next ensure notifies that it runs again.
 */
async function backlogOfAFrozenJob(pipeline: LocalPipeline, readings: number) {
  const receiver = await webhookReceiver();
  const options = { health: { maxBacklogRecords: readings / 2 }, webhookUrl: receiver.url };
  const drivers = streamingDriverPids(pipeline.services.hdfs.rpc);
  const actions: unknown[] = [];
  let produced = 0;
  try {
    for (const pid of drivers) process.kill(pid, "SIGSTOP");
    try {
      const extra = await pipeline.startSimulator({ ratePerSecond: 500, count: readings, malformedFraction: 0, seed: 13 });
      produced = (await extra.done).acknowledged;
      actions.push((await pipeline.ensure(options)).action, (await pipeline.ensure(options)).action);
    } finally {
      for (const pid of drivers) process.kill(pid, "SIGCONT");
    }
    await drain(pipeline);
    actions.push((await pipeline.ensure(options)).action);
    return { frozen: drivers.length, produced, actions, notifications: receiver.received, limit: options.health.maxBacklogRecords };
  } finally {
    receiver.close();
  }
}

async function main(dir: string, rate: number, target: LocalTarget): Promise<void> {
  const v1 = localArtifact(log);
  const v2 = editedVersion(v1, join(dir, "artifact-v2"), { "job.py": (text) => `${text}\n# v2 of the end-to-end scenario\n` });
  const v3 = failingMigration(v2, join(dir, "artifact-v3"));
  const pipeline = await startLocalPipeline({ dir: join(dir, "stack"), triggerInterval: "5 seconds", target, log });
  log(`deploying to the ${target} target: ${pipeline.plan.target ? `Livy ${pipeline.plan.target.livyUrl} and WebHDFS ${pipeline.plan.target.webhdfsUrl}, no gateway` : `the gateway ${pipeline.plan.gatewayUrl}`}`);
  try {
    const deployV1 = await pipeline.deploy();
    log(`v1 deployed: ${JSON.stringify(deployV1)}`);
    const simulator = await pipeline.startSimulator({ ratePerSecond: rate, malformedFraction: 0.02, seed: 7 });
    await moreCommits(pipeline, 2);

    const replaceStarted = Date.now();
    const deployV2 = await pipeline.deploy(v2);
    await moreCommits(pipeline, 2);
    const replacementGapMs = gapSince(pipeline, replaceStarted);
    log(`v2 deployed while data flowed: ${JSON.stringify(deployV2)}; stream gap ${replacementGapMs} ms`);

    // A rollback after a migration: v3's DDL adds a column, its job fails at start, the deploy restores v2.
    const liveBatchBeforeV3 = (await readState(pipeline.gateway.hdfs, pipeline.plan.hdfs.stateDir))?.batch?.id ?? null;
    const migrationStarted = Date.now();
    const deployV3 = await pipeline.deploy(v3).then(
      (result) => ({ failed: false, message: JSON.stringify(result) }),
      (err: unknown) => ({ failed: true, message: (err as Error).message }),
    );
    await moreCommits(pipeline, 2);
    const rollbackGapMs = gapSince(pipeline, migrationStarted);
    const afterRollback = await readState(pipeline.gateway.hdfs, pipeline.plan.hdfs.stateDir);
    const liveAfterRollback = afterRollback?.current.artifactHash ?? null;
    const liveBatchAfterRollback = afterRollback?.batch?.id ?? null;
    log(`v3 (a migration, then a failed start): ${deployV3.message}; live: ${liveAfterRollback}; stream gap ${rollbackGapMs} ms`);

    const killedAt = Date.now();
    const killed = killDriver(pipeline);
    await waitFor("Livy to see the killed driver", async () => {
      await pipeline.monitor.poll();
      return pipeline.monitor.snapshot().job?.state !== "running";
    });
    const ensure = await pipeline.ensure();
    await moreCommits(pipeline, 2);
    const restartGapMs = gapSince(pipeline, killedAt);
    log(`killed ${killed} driver(s); ensure: ${JSON.stringify(ensure)}; stream gap ${restartGapMs} ms`);

    const summary = await simulator.stop();
    await drain(pipeline);
    log(`drained: ${summary.acknowledged} readings produced, last commit ${JSON.stringify(pipeline.monitor.snapshot().lastCommit)}`);

    const backlog = await backlogAcrossARestart(pipeline, 1000);
    log(`status with the job stopped: exit ${backlog.stopped.code}, backlog ${JSON.stringify(backlog.stopped.report.backlog)}; after ensure: ${backlog.after.report.backlog?.records} in ${backlog.caughtUpMs} ms`);
    await drain(pipeline);
    const frozen = await backlogOfAFrozenJob(pipeline, 1000);
    log(`a frozen driver and ${frozen.produced} readings: ensure ${frozen.actions.join(", ")}; notified ${JSON.stringify(frozen.notifications)}`);
    const snapshot = pipeline.monitor.snapshot();

    const readings = await readBack(pipeline.services.kafka.bootstrap, pipeline.plan.job.input_topic, 120_000);
    const statsMessages = await readBack(pipeline.services.kafka.bootstrap, pipeline.plan.job.output_topic, 120_000);
    log(`read back ${readings.messages.length} readings and ${statsMessages.messages.length} stats messages`);
    writeFileSync(join(dir, "spark-conf.json"), JSON.stringify(pipeline.plan.spark.conf));
    writeFileSync(join(dir, "job-config.json"), JSON.stringify(pipeline.plan.job));
    await run(HARNESS_PYTHON, [join(__dirname, "read_tables.py"), "--conf", join(dir, "spark-conf.json"), "--config", join(dir, "job-config.json"), "--out", join(dir, "tables.json")], { maxBuffer: 1 << 24 });
    const tables = JSON.parse(readFileSync(join(dir, "tables.json"), "utf8")) as unknown;
    log("read the three tables through the metastore");
    const result = { simulator: { ...summary, acknowledged: summary.acknowledged + backlog.produced + backlog.measured.produced + frozen.produced }, backlog, frozen, versions: { v1: v1.manifest.hash, v2: v2.manifest.hash, v3: v3.manifest.hash }, deployV1, deployV2, deployV3, liveAfterRollback, liveBatchBeforeV3, liveBatchAfterRollback, rollbackGapMs, ensure, killed, replacementGapMs, restartGapMs, snapshot, readings: readings.messages, stats: statsMessages.messages, tables };
    await new Promise<void>((done) => process.stdout.write(`${JSON.stringify(result)}\n`, () => done()));
  } finally {
    await pipeline.stop();
  }
}

main(resolve(process.argv[2] ?? ""), Number(process.argv[3] ?? "200"), process.argv[4] === "livy" ? "livy" : "bdc").then(
  () => process.exit(0),
  (err: unknown) => {
    log(`scenario failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
