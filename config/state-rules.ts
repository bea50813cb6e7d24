// Which environments must keep their Terraform state remote, and what is missing when they do not.
// A stack's state holds what its resources return (Event Hubs connection strings, SAS tokens), so the
// state of a protected environment may never be a file on the laptop that ran `cdktf deploy`.
import { overrideVariablesOf, type OverrideVariables } from "./overrides";
import type { EnvironmentSettings } from "./schema";
import { ConfigError, type Violation } from "./violation";

type StateRuleSettings = {
  readonly name: string;
  readonly eventHubs: Pick<EnvironmentSettings["eventHubs"], "preventDestroy">;
  readonly stateBackend: Pick<EnvironmentSettings["stateBackend"], "requireRemote" | "storageAccountName" | "resourceGroupName">;
};

/** The fields a remote (azurerm) state backend needs that have no default. */
const REMOTE_STATE_FIELDS = ["storageAccountName", "resourceGroupName"] as const;
/** Set beside them by the pipelines (defaults: container tfstate, az login), named in the refusal's hint. */
const COMPANION_FIELDS = ["containerName", "useOidc"] as const;

/** Its own stateBackend.requireRemote, else whether it is protected (eventHubs.preventDestroy). */
export function requiresRemoteState(env: StateRuleSettings): boolean {
  return env.stateBackend.requireRemote ?? env.eventHubs.preventDestroy;
}

/** The field that made remote state required, for messages. */
const reasonOf = (env: StateRuleSettings): string =>
  env.stateBackend.requireRemote === true ? "stateBackend.requireRemote" : "eventHubs.preventDestroy";

/** The variables of a stateBackend field: config/overrides.ts reads them, so it names them. */
const stateVariables = (envName: string, field: string): OverrideVariables => overrideVariablesOf(envName, ["stateBackend", field]) as OverrideVariables;

/** `SENSORS_STATE_X (or SENSORS_PROD_STATE_X for prod only)` */
function variablesFor(envName: string, field: string): string {
  const { forEnvironment, forEvery } = stateVariables(envName, field);
  return `${forEvery} (or ${forEnvironment} for ${envName} only)`;
}

/**
 * What keeps this environment from a remote state backend when it requires one: one violation per missing
 * field, each naming the variables that set it. Empty when the state may be local or is remote.
 */
export function localStateViolations(env: StateRuleSettings): Violation[] {
  if (!requiresRemoteState(env) || env.stateBackend.storageAccountName !== undefined) return [];
  return REMOTE_STATE_FIELDS.filter((field) => env.stateBackend[field] === undefined).map((field) => ({
    env: env.name,
    path: `stateBackend.${field}`,
    value: undefined,
    allowed: `required: ${env.name} keeps its Terraform state remote (${reasonOf(env)}); set ${variablesFor(env.name, field)}`,
  }));
}

/** The error synth throws for environments that would deploy with local state; its message says what to set. */
export function localStateRefusal(violations: readonly Violation[]): ConfigError {
  const envs = [...new Set(violations.map((v) => v.env))];
  const companions = COMPANION_FIELDS.map((field) => stateVariables(envs[0] ?? "", field).forEvery).join(" and ");
  return new ConfigError(
    violations,
    `Refusing to synthesize ${envs.join(", ")} for deployment with local state: its state would hold connection strings and SAS tokens in a local file`,
    `The pipelines set these variables (with ${companions}; docs/operations/bootstrap.md). To only see the plan, run npm run plan: it synthesizes nothing deployable.`,
  );
}

/** Config rules of the state backend, on the raw input: a protected environment cannot opt out of remote state. */
export function stateBackendViolations(env: string, input: unknown): Violation[] {
  const root = input !== null && typeof input === "object" ? (input as Record<string, Record<string, unknown> | undefined>) : {};
  if (root.stateBackend?.requireRemote === false && root.eventHubs?.preventDestroy === true) {
    return [{ env, path: "stateBackend.requireRemote", value: false, allowed: "true (or unset) in an environment with eventHubs.preventDestroy: its state holds its connection strings" }];
  }
  return [];
}
