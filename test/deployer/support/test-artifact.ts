/**
 * Builds small job artifacts in the format of docs/interfaces.md §2 for the deployer's tests:
 * a real PySpark streaming job (rate source → noop sink, checkpointed in HDFS) that reads its
 * config and JAAS file from HDFS like the real job, a create_tables.py and real jars. Every script reads its
 * config through the module job_config.py, and create_tables.py its DDL from job_tables.py, as the real ones
 * do: on a cluster they are only there if the deployer ships them as `pyFiles`.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The real job's sources: the test job takes its checkpoint lease with the real module. */
const JOB_SOURCES = resolve(__dirname, "..", "..", "..", "jobs", "sensor_aggregation");

export interface TestArtifactOptions {
  /** Printed by the job; changing it changes only job.py. */
  version: string;
  /** job.py exits with status 3 before starting its query (a version that fails to start). */
  failOnStart?: boolean;
  /** create_tables.py exits with status 3, as a refused migration does (a version whose DDL is refused). */
  refuseDdl?: boolean;
  /** create_tables.py never ends by itself (a DDL that outlasts its timeout). */
  hangDdl?: boolean;
  /** Size of the random payload in the test jar, to give uploads weight. @default 256 KiB */
  jarPayloadBytes?: number;
  /** Seed of the jar payload: the same seed gives the same jar bytes. @default "jar-1" */
  jarSeed?: string;
  /** "bytes" writes the payload as the jar file without the JDK's jar tool: for tests that never hand it
   * to Spark (the unit tier runs with Node only). @default "zip" */
  jarKind?: "zip" | "bytes";
}

const JOB_CONFIG = `"""Test job module: how every test script reads its config (the real artifact ships job_config.py too)."""
import json


def read_config(spark, path):
    return json.loads("".join(spark.sparkContext.textFile(path, 1).collect()))
`;

const JOB_TABLES = `"""Test job module: the DDL (the real artifact ships job_tables.py too)."""
TABLES_SQL = "CREATE DATABASE IF NOT EXISTS \${database};\\n"
`;

const CREATE_TABLES = `"""Test DDL step: reads the job config from HDFS and creates the database."""
import argparse
from pyspark.sql import SparkSession
from job_config import read_config
from job_tables import TABLES_SQL

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--drop", action="store_true")
args = parser.parse_args()
spark = SparkSession.builder.appName("create-tables").getOrCreate()
config = read_config(spark, args.config)
statements = [s for s in TABLES_SQL.split(";") if s.strip()]
print("TABLES database=%s statements=%d%s" % (config["database"], len(statements), " dropped" if args.drop else ""))
spark.stop()
`;

/** Appended to CREATE_TABLES by refuseDdl: the refusal a destructive change gets (exit 3). */
const REFUSE_DDL = `
import sys
print("create_tables: job_tables.py asks for changes that would lose or reinterpret data (test refusal)", file=sys.stderr)
sys.exit(3)
`;

/** Appended to CREATE_TABLES by hangDdl. */
const HANG_DDL = `
import time
print("create_tables: hanging (test)", flush=True)
time.sleep(3600)
`;

/** HDFS path of the hold marker: a maintenance run that starts while it exists never ends by itself. */
export const MAINTENANCE_HOLD_MARKER = "/apps/test-maintenance-hold";

const MAINTENANCE = `"""Test maintenance step: checks create_tables.py came beside it, reads the job config from HDFS, reports."""
import argparse
import importlib.util
import json
import sys
import time
from pyspark.sql import SparkSession
from job_config import read_config

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--retention-days", action="append", default=[])
args = parser.parse_args()
if importlib.util.find_spec("create_tables") is None:
    sys.exit("create_tables.py was not shipped beside maintenance.py (pyFiles)")
spark = SparkSession.builder.appName("maintenance").getOrCreate()
config = read_config(spark, args.config)
hold = spark.sparkContext._jvm.org.apache.hadoop.fs.Path("${MAINTENANCE_HOLD_MARKER}")
if hold.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hold):
    print("MAINTENANCE holding", flush=True)
    while True:
        time.sleep(1)
print("maintenance: done %s" % json.dumps({"database": config["database"], "retention": args.retention_days}), flush=True)
spark.stop()
`;

