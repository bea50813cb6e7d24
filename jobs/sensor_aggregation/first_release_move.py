"""The one-time move of a first-release table (partitioned by batch_id alone) to the (run_id, batch_id) layout.

A state machine whose steps each record themselves, so a re-run finishes an interrupted move and never repeats a
finished one. What create_tables.py finds decides the step:
  * the first-release table, no <table>_pre_run_id: plan (below), recorded as _sensor_aggregation_move.json in
    the table's directory (hidden from readers by its leading _), then rename the table to <table>_pre_run_id;
  * <table>_pre_run_id not marked moved: plan if no plan was recorded, create <table> if missing, copy the rows
    under the plan's runs (an overwrite of exactly those partitions, so a repeated copy rewrites, never adds),
    check the row count, then mark <table>_pre_run_id moved (sensor_aggregation.moved_to), then mark <table>;
  * <table>_pre_run_id marked moved: nothing is copied again. If <table> was dropped since, it is created empty:
    the legacy rows stay in <table>_pre_run_id, for the operator to drop.

The plan labels each first-release batch partition with the run that wrote it, told by time: a checkpoint's run
starts when Spark writes <checkpoint>/metadata, and one driver writes the tables at a time, so a partition whose
files were written after that moment, and before the next checkpoint's start, belongs to that run. The checkpoints
known are the live one and those new-run moved aside (checkpoint_runs.py); two of one run (a copied aside) count
as one. A partition written before the earliest of them belongs to a run whose checkpoint is gone: it gets
EARLIER_RUN, a run no checkpoint resumes, so no replay ever overwrites it and maintenance compacts it as a finished
run's. Refused, changing nothing, with each partition named: files written both before and after a run's start
(written twice, not by an overwrite), a batch id its run's offsets log never reached (another writer), or written
while a checkpoint ran whose run cannot be read. Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import bisect
import json
import re
from datetime import datetime
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from pyspark.sql import DataFrame, SparkSession

from checkpoint_runs import aside_checkpoints, read_checkpoint_run_id
from job_tables import (add_overwrite_options, existing_table, modification_times, read_file_text, table_location,
                        table_properties, write_file_text)

LEGACY_SUFFIX = "_pre_run_id"
MIGRATED_PROPERTY = "sensor_aggregation.migrated_from"  # on <table>: the move into it is done
MOVED_TO_PROPERTY = "sensor_aggregation.moved_to"  # on <table>_pre_run_id: its rows were copied; never again
PLAN_FILE = "_sensor_aggregation_move.json"
EARLIER_RUN = "pre-run-id"
MOVE_STEPS = ("plan", "rename", "create", "copy", "mark legacy", "mark table")
LEGACY_BATCH = re.compile(r"^batch_id=(\d+)$")

# (the run, when its checkpoint's metadata was written in ms, the last batch of its offsets log or None)
Window = Tuple[Optional[str], int, Optional[int]]
Columns = List[Tuple[str, str]]
Exists = Callable[[str], bool]


class MoveRefused(RuntimeError):
    """Some first-release rows cannot be given their own run; nothing was changed."""


def checkpoint_windows(spark: SparkSession, checkpoint: Optional[str]) -> List[Window]:
    """The runs of the live checkpoint and of those new-run moved aside, by start. One whose metadata cannot be
    read is left out: its batches are then told as an earlier run's or refused, never given a wrong run."""
    if not checkpoint:
        return []
    windows = []
    for path in aside_checkpoints(spark, checkpoint) + [checkpoint.rstrip("/")]:
        started = (modification_times(spark, path) or {}).get("metadata")
        if started is None:
            continue
        try:
            run_id = read_checkpoint_run_id(spark, path)  # type: Optional[str]
        except Exception as error:  # noqa: BLE001 - named; its window stays, with no run, so its batches are refused
            print("create_tables: %s: its run cannot be read (%s); batches written while it ran are refused" % (path, error), flush=True)
            run_id = None
        batches = [int(name) for name in modification_times(spark, path + "/offsets") or {} if name.isdigit()]
        windows.append((run_id, started, max(batches) if batches else None))
    return sorted(windows, key=lambda w: w[1])


