/**
 * `npm run status -- --env <env> [--json] [--bootstrap <host:port>] [--plaintext]`: what runs in the
 * environment and whether it is healthy (status.ts). Exit 0 healthy, 1 a health rule broken, 2 bad input.
 * Secrets from the environment: BDC_GATEWAY_USERNAME, BDC_GATEWAY_PASSWORD and, for the backlog over
 * Event Hubs, EVENTHUBS_JOB_CONNECTION_STRING (the job's listen-only key). Nothing secret is printed.
 */
import { Command } from "commander";
import { loadEnvironment, READINGS_TOPIC, STATS_TOPIC } from "../../../config";
import { computeManifest } from "../../../jobs/sensor_aggregation/build/manifest";
import { bootstrapFromConnectionString } from "./cli";
import { gatewayClients, localCaBundlePath, needsGatewayCredentials } from "../clients/clients";
import { deployPlanConfig } from "../core/plan-config";
import { redact, stderrProgress } from "../core/progress";
import { readSecrets, secretsInEnvironment } from "../core/secrets";
import { formatStatus, runStatus } from "../commands/status";
import { needsStateStoreSas, planStores } from "../state/environment-stores";
import { endOffsets, offsetsAt as offsetsAtTime, type KafkaAccess } from "../clients/topic-offsets";

export async function statusCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out = (t: string) => process.stdout.write(t)): Promise<number> {
  const program = new Command("status")
    .description("Shows what runs in an environment and whether it is healthy; exits 1 when a health rule is broken")
    .requiredOption("--env <name>", "environment in config/environments")
    .option("--json", "machine-readable output", false)
    .option("--bootstrap <host:port>", "Kafka bootstrap (default: from EVENTHUBS_JOB_CONNECTION_STRING)")
    .option("--plaintext", "reach Kafka without TLS or SASL (a local broker)", false)
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const opts = program.opts<{ env: string; json: boolean; bootstrap?: string; plaintext: boolean }>();
  const secretValues = secretsInEnvironment(env);
  try {
    const config = loadEnvironment(opts.env, { variables: env });
    const connectionString = env.EVENTHUBS_JOB_CONNECTION_STRING;
    const kafka: KafkaAccess | undefined = opts.plaintext
      ? { bootstrap: opts.bootstrap ?? "127.0.0.1:9092" }
      : connectionString
        ? { bootstrap: opts.bootstrap ?? bootstrapFromConnectionString(connectionString), connectionString }
        : undefined;
    const manifest = computeManifest(config.sparkLine);
    const plan = deployPlanConfig(config, manifest, "https://status.invalid/", { bootstrap: kafka?.bootstrap ?? "", inputTopic: READINGS_TOPIC, outputTopic: STATS_TOPIC });
    const secrets = readSecrets(env, { needSas: false, needEventHubs: false, needGateway: needsGatewayCredentials(plan.target), needStateStoreSas: needsStateStoreSas(plan) });
    const clients = gatewayClients(plan, { username: secrets.gatewayUsername, password: secrets.gatewayPassword }, localCaBundlePath(config));
    try {
      const offsets = kafka && ((topic: string) => endOffsets(kafka, topic));
      const offsetsAt = kafka && ((topic: string, atMs: number) => offsetsAtTime(kafka, topic, atMs));
      const stores = planStores(plan, clients.hdfs, secrets.stateStoreSasToken);
      const report = await runStatus({ plan, hdfs: clients.hdfs, livy: clients.livy, stores, progress: stderrProgress(secretValues), offsetsAt }, offsets);
      out(opts.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
      return report.problems.length === 0 ? 0 : 1;
    } finally {
      await clients.close();
    }
  } catch (err) {
    process.stderr.write(`status: ${redact((err as Error).message, secretValues)}\n`);
    return 2;
  }
}

if (require.main === module) {
  statusCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
