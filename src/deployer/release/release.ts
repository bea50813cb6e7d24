/**
 * A release: one exact Livy streaming request plus everything on HDFS it reads. A deploy builds
 * the desired release from the artifact and config; `ensure` and a restore re-submit a recorded
 * one after checking that its files are still on HDFS, unchanged.
 */
import { posix } from "node:path";
import type { LoadedArtifact } from "../clients/artifact-source";
import { jobModules, JOB_SCRIPTS } from "../../../contracts/artifact-manifest";
import { modulesOf, streamingRequest, type RequestInputs } from "./batch-requests";
import { releaseDigest, secretFingerprint, type NeededFile, type Release } from "../state/deploy-state";
import { DeployError } from "../core/errors";
import { jarPath, jobDir } from "./hdfs-sync";
import { sha256 } from "../core/manifest";
import type { DeployPlanConfig, JobConfig } from "../core/plan-config";
import type { Progress } from "../core/progress";
import type { WebHdfsClient } from "../clients/webhdfs-client";

export interface PlacedJaas {
  path: string;
  /** The file's exact content (a secret: only fingerprinted here). */
  content: string;
}

export function buildRelease(
  plan: DeployPlanConfig,
  artifact: LoadedArtifact,
  config: { path: string; sha256: string },
  jaas: readonly PlacedJaas[],
  now: Date,
): Release {
  const hash = artifact.manifest.hash;
  const jars = artifact.files.filter((f) => f.kind === "jar");
  const jarPaths = jars.map((f) => jarPath(plan.hdfs.jarsDir, f));
  const modules = jobModules(artifact.manifest.files);
  const request = streamingRequest(plan, { artifactHash: hash, configPath: config.path, jarPaths, modules });
  const jaasRecords = jaas.map((j) => ({ path: j.path, fingerprint: secretFingerprint(j.content) }));
  const shaOf = (path: string): string => artifact.files.find((f) => f.path === path)?.sha256 ?? "";
  // The job config goes last: configPathOf reads it from there.
  const files: NeededFile[] = [
    ...[JOB_SCRIPTS.streaming, ...modules].map((path) => ({ path: `${jobDir(plan.hdfs.jobRoot, hash)}/${path}`, sha256: shaOf(path) })),
    ...jars.map((f, i) => ({ path: jarPaths[i]!, sha256: f.sha256 })),
    { path: config.path, sha256: config.sha256 },
  ];
  return {
    artifactHash: hash,
    digest: releaseDigest(request, jaasRecords.map((j) => j.fingerprint)),
    request,
    jaas: jaasRecords,
    files,
    ddlDigest: ddlDigest(plan, [JOB_SCRIPTS.createTables, ...modules].map(shaOf)),
    deployedAt: now.toISOString(),
  };
}

/** HDFS path of the job config the release's request reads (the last of its files, as buildRelease lists them). */
export function configPathOf(release: Release): string {
  return release.files[release.files.length - 1]!.path;
}

/** What the release's other batches (table DDL, maintenance) are built from: its job directory, config and modules. */
export function releaseInputs(release: Release): Omit<RequestInputs, "jarPaths"> {
  return { artifactHash: release.artifactHash, configPath: configPathOf(release), modules: modulesOf(release.request) };
}

/** The job config a release runs with, as it is on HDFS (empty when the file is gone). */
export async function readJobConfig(hdfs: WebHdfsClient, release: Release): Promise<Partial<JobConfig>> {
  return JSON.parse((await hdfs.open(configPathOf(release)))?.toString("utf8") ?? "{}") as Partial<JobConfig>;
}

/** What the table DDL reads: its script and the modules it imports (the tables' columns among them), and the database and table names (not the JAAS paths or sizing). */
function ddlDigest(plan: DeployPlanConfig, codeShas: readonly string[]): string {
  const { database, data_table, rejected_table, stats_table } = plan.job;
  return sha256(JSON.stringify([...codeShas, database, data_table, rejected_table, stats_table]));
}

/**
 * Checks, before a re-submission, that every file the release reads is on HDFS with its recorded
 * content: each file's sha256 against its `.sha256` sidecar and the record, and each JAAS file
 * against its fingerprint. Fails once, naming everything missing or changed.
 */
export async function verifyReleaseFiles(hdfs: WebHdfsClient, release: Release, progress: Progress): Promise<void> {
  const problems: string[] = [];
  for (const file of release.files) {
    const sidecar = (await hdfs.open(`${file.path}.sha256`))?.toString("utf8").trim();
    const data = await hdfs.open(file.path);
    if (data === undefined) problems.push(`${file.path}: missing`);
    else if (sidecar === undefined) problems.push(`${file.path}.sha256: missing`);
    else if (sidecar !== file.sha256 || sha256(data) !== file.sha256) problems.push(`${file.path}: content changed (sha256 ${sha256(data)}, expected ${file.sha256})`);
  }
  for (const jaas of release.jaas) {
    const data = await hdfs.open(jaas.path);
    if (data === undefined) problems.push(`${jaas.path}: missing (JAAS file)`);
    else if (secretFingerprint(data.toString("utf8")) !== jaas.fingerprint) problems.push(`${jaas.path}: content changed (JAAS file)`);
  }
  if (problems.length > 0) {
    throw new DeployError(
      `cannot restart ${posix.basename(release.request.file)} of artifact ${release.artifactHash.slice(0, 12)}: its files on HDFS are not as deployed:\n` +
        `${problems.map((p) => `  - ${p}`).join("\n")}\nrun a deploy to put them back`,
    );
  }
  progress.step("verify", `${release.files.length} files and ${release.jaas.length} JAAS files of artifact ${release.artifactHash.slice(0, 12)} are on HDFS as deployed`);
}
