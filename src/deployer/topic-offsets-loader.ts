/**
 * Loads the Kafka client (topic-offsets.ts) only when it is needed. In the bundle it is a separate file
 * beside deployer.js (bundle.ts), so the import stays a plain require of this relative path; from source
 * it is the TypeScript module itself.
 */
import type { EndOffsets } from "./backlog";
import type { DeployPlanConfig } from "./plan-config";
import type { KafkaAccess } from "./topic-offsets";

/** The one import path of the module, which the bundler keeps external. */
export const TOPIC_OFFSETS_MODULE = "./topic-offsets";

export type { KafkaAccess };

/** A topic's end offsets per partition, asked of Kafka with the given access. */
export function endOffsets(access: KafkaAccess, topic: string): Promise<Record<string, number>> {
  // A literal path (not TOPIC_OFFSETS_MODULE): the bundler matches externals on the text of the require.
  const module = require("./topic-offsets") as typeof import("./topic-offsets");
  return module.endOffsets(access, topic);
}

/**
 * End offsets of the plan's Kafka: PLAINTEXT (the local broker) as it is, Event Hubs with the job's listen
 * connection string; undefined when that is not given (the backlog rules are then not checked).
 */
export function planEndOffsets(plan: DeployPlanConfig, listenConnectionString: string | undefined): EndOffsets | undefined {
  const bootstrap = plan.job.bootstrap_servers;
  if (plan.job.security_protocol === "PLAINTEXT") return (topic) => endOffsets({ bootstrap }, topic);
  if (!listenConnectionString) return undefined;
  return (topic) => endOffsets({ bootstrap, connectionString: listenConnectionString }, topic);
}
