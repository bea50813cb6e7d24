// Checks a built job artifact directory against its manifest.json (docs/interfaces.md §2), so a
// pipeline deploys exactly the artifact that was built and tested, byte for byte.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { manifestHash, manifestSchema, type Manifest } from "../../../contracts/artifact-manifest";
import { formatIssues } from "../../../contracts/schema-issues";

export type ArtifactManifest = Manifest;

/** The outcome of checking one artifact directory. */
export interface ArtifactCheck {
  dir: string;
  /** Hash recorded in manifest.json (undefined when the manifest itself is unreadable). */
  hash?: string;
  /** Every mismatch found; empty means the directory is exactly what the manifest describes. */
  problems: string[];
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** Every file below dir, as forward-slash paths relative to dir. */
function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

/** The artifact hash rule of §2 (contracts/artifact-manifest.ts). */
export const artifactHash = manifestHash;

export async function checkArtifactDir(dir: string): Promise<ArtifactCheck> {
  const manifestFile = path.join(dir, "manifest.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch (err) {
    return { dir, problems: [`cannot read ${manifestFile}: ${(err as Error).message}`] };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    return { dir, problems: formatIssues(parsed.error.issues).split("; ").map((i) => `manifest.json: ${i}`) };
  }
  const m = parsed.data;
  const problems: string[] = [];
  const recomputed = artifactHash(m.files);
  if (recomputed !== m.hash) problems.push(`manifest hash ${m.hash} does not match its file list (${recomputed})`);
  for (const f of m.files) {
    const file = path.join(dir, f.path);
    if (!existsSync(file)) {
      problems.push(`${f.path}: listed in the manifest but missing`);
      continue;
    }
    const size = statSync(file).size;
    if (size !== f.size) problems.push(`${f.path}: size ${size}, manifest says ${f.size}`);
    const sha = await sha256File(file);
    if (sha !== f.sha256) problems.push(`${f.path}: sha256 ${sha}, manifest says ${f.sha256}`);
  }
  const listed = new Set(m.files.map((f) => f.path));
  for (const rel of listFiles(dir)) {
    if (rel !== "manifest.json" && !listed.has(rel)) problems.push(`${rel}: present but not in the manifest`);
  }
  return { dir, hash: m.hash, problems };
}

/** Artifact directories (those holding a manifest.json) directly under root, sorted by name. */
export function findArtifactDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(root, e.name, "manifest.json")))
    .map((e) => path.join(root, e.name))
    .sort();
}
