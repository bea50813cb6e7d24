/**
 * `npm run simulate -- --topic sensor-readings [options]`: streams simulated sensor readings to
 * a local Kafka broker or to Azure Event Hubs' Kafka endpoint.
 *
 * Exit codes: 0 all delivered; 1 a delivery failed or the broker cannot be reached;
 * 2 invalid options or credentials. Progress and the summary go to stderr; the summary is also
 * printed as one JSON line on stdout for scripts.
 */
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { CommanderError } from "commander";
import { kafkaBootstrapOf, parseConnectionString } from "../../contracts/eventhubs-connection-string";
import { CredentialsError, findSecretArguments, loadConnectionString } from "./credentials";
import { describeKafkaError } from "./kafka-errors";
import { BrokerUnreachableError, connectKafka, type KafkaTarget } from "./kafka-producer";
import { buildCommand } from "./command";
import { MAX_SEED, OptionsError, parseSimulatorOptions, type RawSimulatorOptions, type SimulatorOptions } from "./options";
import { formatSummary } from "./progress";
import { runSimulation } from "./run";

const EXIT_OK = 0;
const EXIT_DELIVERY = 1;
const EXIT_USAGE = 2;

function kafkaTarget(options: SimulatorOptions, env: NodeJS.ProcessEnv): KafkaTarget {
  if (options.securityProtocol === "PLAINTEXT") return { bootstrapServers: options.bootstrapServers ?? [] };
  const connectionString = loadConnectionString({ envVar: options.connectionStringEnv, file: options.connectionStringFile }, env);
  const parsed = parseConnectionString(connectionString); // checked by loadConnectionString
  const bootstrapServers = options.bootstrapServers ?? (parsed.ok ? [kafkaBootstrapOf(parsed.value)] : []);
  return { bootstrapServers, connectionString, extraCaPem: options.caFile === undefined ? undefined : readCaFile(options.caFile) };
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw new OptionsError([`--ca-file: cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new OptionsError([`--ca-file: '${path}' holds no PEM certificate`]);
  return pem;
}

function describeRun(options: SimulatorOptions, target: KafkaTarget, seed: number): string {
  const rate = options.ratePerSecond === Infinity ? "unthrottled" : `${options.ratePerSecond}/s`;
  const end = options.count !== undefined ? `${options.count} events` : options.durationMs !== undefined ? `${options.durationMs / 1000} s` : "until Ctrl-C";
  return (
    `simulating ${options.sensors.length} sensors → topic '${options.topic}' at ${target.bootstrapServers.join(",")} (${options.securityProtocol}), ` +
    `${rate}, ${end}, seed ${seed}, malformed ${options.malformedFraction}, compression ${options.compression}`
  );
}

/** Runs the command; resolves to the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const secrets = findSecretArguments(argv);
  if (secrets.length > 0) {
    log(
      `error: refusing a secret on the command line (${[...new Set(secrets)].join(", ")}): arguments show in process lists and shell history. ` +
        "Put the Event Hubs connection string in the environment variable EVENTHUBS_CONNECTION_STRING (or one named by --connection-string-env), or in a file given by --connection-string-file.",
    );
    return EXIT_USAGE;
  }

  const command = buildCommand().exitOverride();
  let options: SimulatorOptions;
  let target: KafkaTarget;
  try {
    command.parse([...argv], { from: "user" });
    options = parseSimulatorOptions(command.opts<RawSimulatorOptions>());
    target = kafkaTarget(options, env);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE; // commander printed it
    if (error instanceof OptionsError || error instanceof CredentialsError) {
      log(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const seed = options.seed ?? randomInt(0, MAX_SEED);
  log(describeRun(options, target, seed));
  let sink;
  try {
    sink = await connectKafka(options, target);
  } catch (error) {
    log(`error: ${error instanceof BrokerUnreachableError ? error.message : describeKafkaError(error)}`);
    return EXIT_DELIVERY;
  }

  const stop = new AbortController();
  const onSignal = (name: string) => (): void => {
    if (stop.signal.aborted) {
      log(`${name} again: exiting without waiting for in-flight messages`);
      process.exit(130);
    }
    log(`${name}: stopping, waiting for in-flight messages (press Ctrl-C again to quit at once)`);
    stop.abort();
  };
  const onSigint = onSignal("SIGINT");
  const onSigterm = onSignal("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  try {
    const summary = await runSimulation(options, seed, sink, {
      stopSignal: stop.signal,
      onProgress: log,
      onError: (message) => log(`error: ${message}`),
      describeError: describeKafkaError,
    });
    await sink.close().catch((error: unknown) => log(`warning: closing the producer: ${describeKafkaError(error)}`));
    log(formatSummary(summary));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (summary.failed > 0) {
      log(`error: ${summary.failed} of ${summary.sent} messages were not delivered${summary.stoppedBy === "failures" ? " (stopped after repeated failures)" : ""}`);
      return EXIT_DELIVERY;
    }
    return EXIT_OK;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // The Kafka client may keep sockets or timers alive briefly after close; do not hang on them.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(EXIT_DELIVERY);
    },
  );
}
