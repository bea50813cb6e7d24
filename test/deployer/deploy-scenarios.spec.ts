/**
 * Deploy scenarios against real HDFS and a real Apache Livy (running real PySpark batches),
 * both behind the Knox gateway stand-in over HTTPS. The scenarios build on each other in order:
 * first deploy → unchanged → job-only change → ensure while alive, then gateway and artifact
 * failure modes. Counts come from the deployer's result and from the stand-in's own counters.
 * The reconciler's fault matrix (restores, restarts, races, lost answers) is reconciler-faults.spec.ts.
 */
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeDeployerFiles } from "../../src/deployer/cli/bundle";
import { jarPath, jobDir } from "../../src/deployer/release/hdfs-sync";
import { maintenanceRequest } from "../../src/deployer/release/batch-requests";
import { gatewayClients } from "../../src/deployer/clients/clients";
import { jaasFiles } from "../../src/deployer/commands/deploy";
import { readState } from "../../src/deployer/state/deploy-state";
import { readHolder } from "../../src/deployer/state/lock";
import { releaseInputs } from "../../src/deployer/release/release";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { deployOnce, type RunCapture } from "./support/deploy-context";
import { livyDirect, sparkSubmitPids, type LivyDirect } from "./support/livy-direct";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString, MAINTENANCE_HOLD_MARKER } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(240_000);

let services: DeployerServices;
const capture: RunCapture = { lines: [] };
const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };
const keyOf = (cs: string): string => /SharedAccessKey=([^;]+)/.exec(cs)![1]!;
const dirs = { v1: "", v2: "", tampered: "", refused: "", hanging: "" };
const hashes = { v1: "", v2: "", refused: "", hanging: "" };

function plan(artifact: keyof typeof dirs): DeployPlanConfig {
  return testPlan(dirs[artifact], services.knox.url, services.hdfs.rpc);
}

function deploy(artifact: keyof typeof dirs, mode: "deploy" | "ensure" = "deploy", caBundlePath = services.ca.caCertPath) {
  return deployOnce(plan(artifact), dirs[artifact], connectionStrings, mode, capture, caBundlePath);
}

let direct: LivyDirect;
const aliveBatches = () => direct.aliveBatches();
const waitForLog = (id: number, text: string) => direct.waitForLog(id, text);

async function readAsOtherUser(path: string): Promise<number> {
  return (await fetch(`${services.hdfs.webhdfs}/webhdfs/v1${path}?op=OPEN&user.name=intruder`, { redirect: "manual" })).status;
}

async function hdfsStatus(path: string): Promise<{ permission: string; owner: string } | undefined> {
  const res = await fetch(`${services.hdfs.webhdfs}/webhdfs/v1${path}?op=GETFILESTATUS&user.name=${GATEWAY_USER}`);
  return res.status === 200 ? ((await res.json()) as { FileStatus: { permission: string; owner: string } }).FileStatus : undefined;
}

beforeAll(async () => {
  services = await startDeployerServices({ livy: true });
  direct = livyDirect(services, "sensor-aggregation-test");
  for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = join(services.work, "artifacts", name);
  hashes.v1 = buildTestArtifact(dirs.v1, { version: "v1" });
  // Job-only change: same jar bytes, only job.py differs.
  hashes.v2 = buildTestArtifact(dirs.v2, { version: "v2" });
  hashes.refused = buildTestArtifact(dirs.refused, { version: "refused", refuseDdl: true });
  hashes.hanging = buildTestArtifact(dirs.hanging, { version: "hanging", hangDdl: true });
  mkdirSync(dirs.tampered, { recursive: true });
  cpSync(dirs.v1, dirs.tampered, { recursive: true });
  appendFileSync(join(dirs.tampered, "job.py"), "\nprint('injected')\n");
});

afterAll(async () => {
  if (services?.livy) await direct.deleteAll();
  await services?.stop();
});

beforeEach(() => {
  services.knox.clearFaults();
  services.knox.resetStats();
});

