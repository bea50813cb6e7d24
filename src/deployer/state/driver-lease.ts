/**
 * Who holds a checkpoint, as the file system says (issue 24 item 0). The driver keeps
 * `<checkpoint>/_driver.lease` open for writing its whole life (jobs/sensor_aggregation/checkpoint_lease.py);
 * HDFS grants one writer. The deployer asks the NameNode by appending nothing: refused while a writer holds
 * it, granted (and closed again at once) when it is free. The file's first line names the holder. This
 * decides "is a driver running", not Livy's ids, names or commit times, which Livy loses on a restart.
 */
import { DRIVER_LEASE_FILE, HDFS_LEASE_SOFT_LIMIT_SECONDS, holderRecordSchema, type HolderRecord } from "../../../contracts/driver-lease";
import type { WebHdfsClient } from "../clients/webhdfs-client";

export type LeaseState =
  /** No driver writes the checkpoint (record: the last holder's, if any). */
  | { held: false; path: string; record?: HolderRecord }
  /** A driver holds it; `lapsing`: its lease expired (it stopped renewing) and the NameNode is recovering it. */
  | { held: true; path: string; lapsing: boolean; record?: HolderRecord; answer: string };

/** The HDFS answers to an APPEND that mean another writer holds the file, or held it until its lease lapsed. */
const HELD = new Set(["AlreadyBeingCreatedException", "RecoveryInProgressException"]);

export function leasePath(checkpoint: string): string {
  return `${checkpoint.replace(/\/+$/, "")}/${DRIVER_LEASE_FILE}`;
}

/** Probes the checkpoint's lease. A probe of a free lease holds it for one request (a starting driver retries). */
export async function probeLease(hdfs: WebHdfsClient, checkpoint: string): Promise<LeaseState> {
  const path = leasePath(checkpoint);
  const answer = await hdfs.appendNothing(path);
  if (answer.outcome === "missing") return { held: false, path };
  const record = await readLeaseRecord(hdfs, path);
  if (answer.outcome !== "refused") return { held: false, path, ...(record ? { record } : {}) };
  if (!HELD.has(answer.exception)) throw new Error(`${path}: probing the driver's lease failed: ${answer.exception}: ${answer.message}`);
  return { held: true, path, lapsing: answer.exception === "RecoveryInProgressException", answer: answer.message, ...(record ? { record } : {}) };
}

/**
 * The holder's record (the file's first line; the holder hflushed it, so it is readable while open), if it parses.
 * A read only: unlike a probe, it never takes the lease, so it may be repeated while a driver is taking it.
 */
export async function readLeaseRecord(hdfs: WebHdfsClient, path: string): Promise<HolderRecord | undefined> {
  const content = await hdfs.open(path);
  const first = content?.toString("utf8").split("\n")[0];
  if (!first) return undefined;
  try {
    const parsed = holderRecordSchema.safeParse(JSON.parse(first));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The holder, for a message: what its record says, or that it has none. */
export function describeHolder(lease: LeaseState): string {
  const r = lease.record;
  if (!r) return "a driver without a readable record";
  return (
    `the driver of run ${r.run ?? "(new)"}, release ${r.release?.slice(0, 12) ?? "(not deployed)"}, submitted as ${r.submission ?? "?"}, ` +
    `application ${r.application} on ${r.host} (pid ${r.pid}), since ${r.since}`
  );
}

/** How to stop the holder by hand, from its record. */
export function howToStop(lease: LeaseState): string {
  const r = lease.record;
  const how = r?.application.startsWith("application_") ? `yarn application -kill ${r.application}` : r ? `kill ${r.pid} on ${r.host}` : "stop it on the cluster";
  return `Stop it (${how}); a driver that dies without closing the lease frees it ${HDFS_LEASE_SOFT_LIMIT_SECONDS}s after its last renewal`;
}
