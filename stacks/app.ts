// The cdktf app: the stacks of every selected environment (all, or SENSORS_ENV / context env), then synth.
// main.ts runs it, precompiled.
import { App } from "cdktf";
import { ConfigError, loadEnvironments, selectedEnvironmentNames } from "../config";
import { addEnvironmentStacks } from "./environment-stacks";

/** Synthesizes the selected environments into cdktf's output directory; an invalid config exits 1 with its violations. */
export function synthesizeApp(): void {
  const app = new App();
  try {
    for (const env of loadEnvironments(selectedEnvironmentNames(app))) {
      addEnvironmentStacks(app, env);
    }
  } catch (error) {
    // An invalid config is the user's input, not a crash: print the list of violations without a stack trace.
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  app.synth();
}
