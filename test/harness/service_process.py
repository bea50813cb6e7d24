"""What the service launchers in test/harness/ share (standard library only): a free loopback port, stopping
a service by its pid file (SIGTERM, up to 10 s to exit, then SIGKILL, of the process or of its whole group), and
their command line: `start --dir D [options]` prints the started service as JSON, `stop --dir D` stops it."""
import argparse
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_by_pid_file(pid_file: Path, group: bool = False) -> None:
    """group: the process group too (a server and the processes it started, e.g. Livy's spark-submits)."""
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    kill = os.killpg if group else os.kill
    try:
        kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
        kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def wait_until_ready(name: str, proc, log_path: Path, ready, timeout_s: float, poll_s: float, stop) -> None:
    """Waits until ready() is true for a service just started as proc. Exits naming the service, with its log
    tail, if the process ends first; calls stop() and exits if timeout_s passes first."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if proc.poll() is not None:
            sys.exit(f"{name} harness: {name} exited with {proc.returncode}; log tail:\n{log_path.read_text(errors='replace')[-3000:]}")
        if time.monotonic() > deadline:
            stop()
            sys.exit(f"{name} harness: not ready after {timeout_s:.0f}s; see {log_path}")
        time.sleep(poll_s)


def run_launcher(doc: str, dir_help: str, start: Callable[[Path, argparse.Namespace], dict], stop: Callable[[Path], None],
                 add_options: Callable[[argparse.ArgumentParser], None] = lambda parser: None) -> None:
    """A launcher's main: parses `start|stop --dir D` and the launcher's own options, then starts or stops."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--dir", required=True, type=Path, help=f"work directory ({dir_help})")
    add_options(parser)
    args = parser.parse_args()
    if args.command == "start":
        print(json.dumps(start(args.dir.resolve(), args)), flush=True)
    else:
        stop(args.dir.resolve())