/** HDFS directory of the stuck markers: a version started while its marker exists never commits a batch. */
export const STUCK_MARKER_DIR = "/apps/test-stuck-markers";

/** HDFS directory of the reject markers: a version started while its marker exists reports every row rejected. */
export const REJECT_MARKER_DIR = "/apps/test-reject-markers";

/** HDFS directory of the fail markers: a file named after a version makes that version exit at start. */
export const FAIL_MARKER_DIR = "/apps/test-fail-markers";

function jobPy(version: string, failOnStart: boolean): string {
  return `"""Test streaming job ${version}: a real Structured Streaming query, checkpointed in HDFS."""
import argparse
import json
import platform
import sys
from pyspark.sql import SparkSession
from job_config import read_config
import checkpoint_lease

VERSION = "${version}"
parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--starting-offsets", default=None)
args = parser.parse_args()
${failOnStart ? 'print("job %s: refusing to start (test failure)" % VERSION, file=sys.stderr)\nsys.exit(3)\n' : ""}spark = SparkSession.builder.appName("sensor-test-" + VERSION).getOrCreate()
# Keep the batch log short: Livy keeps only its last lines, and per-trigger INFO lines would push out the marker.
spark.sparkContext.setLogLevel("WARN")
config = read_config(spark, args.config)
# A test makes this version fail at start by creating the marker (a restart that cannot succeed).
marker = spark.sparkContext._jvm.org.apache.hadoop.fs.Path("${FAIL_MARKER_DIR}/" + VERSION)
if marker.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(marker):
    print("job %s: fail marker present, refusing to start (test failure)" % VERSION, file=sys.stderr, flush=True)
    sys.exit(3)
for key in ("jaas_config_path", "output_jaas_config_path"):
    jaas = "".join(spark.sparkContext.textFile(config[key], 1).collect())
    if "PlainLoginModule" not in jaas:
        sys.exit("%s: the JAAS file has no login module" % key)
# The real job's checkpoint lease (checkpoint_lease.py, shipped as a module): one driver per checkpoint.
try:
    lease = checkpoint_lease.acquire(spark, config["checkpoint_location"], checkpoint_lease.holder_record(spark, None),
                                     float(config.get("lease_wait_seconds", 90)))
except checkpoint_lease.LeaseHeld as error:
    print("job %s: %s" % (VERSION, error), flush=True)
    sys.exit(checkpoint_lease.EXIT_LEASE)
print("job %s: holds the checkpoint lease" % VERSION, flush=True)
stuck = spark.sparkContext._jvm.org.apache.hadoop.fs.Path("${STUCK_MARKER_DIR}/" + VERSION)
writer = spark.readStream.format("rate").option("rowsPerSecond", 1).load().writeStream
reject = spark.sparkContext._jvm.org.apache.hadoop.fs.Path("${REJECT_MARKER_DIR}/" + VERSION)
if reject.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(reject):
    def report_all_rejected(df, batch_id):
        # The real job's batch line (job.py for_each_batch), with every row counted as rejected.
        n = df.count()
        print("sensor-aggregation: run test batch %d written %s" % (batch_id, json.dumps({"readings": 0, "rejected": n, "reasons": {"test": n}})), flush=True)
    print("job %s: reject marker present, every row is reported rejected (test fault)" % VERSION, flush=True)
    writer = writer.foreachBatch(report_all_rejected)
elif stuck.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(stuck):
    import time
    print("job %s: stuck marker present, no batch will ever commit (test fault)" % VERSION, flush=True)
    writer = writer.foreachBatch(lambda df, batch_id: time.sleep(10 ** 6))
else:
    # Like the real job: each micro-batch first proves the lease is still held (it stops if superseded).
    writer = writer.foreachBatch(lambda df, batch_id: lease.heartbeat())
query = (writer.queryName(config["query_name"])
         .option("checkpointLocation", config["checkpoint_location"])
         .trigger(processingTime=config["trigger_interval"]).start())
print("STREAMING job %s started, checkpoint %s, starting offsets %s" % (VERSION, config["checkpoint_location"], args.starting_offsets), flush=True)
print("STREAMING job %s runs on Spark %s, Python %s, Java %s" % (VERSION, spark.version, platform.python_version(),
      spark.sparkContext._jvm.java.lang.System.getProperty("java.version")), flush=True)
query.awaitTermination()
`;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function payload(bytes: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash("sha256").update(seed).digest();
  for (let size = 0; size < bytes; size += block.length) {
    block = createHash("sha256").update(block).digest();
    blocks.push(block);
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

/** A real jar (zip) made by the JDK's jar tool, with a deterministic payload. */
function makeJar(path: string, work: string, bytes: number, seed: string, kind: "zip" | "bytes"): void {
  if (kind === "bytes") {
    writeFileSync(path, payload(bytes, seed));
    return;
  }
  const content = join(work, `jar-content-${seed}`);
  mkdirSync(join(content, "data"), { recursive: true });
  writeFileSync(join(content, "data", "payload.bin"), payload(bytes, seed));
  // Fixed timestamps (--date) keep the jar byte-identical across builds.
  execFileSync("jar", ["--create", "--no-manifest", "--date=2020-01-01T00:00:00Z", "--file", path, "-C", content, "."]);
}

/** Writes the artifact into `dir` and returns its manifest hash. */
export function buildTestArtifact(dir: string, options: TestArtifactOptions): string {
  mkdirSync(join(dir, "jars"), { recursive: true });
  writeFileSync(join(dir, "job.py"), jobPy(options.version, options.failOnStart ?? false));
  writeFileSync(join(dir, "create_tables.py"), CREATE_TABLES + (options.refuseDdl ? REFUSE_DDL : "") + (options.hangDdl ? HANG_DDL : ""));
  writeFileSync(join(dir, "job_config.py"), JOB_CONFIG);
  writeFileSync(join(dir, "job_tables.py"), JOB_TABLES);
  writeFileSync(join(dir, "maintenance.py"), MAINTENANCE);
  copyFileSync(join(JOB_SOURCES, "checkpoint_lease.py"), join(dir, "checkpoint_lease.py"));
  makeJar(join(dir, "jars", "test-connector-1.0.jar"), join(dir, ".."), options.jarPayloadBytes ?? 256 * 1024, options.jarSeed ?? "jar-1", options.jarKind ?? "zip");
  const paths = ["checkpoint_lease.py", "create_tables.py", "jars/test-connector-1.0.jar", "job.py", "job_config.py", "job_tables.py", "maintenance.py"];
  const files = paths.map((path) => {
    const data = readFileSync(join(dir, path));
    return { path, sha256: sha256(data), size: data.length, kind: path.startsWith("jars/") ? "jar" : "job" };
  });
  const hash = sha256(Buffer.from(files.map((f) => `${f.sha256}  ${f.path}\n`).join("")));
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify({ name: "sensor-aggregation", hash, sparkVersion: "3.5.7", scalaVersion: "2.12", files }, null, 2)}\n`);
  return hash;
}

/** A random marker that must never leave the deployer except in the JAAS file (secret scans). */
export function fakeConnectionString(rule = "aggregation-job-listen", hub = "sensor-readings"): string {
  const key = randomBytes(24).toString("base64");
  return `Endpoint=sb://sensors-test.servicebus.windows.net/;SharedAccessKeyName=${rule};SharedAccessKey=${key};EntityPath=${hub}`;
}
