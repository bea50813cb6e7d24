/**
 * Artifact, config and JAAS sync against a real HDFS through the gateway stand-in, without any
 * deploy state: the `.sha256` sidecars alone decide what is skipped.
 */
import { join } from "node:path";
import { loadArtifact } from "../../src/deployer/artifact-source";
import { gatewayUrl } from "../../src/deployer/gateway";
import { secretFingerprint } from "../../src/deployer/deploy-state";
import { contentAddressed, jarPath, newCounters, pruneJaasFiles, syncArtifact, syncJaasFiles, syncJobConfig } from "../../src/deployer/hdfs-sync";
import { createDispatcher } from "../../src/deployer/http";
import { WebHdfsClient } from "../../src/deployer/webhdfs-client";
import { GATEWAY_PASSWORD, GATEWAY_USER, startDeployerServices, type DeployerServices } from "./support/services";
import { buildTestArtifact } from "./support/test-artifact";

let services: DeployerServices;
let hdfs: WebHdfsClient;
let close: () => Promise<void>;
const progress = { step: () => undefined };
const dirs = { jarsDir: "/apps/jars", jobRoot: "/apps/ETL-Pipelines/sensor-aggregation" };

beforeAll(async () => {
  services = await startDeployerServices({ livy: false });
  const dispatcher = createDispatcher({ caBundlePath: services.ca.caCertPath, retry: { maxRetries: 2, minTimeoutMs: 20, maxTimeoutMs: 50 } });
  close = () => dispatcher.close();
  hdfs = new WebHdfsClient({ url: gatewayUrl(services.knox.url), credentials: { username: GATEWAY_USER, password: GATEWAY_PASSWORD }, dispatcher });
});

afterAll(async () => {
  await close?.();
  await services?.stop();
});

test("uploads once, skips identical files by their .sha256, re-uploads a file whose content changed", async () => {
  const dir = join(services.work, "artifact");
  const hash = buildTestArtifact(dir, { version: "sync", jarPayloadBytes: 32 * 1024 });
  const artifact = await loadArtifact({ location: dir }, progress);

  const first = newCounters();
  const records = await syncArtifact(hdfs, artifact, dirs, {}, first, progress);
  expect(first).toMatchObject({ uploadedFiles: 6, skippedFiles: 0, changedFiles: 5 });
  expect(Object.keys(records)).toHaveLength(6);
  expect((await hdfs.open(`${dirs.jobRoot}/${hash}/job.py.sha256`))?.toString().trim()).toBe(artifact.files.find((f) => f.path === "job.py")!.sha256);

  services.knox.resetStats();
  const second = newCounters();
  await syncArtifact(hdfs, artifact, dirs, {}, second, progress);
  expect(second).toMatchObject({ uploadedFiles: 0, uploadedBytes: 0, skippedFiles: 6 });
  expect(services.knox.stats().uploadedBytes).toBe(0);

  // Someone overwrote the jar in HDFS with other bytes of the same length: the sidecar no longer matches it.
  const jar = artifact.files.find((f) => f.kind === "jar")!;
  // Jars are content-addressed: the name carries the content's sha256.
  const jarTarget = jarPath(dirs.jarsDir, jar);
  expect(jarTarget).toBe(`${dirs.jarsDir}/test-connector-1.0-${jar.sha256.slice(0, 16)}.jar`);
  await hdfs.create(jarTarget, Buffer.alloc(jar.size, 1));
  await hdfs.create(`${jarTarget}.sha256`, Buffer.from("0".repeat(64)));
  const third = newCounters();
  await syncArtifact(hdfs, artifact, dirs, records, third, progress);
  expect(third).toMatchObject({ uploadedFiles: 1, skippedFiles: 5 });
  expect((await hdfs.open(jarTarget))?.equals(jar.data)).toBe(true);
});

test("the job config is content-addressed; the JAAS file is created 600, skipped when equal, replaced when rotated", async () => {
  const counters = newCounters();
  const a = await syncJobConfig(hdfs, "/apps/cfg/test", { database: "a" }, counters, progress);
  const again = await syncJobConfig(hdfs, "/apps/cfg/test", { database: "a" }, counters, progress);
  const b = await syncJobConfig(hdfs, "/apps/cfg/test", { database: "b" }, counters, progress);
  expect([a.written, again.written, b.written]).toEqual([true, false, true]);
  expect(again.path).toBe(a.path);
  expect(b.path).not.toBe(a.path);

  const dir = `/user/${GATEWAY_USER}/.sensor-aggregation/test`;
  const named = (stem: string, line: string) => contentAddressed(`${dir}/${stem}.conf`, secretFingerprint(`${line}\n`));
  const sync = async (line: string) =>
    (await syncJaasFiles(hdfs, [{ path: named("jaas", line), content: `${line}\n` }, { path: named("jaas-output", `${line}-send`), content: `${line}-send\n` }], counters, progress)).written;
  expect(await sync("line-one")).toBe(2);
  expect(await sync("line-one")).toBe(0);
  const path = named("jaas", "line-one");
  await hdfs.setPermission(path, "644");
  expect(await sync("line-one")).toBe(0);
  expect((await hdfs.getFileStatus(path))?.permission).toBe("600");
  expect((await hdfs.getFileStatus(named("jaas-output", "line-one-send")))?.permission).toBe("600");
  // A rotation writes new files beside the old ones (a kept release may still read those) ...
  expect(await sync("line-two")).toBe(2);
  expect((await hdfs.open(named("jaas", "line-two")))?.toString()).toBe("line-two\n");
  expect((await hdfs.getFileStatus(named("jaas", "line-two")))?.permission).toBe("600");
  expect((await hdfs.open(path))?.toString()).toBe("line-one\n");
  // ... and pruning removes the ones no kept release reads.
  await pruneJaasFiles(hdfs, dir, new Set([named("jaas", "line-two"), named("jaas-output", "line-two-send")]), progress);
  expect([...((await hdfs.listStatus(dir)) ?? new Map()).keys()].sort()).toEqual([named("jaas", "line-two"), named("jaas-output", "line-two-send")].map((p) => p.slice(dir.length + 1)).sort());
  expect((await hdfs.getFileStatus(`/user/${GATEWAY_USER}/.sensor-aggregation/test`))?.permission).toBe("700");
});
