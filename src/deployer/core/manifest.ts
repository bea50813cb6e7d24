/** The deployer's reading of the artifact manifest (contracts/artifact-manifest.ts): its own checks on top of the schema. */
import { manifestHash, manifestSchema, sha256Hex, type Manifest, type ManifestFile } from "../../../contracts/artifact-manifest";
import { formatIssues } from "../../../contracts/schema-issues";
import { DeployError } from "./errors";

export { manifestHash, manifestSchema, type Manifest, type ManifestFile };
/** sha256 hex of the data. */
export const sha256 = sha256Hex;

/** Parses and checks a manifest: schema, sorted paths, a job.py and create_tables.py, and its own hash. */
export function parseManifest(json: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new DeployError(`${where}: manifest.json is not JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new DeployError(`${where}: invalid manifest.json: ${issues}`);
  }
  const manifest = parsed.data;
  const paths = manifest.files.map((f) => f.path);
  if (paths.some((p, i) => i > 0 && paths[i - 1]! >= p)) throw new DeployError(`${where}: manifest files must be sorted by path, without duplicates`);
  for (const required of ["job.py", "create_tables.py"]) {
    if (!manifest.files.some((f) => f.path === required && f.kind === "job")) {
      throw new DeployError(`${where}: manifest has no job file ${required}`);
    }
  }
  const expected = manifestHash(manifest.files);
  if (expected !== manifest.hash) {
    throw new DeployError(`${where}: manifest hash ${manifest.hash} does not match its files (computed ${expected}); refusing the artifact`);
  }
  return manifest;
}