def label_batches(written: Dict[int, Tuple[int, int]], windows: Sequence[Window]) -> Tuple[Dict[int, str], List[str]]:
    """(batch id -> its run, problems) for partitions whose files were written from written[batch][0] to
    written[batch][1] (ms), given the checkpoints' windows (see the module docstring). Pure."""
    ordered = sorted(windows, key=lambda w: w[1])
    starts = [w[1] for w in ordered]
    furthest = {}  # type: Dict[str, int]  # per run, over its windows (a copied aside is a second window of one run)
    for run, _, last_batch in ordered:
        if run is not None and last_batch is not None:
            furthest[run] = max(furthest.get(run, last_batch), last_batch)

    def run_at(at: int) -> Optional[str]:
        """The run that wrote the tables at that moment; EARLIER_RUN before every window; None: unreadable."""
        index = bisect.bisect_right(starts, at) - 1
        return EARLIER_RUN if index < 0 else ordered[index][0]

    labels, problems = {}, []  # type: Dict[int, str], List[str]
    for batch_id, (first, last) in sorted(written.items()):
        run, last_run = run_at(first), run_at(last)
        if run != last_run:
            problems.append("batch_id=%d: its files were written both before and after run %s started" % (batch_id, last_run))
        elif run is None:
            problems.append("batch_id=%d: written while a checkpoint whose run cannot be read ran" % batch_id)
        elif run == EARLIER_RUN:
            labels[batch_id] = EARLIER_RUN
        elif batch_id > furthest.get(run, -1):
            problems.append("batch_id=%d: written while run %s ran, whose offsets log ends at batch %s"
                            % (batch_id, run, furthest.get(run)))
        else:
            labels[batch_id] = run
    return labels, problems


def write_times(spark: SparkSession, location: str) -> Dict[int, Tuple[int, int]]:
    """Per batch_id=N directory with data files, the first and last modification time of those files."""
    written = {}
    for name in modification_times(spark, location) or {}:
        match = LEGACY_BATCH.match(name)
        if not match:
            continue
        times = [t for file, t in (modification_times(spark, "%s/%s" % (location, name)) or {}).items() if not file.startswith(("_", "."))]
        if times:
            written[int(match.group(1))] = (min(times), max(times))
    return written


def plan_move(spark: SparkSession, table: str, windows: Sequence[Window], record: bool = True) -> Dict[str, object]:
    """The plan of the table's move, read if one was recorded in its directory, else made (and recorded there,
    unless record is False: create_tables' check of every table before it changes any). Raises MoveRefused
    (recording nothing) when a partition's run cannot be told."""
    location = table_location(spark, table)
    recorded = read_file_text(spark, location + "/" + PLAN_FILE)
    if recorded is not None:
        try:
            return json.loads(recorded)
        except ValueError:
            print("create_tables: %s: the recorded plan cannot be read; planning again" % table, flush=True)
    labels, problems = label_batches(write_times(spark, location), windows)
    if problems:
        raise MoveRefused("%s: the run of some first-release batches cannot be told, so nothing was moved: %s. Check those "
                          "partitions' files (%s), move out or delete what is not the job's, and deploy again"
                          % (table, "; ".join(problems), location))
    plan = {"labels": {str(batch): run for batch, run in sorted(labels.items())},
            "runs": [list(w) for w in windows], "planned_at": datetime.utcnow().isoformat() + "Z"}
    if not record:
        return plan
    write_file_text(spark, location + "/" + PLAN_FILE, json.dumps(plan, sort_keys=True))
    counts = {}  # type: Dict[str, int]
    for run in labels.values():
        counts[run] = counts.get(run, 0) + 1
    print("create_tables: %s: planned the move of %d batch partition(s)%s" % (
        table, len(labels), "".join(", %d of run %s" % (n, run) for run, n in sorted(counts.items()))), flush=True)
    return plan


def legacy_rows(spark: SparkSession, legacy: str) -> DataFrame:
    """The renamed first-release table's rows, read from its directory with its schema: after ALTER TABLE RENAME
    a catalog may keep each partition at its old path (Spark 3.1's in-memory catalog does), and the table then
    reads empty. Its partitions are discovered from the directory names instead."""
    return spark.read.schema(spark.table(legacy).schema).parquet(table_location(spark, legacy))


def is_moved(spark: SparkSession, table: str, legacy: str) -> bool:
    """The copy is done: the legacy table says so, or (a release before MOVED_TO_PROPERTY marked only the new
    table) the new table does."""
    if table_properties(spark, legacy).get(MOVED_TO_PROPERTY) == table:
        return True
    return existing_table(spark, table) is not None and table_properties(spark, table).get(MIGRATED_PROPERTY) == legacy


