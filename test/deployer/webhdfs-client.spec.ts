/**
 * WebHDFS client against a real HDFS (MiniDFSCluster, permissions on) through the Knox gateway
 * stand-in over HTTPS: operations, permissions, overwrite, retries, refused redirects and CAs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gatewayUrl } from "../../src/deployer/clients/gateway";
import { createDispatcher } from "../../src/deployer/core/http";
import { WebHdfsClient } from "../../src/deployer/clients/webhdfs-client";
import { namenodeWebHdfs } from "../../src/deployer/clients/webhdfs-endpoint";
import { probeLease } from "../../src/deployer/state/driver-lease";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";

let services: DeployerServices;
const dispatchers: { close(): Promise<void> }[] = [];

/** A client trusting `caBundlePath` (null: only the system's default CAs). */
function client(caBundlePath: string | null = services.ca.caCertPath, maxRetries = 3): WebHdfsClient {
  const dispatcher = createDispatcher({ caBundlePath: caBundlePath ?? undefined, retry: { maxRetries, minTimeoutMs: 20, maxTimeoutMs: 100 } });
  dispatchers.push(dispatcher);
  return new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher });
}

/** Reads a file straight from the NameNode as another user: what a different BDC user would get. */
async function readAsOtherUser(path: string): Promise<number> {
  const res = await fetch(`${services.hdfs.webhdfs}/webhdfs/v1${path}?op=OPEN&user.name=intruder`, { redirect: "manual" });
  return res.status;
}

beforeAll(async () => {
  services = await startDeployerServices({ livy: false });
});

afterEach(() => services.knox.clearFaults());

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await services?.stop();
});

test("mkdirs, two-step create, open, status, list, overwrite and delete round-trip through the gateway", async () => {
  const hdfs = client();
  await hdfs.mkdirs("/apps/roundtrip");
  expect(await hdfs.create("/apps/roundtrip/a.txt", Buffer.from("first"))).toBe(5);
  expect((await hdfs.open("/apps/roundtrip/a.txt"))?.toString()).toBe("first");
  const status = await hdfs.getFileStatus("/apps/roundtrip/a.txt");
  expect(status).toMatchObject({ type: "FILE", length: 5, owner: GATEWAY_USER, permission: "644" });

  await hdfs.create("/apps/roundtrip/a.txt", Buffer.from("second, longer"));
  expect((await hdfs.open("/apps/roundtrip/a.txt"))?.toString()).toBe("second, longer");
  expect([...(await hdfs.listStatus("/apps/roundtrip"))!.keys()]).toEqual(["a.txt"]);

  expect(await hdfs.delete("/apps/roundtrip", true)).toBe(true);
  expect(await hdfs.getFileStatus("/apps/roundtrip/a.txt")).toBeUndefined();
  expect(await hdfs.open("/apps/roundtrip/a.txt")).toBeUndefined();
  expect(await hdfs.listStatus("/apps/roundtrip")).toBeUndefined();

  // The data leg went through the gateway: the DataNode's address never reached the client.
  const dataLegs = services.knox.requests.filter((r) => r.service === "webhdfs-data");
  expect(dataLegs.length).toBeGreaterThanOrEqual(4);
});

