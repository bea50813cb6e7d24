/**
 * What the deployer last put live, kept as an HDFS extended attribute on the environment's state
 * directory: one GETXATTRS answers "is this artifact already running?" without reading files.
 */
import * as z from "zod/mini";
import type { WebHdfsClient } from "./webhdfs-client";

const STATE_XATTR = "user.sensor-deployer.state";

const specSchema = z.object({
  artifactHash: z.string(),
  /** HDFS path of the job config the batch was started with (content-addressed name). */
  configPath: z.string(),
  /** Jar file names under the jars directory. */
  jars: z.array(z.string()),
  /** sha256 over create_tables.py, tables.sql and the config path: the table DDL reruns only when it changes. */
  ddlDigest: z.string(),
});
const fileRecordSchema = z.object({ sha256: z.string(), length: z.number(), modificationTime: z.number() });
const stateSchema = z.object({
  current: specSchema,
  /** What ran before `current`, for restoring it when a new version fails to start. */
  previous: z.optional(specSchema),
  batchId: z.nullable(z.number()),
  /** Uploaded files by HDFS path, as last seen: unchanged length + mtime + sha256 means no re-check. */
  files: z.record(z.string(), fileRecordSchema),
});

export type BatchSpec = z.infer<typeof specSchema>;
export type FileRecord = z.infer<typeof fileRecordSchema>;
export type DeployState = z.infer<typeof stateSchema>;

export async function readState(hdfs: WebHdfsClient, stateDir: string): Promise<DeployState | undefined> {
  const raw = await hdfs.getXAttr(stateDir, STATE_XATTR);
  if (raw === undefined) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(raw));
  // An unreadable state is treated as none: the deploy then re-checks every file and replaces the batch.
  return parsed.success ? parsed.data : undefined;
}

export async function writeState(hdfs: WebHdfsClient, stateDir: string, state: DeployState): Promise<void> {
  await hdfs.mkdirs(stateDir, "755");
  await hdfs.setXAttr(stateDir, STATE_XATTR, JSON.stringify(state));
}

export function sameSpec(a: BatchSpec | undefined, b: BatchSpec | undefined): boolean {
  return a !== undefined && b !== undefined && a.artifactHash === b.artifactHash && a.configPath === b.configPath;
}
