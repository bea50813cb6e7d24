/**
 * The backlog: records in the input topic the job has not consumed, exactly, per partition: the topic's
 * end offsets (Kafka, with the job's listen key) minus where the last committed micro-batch ended (the
 * checkpoint). In seconds it is an estimate, from the rate consumed between the last two commits. The
 * rules (bdc.health.maxBacklogRecords / maxBacklogSeconds) are worded here once, for status and ensure.
 */
import type { EndOffsets } from "../clients/topic-offsets-loader";
import { backlogOf, type CheckpointProgress } from "../state/checkpoint";

/** A topic's end offsets per partition (topic-offsets.ts asks Kafka). */
export type { EndOffsets };

export interface Backlog {
  perPartition: Record<string, number>;
  records: number;
  /** Seconds of input waiting, estimated from the consumption rate between the last two commits. */
  seconds: number | null;
  secondsEstimated: true;
}

export interface BacklogRules {
  maxBacklogRecords: number;
  maxBacklogSeconds: number;
}

export function measureBacklog(end: Record<string, number>, checkpoint: CheckpointProgress, topic: string): Backlog {
  const perPartition = backlogOf(end, checkpoint.last?.offsets[topic]);
  const records = Object.values(perPartition).reduce((a, b) => a + b, 0);
  return { perPartition, records, seconds: backlogSeconds(checkpoint, topic, records), secondsEstimated: true };
}

/** Each backlog rule broken, in words; empty when both hold. */
export function backlogProblems(rules: BacklogRules, backlog: Backlog | null): string[] {
  const broken: string[] = [];
  if (backlog && backlog.records > rules.maxBacklogRecords) broken.push(`backlog ${backlog.records} records > ${rules.maxBacklogRecords}`);
  if (backlog?.seconds != null && backlog.seconds > rules.maxBacklogSeconds) broken.push(`backlog about ${backlog.seconds}s > ${rules.maxBacklogSeconds}s`);
  return broken;
}

/** The backlog divided by the records per second the job committed between its last two batches. */
function backlogSeconds(checkpoint: CheckpointProgress, topic: string, records: number): number | null {
  if (records === 0) return 0;
  const { last, before } = checkpoint;
  if (!last || !before || last.committedAt <= before.committedAt) return null;
  const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
  const rate = (sum(last.offsets[topic]) - sum(before.offsets[topic])) / ((last.committedAt - before.committedAt) / 1000);
  return rate > 0 ? Math.round(records / rate) : null;
}
