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
    const offsets = await consumer.listOffsets({ topics: [topic], timestamp: END_TIMESTAMP[end] });
    return Object.fromEntries((offsets.get(topic) ?? []).map((offset, partition) => [String(partition), Number(offset)]));
  } finally {
    await consumer.close();
  }
}
