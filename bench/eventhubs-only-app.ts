// `npm run bench:synth`'s "eventhubs stacks only" app: stacks/app.ts restricted to the eventhubs stacks, to show
// what the later stacks add. Not through environment-stacks.ts: importing it loads the later stacks' code too.
import { App } from "cdktf";
import { loadEnvironments } from "../config";
import { EventHubsStack } from "../stacks/eventhubs-stack";
import { stackName } from "../stacks/lib/stack-name";

export function synthesizeEventHubsOnly(): void {
  const app = new App();
  for (const env of loadEnvironments()) new EventHubsStack(app, stackName(env, "eventhubs"), { env });
  app.synth();
}
