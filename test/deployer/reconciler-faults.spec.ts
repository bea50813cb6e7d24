/**
 * The reconciler's fault matrix, against real HDFS and a real Apache Livy running real PySpark
 * streaming batches, behind the Knox gateway stand-in, which injects the faults. Scenarios run in
 * order and build on each other; each ends by asserting which version runs, that exactly one
 * driver exists, and that the live state names it.
 */
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { appendFileSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { unsafeUniformIntDistribution, xoroshiro128plus } from "pure-rand";
import { writeDeployerFiles } from "../../src/deployer/cli/bundle";
import { gatewayClients, type GatewayClients } from "../../src/deployer/clients/clients";
import { decodeState, STATE_XATTR, type DeployState } from "../../src/deployer/state/deploy-state";
import { LOCK_XATTR } from "../../src/deployer/state/lock";
import type { DeployMode, DeployResult } from "../../src/deployer/reconcile/context";
import { webhookNotifier, type Notifier } from "../../src/deployer/health/notify";
import { parseDeployPlan, type DeployPlanConfig } from "../../src/deployer/core/plan-config";
import type { FileStatus } from "../../src/deployer/clients/webhdfs-client";
import { deployOnce, type RunCapture } from "./support/deploy-context";
import { livyDirect, streamingDriverPids, type LivyDirect } from "./support/livy-direct";
import { probeLease } from "../../src/deployer/state/driver-lease";
import { runStatus, type StatusReport } from "../../src/deployer/commands/status";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString, FAIL_MARKER_DIR, REJECT_MARKER_DIR, STUCK_MARKER_DIR } from "./support/test-artifact";
import { TEST_BATCH_NAME, testPlan, type TestPlanOptions } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
const capture: RunCapture = { lines: [] };
let connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };
const everyKey: string[] = [];
const dirs = { v1: "", v2: "", broken: "" };
const hashes = { v1: "", v2: "", broken: "" };
type Version = keyof typeof dirs;
// Short grace and lock TTL keep the matrix fast; the lock is renewed every third of its TTL.
// The test kills batches itself, so restarts need no backoff but in the restart-policy scenario.
const FAST: TestPlanOptions = { timing: { startGraceSeconds: 12 }, lock: { ttlSeconds: 8, waitSeconds: 120 }, restartPolicy: { backoffSeconds: 0 } };

function plan(version: Version, options: TestPlanOptions = {}): DeployPlanConfig {
  return testPlan(dirs[version], services.knox.url, services.hdfs.rpc, {
    ...FAST,
    ...options,
    timing: { ...FAST.timing, ...options.timing },
    restartPolicy: { ...FAST.restartPolicy, ...options.restartPolicy },
  });
}

/** Where runs notify; set by the notification scenario. */
let notifier: Notifier | undefined;

function run(version: Version, mode: DeployMode = "deploy", options: TestPlanOptions = {}, owner?: string): Promise<DeployResult> {
  return deployOnce(plan(version, options), dirs[version], connectionStrings, mode, capture, services.ca.caCertPath, owner, notifier);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error("expected a failure, but the run succeeded"),
    (err: Error) => err,
  );
}

let direct: LivyDirect;
const aliveBatches = () => direct.aliveBatches();
const killLive = () => direct.killDrivers();
const waitForLog = (id: number, text: string) => direct.waitForLog(id, text);

const hdfsUrl = (path: string, query: string) => `${services.hdfs.webhdfs}/webhdfs/v1${path}?user.name=${GATEWAY_USER}&${query}`;
const stateDir = () => plan("v1").hdfs.stateDir;

async function rawState(): Promise<string | undefined> {
  const res = await fetch(hdfsUrl(stateDir(), `op=GETXATTRS&xattr.name=${STATE_XATTR}&encoding=base64`));
  if (res.status !== 200) return undefined;
  const value = ((await res.json()) as { XAttrs: { value: string }[] }).XAttrs[0]?.value;
  return value === undefined ? undefined : Buffer.from(value.replace(/^0s/, ""), "base64").toString("utf8");
}

async function setRawState(value: string): Promise<void> {
  const res = await fetch(hdfsUrl(stateDir(), `op=SETXATTR&xattr.name=${STATE_XATTR}&xattr.value=${encodeURIComponent(`0s${Buffer.from(value).toString("base64")}`)}&flag=REPLACE`), { method: "PUT" });
  expect(res.status).toBe(200);
}

async function liveState(): Promise<DeployState> {
  return JSON.parse(decodeState((await rawState())!)) as DeployState;
}

/** Test-side HDFS writes, with the project's WebHDFS client (before any count a test asserts). */
async function withHdfs<T>(use: (hdfs: GatewayClients["hdfs"]) => Promise<T>): Promise<T> {
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    return await use(clients.hdfs);
  } finally {
    await clients.close();
  }
}

const hdfsPut = (path: string, data: string) => withHdfs((hdfs) => hdfs.create(path, Buffer.from(data)));
const hdfsDelete = (path: string) => withHdfs((hdfs) => hdfs.delete(path));

