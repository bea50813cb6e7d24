/**
 * The local environment's services on 127.0.0.1, each started by its launcher in test/harness/ (the same
 * commands the tests use, so there is one way to run each): Kafka (KRaft) with the two topics, HDFS with
 * WebHDFS, a Derby network server as the Hive metastore database, Livy on local Spark, and a real Apache Knox
 * gateway (test/harness/knox/knox.py) over HTTPS with a fresh CA, as on a BDC. `stop()` ends every process it
 * started, in reverse order.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startBroker, type RunningBroker } from "../../test/harness/kafka/broker";
import { createTestCa } from "../../test/harness/knox-standin/test-ca";
import { HARNESS_PYTHON } from "../../test/harness/python";

const ROOT = resolve(__dirname, "..", "..");
const run = promisify(execFile);

/** The gateway account of the local stack; HDFS's /apps belongs to it, and Livy's batches run as it. */
export const LOCAL_GATEWAY_USER = "deployer";
/** Not a secret: the gateway of a stack that listens on loopback only. */
export const LOCAL_GATEWAY_PASSWORD = "local-gateway-password";

/** Runs a test/harness launcher; its last stdout line is JSON. */
export async function runLauncher(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(HARNESS_PYTHON, [join(ROOT, script), ...args], { maxBuffer: 1 << 20 });
  const last = stdout.trim().split("\n").pop() ?? "";
  return last ? (JSON.parse(last) as Record<string, unknown>) : {};
}

export interface LocalServices {
  dir: string;
  kafka: { bootstrap: string; pid: number };
  hdfs: { webhdfs: string; rpc: string };
  metastore: { jdbcUrl: string; sparkConf: Record<string, string> };
  livy: { url: string };
  gateway: { url: string; caCertPath: string; pid: number };
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Work directory; every service keeps its data and log under it. */
  dir: string;
  topics: readonly string[];
  partitions: number;
  sparkMaster: string;
  /** One line per service as it comes up. */
  log(line: string): void;
}

export async function startLocalServices(options: StartOptions): Promise<LocalServices> {
  const { dir, log } = options;
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch((err: unknown) => log(`stopping: ${(err as Error).message}`));
    stops.length = 0;
  };
  const launcherService = async (name: string, script: string, args: string[]): Promise<Record<string, unknown>> => {
    const serviceDir = join(dir, name);
    stops.push(() => runLauncher(script, ["stop", "--dir", serviceDir]));
    return runLauncher(script, ["start", "--dir", serviceDir, ...args]);
  };
  try {
    log("starting Kafka (KRaft)");
    let broker: RunningBroker | undefined;
    stops.push(async () => broker?.stop());
    broker = await startBroker({ dir: join(dir, "kafka"), partitions: options.partitions });
    for (const topic of options.topics) await broker.createTopic(topic, options.partitions);
    log(`Kafka at ${broker.bootstrap}, topics ${options.topics.join(", ")} with ${options.partitions} partitions`);

    log("starting HDFS (NameNode, DataNode, WebHDFS)");
    const hdfs = (await launcherService("hdfs", "test/harness/hdfs/hdfs.py", ["--user", LOCAL_GATEWAY_USER])) as { webhdfs: string; rpc: string };
    log(`HDFS at ${hdfs.rpc}, WebHDFS ${hdfs.webhdfs}`);

    log("starting the Hive metastore database (Derby network server)");
    const metastore = (await launcherService("metastore", "test/harness/metastore/metastore.py", [])) as { jdbcUrl: string; sparkConf: Record<string, string> };

    log(`starting Livy on Spark ${options.sparkMaster}`);
    const livy = (await launcherService("livy", "test/harness/livy/livy.py", ["--master", options.sparkMaster, "--hdfs-user", LOCAL_GATEWAY_USER])) as { url: string };
    log(`Livy at ${livy.url}`);

    const ca = createTestCa(join(dir, "ca"), "gateway");
    log("starting the gateway (Apache Knox 2.0.0: WebHDFS and Livy, HTTPS with basic auth)");
    const knoxStarted = Date.now();
    const knox = (await launcherService("knox", "test/harness/knox/knox.py", [
      "--webhdfs", `${hdfs.webhdfs}/webhdfs`, "--livy", livy.url,
      "--user", LOCAL_GATEWAY_USER, "--password", LOCAL_GATEWAY_PASSWORD, "--cert", ca.certPath, "--key", ca.keyPath,
    ])) as { url: string; pid: number };
    log(`gateway at ${knox.url} (CA ${ca.caCertPath}), up in ${((Date.now() - knoxStarted) / 1000).toFixed(1)}s`);
    return {
      dir,
      kafka: { bootstrap: broker.bootstrap, pid: broker.pid },
      hdfs,
      metastore,
      livy,
      gateway: { url: knox.url, caCertPath: ca.caCertPath, pid: knox.pid },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
