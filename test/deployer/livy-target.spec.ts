/**
 * The reconciler on a plain Hadoop target (issue 25 `livy`): a real Apache Livy and a real NameNode reached
 * directly, with no gateway in front (simple auth as the target's user). The plan names the target
 * (contracts/deploy-target.ts) and the clients are built from it (clients.ts), as the deployer's entry point
 * does: the same deploy, unchanged redeploy and ensure as on a BDC, with a real PySpark streaming batch.
 */
import { join } from "node:path";
import { gatewayClients, needsGatewayCredentials, platformUser, type GatewayClients } from "../../src/deployer/clients/clients";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { deployPlanSchema } from "../../contracts/deploy-plan";
import { runDeploy } from "../../src/deployer/commands/deploy";
import { runEnsure } from "../../src/deployer/commands/ensure";
import type { GatewayContext } from "../../src/deployer/reconcile/context";
import { readState } from "../../src/deployer/state/deploy-state";
import { livyDirect, type LivyDirect } from "./support/livy-direct";
import { GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
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
  services = await startDeployerServices({ livy: true });
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