/** The end state every scenario asserts: one driver, running `version`, and the live state names it. */
async function expectRunning(version: Version): Promise<DeployState> {
  const alive = await aliveBatches();
  expect(alive).toHaveLength(1);
  const state = await liveState();
  expect(state.batch?.id).toBe(alive[0]!.id);
  expect(state.current.artifactHash).toBe(hashes[version]);
  expect(state.pending).toBeUndefined();
  await waitForLog(alive[0]!.id, `STREAMING job ${version} started`);
  return state;
}

/** The in-cluster path: the esbuild bundle run by node, killable. */
function bundleArgs(version: Version, mode: DeployMode, options: TestPlanOptions & { baseUrl?: string } = {}): { args: string[]; env: NodeJS.ProcessEnv } {
  const bundlePath = writeDeployerFiles(services.work);
  const p = plan(version, options);
  const planPath = join(services.work, `plan-${version}-${mode}.json`);
  writeFileSync(planPath, JSON.stringify({ ...p, artifact: { ...p.artifact, baseUrl: options.baseUrl ?? p.artifact.baseUrl }, gatewayCaBundlePath: services.ca.caCertPath }));
  const env = { ...process.env, BDC_GATEWAY_USERNAME: GATEWAY_USER, BDC_GATEWAY_PASSWORD: GATEWAY_PASSWORD };
  if (mode === "deploy") Object.assign(env, { EVENTHUBS_JOB_CONNECTION_STRING: connectionStrings.listen, EVENTHUBS_JOB_SEND_CONNECTION_STRING: connectionStrings.send });
  return { args: [bundlePath, mode, "--plan", planPath], env };
}

beforeAll(async () => {
  services = await startDeployerServices({ livy: true });
  direct = livyDirect(services, TEST_BATCH_NAME);
  for (const name of Object.keys(dirs) as Version[]) dirs[name] = join(services.work, "artifacts", name);
  hashes.v1 = buildTestArtifact(dirs.v1, { version: "v1" });
  hashes.v2 = buildTestArtifact(dirs.v2, { version: "v2" });
  hashes.broken = buildTestArtifact(dirs.broken, { version: "broken", failOnStart: true });
  everyKey.push(connectionStrings.listen, connectionStrings.send);
});

afterAll(async () => {
  if (services?.livy) await direct.deleteAll();
  await services?.stop();
});

beforeEach(() => {
  services.knox.clearFaults();
  services.knox.padBatchList(0);
  services.knox.hideBatches([]);
  services.knox.resetStats();
});

test("unchanged → 0 submissions", async () => {
  expect(await run("v1")).toMatchObject({ action: "started" });
  const before = await expectRunning("v1");
  services.knox.resetStats();
  const again = await run("v1");
  expect(again).toMatchObject({ action: "unchanged", submissions: 0, uploadedBytes: 0, batchId: before.batch!.id });
  expect(services.knox.stats().livySubmissions).toBe(0);
  expect(again.runningNow).toBe(`Livy batch ${before.batch!.id} runs artifact ${hashes.v1.slice(0, 12)} (release ${before.current.digest.slice(0, 12)})`);
});

test("sizing change → replaced", async () => {
  const before = await liveState();
  const result = await run("v1", "deploy", { spark: { executors: 3, executorMemory: "768m" } });
  expect(result).toMatchObject({ action: "replaced", submissions: 1, artifactHash: hashes.v1 });
  const state = await expectRunning("v1");
  expect(state.current.request).toMatchObject({ numExecutors: 3, executorMemory: "768m" });
  expect(state.current.digest).not.toBe(before.current.digest);
  expect(state.previous?.digest).toBe(before.current.digest);
});

test("JAAS rotation → replaced", async () => {
  const before = await liveState();
  connectionStrings = { ...connectionStrings, listen: fakeConnectionString() };
  everyKey.push(connectionStrings.listen);
  const result = await run("v1", "deploy", { spark: { executors: 3, executorMemory: "768m" } });
  expect(result).toMatchObject({ action: "replaced", submissions: 1 });
  const state = await expectRunning("v1");
  expect(state.current.request.numExecutors).toBe(3);
  expect(state.current.jaas[0]!.fingerprint).not.toBe(before.current.jaas[0]!.fingerprint);
  expect(state.current.jaas[1]).toEqual(before.current.jaas[1]);
});

test("v2 fails → v1 restored → v1 killed → ensure restarts v1", async () => {
  const before = await liveState();
  const error = await failure(run("broken"));
  expect(error.message).toContain(`new artifact ${hashes.broken.slice(0, 12)}`);
  expect(error.message).toContain("refusing to start (test failure)");
  expect(error.message).toContain(`restored the previous artifact ${hashes.v1.slice(0, 12)}`);
  const restored = await expectRunning("v1");
  expect(restored.current.digest).toBe(before.current.digest);

  await killLive();
  // ensure restarts what the live state says, never the plan it is given (here the failed version's).
  const result = await run("broken", "ensure");
  expect(result).toMatchObject({ action: "restarted", submissions: 1, artifactHash: hashes.v1 });
  const state = await expectRunning("v1");
  expect(state.current.digest).toBe(before.current.digest);
  expect(state.restarts.count).toBe(1);
});

