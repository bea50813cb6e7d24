/** A topic's end offsets per partition, asked of Kafka (Event Hubs) with the job's listen-only key. */
import { isIP } from "node:net";
import { Consumer } from "@platformatic/kafka";

export interface KafkaAccess {
  bootstrap: string;
  /** SASL_SSL with the Event Hubs connection string, or PLAINTEXT (the local stack). */
  connectionString?: string;
}

export async function endOffsets(access: KafkaAccess, topic: string): Promise<Record<string, number>> {
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
    const offsets = await consumer.listOffsets({ topics: [topic] });
    return Object.fromEntries((offsets.get(topic) ?? []).map((offset, partition) => [String(partition), Number(offset)]));
  } finally {
    await consumer.close();
  }
}
