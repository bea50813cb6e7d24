import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { GENERATED_SCHEMAS } from "./generated-schemas";
import { jobConfigSchema } from "./job-config";

test.each(GENERATED_SCHEMAS.map((s) => [relative(process.cwd(), s.path), s] as const))("%s is what `npm run gen:schemas` writes", (_, schema) => {
  expect(readFileSync(schema.path, "utf8")).toBe(schema.content());
});

test("the job config fills the job's defaults, refuses unknown keys and names what is allowed", () => {
  const minimal = { bootstrap_servers: "b:9093", input_topic: "i", output_topic: "o", checkpoint_location: "/c" };
  expect(jobConfigSchema.parse(minimal)).toMatchObject({ security_protocol: "SASL_SSL", trigger_interval: "15 seconds", max_sensors_per_batch: 100000, stats_table: "sensor_data_stats" });
  expect(jobConfigSchema.safeParse({ ...minimal, jaas_config: "secret" }).success).toBe(false);
  const bad = jobConfigSchema.safeParse({ ...minimal, stats_table: "x; DROP TABLE y", trigger_interval: "soon" });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
    "trigger_interval: '<n> seconds' (or milliseconds, minutes, hours)",
    "stats_table: letters, digits and _, not starting with a digit",
  ]);
});