test("first deploy uploads everything, writes the JAAS file with mode 600, creates tables and starts the streaming job", async () => {
  const result = await deploy("v1");
  const artifactFileCount = (JSON.parse(readFileSync(join(dirs.v1, "manifest.json"), "utf8")) as { files: unknown[] }).files.length;
  expect(result).toMatchObject({ action: "started", artifactHash: hashes.v1, submissions: 2, changedFiles: artifactFileCount });
  // The artifact's files + manifest.json + job config + two JAAS files (listen, send).
  expect(result.uploadedFiles).toBe(artifactFileCount + 4);
  expect(services.knox.stats()).toMatchObject({ livySubmissions: 2, uploadedBytes: result.uploadedBytes });

  for (const { path: jaasPath } of jaasFiles(plan("v1"), GATEWAY_USER, connectionStrings.listen, connectionStrings.send)) {
    expect(await hdfsStatus(jaasPath)).toMatchObject({ permission: "600", owner: GATEWAY_USER });
    expect(await readAsOtherUser(jaasPath)).toBe(403);
  }
  expect(await hdfsStatus(`${jobDir("/apps/ETL-Pipelines/sensor-aggregation", hashes.v1)}/job.py.sha256`)).toBeDefined();
  const jar = JSON.parse(readFileSync(join(dirs.v1, "manifest.json"), "utf8")).files.find((f: { kind: string }) => f.kind === "jar");
  expect(await hdfsStatus(jarPath("/apps/jars", jar))).toBeDefined();

  const alive = await aliveBatches();
  expect(alive.map((b) => b.id)).toEqual([result.batchId]);
  // The real streaming query runs, reading its config and JAAS file from HDFS.
  await waitForLog(result.batchId!, "STREAMING job v1 started");
});

test("unchanged redeploy: 0 bytes uploaded, no submission, at most 13 HTTP calls", async () => {
  const before = await aliveBatches();
  const result = await deploy("v1");
  expect(result).toMatchObject({ action: "unchanged", uploadedBytes: 0, uploadedFiles: 0, submissions: 0, batchId: before[0]!.id });
  const stats = services.knox.stats();
  expect(stats).toMatchObject({ uploadedBytes: 0, livySubmissions: 0 });
  // 13: the fenced lock compares clocks with the gateway, reads its directory back after its CREATE and its record before
  // release, and Livy is listed until two passes agree.
  expect(stats.calls).toBeLessThanOrEqual(13);
  expect((await aliveBatches()).map((b) => b.id)).toEqual(before.map((b) => b.id));
});

test("job-only change: one changed file, no jar re-upload, one replacement that resumes from the same checkpoint", async () => {
  const [old] = await aliveBatches();
  const first = services.knox.requests.length;
  const result = await deploy("v2");
  expect(result).toMatchObject({ action: "replaced", artifactHash: hashes.v2, changedFiles: 1, submissions: 1 });
  expect(services.knox.stats().livySubmissions).toBe(1);
  const jarUploads = services.knox.requests.slice(first).filter((r) => r.service === "webhdfs-data" && r.url.includes("/apps/jars/"));
  expect(jarUploads).toHaveLength(0);
  expect(capture.lines).toContain("tables: table DDL and config unchanged since the last deploy; not rerun");

  const alive = await aliveBatches();
  expect(alive.map((b) => b.id)).toEqual([result.batchId]);
  expect(alive[0]!.id).not.toBe(old!.id);
  const log = await waitForLog(result.batchId!, "STREAMING job v2 started");
  expect(log.join("\n")).toContain("checkpoint /apps/checkpoints/sensor-aggregation-test");
});

// Restarts, rollbacks and every failure after the stop are in reconciler-faults.spec.ts.
test("ensure finds the batch alive and progressing with six calls and no lock, and never reads the artifact", async () => {
  // ensure never reads the artifact: point it at a location that does not exist.
  const alive = await ensureOnce(join(services.work, "no-artifact-here"));
  expect(alive).toMatchObject({ action: "alive", submissions: 0, uploadedBytes: 0, artifactHash: hashes.v2 });
  // The live state, the batch it names, the job config (OPEN and its DataNode redirect) and the
  // checkpoint's offsets log (is a micro-batch stuck?), the batch's log (its rejected fraction): no lock, no batch listing.
  expect(services.knox.stats().calls).toBe(6);
});

