"""The driver's exclusive lease on its checkpoint: one driver per checkpoint, enforced by the file system.

Before its query starts, a driver opens `<checkpoint>/_driver.lease` for writing and keeps it open for its whole
life. The file's first line is the holder's record (JSON: run, release, application, host, pid, since); the deployer
reads it to name the holder (src/deployer/state/driver-lease.ts). The file name, the record's keys and the exit code are
owned by contracts/driver-lease.ts; tests/test_checkpoint_lease.py checks they agree with driver-lease.json.

  * HDFS: the NameNode grants one writer per file. While the holder's client renews its lease (every 30 s, by the
    DFSClient itself), a second create gets AlreadyBeingCreatedException. After the holder dies, its lease lapses
    after the soft limit (60 s) and the next writer's create recovers it; a clean exit (or SIGTERM: Hadoop's
    shutdown hook closes every stream) frees it at once. This module never calls recoverLease: only an expired
    holder can be superseded.
  * file:// (local tests and one-host setups): an exclusive flock(2) on the same file, freed when the process dies.

A holder that was paused past the soft limit (a long GC pause) may have been superseded without knowing it. So the
driver writes one byte and hflushes it at the start of every micro-batch and before it sends to Kafka: after a
recovery the DataNode refuses the old writer, the write fails, and the batch raises LeaseLost before writing
anything. The file grows by one byte per micro-batch (500 KB a month at a 5 s trigger); a new driver starts it anew.
Runs on PySpark 2.4 and 3.x (py4j into Hadoop's FileSystem API): Python 3.7 syntax.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from datetime import datetime, timezone
from typing import Callable, Dict, Optional

LEASE_FILE = "_driver.lease"
# The job's exit code when another driver holds the checkpoint, or this one lost it.
EXIT_LEASE = 5
RECORD_KEYS = ("run", "release", "submission", "application", "host", "pid", "since")
# The Spark conf key the deployer sets at submission to the release digest.
RELEASE_CONF_KEY = "spark.sensor-deployer.release"
# Said in every LeaseHeld / LeaseLost message, so the query's failure text can be recognised in main().
MARKER = "checkpoint lease:"
# The HDFS answers that mean "another writer holds it, or its lease is being recovered": worth waiting for.
_HELD_ANSWERS = ("AlreadyBeingCreatedException", "RecoveryInProgressException")


class LeaseHeld(RuntimeError):
    """Another driver holds the checkpoint's lease."""


class LeaseLost(RuntimeError):
    """This driver held the lease and no longer does (it was paused past the lease's soft limit and superseded)."""


