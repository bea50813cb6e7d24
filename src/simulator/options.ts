/**
 * The simulator's options: validated once, from the strings the command line gives, into typed
 * values. Every problem is reported at once as `--flag: got '<value>'; allowed: <what>`.
 */
import { z } from "zod";
import { DEFAULT_CONNECTION_STRING_ENV } from "./credentials";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type Compression = (typeof COMPRESSIONS)[number];
/** Event Hubs' Kafka endpoint accepts gzip only. */
export const EVENTHUBS_COMPRESSIONS: readonly Compression[] = ["none", "gzip"];
export const MAX_SEED = 2 ** 31 - 1;

/** Raw values as the command line gives them (commander's camelCase keys). */
export interface RawSimulatorOptions {
  topic?: string;
  bootstrapServer?: string;
  securityProtocol?: string;
  connectionStringEnv?: string;
  connectionStringFile?: string;
  caFile?: string;
  rate?: string;
  count?: string;
  duration?: string;
  seed?: string;
  sensors?: string;
  sensorNames?: string;
  malformedFraction?: string;
  keyBySensor?: boolean;
  compression?: string;
  acks?: string;
  batchSize?: string;
  maxInFlight?: string;
  progressInterval?: string;
  connectTimeout?: string;
  clientId?: string;
}

export interface SimulatorOptions {
  /** Kafka topic (event hub) to send to. */
  readonly topic: string;
  /** host:port list; for SASL_SSL without --bootstrap-server it comes from the connection string. */
  readonly bootstrapServers?: readonly string[];
  readonly securityProtocol: SecurityProtocol;
  /** Where the Event Hubs connection string is read from (SASL_SSL only). */
  readonly connectionStringEnv: string;
  readonly connectionStringFile?: string;
  /** Extra CA bundle (PEM) to trust for TLS. */
  readonly caFile?: string;
  /** Events per second; Infinity when unthrottled (`--rate max`). */
  readonly ratePerSecond: number;
  /** Stop after this many events. */
  readonly count?: number;
  /** Stop after this many milliseconds. */
  readonly durationMs?: number;
  /** PRNG seed; undefined means pick one (the CLI prints it so a run can be repeated). */
  readonly seed?: number;
  readonly sensors: readonly string[];
  readonly malformedFraction: number;
  readonly keyBySensor: boolean;
  readonly compression: Compression;
  /** -1 waits for all in-sync replicas, 1 for the leader only. */
  readonly acks: -1 | 1;
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly progressIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly clientId: string;
}

export class OptionsError extends Error {
  override name = "OptionsError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid options:\n  ${problems.join("\n  ")}`);
  }
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90" (seconds), "500ms", "30s", "5m", "1h" → milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] ?? "s"];
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

const intIn = (min: number, max: number, allowed: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, allowed)
    .transform(Number)
    .refine((n) => n >= min && n <= max, allowed);

const numberIn = (min: number, max: number, allowed: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?([eE][-+]?\d+)?$/, allowed)
    .transform(Number)
    .refine((n) => n >= min && n <= max, allowed);

const duration = (allowed: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: allowed });
      return z.NEVER;
    }
    return ms;
  });

const oneOf = <T extends string>(values: readonly T[], allowed: string) =>
  z
    .string()
    .trim()
    .transform((text) => (values.find((v) => v.toLowerCase() === text.toLowerCase()) ?? text) as T)
    .refine((v) => values.includes(v), allowed);

const hostPortList = z
  .string()
  .transform((text) => text.split(",").map((s) => s.trim()).filter(Boolean))
  .refine(
    (list) => list.length > 0 && list.every((hp) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(hp) && Number(hp.split(":")[1]) <= 65535),
    "a comma-separated list of host:port (e.g. 127.0.0.1:9092 or <namespace>.servicebus.windows.net:9093)",
  );