test("503 on submit after the stop → previous restored", async () => {
  services.knox.inject({ kind: "status", status: 503 }, 1, (m, url) => m === "POST" && /\/livy\/v1\/batches$/.test(url));
  const error = await failure(run("v2"));
  expect(error.message).toMatch(/HTTP 503/);
  expect(error.message).toContain(`restored the previous artifact ${hashes.v1.slice(0, 12)}`);
  expect((error as Error & { runningNow?: string }).runningNow).toMatch(/^Livy batch \d+ runs artifact/);
  await expectRunning("v1");
});

test("submit response lost → orphan adopted or stopped, one driver", async () => {
  services.knox.inject({ kind: "lose-response" }, 1, (m, url) => m === "POST" && /\/livy\/v1\/batches$/.test(url));
  const result = await run("v2");
  expect(result).toMatchObject({ artifactHash: hashes.v2, submissions: 0 });
  expect(capture.lines.some((l) => l.includes("the submission's answer was lost"))).toBe(true);
  expect(services.knox.stats().livySubmissions).toBe(1);
  await expectRunning("v2");
});

test("poll errors after the stop", async () => {
  // One state poll fails after its retries (1 + 3 attempts): the new version's wait fails, the restore then succeeds.
  services.knox.inject({ kind: "status", status: 503 }, 4, (m, url) => m === "GET" && /\/batches\/\d+\/state$/.test(url));
  const error = await failure(run("v1"));
  expect(error.message).toContain("still failing after retries");
  expect(error.message).toContain(`restored the previous artifact ${hashes.v2.slice(0, 12)}`);
  await expectRunning("v2");
});

test("deploy and ensure started together → one waits or skips, one driver", async () => {
  await killLive();
  const [deployed, ensured] = await Promise.all([run("v1", "deploy", {}, "racing deploy"), run("v2", "ensure", {}, "racing ensure")]);
  expect(deployed.action).toMatch(/started|replaced/);
  // Either ensure got the lock first and restarted v2 (which the deploy then replaced), or it found the lock held.
  expect(["skipped", "restarted", "alive"]).toContain(ensured.action);
  if (ensured.action === "skipped") expect(ensured.runningNow).toContain("racing deploy");
  await expectRunning("v1");
});

