/**
 * The shared jar directory is create-only (issue 24 item 6), on a real HDFS through the gateway stand-in:
 * a jar that exists is verified and never rewritten, a missing sidecar is recomputed from the jar's bytes,
 * and environments uploading the same new jar at once end with one verified file that no one wrote over.
 */
import { join } from "node:path";
import { loadArtifact, type LoadedArtifact } from "../../src/deployer/clients/artifact-source";
import { gatewayUrl } from "../../src/deployer/clients/gateway";
import { jarPath, newCounters, syncArtifact } from "../../src/deployer/release/hdfs-sync";
import { STALE_TEMP_MS } from "../../src/deployer/release/create-only";
import { createDispatcher } from "../../src/deployer/core/http";
import { sha256 } from "../../src/deployer/core/manifest";
import { WebHdfsClient, type FileStatus } from "../../src/deployer/clients/webhdfs-client";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact } from "./support/test-artifact";

let services: DeployerServices;
let artifact: LoadedArtifact;
const closers: (() => Promise<void>)[] = [];
const progress = { step: () => undefined };

/** One independent deployer's HDFS client (its own connections), as another environment's run would have. */
function client(): WebHdfsClient {
  const dispatcher = createDispatcher({ caBundlePath: services.ca.caCertPath, retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 50 } });
  closers.push(() => dispatcher.close());
  return new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher });
}

let round = 0;
/** Fresh shared directories per test, so tests do not see each other's jars. */
function freshDirs(): { jarsDir: string; jobRoot: string } {
  round += 1;
  return { jarsDir: `/apps/jars-${round}`, jobRoot: `/apps/jobs-${round}` };
}

const jar = () => artifact.files.find((f) => f.kind === "jar")!;
/** A test's own client, fresh shared directories and the jar's final name in them. */
function setup(): { hdfs: WebHdfsClient; dirs: ReturnType<typeof freshDirs>; target: string } {
  const dirs = freshDirs();
  return { hdfs: client(), dirs, target: jarPath(dirs.jarsDir, jar()) };
}
const names = async (hdfs: WebHdfsClient, dir: string) => [...((await hdfs.listStatus(dir)) ?? new Map()).keys()].sort();
const temps = (list: string[]) => list.filter((n) => n.endsWith(".tmp"));
/** Data-step CREATEs the gateway saw whose target is the jar's final name (an in-place write if it existed). */
const createsOf = (target: string) =>
  services.knox.requests.filter((r) => r.method === "PUT" && /op=CREATE/.test(r.url) && decodeURIComponent(new URL(r.url, "https://gw").pathname).endsWith(target));

beforeAll(async () => {
  services = await startDeployerServices({ livy: false });
  const dir = join(services.work, "artifact");
  buildTestArtifact(dir, { version: "shared-jars", jarPayloadBytes: 64 * 1024, jarKind: "bytes" });
  artifact = await loadArtifact({ location: dir }, progress);
});

afterAll(async () => {
  for (const close of closers) await close();
  await services?.stop();
});

test("a jar present without its .sha256 is verified from its bytes and kept; the sidecar is recomputed", async () => {
  const { hdfs, dirs, target } = setup();
  await hdfs.mkdirs(dirs.jarsDir);
  await hdfs.create(target, jar().data, { overwrite: false });
  const before = (await hdfs.getFileStatus(target))!;
  await new Promise((r) => setTimeout(r, 50));
  services.knox.requests.length = 0;

  await syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress);

  const after = (await hdfs.getFileStatus(target))!;
  expect({ fileId: after.fileId, modificationTime: after.modificationTime }).toEqual({ fileId: before.fileId, modificationTime: before.modificationTime });
  expect(createsOf(target)).toEqual([]);
  expect((await hdfs.open(`${target}.sha256`))?.toString().trim()).toBe(jar().sha256);
  expect(temps(await names(hdfs, dirs.jarsDir))).toEqual([]);
});

test("a jar whose bytes do not match its name is an error naming it, and it is left as it is", async () => {
  const { hdfs, dirs, target } = setup();
  const other = Buffer.alloc(jar().size, 1);
  await hdfs.mkdirs(dirs.jarsDir);
  await hdfs.create(target, other, { overwrite: false });
  const before = (await hdfs.getFileStatus(target))!;

  await expect(syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress)).rejects.toThrow(
    new RegExp(`${target}: its content does not match its name \\(sha256 ${sha256(other)}, expected ${jar().sha256}\\).*never overwritten`),
  );
  const after = (await hdfs.getFileStatus(target))!;
  expect(after.fileId).toBe(before.fileId);
  expect((await hdfs.open(target))?.equals(other)).toBe(true);
  expect(await names(hdfs, dirs.jarsDir)).toEqual([target.slice(dirs.jarsDir.length + 1)]);
});

