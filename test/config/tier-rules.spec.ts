import { messagesOf, variant, errorOf } from "./helpers";

describe("Event Hubs tier rules: each bad value is refused with env, field, value and what is allowed", () => {
  it("refuses the Basic SKU (no Kafka endpoint)", () => {
    expect(messagesOf(variant({ eventHubs: { sku: "Basic" } }))).toEqual([
      'dev: eventHubs.sku: "Basic" — Standard or Premium (Basic has no Kafka endpoint)',
    ]);
  });

  it("refuses 33 partitions on Standard but accepts them on Premium", () => {
    const topics = { "sensor-readings": { partitions: 33 } };
    expect(messagesOf(variant({ eventHubs: { topics } }))).toEqual([
      "dev: eventHubs.topics.sensor-readings.partitions: 33 — 1 to 32 on Standard (Premium: up to 100)",
    ]);
    expect(messagesOf(variant({ eventHubs: { topics } }, "prod"), "prod")).toEqual([]);
  });

  it("refuses 101 partitions on Premium", () => {
    expect(messagesOf(variant({ eventHubs: { topics: { "sensor-stats": { partitions: 101 } } } }, "prod"), "prod")).toEqual([
      "prod: eventHubs.topics.sensor-stats.partitions: 101 — 1 to 100 on Premium (Standard: up to 32)",
    ]);
  });

  it("refuses 8 days retention on Standard and 91 on Premium", () => {
    expect(messagesOf(variant({ eventHubs: { topics: { "sensor-stats": { retentionDays: 8 } } } }))).toEqual([
      "dev: eventHubs.topics.sensor-stats.retentionDays: 8 — 1 to 7 days on Standard (Premium: up to 90)",
    ]);
    expect(messagesOf(variant({ eventHubs: { topics: { "sensor-readings": { retentionDays: 91 } } } }, "prod"), "prod")).toEqual([
      "prod: eventHubs.topics.sensor-readings.retentionDays: 91 — 1 to 90 days on Premium (Standard: up to 7)",
    ]);
  });

  it("refuses zero partitions whatever the SKU", () => {
    expect(messagesOf(variant({ eventHubs: { topics: { "sensor-readings": { partitions: 0 } } } }))).toEqual([
      "dev: eventHubs.topics.sensor-readings.partitions: 0 — partitions: at least 1",
    ]);
  });

  it.each([
    ["too short", "ab-1"],
    ["starts with a digit", "1sensors-dev"],
    ["ends with a hyphen", "sensors-dev-"],
    ["has an underscore", "sensors_dev_x"],
    ["is 51 characters long", `s${"x".repeat(50)}`],
  ])("refuses a namespace name that %s", (_why, name) => {
    expect(messagesOf(variant({ eventHubs: { namespaceName: name } }))).toEqual([
      `dev: eventHubs.namespaceName: "${name}" — 6–50 characters matching ^[a-zA-Z][-a-zA-Z0-9]{4,48}[a-zA-Z0-9]$`,
    ]);
  });

  it("accepts 6 and 50 character namespace names", () => {
    expect(messagesOf(variant({ eventHubs: { namespaceName: "abcde1" } }))).toEqual([]);
    expect(messagesOf(variant({ eventHubs: { namespaceName: `a${"b".repeat(48)}1` } }))).toEqual([]);
  });

  it("checks the derived namespace name too", () => {
    expect(messagesOf(variant({ namePrefix: "s", uniqueSuffix: "ab12" }))).toEqual([
      'dev: namePrefix: "s" — name prefix: 2–12 lower-case letters and digits, starting with a letter',
    ]);
  });

  it("refuses more than 10 event hubs on Standard", () => {
    const extra = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`extra-${i}`, { partitions: 1, retentionDays: 1 }]));
    expect(messagesOf(variant({ eventHubs: { topics: extra } }))).toEqual([
      'dev: eventHubs.topics: "11 event hubs" — at most 10 event hubs per namespace on Standard',
    ]);
  });

  it("refuses a load that needs more than 40 throughput units on Standard", () => {
    const expectedLoad = { peakEventsPerSecond: 40_000, averageEventSizeBytes: 100, headroomPercent: 0 };
    const bdc = { spark: { executors: 4 }, job: { maxOffsetsPerTrigger: 1_200_000 } }; // a Spark sizing that keeps up with it
    expect(messagesOf(variant({ eventHubs: { expectedLoad }, bdc }))).toEqual([]);
    const tooMuch = { ...expectedLoad, peakEventsPerSecond: 40_001 };
    expect(messagesOf(variant({ eventHubs: { expectedLoad: tooMuch }, bdc: { ...bdc, simulator: { eventsPerSecond: 1 } } }))).toEqual([
      'dev: eventHubs.expectedLoad: {"peakEventsPerSecond":40001,"averageEventSizeBytes":100,"headroomPercent":0} — a load needing 1–40 throughput units on Standard (this needs 41); lower it or use Premium',
    ]);
  });

  it("refuses a load that needs more than 16 processing units on Premium", () => {
    const expectedLoad = { peakEventsPerSecond: 80_001, averageEventSizeBytes: 100, headroomPercent: 0 };
    expect(messagesOf(variant({ eventHubs: { expectedLoad }, bdc: { job: { maxOffsetsPerTrigger: 4_800_060 } } }, "prod"), "prod")).toEqual([
      'prod: eventHubs.expectedLoad: {"peakEventsPerSecond":80001,"averageEventSizeBytes":100,"headroomPercent":0} — a load needing at most 16 processing units on Premium (allowed: 1, 2, 4, 6, 8, 10, 12, 16)',
    ]);
  });

  it("refuses an auto-inflate maximum below the capacity or above 40", () => {
    const staging = (maximumThroughputUnits: number) => variant({ eventHubs: { autoInflate: { enabled: true, maximumThroughputUnits } } }, "staging");
    expect(messagesOf(staging(2), "staging")).toEqual([
      "staging: eventHubs.autoInflate.maximumThroughputUnits: 2 — at least the capacity, 3 throughput units",
    ]);
    expect(messagesOf(staging(41), "staging")).toEqual([
      "staging: eventHubs.autoInflate.maximumThroughputUnits: 41 — at most 40 throughput units on Standard",
    ]);
    expect(messagesOf(staging(3), "staging")).toEqual([]);
  });

  it("refuses auto-inflate on Premium", () => {
    expect(messagesOf(variant({ eventHubs: { autoInflate: { enabled: true } } }, "prod"), "prod")).toEqual([
      "prod: eventHubs.autoInflate.enabled: true — false on Premium (auto-inflate is a Standard feature; Premium scales by processing units)",
    ]);
  });

  it("refuses more than 12 authorization rules per namespace", () => {
    const access = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`reader-${i}`, { send: [], listen: ["sensor-readings", "sensor-stats"] }]));
    expect(messagesOf(variant({ eventHubs: { access } }))).toEqual([
      'dev: eventHubs.access: "14 authorization rules" — at most 12 authorization rules per namespace (one per principal and topic)',
    ]);
  });

  it("refuses rights on a topic that does not exist", () => {
    expect(messagesOf(variant({ eventHubs: { access: { "stats-consumer": { listen: ["sensor-stat"] } } } }))).toEqual([
      'dev: eventHubs.access.stats-consumer.listen.0: "sensor-stat" — a topic of this environment (sensor-readings, sensor-stats)',
    ]);
  });

  it("requires the job's own rights and the simulator's while it runs", () => {
    expect(messagesOf(variant({ eventHubs: { access: { "aggregation-job": { send: [] } } } }))).toEqual([
      'dev: eventHubs.access.aggregation-job: {"send":[],"listen":["sensor-readings"]} — required: listen on sensor-readings and send to sensor-stats (the aggregation job)',
    ]);
    expect(messagesOf(variant({ eventHubs: { access: { simulator: { send: ["sensor-stats"] } } } }))).toEqual([
      'dev: eventHubs.access.simulator: {"send":["sensor-stats"],"listen":[]} — required while bdc.simulator.enabled: send to sensor-readings',
    ]);
  });

  it("requires the two pipeline topics", () => {
    const input = variant({});
    delete (input.eventHubs.topics as Record<string, unknown>)["sensor-stats"];
    expect(messagesOf(input)).toContain("dev: eventHubs.topics.sensor-stats: (missing) — required: the pipeline reads or writes this topic");
  });

  it("refuses IP rules with default action Allow", () => {
    expect(messagesOf(variant({ eventHubs: { network: { ipRules: ["203.0.113.0/24"] } } }))).toEqual([
      'dev: eventHubs.network.defaultAction: "Allow" — Deny when ipRules are given (with Allow, IP rules have no effect)',
    ]);
  });

  it("refuses a simulator faster than the expected peak", () => {
    expect(messagesOf(variant({ bdc: { simulator: { eventsPerSecond: 201 } } }))).toEqual([
      "dev: bdc.simulator.eventsPerSecond: 201 — at most eventHubs.expectedLoad.peakEventsPerSecond (200)",
    ]);
  });

  it("reports every violation at once in one ConfigError", () => {
    const input = variant({
      eventHubs: {
        sku: "Basic",
        namespaceName: "bad_name",
        topics: { "sensor-readings": { partitions: 33, retentionDays: 8 } },
      },
      bdc: { release: 8 },
    });
    const error = errorOf(input);
    expect(error.violations.map((v) => v.path)).toEqual([
      "eventHubs.sku",
      "bdc.release",
      "eventHubs.namespaceName",
      "eventHubs.topics.sensor-readings.partitions",
      "eventHubs.topics.sensor-readings.retentionDays",
    ]);
    expect(error.message).toContain("Invalid environment configuration (5 problems):");
    expect(error.message).toContain('dev: eventHubs.sku: "Basic" — Standard or Premium');
    expect(error.message).toContain('dev: eventHubs.namespaceName: "bad_name" — 6–50 characters');
    expect(error.message).toContain("dev: eventHubs.topics.sensor-readings.partitions: 33 — 1 to 32 on Standard");
    expect(error.message).toContain("dev: eventHubs.topics.sensor-readings.retentionDays: 8 — 1 to 7 days on Standard");
    expect(error.message).toContain("dev: bdc.release: 8 — CU9 or later");
  });
});
