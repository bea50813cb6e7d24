/**
 * Create-only placement of content-addressed files in directories that other runs share (the jars in
 * /apps/jars, the artifact directories): no lock covers them, and YARN refuses to localise a file that
 * changed under a running application, so a file at its final name is never written in place.
 *
 * A file is uploaded to a temporary name of its own in the same directory, its length checked, and
 * RENAMEd to the final name; the NameNode's rename is atomic and refuses an existing destination, so
 * when runs race exactly one creates the file and the others verify it and delete their temporary.
 * An existing file is verified (its `.sha256` sidecar, or its bytes read back) and never rewritten.
 *
 * Requests, per http.ts's rule (retried only when idempotent, or made so by reading back):
 * - CREATE of a temporary (overwrite=false): sent once; the name is random and ours, a lost answer fails the
 *   run and the temporary is swept later (removeStaleTemps);
 * - RENAME: sent once; a false or lost answer is resolved by reading the destination back (verifyExisting);
 * - GETFILESTATUS, OPEN, LISTSTATUS, DELETE of our own or a stale temporary: idempotent.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { DeployError } from "../core/errors";
import { sha256 } from "../core/manifest";
import type { FileStatus, WebHdfsClient } from "../clients/webhdfs-client";

/** A temporary left by a killed upload is deleted once it is this old (one request's deadline is minutes). */
export const STALE_TEMP_MS = 60 * 60 * 1000;
/** `.<final name>.<16 hex>.tmp`: hidden from Spark and Hadoop (leading dot), and never a content-addressed name. */
const TEMP_NAME = /^\..+\.[0-9a-f]{16}\.tmp$/;

/** A temporary of this run's own for `target`, in the same directory (so the RENAME stays in one directory). */
export function temporaryName(target: string): string {
  return `${posix.dirname(target)}/.${posix.basename(target)}.${randomBytes(8).toString("hex")}.tmp`;
}

/** Whether a name in a shared directory is some run's upload temporary (and never a placed file). */
export function isTemporaryName(name: string): boolean {
  return TEMP_NAME.test(name);
}

export interface ContentAddressedFile {
  target: string;
  sha256: string;
  data: Buffer;
}

export interface Placement {
  /** This run's rename created the file (false: it was there, or another run created it first). */
  created: boolean;
  /** Bytes this run sent, sidecar included (a temporary that lost the race counts too). */
  sentBytes: number;
}

const sidecarOf = (target: string) => `${target}.sha256`;
const sidecarText = (sha: string) => Buffer.from(`${sha}\n`);

/**
 * Makes `file` and its `.sha256` sidecar exist with the right content, without writing over anything.
 * `listing` is its directory's listing (read once per directory by the caller). Throws, naming the path,
 * when the file at the final name holds other content.
 */
export async function placeContentAddressed(
  hdfs: WebHdfsClient,
  file: ContentAddressedFile,
  listing: ReadonlyMap<string, FileStatus>,
  permission = "644",
): Promise<Placement> {
  const name = posix.basename(file.target);
  const status = listing.get(name);
  let created = false;
  let sentBytes = 0;
  if (status !== undefined && listing.has(`${name}.sha256`)) {
    const sidecar = (await hdfs.open(sidecarOf(file.target)))?.toString("utf8").trim(); // idempotent read
    // The sidecar was written (create-only) after its file was verified: it speaks for the bytes.
    if (sidecar === file.sha256 && status.length === file.data.length) return { created, sentBytes };
    await verifyExisting(hdfs, file, status);
    if (sidecar !== undefined) throw wrongSidecar(file, sidecar);
  } else if (status !== undefined) {
    await verifyExisting(hdfs, file, status);
  } else {
    const put = await createOnly(hdfs, file, permission);
    created = put.created;
    sentBytes += put.sentBytes;
  }
  // The sidecar is content-addressed too (its content follows from the name): create-only the same way.
  const sidecar = { target: sidecarOf(file.target), sha256: sha256(sidecarText(file.sha256)), data: sidecarText(file.sha256) };
  const put = await createOnly(hdfs, sidecar, permission, (existing) => (existing.toString("utf8").trim() === file.sha256 ? undefined : wrongSidecar(file, existing.toString("utf8").trim())));
  sentBytes += put.sentBytes;
  return { created, sentBytes };
}

