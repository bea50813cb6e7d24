#!/usr/bin/env python3
"""Starts and stops a real single-node Apache Kafka broker (KRaft) on 127.0.0.1 for tests.

    python3 test/harness/kafka/broker.py start --dir D        # prints {"bootstrap": "127.0.0.1:<port>", "pid": <pid>}
    python3 test/harness/kafka/broker.py start --dir D --sasl-ssl   # adds an Event Hubs-like SASL_SSL listener
    python3 test/harness/kafka/broker.py create-topic --dir D --topic T [--partitions N]
    python3 test/harness/kafka/broker.py stop --dir D

pytest and jest both call this one script with the project venv's Python (it asks the broker through
confluent-kafka's AdminClient, kafka_admin.py), so there is one setup for the broker. The jars come from test/harness/kafka/pom.xml,
resolved into .cache/kafka-classpath.txt by scripts/setup.d/30-kafka.sh.
Everything the broker writes (config, data, log) stays in D. A small watchdog process stops the
broker if the process that ran `start` (the test runner) dies without calling `stop`, so a
crashed or killed test run does not leave a JVM behind.

With --sasl-ssl the broker also listens for SASL_SSL with mechanism PLAIN, the way Azure
Event Hubs' Kafka endpoint does: user `$ConnectionString`, password a connection string. The
harness makes a self-signed certificate (keytool, from the JDK) and a random stand-in connection
string, and adds to the JSON line {"sasl_ssl": {"bootstrap", "ca_file", "connection_string_file"}}.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kafka_admin  # noqa: E402
from kafka_admin import KafkaAdminError  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CLASSPATH_FILE = REPO_ROOT / ".cache" / "kafka-classpath.txt"
HOST = "127.0.0.1"
STATE_FILE = "broker.json"
WATCHDOG_FILE = "watchdog.json"
WATCHDOG_INTERVAL_SECONDS = 1.0
LOG_FILE = "broker.log"
START_ATTEMPTS = 3  # a free port can be taken by another test between our probe and the broker's bind


class HarnessError(Exception):
    """A failure with a message meant for the person running the tests."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def read_classpath() -> str:
    path = Path(os.environ.get("KAFKA_HARNESS_CLASSPATH_FILE", DEFAULT_CLASSPATH_FILE))
    if not path.is_file():
        raise HarnessError(f"Kafka classpath file {path} is missing: run `bash scripts/setup.sh` (scripts/setup.d/30-kafka.sh resolves it)")
    classpath = path.read_text().strip()
    missing = [jar for jar in classpath.split(os.pathsep) if not Path(jar).is_file()]
    if not classpath or missing:
        raise HarnessError(f"Kafka classpath in {path} names missing jars ({missing[:3]}): run `bash scripts/setup.sh` again")
    return classpath


def server_properties(work_dir: Path, port: int, controller_port: int, partitions: int, sasl: "SaslListener | None" = None) -> str:
    listeners = f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}"
    advertised = f"PLAINTEXT://{HOST}:{port}"
    if sasl:
        listeners += f",SASL_SSL://{HOST}:{sasl.port}"
        advertised += f",SASL_SSL://{HOST}:{sasl.port}"
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": listeners,
        "advertised.listeners": advertised,
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
        "log.dirs": str(work_dir / "data"),
        "auto.create.topics.enable": "true",
        "num.partitions": str(partitions),
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # Small segments and few threads: the machine is shared with other tests.
        "log.segment.bytes": str(16 * 1024 * 1024),
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
        "log.retention.check.interval.ms": "60000",
    }
    if sasl:
        settings.update(sasl.properties())
    return "".join(f"{key}={value}\n" for key, value in settings.items())


