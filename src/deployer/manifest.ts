/** The job artifact's manifest (docs/interfaces.md §2): schema, and the hash any reader can recompute. */
import { createHash } from "node:crypto";
// zod/mini keeps the in-cluster bundle small (the classic build adds ~400 KB).
import * as z from "zod/mini";
import { DeployError } from "./errors";
import { formatIssues } from "./schema-issues";

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, { error: "a lower-case sha256 hex digest" }));
// Relative, no `..`, no leading slash: a manifest must not be able to name a file outside its artifact.
const relativePath = z.string().check(z.regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\-/]+$/, { error: "a relative path without '..'" }));

export const manifestSchema = z.object({
  name: z.string().check(z.minLength(1)),
  hash: sha256Hex,
  sparkVersion: z.string().check(z.minLength(1)),
  scalaVersion: z.string().check(z.minLength(1)),
  files: z
    .array(
      z.object({
        path: relativePath,
        sha256: sha256Hex,
        size: z.int().check(z.nonnegative()),
        kind: z.enum(["job", "jar"], { error: "job or jar" }),
      }),
    )
    .check(z.minLength(1, { error: "at least one file" })),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];

/** sha256 of the `sha256sum` lines `<sha256>  <path>\n` of the files, in manifest order. */
export function manifestHash(files: readonly Pick<ManifestFile, "path" | "sha256">[]): string {
  const lines = files.map((f) => `${f.sha256}  ${f.path}\n`).join("");
  return createHash("sha256").update(lines).digest("hex");
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

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
