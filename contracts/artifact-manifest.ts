/**
 * The job artifact's manifest (docs/interfaces.md §2), the one definition: its schema, its file kinds and the
 * hash any reader can recompute. The build writes it (jobs/sensor_aggregation/build), the stacks name the
 * artifact by its hash, the deployer refuses an artifact that does not match it, and CI verifies a built
 * directory against it. Pure: no I/O. zod/mini keeps the in-cluster deployer bundle small.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";

/** `job` files go to the release's own HDFS directory, `jar` files to the shared jar directory. */
export const FILE_KINDS = ["job", "jar"] as const;
export type FileKind = (typeof FILE_KINDS)[number];

const sha256Digest = z.string().check(z.regex(/^[0-9a-f]{64}$/, { error: "a lower-case sha256 hex digest" }));
// Relative, no `..`, no leading slash: a manifest must not be able to name a file outside its artifact.
const relativePath = z.string().check(z.regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\-/]+$/, { error: "a relative path without '..'" }));

export const manifestSchema = z.object({
  name: z.string().check(z.minLength(1)),
  /** sha256 of the `sha256sum` lines `<sha256>  <path>\n` of `files`, sorted by path (manifestHash). */
  hash: sha256Digest,
  sparkVersion: z.string().check(z.minLength(1)),
  scalaVersion: z.string().check(z.minLength(1)),
  /** Sorted by `path`. */
  files: z
    .array(
      z.object({
        path: relativePath,
        sha256: sha256Digest,
        size: z.int().check(z.nonnegative()),
        kind: z.enum(FILE_KINDS, { error: "job or jar" }),
      }),
    )
    .check(z.minLength(1, { error: "at least one file" })),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function comparePaths(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The artifact hash: sha256 of `sha256sum`-format lines, files sorted by path. */
export function manifestHash(files: readonly Pick<ManifestFile, "path" | "sha256">[]): string {
  return sha256Hex([...files].sort(comparePaths).map((f) => `${f.sha256}  ${f.path}\n`).join(""));
}

/** The job's entry scripts: each is a Livy batch's `file`. */
export const JOB_SCRIPTS = { streaming: "job.py", createTables: "create_tables.py", maintenance: "maintenance.py" } as const;

/**
 * The Python modules the entry scripts import (e.g. job_config.py): every `.py` job file that is not an entry
 * script. A batch ships them as Livy `pyFiles`, because on a cluster its `file` is fetched alone.
 */
export function jobModules(files: readonly Pick<ManifestFile, "path" | "kind">[]): string[] {
  const scripts: readonly string[] = Object.values(JOB_SCRIPTS);
  return files.filter((f) => f.kind === "job" && f.path.endsWith(".py") && !scripts.includes(f.path)).map((f) => f.path);
}
