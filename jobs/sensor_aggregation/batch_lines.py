"""The job's lines per micro-batch in the driver's log, which Livy keeps and the deployer reads (status, ensure,
npm start: src/deployer/clients/batch-log.ts). contracts/batch-lines.ts owns their shape;
tests/test_batch_lines.py checks this module against the batch-lines.json generated from it.

    sensor-aggregation: run <run_id> batch <N> written {"readings": n, "rejected": n, "reasons": {...}}
    sensor-aggregation: run <run_id> batch <N> took {"triggerExecution": ms, "addBatch": ms, ..., "rows": n}

`written` is printed by the batch itself. `took` is the streaming query's own measure of the batch (its progress
update's durationMs: triggerExecution is the whole batch, addBatch the foreachBatch body, walCommit the offsets
log, ...), known only once the batch has ended: a daemon thread (DurationLog) reads query.recentProgress, a list
of dicts on PySpark 2.4 to 3.5, so a batch pays nothing for it. Spark keeps the last 100 updates
(spark.sql.streaming.numRecentProgressUpdates): at one read per POLL_SECONDS no batch is missed below 20
batches a second. Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import json
import sys
import threading
from typing import Callable, Dict, Iterable, List, Optional, Tuple

PREFIX = "sensor-aggregation: run"
WRITTEN = "written"
TOOK = "took"
WHOLE_BATCH = "triggerExecution"
RAN_A_BATCH = "addBatch"  # in durationMs only when the trigger ran a batch (an idle trigger only looks for offsets)
POLL_SECONDS = 5.0
STOP_WAIT_SECONDS = 10.0  # the longest stop() waits for the thread, so the driver's exit never hangs on it

_printing = threading.Lock()


def emit(line: str) -> None:
    """Prints one line whole: the batch and DurationLog's thread both print, and print() writes the text and its
    newline apart, so two lines could interleave into one the deployer cannot read."""
    with _printing:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def batch_line(run_id: str, batch_id: int, kind: str, fields: Dict[str, object]) -> str:
    return "%s %s batch %d %s %s" % (PREFIX, run_id, batch_id, kind, json.dumps(fields, sort_keys=True))


def batch_took(update: Dict[str, object]) -> Optional[Tuple[int, Dict[str, int]]]:
    """(batch id, its durations in ms and its input "rows") of a progress update that ran a batch; None for an
    idle trigger's."""
    durations = update.get("durationMs") or {}
    if not isinstance(durations, dict) or RAN_A_BATCH not in durations:
        return None
    took = {str(key): int(value) for key, value in durations.items()}
    took["rows"] = int(update.get("numInputRows") or 0)  # type: ignore[arg-type]
    return int(update["batchId"]), took  # type: ignore[arg-type]


def took_lines(run_id: str, updates: Iterable[Dict[str, object]], after: int) -> Tuple[List[str], int]:
    """The `took` lines of the batches past `after` among the updates, one per batch in batch order, and the
    last batch id they cover (`after` when there is none). Pure."""
    ran = {}  # type: Dict[int, Dict[str, int]]
    for update in updates:
        found = batch_took(update)
        if found is not None and found[0] > after:
            ran[found[0]] = found[1]
    lines = [batch_line(run_id, batch_id, TOOK, ran[batch_id]) for batch_id in sorted(ran)]
    return lines, max(ran) if ran else after


class DurationLog:
    """Prints each batch's `took` line once, from a daemon thread, until stop(). `updates` gives the query's recent
    progress (query.recentProgress); a read that fails (the query ending) is tried again at the next poll."""

    def __init__(self, run_id: str, updates: Callable[[], List[Dict[str, object]]],
                 out: Callable[[str], None] = emit, poll_seconds: float = POLL_SECONDS):
        self._run_id, self._updates, self._out, self._poll_seconds = run_id, updates, out, poll_seconds
        self._after = -1
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="sensor-aggregation-durations", daemon=True)

    def start(self) -> "DurationLog":
        self._thread.start()
        return self

    def poll(self, wait: float = -1) -> int:
        """Prints the lines of the batches that ended since the last poll; returns how many. wait: how long to wait
        for a poll under way (-1: as long as it takes); none is made when that runs out."""
        if not self._lock.acquire(timeout=wait):
            return 0
        try:
            lines, self._after = took_lines(self._run_id, self._updates(), self._after)
            for line in lines:
                self._out(line)
            return len(lines)
        finally:
            self._lock.release()

    def stop(self) -> None:
        """Ends the thread after one last poll, so the last batches' lines are not lost; waits at most
        STOP_WAIT_SECONDS in all (a poll stuck in a call into the JVM must not keep the driver from exiting)."""
        self._stop.set()
        self._thread.join(STOP_WAIT_SECONDS / 2)
        try:
            self.poll(wait=STOP_WAIT_SECONDS / 2)
        except Exception:  # noqa: BLE001 - the query is gone; its lines were printed up to the last poll
            pass

    def _loop(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - py4j errors while the query stops; tried again at the next poll
                pass
