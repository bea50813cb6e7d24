// The cdktf app: the stacks of every selected environment (all, or SENSORS_ENV / context env), then synth.
// main.ts runs it, precompiled.
import { App } from "cdktf";
import { ConfigError, formatViolation, loadEnvironments, localStateRefusal, localStateViolations, selectedEnvironmentNames, synthMode } from "../config";
import { addEnvironmentStacks } from "./environment-stacks";

/**
 * Synthesizes the selected environments into cdktf's output directory; an invalid config exits 1 with its violations.
 * An environment that requires remote state and has none refuses the whole synth (exit 1, nothing written), so a
 * `cdktf deploy` of the other stacks cannot run from a synth that left one out; with SENSORS_SYNTH_MODE=plan it is
 * synthesized with a backend Terraform cannot init, and a warning says so.
 */
export function synthesizeApp(): void {
  const app = new App();
  try {
    const mode = synthMode();
    const environments = loadEnvironments(selectedEnvironmentNames(app));
    const localState = environments.flatMap(localStateViolations);
    if (mode === "deploy" && localState.length > 0) throw localStateRefusal(localState);
    for (const violation of localState) console.warn(`warning: plan only, not deployable: ${formatViolation(violation)}`);
    for (const env of environments) addEnvironmentStacks(app, env, mode);
  } catch (error) {
    // An invalid config is the user's input, not a crash: print the list of violations without a stack trace.
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  app.synth();
}
