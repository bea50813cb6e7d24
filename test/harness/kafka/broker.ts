/**
 * Jest side of the local Kafka broker harness: calls the same `broker.py` that pytest uses,
 * so there is one setup for the broker (docs/interfaces.md §4).
 *
 *   const broker = await startBroker();            // in beforeAll
 *   await broker.createTopic("sensor-readings", 3);
 *   ... broker.bootstrap ...                         // "127.0.0.1:<port>"
 *   await broker.stop();                             // in afterAll
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { HARNESS_PYTHON } from "../python";

const run = promisify(execFile);
const BROKER_PY = join(__dirname, "broker.py");

export interface StartBrokerOptions {
  /** Work dir for the broker's config, data and log. @default a fresh temp dir, removed by stop() */
  readonly dir?: string;
  /** Partitions of auto-created topics. @default 1 */
  readonly partitions?: number;
  /** Seconds to wait for the broker to answer; generous because tests share a busy machine. @default 120 */
  readonly startTimeoutSeconds?: number;
  /** Also listen for SASL_SSL/PLAIN the way Event Hubs does (self-signed TLS, user `$ConnectionString`). @default false */
  readonly saslSsl?: boolean;
}

/** The Event Hubs-like listener of a broker started with `saslSsl`. */
export interface SaslSslListener {
  /** `127.0.0.1:<port>`, SASL_SSL with mechanism PLAIN. */
  readonly bootstrap: string;
  /** PEM of the broker's self-signed certificate, to trust. */
  readonly caFile: string;
  /** File (mode 600) holding the stand-in connection string the listener accepts as password. */
  readonly connectionStringFile: string;
}

export interface RunningBroker {
  /** `127.0.0.1:<port>`, PLAINTEXT. */
  readonly bootstrap: string;
  /** Process id of the broker JVM. */
  readonly pid: number;
  /** Work dir holding server.properties, data/ and broker.log. */
  readonly dir: string;
  /** Set when started with `saslSsl`. */
  readonly saslSsl?: SaslSslListener;
  /** Creates a topic (no error if it exists) and waits until every partition has a leader. */
  createTopic(name: string, partitions?: number): Promise<void>;
  /** Stops the broker, waits for it to exit, and removes a temp work dir. */
  stop(): Promise<void>;
}

async function brokerPy(args: string[], timeoutMs = 90_000): Promise<string> {
  try {
    const { stdout } = await run(HARNESS_PYTHON, [BROKER_PY, ...args], { timeout: timeoutMs });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`broker.py ${args[0]} failed: ${stderr || String(error)}`);
  }
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "kafka-harness-")));
  const timeoutSeconds = options.startTimeoutSeconds ?? 120;
  const args = ["start", "--dir", dir, "--partitions", String(options.partitions ?? 1), "--timeout", String(timeoutSeconds)];
  if (options.saslSsl) args.push("--sasl-ssl");
  const lines = (await brokerPy(args, (timeoutSeconds + 60) * 1000)).trim().split("\n");
  const state = JSON.parse(lines[lines.length - 1]) as {
    bootstrap: string;
    pid: number;
    sasl_ssl?: { bootstrap: string; ca_file: string; connection_string_file: string };
  };
  const sasl = state.sasl_ssl;
  return {
    bootstrap: state.bootstrap,
    pid: state.pid,
    dir,
    saslSsl: sasl && { bootstrap: sasl.bootstrap, caFile: sasl.ca_file, connectionStringFile: sasl.connection_string_file },
    async createTopic(name: string, partitions = 1): Promise<void> {
      await brokerPy(["create-topic", "--dir", dir, "--topic", name, "--partitions", String(partitions)]);
    },
    async stop(): Promise<void> {
      await brokerPy(["stop", "--dir", dir]);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
