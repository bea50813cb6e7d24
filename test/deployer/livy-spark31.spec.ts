/**
 * Livy parity with BDC CU13+: the harness's real Livy 0.7.1 submits the streaming batch to the Spark 3.1 lane
 * (PySpark 3.1.3, Python 3.8, Java 11), behind the gateway stand-in. One deploy scenario: submit → running (the
 * driver says which Spark, Python and Java it runs on) → stop (teardown leaves no batch alive).
 */
import { join } from "node:path";
import { gatewayClients } from "../../src/deployer/clients/clients";
import { runTeardown } from "../../src/deployer/commands/teardown";
import { deployOnce, type RunCapture } from "./support/deploy-context";
import { livyDirect } from "./support/livy-direct";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
const capture: RunCapture = { lines: [] };

beforeAll(async () => {
  services = await startDeployerServices({ livy: true, sparkLane: "3.1" });
});
afterAll(async () => {
  if (services?.livy) await livyDirect(services, "sensor-aggregation-test").deleteAll();
  await services?.stop();
});

test("deploy submits the streaming batch to Spark 3.1 on Python 3.8 and Java 11, it runs, and teardown stops it", async () => {
  const dir = join(services.work, "artifact");
  buildTestArtifact(dir, { version: "v1" });
  const plan = testPlan(dir, services.knox.url, services.hdfs.rpc);
  const direct = livyDirect(services, plan.batchName);
  const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };

  const result = await deployOnce(plan, dir, connectionStrings, "deploy", capture, services.ca.caCertPath);
  expect(result).toMatchObject({ action: "started" });
  const log = await direct.waitForLog(result.batchId!, "STREAMING job v1 runs on Spark");
  const runsOn = log.find((line) => line.includes("STREAMING job v1 runs on Spark"))!;
  expect(runsOn).toMatch(/runs on Spark 3\.1\.\d+, Python 3\.8\.\d+, Java 11\.0\.\d+/);
  expect(await direct.aliveBatches()).toEqual([{ id: result.batchId, state: "running" }].map((b) => expect.objectContaining(b)));

  const clients = gatewayClients(plan, { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    const progress = { step: (step: string, detail: string) => capture.lines.push(`${step}: ${detail}`) };
    expect(await runTeardown({ plan, hdfs: clients.hdfs, livy: clients.livy, progress }, { gatewayUser: GATEWAY_USER })).toMatchObject({ action: "torn-down" });
  } finally {
    await clients.close();
  }
  expect(await direct.aliveBatches()).toEqual([]);
});
