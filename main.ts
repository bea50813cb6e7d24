// The cdktf app: the stacks of every selected environment (all, or SENSORS_ENV / context env), then synth.
import { App } from "cdktf";
import { loadEnvironments, selectedEnvironmentNames } from "./config";
import { addEnvironmentStacks } from "./stacks/environment-stacks";

const app = new App();
for (const env of loadEnvironments(selectedEnvironmentNames(app))) {
  addEnvironmentStacks(app, env);
}
app.synth();
