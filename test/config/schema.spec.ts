import { loadEnvironments } from "../../config";
import { messagesOf, variant } from "./helpers";

describe("environment schema", () => {
  it("names unknown fields, so that typos do not pass silently", () => {
    expect(messagesOf(variant({ eventHubs: { partitons: 4 } }))).toEqual(["dev: eventHubs.partitons: 4 — not a known field (check its spelling)"]);
  });

  it("names missing and mistyped fields", () => {
    const input = variant({ bdc: { spark: { executors: "two" } } });
    delete (input as Partial<typeof input>).location;
    expect(messagesOf(input)).toEqual(["dev: location: (missing) — required: a string", 'dev: bdc.spark.executors: "two" — a number']);
  });

  it.each([
    [{ bdc: { gatewayUrl: "http://bdc:30443" } }, 'dev: bdc.gatewayUrl: "http://bdc:30443" — https://<host>:<port>, e.g. https://bdc.example.internal:30443'],
    [{ bdc: { ensureSchedule: "every 5 minutes" } }, 'dev: bdc.ensureSchedule: "every 5 minutes" — a five-field cron expression, e.g. */5 * * * *'],
    [{ bdc: { spark: { executorMemory: "2 GB" } } }, 'dev: bdc.spark.executorMemory: "2 GB" — a Spark memory size such as 1664m or 4g'],
    [{ bdc: { job: { startingOffsets: "newest" } } }, 'dev: bdc.job.startingOffsets: "newest" — latest or earliest'],
    [{ stateBackend: { storageAccountName: "Not-Valid" } }, 'dev: stateBackend.storageAccountName: "Not-Valid" — 3–24 lower-case letters and digits (an Azure storage account name)'],
    [{ eventHubs: { network: { ipRules: ["10.0.0.0/33"] }, } }, 'dev: eventHubs.network.ipRules.0: "10.0.0.0/33" — an IPv4 address or CIDR range, e.g. 203.0.113.0/24'],
  ])("refuses %j", (changes, message) => {
    expect(messagesOf(variant(changes))).toContain(message);
  });

  it("keeps secrets out of Spark conf", () => {
    expect(messagesOf(variant({ bdc: { spark: { conf: { "spark.kafka.sasl.jaas.config": "x" } } } }))).toEqual([
      'dev: bdc.spark.conf.spark.kafka.sasl.jaas.config: "spark.kafka.sasl.jaas.config" — no secrets in Spark conf: they go in the job\'s HDFS JAAS file',
    ]);
  });

  it("names a bad topic name", () => {
    expect(messagesOf(variant({ eventHubs: { topics: { "bad topic": { partitions: 1, retentionDays: 1 } } } }))).toEqual([
      'dev: eventHubs.topics.bad topic: "bad topic" — 1–256 letters, digits, \'.\', \'_\' or \'-\', starting and ending with a letter or digit',
    ]);
  });

  it("requires the state resource group with a state storage account", () => {
    expect(messagesOf(variant({ stateBackend: { storageAccountName: "sensorsstate" } }))).toEqual([
      "dev: stateBackend.resourceGroupName: (missing) — required when stateBackend.storageAccountName is set",
    ]);
  });

  it("gives dev, staging and prod the documented shape", () => {
    const [dev, staging, prod] = loadEnvironments(["dev", "staging", "prod"], { variables: {} });
    expect(dev?.bdc.simulator.enabled).toBe(true);
    expect(staging?.bdc.simulator.enabled).toBe(false);
    expect(prod?.bdc.simulator.enabled).toBe(false);
    expect(prod?.eventHubs.sku).toBe("Premium");
    expect(dev?.bdc.release).toBeGreaterThanOrEqual(13);
    expect(prod?.bdc.spark.executors).toBeGreaterThan(dev?.bdc.spark.executors ?? Infinity);
    for (const env of [dev, staging, prod]) {
      expect(env?.bdc.deployerImage).toMatch(/^node:20-bookworm-slim@sha256:[0-9a-f]{64}$/);
      expect(env?.bdc.ensureSchedule).toBe("*/5 * * * *");
      expect(env?.bdc.gatewayUrl).toMatch(/^https:\/\/bdc-[a-z]+\.example\.internal:30443$/);
      expect(env?.hubRules.every((rule) => rule.send || rule.listen)).toBe(true);
    }
  });
});
