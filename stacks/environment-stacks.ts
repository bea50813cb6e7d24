// The stacks of one environment, each with its state backend. main.ts loops the selected environments through this.
import { resolve } from "node:path";
import { AzurermBackend, LocalBackend, type App, type TerraformStack } from "cdktf";
import { formatViolation, localStateRefusal, localStateViolations, requiresRemoteState, type EnvironmentConfig, type SynthMode } from "../config";
import { BdcStack } from "./bdc-stack";
import { EventHubsStack } from "./eventhubs-stack";
import { PlanOnlyBackend } from "./lib/plan-only-backend";
import { STACK_PARTS, stackName } from "./lib/stack-name";

/** Where local state files go (git-ignored as terraform.*.tfstate). */
const PROJECT_ROOT = resolve(__dirname, "..");

/** The stacks created for one environment, in deployment order. */
export interface EnvironmentStacks {
  readonly eventhubs: EventHubsStack;
  readonly bdc: BdcStack;
}

/**
 * Remote state in Azure Storage when the environment names a storage account (config or SENSORS_STATE_* variables),
 * one blob per stack (`<keyPrefix>/<stack>.tfstate`). Otherwise local state, `terraform.<stack>.tfstate` at the
 * project root, unless the environment requires remote state (config/state-rules.ts): then a deploy synth is
 * refused (ConfigError naming the variables to set), and a plan synth gets a backend Terraform cannot init.
 */
export function applyStateBackend(stack: TerraformStack, env: EnvironmentConfig, mode: SynthMode = "deploy"): void {
  const state = env.stateBackend;
  const name = stack.node.id;
  if (state.storageAccountName === undefined && requiresRemoteState(env)) {
    if (mode === "deploy") throw localStateRefusal(localStateViolations(env));
    new PlanOnlyBackend(stack, `plan only, not deployable: ${localStateViolations(env).map(formatViolation).join("; ")}`);
    return;
  }
  if (state.storageAccountName === undefined) {
    // Absolute, at the project root: each stack runs in its own cdktf.out/stacks/<stack>/ directory, and a later
    // stack's remote-state lookup must find the same file; cdktf.out itself is rewritten by every synth.
    new LocalBackend(stack, { path: resolve(PROJECT_ROOT, `terraform.${name}.tfstate`) });
    return;
  }
  new AzurermBackend(stack, {
    storageAccountName: state.storageAccountName,
    resourceGroupName: state.resourceGroupName,
    containerName: state.containerName,
    key: `${state.keyPrefix}/${name}.tfstate`,
    // Entra ID auth to the state blob (az login or OIDC), so no storage key is ever needed.
    useAzureadAuth: true,
    useOidc: state.useOidc ? true : undefined,
  });
}

/** Creates this environment's stacks (each with its backend, see applyStateBackend) and returns them. */
export function addEnvironmentStacks(app: App, env: EnvironmentConfig, mode: SynthMode = "deploy"): EnvironmentStacks {
  // Before any stack: a refused environment adds nothing to the app.
  if (mode === "deploy" && localStateViolations(env).length > 0) throw localStateRefusal(localStateViolations(env));
  const eventhubs = new EventHubsStack(app, stackName(env, STACK_PARTS.eventhubs), { env });
  applyStateBackend(eventhubs, env, mode);
  // After eventhubs: it reads the Kafka bootstrap, topics and connection strings across stacks.
  const bdc = new BdcStack(app, stackName(env, STACK_PARTS.bdc), { env, eventhubs });
  applyStateBackend(bdc, env, mode);
  return { eventhubs, bdc };
}
