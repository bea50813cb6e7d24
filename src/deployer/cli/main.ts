/**
 * In-cluster entry, bundled (bundle.ts: deployer.js, and the Kafka client beside it): `node deployer.js deploy|ensure|maintain|new-run|teardown --plan plan.json`.
 * Secrets come only from the environment (the Kubernetes Secret). Exit 0 on success; otherwise
 * non-zero with the reason on stderr, so the Job (and Terraform's wait_for_completion) fails.
 */
import { readFileSync } from "node:fs";
import { Argument, Command, Option } from "commander";
import { DEPLOY_MODES, type DeployMode } from "../reconcile/context";
import { parseDeployPlan } from "../core/plan-config";
import { redact } from "../core/progress";
import { OutcomeError } from "../reconcile/outcome";
import { runFromEnvironment } from "../commands/run";
import { secretsInEnvironment } from "../core/secrets";

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("deployer")
    .description("Deploys the sensor-aggregation job into a BDC through its gateway (WebHDFS + Livy)")
    .addArgument(new Argument("<mode>", "deploy: put the plan's artifact live; ensure: restart it if no batch is alive; maintain: compact and expire its tables; new-run: a fresh checkpoint at --starting-offsets; teardown: remove it").choices([...DEPLOY_MODES]))
    .requiredOption("--plan <file>", "plan.json written by the bdc stack")
    .addOption(new Option("--artifact <dir-or-url>", "artifact location (default: the plan's artifact base URL)"))
    .option("--starting-offsets <offsets>", 'new-run: earliest, latest, or {"<input topic>": {"<partition>": <offset>, ...}}')
    .option("--purge", "teardown: also drop the tables and delete the checkpoint and job files", false)
    .option("--confirm-purge <env>", "teardown --purge of a production environment: its name again")
    .option("--dry-run", "print the plan and exit", false)
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const opts = program.opts<{ plan: string; artifact?: string; dryRun: boolean; startingOffsets?: string; purge: boolean; confirmPurge?: string }>();
  if ((program.processedArgs[0] === "new-run") !== (opts.startingOffsets !== undefined)) {
    process.stderr.write("deployer: --starting-offsets goes with new-run, and only there\n");
    return 2;
  }
  try {
    const plan = parseDeployPlan(readFileSync(opts.plan, "utf8"), opts.plan);
    await runFromEnvironment({ plan, mode: program.processedArgs[0] as DeployMode, artifact: opts.artifact, dryRun: opts.dryRun, startingOffsets: opts.startingOffsets, purge: opts.purge, confirmPurge: opts.confirmPurge });
    return 0;
  } catch (err) {
    process.stderr.write(`deployer: ${maskAll((err as Error).message)}\n`);
    // The final line says what runs now, also after a failure.
    if (err instanceof OutcomeError) process.stderr.write(`deployer: now: ${err.runningNow}\n`);
    return 1;
  }
}

/** Masks any secret from the environment that a message might still carry. */
function maskAll(text: string): string {
  return redact(text, secretsInEnvironment(process.env));
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