test("deployer SIGKILLed between stop and submit → the next run (deploy or ensure) recovers", async () => {
  const before = await liveState();
  services.knox.inject({ kind: "hold" }, 1, (m, url) => m === "POST" && /\/livy\/v1\/batches$/.test(url));
  const { args, env } = bundleArgs("v2", "deploy");
  const child = spawn("node", args, { env, stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  for (let i = 0; i < 600 && !services.knox.requests.some((r) => r.status === -2); i++) await new Promise((r) => setTimeout(r, 250));
  expect(services.knox.requests.some((r) => r.status === -2)).toBe(true);
  child.kill("SIGKILL");
  await exited;
  expect(await aliveBatches()).toHaveLength(0);

  // The killed run's lock is still valid: ensure leaves it alone, then breaks it once expired.
  const skipped = await run("v1", "ensure");
  expect(skipped.action).toBe("skipped");
  await new Promise((r) => setTimeout(r, 9000));
  const result = await run("v1", "ensure");
  expect(result).toMatchObject({ action: "restarted", artifactHash: hashes.v1 });
  expect(capture.lines.some((l) => l.includes("took over the expired lock of"))).toBe(true);
  const state = await expectRunning("v1");
  expect(state.current.digest).toBe(before.current.digest);
});

const isDeleteOf = (id: number) => (m: string, url: string) => m === "DELETE" && new RegExp(`/livy/v1/batches/${id}$`).test(url);

test("a stop whose answer is lost → read back, and the replacement goes on; one driver", async () => {
  await run("v1");
  const [old] = await aliveBatches();
  services.knox.inject({ kind: "lose-response" }, 1, isDeleteOf(old!.id));
  const result = await run("v2");
  expect(services.knox.requests.filter((r) => r.method === "DELETE" && r.status === -1)).toHaveLength(1);
  expect(result).toMatchObject({ action: "replaced", artifactHash: hashes.v2 });
  await expectRunning("v2");
  expect((await aliveBatches()).map((b) => b.id)).not.toContain(old!.id);
});

test("a stop that hangs → the run fails through the restore path; the previous release runs, alone, and the state names it", async () => {
  const before = await liveState();
  const [old] = await aliveBatches();
  services.knox.inject({ kind: "hold" }, 1, isDeleteOf(old!.id));
  const error = await failure(run("v1", "deploy", { timing: { requestDeadlineSeconds: 5 } }));
  expect(services.knox.requests.some((r) => r.method === "DELETE" && r.status === -2)).toBe(true);
  expect(error.message).toMatch(/DELETE .*batches/);
  expect(error.message).toContain(`restored the previous artifact ${hashes.v2.slice(0, 12)}`);
  // The restore path stops whatever runs and starts the previous release again: one driver, v2's, on record.
  const state = await expectRunning("v2");
  expect(state.current.digest).toBe(before.current.digest);
  // The next deploy, with the gateway well again, replaces it.
  expect(await run("v1")).toMatchObject({ action: "replaced", artifactHash: hashes.v1 });
  await expectRunning("v1");
});

/** The mutating requests (every method but GET) the gateway received from index `since` on. */
const mutatingSince = (since: number) => services.knox.requests.slice(since).filter((r) => r.method !== "GET");

test("any one mutating request of a replacement answered-but-lost (generated): the run, or the next, ends with the new version alone and on record", async () => {
  const seed = Date.now();
  const rng = xoroshiro128plus(seed);
  // How many mutating requests a clean replacement sends, each way: the fewest of two runs (a lock renewal, say,
  // can add one), so that the request picked is one every replacement sends.
  const counts = { v1: Infinity, v2: Infinity, broken: 0 };
  await run("v1");
  for (const target of ["v2", "v1", "v2", "v1"] as const) {
    const since = services.knox.requests.length;
    expect(await run(target)).toMatchObject({ action: "replaced" });
    counts[target] = Math.min(counts[target], mutatingSince(since).length);
  }
  for (let c = 0; c < 4; c++) {
    const target: Version = c % 2 === 0 ? "v2" : "v1";
    let k = unsafeUniformIntDistribution(1, counts[target], rng);
    let since = services.knox.requests.length;
    let first = "";
    let lost: (typeof services.knox.requests)[number] | undefined;
    // A run can send fewer than the fewest measured (no renewal fell inside it): then the case is drawn again,
    // within what that run sent, and replayed from the other version, so every case loses one answer.
    for (let attempt = 0; attempt < 3 && lost === undefined; attempt++) {
      since = services.knox.requests.length;
      let n = 0;
      services.knox.inject({ kind: "lose-response" }, 1, (method) => method !== "GET" && ++n === k);
      first = await run(target).then((r) => r.action, (e: Error) => `failed: ${e.message.split("\n")[0]}`);
      lost = services.knox.requests.slice(since).find((r) => r.status === -1);
      services.knox.clearFaults();
      if (lost === undefined) {
        k = unsafeUniformIntDistribution(1, Math.max(1, mutatingSince(since).length), rng);
        await run(target === "v2" ? "v1" : "v2"); // back, so that the next attempt is a replacement again
      }
    }
    const context = `seed ${seed}, case ${c}: request ${k} of ${counts[target]} (${lost?.method} ${lost?.url.replace(/\?.*/, "")}) lost; the run: ${first}`;
    process.stderr.write(`${context}\n`);
    services.knox.clearFaults();
    const again = await run(target);
    expect([context, again.artifactHash, lost !== undefined]).toEqual([context, hashes[target], true]);
    await expectRunning(target);
  }
});

test("corrupt state → fails closed, live batch untouched", async () => {
  const [live] = await aliveBatches();
  const saved = (await rawState())!;
  await setRawState('{"version":2,"current":');
  try {
    for (const mode of ["deploy", "ensure"] as const) {
      services.knox.resetStats();
      const error = await failure(run("v2", mode));
      expect(error.message).toMatch(/live state .* cannot be used: not JSON.*Nothing was changed.*To repair/s);
      expect(services.knox.stats().livySubmissions).toBe(0);
      expect(services.knox.requests.slice(-services.knox.stats().calls).filter((r) => r.method === "DELETE" && r.service === "livy")).toHaveLength(0);
    }
    expect((await aliveBatches()).map((b) => b.id)).toEqual([live!.id]);
  } finally {
    await setRawState(saved);
  }
  await expectRunning("v1");
});

test("more than 1000 batches listed", async () => {
  services.knox.padBatchList(1200);
  expect(await run("v1")).toMatchObject({ action: "unchanged", submissions: 0 });
  await killLive();
  expect(await run("v1", "ensure")).toMatchObject({ action: "restarted", submissions: 1 });
  // Livy listed oldest first: our batch is on the third page of 500.
  expect(services.knox.requests.some((r) => r.url.includes("from=1000"))).toBe(true);
  expect(await run("v1")).toMatchObject({ action: "unchanged", submissions: 0 });
  await expectRunning("v1");
});

/** The checkpoint's lease as the deployer probes it (driver-lease.ts). */
const checkpointLease = () => withHdfs((hdfs) => probeLease(hdfs, plan("v1").job.checkpoint_location));

/** `status` as the CLI runs it, against the gateway. */
async function status(): Promise<StatusReport> {
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    return await runStatus({ plan: plan("v1"), hdfs: clients.hdfs, livy: clients.livy, progress: { step: () => undefined } }, undefined);
  } finally {
    await clients.close();
  }
}

/** Polls until the driver whose lease `held` shows has let it lapse (its holder died or paused past the soft limit). */
async function leaseLapsed(): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
    const lease = await checkpointLease();
    if (!lease.held || lease.lapsing) return;
  }
  throw new Error("the checkpoint lease never lapsed");
}