test("maintain runs the live release's maintenance.py under the lock, after stopping a run a killed deployer left", async () => {
  const live = (await aliveBatches())[0]!;
  const clients = gatewayClients(plan("v2"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    // A maintenance batch left running by a deployer that died, as Livy still runs it.
    await clients.hdfs.create(MAINTENANCE_HOLD_MARKER, Buffer.from("hold\n"));
    const state = (await readState(clients.hdfs, plan("v2").hdfs.stateDir))!;
    const request = maintenanceRequest(plan("v2"), releaseInputs(state.current));
    const left = (await direct.call("/batches", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) })) as { id: number };
    await waitForLog(left.id, "MAINTENANCE holding");
    await clients.hdfs.delete(MAINTENANCE_HOLD_MARKER);

    const result = await cronRun("maintain");
    expect(result).toMatchObject({ action: "maintained", submissions: 1, artifactHash: hashes.v2, batchId: live.id });
    // The one it left was stopped first (Livy forgets a deleted batch); the new one ran to its end with the plan's retention.
    expect((await direct.call(`/batches/${left.id}`)).id).toBeUndefined();
    expect(capture.lines.join("\n")).toContain(`deleting batch ${left.id}`);
    expect(capture.lines.join("\n")).toContain('maintain: done: {"database": "sensors_test", "retention": ["data=0", "rejected=30", "stats=0"]}');
    const named = ((await direct.call("/batches?from=0&size=100000")).sessions as { name: string }[]).filter((b) => b.name === request.name);
    expect(named).toEqual([]);
    // The streaming job ran on untouched, and the lock is free again.
    expect((await aliveBatches()).map((b) => b.id)).toEqual([live.id]);
    expect(await readHolder(clients.hdfs, plan("v2").hdfs.stateDir)).toBe("absent");
  } finally {
    await clients.hdfs.delete(MAINTENANCE_HOLD_MARKER).catch(() => undefined);
    await clients.close();
  }
});

