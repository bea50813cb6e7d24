/**
 * Reads the job artifact from a local directory or an HTTPS base URL (Azure Blob storage with a
 * SAS appended as the query string) and refuses any file whose sha256 or size differs from the
 * manifest. The SAS never appears in a message: files are named by their artifact path.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { Dispatcher } from "undici";
import { DeployError } from "../core/errors";
import { send } from "../core/http";
import { parseManifest, sha256, type Manifest, type ManifestFile } from "../core/manifest";
import { formatBytes, type Progress } from "../core/progress";

export interface ArtifactFileData extends ManifestFile {
  data: Buffer;
}

export interface LoadedArtifact {
  manifest: Manifest;
  /** manifest.json exactly as read (it is uploaded last, as the job directory's completion marker). */
  manifestJson: Buffer;
  files: ArtifactFileData[];
}

export interface ArtifactLocation {
  /** A local directory, or an `https://` base URL under which `<path>` names each file. */
  readonly location: string;
  /** SAS query string for an HTTPS location (from ARTIFACT_SAS_TOKEN), with or without a leading `?`. */
  readonly sasToken?: string;
  /** Dispatcher for HTTPS downloads (TLS + retries). */
  readonly dispatcher?: Dispatcher;
}

/** manifest.json is a few KiB; anything far larger is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * True for an `https://` base URL. A plain `http://` one is refused: the SAS token would cross the
 * network in clear.
 */
export function isRemote(location: string): boolean {
  if (/^http:\/\//i.test(location)) throw new DeployError(`artifact URL ${withoutQuery(location)} must use https:// (the SAS token would be sent in clear)`);
  return /^https:\/\//i.test(location);
}

/** Reads one artifact file, refusing it unless it has exactly `size` bytes; the path is relative to the artifact. */
type Reader = (path: string, size: number) => Promise<Buffer>;

export async function loadArtifact(source: ArtifactLocation, progress: Progress, expectedHash?: string): Promise<LoadedArtifact> {
  const remote = isRemote(source.location);
  const read = remote ? remoteReader(source) : await localReader(source.location);
  const where = remote ? withoutQuery(source.location) : source.location;
  const manifestJson = await read("manifest.json", -MAX_MANIFEST_BYTES);
  const manifest = parseManifest(manifestJson.toString("utf8"), where);
  if (expectedHash !== undefined && manifest.hash !== expectedHash) {
    throw new DeployError(`${where}: artifact hash ${manifest.hash} is not the planned ${expectedHash}; refusing the artifact`);
  }
  progress.step("artifact", `${manifest.name} ${manifest.hash.slice(0, 12)} from ${where}: ${manifest.files.length} files`);
  const files: ArtifactFileData[] = [];
  for (const file of manifest.files) {
    const data = await read(file.path, file.size);
    const actual = sha256(data);
    if (actual !== file.sha256) {
      throw new DeployError(
        `${where}: ${file.path} does not match manifest.json (sha256 ${actual}; expected ${file.sha256}); refusing the artifact`,
      );
    }
    progress.step("artifact", `verified ${file.path} (${formatBytes(data.length)})`);
    files.push({ ...file, data });
  }
  return { manifest, manifestJson, files };
}

/**
 * A reader confined to the artifact directory: each path's real path (symlinks resolved) must lie
 * inside the directory's real path, and its size is checked with stat before a byte is read.
 * `size` < 0 means "at most -size bytes" (manifest.json, whose size nothing declares).
 */
async function localReader(dir: string): Promise<Reader> {
  const fail = (path: string, why: string) => new DeployError(`artifact ${dir}: ${path}: ${why}; refusing the artifact`);
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    throw new DeployError(`artifact ${dir}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return async (path, size) => {
    let real: string;
    try {
      real = await realpath(join(root, path));
    } catch (err) {
      throw new DeployError(`artifact ${dir}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!real.startsWith(root + sep)) throw fail(path, `resolves to ${real}, outside the artifact directory`);
    const st = await stat(real);
    if (!st.isFile()) throw fail(path, "not a regular file");
    if (size >= 0 ? st.size !== size : st.size > -size) throw fail(path, `${st.size} bytes on disk, ${size >= 0 ? `manifest.json declares ${size}` : `at most ${-size} expected`}`);
    return readStreamed(real);
  };
}

async function readStreamed(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function remoteReader(source: ArtifactLocation): Reader {
  if (!source.dispatcher) throw new DeployError("internal: HTTPS artifact without a dispatcher");
  const dispatcher = source.dispatcher;
  const base = source.location.endsWith("/") ? source.location : `${source.location}/`;
  const sas = (source.sasToken ?? "").replace(/^\?/, "");
  return async (path, size) => {
    const url = new URL(path.split("/").map(encodeURIComponent).join("/"), base);
    if (sas) url.search = sas;
    const label = `${withoutQuery(base)}${path}`;
    const res = await send(dispatcher, { method: "GET", url, label, idempotent: true, maxBodyBytes: Math.abs(size) });
    if (res.status !== 200) {
      const hint = res.status === 403 ? " (is ARTIFACT_SAS_TOKEN valid and unexpired?)" : "";
      throw new DeployError(`GET ${label} failed with HTTP ${res.status}${hint}`);
    }
    if (size >= 0 && res.body.length !== size) throw new DeployError(`GET ${label}: ${res.body.length} bytes, manifest.json declares ${size}; refusing the artifact`);
    return res.body;
  };
}

function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = "";
  return u.toString();
}
