/**
 * The simulator's options: validated once, from the strings the command line gives, into typed
 * values. Every problem is reported at once as `--flag: got '<value>'; allowed: <what>`.
 */
import * as z from "zod";
import { DEFAULT_CONNECTION_STRING_ENV } from "./credentials";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type Compression = (typeof COMPRESSIONS)[number];
/** Event Hubs' Kafka endpoint accepts gzip only. */
export const EVENTHUBS_COMPRESSIONS: readonly Compression[] = ["none", "gzip"];
export const MAX_SEED = 2 ** 31 - 1;

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

/** One command-line option: its flag, its validation and default, and its help, declared once. */
interface OptionSpec {
  readonly flag: `--${string}`;
  /** The value's placeholder in the help, e.g. "<n>"; absent for a switch. */
  readonly value?: string;
  /** Validates (and converts) the value as the command line gives it. */
  readonly schema: z.ZodType;
  /** The default, as it would be typed on the command line (false for a switch). */
  readonly default?: string | boolean;
  readonly required?: true;
  readonly help: string;
}
const option = <const T extends OptionSpec>(spec: T): T => spec;

/**
 * Every simulator option. The CLI (cli.ts) declares its flags from this table and parseSimulatorOptions validates
 * with it; each key is commander's name for its flag (options.spec.ts checks it).
 */
export const SIMULATOR_OPTIONS = {
  topic: option({ flag: "--topic", value: "<name>", required: true, help: "topic (event hub) to send to",
    schema: z.string({ error: "a topic (event hub) name; --topic is required" }).regex(/^[A-Za-z0-9._-]{1,249}$/, "1-249 characters of letters, digits, '.', '_' and '-'") }),
  bootstrapServer: option({ flag: "--bootstrap-server", value: "<host:port,...>", schema: hostPortList,
    help: "brokers (default 127.0.0.1:9092; with SASL_SSL, <namespace host>:9093 from the connection string)" }),
  securityProtocol: option({ flag: "--security-protocol", value: "<protocol>", default: "PLAINTEXT", schema: oneOf(SECURITY_PROTOCOLS, `one of ${SECURITY_PROTOCOLS.join(", ")}`),
    help: "PLAINTEXT for a local broker, SASL_SSL for Event Hubs" }),
  connectionStringEnv: option({ flag: "--connection-string-env", value: "<name>", schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"),
    help: `environment variable holding the Event Hubs connection string (default ${DEFAULT_CONNECTION_STRING_ENV})` }),
  connectionStringFile: option({ flag: "--connection-string-file", value: "<path>", schema: z.string().min(1, "a file path"), help: "file holding the Event Hubs connection string" }),
  caFile: option({ flag: "--ca-file", value: "<path>", schema: z.string().min(1, "a PEM file path"), help: "CA certificates (PEM) to trust for TLS besides the public roots" }),
  rate: option({ flag: "--rate", value: "<events/s|max>", default: "10", help: "events per second, or 'max' for unthrottled",
    schema: z.string().transform((text, ctx) => {
      if (/^(max|unlimited)$/i.test(text.trim())) return Infinity;
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 10_000_000) {
        ctx.addIssue({ code: "custom", message: "events per second, a number > 0 (up to 10000000), or 'max' for unthrottled" });
        return z.NEVER;
      }
      return n;
    }) }),
  count: option({ flag: "--count", value: "<n>", schema: intIn(1, Number.MAX_SAFE_INTEGER, "a whole number of events ≥ 1"), help: "stop after n events" }),
  duration: option({ flag: "--duration", value: "<time>", schema: duration("a duration > 0 such as 90 (seconds), 500ms, 30s, 5m or 1h"), help: "stop after this long (e.g. 90, 30s, 5m)" }),
  seed: option({ flag: "--seed", value: "<n>", schema: intIn(0, MAX_SEED, `a whole number from 0 to ${MAX_SEED}`), help: "seed for reproducible readings (default: random, printed)" }),
  sensors: option({ flag: "--sensors", value: "<n>", schema: intIn(1, 100_000, "a whole number of sensors from 1 to 100000"), help: "number of sensors, named 'Sensor 1'..'Sensor n' (default 3)" }),
  sensorNames: option({ flag: "--sensor-names", value: "<a,b,...>", help: "explicit sensor names",
    schema: z.string().transform((text) => text.split(",").map((s) => s.trim()))
      .refine((names) => names.every((n) => n.length > 0) && new Set(names).size === names.length, "a comma-separated list of distinct, non-empty sensor names") }),
  malformedFraction: option({ flag: "--malformed-fraction", value: "<0..1>", default: "0", schema: numberIn(0, 1, "a fraction from 0 to 1 (e.g. 0.05)"),
    help: "fraction of malformed messages, to exercise the job's rejection path" }),
  keyBySensor: option({ flag: "--key-by-sensor", default: false, schema: z.boolean(), help: "use the sensor name as the message key (same sensor → same partition)" }),
  compression: option({ flag: "--compression", value: "<codec>", default: "none", schema: oneOf(COMPRESSIONS, `one of ${COMPRESSIONS.join(", ")}`),
    help: `${COMPRESSIONS.join(", ")} (Event Hubs: ${EVENTHUBS_COMPRESSIONS.join(" or ")})` }),
  acks: option({ flag: "--acks", value: "<all|leader>", default: "all", schema: oneOf(["all", "leader"] as const, "all or leader"),
    help: "acknowledgement the broker gives before a message counts as delivered" }),
  batchSize: option({ flag: "--batch-size", value: "<n>", default: "5000", schema: intIn(1, 100_000, "a whole number of messages per produce request from 1 to 100000"),
    help: "most messages per produce request (fewer at low rates)" }),
  maxInFlight: option({ flag: "--max-in-flight", value: "<n>", default: "8", schema: intIn(1, 64, "a whole number of produce requests in flight from 1 to 64"),
    help: "produce requests awaiting acknowledgement at once" }),
  progressInterval: option({ flag: "--progress-interval", value: "<time>", default: "2s", schema: duration("a duration > 0 such as 2s or 500ms"), help: "how often to print progress" }),
  connectTimeout: option({ flag: "--connect-timeout", value: "<time>", default: "10s", schema: duration("a duration > 0 such as 10s"), help: "how long to wait for a broker connection" }),
} as const;

