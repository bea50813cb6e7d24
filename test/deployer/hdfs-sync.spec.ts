/**
 * Artifact, config and JAAS sync against a real HDFS through the gateway stand-in, without any
 * deploy state: the `.sha256` sidecars alone decide what is skipped.
 */
import { SEED_FENCE } from "./support/seed-fence";
import { join } from "node:path";
import { loadArtifact } from "../../src/deployer/clients/artifact-source";
import { gatewayUrl } from "../../src/deployer/clients/gateway";
import { secretFingerprint, STATE_VERSION, STATE_XATTR, writeState, type DeployState, type Release } from "../../src/deployer/state/deploy-state";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { pruneDeployFiles } from "../../src/deployer/release/retention";
import { contentAddressed, jarPath, newCounters, pruneJaasFiles, syncArtifact, syncJaasFiles, syncJobConfig } from "../../src/deployer/release/hdfs-sync";
import { createDispatcher } from "../../src/deployer/core/http";
import { WebHdfsClient } from "../../src/deployer/clients/webhdfs-client";
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

test("uploads once, skips identical files by their .sha256, refuses a shared file whose content changed", async () => {
  const dir = join(services.work, "artifact");
  const hash = buildTestArtifact(dir, { version: "sync", jarPayloadBytes: 32 * 1024 });
  const artifact = await loadArtifact({ location: dir }, progress);

  // Every artifact file, plus manifest.json.
  const files = artifact.files.length;
  const first = newCounters();
  const records = await syncArtifact(hdfs, artifact, dirs, {}, first, progress);
  expect(first).toMatchObject({ uploadedFiles: files + 1, skippedFiles: 0, changedFiles: files });
  expect(Object.keys(records)).toHaveLength(files + 1);
  expect((await hdfs.open(`${dirs.jobRoot}/${hash}/job.py.sha256`))?.toString().trim()).toBe(artifact.files.find((f) => f.path === "job.py")!.sha256);

  services.knox.resetStats();
  const second = newCounters();
  await syncArtifact(hdfs, artifact, dirs, {}, second, progress);
  expect(second).toMatchObject({ uploadedFiles: 0, uploadedBytes: 0, skippedFiles: files + 1 });
  expect(services.knox.stats().uploadedBytes).toBe(0);

  // Someone overwrote the jar in HDFS with other bytes of the same length: the sidecar no longer matches it.
  const jar = artifact.files.find((f) => f.kind === "jar")!;
  // Jars are content-addressed: the name carries the content's sha256.
  const jarTarget = jarPath(dirs.jarsDir, jar);
  expect(jarTarget).toBe(`${dirs.jarsDir}/test-connector-1.0-${jar.sha256.slice(0, 16)}.jar`);
  await hdfs.create(jarTarget, Buffer.alloc(jar.size, 1));
  await hdfs.create(`${jarTarget}.sha256`, Buffer.from("0".repeat(64)));
  // A shared file is never rewritten (a running application may be localising it): the deploy stops, naming it.
  await expect(syncArtifact(hdfs, artifact, dirs, records, newCounters(), progress)).rejects.toThrow(`${jarTarget}: its content does not match its name`);
  expect((await hdfs.open(jarTarget))?.equals(Buffer.alloc(jar.size, 1))).toBe(true);
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

describe("retention of deploy files", () => {
  const root = "/apps/retention-check";
  const configDir = `${root}/config/test`;
  const plan = { hdfs: { jobRoot: root, configDir, stateDir: `${root}/deployments/test` } } as DeployPlanConfig;
  const hash = (i: number) => String(i).repeat(64).slice(0, 64);
  const config = (i: number) => `${configDir}/job-config-${String(i).repeat(16).slice(0, 16)}.json`;
  const release = (i: number, configPath = config(i)): Release => ({
    artifactHash: hash(i),
    digest: hash(i),
    request: { file: `hdfs://${root}/${hash(i)}/job.py`, name: "sensor-aggregation-test" },
    jaas: [],
    files: [{ path: configPath, sha256: hash(i) }],
    ddlDigest: hash(i),
    deployedAt: new Date(0).toISOString(),
  });
  const state = (current: Release, previous?: Release): DeployState => ({ version: STATE_VERSION, current, previous, batch: null, restarts: { count: 0 }, uploads: {} });
  const names = async (dir: string) => [...((await hdfs.listStatus(dir)) ?? new Map()).keys()].sort();

  beforeAll(async () => {
    // Nine artifact directories and job configs, oldest first (modification times increase).
    for (let i = 0; i < 9; i++) {
      await hdfs.create(`${root}/${hash(i)}/job.py`, Buffer.from(`v${i}\n`));
      await hdfs.create(config(i), Buffer.from(`{"v": ${i}}\n`));
      await hdfs.create(`${config(i)}.sha256`, Buffer.from("x\n"));
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const env of ["test", "other"]) await hdfs.mkdirs(`${root}/deployments/${env}`);
    // This environment runs the oldest two; another environment on the cluster runs the third.
    await writeState(hdfs, plan.hdfs.stateDir, state(release(0), release(1)), SEED_FENCE);
    await writeState(hdfs, `${root}/deployments/other`, state(release(2, "/apps/elsewhere/job-config-x.json")), SEED_FENCE);
  });

  test("keeps what any environment's live or previous release reads and the newest N others; deletes the rest", async () => {
    const pruned = await pruneDeployFiles(hdfs, plan, [release(0), release(1)], 2, progress);
    expect(await names(root)).toEqual([hash(0), hash(1), hash(2), hash(7), hash(8), "config", "deployments"].sort());
    const kept = [0, 1, 7, 8].map((i) => config(i).slice(configDir.length + 1));
    expect(await names(configDir)).toEqual(kept.flatMap((c) => [c, `${c}.sha256`]).sort());
    expect(pruned.artifactDirs).toHaveLength(4);
    expect(pruned.jobConfigs).toHaveLength(5);
    // Run again: nothing more to delete.
    expect(await pruneDeployFiles(hdfs, plan, [release(0), release(1)], 2, progress)).toEqual({ artifactDirs: [], jobConfigs: [] });
  });

  test("keeps every artifact directory when some environment's state cannot be read", async () => {
    await hdfs.create(`${root}/${hash(3)}/job.py`, Buffer.from("again\n"));
    await hdfs.mkdirs(`${root}/deployments/broken`);
    await hdfs.setXAttr(`${root}/deployments/broken`, STATE_XATTR, "{not json");
    const lines: string[] = [];
    const pruned = await pruneDeployFiles(hdfs, plan, [release(0), release(1)], 0, { step: (_s, d) => lines.push(d) });
    expect(pruned.artifactDirs).toEqual([]);
    expect(await names(root)).toContain(hash(3));
    expect(lines.join("\n")).toContain("cannot be read: keeping every artifact directory");
  });
});
