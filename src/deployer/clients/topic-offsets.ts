/** A topic's end (or earliest) offsets per partition, asked of Kafka (Event Hubs) with the job's listen-only key. */
import { isIP } from "node:net";
import { Consumer } from "@platformatic/kafka";

export interface KafkaAccess {
  bootstrap: string;
  /** SASL_SSL with the Event Hubs connection string, or PLAINTEXT (the local stack). */
  connectionString?: string;
}

/** Which offset of each partition: the next to be written, or the first still held (past retention). */
export type OffsetEnd = "latest" | "earliest";

/** Kafka's ListOffsets timestamps for the two ends. */
const END_TIMESTAMP: Record<OffsetEnd, bigint> = { latest: -1n, earliest: -2n };

export async function endOffsets(access: KafkaAccess, topic: string, end: OffsetEnd = "latest"): Promise<Record<string, number>> {
  return withConsumer(access, async (consumer) => byPartition(await consumer.listOffsets({ topics: [topic], timestamp: END_TIMESTAMP[end] }), topic));
}

/**
 * Per partition, the offset of the first reading written at or after `atMs` (Kafka's ListOffsets by timestamp; with
 * LogAppendTime, as Event Hubs keeps, that is when the broker took it); a partition with none since then answers its
 * end offset. The end offsets minus these are what arrived since `atMs`.
 */
export async function offsetsAt(access: KafkaAccess, topic: string, atMs: number): Promise<Record<string, number>> {
  return withConsumer(access, async (consumer) => {
    const at = byPartition(await consumer.listOffsets({ topics: [topic], timestamp: BigInt(Math.floor(atMs)) }), topic);
    const end = byPartition(await consumer.listOffsets({ topics: [topic], timestamp: END_TIMESTAMP.latest }), topic);
    return Object.fromEntries(Object.entries(end).map(([partition, last]) => [partition, (at[partition] ?? -1) < 0 ? last : (at[partition] as number)]));
  });
}

function byPartition(offsets: Map<string, bigint[]>, topic: string): Record<string, number> {
  return Object.fromEntries((offsets.get(topic) ?? []).map((offset, partition) => [String(partition), Number(offset)]));
}

async function withConsumer<T>(access: KafkaAccess, use: (consumer: Consumer) => Promise<T>): Promise<T> {
  const host = access.bootstrap.slice(0, access.bootstrap.lastIndexOf(":"));
  const consumer = new Consumer({
    clientId: "sensor-deployer-status",
    groupId: "sensor-deployer-status",
    bootstrapBrokers: [access.bootstrap],
    ...(access.connectionString !== undefined
      ? { tls: {}, tlsServerName: isIP(host) === 0 ? host : undefined, sasl: { mechanism: "PLAIN" as const, username: "$ConnectionString", password: access.connectionString } }
      : {}),
  });
  try {
    return await use(consumer);
  } finally {
    await consumer.close();
  }
}
