/**
 * Puts the artifact, the job config and the JAAS file into HDFS, uploading only what differs.
 * Each uploaded file gets a `<file>.sha256` beside it (WebHDFS's checksum is an MD5-of-CRCs, not a
 * file hash), so a later deploy can tell "same content" without downloading the file.
 * Artifact files and job configs are content-addressed and written create-only (create-only.ts):
 * the jars directory and the artifact directories are shared by every environment, without a lock.
 */
import { posix } from "node:path";
import type { ArtifactFileData, LoadedArtifact } from "../clients/artifact-source";
import { placeContentAddressed, removeStaleTemps } from "./create-only";
import type { FileRecord } from "../state/deploy-state";
import { sha256 } from "../core/manifest";
import { formatBytes, type Progress } from "../core/progress";
import type { FileStatus, WebHdfsClient } from "../clients/webhdfs-client";

export interface UploadCounters {
  /** Files written (each with its .sha256), including job files copied into a new job directory. */
  uploadedFiles: number;
  /** Bytes sent to HDFS, sidecars included. */
  uploadedBytes: number;
  skippedFiles: number;
  /** Artifact files whose content the last deploy did not have (manifest.json not counted). */
  changedFiles: number;
}

export function newCounters(): UploadCounters {
  return { uploadedFiles: 0, uploadedBytes: 0, skippedFiles: 0, changedFiles: 0 };
}

interface Placed {
  target: string;
  sha256: string;
  data: Buffer;
  /** The job directory's completion marker (manifest.json), not an artifact file. */
  marker?: boolean;
}

export function jobDir(jobRoot: string, hash: string): string {
  return `${jobRoot}/${hash}`;
}

/**
 * A name that carries (a prefix of) its content's sha256 before the extension: `a.jar` → `a-<16 hex>.jar`.
 * A file at such a path is never rewritten with other content, so nothing running reads a file that changes.
 */
export function contentAddressed(path: string, sha: string): string {
  const dot = path.lastIndexOf(".");
  const slash = path.lastIndexOf("/");
  const [stem, ext] = dot > slash ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
  return `${stem}-${sha.slice(0, 16)}${ext}`;
}

/** HDFS path of an artifact jar: content-addressed in the shared jars directory. */
export function jarPath(jarsDir: string, file: { path: string; sha256: string }): string {
  return contentAddressed(`${jarsDir}/${posix.basename(file.path)}`, file.sha256);
}

/** Where each artifact file goes: jars content-addressed into the jars dir, job files into the job dir. */
export function placements(artifact: LoadedArtifact, jarsDir: string, jobRoot: string): { dir: string; files: Placed[] }[] {
  const jobs = jobDir(jobRoot, artifact.manifest.hash);
  const place = (f: ArtifactFileData, dir: string): Placed => ({ target: `${dir}/${posix.basename(f.path)}`, sha256: f.sha256, data: f.data });
  const jarFiles = artifact.files.filter((f) => f.kind === "jar").map((f) => ({ target: jarPath(jarsDir, f), sha256: f.sha256, data: f.data }));
  const jobFiles = artifact.files.filter((f) => f.kind === "job").map((f) => ({ ...place(f, jobs), target: `${jobs}/${f.path}` }));
  // manifest.json goes last: its presence marks a complete job directory.
  jobFiles.push({ target: `${jobs}/manifest.json`, sha256: sha256(artifact.manifestJson), data: artifact.manifestJson, marker: true });
  return [
    { dir: jarsDir, files: jarFiles },
    { dir: jobs, files: jobFiles },
  ];
}

/**
 * Places what is missing (create-only: an existing file is verified, never rewritten); returns a record
 * of every placed file (for the next deploy's fast check).
 */
export async function syncArtifact(
  hdfs: WebHdfsClient,
  artifact: LoadedArtifact,
  dirs: { jarsDir: string; jobRoot: string },
  known: Readonly<Record<string, FileRecord>>,
  counters: UploadCounters,
  progress: Progress,
): Promise<Record<string, FileRecord>> {
  const records: Record<string, FileRecord> = {};
  const knownContent = new Set(Object.values(known).map((r) => r.sha256));
  for (const group of placements(artifact, dirs.jarsDir, dirs.jobRoot)) {
    let listing = await hdfs.listStatus(group.dir);
    if (listing === undefined) {
      await hdfs.mkdirs(group.dir, "755");
      listing = new Map();
    }
    for (const stale of await removeStaleTemps(hdfs, group.dir, listing)) progress.step("upload", `removed ${stale} (left by an upload killed over an hour ago)`);
    let uploaded = false;
    for (const file of group.files) {
      const status = listing.get(posix.basename(file.target));
      const record = known[file.target];
      // The state's record still matches what is listed: verified by an earlier run, no call.
      if (status && record && record.sha256 === file.sha256 && record.length === status.length && record.modificationTime === status.modificationTime) {
        counters.skippedFiles += 1;
        progress.step("upload", `unchanged ${file.target}`);
        continue;
      }
      if (status === undefined) progress.step("upload", `${file.target} (${formatBytes(file.data.length)})`);
      const placed = await placeContentAddressed(hdfs, file, listing);
      counters.uploadedBytes += placed.sentBytes;
      if (!placed.created) {
        counters.skippedFiles += 1;
        progress.step("upload", `unchanged ${file.target} (verified${status === undefined ? ", another run created it first" : ""})`);
      } else {
        counters.uploadedFiles += 1;
        if (!file.marker && !knownContent.has(file.sha256)) counters.changedFiles += 1;
      }
      uploaded ||= placed.sentBytes > 0;
    }
    if (uploaded) listing = (await hdfs.listStatus(group.dir)) ?? new Map();
    for (const file of group.files) {
      const st = listing.get(posix.basename(file.target));
      if (st) records[file.target] = { sha256: file.sha256, length: st.length, modificationTime: st.modificationTime };
    }
  }
  return records;
}

