// `npm run plan`: synthesizes every environment (main.ts, no credentials needed) and prints, per environment,
// a short table of what it would create, read back from the synthesized Terraform JSON.
// SENSORS_ENV / CDKTF_OUTDIR are passed through, so `SENSORS_ENV=prod npm run plan` summarizes prod only.
// It synthesizes in plan mode (SENSORS_SYNTH_MODE=plan): an environment that requires remote state and has none
// is still summarized, with a warning, and its stacks get a backend `cdktf deploy` cannot init.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { DEFAULT_TRIGGER_SECONDS, ENVIRONMENT_NAMES, loadEnvironment, SYNTH_MODE_VARIABLE, type DerivableSizing } from "../config";
import { intervalMs } from "../contracts/job-config";
import { CATCH_UP, MEASURED_BATCH_COST, MEASURED_JOB_RATE, sparkSizing, TARGET_BUSY } from "../config/spark-sizing";
import { PLAN_ONLY_BACKEND } from "../stacks/lib/plan-only-backend";

type Block = Record<string, unknown>;
interface StackJson {
  resource?: Record<string, Record<string, Block>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  terraform?: { backend?: Record<string, Block> };
}
interface Manifest {
  stacks: Record<string, { name: string; synthesizedStackPath: string }>;
}

const root = resolve(__dirname, "..");
/** Stack parts (`sensors-<env>-<part>`) in the order they are deployed. */
const DEPLOY_ORDER: readonly string[] = ["eventhubs", "bdc"];
const outdir = resolve(root, process.env.CDKTF_OUTDIR ?? "cdktf.out");

