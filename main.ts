// The cdktf app: the stacks of every selected environment (all, or SENSORS_ENV / context env), then synth.
import { restoreDiagnostics } from "./stacks/lib/synth-diagnostics"; // first: before any other module loads
import { App } from "cdktf";
import { ConfigError, loadEnvironments, selectedEnvironmentNames } from "./config";
import { addEnvironmentStacks } from "./stacks/environment-stacks";

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
  restoreDiagnostics(); // before any error is printed: a stack is formatted when first read
}
