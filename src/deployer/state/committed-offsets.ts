/**
 * `new-run --starting-offsets committed`: the new run starts where the closed run's last committed micro-batch
 * ended, so that, with the closed run's uncommitted batch dropped (jobs/sensor_aggregation/checkpoint_runs.py),
 * each reading still in the topic lands once. Where the topic no longer holds that offset (retention passed it,
 * or the topic was recreated) the partition starts at its earliest offset, and what is gone is said. Pure.
 * The offsets are resolved when new-run runs and kept in the release: should retention pass one of them before the
 * new run's first batch, that run stops on data loss like the old one (choose `earliest` then). A topic recreated
 * and refilled past the old run's offset cannot be told from the same topic: its readings before that offset are
 * skipped.
 */
import { DeployError } from "../core/errors";

export interface PartitionBounds {
  /** Per partition, the first offset the topic still holds. */
  earliest: Record<string, number>;
  /** Per partition, the next offset to be written. */
  latest: Record<string, number>;
}

export interface ResolvedOffsets {
  /** Spark's startingOffsets JSON for the topic, every partition named (Spark requires all of them). */
  json: string;
  /** One line per partition that cannot resume where the closed run ended, and why. */
  notes: string[];
}

/** Spark's "earliest" in a per-partition offsets object. */
const EARLIEST = -2;

export function resolveCommittedOffsets(topic: string, committed: Record<string, number> | undefined, bounds: PartitionBounds | undefined): ResolvedOffsets {
  if (committed === undefined || Object.keys(committed).length === 0) {
    throw new DeployError(`--starting-offsets committed: the checkpoint's last committed batch read nothing of ${topic}, so there is nothing to resume from; choose earliest, latest or per-partition offsets. Nothing was stopped`);
  }
  // Without the topic's offsets it cannot tell what retention removed, nor name a partition added since (Spark
  // wants every partition named): the new run would stop again on the same data loss.
  if (bounds === undefined || Object.keys(bounds.latest).length === 0) {
    throw new DeployError(`--starting-offsets committed: the offsets of ${topic} could not be read (${bounds === undefined ? "no listen connection string for the job's input hub" : "the topic has no partitions"}), so what retention removed is unknown; give the deployer the listen key, or choose earliest, latest or per-partition offsets. Nothing was stopped`);
  }
  const offsets: Record<string, number> = {};
  const notes: string[] = [];
  for (const partition of Object.keys(bounds.latest).sort((a, b) => Number(a) - Number(b))) {
    const at = committed[partition];
    const earliest = bounds.earliest[partition];
    if (earliest === undefined) throw new DeployError(`--starting-offsets committed: ${topic} partition ${partition}: its earliest offset could not be read. Nothing was stopped`);
    const latest = bounds.latest[partition]!;
    if (at === undefined) {
      offsets[partition] = EARLIEST;
      notes.push(`partition ${partition}: added since the closed run, read from its earliest offset ${earliest}`);
    } else if (at > latest) {
      offsets[partition] = EARLIEST;
      notes.push(`partition ${partition}: ends at ${latest}, before the closed run's ${at}: the topic was recreated, read from its earliest offset ${earliest}`);
    } else if (at < earliest) {
      offsets[partition] = EARLIEST;
      notes.push(`partition ${partition}: retention removed offsets ${at} to ${earliest - 1} (${earliest - at} readings lost) before they were read; read from ${earliest}`);
    } else {
      offsets[partition] = at;
    }
  }
  for (const partition of Object.keys(committed).filter((p) => !(p in bounds.latest))) {
    notes.push(`partition ${partition}: no longer in the topic`);
  }
  return { json: JSON.stringify({ [topic]: offsets }), notes };
}
