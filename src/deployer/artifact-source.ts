/**
 * Reads the job artifact from a local directory or an HTTPS base URL (Azure Blob storage with a
 * SAS appended as the query string) and refuses any file whose sha256 or size differs from the
 * manifest. The SAS never appears in a message: files are named by their artifact path.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Dispatcher } from "undici";
import { DeployError } from "./errors";
import { send } from "./http";
import { parseManifest, sha256, type Manifest, type ManifestFile } from "./manifest";
import { formatBytes, type Progress } from "./progress";

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

export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

export async function loadArtifact(source: ArtifactLocation, progress: Progress, expectedHash?: string): Promise<LoadedArtifact> {
  const read = isRemote(source.location) ? remoteReader(source) : localReader(source.location);
  const where = isRemote(source.location) ? withoutQuery(source.location) : source.location;
  const manifestJson = await read("manifest.json");
  const manifest = parseManifest(manifestJson.toString("utf8"), where);
  if (expectedHash !== undefined && manifest.hash !== expectedHash) {
    throw new DeployError(`${where}: artifact hash ${manifest.hash} is not the planned ${expectedHash}; refusing the artifact`);
  }
  progress.step("artifact", `${manifest.name} ${manifest.hash.slice(0, 12)} from ${where}: ${manifest.files.length} files`);
  const files: ArtifactFileData[] = [];
  for (const file of manifest.files) {
    const data = await read(file.path);
    const actual = sha256(data);
    if (actual !== file.sha256 || data.length !== file.size) {
      throw new DeployError(
        `${where}: ${file.path} does not match manifest.json (sha256 ${actual}, ${data.length} bytes; ` +
          `expected ${file.sha256}, ${file.size} bytes); refusing the artifact`,
      );
    }
    progress.step("artifact", `verified ${file.path} (${formatBytes(data.length)})`);
    files.push({ ...file, data });
  }
  return { manifest, manifestJson, files };
}

function localReader(dir: string): (path: string) => Promise<Buffer> {
  return async (path) => {
    try {
      return await readFile(join(dir, path));
    } catch (err) {
      throw new DeployError(`artifact ${dir}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
}

function remoteReader(source: ArtifactLocation): (path: string) => Promise<Buffer> {
  if (!source.dispatcher) throw new DeployError("internal: HTTPS artifact without a dispatcher");
  const dispatcher = source.dispatcher;
  const base = source.location.endsWith("/") ? source.location : `${source.location}/`;
  const sas = (source.sasToken ?? "").replace(/^\?/, "");
  return async (path) => {
    const url = new URL(path.split("/").map(encodeURIComponent).join("/"), base);
    if (sas) url.search = sas;
    const label = `${withoutQuery(base)}${path}`;
    const res = await send(dispatcher, { method: "GET", url, label });
    if (res.status !== 200) {
      const hint = res.status === 403 ? " (is ARTIFACT_SAS_TOKEN valid and unexpired?)" : "";
      throw new DeployError(`GET ${label} failed with HTTP ${res.status}${hint}`);
    }
    return res.body;
  };
}

function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = "";
  return u.toString();
}