type OptionTable = typeof SIMULATOR_OPTIONS;
/** Raw values as the command line gives them (commander's camelCase keys). */
export type RawSimulatorOptions = { [K in keyof OptionTable]?: z.input<OptionTable[K]["schema"]> };
type ParsedOptions = {
  [K in keyof OptionTable]: OptionTable[K] extends { readonly default: unknown } | { readonly required: true }
    ? z.output<OptionTable[K]["schema"]>
    : z.output<OptionTable[K]["schema"]> | undefined;
};

const schema = z.object(
  Object.fromEntries(
    Object.entries(SIMULATOR_OPTIONS).map(([key, spec]: [string, OptionSpec]) => [
      key,
      spec.default !== undefined ? spec.schema.prefault(spec.default) : spec.required ? spec.schema : spec.schema.optional(),
    ]),
  ),
) as unknown as z.ZodType<ParsedOptions, RawSimulatorOptions>;

function flagOf(field: string): string {
  return (SIMULATOR_OPTIONS as Record<string, OptionSpec>)[field]?.flag ?? field;
}

function describe(field: string, raw: RawSimulatorOptions, message: string): string {
  const value = raw[field as keyof RawSimulatorOptions];
  const got = value === undefined ? "nothing" : `'${String(value)}'`;
  return `${flagOf(field)}: got ${got}; allowed: ${message}`;
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
      if (raw[field] !== undefined) problems.push(`${flagOf(field)}: applies to --security-protocol SASL_SSL only`);
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
  };
}