test("a file deleted between OPEN's two steps reads as missing, as does one deleted before (a holder re-creating its lease file)", async () => {
  const hdfs = client();
  await hdfs.mkdirs("/apps/vanishing");
  await hdfs.create("/apps/vanishing/lease", Buffer.from("record\n"));
  const deleteAtNameNode = async () => {
    const res = await fetch(`${services.hdfs.webhdfs}/webhdfs/v1/apps/vanishing/lease?op=DELETE&user.name=${GATEWAY_USER}`, { method: "DELETE" });
    expect(res.status).toBe(200);
  };
  // The NameNode redirects while the file exists; it is gone when the data step reaches the DataNode.
  services.knox.inject({ kind: "before", action: deleteAtNameNode }, 1, (m, url) => m === "GET" && url.startsWith("/gateway/default/webhdfs/data/") && url.includes("/apps/vanishing/lease?"));
  expect(await hdfs.open("/apps/vanishing/lease")).toBeUndefined();
  expect(services.knox.requests.filter((r) => r.service === "webhdfs-data" && r.method === "GET" && r.url.includes("/apps/vanishing/lease")).map((r) => r.status)).toEqual([404]);
  expect(await hdfs.open("/apps/vanishing/lease")).toBeUndefined();
  // A 404 that is not the DataNode's "file not found" (a gateway that cannot route the data step) is an error, not "missing".
  await hdfs.create("/apps/vanishing/lease", Buffer.from("record\n"));
  services.knox.inject({ kind: "status", status: 404 }, 1, (m, url) => m === "GET" && url.startsWith("/gateway/default/webhdfs/data/") && url.includes("/apps/vanishing/lease?"));
  await expect(hdfs.open("/apps/vanishing/lease")).rejects.toThrow(/data step\) failed with HTTP 404: stand-in fault 404/);
});

test("a file created with mode 600 is never readable by another user; setPermission changes it", async () => {
  const hdfs = client();
  await hdfs.mkdirs("/user/deployer/secret", "700");
  await hdfs.create("/user/deployer/secret/jaas.conf", Buffer.from("s3cret"), { permission: "600" });
  expect((await hdfs.getFileStatus("/user/deployer/secret/jaas.conf"))?.permission).toBe("600");
  expect(await readAsOtherUser("/user/deployer/secret/jaas.conf")).toBe(403);

  await hdfs.create("/apps/open.txt", Buffer.from("x"));
  expect(await readAsOtherUser("/apps/open.txt")).toBe(307);
  await hdfs.setPermission("/apps/open.txt", "600");
  expect((await hdfs.getFileStatus("/apps/open.txt"))?.permission).toBe("600");
  expect(await readAsOtherUser("/apps/open.txt")).toBe(403);
});

test("extended attributes hold the deploy state", async () => {
  const hdfs = client();
  await hdfs.mkdirs("/apps/state");
  expect(await hdfs.getXAttr("/apps/state", "user.sensor-deployer.state")).toBeUndefined();
  await hdfs.setXAttr("/apps/state", "user.sensor-deployer.state", '{"v":1}');
  await hdfs.setXAttr("/apps/state", "user.sensor-deployer.state", '{"v":2,"ü":"ok"}');
  expect(await hdfs.getXAttr("/apps/state", "user.sensor-deployer.state")).toBe('{"v":2,"ü":"ok"}');
  expect(await hdfs.getXAttr("/apps/missing", "user.sensor-deployer.state")).toBeUndefined();
});

test("5xx and connection resets are retried with backoff, then succeed", async () => {
  const hdfs = client();
  services.knox.resetStats();
  services.knox.inject({ kind: "status", status: 503 }, 2);
  services.knox.inject({ kind: "reset" }, 1);
  await hdfs.mkdirs("/apps/retried");
  // 2× 503 + 1 reset + the successful call.
  expect(services.knox.stats().calls).toBe(4);
  expect((await hdfs.getFileStatus("/apps/retried"))?.type).toBe("DIRECTORY");
});

test("a gateway that keeps failing gives a clear error after the bounded retries", async () => {
  const hdfs = client(services.ca.caCertPath, 2);
  services.knox.resetStats();
  services.knox.inject({ kind: "status", status: 502 }, 100);
  await expect(hdfs.getFileStatus("/apps")).rejects.toThrow("GET /apps (WebHDFS GETFILESTATUS) failed with HTTP 502: still failing after retries");
  expect(services.knox.stats().calls).toBe(3);

  services.knox.clearFaults();
  services.knox.resetStats();
  services.knox.inject({ kind: "reset" }, 100);
  await expect(hdfs.getFileStatus("/apps")).rejects.toThrow(/GET \/apps \(WebHDFS GETFILESTATUS\) failed: (ECONNRESET|UND_ERR_SOCKET)/);
  expect(services.knox.stats().calls).toBe(3);
});

