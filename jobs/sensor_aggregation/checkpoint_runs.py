"""The streaming runs of a job's checkpoints: the one it resumes, and the earlier ones `new-run` closed.

A run is the query id in <checkpoint>/metadata; batch N is committed once <checkpoint>/commits/N exists.
`new-run` (src/deployer/new-run.ts) stops the job, renames <checkpoint> to <checkpoint>.before-<UTC time> (the
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
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from pyspark.sql import SparkSession

from job_config import read_text
from job_tables import drop_partitions, partitions

ASIDE_INFIX = ".before-"
# (the closed run, its last committed batch or -1 before any commit, the aside checkpoint)
ClosedRun = Tuple[str, int, str]


def _path(spark: SparkSession, path: str):
    return spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[attr-defined]


def _fs(spark: SparkSession, path):
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]


def read_checkpoint_run_id(spark: SparkSession, checkpoint: str) -> str:
    """The query id in the checkpoint's metadata file: the run Spark resumes from that checkpoint."""
    return str(json.loads(read_text(spark, checkpoint.rstrip("/") + "/metadata").splitlines()[0])["id"])


def checkpoint_progress(spark: SparkSession, checkpoint: str) -> Tuple[Optional[str], Optional[int]]:
    """(the run the checkpoint resumes, its last committed batch); (None, None) when there is no checkpoint.
    Any error but "not there" fails the caller: a guess here could move a batch Spark still replays."""
    root = checkpoint.rstrip("/")
    metadata = _path(spark, root + "/metadata")
    fs = _fs(spark, metadata)
    if not fs.exists(metadata):
        return None, None
    run_id = read_checkpoint_run_id(spark, root)
    commits = _path(spark, root + "/commits")
    if not fs.exists(commits):
        return run_id, None
    done = [int(s.getPath().getName()) for s in fs.listStatus(commits) if s.getPath().getName().isdigit()]
    return run_id, (max(done) if done else None)


def aside_checkpoints(spark: SparkSession, checkpoint: str) -> List[str]:
    """The checkpoints new-run moved aside from this one (<checkpoint>.before-*), oldest name first."""
    root = _path(spark, checkpoint.rstrip("/"))
    parent = root.getParent()
    fs = _fs(spark, root)
    if parent is None or not fs.exists(parent):
        return []
    prefix = root.getName() + ASIDE_INFIX
    return sorted(s.getPath().toString() for s in fs.listStatus(parent)
                  if s.isDirectory() and s.getPath().getName().startswith(prefix))


def closed_runs(spark: SparkSession, checkpoint: str) -> List[ClosedRun]:
    """Every closed run of this checkpoint's aside copies; one that never started (no metadata) has no run."""
    runs = []
    for aside in aside_checkpoints(spark, checkpoint):
        run_id, last = checkpoint_progress(spark, aside)
        if run_id is not None:
            runs.append((run_id, -1 if last is None else last, aside))
    return runs


def uncommitted(batches: Iterable[Tuple[str, int]], runs: Sequence[ClosedRun]) -> List[Tuple[str, int]]:
    """The (run, batch) of `batches` that a closed run wrote past its last commit."""
    last = {run_id: committed for run_id, committed, _ in runs}
    return sorted({(run, batch) for run, batch in batches if run in last and batch > last[run]})


def close_earlier_runs(spark: SparkSession, checkpoint: str, tables: Iterable[str],
                       log_prefix: str = "sensor-aggregation") -> Dict[str, int]:
    """Drops every closed run's uncommitted batches from the tables; returns per table how many were dropped."""
    runs = closed_runs(spark, checkpoint)
    dropped = {}  # type: Dict[str, int]
    if not runs:
        return dropped
    for table in tables:
        stale = uncommitted(((p["run_id"], int(p["batch_id"])) for p in partitions(spark, table)), runs)
        if stale:
            print("%s: %s: dropping %s, written by a closed run past its last commit (%s)"
                  % (log_prefix, table, ", ".join("run %s batch %d" % b for b in stale),
                     "; ".join("run %s of %s committed up to batch %d" % (r, a, c) for r, c, a in runs if r in {s[0] for s in stale})),
                  flush=True)
            dropped[table] = drop_partitions(spark, table, [{"run_id": r, "batch_id": str(b)} for r, b in stale])
    return dropped