test("Livy lost its record of a driver that still runs → nothing is started beside it, status says running outside Livy", async () => {
  const [live] = await aliveBatches();
  services.knox.hideBatches([live!.id]);
  services.knox.resetStats();
  try {
    for (const mode of ["ensure", "deploy"] as const) {
      const error = await failure(run("v2", mode));
      expect(error.message).toMatch(/_driver\.lease is held by the driver of run .*, release [0-9a-f]{12}, submitted as .*, application local-\d+ on .* \(pid \d+\).*: a driver runs outside Livy\. Not starting a second one/);
      expect(error.message).toContain(`batch ${live!.id} of the state is unknown to Livy`);
    }
    expect(services.knox.stats().livySubmissions).toBe(0);
    const report = await status();
    expect(report.driver?.lease).toBe("held");
    expect(report.problems).toEqual([expect.stringMatching(/^running outside Livy: the driver of run .* holds .*_driver\.lease \(Livy: batch \d+ unknown to Livy\)$/)]);
  } finally {
    services.knox.hideBatches([]);
  }
  expect((await aliveBatches()).map((b) => b.id)).toEqual([live!.id]);
  await expectRunning("v1");
});

test("Livy lost its record of a driver that still runs, and the ResourceManager knows it → ensure kills it there (the kill's answer lost once) and starts one under Livy; one driver", async () => {
  const [live] = await aliveBatches();
  const [pid] = streamingDriverPids(services.hdfs.rpc);
  const appId = (await checkpointLease()).record!.application;
  services.knox.resourceManager.register(appId, pid!);
  services.knox.hideBatches([live!.id]);
  // The kill sets a desired state, so its lost answer is resolved by sending it again (http.ts, yarn-client.ts).
  services.knox.inject({ kind: "lose-response" }, 1, (method, url) => method === "PUT" && url.includes("/resourcemanager/"));
  let result: DeployResult;
  try {
    result = await run("v1", "ensure");
  } finally {
    services.knox.clearFaults();
    services.knox.hideBatches([]);
  }
  expect(result).toMatchObject({ action: "restarted", submissions: 1 });
  expect(services.knox.resourceManager.kills).toEqual([appId, appId]);
  expect(capture.lines).toContainEqual(expect.stringMatching(new RegExp(`a driver runs outside Livy; asked the ResourceManager to kill ${appId}`)));
  await waitForLog(result.batchId!, "holds the checkpoint lease");
  expect(streamingDriverPids(services.hdfs.rpc)).toEqual([expect.any(Number)]);
  expect(streamingDriverPids(services.hdfs.rpc)).not.toContain(pid);
  // The lease is the new batch's driver's.
  const holder = (await checkpointLease()).record;
  expect(holder?.submission).toBe(((await direct.call(`/batches/${result.batchId}`)) as { name: string }).name);
  expect(holder?.pid).not.toBe(pid);
  const state = await expectRunning("v1");
  expect(state.batch?.id).toBe(result.batchId);
});

test("Livy lost its record of a driver that is paused past the lease's soft limit → ensure starts one; the paused one stops at its next heartbeat; one driver", async () => {
  const [live] = await aliveBatches();
  const [pid] = streamingDriverPids(services.hdfs.rpc);
  services.knox.hideBatches([live!.id]);
  process.kill(pid!, "SIGSTOP"); // a long GC pause: its HDFS client stops renewing the lease
  let restarted: DeployResult;
  try {
    await leaseLapsed();
    restarted = await run("v1", "ensure");
    expect(restarted).toMatchObject({ action: "restarted", submissions: 1 });
    await waitForLog(restarted.batchId!, "holds the checkpoint lease");
  } finally {
    process.kill(pid!, "SIGCONT");
  }
  // The paused driver wakes, its next micro-batch's heartbeat fails, and it exits (Livy then lists it dead).
  services.knox.hideBatches([]);
  for (let i = 0; i < 120 && streamingDriverPids(services.hdfs.rpc).includes(pid!); i++) await new Promise((r) => setTimeout(r, 500));
  expect(streamingDriverPids(services.hdfs.rpc)).toEqual([expect.any(Number)]);
  expect(streamingDriverPids(services.hdfs.rpc)).not.toContain(pid);
  await direct.waitUntilEnded(live!.id);
  // It stops at its next heartbeat, or, woken inside a micro-batch, when Spark's own log refuses its commit (Spark
  // 3.5 words that "Multiple streaming queries are concurrently using <checkpoint>/commits"; older lines "... jobs detected").
  expect((await direct.call(`/batches/${live!.id}/log?size=400`)).log.join("\n")).toMatch(/this driver no longer holds|Multiple streaming jobs detected|Multiple streaming queries are concurrently using/);
  const state = await expectRunning("v1");
  expect(state.batch?.id).toBe(restarted!.batchId);
});