test("a client error is not retried and names method, path and status", async () => {
  const hdfs = client();
  services.knox.resetStats();
  await hdfs.create("/apps/file-not-dir", Buffer.from("x"));
  await expect(hdfs.mkdirs("/apps/file-not-dir/sub")).rejects.toThrow(/PUT \/apps\/file-not-dir\/sub \(WebHDFS MKDIRS\) failed with HTTP (403|400|500)/);
});

test("a redirect that leaves the gateway's host and port is refused and gets no credentials", async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const elsewhere = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(201).end();
  });
  await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
  const port = (elsewhere.address() as AddressInfo).port;
  try {
    services.knox.inject({ kind: "redirect-elsewhere", location: `http://127.0.0.1:${port}/webhdfs/v1/x?op=CREATE` }, 1);
    await expect(client().create("/apps/redirected.txt", Buffer.from("data"))).rejects.toThrow(
      `refused redirect to http://127.0.0.1:${port}, which is not the gateway 127.0.0.1:${services.knox.port}`,
    );
    expect(seen).toHaveLength(0);
  } finally {
    await new Promise((r) => elsewhere.close(r));
  }
});

test("a gateway certificate from another CA is refused, as is the default trust store", async () => {
  services.knox.resetStats();
  await expect(client(services.otherCa.caCertPath).getFileStatus("/apps")).rejects.toThrow(/TLS certificate not trusted/);
  await expect(client(null).getFileStatus("/apps")).rejects.toThrow(/TLS certificate not trusted/);
  // Refused during the handshake: no request reached the gateway, and TLS errors are not retried.
  expect(services.knox.stats().calls).toBe(0);
});

test("wrong gateway credentials fail at once with HTTP 401, without retries", async () => {
  const dispatcher = createDispatcher({ caBundlePath: services.ca.caCertPath, retry: { maxRetries: 3, minTimeoutMs: 20, maxTimeoutMs: 100 } });
  dispatchers.push(dispatcher);
  const hdfs = new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: "wrong-password" }, dispatcher });
  services.knox.resetStats();
  await expect(hdfs.getFileStatus("/apps")).rejects.toThrow("GET /apps (WebHDFS GETFILESTATUS) failed with HTTP 401");
  expect(services.knox.stats().calls).toBe(1);
});

test("straight to the NameNode (a plain Hadoop cluster, no gateway): the same operations as the user named, data steps at the DataNode", async () => {
  const dispatcher = createDispatcher({ retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 100 } });
  dispatchers.push(dispatcher);
  const hdfs = new WebHdfsClient(namenodeWebHdfs(new URL(services.hdfs.webhdfs), GATEWAY_USER, dispatcher));
  services.knox.resetStats();
  await hdfs.mkdirs("/apps/direct");
  expect(await hdfs.create("/apps/direct/a.txt", Buffer.from("direct"), { permission: "600" })).toBe(6);
  expect((await hdfs.open("/apps/direct/a.txt"))?.toString()).toBe("direct");
  expect(await hdfs.getFileStatus("/apps/direct/a.txt")).toMatchObject({ owner: GATEWAY_USER, permission: "600", length: 6 });
  expect(await hdfs.createXAttr("/apps/direct", "user.test.direct", "v1")).toBe(true);
  expect(await hdfs.createXAttr("/apps/direct", "user.test.direct", "v2")).toBe(false);
  expect(await hdfs.getXAttr("/apps/direct", "user.test.direct")).toBe("v1");
  expect(await hdfs.appendNothing("/apps/direct/a.txt")).toEqual({ outcome: "appended" });
  expect(await probeLease(hdfs, "/apps/direct/no-checkpoint")).toEqual({ held: false, path: "/apps/direct/no-checkpoint/_driver.lease" });
  expect(await hdfs.serverDate("/apps/direct")).toEqual(expect.any(Number));
  expect(await hdfs.delete("/apps/direct", true)).toBe(true);
  expect(await hdfs.open("/apps/direct/a.txt")).toBeUndefined();
  expect(services.knox.stats().calls).toBe(0); // nothing went through the gateway
});
