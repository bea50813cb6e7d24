"""The driver's checkpoint lease (checkpoint_lease.py) against a real HDFS (MiniDFSCluster, test/harness/hdfs) and the
local file system: one holder per checkpoint; a second driver exits at start naming the holder, before it reads
Kafka; a killed holder's lease lapses and the next driver takes it; a holder paused past the soft limit loses it and
stops at its next heartbeat. Drivers are real spark-submit processes, so each has its own HDFS client and lease.

The test HDFS runs with a 10 s lease soft limit (HDFS's is 60 s) so lapses are quick; its drivers then renew every
2 s (ipc.client.rpc-timeout.ms 4000; the DFSClient renews at half of it)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest

import checkpoint_lease
import job_config
from conftest import JOB_DIR

ROOT = JOB_DIR.parents[1]
SOFT_LIMIT_S = 10
DRIVER_CONF = ["--conf", "spark.hadoop.ipc.client.rpc-timeout.ms=4000", "--conf", "spark.ui.enabled=false"]
HOLDER = '''
import sys, time
from pyspark.sql import SparkSession
import checkpoint_lease
spark = SparkSession.builder.getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
try:
    lease = checkpoint_lease.acquire(spark, sys.argv[1], checkpoint_lease.holder_record(spark, "run-" + sys.argv[2]),
                                     float(sys.argv[3]))
except checkpoint_lease.LeaseHeld as error:
    print("HELD", error, flush=True)
    sys.exit(checkpoint_lease.EXIT_LEASE)
print("ACQUIRED", sys.argv[2], flush=True)
while True:
    try:
        lease.heartbeat()
    except checkpoint_lease.LeaseLost as error:
        print("LOST", error, flush=True)
        sys.exit(checkpoint_lease.EXIT_LEASE)
    time.sleep(1)
'''


def test_the_lease_constants_agree_with_the_contract():
    """driver-lease.json is generated from contracts/driver-lease.ts, which the deployer reads the lease by."""
    contract = json.loads((JOB_DIR / "driver-lease.json").read_text())
    assert contract == {"file": checkpoint_lease.LEASE_FILE, "exitCode": checkpoint_lease.EXIT_LEASE,
                        "releaseConfKey": checkpoint_lease.RELEASE_CONF_KEY,
                        "recordKeys": list(checkpoint_lease.RECORD_KEYS)}
    assert job_config.DEFAULTS["lease_wait_seconds"] > 60  # past HDFS's soft limit: a killed holder's lease lapses


def test_a_local_checkpoint_has_one_holder_until_it_is_released(spark, tmp_path):
    checkpoint = "file://%s/checkpoint" % tmp_path
    first = checkpoint_lease.acquire(spark, checkpoint, checkpoint_lease.holder_record(spark, "run-a"), 0)
    with pytest.raises(checkpoint_lease.LeaseHeld, match=r"another driver holds .*_driver\.lease: run run-a, .*pid %d" % os.getpid()):
        checkpoint_lease.acquire(spark, checkpoint, checkpoint_lease.holder_record(spark, "run-b"), 0)
    first.heartbeat()
    first.release()
    second = checkpoint_lease.acquire(spark, checkpoint, checkpoint_lease.holder_record(spark, "run-b"), 0)
    assert json.loads((tmp_path / "checkpoint" / "_driver.lease").read_text().splitlines()[0])["run"] == "run-b"
    second.release()


@pytest.fixture(scope="module")
def hdfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("lease-hdfs")
    launcher = [sys.executable, str(ROOT / "test" / "harness" / "hdfs" / "hdfs.py")]
    out = subprocess.run([*launcher, "start", "--dir", str(work), "--user", os.environ.get("USER", "root"),
                          "--lease-soft-limit-seconds", str(SOFT_LIMIT_S)], check=True, capture_output=True, text=True)
    try:
        info = json.loads(out.stdout.strip().splitlines()[-1])
        assert info["leaseSoftLimitMs"] == SOFT_LIMIT_S * 1000
        yield info["rpc"]
    finally:
        subprocess.run([*launcher, "stop", "--dir", str(work)], check=False)


class Driver:
    """spark-submit of a script in its own process group, so a signal reaches its JVM and Python together."""

    def __init__(self, work: Path, name: str, script: Path, args: List[str]) -> None:
        self.log = work / (name + ".log")
        command = [str(Path(sys.executable).parent / "spark-submit"), "--master", "local[1]", *DRIVER_CONF,
                   "--py-files", str(JOB_DIR / "checkpoint_lease.py"),
                   "--driver-java-options", "-XX:TieredStopAtLevel=1 -Dderby.system.home=" + str(work),
                   str(script), *args]
        env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("never printed %r; log tail:\n%s" % (text, self.output()[-3000:]))
            time.sleep(0.5)

    def signal(self, sig: int) -> None:
        os.killpg(self.process.pid, sig)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def drivers(tmp_path: Path) -> Iterator:
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    started: List[Driver] = []

    def start(name: str, checkpoint: str, wait_seconds: float) -> Driver:
        started.append(Driver(tmp_path, name, script, [checkpoint, name, str(wait_seconds)]))
        return started[-1]

    yield start
    for driver in started:
        driver.stop()


def a_checkpoint(rpc: str) -> str:
    return "%s/checkpoints/%s" % (rpc, uuid.uuid4().hex[:8])


def test_a_second_job_on_a_held_hdfs_checkpoint_exits_at_start_naming_the_holder_before_it_reads_kafka(hdfs, drivers, tmp_path):
    checkpoint = a_checkpoint(hdfs)
    holder = drivers("first", checkpoint, 0)
    holder.wait_for("ACQUIRED first", 120)
    config = tmp_path / "job.json"
    # Nothing listens on port 9: a driver that got as far as Kafka would fail otherwise, or hang.
    config.write_text(json.dumps({"bootstrap_servers": "127.0.0.1:9", "input_topic": "in", "output_topic": "out",
                                  "security_protocol": "PLAINTEXT", "checkpoint_location": checkpoint,
                                  "lease_wait_seconds": 4}))
    second = subprocess.run(
        [str(Path(sys.executable).parent / "spark-submit"), "--master", "local[1]", *DRIVER_CONF,
         "--py-files", ",".join(str(JOB_DIR / f) for f in ("batch_lines.py", "checkpoint_lease.py", "checkpoint_runs.py", "job_config.py", "job_tables.py", "reading_checks.py")),
         "--driver-java-options", "-Dderby.system.home=" + str(tmp_path), str(JOB_DIR / "job.py"), "--config", str(config)],
        cwd=tmp_path, env=dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable),
        capture_output=True, text=True, timeout=300)
    output = second.stdout  # spark-submit's PythonRunner merges the driver's stderr into its stdout
    assert second.returncode == checkpoint_lease.EXIT_LEASE, output[-3000:]
    assert "sensor-aggregation: checkpoint lease: another driver holds %s/_driver.lease: run run-first" % checkpoint in output
    assert "Not starting a second driver on this checkpoint" in output
    assert "sensor-aggregation: query" not in output  # it never started its query
    assert holder.process.poll() is None  # the holder runs on, untouched


def test_a_killed_holders_lease_lapses_and_the_next_driver_takes_it(hdfs, drivers):
    checkpoint = a_checkpoint(hdfs)
    first = drivers("first", checkpoint, 0)
    first.wait_for("ACQUIRED first", 120)
    first.signal(signal.SIGKILL)
    first.process.wait(timeout=30)
    second = drivers("second", checkpoint, SOFT_LIMIT_S * 6)
    second.wait_for("ACQUIRED second", 240)
    assert "is held" in second.output()  # it waited for the lapse: the killed holder's lease outlived it for a while


def test_a_clean_exit_frees_the_lease_at_once(hdfs, drivers):
    checkpoint = a_checkpoint(hdfs)
    first = drivers("first", checkpoint, 0)
    first.wait_for("ACQUIRED first", 120)
    first.signal(signal.SIGTERM)  # what Livy's DELETE sends in local mode; Hadoop's shutdown hook closes the stream
    first.process.wait(timeout=60)
    second = drivers("second", checkpoint, 0)  # no wait allowed: the lease must be free now
    second.wait_for("ACQUIRED second", 120)


def test_a_holder_paused_past_the_soft_limit_is_superseded_and_stops_at_its_next_heartbeat(hdfs, drivers):
    checkpoint = a_checkpoint(hdfs)
    first = drivers("first", checkpoint, 0)
    first.wait_for("ACQUIRED first", 120)
    first.signal(signal.SIGSTOP)  # a long GC pause: its client stops renewing
    second = drivers("second", checkpoint, SOFT_LIMIT_S * 6)
    try:
        second.wait_for("ACQUIRED second", 240)
    finally:
        first.signal(signal.SIGCONT)
    first.wait_for("LOST checkpoint lease: this driver no longer holds", 60)
    assert first.process.wait(timeout=60) == checkpoint_lease.EXIT_LEASE
    # Exactly one driver is left, the second, and the lease names it.
    assert second.process.poll() is None
    time.sleep(3)
    assert "LOST" not in second.output()