test("a right jar beside a wrong .sha256 is an error naming the sidecar; neither is rewritten", async () => {
  const { hdfs, dirs, target } = setup();
  await hdfs.mkdirs(dirs.jarsDir);
  await hdfs.create(target, jar().data, { overwrite: false });
  await hdfs.create(`${target}.sha256`, Buffer.from(`${"0".repeat(64)}\n`), { overwrite: false });
  const before = [(await hdfs.getFileStatus(target))!.fileId, (await hdfs.getFileStatus(`${target}.sha256`))!.fileId];

  await expect(syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress)).rejects.toThrow(`delete ${target}.sha256 and deploy again`);
  expect([(await hdfs.getFileStatus(target))!.fileId, (await hdfs.getFileStatus(`${target}.sha256`))!.fileId]).toEqual(before);
  expect((await hdfs.open(`${target}.sha256`))?.toString().trim()).toBe("0".repeat(64));
});

test.each([2, 3])("%i environments uploading the same new jar at once end with one verified file, written once", async (n) => {
  const dirs = freshDirs();
  const target = jarPath(dirs.jarsDir, jar());
  const watcher = client();
  // Watch the final name through the race: once it exists, it must stay the same file (one fileId, one mtime).
  const seen = new Map<number | undefined, number>();
  let racing = true;
  const watch = (async () => {
    while (racing) {
      const st: FileStatus | undefined = await watcher.getFileStatus(target);
      if (st) seen.set(st.fileId, st.modificationTime);
    }
  })();
  services.knox.requests.length = 0;

  const runs = await Promise.allSettled(Array.from({ length: n }, () => syncArtifact(client(), artifact, dirs, {}, newCounters(), progress)));
  racing = false;
  await watch;

  expect(runs.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(Array(n).fill("ok"));
  const final = (await watcher.getFileStatus(target))!;
  expect([...seen.entries()]).toEqual([[final.fileId, final.modificationTime]]);
  expect((await watcher.open(target))?.equals(jar().data)).toBe(true);
  expect((await watcher.open(`${target}.sha256`))?.toString().trim()).toBe(jar().sha256);
  expect([...createsOf(target), ...createsOf(`${target}.sha256`)]).toEqual([]);
  expect(temps(await names(watcher, dirs.jarsDir))).toEqual([]);
  expect(temps(await names(watcher, `${dirs.jobRoot}/${artifact.manifest.hash}`))).toEqual([]);
});

test("a RENAME whose answer is lost is resolved by reading the destination back", async () => {
  const { hdfs, dirs, target } = setup();
  services.knox.inject({ kind: "lose-response" }, 1, (method, url) => method === "PUT" && url.includes("op=RENAME"));

  await syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress);
  services.knox.clearFaults();

  expect((await hdfs.open(target))?.equals(jar().data)).toBe(true);
  expect((await hdfs.open(`${target}.sha256`))?.toString().trim()).toBe(jar().sha256);
  expect(temps(await names(hdfs, dirs.jarsDir))).toEqual([]);
});

test("a temporary's CREATE whose answer is lost fails the run without a leftover; the next run places the jar", async () => {
  const { hdfs, dirs, target } = setup();
  services.knox.inject({ kind: "lose-response" }, 1, (method, url) => method === "PUT" && url.includes("/webhdfs/data/v1") && url.includes(".tmp"));

  await expect(syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress)).rejects.toThrow(/WebHDFS CREATE, data step/);
  services.knox.clearFaults();
  expect(await names(hdfs, dirs.jarsDir)).toEqual([]);

  await syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress);
  expect((await hdfs.open(target))?.equals(jar().data)).toBe(true);
  expect(temps(await names(hdfs, dirs.jarsDir))).toEqual([]);
});

test("a temporary left by a killed upload does not stop the next sync; one older than an hour is removed", async () => {
  const { hdfs, dirs, target } = setup();
  const name = target.slice(dirs.jarsDir.length + 1);
  const old = `${dirs.jarsDir}/.${name}.0123456789abcdef.tmp`;
  const young = `${dirs.jarsDir}/.${name}.fedcba9876543210.tmp`;
  await hdfs.mkdirs(dirs.jarsDir);
  // A partial upload each: one from a run killed two hours ago, one from a run that may still be uploading.
  await hdfs.create(old, jar().data.subarray(0, 100), { overwrite: false });
  await hdfs.create(young, jar().data.subarray(0, 100), { overwrite: false });
  await setModificationTime(old, Date.now() - STALE_TEMP_MS - 60 * 60 * 1000);

  await syncArtifact(hdfs, artifact, dirs, {}, newCounters(), progress);

  expect((await hdfs.open(target))?.equals(jar().data)).toBe(true);
  expect(temps(await names(hdfs, dirs.jarsDir))).toEqual([young.slice(dirs.jarsDir.length + 1)]);
});

/** WebHDFS SETTIMES straight at the NameNode: test setup only (the deployer never backdates files). */
async function setModificationTime(path: string, ms: number): Promise<void> {
  const url = `${services.hdfs.webhdfs}/webhdfs/v1${path}?op=SETTIMES&modificationtime=${ms}&user.name=${GATEWAY_USER}`;
  const res = await fetch(url, { method: "PUT" });
  if (res.status !== 200) throw new Error(`SETTIMES ${path}: ${res.status} ${await res.text()}`);
}
