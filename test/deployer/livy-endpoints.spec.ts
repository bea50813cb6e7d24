/**
 * One Livy client over every target's batch API (livy-endpoint.ts, issue 25): the BDC's Knox gateway (stand-in),
 * HDInsight's `/livy` and a Synapse Spark pool (stand-ins built from their REST docs, in front of the real Livy),
 * and a plain Apache Livy with no gateway. Each submits a real batch that spark-submit runs on this machine, and
 * finds, lists, watches, reads the log of and stops it through its own URL shape and auth.
 */
import type { TokenCredential } from "@azure/identity";
import { gatewayUrl } from "../../src/deployer/clients/gateway";
import { ALIVE_STATES, LivyClient, type BatchState } from "../../src/deployer/clients/livy-client";
import { hdinsightLivy, knoxLivy, plainLivy, synapseLivy, type LivyEndpoint } from "../../src/deployer/clients/livy-endpoint";
import { WebHdfsClient } from "../../src/deployer/clients/webhdfs-client";
import { answerMayBeLost, HttpStatusError, NotSentError } from "../../src/deployer/core/errors";
import { createDispatcher } from "../../src/deployer/core/http";
import { startHdinsightStandIn, startSynapseStandIn, type CloudLivyStandIn } from "../harness/cloud-livy/cloud-livy-standin";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";

jest.setTimeout(300_000);

const SCRIPT = "/apps/livy-endpoints/shape.py";
const TOKEN = "synapse-test-token";
const CLUSTER_LOGIN = { username: "admin", password: "cluster-login-password" };

let services: DeployerServices;
let synapse: CloudLivyStandIn;
let hdinsight: CloudLivyStandIn;
let dispatcher: ReturnType<typeof createDispatcher>;

/** The stand-in listens on loopback; a real token goes only to a Synapse host. */
const LOOPBACK = { anyHost: true };
const token = (value: string): TokenCredential => ({ getToken: async () => ({ token: value, expiresOnTimestamp: Date.now() + 3_600_000 }) });

beforeAll(async () => {
  services = await startDeployerServices({ livy: true });
  dispatcher = createDispatcher({ caBundlePath: services.ca.caCertPath, retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 100 } });
  const tls = { certPath: services.ca.certPath, keyPath: services.ca.keyPath };
  synapse = await startSynapseStandIn({ livyUrl: services.livy!.url, pool: "sensorpool", token: TOKEN, tls });
  hdinsight = await startHdinsightStandIn({ livyUrl: services.livy!.url, ...CLUSTER_LOGIN, tls });
  const hdfs = new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher });
  // No SparkSession: what is checked is the batch API, and spark-submit runs the script either way.
  await hdfs.mkdirs("/apps/livy-endpoints");
  await hdfs.create(SCRIPT, Buffer.from('import sys\nprint("SHAPE %s ran" % sys.argv[1], flush=True)\n'));
});

afterAll(async () => {
  await synapse?.stop();
  await hdinsight?.stop();
  await dispatcher?.close();
  await services?.stop();
});

const endpoints: Record<string, () => LivyEndpoint> = {
  "bdc (Knox)": () => knoxLivy({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher }),
  hdinsight: () => hdinsightLivy(new URL(hdinsight.url), CLUSTER_LOGIN, dispatcher),
  synapse: () => synapseLivy(new URL(synapse.url), "sensorpool", token(TOKEN), dispatcher, LOOPBACK),
  "plain Livy": () => plainLivy(new URL(services.livy!.url), undefined, dispatcher),
};

test.each(Object.keys(endpoints))("%s: a submitted batch runs on the real Livy, and is found, listed, watched, logged and stopped", async (kind) => {
  const livy = new LivyClient(endpoints[kind]!());
  const name = `shape-${kind.replace(/\W+/g, "-")}-${Date.now()}`;
  const created = await livy.createBatch({ file: `${services.hdfs.rpc}${SCRIPT}`, name, args: [kind] });
  expect(await livy.findBatch(created.id)).toMatchObject({ id: created.id, name });
  expect((await livy.listBatchesStable()).filter((b) => b.name === name).map((b) => b.id)).toEqual([created.id]);
  let state: BatchState = await livy.getState(created.id);
  for (const until = Date.now() + 120_000; ALIVE_STATES.has(state) && Date.now() < until; state = await livy.getState(created.id)) await new Promise((r) => setTimeout(r, 500));
  expect({ state, log: state === "success" ? [] : await livy.getLogTail(created.id, 30) }).toEqual({ state: "success", log: [] });
  expect((await livy.getLogTail(created.id, 200)).join("\n")).toContain(`SHAPE ${kind} ran`);
  await livy.deleteBatch(created.id);
  expect(await livy.findBatch(created.id)).toBeUndefined();
});