test("maintain refuses a live release from before housekeeping, naming the missing script, and starts nothing", async () => {
  const script = `${jobDir("/apps/ETL-Pipelines/sensor-aggregation", hashes.v2)}/maintenance.py`;
  const clients = gatewayClients(plan("v2"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  const original = (await clients.hdfs.open(script))!;
  try {
    await clients.hdfs.delete(script);
    await expect(cronRun("maintain")).rejects.toThrow(/has no maintenance\.py .*predates housekeeping; deploy a newer artifact first/);
    expect(services.knox.stats().livySubmissions).toBe(0);
    expect(await readHolder(clients.hdfs, plan("v2").hdfs.stateDir)).toBe("absent");
  } finally {
    await clients.hdfs.create(script, original);
    await clients.close();
  }
});

test("new-run moves the checkpoint aside and starts the live release at the chosen offsets; the next deploy goes back to the plan's request on the new checkpoint", async () => {
  const clients = gatewayClients(plan("v2"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  const checkpoint = plan("v2").job.checkpoint_location;
  const queryId = async (dir: string): Promise<string | undefined> => {
    const text = (await clients.hdfs.open(`${dir}/metadata`))?.toString("utf8");
    return text === undefined ? undefined : (JSON.parse(text.split("\n")[0]!) as { id: string }).id;
  };
  try {
    const before = (await readState(clients.hdfs, plan("v2").hdfs.stateDir))!;
    const earlierRun = await queryId(checkpoint);
    expect(earlierRun).toBeDefined();

    // Offsets for another topic are refused before anything is contacted.
    services.knox.resetStats();
    await expect(cronRun("new-run", undefined, ["--starting-offsets", '{"other-topic": {"0": 1}}'])).rejects.toThrow(/allowed: committed, earliest, latest, or \{"sensor-readings"/);
    expect(services.knox.stats().calls).toBe(0);
    // Without the right to move the checkpoint aside, it stops nothing.
    const parent = checkpoint.slice(0, checkpoint.lastIndexOf("/"));
    const running = (await aliveBatches()).map((b) => b.id);
    await clients.hdfs.setPermission(parent, "555");
    try {
      await expect(cronRun("new-run", undefined, ["--starting-offsets", "earliest"])).rejects.toThrow(/may not write \/apps\/checkpoints, so the checkpoint .* cannot be moved aside; nothing was stopped/);
    } finally {
      await clients.hdfs.setPermission(parent, "755");
    }
    expect((await aliveBatches()).map((b) => b.id)).toEqual(running);
    // `committed` resumes from the last commit's offsets of the input topic. This test job reads a rate source, so
    // its commits name none: refused, and nothing is stopped.
    await expect(cronRun("new-run", undefined, ["--starting-offsets", "committed"])).rejects.toThrow(/last committed batch read nothing of sensor-readings.*Nothing was stopped/);
    expect((await aliveBatches()).map((b) => b.id)).toEqual(running);

    const offsets = '{"sensor-readings":{"0":5,"1":7}}';
    const result = await cronRun("new-run", undefined, ["--starting-offsets", '{"sensor-readings": {"0": 5, "1": 7}}']);
    expect(result).toMatchObject({ action: "started", artifactHash: hashes.v2 });
    expect((await aliveBatches()).map((b) => b.id)).toEqual([result.batchId]);
    await waitForLog(result.batchId, `STREAMING job v2 started, checkpoint ${checkpoint}, starting offsets ${offsets}`);
    // The earlier run's checkpoint is kept aside, whole; the new one is another run.
    const aside = [...(await clients.hdfs.listStatus(parent))!.keys()].filter((name) => name.startsWith(`${checkpoint.slice(parent.length + 1)}.before-`));
    expect(aside).toHaveLength(1);
    expect(await queryId(`${parent}/${aside[0]}`)).toBe(earlierRun);
    const newRun = await queryId(checkpoint);
    expect(newRun).toBeDefined();
    expect(newRun).not.toBe(earlierRun);
    const state = (await readState(clients.hdfs, plan("v2").hdfs.stateDir))!;
    expect(state.current.request.args?.slice(-2)).toEqual(["--starting-offsets", offsets]);
    expect(state.previous?.digest).toBe(before.current.digest);

    // The next deploy replaces it once with the plan's own request, which resumes the new run's checkpoint.
    const redeployed = await deploy("v2");
    expect(redeployed).toMatchObject({ action: "replaced", release: before.current.digest });
    await waitForLog(redeployed.batchId!, "STREAMING job v2 started");
    expect(await queryId(checkpoint)).toBe(newRun);
  } finally {
    await clients.close();
  }
});

/** The CronJob's path: the esbuild bundle run by node with plan.json, secrets only in its environment. */
async function ensureOnce(artifactBaseUrl?: string): Promise<any> {
  return cronRun("ensure", artifactBaseUrl);
}

async function cronRun(mode: "ensure" | "maintain" | "new-run" | "teardown", artifactBaseUrl?: string, extra: string[] = []): Promise<any> {
  const planPath = join(services.work, "plan.json");
  const bundlePath = join(services.work, "deployer.js");
  if (!existsSync(bundlePath)) writeDeployerFiles(services.work);
  const current = plan("v2");
  const artifact = { ...current.artifact, baseUrl: artifactBaseUrl ?? current.artifact.baseUrl };
  writeFileSync(planPath, JSON.stringify({ ...current, artifact, gatewayCaBundlePath: services.ca.caCertPath }));
  // ensure needs the gateway's credentials only: it restarts what is on HDFS.
  const { stdout, stderr } = await promisify(execFile)("node", [bundlePath, mode, "--plan", planPath, ...extra], {
    env: { ...process.env, BDC_GATEWAY_USERNAME: GATEWAY_USER, BDC_GATEWAY_PASSWORD: GATEWAY_PASSWORD },
  });
  capture.lines.push(...stderr.split("\n"));
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

test("a tampered artifact is refused before anything is sent to the gateway", async () => {
  await expect(deployOnce(testPlan(dirs.v1, services.knox.url, services.hdfs.rpc), dirs.tampered, connectionStrings, "deploy", capture, services.ca.caCertPath)).rejects.toThrow(
    /job\.py: .*(does not match manifest\.json|manifest\.json declares).*refusing the artifact/,
  );
  expect(services.knox.stats().calls).toBe(0);
});

test("gateway 5xx and connection resets are retried and the deploy still succeeds", async () => {
  services.knox.inject({ kind: "reset" }, 2, (_m, url) => url.includes("/livy/"));
  services.knox.inject({ kind: "status", status: 503 }, 2, (_m, url) => url.includes("/webhdfs/"));
  const first = services.knox.requests.length;
  const result = await deploy("v2");
  expect(result.action).toBe("unchanged");
  expect(services.knox.requests.slice(first).filter((r) => r.status === -1 || r.status === 503)).toHaveLength(4);
});

test("a gateway that keeps failing makes the deploy fail with a clear error", async () => {
  services.knox.inject({ kind: "status", status: 503 }, 1000, (_m, url) => url.includes("/webhdfs/"));
  await expect(deploy("v2")).rejects.toThrow(/failed with HTTP 503: still failing after retries/);
});

test("a gateway certificate signed by another CA is refused", async () => {
  await expect(deploy("v2", "deploy", services.otherCa.caCertPath)).rejects.toThrow(/TLS certificate not trusted/);
  expect(services.knox.stats().calls).toBe(0);
});

// Last: it removes what the earlier scenarios deployed.
test("a refused migration runs after the stop, and the previous release is restored on the tables as they were: one driver", async () => {
  const [before] = await aliveBatches();
  const from = capture.lines.length;
  const error = await deploy("refused").then(
    () => undefined,
    (err: Error) => err,
  );
  expect(error?.message).toMatch(/table DDL[\s\S]*restored the previous artifact/);
  const lines = capture.lines.slice(from);
  const stopped = lines.findIndex((l) => l.includes("stopping what runs now"));
  const ddl = lines.findIndex((l) => l.includes("table DDL (create_tables.py)"));
  // No driver writes while the tables change: the DDL is submitted once the stop is done and the checkpoint is free.
  expect(stopped).toBeGreaterThanOrEqual(0);
  expect(ddl).toBeGreaterThan(stopped);
  const alive = await aliveBatches();
  expect(alive).toHaveLength(1);
  expect(alive[0]!.id).not.toBe(before!.id);
  await waitForLog(alive[0]!.id, "STREAMING job v2 started");
  const clients = gatewayClients(plan("v2"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    const state = await readState(clients.hdfs, plan("v2").hdfs.stateDir);
    expect(state).toMatchObject({ current: { artifactHash: hashes.v2 }, batch: { id: alive[0]!.id } });
  } finally {
    await clients.close();
  }
});

test("a DDL that outlasts its timeout is stopped before the previous release is restored: no DDL beside a driver", async () => {
  const p = testPlan(dirs.hanging, services.knox.url, services.hdfs.rpc, { timing: { createTablesTimeoutSeconds: 20 } });
  const error = await deployOnce(p, dirs.hanging, connectionStrings, "deploy", capture, services.ca.caCertPath).then(
    () => undefined,
    (err: Error) => err,
  );
  expect(error?.message).toMatch(/table DDL[\s\S]*restored the previous artifact/);
  const { sessions } = (await direct.call("/batches?from=0&size=100000")) as { sessions: { name: string; state: string }[] };
  const ddl = sessions.filter((b) => b.name === `${p.batchName}-create-tables`);
  expect(ddl.filter((b) => ["starting", "running", "not_started"].includes(b.state))).toEqual([]);
  // Its process is gone too (Livy's kill of spark-submit takes a moment).
  const ddlProcesses = () => sparkSubmitPids(services.hdfs.rpc, "create_tables.py");
  for (let i = 0; i < 60 && ddlProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 500));
  expect(ddlProcesses()).toEqual([]);
  const alive = await aliveBatches();
  expect(alive).toHaveLength(1);
  await waitForLog(alive[0]!.id, "STREAMING job v2 started");
});

test("teardown stops every batch and removes secrets, configs and state (a later ensure finds nothing); a redeploy works; purge also drops tables, checkpoint and job files", async () => {
  const clients = gatewayClients(plan("v2"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  const checkpoint = plan("v2").job.checkpoint_location;
  const jaas = jaasFiles(plan("v2"), GATEWAY_USER, connectionStrings.listen, connectionStrings.send).map((j) => j.path);
  const v2Dir = jobDir("/apps/ETL-Pipelines/sensor-aggregation", hashes.v2);
  try {
    // A production environment is never purged without its name given again; nothing is touched.
    const planPath = join(services.work, "plan-protected.json");
    writeFileSync(planPath, JSON.stringify({ ...plan("v2"), protected: true, gatewayCaBundlePath: services.ca.caCertPath }));
    const env = { ...process.env, BDC_GATEWAY_USERNAME: GATEWAY_USER, BDC_GATEWAY_PASSWORD: GATEWAY_PASSWORD };
    await expect(promisify(execFile)("node", [join(services.work, "deployer.js"), "teardown", "--plan", planPath, "--purge"], { env })).rejects.toThrow(
      /test is a production environment: .*--confirm-purge test/,
    );
    expect(await aliveBatches()).toHaveLength(1);

    expect(await cronRun("teardown")).toMatchObject({ action: "torn-down", runningNow: "nothing runs under this environment's batch name" });
    expect(await aliveBatches()).toEqual([]);
    for (const path of jaas) expect(await hdfsStatus(path)).toBeUndefined();
    expect(await hdfsStatus(plan("v2").hdfs.configDir)).toBeUndefined();
    expect(await readState(clients.hdfs, plan("v2").hdfs.stateDir)).toBeUndefined();
    expect(await hdfsStatus(checkpoint)).toBeDefined();
    expect(await hdfsStatus(v2Dir)).toBeDefined();
    expect(await cronRun("ensure")).toMatchObject({ action: "none" });

    // The environment comes back with a deploy, then goes for good.
    const again = await deploy("v2");
    expect(again).toMatchObject({ action: "started", artifactHash: hashes.v2 });
    await waitForLog(again.batchId!, "STREAMING job v2 started");
    expect(await cronRun("teardown", undefined, ["--purge"])).toMatchObject({ action: "torn-down" });
    expect(await aliveBatches()).toEqual([]);
    expect(capture.lines.join("\n")).toContain("dropping the tables (create_tables.py --drop)");
    expect(await hdfsStatus(checkpoint)).toBeUndefined();
    expect(await hdfsStatus(v2Dir)).toBeUndefined();
    for (const path of jaas) expect(await hdfsStatus(path)).toBeUndefined();
  } finally {
    await clients.close();
  }
});

test("no secret in any Livy request, URL, progress line or error; each account key only in its JAAS file's upload", () => {
  const secrets = [connectionStrings.listen, connectionStrings.send, GATEWAY_PASSWORD];
  for (const cs of [connectionStrings.listen, connectionStrings.send]) secrets.push(keyOf(cs), encodeURIComponent(keyOf(cs)));
  const leaks = (text: string): string[] => secrets.filter((s) => text.includes(s));
  for (const r of services.knox.requests) {
    expect(leaks(r.url)).toEqual([]);
    if (r.service === "livy") expect(leaks(r.body.toString("utf8"))).toEqual([]);
  }
  expect(leaks(capture.lines.join("\n"))).toEqual([]);
  for (const [cs, file] of [[connectionStrings.listen, "jaas"], [connectionStrings.send, "jaas-output"]] as const) {
    // One upload per deploy that found it missing: the first, and the redeploy after the teardown.
    const carriers = services.knox.requests.filter((r) => r.body.includes(keyOf(cs)));
    expect(carriers.length).toBe(2);
    for (const carrier of carriers) {
      expect(carrier.service).toBe("webhdfs-data");
      expect(carrier.url).toMatch(new RegExp(`/\\.sensor-aggregation/test/${file}-[0-9a-f]{16}\\.conf\\?`));
    }
  }
});
