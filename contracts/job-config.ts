/**
 * The job config (docs/interfaces.md §3): the JSON file job.py reads with `--config`, the one definition of its
 * keys, rules and defaults. The deployer writes it from the plan; the job's own reader,
 * jobs/sensor_aggregation/job_config.py, keeps the same keys and defaults, and its tests check them against
 * the JSON Schema generated from this one (JOB_CONFIG_SCHEMA_FILE, shipped in the artifact). Pure: no I/O.
 */
import * as z from "zod/mini";
import { EVENT_HUBS_MAX_MESSAGE_BYTES, PRODUCE_REQUEST_OVERHEAD_BYTES, STATS_MESSAGE_BYTES_PER_CHARACTER, STATS_MESSAGE_FIXED_BYTES, producerMaxRequestBytes, worstStatsMessageBytes } from "./eventhubs-limits";

export const SECURITY_PROTOCOLS = ["SASL_SSL", "PLAINTEXT"] as const;
/** Spark's processing-time trigger, as job.py passes it on: `<n> seconds` (or milliseconds, minutes, hours). */
export const TRIGGER_INTERVAL = /^\d+ (milliseconds?|seconds?|minutes?|hours?)$/;
/** Database and table names go into SQL text: plain identifiers only. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The longest sensor name the job accepts by default (job_config.py keeps the same default). */
export const DEFAULT_MAX_SENSOR_LENGTH = 256;

/** HDFS's 60 s soft limit, the NameNode's recovery and a margin (job_config.py keeps the same default). */
export const DEFAULT_LEASE_WAIT_SECONDS = 90;

const text = () => z.string().check(z.minLength(1));
const identifier = (fallback: string) => z._default(z.string().check(z.regex(SQL_IDENTIFIER, { error: "letters, digits and _, not starting with a digit" })), fallback);
const positiveInt = () => z.int().check(z.positive());

/** The trigger a job config without `trigger_interval` runs with (job_config.py DEFAULTS, checked against the generated schema). */
export const DEFAULT_TRIGGER_INTERVAL = "15 seconds";

/** "15 seconds" → 15000 (the trigger_interval form, TRIGGER_INTERVAL); 60 s when it cannot be read. */
export function intervalMs(text: string): number {
  const m = /^(\d+) (millisecond|second|minute|hour)s?$/.exec(text);
  if (!m) return 60_000;
  return Number(m[1]) * { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000 }[m[2] as "second"];
}

export const jobConfigSchema = z.strictObject({
  bootstrap_servers: text(),
  input_topic: text(),
  output_topic: text(),
  checkpoint_location: text(),
  security_protocol: z._default(z.enum(SECURITY_PROTOCOLS), "SASL_SSL"),
  /** With SASL_SSL: the file holding the source's JAAS line (listen on input_topic); never the secret itself. */
  jaas_config_path: z.optional(text()),
  /** With SASL_SSL: the file holding the sink's JAAS line (send on output_topic). */
  output_jaas_config_path: z.optional(text()),
  starting_offsets: z._default(text(), "latest"),
  max_offsets_per_trigger: z.optional(positiveInt()),
  trigger_interval: z._default(z.string().check(z.regex(TRIGGER_INTERVAL, { error: "'<n> seconds' (or milliseconds, minutes, hours)" })), DEFAULT_TRIGGER_INTERVAL),
  fail_on_data_loss: z._default(z.boolean(), true),
  database: identifier("default"),
  data_table: identifier("sensor_data"),
  rejected_table: identifier("sensor_data_rejected"),
  stats_table: identifier("sensor_data_stats"),
  query_name: z._default(text(), "sensor-aggregation"),
  /** Bounds the per-batch collect of the stats to the driver (one row per sensor). */
  max_sensors_per_batch: z._default(positiveInt(), 100000),
  /** A message larger than this is rejected ("message too large"); also the bound of every stats message. */
  max_message_bytes: z._default(positiveInt(), EVENT_HUBS_MAX_MESSAGE_BYTES),
  /** A longer sensor name is rejected ("sensor name too long"): it bounds every stats message's size. */
  max_sensor_length: z._default(positiveInt(), DEFAULT_MAX_SENSOR_LENGTH),
  /** How long a starting driver waits for another holder's checkpoint lease to lapse (a killed driver's lapses
   * 60 s after its last renewal) before it exits, naming the holder (checkpoint_lease.py). */
  lease_wait_seconds: z._default(positiveInt(), DEFAULT_LEASE_WAIT_SECONDS),
}).check(
  z.refine((c) => worstStatsMessageBytes(c.max_sensor_length) <= producerMaxRequestBytes(c.max_message_bytes), {
    error: "max_sensor_length: a stats message of a name that long (10 bytes a character + 512) would not fit max_message_bytes less 1,024 bytes of request framing",
    path: ["max_sensor_length"],
  }),
);

export type JobConfig = z.output<typeof jobConfigSchema>;

/** The generated JSON Schema's file name, beside job.py in the sources and in the artifact. */
export const JOB_CONFIG_SCHEMA_FILE = "job-config.schema.json";

/** The JSON Schema of a job config file (what job.py accepts: defaulted keys may be left out), as shipped. */
export function jobConfigJsonSchema(): string {
  const schema = z.toJSONSchema(jobConfigSchema, { io: "input" });
  // The stats message bounds are not JSON Schema; job_config.py checks its copy against them (x- keys are ignored by validators).
  const bounds = { perCharacter: STATS_MESSAGE_BYTES_PER_CHARACTER, fixed: STATS_MESSAGE_FIXED_BYTES, produceRequestOverhead: PRODUCE_REQUEST_OVERHEAD_BYTES };
  return `${JSON.stringify({ $comment: "Generated from contracts/job-config.ts by `npm run gen:schemas`; do not edit.", ...schema, "x-stats-message-bytes": bounds }, null, 2)}\n`;
}
