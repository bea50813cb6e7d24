#!/usr/bin/env python3
"""Starts and stops an Apache Derby network server on 127.0.0.1: the Hive metastore database that several Spark
applications share, as a BDC's Spark applications share its metastore. Standard library only.

  python3 test/harness/metastore/metastore.py start --dir <work dir>
      prints one JSON line {"jdbcUrl": "jdbc:derby://127.0.0.1:<port>/metastore;create=true",
                            "clientJar": "<derbyclient jar>", "sparkConf": {...}, "pid": <pid>}
  python3 test/harness/metastore/metastore.py stop --dir <work dir>

sparkConf holds what a Spark application needs to use it (the JDBC URL and driver, the client jar on the
driver's class path); the warehouse directory is the caller's. Jars come from scripts/setup.d/42-metastore.sh.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from service_process import free_port, run_launcher, stop_by_pid_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
CLASSPATH_FILE = ROOT / ".cache" / "metastore-classpath.txt"
START_TIMEOUT_S = 60


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def spark_conf(jdbc_url: str, client_jar: str) -> dict:
    return {
        "spark.hadoop.javax.jdo.option.ConnectionURL": jdbc_url,
        "spark.hadoop.javax.jdo.option.ConnectionDriverName": "org.apache.derby.jdbc.ClientDriver",
        "spark.driver.extraClassPath": client_jar,
        # A fresh database: the metastore creates its own schema, as the embedded default does.
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.hadoop.hive.metastore.schema.verification": "false",
    }


def start(work: Path) -> dict:
    if not CLASSPATH_FILE.exists():
        sys.exit("metastore harness: jars not resolved; run `bash scripts/setup.sh` (scripts/setup.d/42-metastore.sh)")
    classpath = CLASSPATH_FILE.read_text().strip()
    client_jar = next((p for p in classpath.split(os.pathsep) if "derbyclient" in p), "")
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(work / "derby.log", "ab")
    cmd = ["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", f"-Dderby.system.home={work}", "-cp", classpath,
           "org.apache.derby.drda.NetworkServerControl", "start", "-h", "127.0.0.1", "-p", str(port), "-noSecurityManager"]
    proc = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    (work / "derby.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + START_TIMEOUT_S
    while not answers(port):
        if proc.poll() is not None:
            sys.exit(f"metastore harness: Derby exited with {proc.returncode}; see {work / 'derby.log'}")
        if time.monotonic() > deadline:
            stop(work)
            sys.exit(f"metastore harness: Derby not listening after {START_TIMEOUT_S}s; see {work / 'derby.log'}")
        time.sleep(0.2)
    jdbc_url = f"jdbc:derby://127.0.0.1:{port}/metastore;create=true"
    return {"jdbcUrl": jdbc_url, "clientJar": client_jar, "sparkConf": spark_conf(jdbc_url, client_jar), "pid": proc.pid}


def stop(work: Path) -> None:
    stop_by_pid_file(work / "derby.pid", group=True)


def main() -> None:
    run_launcher(__doc__, "database, log, pid file", lambda work, _: start(work), stop)


if __name__ == "__main__":
    main()
