// Event Hubs tier rules and the other checks that span several fields.
// They read the raw input defensively (not zod's output) so that they still run, and report,
// when other fields are invalid: synth lists every violation at once, not only the first.
import { hubRulesOf } from "./access";
import { processingUnitsFor, readersOf, throughputUnitsFor, type ExpectedLoad } from "./capacity";
import {
  MAX_AUTHORIZATION_RULES,
  NAMESPACE_NAME_PATTERN,
  PREMIUM_PROCESSING_UNITS,
  STANDARD_THROUGHPUT_UNITS,
  TIER_LIMITS,
  type EventHubsSku,
} from "./limits";
import { JOB_PRINCIPAL, READINGS_TOPIC, SIMULATOR_PRINCIPAL, STATS_TOPIC } from "./schema";
import { valueAt, type Violation } from "./violation";

type Raw = Record<string, unknown>;

const asRecord = (value: unknown): Raw => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Raw) : {});
const asNumber = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The namespace name an environment gets: explicit, or `<namePrefix>-<env>-<uniqueSuffix>`. */
export function namespaceNameOf(input: unknown): string {
  const explicit = valueAt(input, ["eventHubs", "namespaceName"]);
  if (typeof explicit === "string") return explicit;
  return [valueAt(input, ["namePrefix"]), valueAt(input, ["name"]), valueAt(input, ["uniqueSuffix"])].map(String).join("-");
}

