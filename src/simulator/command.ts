/** The simulator's command line, declared from the option table (options.ts): one declaration per option. */
import { Command, Option } from "commander";
import { SIMULATOR_OPTIONS } from "./options";

/** The `simulate` command with a flag for each entry of SIMULATOR_OPTIONS. */
export function buildCommand(): Command {
  const command = new Command("simulate")
    .description("Stream simulated sensor readings {sensor, measure1 ~ N(37,7), measure2 ~ U(0,1)} to Kafka or Azure Event Hubs.")
    .showHelpAfterError("(run with --help for every option)");
  for (const spec of Object.values(SIMULATOR_OPTIONS)) {
    const option = new Option("value" in spec ? `${spec.flag} ${spec.value}` : spec.flag, spec.help);
    if ("default" in spec && typeof spec.default === "string") option.default(spec.default);
    if ("required" in spec) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}

