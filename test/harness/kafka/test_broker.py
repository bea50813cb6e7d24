"""The broker harness against a real Kafka broker: start, answer, create a topic, stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BROKER_PY = Path(__file__).resolve().parent / "broker.py"
sys.path.insert(0, str(BROKER_PY.parent))
import kafka_admin  # noqa: E402


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BROKER_PY), *args], capture_output=True, text=True, timeout=120, env=env)


def port_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory):
    work_dir = tmp_path_factory.mktemp("kafka")
    started = run("start", "--dir", str(work_dir))
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout.strip().splitlines()[-1])
    yield work_dir, state
    run("stop", "--dir", str(work_dir))


def test_start_prints_bootstrap_on_loopback_and_broker_answers(broker) -> None:
    _, state = broker
    host, port = state["bootstrap"].split(":")
    assert host == "127.0.0.1"
    assert port_accepts(host, int(port))
    assert kafka_admin.broker_ids(state["bootstrap"]) == [1]


def test_start_twice_in_one_dir_returns_the_running_broker(broker) -> None:
    work_dir, state = broker
    again = run("start", "--dir", str(work_dir))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == state


def test_create_topic_leads_every_partition_and_tolerates_existing(broker) -> None:
    work_dir, state = broker
    for _ in range(2):
        created = run("create-topic", "--dir", str(work_dir), "--topic", "harness-check", "--partitions", "3")
        assert created.returncode == 0, created.stderr
        assert json.loads(created.stdout) == {"topic": "harness-check", "partitions": 3}
    assert kafka_admin.partition_leaders(state["bootstrap"], "harness-check") == [1, 1, 1]


def test_stop_ends_the_process_and_frees_the_port(tmp_path: Path) -> None:
    started = run("start", "--dir", str(tmp_path))
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    host, port = state["bootstrap"].split(":")
    stopped = run("stop", "--dir", str(tmp_path))
    assert stopped.returncode == 0, stopped.stderr
    assert not Path(f"/proc/{state['pid']}").exists() or "Z" in Path(f"/proc/{state['pid']}/stat").read_text().split(")")[-1].split()[0]
    assert not port_accepts(host, int(port))


def test_missing_classpath_gives_a_clear_error(tmp_path: Path) -> None:
    env = dict(os.environ, KAFKA_HARNESS_CLASSPATH_FILE=str(tmp_path / "nope.txt"))
    result = run("start", "--dir", str(tmp_path / "broker"), env=env)
    assert result.returncode == 1
    assert "classpath file" in result.stderr and "scripts/setup.sh" in result.stderr


def test_sasl_ssl_listener_speaks_tls_with_its_own_ca_and_keeps_the_secret_private(tmp_path: Path) -> None:
    import ssl
    import stat

    started = run("start", "--dir", str(tmp_path), "--sasl-ssl")
    try:
        assert started.returncode == 0, started.stderr
        sasl = json.loads(started.stdout)["sasl_ssl"]
        host, port = sasl["bootstrap"].split(":")
        context = ssl.create_default_context(cafile=sasl["ca_file"])
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
        secret_file = Path(sasl["connection_string_file"])
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert secret_file.read_text().startswith("Endpoint=sb://localhost/;SharedAccessKeyName=")
        # Without trusting the harness CA the handshake fails: the certificate really is checked.
        with pytest.raises(ssl.SSLCertVerificationError):
            with socket.create_connection((host, int(port)), timeout=5) as raw:
                ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
    finally:
        run("stop", "--dir", str(tmp_path))


def test_broker_is_stopped_when_the_process_that_started_it_dies_without_stop(tmp_path: Path) -> None:
    # The owner is a short-lived Python process: it runs `start` and exits, like a killed test run.
    owner = subprocess.run(
        [sys.executable, "-c", "import subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); print(r.stdout, end='')",
         sys.executable, str(BROKER_PY), "start", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    state = json.loads(owner.stdout)
    pid = state["pid"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.5)
    try:
        assert not Path(f"/proc/{pid}").exists(), "broker still running after its owner died"
        assert "owner process" in (tmp_path / "broker.log").read_text()
    finally:
        run("stop", "--dir", str(tmp_path))


def test_cluster_ids_are_kafka_uuids_that_never_look_like_an_option() -> None:
    import broker as harness

    ids = [harness.new_cluster_id() for _ in range(5000)]
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert len(set(ids)) == len(ids)
