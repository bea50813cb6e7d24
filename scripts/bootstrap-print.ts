/**
 * `npm run bootstrap:print -- --env <env> [--github-repo <org>/<repo>]`: prints the exact `az`
 * commands that bootstrap the environment (docs/operations/bootstrap.md), from its config.
 */
import { Command } from "commander";
import { ENVIRONMENT_NAMES, loadEnvironment } from "../config";
import { bootstrapCommands } from "./bootstrap/commands";

const program = new Command("bootstrap:print")
  .description("Print the az commands that bootstrap one environment, generated from config")
  .requiredOption("--env <name>", `environment: ${ENVIRONMENT_NAMES.join(", ")}`)
  .option("--github-repo <org/repo>", "repository of the GitHub Actions federated credentials (default: $GITHUB_REPO when the commands run)")
  .parse();
const opts = program.opts<{ env: string; githubRepo?: string }>();
try {
  process.stdout.write(bootstrapCommands(loadEnvironment(opts.env), { githubRepo: opts.githubRepo }));
} catch (err) {
  process.stderr.write(`bootstrap:print: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
