"""The streaming runs of a job's checkpoints: the one it resumes, and the earlier ones `new-run` closed.

A run is the query id in <checkpoint>/metadata; batch N is committed once <checkpoint>/commits/N exists.
`new-run` (src/deployer/commands/new-run.ts) stops the job, renames <checkpoint> to <checkpoint>.before-<UTC time> (the
infix is contracts/checkpoint-runs.ts's, carried to the tests by checkpoint-runs.json beside this file) and starts
a fresh checkpoint, a new run. The run of an aside checkpoint is closed: nothing will ever commit or replay its
batches past its last commit. Yet its last batch may have written the tables before its driver stopped, and a new
run started from the closed run's committed offsets reads those readings again.

close_earlier_runs drops a closed run's uncommitted batches from the streaming tables, so each reading shows once
in the <table>_all views and maintenance never compacts such a batch as committed. The job runs it before its
query starts (so before the new run writes anything), maintenance before it plans. Both are idempotent, and an
interruption leaves the rest for the next one. Committed batches of a closed run are kept and compacted as usual.
Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import json
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from pyspark.sql import SparkSession

from job_config import read_text
from job_tables import (UNREGISTERED_MARKER, batch_directories, delete_path, list_dir, modification_times, partitions, path_exists,
                        table_location, unregister_partitions)

ASIDE_INFIX = ".before-"
# (the closed run, its last committed batch or -1 before any commit, the aside checkpoint)
ClosedRun = Tuple[str, int, str]


def read_checkpoint_run_id(spark: SparkSession, checkpoint: str) -> str:
    """The query id in the checkpoint's metadata file: the run Spark resumes from that checkpoint."""
    return str(json.loads(read_text(spark, checkpoint.rstrip("/") + "/metadata").splitlines()[0])["id"])


def checkpoint_progress(spark: SparkSession, checkpoint: str) -> Tuple[Optional[str], Optional[int]]:
    """(the run the checkpoint resumes, its last committed batch); (None, None) when there is no checkpoint.
    Any error but "not there" fails the caller: a guess here could move a batch Spark still replays."""
    root = checkpoint.rstrip("/")
    if not path_exists(spark, root + "/metadata"):
        return None, None
    run_id = read_checkpoint_run_id(spark, root)
    done = [int(name) for name, _, _ in list_dir(spark, root + "/commits") or [] if name.isdigit()]
    return run_id, (max(done) if done else None)


def aside_checkpoints(spark: SparkSession, checkpoint: str) -> List[str]:
    """The checkpoints new-run moved aside from this one (<checkpoint>.before-*), oldest name first."""
    parent, _, name = checkpoint.rstrip("/").rpartition("/")
    if not parent or parent.endswith(":") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]*$", parent):
        parent += "/"  # a checkpoint at a file system's root: /c, file:/c, hdfs://nn:8020/c
    prefix = name + ASIDE_INFIX
    return sorted(path for entry, path, is_dir in list_dir(spark, parent) or [] if is_dir and entry.startswith(prefix))


def closed_runs(spark: SparkSession, checkpoint: str) -> List[ClosedRun]:
    """The runs of this checkpoint's aside copies, each once with its furthest last commit (a copy taken earlier
    knows fewer commits), never the run the checkpoint itself resumes (a copy of a live checkpoint closes nothing).
    An aside that never started (no metadata) has no run; one whose metadata cannot be read is named and skipped,
    so a stray directory cannot keep the job from starting."""
    live, _ = checkpoint_progress(spark, checkpoint)
    furthest = {}  # type: Dict[str, ClosedRun]
    for aside in aside_checkpoints(spark, checkpoint):
        try:
            run_id, last = checkpoint_progress(spark, aside)
        except Exception as error:  # noqa: BLE001 - Py4J and JSON errors alike: the aside is named, not trusted
            print("checkpoint_runs: %s: unreadable, not taken as a closed run: %s" % (aside, str(error).splitlines()[0]), flush=True)
            continue
        if run_id is None or run_id == live:
            continue
        committed = -1 if last is None else last
        if run_id not in furthest or committed > furthest[run_id][1]:
            furthest[run_id] = (run_id, committed, aside)
    return [furthest[run_id] for run_id in sorted(furthest)]


def uncommitted(batches: Iterable[Tuple[str, int]], runs: Sequence[ClosedRun]) -> List[Tuple[str, int]]:
    """The (run, batch) of `batches` that a closed run wrote past its last commit."""
    last = {run_id: committed for run_id, committed, _ in runs}
    return sorted({(run, batch) for run, batch in batches if run in last and batch > last[run]})


def close_earlier_runs(spark: SparkSession, checkpoint: str, tables: Iterable[str],
                       log_prefix: str = "sensor-aggregation") -> Dict[str, int]:
    """Drops every closed run's uncommitted batches from the tables, registered or not (a driver killed inside a
    write leaves its partition's directory unregistered); returns per table how many partitions were dropped."""
    runs = closed_runs(spark, checkpoint)
    dropped = {}  # type: Dict[str, int]
    if not runs:
        return dropped
    for table in tables:
        stale = uncommitted(((p["run_id"], int(p["batch_id"])) for p in partitions(spark, table)), runs)
        location = table_location(spark, table)
        left = [(run_id, b, path) for run_id, last, _ in runs for b, path in batch_directories(spark, location, run_id)
                if b > last and UNREGISTERED_MARKER not in (modification_times(spark, path) or {})]  # marked: the sweep's
        if not stale and not left:
            continue
        print("%s: %s: dropping %s, written by a closed run past its last commit (%s)"
              % (log_prefix, table, ", ".join("run %s batch %d" % b for b in sorted(set(stale) | {(r, b) for r, b, _ in left})),
                 "; ".join("run %s of %s committed up to batch %d" % (r, a, c) for r, c, a in runs)), flush=True)
        # Readers may be reading these (no compaction hides them): their files go later, as a compacted batch's do.
        dropped[table] = unregister_partitions(spark, table, [{"run_id": r, "batch_id": str(b)} for r, b in stale])
        registered = set(stale)
        for run_id, batch_id, path in left:  # a driver killed inside a write leaves its directories unregistered
            if (run_id, batch_id) not in registered or not path.rstrip("/").rsplit("/", 1)[-1].startswith("batch_id="):
                delete_path(spark, path)
    return dropped


