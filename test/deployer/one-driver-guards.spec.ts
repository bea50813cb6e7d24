/**
 * One driver per checkpoint when Livy's view is wrong: a driver Livy lost keeps its checkpoint's lease while a
 * batch of our name that Livy does lists is stopped (src/deployer/reconcile/lease-guard.ts). Real HDFS, a real
 * Apache Livy running real PySpark drivers, behind the Knox gateway stand-in (which hides a batch from Livy's
 * answers, as a Livy restart without recovery does) and its ResourceManager stand-in. Each scenario ends by
 * asserting how many drivers run, which one holds the lease, where the checkpoint is and what the state says.
 */
import { join } from "node:path";
import { gatewayClients, type GatewayClients } from "../../src/deployer/clients/clients";
import { runNewRun } from "../../src/deployer/commands/new-run";
import { readState, type DeployState } from "../../src/deployer/state/deploy-state";
import { probeLease } from "../../src/deployer/state/driver-lease";
import type { DeployMode, DeployResult } from "../../src/deployer/reconcile/context";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { submissionName } from "../../contracts/submission-name";
import { deployOnce, type RunCapture } from "./support/deploy-context";
import { livyDirect, streamingDriverPids, type LivyDirect } from "./support/livy-direct";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { TEST_BATCH_NAME, testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
let direct: LivyDirect;
let artifactDir = "";
const capture: RunCapture = { lines: [] };
const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };

const plan = (): DeployPlanConfig => testPlan(artifactDir, services.knox.url, services.hdfs.rpc, { timing: { startGraceSeconds: 12 }, lock: { ttlSeconds: 8, waitSeconds: 120 } });
const checkpoint = () => plan().job.checkpoint_location;

function run(mode: DeployMode): Promise<DeployResult> {
  return deployOnce(plan(), artifactDir, connectionStrings, mode, capture, services.ca.caCertPath);
}

async function withClients<T>(use: (clients: GatewayClients) => Promise<T>): Promise<T> {
  const clients = gatewayClients(plan(), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    return await use(clients);
  } finally {
    await clients.close();
  }
}

const newRun = () =>
  withClients((c) => runNewRun({ plan: plan(), hdfs: c.hdfs, livy: c.livy, yarn: c.yarn, progress: { step: (s, d) => capture.lines.push(`${s}: ${d}`) } }, "latest"));
const liveState = () => withClients(async (c) => (await readState(c.hdfs, plan().hdfs.stateDir)) as DeployState);
const lease = () => withClients((c) => probeLease(c.hdfs, checkpoint()));
const checkpointEntries = () => withClients(async (c) => [...((await c.hdfs.listStatus(checkpoint().replace(/\/[^/]+$/, ""))) ?? new Map()).keys()].sort());

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error("expected a failure, but the run succeeded"),
    (err: Error) => err,
  );
}

/**
 * Livy loses the running driver (its batch is hidden) and a batch of our name that Livy does list is started by
 * hand from the live request: Livy then runs "one of ours", which the run stops, while the lost driver still
 * holds the checkpoint. The started one waits for the lease (and gives up after the job's lease wait).
 */
async function loseDriverBehindAStranger(): Promise<{ lostId: number; pid: number; appId: string }> {
  const [live] = await direct.aliveBatches();
  const [pid] = streamingDriverPids(services.hdfs.rpc);
  const appId = (await lease()).record!.application;
  services.knox.hideBatches([live!.id]);
  const state = await liveState();
  const name = submissionName(TEST_BATCH_NAME, state.current.digest, 999, 1);
  await direct.call("/batches", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...state.current.request, name }) });
  return { lostId: live!.id, pid: pid!, appId };
}

beforeAll(async () => {
  services = await startDeployerServices({ livy: true });
  direct = livyDirect(services, TEST_BATCH_NAME);
  artifactDir = join(services.work, "artifacts", "v1");
  buildTestArtifact(artifactDir, { version: "v1" });
  const first = await run("deploy");
  expect(first.action).toBe("started");
  await direct.waitForLog(first.batchId!, "holds the checkpoint lease");
});

afterAll(async () => {
  if (services?.livy) await direct.deleteAll();
  await services?.stop();
});

beforeEach(() => {
  services.knox.clearFaults();
  services.knox.hideBatches([]);
  services.knox.resetStats();
});

test("new-run beside a driver Livy lost: the stop leaves the lease held, so the checkpoint is not moved and nothing is started; one driver", async () => {
  const before = await checkpointEntries();
  const { pid, lostId, appId } = await loseDriverBehindAStranger();
  let error: Error;
  try {
    error = await failure(newRun());
  } finally {
    services.knox.hideBatches([]);
  }
  expect(error.message).toMatch(/_driver\.lease is still held by the driver of run .* after every batch of "sensor-aggregation-test" was stopped: a driver runs outside Livy\. Not starting a second one/);
  expect(services.knox.stats().livySubmissions).toBe(0);
  // The checkpoint stayed where it was (no aside copy), the lost driver alone runs and holds it.
  expect(await checkpointEntries()).toEqual(before);
  expect(streamingDriverPids(services.hdfs.rpc)).toEqual([pid]);
  // (the record's pid is the Python driver's, a child of the SparkSubmit JVM listed above: compare applications)
  expect((await lease()).record?.application).toBe(appId);
  // The state still names the live release, and no batch (Livy runs none of ours now).
  const state = await liveState();
  expect(state.batch).toBeNull();
  expect(state.current.request.args).not.toContain("--starting-offsets");
  // Livy lists the lost one again (the next scenario loses it once more).
  expect((await direct.aliveBatches()).map((b) => b.id)).toEqual([lostId]);
});

test("new-run beside a driver Livy lost, with a ResourceManager that knows it: it is killed there after the stop, then the checkpoint moves and one driver runs the new run", async () => {
  const before = await checkpointEntries();
  const { pid, appId } = await loseDriverBehindAStranger();
  services.knox.resourceManager.register(appId, pid);
  let result: DeployResult;
  try {
    result = await newRun();
  } finally {
    services.knox.hideBatches([]);
  }
  expect(result.action).toBe("started");
  expect(services.knox.resourceManager.kills).toContain(appId);
  await direct.waitForLog(result.batchId!, "holds the checkpoint lease");
  // One driver, the new run's: it holds the fresh checkpoint's lease; the old checkpoint moved aside.
  const drivers = streamingDriverPids(services.hdfs.rpc);
  expect(drivers).toHaveLength(1);
  expect(drivers).not.toContain(pid);
  const holder = (await lease()).record;
  expect(holder?.submission).toBe(((await direct.call(`/batches/${result.batchId}`)) as { name: string }).name);
  expect((await checkpointEntries()).length).toBe(before.length + 1);
  const state = await liveState();
  expect(state.batch?.id).toBe(result.batchId);
  expect(state.current.request.args).toEqual(expect.arrayContaining(["--starting-offsets", "latest"]));
  expect((await direct.aliveBatches()).map((b) => b.id)).toEqual([result.batchId]);
});
