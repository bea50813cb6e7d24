import { buildCommand } from "../../src/simulator/command";
import { OptionsError, parseDurationMs, parseSimulatorOptions, SIMULATOR_OPTIONS, type RawSimulatorOptions } from "../../src/simulator/options";

function problems(raw: RawSimulatorOptions): string[] {
  try {
    parseSimulatorOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return [...(error as OptionsError).problems];
  }
  throw new Error("expected the options to be refused");
}

describe("simulator options", () => {
  it("fills defaults: local PLAINTEXT broker, 10 events/s, 3 sensors, no malformed, acks all", () => {
    expect(parseSimulatorOptions({ topic: "sensor-readings" })).toEqual({
      topic: "sensor-readings",
      bootstrapServers: ["127.0.0.1:9092"],
      securityProtocol: "PLAINTEXT",
      connectionStringEnv: "EVENTHUBS_CONNECTION_STRING",
      connectionStringFile: undefined,
      caFile: undefined,
      ratePerSecond: 10,
      count: undefined,
      durationMs: undefined,
      seed: undefined,
      sensors: ["Sensor 1", "Sensor 2", "Sensor 3"],
      malformedFraction: 0,
      keyBySensor: false,
      compression: "none",
      acks: -1,
      batchSize: 5000,
      maxInFlight: 8,
      progressIntervalMs: 2000,
      connectTimeoutMs: 10_000,
    });
  });

  it("parses every option", () => {
    const options = parseSimulatorOptions({
      topic: "t",
      bootstrapServer: "a:1, b:2",
      securityProtocol: "sasl_ssl",
      connectionStringFile: "/run/secret",
      rate: "max",
      duration: "5m",
      seed: "42",
      sensorNames: "north,south",
      malformedFraction: "0.05",
      keyBySensor: true,
      compression: "GZIP",
      acks: "leader",
      batchSize: "500",
      maxInFlight: "4",
      progressInterval: "500ms",
    });
    expect(options).toMatchObject({
      bootstrapServers: ["a:1", "b:2"],
      securityProtocol: "SASL_SSL",
      connectionStringFile: "/run/secret",
      ratePerSecond: Infinity,
      durationMs: 300_000,
      seed: 42,
      sensors: ["north", "south"],
      malformedFraction: 0.05,
      keyBySensor: true,
      compression: "gzip",
      acks: 1,
      batchSize: 500,
      maxInFlight: 4,
      progressIntervalMs: 500,
    });
  });

  it("leaves the SASL_SSL bootstrap to the connection string when not given", () => {
    expect(parseSimulatorOptions({ topic: "t", securityProtocol: "SASL_SSL" }).bootstrapServers).toBeUndefined();
    expect(parseSimulatorOptions({ topic: "t", sensors: "5" }).sensors).toEqual(["Sensor 1", "Sensor 2", "Sensor 3", "Sensor 4", "Sensor 5"]);
  });

  it.each<[string, RawSimulatorOptions, RegExp]>([
    ["missing topic", {}, /^--topic: got nothing; allowed: a topic \(event hub\) name; --topic is required$/],
    ["bad topic", { topic: "a b" }, /^--topic: got 'a b'; allowed: 1-249 characters/],
    ["rate", { topic: "t", rate: "fast" }, /^--rate: got 'fast'; allowed: events per second, a number > 0.*'max'/],
    ["zero rate", { topic: "t", rate: "0" }, /^--rate: got '0'/],
    ["count", { topic: "t", count: "1.5" }, /^--count: got '1.5'; allowed: a whole number of events ≥ 1$/],
    ["duration", { topic: "t", duration: "soon" }, /^--duration: got 'soon'; allowed: a duration > 0 such as 90 \(seconds\), 500ms, 30s, 5m or 1h$/],
    ["seed", { topic: "t", seed: "-1" }, /^--seed: got '-1'; allowed: a whole number from 0 to 2147483647$/],
    ["malformed", { topic: "t", malformedFraction: "1.5" }, /^--malformed-fraction: got '1.5'; allowed: a fraction from 0 to 1/],
    ["compression", { topic: "t", compression: "brotli" }, /^--compression: got 'brotli'; allowed: one of none, gzip, snappy, lz4, zstd$/],
    ["protocol", { topic: "t", securityProtocol: "SSL" }, /^--security-protocol: got 'SSL'; allowed: one of PLAINTEXT, SASL_SSL$/],
    ["bootstrap", { topic: "t", bootstrapServer: "localhost" }, /^--bootstrap-server: got 'localhost'; allowed: a comma-separated list of host:port/],
    ["sensor names", { topic: "t", sensorNames: "a,,b" }, /^--sensor-names: got 'a,,b'; allowed: a comma-separated list of distinct, non-empty/],
    ["acks", { topic: "t", acks: "0" }, /^--acks: got '0'; allowed: all or leader$/],
    ["batch size", { topic: "t", batchSize: "0" }, /^--batch-size: got '0'/],
    ["count and duration", { topic: "t", count: "1", duration: "1s" }, /^--count and --duration: give one of them/],
    ["sensors twice", { topic: "t", sensors: "2", sensorNames: "a,b" }, /^--sensors and --sensor-names: give one of them/],
    ["non-gzip to Event Hubs", { topic: "t", securityProtocol: "SASL_SSL", compression: "lz4" }, /^--compression: got 'lz4'; allowed with SASL_SSL \(Event Hubs\): none, gzip$/],
    ["secret source without SASL", { topic: "t", connectionStringEnv: "X" }, /^--connection-string-env: applies to --security-protocol SASL_SSL only$/],
  ])("refuses %s with a message naming the flag and what is allowed", (_, raw, expected) => {
    const found = problems(raw);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it("lists every problem at once", () => {
    const error = (() => {
      try {
        parseSimulatorOptions({ topic: "t", rate: "x", count: "y", seed: "z" });
      } catch (e) {
        return e as OptionsError;
      }
      throw new Error("expected a refusal");
    })();
    expect(error.problems.map((p) => p.split(":")[0])).toEqual(["--rate", "--count", "--seed"]);
    expect(error.message).toContain("invalid options:");
  });

  it("parses durations", () => {
    expect(parseDurationMs("90")).toBe(90_000);
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("1.5m")).toBe(90_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
    expect(parseDurationMs("0s")).toBeUndefined();
    expect(parseDurationMs("5 days")).toBeUndefined();
  });
});

describe("the option table", () => {
  const command = buildCommand();

  it("gives the CLI one flag per table entry, under the table's key, with the table's default and help", () => {
    const byKey = new Map(command.options.map((o) => [o.attributeName(), o]));
    expect([...byKey.keys()].sort()).toEqual(Object.keys(SIMULATOR_OPTIONS).sort());
    for (const [key, spec] of Object.entries(SIMULATOR_OPTIONS)) {
      const flag = byKey.get(key)!;
      expect(flag.long).toBe(spec.flag);
      expect(flag.description).toBe(spec.help);
      expect(flag.defaultValue).toBe("default" in spec && typeof spec.default === "string" ? spec.default : undefined);
      expect(flag.mandatory).toBe("required" in spec);
    }
  });

  it("parses the CLI's defaults into the same options as the table's own defaults", () => {
    const fromCli = command.parse(["--topic", "t"], { from: "user" }).opts<RawSimulatorOptions>();
    expect(parseSimulatorOptions(fromCli)).toEqual(parseSimulatorOptions({ topic: "t" }));
  });

  it("names a bad value by its flag", () => {
    expect(problems({ topic: "t", connectTimeout: "soon" })).toEqual(["--connect-timeout: got 'soon'; allowed: a duration > 0 such as 10s"]);
  });
});