def copy_by_plan(spark: SparkSession, table: str, legacy: str, wanted: Columns, labels: Dict[str, str]) -> int:
    """INSERT OVERWRITE of the planned (run, batch) partitions from the legacy rows; returns the rows copied.
    Every column the new table has and the legacy one lacks is NULL."""
    old_columns = {name for name, _ in existing_table(spark, legacy)[0]}  # type: ignore[index]
    select = ", ".join("r.`%s`" % name if name in old_columns else "CAST(NULL AS %s) AS `%s`" % (kind, name)
                       for name, kind in wanted if name not in ("run_id", "batch_id"))
    rows, runs = "create_tables_legacy_rows", "create_tables_legacy_runs"
    legacy_rows(spark, legacy).createOrReplaceTempView(rows)
    spark.createDataFrame([(int(batch), run) for batch, run in labels.items()] or [(-1, EARLIER_RUN)],
                          "batch_id bigint, run_id string").createOrReplaceTempView(runs)
    try:
        unplanned = spark.sql("SELECT count(*) FROM %s r LEFT ANTI JOIN %s p ON r.batch_id = p.batch_id" % (rows, runs)).collect()[0][0]
        if unplanned:
            raise MoveRefused("%s: %d row(s) are in batches the recorded plan does not name (written since it was made); "
                              "nothing was copied. Delete %s/%s to plan again" % (legacy, unplanned, table_location(spark, legacy), PLAN_FILE))
        spark.sql("INSERT OVERWRITE TABLE %s PARTITION (run_id, batch_id) SELECT %s, p.run_id, r.batch_id FROM %s r "
                  "JOIN %s p ON r.batch_id = p.batch_id" % (table, select, rows, runs))
        expected = spark.sql("SELECT count(*) FROM %s" % rows).collect()[0][0]
        copied = spark.sql("SELECT count(*) FROM %s t JOIN %s p ON t.run_id = p.run_id AND t.batch_id = p.batch_id" % (table, runs)).collect()[0][0]
    finally:
        spark.catalog.dropTempView(rows)
        spark.catalog.dropTempView(runs)
    if copied != expected:
        raise MoveRefused("%s: %d legacy row(s), %d in %s's planned partitions after the copy; not marked moved, run again"
                          % (legacy, expected, copied, table))
    return int(copied)


def move_first_release_table(spark: SparkSession, statement: str, table: str, wanted: Columns, windows: Sequence[Window],
                             step: Callable[[str], None] = lambda name: None) -> None:
    """Runs what is left of the table's move (see the module docstring); statement creates the new table.
    step: called before each step by name (tests interrupt a move there)."""
    legacy = table + LEGACY_SUFFIX
    current, earlier = existing_table(spark, table), existing_table(spark, legacy)
    if earlier is None:
        step("plan")
        plan_move(spark, table, windows)
        step("rename")
        print("create_tables: %s has the first release's partitioning; moving it to %s" % (table, legacy), flush=True)
        spark.sql("ALTER TABLE %s RENAME TO %s" % (table, legacy))
        current = None
    elif current is not None and current[1] == ["batch_id"]:
        raise MoveRefused("%s and %s both have the first release's partitioning; keep one (rename the other) and deploy again"
                          % (table, legacy))
    if is_moved(spark, table, legacy):
        if current is None:
            spark.sql(statement)
            print("create_tables: %s was created empty: the first-release rows were moved into it before, and are not "
                  "imported again (they stay in %s until you drop it)" % (table, legacy), flush=True)
        mark_moved(spark, table, legacy)
        return
    step("plan")
    plan = plan_move(spark, legacy, windows)
    if current is None:
        step("create")
        spark.sql(statement)
    add_overwrite_options(spark, table)  # the copy rewrites the planned partitions, and only those
    step("copy")
    copied = copy_by_plan(spark, table, legacy, wanted, dict(plan["labels"]))  # type: ignore[call-overload]
    mark_moved(spark, table, legacy, step)
    print("create_tables: copied %d row(s) of %s into %s under their runs; drop %s once checked" % (copied, legacy, table, legacy), flush=True)


def mark_moved(spark: SparkSession, table: str, legacy: str, step: Callable[[str], None] = lambda name: None) -> None:
    """Marks both tables, where a mark is missing: the legacy table's first, since it is what keeps a dropped new
    table from being filled again (a release before this one marked the new table alone)."""
    step("mark legacy")
    if table_properties(spark, legacy).get(MOVED_TO_PROPERTY) != table:
        spark.sql("ALTER TABLE %s SET TBLPROPERTIES ('%s' = '%s')" % (legacy, MOVED_TO_PROPERTY, table))
    step("mark table")
    if table_properties(spark, table).get(MIGRATED_PROPERTY) != legacy:
        spark.sql("ALTER TABLE %s SET TBLPROPERTIES ('%s' = '%s')" % (table, MIGRATED_PROPERTY, legacy))
