"""Fixtures for the job's tests: one local[2] SparkSession with the real Kafka connector jars, and a real
Kafka broker from test/harness/kafka/broker.py (started on a free loopback port, stopped at the end)."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

import pytest

JOB_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = JOB_DIR.parents[1]
BROKER_PY = REPO_ROOT / "test" / "harness" / "kafka" / "broker.py"
sys.path.insert(0, str(JOB_DIR))
sys.path.insert(0, str(JOB_DIR / "jars"))

from resolve_jars import LOCK, resolve  # noqa: E402


def spark_line() -> str:
    """The jars.lock.json line of the PySpark under test (same major.minor): 3.5-test on the default lane, the
    artifact's own 3.1 line on the Spark 3.1 lane (scripts/test-spark-lane.sh 3.1)."""
    import pyspark

    minor = pyspark.__version__.split(".")[:2]
    lines = [line for line, entry in LOCK.items() if entry["sparkVersion"].split(".")[:2] == minor]
    if not lines:
        raise RuntimeError("PySpark %s: no connector jars for it in jars.lock.json" % pyspark.__version__)
    return lines[0]


def connector_jars() -> List[str]:
    """The Kafka connector jars of the Spark line under test, Maven-resolved by setup and verified against the lock."""
    line = spark_line()
    jar_dir = resolve(line)
    return [str(jar_dir / jar["file"]) for jar in LOCK[line]["jars"]]


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # bind the driver and block manager to loopback only
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sensor-aggregation-tests")
        .config("spark.jars", ",".join(connector_jars()))
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        # Tiny DataFrames: the C1 compiler alone costs less CPU than C2 compiling code these tests never run hot.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@contextlib.contextmanager
def static_overwrite_mode(spark) -> Iterator[None]:
    """The session in Spark's default partition overwrite mode, static, for the block; restored after."""
    mode = "spark.sql.sources.partitionOverwriteMode"
    previous = spark.conf.get(mode)
    spark.conf.set(mode, "static")
    try:
        yield
    finally:
        spark.conf.set(mode, previous)


def run_broker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BROKER_PY), *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real KRaft broker on 127.0.0.1."""
    work_dir = tmp_path_factory.mktemp("kafka")
    started = run_broker("start", "--dir", str(work_dir), "--partitions", "2")
    assert started.returncode == 0, "broker did not start: " + started.stderr
    try:
        yield json.loads(started.stdout.strip().splitlines()[-1])["bootstrap"]
    finally:
        # Stop Spark first: its cached Kafka producers would otherwise keep retrying the stopped broker.
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
        run_broker("stop", "--dir", str(work_dir))


def create_topic(bootstrap: str, topic: str, partitions: int = 2) -> None:
    created = run_broker("create-topic", "--bootstrap", bootstrap, "--topic", topic, "--partitions", str(partitions))
    assert created.returncode == 0, created.stderr


@pytest.fixture(scope="session", autouse=True)
def corpus_seed_line(request):
    """Prints the message corpus's seed once, on every lane: a report header hook only runs from an initial
    conftest, and the default lane collects the whole repository from its root."""
    from corpus_seed import POISON_SEED

    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # past pytest's output capture, to the terminal
        print("\nmessage corpus seed: POISON_SEED=%d (test_poison_messages.py; set it to replay the corpus)" % POISON_SEED,
              flush=True)