const schema = z.object({
  topic: z.string({ error: "a topic (event hub) name; --topic is required" }).regex(/^[A-Za-z0-9._-]{1,249}$/, "1-249 characters of letters, digits, '.', '_' and '-'"),
  bootstrapServer: hostPortList.optional(),
  securityProtocol: oneOf(SECURITY_PROTOCOLS, `one of ${SECURITY_PROTOCOLS.join(", ")}`).default("PLAINTEXT"),
  connectionStringEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name").optional(),
  connectionStringFile: z.string().min(1, "a file path").optional(),
  caFile: z.string().min(1, "a PEM file path").optional(),
  rate: z
    .string()
    .default("10")
    .transform((text, ctx) => {
      if (/^(max|unlimited)$/i.test(text.trim())) return Infinity;
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 10_000_000) {
        ctx.addIssue({ code: "custom", message: "events per second, a number > 0 (up to 10000000), or 'max' for unthrottled" });
        return z.NEVER;
      }
      return n;
    }),
  count: intIn(1, Number.MAX_SAFE_INTEGER, "a whole number of events ≥ 1").optional(),
  duration: duration("a duration > 0 such as 90 (seconds), 500ms, 30s, 5m or 1h").optional(),
  seed: intIn(0, MAX_SEED, `a whole number from 0 to ${MAX_SEED}`).optional(),
  sensors: intIn(1, 100_000, "a whole number of sensors from 1 to 100000").optional(),
  sensorNames: z
    .string()
    .transform((text) => text.split(",").map((s) => s.trim()))
    .refine((names) => names.every((n) => n.length > 0) && new Set(names).size === names.length, "a comma-separated list of distinct, non-empty sensor names")
    .optional(),
  malformedFraction: numberIn(0, 1, "a fraction from 0 to 1 (e.g. 0.05)").default(0),
  keyBySensor: z.boolean().default(false),
  compression: oneOf(COMPRESSIONS, `one of ${COMPRESSIONS.join(", ")}`).default("none"),
  acks: oneOf(["all", "leader"] as const, "all or leader").default("all"),
  batchSize: intIn(1, 100_000, "a whole number of messages per produce request from 1 to 100000").default(5000),
  maxInFlight: intIn(1, 64, "a whole number of produce requests in flight from 1 to 64").default(8),
  progressInterval: duration("a duration > 0 such as 2s or 500ms").default(2000),
  connectTimeout: duration("a duration > 0 such as 10s").default(10_000),
  clientId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "1-100 characters of letters, digits, '.', '_' and '-'").default("sensor-simulator"),
});

const FLAG_NAMES: Record<string, string> = {
  topic: "--topic",
  bootstrapServer: "--bootstrap-server",
  securityProtocol: "--security-protocol",
  connectionStringEnv: "--connection-string-env",
  connectionStringFile: "--connection-string-file",
  caFile: "--ca-file",
  rate: "--rate",
  count: "--count",
  duration: "--duration",
  seed: "--seed",
  sensors: "--sensors",
  sensorNames: "--sensor-names",
  malformedFraction: "--malformed-fraction",
  keyBySensor: "--key-by-sensor",
  compression: "--compression",
  acks: "--acks",
  batchSize: "--batch-size",
  maxInFlight: "--max-in-flight",
  progressInterval: "--progress-interval",
  connectTimeout: "--connect-timeout",
  clientId: "--client-id",
};

function describe(field: string, raw: RawSimulatorOptions, message: string): string {
  const value = raw[field as keyof RawSimulatorOptions];
  const got = value === undefined ? "nothing" : `'${String(value)}'`;
  return `${FLAG_NAMES[field] ?? field}: got ${got}; allowed: ${message}`;
}

/** Validates raw command-line values; throws OptionsError listing every problem. */
export function parseSimulatorOptions(raw: RawSimulatorOptions): SimulatorOptions {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new OptionsError(result.error.issues.map((issue) => describe(String(issue.path[0] ?? ""), raw, issue.message)));
  }
  const v = result.data;
  const problems: string[] = [];
  const eventHubs = v.securityProtocol === "SASL_SSL";
  if (v.count !== undefined && v.duration !== undefined) {
    problems.push("--count and --duration: give one of them (or neither, to run until Ctrl-C)");
  }
  if (v.sensors !== undefined && v.sensorNames !== undefined) {
    problems.push("--sensors and --sensor-names: give one of them (--sensors N names them 'Sensor 1'..'Sensor N')");
  }
  if (eventHubs && !EVENTHUBS_COMPRESSIONS.includes(v.compression)) {
    problems.push(`--compression: got '${v.compression}'; allowed with SASL_SSL (Event Hubs): ${EVENTHUBS_COMPRESSIONS.join(", ")}`);
  }
  if (!eventHubs) {
    for (const field of ["connectionStringEnv", "connectionStringFile", "caFile"] as const) {
      if (raw[field] !== undefined) problems.push(`${FLAG_NAMES[field]}: applies to --security-protocol SASL_SSL only`);
    }
  }
  if (problems.length > 0) throw new OptionsError(problems);

  const sensorCount = v.sensors ?? 3;
  return {
    topic: v.topic,
    bootstrapServers: v.bootstrapServer ?? (eventHubs ? undefined : ["127.0.0.1:9092"]),
    securityProtocol: v.securityProtocol,
    connectionStringEnv: v.connectionStringEnv ?? DEFAULT_CONNECTION_STRING_ENV,
    connectionStringFile: v.connectionStringFile,
    caFile: v.caFile,
    ratePerSecond: v.rate,
    count: v.count,
    durationMs: v.duration,
    seed: v.seed,
    sensors: v.sensorNames ?? Array.from({ length: sensorCount }, (_, i) => `Sensor ${i + 1}`),
    malformedFraction: v.malformedFraction,
    keyBySensor: v.keyBySensor,
    compression: v.compression,
    acks: v.acks === "all" ? -1 : 1,
    batchSize: v.batchSize,
    maxInFlight: v.maxInFlight,
    progressIntervalMs: v.progressInterval,
    connectTimeoutMs: v.connectTimeout,
    clientId: v.clientId,
  };
}