/** Runs main.ts the way `cdktf synth` does, in plan mode; on failure (e.g. a ConfigError) prints its message and exits. */
function synthesize(): void {
  console.log(`Synthesizing ${process.env.SENSORS_ENV ? `environment(s) ${process.env.SENSORS_ENV}` : "every environment"} into ${outdir} ...`);
  const started = Date.now();
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const result = spawnSync(tsx, ["main.ts"], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir, [SYNTH_MODE_VARIABLE]: "plan" }, encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(result.stderr || result.stdout || `main.ts failed (${String(result.error ?? result.signal)})\n`);
    process.exit(1);
  }
  // Its warnings: which environments are plan only, and the variables that would make them deployable.
  process.stderr.write(result.stderr);
  console.log(`Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

/** Left-aligned text table with a header row. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].map((text) => `    ${text}`).join("\n");
}

const resourcesOf = (stack: StackJson, type: string): Block[] => Object.values(stack.resource?.[type] ?? {});
const days = (n: number): string => `${n} day${n === 1 ? "" : "s"}`;

const backendOf = (stack: StackJson): [string, Block] => Object.entries(stack.terraform?.backend ?? {})[0] ?? ["local", {}];
const isPlanOnly = (stack: StackJson): boolean => backendOf(stack)[0] === PLAN_ONLY_BACKEND;

function describeBackend(stack: StackJson): string {
  const [type, settings] = backendOf(stack);
  if (type === PLAN_ONLY_BACKEND) return "none: plan only, cdktf deploy refuses this stack";
  if (type === "azurerm") return `azurerm ${String(settings.storage_account_name)}/${String(settings.container_name)}/${String(settings.key)}`;
  return typeof settings.path === "string" ? `${type} ${relative(root, settings.path)}` : type;
}

function resourceCounts(stack: StackJson): string {
  const counts = Object.entries(stack.resource ?? {}).map(([type, resources]) => `${Object.keys(resources).length} ${type}`);
  return counts.length > 0 ? counts.join(", ") : "none";
}

/** The Event Hubs part: namespace, topics, and who may send/listen where. */
function describeEventHubs(stack: StackJson): string[] {
  const lines: string[] = [];
  for (const ns of resourcesOf(stack, "azurerm_eventhub_namespace")) {
    const unit = ns.sku === "Premium" ? "PU" : "TU";
    const inflate = ns.auto_inflate_enabled === true ? `, auto-inflate up to ${String(ns.maximum_throughput_units)} TU` : "";
    const rules = (ns.network_rulesets as Block[] | undefined)?.[0] ?? {};
    const ipRules = (rules.ip_rule as Block[] | undefined)?.map((rule) => String(rule.ip_mask)) ?? [];
    const guarded = (ns.lifecycle as Block | undefined)?.prevent_destroy === true ? ", prevent_destroy" : "";
    lines.push(`  namespace ${String(ns.name)}: ${String(ns.sku)}, ${String(ns.capacity)} ${unit}${inflate}, TLS ${String(ns.minimum_tls_version)}${guarded}`);
    lines.push(`  network: public ${ns.public_network_access_enabled === true ? "on" : "off"}, default ${String(rules.default_action)}${ipRules.length > 0 ? `, allow ${ipRules.join(", ")}` : ""}`);
  }
  const kafka = stack.output?.kafka_bootstrap?.value;
  if (typeof kafka === "string") lines.push(`  kafka bootstrap: ${kafka} (SASL_SSL, PLAIN with a hub-scoped connection string)`);

  const hubs = stack.resource?.azurerm_eventhub ?? {};
  const hubRows = Object.values(hubs).map((hub) => {
    const retentionHours = (hub.retention_description as Block | undefined)?.retention_time_in_hours;
    const retention = typeof retentionHours === "number" ? retentionHours / 24 : Number(hub.message_retention);
    return [String(hub.name), String(hub.partition_count), days(retention)];
  });
  if (hubRows.length > 0) lines.push("  topics:", table(["topic", "partitions", "retention"], hubRows));

  const hubNameByRef = Object.fromEntries(Object.entries(hubs).map(([id, hub]) => [`\${azurerm_eventhub.${id}.name}`, String(hub.name)]));
  const ruleRows = resourcesOf(stack, "azurerm_eventhub_authorization_rule")
    .map((rule) => [
      String(rule.name),
      hubNameByRef[String(rule.eventhub_name)] ?? String(rule.eventhub_name),
      rule.send === true ? "send" : "-",
      rule.listen === true ? "listen" : "-",
      rule.manage === true ? "MANAGE" : "-",
    ])
    .sort((a, b) => a.join().localeCompare(b.join()));
  if (ruleRows.length > 0) lines.push("  who may send/listen where (hub-scoped rules):", table(["principal", "topic", "send", "listen", "manage"], ruleRows));

  const secrets = Object.entries(stack.output ?? {}).filter(([, output]) => output.sensitive === true).length;
  lines.push(`  outputs: ${Object.keys(stack.output ?? {}).length} (${secrets} sensitive: connection strings, never printed)`);
  return lines;
}

/** The Spark sizing the environment runs with, each value set by its config or derived from its expected load
 * (config/derived-sizing.ts), beside what the load asks for (config/spark-sizing.ts). */
function describeSparkSizing(env: string): string[] {
  const config = loadEnvironment(env);
  const { spark, job } = config.bdc;
  const source = (path: DerivableSizing) => (config.derivedSizing.includes(path) ? "derived" : "set");
  const sizing = sparkSizing({ load: config.eventHubs.expectedLoad, executors: spark.executors, executorCores: spark.executorCores, maxOffsetsPerTrigger: job.maxOffsetsPerTrigger, triggerSeconds: intervalMs(job.triggerInterval) / 1000 });
  const n = (value: number) => Math.round(value).toLocaleString("en-US");
  const executorsNeeded = sizing.executorsNeeded === undefined ? "none at this trigger" : `${sizing.executorsNeeded} × ${spark.executorCores} cores`;
  return [
    `  spark sizing: peak ${n(sizing.peakPerSecond)} readings/s with headroom; ${n(MEASURED_JOB_RATE.readingsPerCoreSecond)} readings per core-second (bench:job, ${MEASURED_JOB_RATE.measuredOn}) and ${MEASURED_BATCH_COST.fixedSeconds} s fixed per batch (bench:e2e, ${MEASURED_BATCH_COST.measuredOn}); a batch may keep the cores busy at most ${TARGET_BUSY * 100}% of its trigger (now ${Math.round(sizing.busyFraction * 100)}%)`,
    table(
      ["value", "runs with", "from", "the load asks for", "why"],
      [
        ["executors", `${spark.executors} × ${spark.executorCores} cores`, source("bdc.spark.executors"), executorsNeeded, sizing.coresNeeded === undefined ? `no number of cores keeps up at the ${job.triggerInterval} trigger` : `${sizing.coresNeeded} core${sizing.coresNeeded === 1 ? " keeps" : "s keep"} up with the peak at the ${job.triggerInterval} trigger`],
        ["triggerInterval", job.triggerInterval, source("bdc.job.triggerInterval"), sizing.triggerSecondsNeeded === undefined ? "none with these cores" : `${sizing.triggerSecondsNeeded} seconds`, `the shortest at which the cores keep up; derived, it is at least ${DEFAULT_TRIGGER_SECONDS} seconds (fewer, larger batches)`],
        ["maxOffsetsPerTrigger", n(job.maxOffsetsPerTrigger), source("bdc.job.maxOffsetsPerTrigger"), n(sizing.maxOffsetsPerTriggerNeeded), `${CATCH_UP} × the peak's input per ${job.triggerInterval} trigger`],
        ["can do", `${n(Math.min(sizing.configuredPeakPerSecond, sizing.configuredOffsetsPerSecond))} readings/s`, "", "", "the lesser of the cores (after each batch's fixed cost) and the offsets per trigger"],
      ],
    ),
    "  a value the environment does not set is derived from eventHubs.expectedLoad; set it in config/environments/ to override",
  ];
}

