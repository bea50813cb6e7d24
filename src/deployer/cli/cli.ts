/**
 * Laptop CLI: `npm run deploy:bdc -- --env dev [--artifact DIR|URL] [--dry-run] [--mode deploy|ensure]`.
 * Same config as the stacks (config/), same deploy as the in-cluster Job. Secrets only from the
 * environment: BDC_GATEWAY_USERNAME, BDC_GATEWAY_PASSWORD, EVENTHUBS_JOB_CONNECTION_STRING (listen),
 * EVENTHUBS_JOB_SEND_CONNECTION_STRING (send) and,
 * for an HTTPS artifact, ARTIFACT_SAS_TOKEN.
 */
import { Command, Option } from "commander";
import { loadEnvironment, READINGS_TOPIC, STATS_TOPIC } from "../../../config";
import { artifactDir } from "../../../jobs/sensor_aggregation/build/manifest";
import { isRemote, loadArtifact } from "../clients/artifact-source";
import { DEPLOY_MODES, type DeployMode } from "../reconcile/context";
import { DeployError } from "../core/errors";
import { createDispatcher } from "../core/http";
import { EVENTHUBS_KAFKA_PORT, kafkaBootstrapOf, parseConnectionString } from "../../../contracts/eventhubs-connection-string";
import { deployPlanConfig, type DeployPlanConfig } from "../core/plan-config";
import { redact, stderrProgress } from "../core/progress";
import { OutcomeError } from "../reconcile/outcome";
import { runFromEnvironment } from "../commands/run";
import { localCaBundlePath, needsGatewayCredentials } from "../clients/clients";
import { readSecrets, secretsInEnvironment } from "../core/secrets";

/** `<namespace>.servicebus.windows.net:9093` from the connection string's endpoint (the host is not secret). */
export function bootstrapFromConnectionString(connectionString: string | undefined): string {
  const parsed = parseConnectionString(connectionString ?? "");
  if (!parsed.ok) throw new DeployError("cannot tell the Kafka bootstrap: pass --bootstrap or set EVENTHUBS_JOB_CONNECTION_STRING");
  return kafkaBootstrapOf(parsed.value);
}

export async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = new Command("deploy:bdc")
    .description("Deploys the sensor-aggregation job into the environment's BDC (WebHDFS + Livy through the gateway)")
    .requiredOption("--env <name>", "environment in config/environments")
    .option("--artifact <dir-or-url>", "artifact directory or HTTPS base URL (default: dist/artifacts/ for the BDC's Spark line)")
    .addOption(
      new Option("--mode <mode>", "deploy; ensure (restart the live state's release if it is not alive); maintain (compact and expire its tables)").choices([...DEPLOY_MODES]).default("deploy"),
    )
    .option("--starting-offsets <offsets>", 'new-run: committed (where the old run\'s last commit ended: each reading once), earliest, latest, or {"sensor-readings": {"0": 1234, ...}}')
    .option("--purge", "teardown: also drop the tables and delete the checkpoint and job files", false)
    .option("--confirm-purge <env>", "teardown --purge of a production environment: its name again")
    .option("--bootstrap <host:port>", "Event Hubs Kafka bootstrap (default: from EVENTHUBS_JOB_CONNECTION_STRING)")
    .option("--dry-run", "print the plan, contact nothing", false)
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const opts = program.opts<{ env: string; artifact?: string; mode: DeployMode; bootstrap?: string; dryRun: boolean; startingOffsets?: string; purge: boolean; confirmPurge?: string }>();
  if ((opts.mode === "new-run") !== (opts.startingOffsets !== undefined)) {
    process.stderr.write("deploy:bdc: --starting-offsets goes with --mode new-run, and only there\n");
    return 2;
  }
  try {
    const config = loadEnvironment(opts.env, { variables: env });
    const location = opts.artifact ?? artifactDir(config.sparkLine);
    // Name every missing secret before anything else (the dry run needs none).
    const deploying = opts.mode === "deploy" && !opts.dryRun;
    if (!opts.dryRun) readSecrets(env, { needSas: deploying && isRemote(location), needEventHubs: deploying, needGateway: needsGatewayCredentials(config.target) });
    // Only a deploy writes the bootstrap into a job config; ensure restarts what is recorded.
    const bootstrap = opts.bootstrap ?? (!deploying && !env.EVENTHUBS_JOB_CONNECTION_STRING ? `<bootstrap>:${EVENTHUBS_KAFKA_PORT}` : bootstrapFromConnectionString(env.EVENTHUBS_JOB_CONNECTION_STRING));
    const plan = await planFor(config, location, bootstrap, env);
    await runFromEnvironment({
      plan,
      mode: opts.mode,
      artifact: location,
      dryRun: opts.dryRun,
      caBundlePath: localCaBundlePath(config),
      env,
      startingOffsets: opts.startingOffsets,
      purge: opts.purge,
      confirmPurge: opts.confirmPurge,
    });
    return 0;
  } catch (err) {
    process.stderr.write(`deploy:bdc: ${redact((err as Error).message, secretsInEnvironment(env))}\n`);
    if (err instanceof OutcomeError) process.stderr.write(`deploy:bdc: now: ${err.runningNow}\n`);
    return 1;
  }
}

async function planFor(config: ReturnType<typeof loadEnvironment>, location: string, bootstrap: string, env: NodeJS.ProcessEnv): Promise<DeployPlanConfig> {
  const dispatcher = isRemote(location) ? createDispatcher() : undefined;
  try {
    const progress = stderrProgress(secretsInEnvironment(env));
    const { manifest } = await loadArtifact({ location, sasToken: env.ARTIFACT_SAS_TOKEN, dispatcher }, progress);
    const plan = deployPlanConfig(config, manifest, location, { bootstrap, inputTopic: READINGS_TOPIC, outputTopic: STATS_TOPIC });
    // On a laptop the CA bundle is the configured local file, not the in-cluster mount.
    const { gatewayCaBundlePath: _inCluster, ...rest } = plan;
    return config.bdc.gatewayCaBundlePath !== undefined ? { ...rest, gatewayCaBundlePath: config.bdc.gatewayCaBundlePath } : rest;
  } finally {
    await dispatcher?.close();
  }
}

if (require.main === module) {
  cli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
