/**
 * `status` on a real HDFS (through the gateway stand-in) and a real Kafka broker: the backlog is the
 * topic's end offsets minus the checkpoint's last committed offsets, exactly, per partition; the
 * health rules flag a stopped job, a backlog over its limits and a stuck job, and not an idle one.
 */
import { SEED_FENCE } from "./support/seed-fence";
import { execFileSync } from "node:child_process";
import { gatewayClients } from "../../src/deployer/clients/clients";
import { STATE_VERSION, writeState, type Release } from "../../src/deployer/state/deploy-state";
import { brokenRules, formatStatus, runStatus, type StatusReport } from "../../src/deployer/commands/status";
import { startBroker, type RunningBroker } from "../harness/kafka/broker";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact } from "./support/test-artifact";
import { INPUT_WINDOW_SECONDS, measureThroughput, runningSizing } from "../../src/deployer/health/throughput-rule";
import { testPlan } from "./support/test-plan";
import { join } from "node:path";

jest.setTimeout(240_000);
let services: DeployerServices;
let broker: RunningBroker;
const TOPIC = "sensor-readings";
const checkpoint = "/apps/checkpoints/status-check";
const KAFKA_CHILD = join(__dirname, "support", "kafka-child.ts");
const TSX = join(__dirname, "..", "..", "node_modules", ".bin", "tsx");
const kafkaChild = (...args: string[]) => execFileSync(TSX, [KAFKA_CHILD, ...args], { encoding: "utf8" });
/** The deployer's endOffsets (topic-offsets.ts) against the real broker, run in a child process. */
const endOffsets = async (topic: string) => JSON.parse(kafkaChild("end-offsets", broker.bootstrap, topic)) as Record<string, number>;
const configPath = "/apps/ETL-Pipelines/sensor-aggregation/config/test/job-config-status.json";

function release(): Release {
  return { artifactHash: "a".repeat(64), digest: "d".repeat(64), request: { file: "hdfs:///job.py", name: "sensor-aggregation-test" }, jaas: [], files: [{ path: configPath, sha256: "x" }], ddlDigest: "x", deployedAt: new Date(0).toISOString() };
}

beforeAll(async () => {
  [services, broker] = await Promise.all([startDeployerServices({ livy: false }), startBroker()]);
  await broker.createTopic(TOPIC, 2);
});

afterAll(async () => {
  await broker?.stop();
  await services?.stop();
});

