// Settings a pipeline passes without editing code: environment variables read at synth.
// `SENSORS_<KEY>` applies to every environment; `SENSORS_<ENV>_<KEY>` (e.g. SENSORS_PROD_BDC_GATEWAY_URL) to one, and wins.
// Values are validated like the rest of the config. None of them is a secret: credentials come from az login / OIDC.
import type { UnsizedEnvironmentInput } from "./derived-sizing";

interface Override {
  /** Variable name without the SENSORS_[<ENV>_] prefix. */
  readonly key: string;
  /** Field it sets. */
  readonly path: readonly string[];
  /** Converts the text of the variable; defaults to the text itself. */
  readonly parse?: (text: string) => unknown;
}

// Unrecognised booleans stay text so that validation reports them with the field's name.
const parseBoolean = (text: string): unknown => (text === "true" ? true : text === "false" ? false : text);
const parseList = (text: string): string[] => text.split(",").map((item) => item.trim()).filter((item) => item.length > 0);

export const OVERRIDES: readonly Override[] = [
  { key: "STATE_STORAGE_ACCOUNT", path: ["stateBackend", "storageAccountName"] },
  { key: "STATE_RESOURCE_GROUP", path: ["stateBackend", "resourceGroupName"] },
  { key: "STATE_CONTAINER", path: ["stateBackend", "containerName"] },
  { key: "STATE_KEY_PREFIX", path: ["stateBackend", "keyPrefix"] },
  { key: "STATE_USE_OIDC", path: ["stateBackend", "useOidc"], parse: parseBoolean },
  { key: "LOCATION", path: ["location"] },
  { key: "EVENTHUBS_IP_RULES", path: ["eventHubs", "network", "ipRules"], parse: parseList },
  { key: "BDC_GATEWAY_URL", path: ["bdc", "gatewayUrl"] },
  { key: "BDC_GATEWAY_CA_BUNDLE", path: ["bdc", "gatewayCaBundlePath"] },
  { key: "BDC_KUBECONFIG", path: ["bdc", "kubeconfigPath"] },
  { key: "BDC_KUBE_CONTEXT", path: ["bdc", "kubeContext"] },
  { key: "BDC_NAMESPACE", path: ["bdc", "namespace"] },
];

/** The two variables that set one field: for one environment (it wins), and for every environment. */
export interface OverrideVariables {
  /** `SENSORS_<ENV>_<KEY>`, e.g. SENSORS_PROD_STATE_STORAGE_ACCOUNT. */
  readonly forEnvironment: string;
  /** `SENSORS_<KEY>`, e.g. SENSORS_STATE_STORAGE_ACCOUNT. */
  readonly forEvery: string;
}

/** The variables that set the field at `path` of environment `envName`; undefined when no variable sets it. */
export function overrideVariablesOf(envName: string, path: readonly string[]): OverrideVariables | undefined {
  const override = OVERRIDES.find((candidate) => candidate.path.join(".") === path.join("."));
  return override === undefined ? undefined : variablesOf(envName, override);
}

const variablesOf = (envName: string, override: Override): OverrideVariables => ({
  forEnvironment: `SENSORS_${envName.toUpperCase()}_${override.key}`,
  forEvery: `SENSORS_${override.key}`,
});

/** The input with every override found in `variables` applied, and the names of the variables used. */
export function applyOverrides(
  input: UnsizedEnvironmentInput,
  variables: Readonly<Record<string, string | undefined>>,
): { input: UnsizedEnvironmentInput; applied: string[] } {
  const result = structuredClone(input) as unknown as Record<string, unknown>;
  const applied: string[] = [];
  for (const override of OVERRIDES) {
    const { forEnvironment, forEvery } = variablesOf(input.name, override);
    const name = [forEnvironment, forEvery].find((candidate) => (variables[candidate] ?? "") !== "");
    if (name === undefined) continue;
    const text = variables[name] as string;
    setAt(result, override.path, (override.parse ?? ((t: string) => t))(text));
    applied.push(name);
  }
  return { input: result as unknown as UnsizedEnvironmentInput, applied };
}

function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = next !== null && typeof next === "object" ? (next as Record<string, unknown>) : (node[key] = {});
  }
  node[path[path.length - 1] as string] = value;
}