test("Livy lost its record of a driver that died → ensure restarts as soon as the lease lapses; a stale id naming another user's batch is not ours", async () => {
  const [live] = await aliveBatches();
  // Another user's batch under another name, which the state's id is then made to name (Livy 0.7 renumbers from 0 after a restart).
  await hdfsPut("/apps/test-other-user.py", "import time\ntime.sleep(600)\n");
  const other = (await direct.call("/batches", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ file: `${services.hdfs.rpc}/apps/test-other-user.py`, name: "another-users-batch" }),
  })) as { id: number };
  await killLive();
  await setRawState(JSON.stringify({ ...(await liveState()), batch: { id: other.id, appId: null } }));
  services.knox.hideBatches([live!.id]);
  try {
    const report = await status();
    expect(report.batch).toEqual({ id: other.id, state: `unknown to Livy (id ${other.id} now names "another-users-batch")` });
    expect(report.problems.length).toBeGreaterThan(0);
    await leaseLapsed();
    const result = await run("v1", "ensure");
    expect(result).toMatchObject({ action: "restarted", submissions: 1 });
  } finally {
    services.knox.hideBatches([]);
  }
  // The other user's batch is untouched: never stopped, never taken for ours.
  expect(((await direct.call(`/batches/${other.id}`)) as { name: string }).name).toBe("another-users-batch");
  expect(services.knox.requests.some((r) => r.method === "DELETE" && r.url.includes(`/batches/${other.id}`))).toBe(false);
  await direct.call(`/batches/${other.id}`, { method: "DELETE" });
  await expectRunning("v1");
  // The two restarts of these Livy-restart scenarios are not the later tests' budget (their restart limit is 5).
  await setRawState(JSON.stringify({ ...(await liveState()), restarts: { count: 0 } }));
});

test("artifact store unreachable or SAS expired → ensure still restarts from HDFS", async () => {
  await killLive();
  // The in-cluster entry with an unreachable artifact URL and no SAS at all.
  const { args, env } = bundleArgs("v1", "ensure", { baseUrl: "https://127.0.0.1:9/artifacts/expired" });
  const { stdout, stderr } = await promisify(execFile)("node", args, { env });
  capture.lines.push(...stderr.split("\n"));
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as DeployResult;
  expect(result).toMatchObject({ action: "restarted", artifactHash: hashes.v1 });
  expect(stderr.trim().split("\n").pop()).toMatch(/now: Livy batch \d+ runs artifact/);
  await expectRunning("v1");
});

test("previous version's files deleted → a clear failure", async () => {
  const state = await liveState();
  await killLive();
  const jobPy = state.current.files[0]!.path;
  await hdfsDelete(jobPy);
  services.knox.resetStats();
  const error = await failure(run("v1", "ensure"));
  expect(error.message).toContain(`${jobPy}: missing`);
  expect(error.message).toContain("run a deploy to put them back");
  expect(services.knox.stats().livySubmissions).toBe(0);
  // A deploy puts the file back and starts it, once the killed driver's lease lapsed: ensure freed the dead
  // batch's name, so nothing but the lapse tells a dead holder from one outside Livy (release-runner.ts).
  await leaseLapsed();
  expect(await run("v1")).toMatchObject({ action: "started" });
  await expectRunning("v1");
});

test("restart limit reached → backoff observed, then a loud stop", async () => {
  // The marker is checked after the SparkSession starts: a longer grace sees the failure.
  // The backoff leaves room for the ensure's own requests on a loaded machine (a 4 s one was once used up by them).
  const policy: TestPlanOptions = { restartPolicy: { limit: 2, backoffSeconds: 15, maxBackoffSeconds: 30 }, timing: { startGraceSeconds: 30 } };
  await hdfsPut(`${FAIL_MARKER_DIR}/v1`, "fail");
  try {
    await killLive();
    expect((await failure(run("v1", "ensure", policy))).message).toMatch(/restart 1\/2 .* failed/);
    const waiting = await run("v1", "ensure", policy);
    expect(waiting).toMatchObject({ action: "backoff", submissions: 0 });
    expect(waiting.runningNow).toMatch(/restart 2 not before/);
    await new Promise((r) => setTimeout(r, 15_500));
    expect((await failure(run("v1", "ensure", policy))).message).toMatch(/restart 2\/2 .* failed/);
    services.knox.resetStats();
    const stopped = await failure(run("v1", "ensure", policy));
    expect(stopped.message).toMatch(/restart limit \(2\) is reached/);
    expect(stopped.message).toContain("fail marker present");
    expect(services.knox.stats().livySubmissions).toBe(0);
    expect(await aliveBatches()).toHaveLength(0);
    expect((await liveState()).restarts.count).toBe(2);
  } finally {
    await hdfsDelete(`${FAIL_MARKER_DIR}/v1`);
  }
  // The next deploy resets the count.
  expect(await run("v1", "deploy", policy)).toMatchObject({ action: "started" });
  expect((await expectRunning("v1")).restarts.count).toBe(0);
});