test("reports the exact backlog per partition, and 0 once a batch commits the end offsets", async () => {
  const dir = join(services.work, "artifact");
  buildTestArtifact(dir, { version: "status" });
  const plan = testPlan(dir, services.knox.url, services.hdfs.rpc);
  const clients = gatewayClients(plan, { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  const lines: string[] = [];
  const ctx = { plan, hdfs: clients.hdfs, livy: clients.livy, progress: { step: (_s: string, d: string) => lines.push(d) } };
  try {
    await clients.hdfs.create(configPath, Buffer.from(JSON.stringify({ checkpoint_location: checkpoint, input_topic: TOPIC })));
    await clients.hdfs.mkdirs(plan.hdfs.stateDir);
    await writeState(clients.hdfs, plan.hdfs.stateDir, { version: STATE_VERSION, current: release(), batch: null, restarts: { count: 2 }, uploads: {} }, SEED_FENCE);
    const commit = async (batch: number, offsets: Record<string, number>) => {
      await clients.hdfs.create(`${checkpoint}/offsets/${batch}`, Buffer.from(`v1\n{"batchWatermarkMs":0}\n${JSON.stringify({ [TOPIC]: offsets })}\n`));
      await clients.hdfs.create(`${checkpoint}/commits/${batch}`, Buffer.from('v1\n{"nextBatchWatermarkMs":0}\n'));
    };
    await commit(0, { "0": 0, "1": 0 });

    // The job is stopped; 4 readings go to partition 0 and 3 to partition 1.
    kafkaChild("produce", broker.bootstrap, TOPIC, "0,0,0,0,1,1,1");

    const stopped = await runStatus(ctx, endOffsets);
    expect(stopped.backlog).toMatchObject({ perPartition: { "0": 4, "1": 3 }, records: 7 });
    expect(stopped).toMatchObject({ restarts: 2, lastCommit: { batchId: 0 }, batch: null });
    expect(stopped.problems).toEqual(["the job is not running (no batch)"]);
    // No driver ever took the checkpoint's lease: the probe finds no lease file.
    expect(stopped.driver).toEqual({ lease: "free", holder: null });
    expect(formatStatus(stopped)).toContain("backlog   7 records (p0=4 p1=3)");

    await commit(1, { "0": 4, "1": 3 });
    const caughtUp = await runStatus(ctx, endOffsets);
    expect(caughtUp.backlog).toMatchObject({ perPartition: { "0": 0, "1": 0 }, records: 0, seconds: 0 });
    expect(caughtUp.lastCommit?.batchId).toBe(1);
    expect(lines.some((l) => l.includes("asking Kafka for the end offsets of sensor-readings"))).toBe(true);
  } finally {
    await clients.close();
  }
});

test("the input rate is what arrived in the last window, by Kafka's offsets at a time; the judgement follows from it", async () => {
  const topic = "rate-check";
  await broker.createTopic(topic, 2);
  // The topics keep the broker's append time (as Event Hubs does): 2 readings to partition 0 and 1 to partition 1,
  // then, after `mark`, 1 to partition 0 and 3 to partition 1.
  kafkaChild("produce", broker.bootstrap, topic, "0,0,1");
  await new Promise((done) => setTimeout(done, 1500));
  const mark = Date.now();
  await new Promise((done) => setTimeout(done, 1500));
  kafkaChild("produce", broker.bootstrap, topic, "0,1,1,1");
  const offsetsAt = async (t: string, atMs: number) => JSON.parse(kafkaChild("offsets-at", broker.bootstrap, t, String(atMs))) as Record<string, number>;
  expect(await offsetsAt(topic, mark)).toEqual({ "0": 2, "1": 1 });
  // Nothing since: every partition answers its end.
  expect(await offsetsAt(topic, Date.now() + 60_000)).toEqual({ "0": 3, "1": 4 });
  // As status asks a window ending now: here one that starts at the mark.
  const now = mark + INPUT_WINDOW_SECONDS * 1000;
  const plan = testPlan(join(services.work, "artifact"), services.knox.url, services.hdfs.rpc);
  const config = { max_offsets_per_trigger: 10, trigger_interval: "5 seconds" };
  // Batches of 1 s fixed + 1 s a reading, at most 10 a 5 s batch: 10 / 11 s ≈ 0.91/s, against 4 readings in 60 s.
  const took = { batches: 2, medianMs: 6000, maxMs: 11_000, rows: 15, wholeMs: 17_000, cost: { fixedMs: 1000, perReadingMs: 1000 }, largest: { rows: 10, wholeMs: 11_000 }, smallestRows: 5 };
  const sizing = runningSizing(plan, config, { numExecutors: 3 });
  const judged = await measureThroughput({ offsetsAt, topic, end: await endOffsets(topic), backlogRecords: 7, took, nowMs: now, sizing }, plan);
  expect(judged).toMatchObject({ inputPerSecond: 4 / 60, windowSeconds: INPUT_WINDOW_SECONDS, backlogRecords: 7, undersized: false });
  expect(judged!.capacityPerSecond).toBeCloseTo(10 / 11, 9);
  expect(judged!.catchUpSeconds).toBeCloseTo(7 / (10 / 11 - 4 / 60), 6);
});

describe("health rules", () => {
  const rules = { maxBacklogRecords: 100, maxBacklogSeconds: 60, maxSecondsWithoutCommit: 120, maxRejectedFraction: 0.05 };
  const report = (records: number, seconds: number | null, secondsAgo: number, recent: StatusReport["recent"] = null): StatusReport => ({
    environment: "test", live: "x", previous: null, batch: { id: 1, state: "running" }, driver: null, restarts: 0,
    lastCommit: { batchId: 9, secondsAgo }, backlog: { perPartition: { "0": records }, records, seconds, secondsEstimated: true }, recent, trigger: "5 seconds", throughput: null, sizing: null, problems: [],
  });
  it("flag a backlog over its limits in records and in seconds", () => {
    expect(brokenRules(rules, report(101, 61, 5))).toEqual(["backlog 101 records > 100", "backlog about 61s > 60s"]);
    expect(brokenRules(rules, report(100, 60, 5))).toEqual([]);
  });
  it("call a job stuck when nothing committed past the limit while input waits, but not an idle one", () => {
    expect(brokenRules(rules, report(5, null, 121))).toEqual(["no batch committed for 121s > 120s while input waits (stuck)"]);
    expect(brokenRules(rules, report(0, 0, 10_000))).toEqual([]);
  });
  it("flag a rejected fraction of the recent batches over its limit", () => {
    expect(brokenRules(rules, report(0, 0, 5, { batches: 10, readings: 940, rejected: 60, rejectedFraction: 0.06 }))).toEqual(["6.0% of the input of the last 10 batches rejected > 5.0%"]);
    expect(brokenRules(rules, report(0, 0, 5, { batches: 10, readings: 950, rejected: 50, rejectedFraction: 0.05 }))).toEqual([]);
  });
  it("flag recent batches whose median duration is over the trigger, and show it", () => {
    const recent = (medianMs: number) => ({ batches: 10, readings: 100, rejected: 0, rejectedFraction: 0, took: { batches: 10, medianMs, maxMs: 9000, rows: 100, wholeMs: 10 * medianMs, largest: { rows: 10, wholeMs: medianMs }, smallestRows: 10 } });
    expect(brokenRules(rules, report(10, 1, 5, recent(5001)))).toEqual(["the last 10 batches took a median 5.00s > the trigger (5 seconds): the job falls behind its input"]);
    expect(brokenRules(rules, report(10, 1, 5, recent(5000)))).toEqual([]);
    expect(brokenRules(rules, report(0, 0, 5, recent(5001)))).toEqual([]); // caught up: slow batches from before are no problem
    expect(formatStatus(report(0, 0, 5, recent(1250)))).toContain("took      last 10 batches: median 1.25s, longest 9.00s (trigger 5 seconds)");
  });
});