/** Every tier and cross-field violation of one environment's raw input. */
export function tierViolations(env: string, input: unknown): Violation[] {
  const violations: Violation[] = [];
  const add = (path: string, value: unknown, allowed: string): void => {
    violations.push({ env, path, value, allowed });
  };
  const hubs = asRecord(valueAt(input, ["eventHubs"]));
  // Basic (or a typo) is reported by the schema; limits are then checked as on Standard, the smallest tier with Kafka.
  const sku: EventHubsSku = hubs.sku === "Premium" ? "Premium" : "Standard";
  const limits = TIER_LIMITS[sku];
  const other = sku === "Standard" ? "Premium" : "Standard";

  // Namespace name.
  const namespaceName = namespaceNameOf(input);
  if (!NAMESPACE_NAME_PATTERN.test(namespaceName)) {
    const derived = typeof hubs.namespaceName !== "string";
    add(
      "eventHubs.namespaceName",
      namespaceName,
      `6–50 characters matching ${NAMESPACE_NAME_PATTERN.source}${derived ? " (derived from namePrefix-name-uniqueSuffix)" : ""}`,
    );
  }

  // Topics: the pipeline's own two must exist; partitions and retention within the tier.
  const topics = asRecord(hubs.topics);
  for (const required of [READINGS_TOPIC, STATS_TOPIC]) {
    if (!(required in topics)) add(`eventHubs.topics.${required}`, undefined, "required: the pipeline reads or writes this topic");
  }
  for (const [name, topic] of Object.entries(topics)) {
    const partitions = asNumber(asRecord(topic).partitions);
    if (partitions !== undefined && partitions > limits.maxPartitionsPerHub) {
      add(`eventHubs.topics.${name}.partitions`, partitions, `1 to ${limits.maxPartitionsPerHub} on ${sku} (${other}: up to ${TIER_LIMITS[other].maxPartitionsPerHub})`);
    }
    const retention = asNumber(asRecord(topic).retentionDays);
    if (retention !== undefined && retention > limits.maxRetentionDays) {
      add(`eventHubs.topics.${name}.retentionDays`, retention, `1 to ${limits.maxRetentionDays} days on ${sku} (${other}: up to ${TIER_LIMITS[other].maxRetentionDays})`);
    }
  }
  const hubCount = Object.keys(topics).length;
  if (hubCount > limits.maxHubs) {
    add("eventHubs.topics", `${hubCount} event hubs`, `at most ${limits.maxHubs} event hubs per namespace on ${sku}`);
  }

  // Capacity from the expected load.
  const loadRaw = asRecord(hubs.expectedLoad);
  const peak = asNumber(loadRaw.peakEventsPerSecond);
  const size = asNumber(loadRaw.averageEventSizeBytes);
  const headroom = asNumber(loadRaw.headroomPercent);
  const autoInflate = asRecord(hubs.autoInflate);
  if (peak !== undefined && peak > 0 && size !== undefined && size > 0 && headroom !== undefined && headroom >= 0) {
    const load: ExpectedLoad = { peakEventsPerSecond: peak, averageEventSizeBytes: size, headroomPercent: headroom, readers: readersOf(hubs.access) };
    if (sku === "Standard") {
      const tu = throughputUnitsFor(load);
      if (tu > STANDARD_THROUGHPUT_UNITS.max) {
        add("eventHubs.expectedLoad", loadRaw, `a load needing ${STANDARD_THROUGHPUT_UNITS.min}–${STANDARD_THROUGHPUT_UNITS.max} throughput units on Standard (this needs ${tu}); lower it or use Premium`);
      }
      const maximum = asNumber(autoInflate.maximumThroughputUnits);
      if (autoInflate.enabled === true && maximum !== undefined) {
        if (maximum < tu) add("eventHubs.autoInflate.maximumThroughputUnits", maximum, `at least the capacity, ${tu} throughput units`);
        if (maximum > STANDARD_THROUGHPUT_UNITS.max) add("eventHubs.autoInflate.maximumThroughputUnits", maximum, `at most ${STANDARD_THROUGHPUT_UNITS.max} throughput units on Standard`);
      }
    } else if (processingUnitsFor(load) === undefined) {
      add("eventHubs.expectedLoad", loadRaw, `a load needing at most ${Math.max(...PREMIUM_PROCESSING_UNITS)} processing units on Premium (allowed: ${PREMIUM_PROCESSING_UNITS.join(", ")})`);
    }
  }
  if (sku === "Premium" && autoInflate.enabled === true) {
    add("eventHubs.autoInflate.enabled", true, "false on Premium (auto-inflate is a Standard feature; Premium scales by processing units)");
  }

  // Access: rules are hub-scoped, so every topic must exist; the pipeline's own principals need their rights.
  const accessRaw = asRecord(hubs.access);
  const access = Object.fromEntries(
    Object.entries(accessRaw).map(([principal, rights]) => [principal, { send: asStrings(asRecord(rights).send), listen: asStrings(asRecord(rights).listen) }]),
  );
  for (const [principal, rights] of Object.entries(access)) {
    for (const right of ["send", "listen"] as const) {
      rights[right].forEach((topic, index) => {
        if (!(topic in topics)) add(`eventHubs.access.${principal}.${right}.${index}`, topic, `a topic of this environment (${Object.keys(topics).join(", ")})`);
      });
    }
    if (rights.send.length + rights.listen.length === 0) add(`eventHubs.access.${principal}`, { send: [], listen: [] }, "at least one topic to send to or listen on");
  }
  const job = access[JOB_PRINCIPAL];
  if (!job?.listen.includes(READINGS_TOPIC) || !job.send.includes(STATS_TOPIC)) {
    add(`eventHubs.access.${JOB_PRINCIPAL}`, accessRaw[JOB_PRINCIPAL], `required: listen on ${READINGS_TOPIC} and send to ${STATS_TOPIC} (the aggregation job)`);
  }
  const simulatorEnabled = valueAt(input, ["bdc", "simulator", "enabled"]) === true;
  if (simulatorEnabled && !access[SIMULATOR_PRINCIPAL]?.send.includes(READINGS_TOPIC)) {
    add(`eventHubs.access.${SIMULATOR_PRINCIPAL}`, accessRaw[SIMULATOR_PRINCIPAL], `required while bdc.simulator.enabled: send to ${READINGS_TOPIC}`);
  }
  const ruleCount = hubRulesOf(access).length;
  if (ruleCount > MAX_AUTHORIZATION_RULES) {
    add("eventHubs.access", `${ruleCount} authorization rules`, `at most ${MAX_AUTHORIZATION_RULES} authorization rules per namespace (one per principal and topic)`);
  }

  // Network: IP rules only take effect when the default action is Deny.
  const network = asRecord(hubs.network);
  if (asStrings(network.ipRules).length > 0 && network.defaultAction === "Allow") {
    add("eventHubs.network.defaultAction", "Allow", "Deny when ipRules are given (with Allow, IP rules have no effect)");
  }

  // The simulator must not send faster than the namespace is sized for.
  const simulatorRate = asNumber(valueAt(input, ["bdc", "simulator", "eventsPerSecond"]));
  if (simulatorEnabled && simulatorRate !== undefined && peak !== undefined && simulatorRate > peak) {
    add("bdc.simulator.eventsPerSecond", simulatorRate, `at most eventHubs.expectedLoad.peakEventsPerSecond (${peak})`);
  }

  // Remote state needs the account's resource group.
  const state = asRecord(valueAt(input, ["stateBackend"]));
  if (typeof state.storageAccountName === "string" && typeof state.resourceGroupName !== "string") {
    add("stateBackend.resourceGroupName", undefined, "required when stateBackend.storageAccountName is set");
  }
  return violations;
}
