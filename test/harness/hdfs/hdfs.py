#!/usr/bin/env python3
"""Starts and stops the test HDFS (MiniDFSCluster with WebHDFS) on 127.0.0.1, standard library only.

  python3 test/harness/hdfs/hdfs.py start --dir <work dir> [--user deployer] [--lease-soft-limit-seconds 60]
      prints one JSON line {"webhdfs": "http://127.0.0.1:<port>", "rpc": ..., "pid": <pid>, ...}
  python3 test/harness/hdfs/hdfs.py stop --dir <work dir>

Jars and the compiled MiniHdfs class come from scripts/setup.d/40-hdfs.sh (.cache/).
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from service_process import run_launcher, stop_by_pid_file, wait_until_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
CLASSPATH_FILE = ROOT / ".cache" / "hdfs-classpath.txt"
CLASSES_DIR = ROOT / ".cache" / "hdfs-classes"
START_TIMEOUT_S = 120
# Hadoop 3.3 reflects into JDK internals; Java 17 needs these opened explicitly.
ADD_OPENS = [
    "java.base/java.lang", "java.base/java.lang.reflect", "java.base/java.io", "java.base/java.net",
    "java.base/java.nio", "java.base/java.util", "java.base/java.util.concurrent",
    "java.base/sun.nio.ch", "java.base/sun.security.action", "java.security.jgss/sun.security.krb5",
]


def start(work: Path, user: str, lease_soft_limit_seconds: int = 60) -> dict:
    if not CLASSPATH_FILE.exists() or not (CLASSES_DIR / "MiniHdfs.class").exists():
        sys.exit("hdfs harness: jars not resolved; run `bash scripts/setup.sh` (scripts/setup.d/40-hdfs.sh)")
    work.mkdir(parents=True, exist_ok=True)
    ready = work / "hdfs-ready.json"
    ready.unlink(missing_ok=True)
    log = open(work / "hdfs.log", "ab")
    classpath = f"{CLASSES_DIR}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}"
    cmd = ["java", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *[f"--add-opens={m}=ALL-UNNAMED" for m in ADD_OPENS],
           "-Dlog4j.configuration=file:" + str(Path(__file__).with_name("log4j.properties")),
           "-Dhdfs.audit.log=" + str(work / "hdfs-audit.log"),
           "-Dminihdfs.leaseSoftLimitMs=%d" % (lease_soft_limit_seconds * 1000),
           "-cp", classpath, "MiniHdfs", str(work / "data"), str(ready), user]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    (work / "hdfs.pid").write_text(str(proc.pid))
    wait_until_ready("hdfs", proc, work / "hdfs.log", ready.exists, START_TIMEOUT_S, 0.2, lambda: stop(work))
    info = json.loads(ready.read_text())
    info["pid"] = proc.pid
    return info


def stop(work: Path) -> None:
    stop_by_pid_file(work / "hdfs.pid", group=False)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default="deployer", help="user that owns /apps and its home")
    parser.add_argument("--lease-soft-limit-seconds", type=int, default=60,
                        help="the NameNode's lease soft limit (HDFS's is 60 s); below 60 every writer must renew faster, "
                             "e.g. spark.hadoop.ipc.client.rpc-timeout.ms under twice this")


def main() -> None:
    run_launcher(__doc__, "data, log, pid file", lambda work, args: start(work, args.user, args.lease_soft_limit_seconds), stop, options)


if __name__ == "__main__":
    main()