/** Writes the non-secret job config under a content-addressed name, with its .sha256 sidecar. */
export async function syncJobConfig(
  hdfs: WebHdfsClient,
  configDir: string,
  config: object,
  counters: UploadCounters,
  progress: Progress,
): Promise<{ path: string; sha256: string; written: boolean }> {
  const data = Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
  const sha = sha256(data);
  const path = `${configDir}/job-config-${sha.slice(0, 16)}.json`;
  const listing = await hdfs.listStatus(configDir);
  const name = posix.basename(path);
  if (listing?.get(name)?.length === data.length && listing.has(`${name}.sha256`)) {
    progress.step("config", `unchanged ${path}`);
    return { path, sha256: sha, written: false };
  }
  if (listing === undefined) await hdfs.mkdirs(configDir, "755");
  // Content-addressed like the jars: a config a running release reads is verified, never rewritten.
  const placed = await placeContentAddressed(hdfs, { target: path, sha256: sha, data }, listing ?? new Map());
  counters.uploadedBytes += placed.sentBytes;
  if (placed.created) counters.uploadedFiles += 1;
  const why = listing?.has(name) ? "its .sha256 recomputed" : "another run wrote it first";
  progress.step("config", placed.created ? `wrote ${path} (${formatBytes(data.length)})` : `verified ${path} (${why})`);
  return { path, sha256: sha, written: placed.created };
}

export interface JaasFile {
  /** Absolute HDFS path (content-addressed: see contentAddressed). */
  path: string;
  /** The file's exact content, the JAAS line and its newline (a secret: written only into the file). */
  content: string;
}

/**
 * Writes each JAAS line to its file, created with mode 600 from the start (never briefly readable),
 * in a 700 directory (listed once for files sharing it). A file of the same name and length is the
 * same content (the name carries a fingerprint of it), so it is not read back; a wider mode is
 * fixed. Returns how many files were written.
 */
export async function syncJaasFiles(
  hdfs: WebHdfsClient,
  files: readonly JaasFile[],
  counters: UploadCounters,
  progress: Progress,
): Promise<{ written: number }> {
  const listings = new Map<string, Map<string, FileStatus> | undefined>();
  let written = 0;
  for (const file of files) {
    const data = Buffer.from(file.content);
    const dir = posix.dirname(file.path);
    if (!listings.has(dir)) listings.set(dir, await hdfs.listStatus(dir));
    const listing = listings.get(dir);
    const status = listing?.get(posix.basename(file.path));
    if (status && status.length === data.length) {
      if (status.permission !== "600") {
        await hdfs.setPermission(file.path, "600");
        progress.step("secret", `restricted ${file.path} to mode 600 (was ${status.permission})`);
      } else {
        progress.step("secret", `unchanged ${file.path} (mode 600)`);
      }
      continue;
    }
    if (listing === undefined) {
      await hdfs.mkdirs(dir, "700");
      listings.set(dir, new Map());
    }
    counters.uploadedBytes += await hdfs.create(file.path, data, { permission: "600", overwrite: true });
    counters.uploadedFiles += 1;
    const after = await hdfs.getFileStatus(file.path);
    if (after?.permission !== "600") await hdfs.setPermission(file.path, "600");
    progress.step("secret", `wrote the Event Hubs JAAS file ${file.path} (mode 600)`);
    written += 1;
  }
  return { written };
}

/**
 * Deletes the JAAS files in `dir` that no kept release reads: secrets of rotated-away keys do not
 * stay on HDFS longer than the release that used them. Only names shaped like ours are touched.
 */
export async function pruneJaasFiles(hdfs: WebHdfsClient, dir: string, keep: ReadonlySet<string>, progress: Progress): Promise<void> {
  const listing = await hdfs.listStatus(dir);
  for (const name of listing?.keys() ?? []) {
    const path = `${dir}/${name}`;
    if (!/^jaas(-output)?-[0-9a-f]{16}\.conf$/.test(name) || keep.has(path)) continue;
    await hdfs.delete(path);
    progress.step("secret", `removed ${path} (no kept release reads it)`);
  }
}
