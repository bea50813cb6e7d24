/**
 * Test helper, run as a child process (the Kafka client is ESM-only, which jest's CommonJS
 * runtime cannot load): reads a whole topic back with @platformatic/kafka, the simulator's own
 * client, and prints one JSON line {"endOffsetsTotal": n, "messages": [...]}.
 *
 *   tsx test/simulator/read-back.ts <bootstrap> <topic> [timeoutMs]
 */
import { Consumer, stringDeserializers } from "@platformatic/kafka";

export interface ReadBackMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  malformedHeader: string | null;
}

export async function readBack(bootstrap: string, topic: string, timeoutMs: number): Promise<{ endOffsetsTotal: number; messages: ReadBackMessage[] }> {
  const consumer = new Consumer<string, string, string, string>({
    clientId: "read-back",
    groupId: `read-back-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
    autocommit: false,
  });
  try {
    // The sum of the partitions' end offsets is every message on the topic (one fresh topic per test).
    const ends = await consumer.listOffsets({ topics: [topic] });
    const endOffsetsTotal = (ends.get(topic) ?? []).reduce((sum, offset) => sum + Number(offset), 0);
    const messages: ReadBackMessage[] = [];
    if (endOffsetsTotal === 0) return { endOffsetsTotal, messages };
    const stream = await consumer.consume({ topics: [topic], mode: "earliest" });
    const timer = setTimeout(() => void stream.close(), timeoutMs);
    for await (const message of stream) {
      messages.push({
        partition: message.partition,
        offset: String(message.offset),
        key: message.key ? message.key : null,
        value: message.value,
        malformedHeader: message.headers.get("simulator-malformed") ?? null,
      });
      if (messages.length >= endOffsetsTotal) break;
    }
    clearTimeout(timer);
    await stream.close();
    return { endOffsetsTotal, messages };
  } finally {
    await consumer.close(true);
  }
}

if (require.main === module) {
  const [bootstrap, topic, timeout] = process.argv.slice(2);
  readBack(bootstrap, topic, Number(timeout ?? 60_000)).then(
    (result) => {
      // Exit only once the (possibly large) output has been flushed to the pipe.
      process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    },
    (error: unknown) => {
      process.stderr.write(`read-back failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