def holder_record(spark, run: Optional[str]) -> Dict[str, object]:
    """Who this driver is: the streaming run (if the checkpoint has one yet), the release the deployer submitted, the
    Livy batch name it was submitted under (spark-submit's --name, kept as a system property: the job's own
    appName replaces spark.app.name in its conf), the Spark application, the host and process."""
    context = spark.sparkContext
    return {
        "run": run,
        "release": context.getConf().get(RELEASE_CONF_KEY, None),
        "submission": context._jvm.java.lang.System.getProperty("spark.app.name"),
        "application": context.applicationId,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def describe(record_text: str) -> str:
    """The holder, for a message: its record's keys in a fixed order, or the raw text when it is not a record."""
    try:
        record = json.loads(record_text.splitlines()[0])
    except (ValueError, IndexError):
        return "an unreadable record %r" % record_text[:200]
    if not isinstance(record, dict):
        return "an unreadable record %r" % record_text[:200]
    return ", ".join("%s %s" % (key, record.get(key)) for key in RECORD_KEYS)


class CheckpointLease:
    """An acquired lease: `heartbeat()` proves it is still held, `release()` frees it (idempotent)."""

    def __init__(self, path: str, write: Callable[[bytes], None], close: Callable[[], None]) -> None:
        self.path = path
        self._write = write
        self._close = close
        self._released = False
        # A batch's table writes run side by side (job.side_by_side), each proving the lease before it publishes.
        self._writing = threading.Lock()

    def heartbeat(self) -> None:
        """Raises LeaseLost when the file system no longer takes this holder's writes."""
        try:
            with self._writing:
                self._write(b".")
        except Exception as error:  # noqa: BLE001 - py4j's Py4JJavaError or OSError, by file system
            raise LeaseLost("%s this driver no longer holds %s (%s); another driver may have taken it. Stopping before "
                            "writing anything." % (MARKER, self.path, _first_line(error))) from None

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        try:
            self._close()
        except Exception:  # noqa: BLE001 - a lease already lost cannot be closed cleanly; nothing to free
            pass


def acquire(spark, checkpoint: str, record: Dict[str, object], wait_seconds: float,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
            say: Callable[[str], None] = print) -> CheckpointLease:
    """Takes the checkpoint's lease, waiting up to wait_seconds for an expired holder's lease to lapse; raises
    LeaseHeld naming the holder when it is still held then."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(checkpoint.rstrip("/") + "/" + LEASE_FILE)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    qualified = str(fs.makeQualified(path).toString())
    fs.mkdirs(path.getParent())
    line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    if fs.getScheme() == "file":
        return _acquire_flock(str(fs.pathToFile(path).getAbsolutePath()), qualified, line)
    if fs.getScheme() != "hdfs":
        raise LeaseHeld("%s no exclusive lease is implemented for %s (scheme %s): a checkpoint must be on HDFS or a "
                        "local file system" % (MARKER, qualified, fs.getScheme()))
    deadline = clock() + wait_seconds
    while True:
        try:
            out = _take_hdfs(fs, path)
        except _Held as held:
            if clock() >= deadline:
                raise LeaseHeld("%s another driver holds %s: %s. Not starting a second driver on this checkpoint."
                                % (MARKER, qualified, describe(_read_head(jvm, fs, path)))) from None
            say("sensor-aggregation: %s %s is held (%s); waiting for it to lapse" % (MARKER, qualified, held))
            sleep(3)
            continue
        break

    def write(data: bytes) -> None:
        out.write(bytearray(data))
        out.hflush()

    lease = CheckpointLease(qualified, write, out.close)
    try:
        write(line)
    except Exception:
        lease.release()
        raise
    return lease


class _Held(Exception):
    """This attempt found the lease held (or being recovered, or raced by another starter): try again later."""


def _take_hdfs(fs, path):
    """The output stream of a fresh lease file that this client alone writes, or _Held.

    create(overwrite=False) takes a missing file; the NameNode lets one creator win. An existing file is taken by
    append(), which the NameNode refuses while its writer's lease is alive and which starts the recovery of an
    expired one (RecoveryInProgressException: a later attempt gets it). Holding it, the file is deleted and created
    anew, so it holds one record. Never create(overwrite=True): the NameNode deletes an open file for it, whoever
    holds it, and its writer would not notice. Nothing but a holder deletes the file."""
    try:
        return fs.create(path, False)
    except Exception as error:  # noqa: BLE001 - Py4JJavaError carrying the Java exception
        if "FileAlreadyExistsException" not in str(error):
            raise _Held(_first_line(error)) if _is_held(error) else error
    try:
        previous = fs.append(path)
    except Exception as error:  # noqa: BLE001
        if _is_held(error) or "FileNotFoundException" in str(error):
            raise _Held(_first_line(error)) from None
        raise
    try:
        fs.delete(path, False)
    finally:
        try:
            previous.close()
        except Exception:  # noqa: BLE001 - the file is gone; nothing to complete
            pass
    try:
        return fs.create(path, False)
    except Exception as error:  # noqa: BLE001 - another starter created it in between: it holds it now
        if _is_held(error) or "FileAlreadyExistsException" in str(error):
            raise _Held(_first_line(error)) from None
        raise


def _is_held(error: BaseException) -> bool:
    return any(answer in str(error) for answer in _HELD_ANSWERS)


def _acquire_flock(local_path: str, qualified: str, line: bytes) -> CheckpointLease:
    handle = open(local_path, "a+b")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read(4096).decode("utf-8", "replace")
        handle.close()
        raise LeaseHeld("%s another driver holds %s: %s. Not starting a second driver on this checkpoint."
                        % (MARKER, qualified, describe(holder))) from None
    handle.truncate(0)

    def write(data: bytes) -> None:
        handle.write(data)
        handle.flush()

    write(line)
    return CheckpointLease(qualified, write, handle.close)


def _read_head(jvm, fs, path) -> str:
    """The holder's record, the file's first line (readable while it is open: the holder hflushed it)."""
    try:
        stream = fs.open(path)
        try:
            return str(jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8")).readLine() or "")
        finally:
            stream.close()
    except Exception as error:  # noqa: BLE001
        return "(record unreadable: %s)" % _first_line(error)


def _first_line(error: BaseException) -> str:
    """The error's first line; for a Java exception through py4j, the Java exception's own (class: message)."""
    text = (str(error.java_exception.toString()) if hasattr(error, "java_exception") else str(error)).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