test("http:// artifact URL, a symlink escape, an oversized file → refused before anything is read or sent", async () => {
  const p = plan("v1");
  expect(() => parseDeployPlan(JSON.stringify({ ...p, artifact: { ...p.artifact, baseUrl: "http://blob.example/artifacts" } }), "plan.json")).toThrow(/https:\/\//);

  const escape = join(services.work, "artifacts", "escape");
  const oversized = join(services.work, "artifacts", "oversized");
  for (const dir of [escape, oversized]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(dirs.v1, dir, { recursive: true });
  }
  // Same bytes, but reached through a symlink that leaves the artifact directory.
  const outside = join(services.work, "outside-job.py");
  cpSync(join(dirs.v1, "job.py"), outside);
  rmSync(join(escape, "job.py"));
  symlinkSync(outside, join(escape, "job.py"));
  appendFileSync(join(oversized, "jars", "test-connector-1.0.jar"), Buffer.alloc(1024 * 1024));

  for (const [location, why] of [
    ["http://127.0.0.1:1/artifacts", /must use https:\/\//],
    [escape, /job\.py: resolves to .*outside the artifact directory/],
    [oversized, /test-connector-1\.0\.jar: \d+ bytes on disk, manifest\.json declares \d+/],
  ] as const) {
    services.knox.resetStats();
    await expect(deployOnce(p, location, connectionStrings, "deploy", capture, services.ca.caCertPath)).rejects.toThrow(why);
    expect(services.knox.stats().calls).toBe(0);
  }
  await expectRunning("v1");
});

test("a held lock: deploy waits its bound then fails naming the holder; ensure leaves it to the holder", async () => {
  const holder = { owner: "deploy on laptop-7 pid 4242", mode: "deploy", startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 600_000).toISOString(), token: "t" };
  const put = await fetch(hdfsUrl(stateDir(), `op=SETXATTR&xattr.name=${LOCK_XATTR}&xattr.value=${encodeURIComponent(`0s${Buffer.from(JSON.stringify(holder)).toString("base64")}`)}&flag=CREATE`), { method: "PUT" });
  expect(put.status).toBe(200);
  try {
    services.knox.resetStats();
    const started = Date.now();
    const error = await failure(run("v2", "deploy", { lock: { waitSeconds: 3 } }));
    expect(error.message).toContain("the environment's deploy lock is held by deploy on laptop-7 pid 4242 (deploy, since");
    expect(error.message).toContain("waited 3s");
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    await killLive();
    const skipped = await run("v1", "ensure");
    expect(skipped).toMatchObject({ action: "skipped", submissions: 0 });
    expect(skipped.runningNow).toContain("the lock is held by deploy on laptop-7 pid 4242");
    expect(services.knox.stats().livySubmissions).toBe(0);
  } finally {
    await fetch(hdfsUrl(stateDir(), `op=REMOVEXATTR&xattr.name=${LOCK_XATTR}`), { method: "PUT" });
  }
  expect(await run("v1", "ensure")).toMatchObject({ action: "restarted" });
  await expectRunning("v1");
});

/** A real HTTP receiver of the deployer's webhook, set as where runs notify; `received` holds each message's text. */
async function startReceiver(): Promise<{ received: string[]; receiver: ReturnType<typeof createServer> }> {
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  notifier = webhookNotifier(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, 2000);
  return { received, receiver };
}

const numbered = (listing: Map<string, FileStatus> | undefined) => [...(listing?.values() ?? [])].filter((f) => /^\d+$/.test(f.pathSuffix));

/** The checkpoint's numbered `offsets/N` and `commits/N` entries, polled every 500 ms until `found` returns a value (120 s at most). */
async function pollCheckpoint<T>(what: string, found: (offsets: FileStatus[], commits: FileStatus[]) => T | undefined): Promise<T> {
  const checkpoint = plan("v1").job.checkpoint_location;
  return withHdfs(async (hdfs) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const value = found(numbered(await hdfs.listStatus(`${checkpoint}/offsets`)), numbered(await hdfs.listStatus(`${checkpoint}/commits`)));
      if (value !== undefined) return value;
    }
    throw new Error(`${checkpoint}: no ${what} within 120 s`);
  });
}

/**
 * The checkpoint's newest micro-batch without a commit and when it started (its `offsets/N`'s time).
 * Polled: the stuck job prints its marker line before its query writes `offsets/N`, and until then
 * the newest `offsets/N` is the killed job's, committed.
 */
const uncommittedBatch = () =>
  pollCheckpoint("uncommitted micro-batch", (offsets, commits) => {
    const committed = Math.max(-1, ...commits.map((f) => Number(f.pathSuffix)));
    const open = offsets.filter((f) => Number(f.pathSuffix) > committed).sort((a, b) => Number(b.pathSuffix) - Number(a.pathSuffix));
    return open[0] && { id: Number(open[0].pathSuffix), startedAt: open[0].modificationTime };
  });

/** Waits for `commits/N` of batch `id`. */
const checkpointCommits = (id: number) => pollCheckpoint(`commit of micro-batch ${id}`, (_, commits) => (commits.some((f) => Number(f.pathSuffix) >= id) ? true : undefined));

