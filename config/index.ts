// Public surface of config/: see docs/interfaces.md §1.
export { loadEnvironment, loadEnvironments, validateEnvironment, environmentViolations, type EnvironmentConfig, type LoadOptions } from "./load";
export { selectedEnvironmentNames } from "./select";
export { DEFAULT_TRIGGER_SECONDS, DERIVABLE_SIZING, withDerivedSizing, type DerivableSizing, type UnsizedEnvironmentInput } from "./derived-sizing";
export { ENVIRONMENT_NAMES, KNOWN_ENVIRONMENT_NAMES, LOCAL_ENVIRONMENT_NAME, environmentInput } from "./environments";
export { ConfigError, formatViolation, type Violation } from "./violation";
export { throughputUnitsFor, readersOf, processingUnitsFor, defaultAutoInflateMaximum, sizedLoad, ingressLimits, type Capacity, type ExpectedLoad } from "./capacity";
export { EVENTHUBS_METRIC_NAMESPACE, EVENTHUBS_NAMESPACE_METRICS } from "./eventhubs-metrics";
export { hubRulesOf, type HubRule } from "./access";
export { OVERRIDES, applyOverrides, overrideVariablesOf, type OverrideVariables } from "./overrides";
export { requiresRemoteState, localStateViolations, localStateRefusal } from "./state-rules";
export { SYNTH_MODES, SYNTH_MODE_VARIABLE, synthMode, type SynthMode } from "./synth-mode";
export { deepMerge, type DeepPartial } from "./deep-merge";
export { environmentTags, identityNames, resourceGroupNames, sharedNames } from "./azure-names";
export * from "./limits";
export {
  READINGS_TOPIC,
  REQUIRED_RESOURCE_PROVIDERS,
  STATS_TOPIC,
  SIMULATOR_PRINCIPAL,
  JOB_PRINCIPAL,
  STATS_CONSUMER_PRINCIPAL,
  environmentSchema,
  type EnvironmentInput,
  type EnvironmentSettings,
  type EventHubsSettings,
  type BdcSettings,
  type StateBackendSettings,
  type TopicSettings,
  type AccessSettings,
} from "./schema";