/**
 * Uploads to a temporary and renames it to the final name; when the name is taken (another run, or our
 * own rename whose answer was lost), verifies what is there instead. Our temporary is deleted before returning.
 */
async function createOnly(
  hdfs: WebHdfsClient,
  file: ContentAddressedFile,
  permission: string,
  judge?: (existing: Buffer) => DeployError | undefined,
): Promise<Placement> {
  const temp = temporaryName(file.target);
  let renamed = false;
  try {
    // CREATE overwrite=false: sent once (a lost answer fails the run; the random name is no one else's).
    const sentBytes = await hdfs.create(temp, file.data, { overwrite: false, permission });
    const uploaded = await hdfs.getFileStatus(temp); // idempotent read
    if (uploaded?.length !== file.data.length) {
      throw new DeployError(`${temp}: HDFS holds ${uploaded?.length ?? "no"} bytes of the ${file.data.length} uploaded for ${file.target}; run again`);
    }
    let lost: unknown;
    try {
      renamed = await hdfs.rename(temp, file.target); // sent once; made idempotent by reading the destination back below
    } catch (err) {
      lost = err; // applied or not: the destination says which
    }
    if (!renamed) {
      const existing = await hdfs.getFileStatus(file.target);
      if (existing === undefined) throw lost ?? new DeployError(`${temp}: cannot rename it to ${file.target}, which does not exist; run again`);
      await verifyExisting(hdfs, file, existing, judge);
      // Our lost rename may have been applied: then the temporary is gone and the file is ours.
      renamed = lost !== undefined && (await hdfs.getFileStatus(temp)) === undefined;
      return { created: renamed, sentBytes };
    }
    return { created: true, sentBytes };
  } finally {
    // DELETE of our own temporary: idempotent. Best effort: a leftover is swept once stale.
    if (!renamed) await hdfs.delete(temp).catch(() => undefined);
  }
}

/** Throws unless the file at `file.target` holds `file.data` (length first, then its bytes read back), or what `judge` accepts. */
async function verifyExisting(
  hdfs: WebHdfsClient,
  file: ContentAddressedFile,
  status: FileStatus,
  judge?: (existing: Buffer) => DeployError | undefined,
): Promise<void> {
  if (judge === undefined && status.length !== file.data.length) throw mismatch(file, undefined, status.length);
  const data = await hdfs.open(file.target); // idempotent read
  if (data === undefined) throw new DeployError(`${file.target}: listed but gone when read (deleted meanwhile?); run again`);
  const problem = judge ? judge(data) : sha256(data) === file.sha256 ? undefined : mismatch(file, data);
  if (problem) throw problem;
}

function mismatch(file: ContentAddressedFile, data: Buffer | undefined, length = data?.length ?? 0): DeployError {
  const what = data !== undefined ? `sha256 ${sha256(data)}, expected ${file.sha256}` : `${length} bytes, expected ${file.data.length}`;
  return new DeployError(
    `${file.target}: its content does not match its name (${what}). It is never overwritten (a running application ` +
      `may be localising it): find out who wrote it, and once nothing reads it, delete it and its .sha256 and deploy again`,
  );
}

function wrongSidecar(file: ContentAddressedFile, says: string): DeployError {
  return new DeployError(
    `${sidecarOf(file.target)} says "${says.slice(0, 64)}", but ${file.target} holds sha256 ${file.sha256} as its name says: ` +
      `delete ${sidecarOf(file.target)} and deploy again (it is recomputed from the file)`,
  );
}

/** Deletes temporaries in the listed directory older than STALE_TEMP_MS (left by killed uploads); younger ones may be in flight. */
export async function removeStaleTemps(hdfs: WebHdfsClient, dir: string, listing: ReadonlyMap<string, FileStatus>, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const [name, status] of listing) {
    if (!isTemporaryName(name) || status.type !== "FILE" || now - status.modificationTime < STALE_TEMP_MS) continue;
    // DELETE: idempotent (gone either way). Best effort: another user's leftover in a sticky directory is refused, and harmless.
    if (await hdfs.delete(`${dir}/${name}`).catch(() => false)) removed.push(`${dir}/${name}`);
  }
  return removed;
}