test("alive but stuck (a micro-batch that never commits) → ensure restarts it, counted, the reason on record, one notification; a progressing job is left alone", async () => {
  const stuckPolicy: TestPlanOptions = { health: { maxSecondsWithoutCommit: 15 } };
  await hdfsPut(`${STUCK_MARKER_DIR}/v1`, "stuck");
  let stuckId: number;
  try {
    await killLive();
    expect(await run("v1", "ensure", stuckPolicy)).toMatchObject({ action: "restarted" });
    stuckId = (await aliveBatches())[0]!.id;
    await waitForLog(stuckId, "stuck marker present");
  } finally {
    await hdfsDelete(`${STUCK_MARKER_DIR}/v1`);
  }
  const before = (await liveState()).restarts.count;
  // Not yet past the default limit (four triggers and a minute): alive, nothing submitted.
  expect(await run("v1", "ensure")).toMatchObject({ action: "alive", submissions: 0, batchId: stuckId });
  // Past 15 s since its micro-batch started: read when it did from the checkpoint's offsets log.
  const { id: stuckBatch, startedAt } = await uncommittedBatch();
  await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 16_000 - Date.now())));
  const { received, receiver } = await startReceiver();
  let restarted: Awaited<ReturnType<typeof run>>;
  try {
    restarted = await run("v1", "ensure", stuckPolicy);
    expect(restarted).toMatchObject({ action: "restarted", submissions: 1 });
    // Exactly one notification, naming the stuck job, arrives at the receiver.
    expect(received).toEqual([expect.stringMatching(/^test: .*stuck/)]);
  } finally {
    notifier = undefined;
    receiver.close();
  }
  expect(restarted.batchId).not.toBe(stuckId);
  const state = await expectRunning("v1");
  expect(state.restarts.count).toBe(before + 1);
  expect(state.restarts.lastFailure?.[0]).toMatch(/^stuck: micro-batch \d+ started \d+s ago and has not committed \(limit 15s/);
  expect((await direct.call(`/batches/${stuckId}`)).id).toBeUndefined();
  // The restarted job commits the batch that was stuck: the next ensure, with the same limit and past it, finds it progressing.
  await checkpointCommits(stuckBatch);
  expect(await run("v1", "ensure", stuckPolicy)).toMatchObject({ action: "alive", submissions: 0, batchId: state.batch!.id });
});

test("input mostly rejected → ensure leaves the job running and notifies it once", async () => {
  // Deploys in and out (each starts the restart count again, as the scenarios around it need).
  await hdfsPut(`${REJECT_MARKER_DIR}/v2`, "reject");
  let rejectingId: number;
  try {
    expect(await run("v2", "deploy")).toMatchObject({ action: "replaced" });
    rejectingId = (await aliveBatches())[0]!.id;
    await waitForLog(rejectingId, '"rejected": ');
  } finally {
    await hdfsDelete(`${REJECT_MARKER_DIR}/v2`);
  }
  const { received, receiver } = await startReceiver();
  try {
    expect(await run("v2", "ensure")).toMatchObject({ action: "alive", submissions: 0, batchId: rejectingId });
    expect(await run("v2", "ensure")).toMatchObject({ action: "alive", submissions: 0, batchId: rejectingId });
    expect(received).toEqual([expect.stringMatching(/^test: the streaming job runs \(Livy batch \d+\), but 100\.0% of the input of the last \d+ batches was rejected \(limit 5\.0%/)]);
    expect((await liveState()).notified?.condition).toBe("rejected");
  } finally {
    notifier = undefined;
    receiver.close();
  }
  expect(await run("v1", "deploy")).toMatchObject({ action: "replaced" });
  await expectRunning("v1");
  expect((await liveState()).notified?.condition).toBe("healthy");
});

test("notifications: one per change of condition to a real HTTP receiver; a receiver that is down fails nothing and is said", async () => {
  const { received, receiver } = await startReceiver();
  try {
    await killLive();
    expect(await run("v1", "ensure")).toMatchObject({ action: "restarted" });
    expect(received).toEqual([expect.stringMatching(/^test: the streaming job was down; ensure restarted it as Livy batch \d+ \(restart \d+\/5\)$/)]);
    expect(await run("v1", "ensure")).toMatchObject({ action: "alive" });
    expect(received[1]).toMatch(/^test: the streaming job runs again \(Livy batch \d+, artifact /);
    // Still healthy: no third message.
    expect(await run("v1", "ensure")).toMatchObject({ action: "alive" });
    expect(received).toHaveLength(2);

    // The receiver goes away: the restart still happens, the state records the condition, the run says it could not notify.
    await new Promise<void>((r) => receiver.close(() => r()));
    const from = capture.lines.length;
    await killLive();
    expect(await run("v1", "ensure")).toMatchObject({ action: "restarted" });
    expect(capture.lines.slice(from).some((l) => /^notify: notification failed \(.*\); the run goes on: test: the streaming job was down/.test(l))).toBe(true);
    expect((await liveState()).notified?.condition).toBe("restarted");
    expect(await run("v1", "ensure")).toMatchObject({ action: "alive" });
    expect((await liveState()).notified?.condition).toBe("healthy");
    expect(received).toHaveLength(2);
  } finally {
    notifier = undefined;
    receiver.close();
  }
  await expectRunning("v1");
});

test("no secret in any Livy request, URL, progress line or error", () => {
  const secrets = [GATEWAY_PASSWORD];
  for (const cs of everyKey) secrets.push(cs, /SharedAccessKey=([^;]+)/.exec(cs)![1]!);
  const leaks = (text: string): string[] => secrets.filter((s) => text.includes(s));
  for (const r of services.knox.requests) {
    expect(leaks(r.url)).toEqual([]);
    if (r.service === "livy") expect(leaks(r.body.toString("utf8"))).toEqual([]);
    if (r.service === "webhdfs-data" && leaks(r.body.toString("utf8")).length > 0) expect(r.url).toMatch(/\/jaas(-output)?-[0-9a-f]{16}\.conf\?/);
  }
  expect(leaks(capture.lines.join("\n"))).toEqual([]);
});
