/**
 * Loads the Kafka client (topic-offsets.ts) only when it is needed. In the bundle it is a separate file
 * beside deployer.js (bundle.ts), so the import stays a plain require of this relative path; from source
 * it is the TypeScript module itself.
 */
import type { DeployPlanConfig } from "../core/plan-config";
import type { KafkaAccess, OffsetEnd } from "./topic-offsets";

/** The one import path of the module, which the bundler keeps external. */
export const TOPIC_OFFSETS_MODULE = "./topic-offsets";

export type { KafkaAccess };

/** A topic's end (or earliest) offsets per partition. */
export type EndOffsets = (topic: string) => Promise<Record<string, number>>;

/** Per partition, the first offset written at or after a time (ms); the end offset where nothing was since. */
export type OffsetsAt = (topic: string, atMs: number) => Promise<Record<string, number>>;

// A literal path (not TOPIC_OFFSETS_MODULE): the bundler matches externals on the text of the require.
const kafkaModule = () => require("./topic-offsets") as typeof import("./topic-offsets");

/** A topic's end (or earliest) offsets per partition, asked of Kafka with the given access. */
export function endOffsets(access: KafkaAccess, topic: string, end: OffsetEnd = "latest"): Promise<Record<string, number>> {
  return kafkaModule().endOffsets(access, topic, end);
}

/** The plan's Kafka as planEndOffsets reaches it, asked for the offsets at a time (status's and ensure's input rate). */
export function planOffsetsAt(plan: DeployPlanConfig, listenConnectionString: string | undefined): OffsetsAt | undefined {
  const access = planKafkaAccess(plan, listenConnectionString);
  return access && ((topic, atMs) => kafkaModule().offsetsAt(access, topic, atMs));
}

function planKafkaAccess(plan: DeployPlanConfig, listenConnectionString: string | undefined): KafkaAccess | undefined {
  const bootstrap = plan.job.bootstrap_servers;
  if (plan.job.security_protocol === "PLAINTEXT") return { bootstrap };
  return listenConnectionString ? { bootstrap, connectionString: listenConnectionString } : undefined;
}

/**
 * End (or earliest) offsets of the plan's Kafka: PLAINTEXT (the local broker) as it is, Event Hubs with the job's
 * listen connection string; undefined when that is not given (the backlog rules are then not checked, and
 * new-run's `committed` cannot see retention).
 */
export function planEndOffsets(plan: DeployPlanConfig, listenConnectionString: string | undefined, end: OffsetEnd = "latest"): EndOffsets | undefined {
  const access = planKafkaAccess(plan, listenConnectionString);
  return access && ((topic) => endOffsets(access, topic, end));
}
