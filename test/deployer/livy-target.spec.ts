/**
 * The reconciler on a plain Hadoop target (issue 25 `livy`): a real Apache Livy and a real NameNode reached
 * directly, with no gateway in front (plainLivy, namenodeWebHdfs; simple auth as the job's user). The same
 * deploy, unchanged redeploy and ensure as on a BDC, end to end with a real PySpark streaming batch.
 */
import { join } from "node:path";
import { LivyClient } from "../../src/deployer/clients/livy-client";
import { plainLivy } from "../../src/deployer/clients/livy-endpoint";
import { WebHdfsClient } from "../../src/deployer/clients/webhdfs-client";
import { namenodeWebHdfs } from "../../src/deployer/clients/webhdfs-endpoint";
import { runDeploy } from "../../src/deployer/commands/deploy";
import { runEnsure } from "../../src/deployer/commands/ensure";
import { createDispatcher } from "../../src/deployer/core/http";
import type { GatewayContext } from "../../src/deployer/reconcile/context";
import { readState } from "../../src/deployer/state/deploy-state";
import { livyDirect, type LivyDirect } from "./support/livy-direct";
import { GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
let direct: LivyDirect;
let dispatcher: ReturnType<typeof createDispatcher>;
let artifactDir: string;
let hash: string;
const lines: string[] = [];
const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };

function context(): GatewayContext {
  return {
    plan: testPlan(artifactDir, services.knox.url, services.hdfs.rpc),
    hdfs: new WebHdfsClient(namenodeWebHdfs(new URL(services.hdfs.webhdfs), GATEWAY_USER, dispatcher)),
    livy: new LivyClient(plainLivy(new URL(services.livy!.url), undefined, dispatcher)),
    progress: { step: (step: string, detail: string) => void lines.push(`${step}: ${detail}`) },
  };
}

const deploy = () =>
  runDeploy({ ...context(), artifact: { location: artifactDir }, gatewayUser: GATEWAY_USER, eventHubsConnectionString: connectionStrings.listen, eventHubsSendConnectionString: connectionStrings.send });

beforeAll(async () => {
  services = await startDeployerServices({ livy: true });
  direct = livyDirect(services, "sensor-aggregation-test");
  dispatcher = createDispatcher({ retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 100 } });
  artifactDir = join(services.work, "artifacts", "v1");
  hash = buildTestArtifact(artifactDir, { version: "v1" });
});

afterAll(async () => {
  if (services?.livy) await direct.deleteAll();
  await dispatcher?.close();
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
