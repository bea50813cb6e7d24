/**
 * Starts the deployer's test services on 127.0.0.1: real HDFS (MiniDFSCluster + WebHDFS), optionally
 * real Apache Livy, and the Knox gateway stand-in in front of them over HTTPS with a fresh test CA.
 * Each service uses its launcher in test/harness/ (the same commands pytest or a shell would use).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startKnoxStandIn, type KnoxStandIn } from "../../harness/knox-standin/knox-standin";
import { resourceManagerStandIn, serveResourceManager, type ResourceManagerStandIn } from "../../harness/knox-standin/resourcemanager-standin";
import { createTestCa, type TestCa } from "../../harness/knox-standin/test-ca";
import { HARNESS_PYTHON } from "../../harness/python";

const ROOT = resolve(__dirname, "..", "..", "..");
export const GATEWAY_USER = "deployer";
/** The test HDFS's lease soft limit; its writers renew every 2 s (TEST_HDFS_CLIENT_CONF), well inside it. */
export const TEST_LEASE_SOFT_LIMIT_SECONDS = 10;
/** Spark conf for every driver on the test HDFS: the DFSClient renews its leases at half the RPC timeout. */
// One DataNode: files get one replica, so an append's pipeline never looks for a second DataNode.
export const TEST_HDFS_CLIENT_CONF = { "spark.hadoop.ipc.client.rpc-timeout.ms": "4000", "spark.hadoop.dfs.replication": "1" };
/** Test-only credential of the stand-in gateway; the secret scans look for it. */
export const GATEWAY_PASSWORD = "knox-standin-Pa55-word-7f3a";

export interface DeployerServices {
  work: string;
  ca: TestCa;
  /** A second CA that did not sign the gateway's certificate. */
  otherCa: TestCa;
  hdfs: { webhdfs: string; rpc: string };
  livy?: { url: string };
  /** The gateway stand-in: fault injection and call counts (a real Knox cannot fail on demand). */
  knox: KnoxStandIn;
  /** The real Apache Knox 2.0.0 (test/harness/knox/knox.py) in front of the same HDFS and Livy, when asked for. */
  realKnox?: { url: string; pid: number; resourceManager: ResourceManagerStandIn; resourceManagerRequests: { method: string; url: string }[] };
  stop(): Promise<void>;
}

function launcher(script: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(HARNESS_PYTHON, [join(ROOT, script), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const last = out.trim().split("\n").pop() ?? "";
  return last ? (JSON.parse(last) as Record<string, unknown>) : {};
}

/**
 * livy: start a real Livy; sparkLane: the Spark its batches run on (3.1: the BDC CU13+ lane), @default "3.5";
 * realKnox: also start Apache Knox in front of HDFS and Livy. @default false
 */
export async function startDeployerServices(options: { livy: boolean; sparkLane?: "3.5" | "3.1"; realKnox?: boolean }): Promise<DeployerServices> {
  const work = mkdtempSync(join(tmpdir(), "deployer-test-"));
  const stops: (() => void | Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const ca = createTestCa(join(work, "ca"), "gateway");
    const otherCa = createTestCa(join(work, "other-ca"), "other");
    const hdfsDir = join(work, "hdfs");
    stops.push(() => void launcher("test/harness/hdfs/hdfs.py", ["stop", "--dir", hdfsDir]));
    // A killed driver's checkpoint lease lapses after TEST_LEASE_SOFT_LIMIT_SECONDS (HDFS's 60 s would slow every crash scenario).
    const hdfs = launcher("test/harness/hdfs/hdfs.py", ["start", "--dir", hdfsDir, "--user", GATEWAY_USER, "--lease-soft-limit-seconds", String(TEST_LEASE_SOFT_LIMIT_SECONDS)]) as { webhdfs: string; rpc: string };
    let livy: { url: string } | undefined;
    if (options.livy) {
      const livyDir = join(work, "livy");
      stops.push(() => void launcher("test/harness/livy/livy.py", ["stop", "--dir", livyDir]));
      // Its batches write HDFS as the gateway user, as on a BDC, so the job's checkpoints are that user's.
      livy = launcher("test/harness/livy/livy.py", ["start", "--dir", livyDir, "--hdfs-user", GATEWAY_USER, "--spark-lane", options.sparkLane ?? "3.5"]) as { url: string };
    }
    const knox = await startKnoxStandIn({
      webhdfsUrl: hdfs.webhdfs,
      // Without Livy, Livy calls get a connection error (502 from the stand-in).
      livyUrl: livy?.url ?? "http://127.0.0.1:9",
      username: GATEWAY_USER,
      password: GATEWAY_PASSWORD,
      tls: { certPath: ca.certPath, keyPath: ca.keyPath },
    });
    stops.push(() => knox.stop());
    let realKnox: DeployerServices["realKnox"];
    if (options.realKnox) {
      const resourceManager = resourceManagerStandIn();
      const rm = await serveResourceManager(resourceManager);
      stops.push(() => rm.stop());
      const knoxDir = join(work, "knox");
      stops.push(() => void launcher("test/harness/knox/knox.py", ["stop", "--dir", knoxDir]));
      const started = launcher("test/harness/knox/knox.py", [
        "start", "--dir", knoxDir, "--webhdfs", `${hdfs.webhdfs}/webhdfs`, "--livy", livy?.url ?? "http://127.0.0.1:9",
        "--user", GATEWAY_USER, "--password", GATEWAY_PASSWORD, "--cert", ca.certPath, "--key", ca.keyPath, "--resourcemanager", rm.url,
      ]) as { url: string; pid: number };
      realKnox = { ...started, resourceManager, resourceManagerRequests: rm.requests };
    }
    return { work, ca, otherCa, hdfs, livy, knox, realKnox, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