test("Synapse is only asked for what its API has (no /state, no /log), and both front doors accepted every call", () => {
  expect(synapse.requests.length).toBeGreaterThan(0);
  expect(synapse.requests.filter((r) => /\/(state|log)(\?|$)/.test(r.url))).toEqual([]);
  // The one refusal each saw is the find after the stop: Livy no longer has the batch.
  const refused = (s: CloudLivyStandIn) => s.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.status} ${r.url.replace(/\d+$/, "<id>")}`);
  expect(refused(synapse)).toEqual(["GET 404 /livyApi/versions/2020-12-01/sparkPools/sensorpool/batches/<id>"]);
  expect(refused(hdinsight)).toEqual(["GET 404 /livy/batches/<id>"]);
});

test("a wrong token or cluster login is refused at the front door and submits nothing", async () => {
  const before = (await new LivyClient(endpoints["plain Livy"]!()).listBatches()).length;
  const wrongToken = new LivyClient(synapseLivy(new URL(synapse.url), "sensorpool", token("stolen"), dispatcher, LOOPBACK));
  await expect(wrongToken.createBatch({ file: `${services.hdfs.rpc}${SCRIPT}`, name: "refused", args: ["x"] })).rejects.toMatchObject({ status: 401 });
  const wrongLogin = new LivyClient(hdinsightLivy(new URL(hdinsight.url), { username: "admin", password: "wrong" }, dispatcher));
  await expect(wrongLogin.createBatch({ file: `${services.hdfs.rpc}${SCRIPT}`, name: "refused", args: ["x"] })).rejects.toBeInstanceOf(HttpStatusError);
  expect((await new LivyClient(endpoints["plain Livy"]!()).listBatches()).length).toBe(before);
});

test("no token, or a failing identity, fails before anything is sent, as a NotSentError (never read back as a lost answer)", async () => {
  const failing: TokenCredential = { getToken: async () => Promise.reject(new Error("AADSTS700024: client assertion is not within its valid time range")) };
  const before = synapse.requests.length;
  for (const credential of [failing, { getToken: async () => null } as TokenCredential]) {
    const error = await new LivyClient(synapseLivy(new URL(synapse.url), "sensorpool", credential, dispatcher, LOOPBACK)).createBatch({ file: "x", name: "never" }).catch((err: Error) => err);
    expect(error).toBeInstanceOf(NotSentError);
    expect(answerMayBeLost(error)).toBe(false);
  }
  expect(synapse.requests.length).toBe(before);
});

test("a Synapse token goes only to a workspace development endpoint", () => {
  expect(() => synapseLivy(new URL("https://evil.example"), "sensorpool", token(TOKEN), dispatcher)).toThrow(/not a workspace development endpoint/);
  expect(synapseLivy(new URL("https://myws.dev.azuresynapse.net"), "sensorpool", token(TOKEN), dispatcher).base.href).toBe("https://myws.dev.azuresynapse.net/livyApi/versions/2020-12-01/sparkPools/sensorpool");
  expect(() => synapseLivy(new URL("https://myws.dev.azuresynapse.net"), "1pool", token(TOKEN), dispatcher)).toThrow(/a letter, then/);
});

test("basic auth and tokens never cross plain HTTP", () => {
  expect(() => hdinsightLivy(new URL("http://cluster.example"), CLUSTER_LOGIN, dispatcher)).toThrow(/must use https/);
  expect(() => synapseLivy(new URL("http://ws.example"), "sensorpool", token(TOKEN), dispatcher)).toThrow(/must use https/);
  expect(() => plainLivy(new URL("http://livy.example:8998"), CLUSTER_LOGIN, dispatcher)).toThrow(/must use https/);
});