class SaslListener:
    """An Event Hubs-like SASL_SSL/PLAIN listener: self-signed TLS, user $ConnectionString."""

    USER = "$ConnectionString"

    def __init__(self, work_dir: Path) -> None:
        self.port = 0
        self.tls_dir = work_dir / "tls"
        self.keystore = self.tls_dir / "broker.p12"
        self.ca_file = self.tls_dir / "ca.pem"
        self.connection_string_file = self.tls_dir / "connection-string"
        self.store_password = "harness-keystore"  # protects a throwaway test key only

    def prepare(self) -> None:
        """Creates the certificate and the stand-in connection string once per work dir."""
        self.tls_dir.mkdir(exist_ok=True)
        if not self.keystore.is_file():
            keytool = os.environ.get("KEYTOOL", "keytool")
            common = ["-keystore", str(self.keystore), "-storetype", "PKCS12", "-storepass", self.store_password]
            run_tool([keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                      "-dname", "CN=localhost", "-ext", f"SAN=dns:localhost,ip:{HOST}", "-keypass", self.store_password, *common])
            run_tool([keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", str(self.ca_file), *common])
        if not self.connection_string_file.is_file():
            key = base64.b64encode(secrets.token_bytes(32)).decode()
            value = f"Endpoint=sb://localhost/;SharedAccessKeyName=harness-send;SharedAccessKey={key}"
            fd = os.open(self.connection_string_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(value)

    def properties(self) -> dict[str, str]:
        password = self.connection_string_file.read_text().strip()
        return {
            "sasl.enabled.mechanisms": "PLAIN",
            "listener.name.sasl_ssl.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.sasl_ssl.plain.sasl.jaas.config":
                f'org.apache.kafka.common.security.plain.PlainLoginModule required user_{self.USER}="{password}";',
            "listener.name.sasl_ssl.ssl.keystore.location": str(self.keystore),
            "listener.name.sasl_ssl.ssl.keystore.type": "PKCS12",
            "listener.name.sasl_ssl.ssl.keystore.password": self.store_password,
            "listener.name.sasl_ssl.ssl.key.password": self.store_password,
            "listener.name.sasl_ssl.ssl.enabled.protocols": "TLSv1.2,TLSv1.3",
        }

    def state(self) -> dict[str, str]:
        return {"bootstrap": f"{HOST}:{self.port}", "ca_file": str(self.ca_file), "connection_string_file": str(self.connection_string_file)}


def run_tool(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise HarnessError(f"{Path(command[0]).name} failed: {result.stdout}{result.stderr}")


LOG4J2_PROPERTIES = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def java_command(classpath: str, work_dir: Path, main_class: str, *args: str) -> list[str]:
    return [
        os.environ.get("JAVA", "java"),
        "-Xms128m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={work_dir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={work_dir / 'logs'}",
        "-cp",
        classpath,
        main_class,
        *args,
    ]


def new_cluster_id() -> str:
    # Kafka's Uuid text form: URL-safe base64 of 16 bytes, unpadded. Like Kafka's Uuid.randomUuid,
    # skip ids starting with '-', which the storage tool's argument parser would take for an option.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def format_storage(classpath: str, work_dir: Path) -> None:
    if (work_dir / "data" / "meta.properties").is_file():
        return
    result = subprocess.run(
        java_command(classpath, work_dir, "kafka.tools.StorageTool", "format", "-t", new_cluster_id(), "-c", str(work_dir / "server.properties")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise HarnessError(f"formatting Kafka storage in {work_dir / 'data'} failed:\n{result.stdout}{result.stderr}")


def process_is_broker(pid: int, work_dir: Path) -> bool:
    """True while pid is alive and is our broker (guards against a reused pid and an unreaped zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X") and "kafka.Kafka" in cmdline and str(work_dir) in cmdline


def log_tail(work_dir: Path, lines: int = 40) -> str:
    log = work_dir / LOG_FILE
    if not log.is_file():
        return "(no broker log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def broker_answers(port: int) -> bool:
    """The broker is ready once it answers Metadata listing itself (registered and unfenced)."""
    try:
        return len(kafka_admin.broker_ids(f"{HOST}:{port}", timeout=2.0)) > 0
    except KafkaAdminError:
        return False


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def read_state(work_dir: Path) -> dict | None:
    path = work_dir / STATE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def launch(classpath: str, work_dir: Path, partitions: int, timeout: float, sasl: SaslListener | None) -> dict:
    port, controller_port, sasl_port = distinct_free_ports(3)
    if sasl:
        sasl.port = sasl_port
    (work_dir / "server.properties").write_text(server_properties(work_dir, port, controller_port, partitions, sasl))
    format_storage(classpath, work_dir)
    with open(work_dir / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            java_command(classpath, work_dir, "kafka.Kafka", str(work_dir / "server.properties")),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=work_dir,
            start_new_session=True,  # detached: the broker outlives this command
        )
    state: dict = {"bootstrap": f"{HOST}:{port}", "pid": process.pid}
    if sasl:
        state["sasl_ssl"] = sasl.state()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(f"Kafka broker exited with code {process.returncode} while starting; log tail:\n{log_tail(work_dir)}")
        if broker_answers(port) and (sasl is None or port_accepts(sasl.port)):
            (work_dir / STATE_FILE).write_text(json.dumps(state))
            return state
        time.sleep(0.25)
    terminate(process.pid, work_dir)
    raise HarnessError(f"Kafka broker did not answer on {HOST}:{port} within {timeout:.0f} s; log tail:\n{log_tail(work_dir)}")


def process_start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/<pid>/stat): with the pid, names one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def start_watchdog(work_dir: Path, owner_pid: int) -> None:
    owner_started = process_start_time(owner_pid)
    if owner_started is None:
        return
    watchdog = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "watch", "--dir", str(work_dir), "--owner-pid", str(owner_pid), "--owner-start", owner_started],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    (work_dir / WATCHDOG_FILE).write_text(json.dumps({"pid": watchdog.pid, "owner_pid": owner_pid}))


def watch(work_dir: Path, owner_pid: int, owner_start: str) -> None:
    """Runs until the broker is gone; stops it when its owner is gone."""
    while True:
        state = read_state(work_dir)
        if not state or not process_is_broker(state["pid"], work_dir):
            return
        if process_start_time(owner_pid) != owner_start:
            with open(work_dir / LOG_FILE, "a") as log:
                log.write(f"broker.py watchdog: owner process {owner_pid} is gone without `stop`; stopping the broker\n")
            stop_broker(work_dir)
            return
        time.sleep(WATCHDOG_INTERVAL_SECONDS)


def stop_watchdog(work_dir: Path) -> None:
    path = work_dir / WATCHDOG_FILE
    if not path.is_file():
        return
    pid = json.loads(path.read_text())["pid"]
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        cmdline = ""
    if "watch" in cmdline and str(work_dir) in cmdline and pid != os.getpid():
        os.kill(pid, signal.SIGTERM)
    path.unlink(missing_ok=True)


def start(work_dir: Path, partitions: int, timeout: float, sasl_ssl: bool = False, owner_pid: int | None = None) -> dict:
    work_dir.mkdir(parents=True, exist_ok=True)
    existing = read_state(work_dir)
    if existing and process_is_broker(existing["pid"], work_dir):
        return existing  # already running in this dir: starting twice is harmless
    classpath = read_classpath()
    (work_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    sasl = SaslListener(work_dir) if sasl_ssl else None
    if sasl:
        sasl.prepare()
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            state = launch(classpath, work_dir, partitions, timeout, sasl)
            if owner_pid is not None:
                start_watchdog(work_dir, owner_pid)
            return state
        except HarnessError as error:
            if attempt == START_ATTEMPTS or "Address already in use" not in str(error):
                raise
            print(f"port taken by another process, retrying ({attempt}/{START_ATTEMPTS})", file=sys.stderr)
    raise AssertionError("unreachable")


def terminate(pid: int, work_dir: Path, grace: float = 30.0) -> None:
    if not process_is_broker(pid, work_dir):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not process_is_broker(pid, work_dir):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    while process_is_broker(pid, work_dir):
        time.sleep(0.1)


def stop(work_dir: Path) -> None:
    stop_watchdog(work_dir)
    stop_broker(work_dir)


def stop_broker(work_dir: Path) -> None:
    state = read_state(work_dir)
    if state:
        terminate(state["pid"], work_dir)
        (work_dir / STATE_FILE).unlink(missing_ok=True)


def create_topic(work_dir: Path | None, bootstrap: str | None, topic: str, partitions: int, timeout: float) -> dict:
    if bootstrap is None:
        state = read_state(work_dir) if work_dir else None
        if not state:
            raise HarnessError(f"no running broker recorded in {work_dir}: run `start --dir {work_dir}` first, or pass --bootstrap")
        bootstrap = state["bootstrap"]
    kafka_admin.create_topic(bootstrap, topic, partitions, timeout)
    # CreateTopics returns before leaders are elected; wait so the first produce does not race.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        leaders = kafka_admin.partition_leaders(bootstrap, topic)
        if leaders and all(leader >= 0 for leader in leaders):
            # Metadata can name the leader a moment before the broker has created the partition's log;
            # with the work dir known, also wait for the logs so that the first produce does not race.
            if work_dir is None or all((work_dir / "data" / f"{topic}-{p}").is_dir() for p in range(len(leaders))):
                return {"topic": topic, "partitions": len(leaders)}
        time.sleep(0.1)
    raise HarnessError(f"topic {topic!r} has no leader for every partition after {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start", help="start a broker and print its bootstrap address as JSON")
    start_cmd.add_argument("--dir", required=True, type=Path, help="work dir for config, data and log")
    start_cmd.add_argument("--partitions", type=int, default=1, help="partitions of auto-created topics (default 1)")
    start_cmd.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the broker (default 60)")
    start_cmd.add_argument("--sasl-ssl", action="store_true", help="also listen for SASL_SSL/PLAIN like Event Hubs (self-signed TLS)")
    start_cmd.add_argument("--owner-pid", type=int, default=os.getppid(), help="stop the broker when this process exits (default: the caller)")
    start_cmd.add_argument("--no-watchdog", action="store_true", help="keep the broker running until `stop`, whatever happens to the caller")
    watch_cmd = commands.add_parser("watch", help="(internal) stop the broker in --dir once its owner process is gone")
    watch_cmd.add_argument("--dir", required=True, type=Path)
    watch_cmd.add_argument("--owner-pid", required=True, type=int)
    watch_cmd.add_argument("--owner-start", required=True)
    stop_cmd = commands.add_parser("stop", help="stop the broker started in --dir and wait for it")
    stop_cmd.add_argument("--dir", required=True, type=Path)
    topic_cmd = commands.add_parser("create-topic", help="create a topic (no error if it exists) and wait for its leaders")
    topic_cmd.add_argument("--dir", type=Path, help="work dir of a broker started by this script")
    topic_cmd.add_argument("--bootstrap", help="host:port instead of --dir")
    topic_cmd.add_argument("--topic", required=True)
    topic_cmd.add_argument("--partitions", type=int, default=1)
    topic_cmd.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            owner = None if args.no_watchdog else args.owner_pid
            print(json.dumps(start(args.dir.resolve(), args.partitions, args.timeout, args.sasl_ssl, owner)), flush=True)
        elif args.command == "stop":
            stop(args.dir.resolve())
        elif args.command == "watch":
            watch(args.dir.resolve(), args.owner_pid, args.owner_start)
        else:
            work_dir = args.dir.resolve() if args.dir else None
            print(json.dumps(create_topic(work_dir, args.bootstrap, args.topic, args.partitions, args.timeout)), flush=True)
    except (HarnessError, KafkaAdminError, OSError) as error:
        print(f"broker.py {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