function main(): void {
  synthesize();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Manifest;
  // Stack names are `<prefix>-<env>-<part>`: group them by environment, keeping synth order.
  const byEnv = new Map<string, Array<{ name: string; json: StackJson }>>();
  // Within an environment, deployment order (eventhubs before bdc; the manifest's order is alphabetical).
  const partRank = (name: string): number => {
    const index = DEPLOY_ORDER.indexOf(name.split("-").pop() ?? "");
    return index === -1 ? DEPLOY_ORDER.length : index;
  };
  const stacks = Object.values(manifest.stacks).sort((a, b) => partRank(a.name) - partRank(b.name) || a.name.localeCompare(b.name));
  for (const stack of stacks) {
    const env = stack.name.split("-").slice(1, -1).join("-") || stack.name;
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as StackJson;
    byEnv.set(env, [...(byEnv.get(env) ?? []), { name: stack.name, json }]);
  }
  // Deployment order (dev, staging, prod), not the manifest's alphabetical one.
  const rank = (env: string): number => (ENVIRONMENT_NAMES.includes(env) ? ENVIRONMENT_NAMES.indexOf(env) : ENVIRONMENT_NAMES.length);
  for (const [env, stacks] of [...byEnv].sort(([a], [b]) => rank(a) - rank(b))) {
    console.log(`=== ${env}`);
    if (stacks.some(({ json }) => isPlanOnly(json))) {
      console.log(`WARNING: ${env} requires remote state and has none: plan only, its stacks cannot be deployed (the warning above names the variables to set)`);
    }
    for (const { name, json } of stacks) {
      console.log(` ${name}  (state: ${describeBackend(json)})`);
      console.log(`  resources: ${resourceCounts(json)}`);
      if (json.resource?.azurerm_eventhub_namespace !== undefined) console.log(describeEventHubs(json).join("\n"));
    }
    if (ENVIRONMENT_NAMES.includes(env)) console.log(describeSparkSizing(env).join("\n"));
    console.log("");
  }
  console.log(`Deploy one with: npx cdktf deploy <stack> (after az login, or OIDC in a pipeline); see README.md.`);
}

main();
