// Validation at the edge: raw environment input in, a typed EnvironmentConfig (or one ConfigError listing everything) out.
import { hubRulesOf, type HubRule } from "./access";
import { defaultAutoInflateMaximum, processingUnitsFor, readersOf, throughputUnitsFor, type Capacity } from "./capacity";
import { ENVIRONMENT_NAMES, KNOWN_ENVIRONMENT_NAMES, environmentInput } from "./environments";
import { STANDARD_THROUGHPUT_UNITS } from "./limits";
import { applyOverrides } from "./overrides";
import { environmentSchema, type EnvironmentSettings } from "./schema";
import { sharedClusterViolations } from "./shared-cluster-rules";
import { namespaceNameOf, tierViolations } from "./tier-rules";
import { securityViolations } from "./security-rules";
import { stateBackendViolations } from "./state-rules";
import { sizingViolations } from "./sizing-rules";
import { DERIVABLE_SIZING, withDerivedSizing, type DerivableSizing } from "./derived-sizing";
import { sparkLineOfVersion, targetViolations } from "./target-rules";
import { ConfigError, violationsFromZod, type Violation } from "./violation";
import { LOCAL_SPARK_LINE, type ArtifactLine } from "../jobs/sensor_aggregation/build/manifest";
import { sparkLineForRelease } from "../jobs/sensor_aggregation/jars/spark-lines";

/** A validated environment, with what is computed from it. */
export type EnvironmentConfig = EnvironmentSettings & {
  /** The Event Hubs namespace name (explicit or derived). */
  readonly namespaceName: string;
  /** Namespace capacity computed from the expected load. */
  readonly capacity: Capacity;
  /** The Spark line the job runs on, so the artifact to deploy: the BDC release's, or this machine's for local. */
  readonly sparkLine: ArtifactLine;
  /** Hub-scoped authorization rules, one per principal and topic. */
  readonly hubRules: readonly HubRule[];
  /** Environment variables that changed this environment's settings (names only). */
  readonly appliedOverrides: readonly string[];
  /** The Spark sizing values the environment left out, derived from its expected load (derived-sizing.ts). */
  readonly derivedSizing: readonly DerivableSizing[];
};

/** Options for loading environments. */
export interface LoadOptions {
  /** Variables to read overrides from. @default process.env */
  readonly variables?: Readonly<Record<string, string | undefined>>;
}

/** Every violation of one environment's raw input (its left-out sizing derived first): schema and rules together. */
export function environmentViolations(env: string, rawInput: unknown): Violation[] {
  const { input, derived } = withDerivedSizing(rawInput);
  const parsed = environmentSchema.safeParse(input, { reportInput: true });
  const sizing = sizingViolations(env, input, derived);
  // Where it derives (not locally), a sizing value still missing after derivation has its reason said elsewhere:
  // by sizing-rules.ts (no executors keep up) or by the violation of what it is derived from (the load, the
  // cores), so the schema need not say it. The local environment derives nothing: the schema says what it lacks.
  const explainedElsewhere = (violation: Violation) => !isLocal(rawInput) && violation.value === undefined && (DERIVABLE_SIZING as readonly string[]).includes(violation.path);
  const schemaViolations = parsed.success ? [] : violationsFromZod(env, input, parsed.error.issues).filter((violation) => !explainedElsewhere(violation));
  return [...schemaViolations, ...tierViolations(env, input), ...securityViolations(env, input), ...stateBackendViolations(env, input), ...targetViolations(env, input), ...sizing];
}

const isLocal = (input: unknown) => input !== null && typeof input === "object" && (input as { localStack?: unknown }).localStack !== undefined;

/** Validates one environment's raw input; throws ConfigError listing every violation. */
export function validateEnvironment(env: string, rawInput: unknown, appliedOverrides: readonly string[] = []): EnvironmentConfig {
  const violations = environmentViolations(env, rawInput);
  if (violations.length > 0) throw new ConfigError(violations);
  const { input, derived } = withDerivedSizing(rawInput);
  return withComputed(environmentSchema.parse(input), namespaceNameOf(input), appliedOverrides, derived);
}

function withComputed(settings: EnvironmentSettings, namespaceName: string, appliedOverrides: readonly string[], derivedSizing: readonly DerivableSizing[]): EnvironmentConfig {
  const hubs = settings.eventHubs;
  let capacity: Capacity;
  if (hubs.sku === "Premium") {
    const processingUnits = processingUnitsFor(hubs.expectedLoad) as number; // tier rules refused undefined
    capacity = { sku: "Premium", units: processingUnits, processingUnits, throughputUnits: undefined, autoInflateMaximum: undefined };
  } else {
    const throughputUnits = throughputUnitsFor({ ...hubs.expectedLoad, readers: readersOf(hubs.access) });
    const autoInflateMaximum = hubs.autoInflate.enabled
      ? (hubs.autoInflate.maximumThroughputUnits ?? defaultAutoInflateMaximum(throughputUnits, STANDARD_THROUGHPUT_UNITS.max))
      : undefined;
    capacity = { sku: "Standard", units: throughputUnits, throughputUnits, processingUnits: undefined, autoInflateMaximum };
  }
  const sparkLine = settings.localStack ? LOCAL_SPARK_LINE : targetSparkLine(settings);
  return { ...settings, namespaceName, capacity, sparkLine, hubRules: hubRulesOf(hubs.access), appliedOverrides, derivedSizing };
}

/** The Spark line of the environment's platform: the BDC release's, or the target's version (target-rules.ts refused any other). */
function targetSparkLine(settings: EnvironmentSettings): ArtifactLine {
  const target = settings.target;
  if (target === undefined || target.kind === "bdc") return sparkLineForRelease(settings.bdc.release);
  const line = sparkLineOfVersion(target.sparkVersion);
  if (line === undefined) throw new Error(`${settings.name}: target.sparkVersion ${target.sparkVersion}: no jar line (target-rules.ts should have refused it)`);
  return line;
}

/** Validated configs of the named environments (the cloud ones by default); one ConfigError lists every violation of all of them. */
export function loadEnvironments(names: readonly string[] = ENVIRONMENT_NAMES, options: LoadOptions = {}): EnvironmentConfig[] {
  const variables = options.variables ?? process.env;
  const unknown = names.filter((name) => !KNOWN_ENVIRONMENT_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((name) => ({ env: name, path: "(environment)", value: name, allowed: `one of ${KNOWN_ENVIRONMENT_NAMES.join(", ")}` })));
  }
  const prepared = names.map((name) => ({ name, ...applyOverrides(environmentInput(name), variables) }));
  const violations = prepared.flatMap(({ name, input }) => environmentViolations(name, input));
  if (violations.length > 0) throw new ConfigError(violations);
  const configs = prepared.map(({ name, input, applied }) => validateEnvironment(name, input, applied));
  const clashes = sharedClusterViolations(configs);
  if (clashes.length > 0) throw new ConfigError(clashes);
  return configs;
}

/** The validated config of one environment. */
export function loadEnvironment(name: string, options: LoadOptions = {}): EnvironmentConfig {
  return loadEnvironments([name], options)[0] as EnvironmentConfig;
}
