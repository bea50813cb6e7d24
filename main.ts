// The cdktf app: the stacks of every selected environment (all, or SENSORS_ENV / context env), then synth.
import { App } from "cdktf";
import { ConfigError, loadEnvironments, selectedEnvironmentNames } from "./config";
import { addEnvironmentStacks } from "./stacks/environment-stacks";

// cdktf captures a stack trace for every token it creates; with the source maps tsx turns on, each trace is
// mapped through the providers' large inline source maps: a second and 80 MB of every synth. Off while the
// stacks are built and synthesized, on again before any error is printed (a stack is formatted when read).
process.setSourceMapsEnabled(false);
try {
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
} finally {
  process.setSourceMapsEnabled(true);
}
