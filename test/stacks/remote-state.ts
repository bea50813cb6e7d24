// What a pipeline passes so that the environments that require remote state (prod) synthesize for deployment:
// their own SENSORS_<ENV>_STATE_* variables, so dev and staging keep their local state as on a laptop.
import { ENVIRONMENT_NAMES, environmentInput, overrideVariablesOf, requiresRemoteState, validateEnvironment } from "../../config";

/** Stand-in names of a state account (config's stateBackend fields); nothing is contacted at synth. */
export const STATE_ACCOUNT = { storageAccountName: "sensorstfstate", resourceGroupName: "rg-tfstate" } as const;

/** The per-environment state variables of every environment that requires remote state. */
export function remoteStateVariables(): Record<string, string> {
  const protectedNames = ENVIRONMENT_NAMES.filter((name) => requiresRemoteState(validateEnvironment(name, environmentInput(name))));
  return Object.fromEntries(
    protectedNames.flatMap((name) =>
      Object.entries(STATE_ACCOUNT).map(([field, value]) => [overrideVariablesOf(name, ["stateBackend", field])!.forEnvironment, value]),
    ),
  );
}
