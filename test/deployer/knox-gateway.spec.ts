/**
 * The deployer through the real gateway: Apache Knox 2.0.0 (test/harness/knox/knox.py) in front of the real
 * HDFS and Livy, with basic auth from a local realm and TLS from the tests' CA, as on a BDC. What a stand-in
 * could only assume is checked here: Knox's WEBHDFS service passes the live state's extended attributes
 * (GETXATTRS/SETXATTR) and rewrites the two-step CREATE redirect; its LIVYSERVER service passes
 * X-Requested-By and the batch body (proxyUser); its RESOURCEMANAGER service maps the application-state PUT that
 * stops a driver Livy lost (to the YARN ResourceManager STAND-IN: no real RM knows the tests' local-mode drivers). Scenario: deploy → a failing version rolled back → ensure →
 * teardown. Faults (5xx, resets, slow answers) stay with the stand-in, which a real Knox cannot produce on demand.
 */
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { gatewayClients } from "../../src/deployer/clients/clients";
import { readState } from "../../src/deployer/state/deploy-state";
import { runTeardown } from "../../src/deployer/commands/teardown";
import { deployOnce, type RunCapture } from "./support/deploy-context";
import { livyDirect } from "./support/livy-direct";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact, fakeConnectionString } from "./support/test-artifact";
import { testPlan } from "./support/test-plan";

jest.setTimeout(300_000);

let services: DeployerServices;
const capture: RunCapture = { lines: [] };
const connectionStrings = { listen: fakeConnectionString(), send: fakeConnectionString("aggregation-job-send", "sensor-stats") };
const dirs = { v1: "", broken: "" };
const hashes = { v1: "", broken: "" };

const plan = (version: keyof typeof dirs) => testPlan(dirs[version], services.realKnox!.url, services.hdfs.rpc);
const deploy = (version: keyof typeof dirs, mode: "deploy" | "ensure" = "deploy") =>
  deployOnce(plan(version), dirs[version], connectionStrings, mode, capture, services.ca.caCertPath);

/** The live state, read through Knox (GETXATTRS). */
async function liveState() {
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    return await readState(clients.hdfs, plan("v1").hdfs.stateDir);
  } finally {
    await clients.close();
  }
}

beforeAll(async () => {
  services = await startDeployerServices({ livy: true, realKnox: true });
  for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = join(services.work, "artifacts", name);
  hashes.v1 = buildTestArtifact(dirs.v1, { version: "v1" });
  hashes.broken = buildTestArtifact(dirs.broken, { version: "broken", failOnStart: true });
});
afterAll(async () => {
  if (services?.livy) await livyDirect(services, plan("v1").batchName).deleteAll();
  await services?.stop();
});

test("the gateway is a real Knox process: its server jar runs, and a wrong password is refused", async () => {
  const processes = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n");
  const knox = processes.filter((line) => line.includes("org.apache.knox.gateway.GatewayServer") && line.includes("gateway-server-2.0.0.jar"));
  expect(knox.map((line) => Number(line.trim().split(/\s+/)[0]))).toContain(services.realKnox!.pid);
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: "not-the-password" }, services.ca.caCertPath);
  try {
    await expect(readState(clients.hdfs, plan("v1").hdfs.stateDir)).rejects.toThrow(/401/);
  } finally {
    await clients.close();
  }
});

test("first deploy through Knox: uploads over the rewritten redirects, live state as an xattr, DDL and the streaming batch run", async () => {
  const result = await deploy("v1");
  expect(result).toMatchObject({ action: "started", artifactHash: hashes.v1 });
  expect(result.uploadedFiles).toBeGreaterThan(0);
  await livyDirect(services, plan("v1").batchName).waitForLog(result.batchId!, "STREAMING job v1 started");
  const state = await liveState();
  expect(state?.current.artifactHash).toBe(hashes.v1);
  expect(state?.batch?.id).toBe(result.batchId);
  // Unchanged: nothing uploaded, nothing submitted.
  expect(await deploy("v1")).toMatchObject({ action: "unchanged", uploadedFiles: 0, submissions: 0 });
});

test("a version that fails to start is rolled back through Knox; ensure then finds the restored one alive", async () => {
  await expect(deploy("broken")).rejects.toThrow(`restored the previous artifact ${hashes.v1.slice(0, 12)}`);
  const state = await liveState();
  expect(state?.current.artifactHash).toBe(hashes.v1);
  const alive = await livyDirect(services, plan("v1").batchName).aliveBatches();
  expect(alive.map((b) => b.id)).toEqual([state!.batch!.id]);
  expect(await deploy("v1", "ensure")).toMatchObject({ action: "alive", batchId: state!.batch!.id, submissions: 0 });
});

test("Knox's RESOURCEMANAGER service passes the kill of a driver Livy lost: the application ends; an unknown one is a 404", async () => {
  const rm = services.realKnox!;
  const driver = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await new Promise((r) => driver.once("spawn", r));
  const ended = new Promise((r) => driver.once("exit", (_code, signal) => r(signal)));
  rm.resourceManager.register("application_1700000000000_0007", driver.pid!);
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    expect(await clients.yarn!.state("application_1700000000000_0007")).toBe("RUNNING");
    expect(await clients.yarn!.kill("application_1700000000000_0007")).toEqual({ outcome: "accepted", state: "RUNNING" });
    expect(await ended).toBe("SIGTERM");
    expect(await clients.yarn!.state("application_1700000000000_0007")).toBe("KILLED");
    expect(await clients.yarn!.kill("local-1700000000000")).toMatchObject({ outcome: "unavailable" });
  } finally {
    await clients.close();
    driver.kill("SIGKILL");
  }
  // Knox maps /gateway/default/resourcemanager/v1/... to the RM's /ws/v1/... and passes the PUT and its body.
  expect(rm.resourceManagerRequests).toContainEqual({ method: "PUT", url: expect.stringMatching(/^\/ws\/v1\/cluster\/apps\/application_1700000000000_0007\/state\/?(\?|$)/) });
});

test("teardown through Knox stops the batch and removes the state", async () => {
  const clients = gatewayClients(plan("v1"), { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, services.ca.caCertPath);
  try {
    const progress = { step: (step: string, detail: string) => capture.lines.push(`${step}: ${detail}`) };
    expect(await runTeardown({ plan: plan("v1"), hdfs: clients.hdfs, livy: clients.livy, progress }, { gatewayUser: GATEWAY_USER })).toMatchObject({ action: "torn-down" });
  } finally {
    await clients.close();
  }
  expect(await livyDirect(services, plan("v1").batchName).aliveBatches()).toEqual([]);
  expect(await liveState()).toBeUndefined();
});
