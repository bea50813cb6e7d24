/**
 * The reconciler on a plain Hadoop target (issue 25 `livy`): a real Apache Livy and a real NameNode reached
 * directly, with no gateway in front (simple auth as the target's user). The plan names the target
 * (contracts/deploy-target.ts) and the clients are built from it (clients.ts), as the deployer's entry point
 * does: the same deploy, unchanged redeploy and ensure as on a BDC, with a real PySpark streaming batch. And the
 * same with the live state and lock in an Azure Blob container (target.stateStore) on Azurite, through the
 * deployer's entry (run.ts) with the container's SAS from the environment, as the deploy Job runs it.
 */
import { join, posix } from "node:path";
import { STATE_ELSEWHERE_XATTR } from "../../src/deployer/state/environment-stores";
import { releasesOfEveryEnvironment } from "../../src/deployer/release/retention";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { gatewayClients, needsGatewayCredentials, platformUser, type GatewayClients } from "../../src/deployer/clients/clients";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { deployPlanSchema } from "../../contracts/deploy-plan";
import { runDeploy } from "../../src/deployer/commands/deploy";
import { runEnsure } from "../../src/deployer/commands/ensure";
import type { GatewayContext } from "../../src/deployer/reconcile/context";
import { readState, readStateFrom } from "../../src/deployer/state/deploy-state";
import { runFromEnvironment } from "../../src/deployer/commands/run";
import { BlobStateStore } from "../../src/deployer/state/blob-state-store";
import { ContainerSASPermissions, ContainerClient, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from "../harness/azurite/azurite";
import { parseLockRecord } from "../../src/deployer/state/lock-store";
import { livyDirect, type LivyDirect } from "./support/livy-direct";
import { GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
let azurite: Azurite;
const azuriteDir = mkdtempSync(join(tmpdir(), "livy-target-azurite-"));
let direct: LivyDirect;
let clients: GatewayClients;
let plan: DeployPlanConfig;
let artifactDir: string;
let hash: string;
const lines: string[] = [];
const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };

/** The test plan with a `livy` target in place of the gateway, checked by the plan's own schema. */
function livyPlan(): DeployPlanConfig {
  const { gatewayUrl: _gateway, gatewayCaBundlePath: _ca, ...rest } = testPlan(artifactDir, services.knox.url, services.hdfs.rpc);
  return deployPlanSchema.parse({ ...rest, target: { kind: "livy", livyUrl: services.livy!.url, webhdfsUrl: services.hdfs.webhdfs, user: GATEWAY_USER, auth: "none" } });
}

function context(): GatewayContext {
  return { plan, hdfs: clients.hdfs, livy: clients.livy, progress: { step: (step: string, detail: string) => void lines.push(`${step}: ${detail}`) } };
}

const deploy = () =>
  runDeploy({ ...context(), artifact: { location: artifactDir }, gatewayUser: platformUser(plan, ""), eventHubsConnectionString: connectionStrings.listen, eventHubsSendConnectionString: connectionStrings.send });

beforeAll(async () => {
  [services, azurite] = await Promise.all([startDeployerServices({ livy: true }), startAzurite({ dir: azuriteDir })]);
  direct = livyDirect(services, "sensor-aggregation-test");
  artifactDir = join(services.work, "artifacts", "v1");
  hash = buildTestArtifact(artifactDir, { version: "v1" });
  plan = livyPlan();
  expect(needsGatewayCredentials(plan.target)).toBe(false);
  clients = gatewayClients(plan, { username: "", password: "" });
  expect(clients.yarn).toBeUndefined();
});

afterAll(async () => {
  if (services?.livy) await direct.deleteAll();
  await clients?.close();
  await azurite?.stop();
  rmSync(azuriteDir, { recursive: true, force: true });
  await services?.stop();
});

test("deploy starts the streaming job through Livy and the NameNode alone; an unchanged redeploy and ensure change nothing", async () => {
  services.knox.resetStats();
  const first = await deploy();
  expect(first).toMatchObject({ action: "started", artifactHash: hash, submissions: 2 });
  expect((await direct.aliveBatches()).map((b) => b.id)).toEqual([first.batchId]);
  await direct.waitForLog(first.batchId!, "STREAMING job v1 started");

  const again = await deploy();
  expect(again).toMatchObject({ action: "unchanged", submissions: 0, uploadedBytes: 0, batchId: first.batchId });
  const ensured = await runEnsure(context());
  expect(ensured).toMatchObject({ action: "alive", submissions: 0, batchId: first.batchId });

  const state = await readState(context().hdfs, context().plan.hdfs.stateDir);
  expect(state).toMatchObject({ current: { artifactHash: hash }, batch: { id: first.batchId } });
  expect((await direct.aliveBatches()).map((b) => b.id)).toEqual([first.batchId]);
  expect(services.knox.stats().calls).toBe(0); // no gateway took part
});

const credential = () => new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
const deploymentsContainer = () => new ContainerClient(`${azurite.blobEndpoint}/deployments`, credential());
const containerSas = () =>
  generateBlobSASQueryParameters({ containerName: "deployments", permissions: ContainerSASPermissions.parse("racwdl"), expiresOn: new Date(Date.now() + 3600_000) }, credential()).toString();
const blobPlanOf = (base: DeployPlanConfig) => deployPlanSchema.parse({ ...base, target: { ...base.target, stateStore: { kind: "blob", containerUrl: `${azurite.blobEndpoint}/deployments`, auth: "sas" } } });

test("with the state and lock in a Blob container: deploy, an unchanged redeploy and ensure run from the blobs, never from the xattrs", async () => {
  const container = deploymentsContainer();
  await container.create();
  const sas = containerSas();
  const blobPlan = blobPlanOf(plan);
  const env = { STATE_STORE_SAS_TOKEN: sas, EVENTHUBS_JOB_CONNECTION_STRING: connectionStrings.listen, EVENTHUBS_JOB_SEND_CONNECTION_STRING: connectionStrings.send };
  const said: string[] = [];
  const progress = { step: (step: string, detail: string) => void said.push(`${step}: ${detail}`) };
  const run = (mode: "deploy" | "ensure", vars: Record<string, string> = env) => runFromEnvironment({ plan: blobPlan, mode, artifact: artifactDir, env: vars, out: () => undefined, progress });
  const beforeXattr = await readState(clients.hdfs, plan.hdfs.stateDir);

  // The Blob state is empty: the batch the first test left (recorded in the xattr) is a stranger of our name, stopped.
  const first = (await run("deploy"))!;
  expect(first).toMatchObject({ action: "started", artifactHash: hash });
  expect((await direct.aliveBatches()).map((b) => b.id)).toEqual([first.batchId]);
  await direct.waitForLog(first.batchId!, "STREAMING job v1 started");
  const again = (await run("deploy"))!;
  expect(again).toMatchObject({ action: "unchanged", submissions: 0, uploadedBytes: 0, batchId: first.batchId });
  // ensure needs only the SAS: no Event Hubs key, so the backlog rules are not asked.
  const ensured = (await run("ensure", { STATE_STORE_SAS_TOKEN: sas }))!;
  expect(ensured).toMatchObject({ action: "alive", submissions: 0, batchId: first.batchId });

  const state = await readStateFrom(new BlobStateStore(container.getBlockBlobClient(`${plan.environment}/state`)));
  expect(state).toMatchObject({ current: { artifactHash: hash }, batch: { id: first.batchId } });
  // The xattr state is as the first test left it: nothing of these runs went there.
  expect(await readState(clients.hdfs, plan.hdfs.stateDir)).toEqual(beforeXattr);
  // The state directory on HDFS says where the state is, so every environment's retention keeps all artifact
  // directories (it cannot read which ones this environment's releases use), but this one's own retention reads on.
  expect(await clients.hdfs.getXAttr(plan.hdfs.stateDir, STATE_ELSEWHERE_XATTR)).toBe(`blob deployments/${plan.environment}/state`);
  const deployments = posix.dirname(plan.hdfs.stateDir);
  expect(await releasesOfEveryEnvironment(clients.hdfs, deployments)).toBeUndefined();
  expect(await releasesOfEveryEnvironment(clients.hdfs, deployments, posix.basename(plan.hdfs.stateDir))).toEqual([]);
  // The lock blob: the last locking run's record (the unchanged deploy: ensure of a running job only reads),
  // released, under the fence the state was last written with; no lease left.
  const lockBlob = container.getBlockBlobClient(`${plan.environment}/lock`);
  const record = parseLockRecord((await lockBlob.downloadToBuffer()).toString("utf8"));
  expect(record).toMatchObject({ released: true, mode: "deploy" });
  expect(record!.fence).toBeGreaterThanOrEqual(state!.lock!.fence);
  expect((await lockBlob.getProperties()).leaseState).not.toBe("leased");
  // Without the SAS the run refuses before it changes anything, naming the variable.
  await expect(run("ensure", {})).rejects.toThrow(/STATE_STORE_SAS_TOKEN/);
});

test("two deploys of a new version at once, locking on the blob lease: one replaces the job, the other waits and finds it unchanged", async () => {
  const v2Dir = join(services.work, "artifacts", "v2");
  const v2 = buildTestArtifact(v2Dir, { version: "v2" });
  const blobPlan = blobPlanOf(plan);
  const sas = containerSas();
  const env = { STATE_STORE_SAS_TOKEN: sas, EVENTHUBS_JOB_CONNECTION_STRING: connectionStrings.listen, EVENTHUBS_JOB_SEND_CONNECTION_STRING: connectionStrings.send };
  const lockRecord = async () => parseLockRecord((await deploymentsContainer().getBlockBlobClient(`${plan.environment}/lock`).downloadToBuffer()).toString("utf8"));
  const before = await lockRecord();
  const deployV2 = (owner: string) =>
    runFromEnvironment({ plan: { ...blobPlan, artifact: { ...blobPlan.artifact, hash: v2 } }, mode: "deploy", artifact: v2Dir, env, out: () => undefined, progress: { step: (step, detail) => void lines.push(`${owner} ${step}: ${detail}`) } });
  const results = await Promise.all([deployV2("A"), deployV2("B")]);
  const actions = results.map((r) => r!.action).sort();
  expect(actions).toEqual(["replaced", "unchanged"]);
  const alive = await direct.aliveBatches();
  expect(alive.map((b) => b.id)).toEqual([results.find((r) => r!.action === "replaced")!.batchId]);
  const after = await readStateFrom(new BlobStateStore(deploymentsContainer().getBlockBlobClient(`${plan.environment}/state`)));
  expect(after).toMatchObject({ current: { artifactHash: v2 }, previous: { artifactHash: hash } });
  // Each deploy took the lease in turn: two fences above the last one, and the state was written under the last.
  expect(await lockRecord()).toMatchObject({ released: true, fence: before!.fence + 2 });
  expect(after!.lock!.fence).toBeLessThanOrEqual(before!.fence + 2);
  expect(after!.lock!.fence).toBeGreaterThan(before!.fence);
  expect(lines.some((l) => /lock: .*held by|waiting/.test(l))).toBe(true);
});
