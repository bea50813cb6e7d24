/**
 * The Kafka side of the simulator, on @platformatic/kafka: a producer for a local broker
 * (PLAINTEXT) or Event Hubs' Kafka endpoint (SASL_SSL, mechanism PLAIN, user `$ConnectionString`,
 * password the connection string), a reachability probe, and a batch sender.
 */
import { isIP } from "node:net";
import { rootCertificates } from "node:tls";
import { compressionsAlgorithms, Producer, type ProducerOptions, stringSerializers } from "@platformatic/kafka";
import { EVENT_HUBS_MAX_MESSAGE_BYTES } from "../../contracts/eventhubs-limits";
import { describeKafkaError, hasKafkaErrorId } from "./kafka-errors";
import type { SimulatorOptions } from "./options";
import type { SimulatedMessage } from "./readings";
import { splitByRequestSize } from "./request-size";

export class BrokerUnreachableError extends Error {
  override name = "BrokerUnreachableError";
}

export interface KafkaTarget {
  readonly bootstrapServers: readonly string[];
  /** Event Hubs connection string (SASL_SSL only); used as the SASL PLAIN password, never logged. */
  readonly connectionString?: string;
  /** Extra CA certificates (PEM) trusted besides Node's public roots (SASL_SSL only). */
  readonly extraCaPem?: string;
}

/** Header that marks a deliberately malformed message with its kind (useful when reading back). */
export const MALFORMED_HEADER = "simulator-malformed";

type StringProducer = Producer<string, string, string, string>;

/** The Kafka client id the simulator connects with (visible in broker logs and Event Hubs diagnostics). */
const CLIENT_ID = "sensor-simulator";

export function producerOptions(options: SimulatorOptions, target: KafkaTarget): ProducerOptions<string, string, string, string> {
  const local = options.securityProtocol === "PLAINTEXT";
  const base: ProducerOptions<string, string, string, string> = {
    clientId: CLIENT_ID,
    bootstrapBrokers: [...target.bootstrapServers],
    serializers: stringSerializers,
    connectTimeout: options.connectTimeoutMs,
    timeout: Math.max(30_000, options.connectTimeoutMs),
    retries: 3,
    retryDelay: 500,
    maxInflights: options.maxInFlight,
    acks: options.acks,
    compression: options.compression,
    idempotent: false,
    // A local test broker creates topics on first use; an event hub must exist beforehand.
    autocreateTopics: local,
  };
  if (local) return base;
  const password = target.connectionString;
  if (!password) throw new Error("SASL_SSL needs the Event Hubs connection string");
  return {
    ...base,
    // Node replaces its public roots when `ca` is given, so pass them along with the extra CA.
    tls: target.extraCaPem ? { ca: [...rootCertificates, target.extraCaPem] } : {},
    // SNI with the broker's host name (Event Hubs needs it); an IP address may not be sent as SNI.
    tlsServerName: !target.bootstrapServers.every((hostPort) => isIP(hostPort.slice(0, hostPort.lastIndexOf(":"))) !== 0),
    sasl: { mechanism: "PLAIN", username: "$ConnectionString", password: () => password },
  };
}

export interface KafkaSink {
  /** Sends one batch; resolves when the broker acknowledged all of it. */
  send(messages: readonly SimulatedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Creates the producer and checks that the broker answers for the topic; throws BrokerUnreachableError. */
export async function connectKafka(options: SimulatorOptions, target: KafkaTarget): Promise<KafkaSink> {
  if (!compressionsAlgorithms[options.compression].available) {
    throw new Error(`--compression ${options.compression} is not available in this Node.js build; use none or gzip`);
  }
  const producer: StringProducer = new Producer(producerOptions(options, target));
  try {
    await producer.metadata({ topics: [options.topic], autocreateTopics: options.securityProtocol === "PLAINTEXT" });
  } catch (error) {
    await producer.close().catch(() => undefined);
    const where = `${target.bootstrapServers.join(",")} (${options.securityProtocol})`;
    if (hasKafkaErrorId(error, "UNKNOWN_TOPIC_OR_PARTITION")) {
      throw new BrokerUnreachableError(`topic '${options.topic}' does not exist at ${where}: create the event hub first (Event Hubs does not create topics on use)`);
    }
    throw new BrokerUnreachableError(`cannot reach Kafka at ${where} for topic '${options.topic}': ${describeKafkaError(error)}`);
  }
  const { topic, keyBySensor } = options;
  return {
    async send(messages: readonly SimulatedMessage[]): Promise<void> {
      // One request per chunk, in order, each under Event Hubs' max.request.size (the client has no such setting).
      for (const chunk of splitByRequestSize(messages, EVENT_HUBS_MAX_MESSAGE_BYTES, MALFORMED_HEADER)) {
        await producer.send({
          messages: chunk.map((m) => ({
            topic,
            key: keyBySensor ? m.key : undefined,
            value: m.value,
            headers: m.malformedKind ? { [MALFORMED_HEADER]: m.malformedKind } : undefined,
          })),
        });
      }
    },
    close: () => producer.close(),
  };
}
