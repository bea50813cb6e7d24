/**
 * What a Structured Streaming checkpoint says about progress, read over WebHDFS: the last committed
 * micro-batch (`commits/N`), when it was committed, and the source offsets it ended at
 * (`offsets/N`: a version line, a metadata line, then one JSON line per source:
 * `{"<topic>": {"<partition>": <next offset>}}`).
 */
import type { WebHdfsClient } from "../clients/webhdfs-client";

export type TopicOffsets = Record<string, Record<string, number>>;

export interface CommittedBatch {
  batchId: number;
  /** Epoch ms of its commit file. */
  committedAt: number;
  /** Where the batch ended, per topic and partition: the next offset to read. */
  offsets: TopicOffsets;
}

export interface CheckpointProgress {
  /** The last committed batch, or undefined before the first commit. */
  last?: CommittedBatch;
  /** The one before, for the recent input rate. */
  before?: CommittedBatch;
}

/** Batch `batchId`'s end offsets (`offsets/N`); committedAt is the caller's (its commit file's time). */
export async function readCommittedBatch(hdfs: WebHdfsClient, checkpoint: string, batchId: number, committedAt: number): Promise<CommittedBatch> {
  const text = (await hdfs.open(`${checkpoint}/offsets/${batchId}`))?.toString("utf8");
  if (text === undefined) throw new Error(`${checkpoint}/offsets/${batchId}: missing, though commits/${batchId} exists`);
  // By position: the metadata line may be empty, and a source without an offset yet is "-".
  const lines = text.split("\n");
  const offsets: TopicOffsets = {};
  for (const line of lines.slice(2).filter((l) => l.trim() !== "" && l.trim() !== "-")) Object.assign(offsets, JSON.parse(line) as TopicOffsets);
  return { batchId, committedAt, offsets };
}

export async function readCheckpointProgress(hdfs: WebHdfsClient, checkpoint: string): Promise<CheckpointProgress> {
  const commits = await hdfs.listStatus(`${checkpoint}/commits`);
  const done = [...(commits?.values() ?? [])].filter((f) => /^\d+$/.test(f.pathSuffix)).sort((a, b) => Number(b.pathSuffix) - Number(a.pathSuffix));
  const [last, before] = done;
  return {
    last: last && (await readCommittedBatch(hdfs, checkpoint, Number(last.pathSuffix), last.modificationTime)),
    before: before && (await readCommittedBatch(hdfs, checkpoint, Number(before.pathSuffix), before.modificationTime)),
  };
}

/** Records waiting per partition: the topic's end offsets minus where the last committed batch ended. */
export function backlogOf(end: Record<string, number>, committedOffsets: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(end).map(([partition, offset]) => [partition, Math.max(0, offset - (committedOffsets?.[partition] ?? 0))]));
}
