/**
 * The driver's lease on its checkpoint (issue 24 item 0): the one fact the job (checkpoint_lease.py) and the
 * deployer (src/deployer/state/driver-lease.ts) share about who runs a checkpoint. A driver keeps
 * `<checkpoint_location>/<DRIVER_LEASE_FILE>` open for writing its whole life; HDFS grants one writer, so a second
 * driver cannot start. The file's first line is the holder's record. The generated driver-lease.json (beside
 * job.py) carries these to the job's tests, which check checkpoint_lease.py against it. Pure: no I/O.
 */
import * as z from "zod/mini";

export const DRIVER_LEASE_FILE = "_driver.lease";

/** The job's exit code when another driver holds its checkpoint, or it lost the lease while running. */
export const DRIVER_LEASE_EXIT_CODE = 5;

/**
 * The Spark conf key the deployer sets at submission: the release digest the driver names in its record.
 * Set when the batch is sent, not in the release's request, so a release's digest does not depend on itself.
 */
export const RELEASE_CONF_KEY = "spark.sensor-deployer.release";

/** HDFS's soft limit (HdfsConstants.LEASE_SOFTLIMIT_PERIOD): a dead holder's lease lapses this long after its last renewal. */
export const HDFS_LEASE_SOFT_LIMIT_SECONDS = 60;

/** The holder's record, the lease file's first line (JSON). */
export const holderRecordSchema = z.object({
  /** The streaming run (the checkpoint's query id), once the checkpoint has one; null on a fresh checkpoint. */
  run: z.nullable(z.string()),
  /** The release digest the deployer submitted (RELEASE_CONF_KEY); null when started by hand. */
  release: z.nullable(z.string()),
  /** The Livy batch name the driver was submitted under (spark.app.name as spark-submit got it). */
  submission: z.nullable(z.string()),
  /** The Spark application id (application_… on YARN, local-… in local mode). */
  application: z.string(),
  host: z.string(),
  pid: z.int(),
  /** When the driver took the lease (UTC, ISO 8601, seconds). */
  since: z.string(),
});
export type HolderRecord = z.infer<typeof holderRecordSchema>;

export const DRIVER_LEASE_CONTRACT_FILE = "driver-lease.json";

/** What the job's tests compare checkpoint_lease.py with. */
export function driverLeaseContractJson(): string {
  const contract = {
    file: DRIVER_LEASE_FILE,
    exitCode: DRIVER_LEASE_EXIT_CODE,
    releaseConfKey: RELEASE_CONF_KEY,
    recordKeys: Object.keys(holderRecordSchema.shape),
  };
  return `${JSON.stringify(contract, null, 2)}\n`;
}
