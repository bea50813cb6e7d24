"""Housekeeping of the sensor aggregation tables: compaction into day-partitioned history, and retention.

    spark-submit --py-files checkpoint_runs.py,create_tables.py,first_release_move.py,job_config.py,job_tables.py maintenance.py --config <job.json> [--retention-days rejected=30 ...]

The streaming tables get one (run_id, batch_id) partition per micro-batch: 5,760 a day at a 15 s trigger.
A compaction moves the batches no query can replay any more into <table>_history, one partition per UTC day
(of the row's Kafka timestamp; of the batch's ts for stats) and compaction, and readers query <table>_all,
which shows every row exactly once before, during and after a compaction (create_tables.py makes it).

Which batches move: of the run the checkpoint resumes (the query id in <checkpoint>/metadata), only those
older than the last committed one (<checkpoint>/commits/N), so a batch Spark may still replay is never
touched; of every other run (an earlier checkpoint), all of them, but a run new-run closed keeps nothing past its
last commit (checkpoint_runs.py drops those batches first: they were never committed and the new run reads them again).

Each step is safe to interrupt and to re-run, because one write commits a compaction: its partition of the
ledger (<query>_compactions, job_config.ledger_table), added only after its history rows are written and counted.
  1. drop history partitions of compactions the ledger does not name (an interrupted copy; never visible); one
     that cannot be an interrupted copy is refused, removing nothing (refuse_foreign_history: not this ledger's);
  2. drop from the catalog the streaming partitions of compactions committed at least DROP_AFTER ago (the views
     hide them from VISIBLE_AFTER_SECONDS after the commit; until every query counts the compaction they are
     kept), and delete the files of every partition dropped from the catalog at least DELETE_AFTER ago: a drop
     never deletes files at once (job_tables.unregister_partitions), so a reader query that listed them goes on
     reading them;
  3. close: drop the batches a closed run wrote past its last commit (checkpoint_runs.close_earlier_runs);
  4. plan: the batches to move, as (run, first batch, last batch) ranges, under a new compaction id;
  5. copy them into the history tables; 6. check the row counts match;
  7. commit: write the ledger partition (compacted_at: the clock at the commit); 8. drop as in 2;
  9. retention: drop the history of compactions committed longer ago than each table's limit (by the ledger's
     compacted_at, not by a row's Kafka timestamp).
Only one maintenance may run at a time: the deployer's `maintain` holds the environment's lock around it.
Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import datetime, timedelta
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from pyspark.sql import SparkSession
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

from checkpoint_runs import checkpoint_progress, close_earlier_runs, closed_runs
from create_tables import (DAY_SOURCE, DELETE_AFTER_SECONDS, HISTORY_PARTITIONS, KINDS, UNREGISTER_AFTER_SECONDS, VISIBLE_AFTER_SECONDS,
                           housekeeping_layout)
from job_config import ConfigError, read_config_file, table_name_config
from job_tables import (PARTITION_COLUMNS, delete_unregistered, existing_table, partitions, sql_literal as _literal,
                        unregister_partitions)

Range = Tuple[str, int, int]  # (run_id, first batch, last batch), both ends included
DROP_AFTER = timedelta(seconds=UNREGISTER_AFTER_SECONDS)
DELETE_AFTER = timedelta(seconds=DELETE_AFTER_SECONDS)
STEPS = ("cleanup", "finish", "close", "plan", "copy data", "copy rejected", "copy stats", "verify", "commit", "drop", "retention")
LEDGER_SCHEMA = StructType([StructField("run_id", StringType(), False), StructField("first_batch", LongType(), False),
                            StructField("last_batch", LongType(), False), StructField("compacted_at", TimestampType(), False)])


class MaintenanceRefused(RuntimeError):
    """The tables housekeeping needs are missing or a check failed; nothing was committed."""


def ledger_ranges(spark: SparkSession, ledger: str) -> List[Tuple[str, Range]]:
    """(compaction, range) of every committed compaction."""
    return [(compaction, batches) for compaction, batches, _ in ledger_commits(spark, ledger)]


def ledger_commits(spark: SparkSession, ledger: str) -> List[Tuple[str, Range, datetime]]:
    """(compaction, range, when it was committed) of every committed compaction."""
    rows = spark.sql("SELECT compaction, run_id, first_batch, last_batch, compacted_at FROM %s" % ledger).collect()
    return [(r["compaction"], (r["run_id"], int(r["first_batch"]), int(r["last_batch"])), r["compacted_at"]) for r in rows]


def drop_compacted(spark: SparkSession, tables: Dict[str, Dict[str, str]], ledger: str, now: datetime,
                   drop_after: timedelta) -> Dict[str, int]:
    """Takes the streaming partitions of compactions committed at least drop_after ago out of the catalog, per kind
    how many; their files stay for the queries that listed them before (delete_unregistered_files)."""
    old = [batches for _, batches, at in ledger_commits(spark, ledger) if at <= now - drop_after]
    dropped = {}
    for kind in KINDS:
        stale = [p for p in partitions(spark, tables[kind]["stream"]) if covered(p["run_id"], int(p["batch_id"]), old)]
        if stale:
            print("maintenance: %s: dropping %d batch partition(s) compacted before %s"
                  % (tables[kind]["stream"], len(stale), (now - drop_after).isoformat()), flush=True)
        dropped[kind] = unregister_partitions(spark, tables[kind]["stream"], stale)
    return dropped


def delete_unregistered_files(spark: SparkSession, tables: Dict[str, Dict[str, str]], delete_after: timedelta) -> Dict[str, int]:
    """Deletes the files of partitions taken out of the catalog (job_tables.unregister_partitions) at least
    delete_after ago, in every streaming and history table; per table how many partitions' files."""
    deleted = {}
    for kind in KINDS:
        for role, columns in (("stream", PARTITION_COLUMNS), ("history", HISTORY_PARTITIONS)):
            table = tables[kind][role]
            deleted[table] = delete_unregistered(spark, table, columns, delete_after / timedelta(seconds=1))
    return deleted


def covered(run_id: str, batch_id: int, ranges: Iterable[Range]) -> bool:
    return any(run == run_id and first <= batch_id <= last for run, first, last in ranges)


def stream_batches(spark: SparkSession, table: str) -> List[Tuple[str, int]]:
    return [(p["run_id"], int(p["batch_id"])) for p in partitions(spark, table)]


def plan_ranges(batches: Iterable[Tuple[str, int]], done: Sequence[Range], current_run: Optional[str],
                last_committed: Optional[int], closed: Optional[Dict[str, int]] = None) -> List[Range]:
    """The batches to move, as ranges that never span a batch still to stay or one a committed range covers.
    closed: per run new-run closed, its last commit; what it wrote past that is never moved (a run closed after
    the close step, by a new-run beside this maintenance, is known here, since the checkpoint is read after)."""
    closed = closed or {}
    movable = {}  # type: Dict[str, List[int]]
    for run_id, batch_id in set(batches):
        if covered(run_id, batch_id, done):
            continue
        if run_id == current_run and (last_committed is None or batch_id >= last_committed):
            continue  # the last committed batch and later ones stay: Spark may still write them
        if run_id in closed and batch_id > closed[run_id]:
            continue  # never committed, and the new run reads it again
        movable.setdefault(run_id, []).append(batch_id)
    ranges = []  # type: List[Range]
    for run_id, ids in sorted(movable.items()):
        ids.sort()
        first = previous = ids[0]
        for batch_id in ids[1:]:
            if any(run == run_id and lo <= batch_id and hi >= previous for run, lo, hi in done):
                ranges.append((run_id, first, previous))
                first = batch_id
            previous = batch_id
        ranges.append((run_id, first, previous))
    return ranges


def range_predicate(ranges: Sequence[Range]) -> str:
    return " OR ".join("(run_id = %s AND batch_id BETWEEN %d AND %d)" % (_literal(r), lo, hi) for r, lo, hi in ranges)


def history_columns(spark: SparkSession, history: str) -> List[str]:
    """The history table's data columns in its own order (INSERT ... SELECT is by position on Spark 2.4)."""
    return [f.name for f in spark.table(history).schema.fields if f.name not in HISTORY_PARTITIONS]


# Rows per history file a compaction aims at (~50-100 MB of Parquet for the data table): fewer rows make one file a
# day, more spread over that many shuffle keys, so the copy runs on as many cores (bench:maintenance measures it).
COPY_ROWS_PER_FILE = 4000000


def copy_buckets(rows: int) -> int:
    """How many shuffle keys a day's rows are spread over: one per COPY_ROWS_PER_FILE rows, at least one."""
    return max(1, -(-rows // COPY_ROWS_PER_FILE))


def copy_to_history(spark: SparkSession, kind: str, names: Dict[str, str], ranges: Sequence[Range], compaction: str) -> None:
    """Copies the ranges' rows into the kind's history table under the compaction. Each batch's rows go to one
    shuffle key of its day, by a hash of (run_id, batch_id): deterministic, so a retried task writes the same rows;
    and a night at full volume is no longer one task per day (which could not finish inside the timeout)."""
    columns = ", ".join("`%s`" % c for c in history_columns(spark, names["history"]))
    where = range_predicate(ranges)
    rows = spark.sql("SELECT count(*) FROM %s WHERE %s" % (names["stream"], where)).collect()[0][0]  # Parquet footers
    spark.sql(
        "INSERT INTO TABLE %s PARTITION (day, compaction) SELECT %s, date_format(`%s`, 'yyyy-MM-dd') AS day, %s AS compaction "
        "FROM %s WHERE %s DISTRIBUTE BY day, pmod(hash(run_id, batch_id), %d)"
        % (names["history"], columns, DAY_SOURCE[kind], _literal(compaction), names["stream"], where, copy_buckets(int(rows))))


def verify_copy(spark: SparkSession, names: Dict[str, str], ranges: Sequence[Range], compaction: str) -> int:
    moved = spark.sql("SELECT count(*) FROM %s WHERE %s" % (names["stream"], range_predicate(ranges))).collect()[0][0]
    copied = spark.sql("SELECT count(*) FROM %s WHERE compaction = %s" % (names["history"], _literal(compaction))).collect()[0][0]
    if moved != copied:
        raise MaintenanceRefused("%s: %d rows in the batches to move, %d copied into %s under compaction %s; not committed "
                                 "(the next run removes the copy and starts again)" % (names["stream"], moved, copied, names["history"], compaction))
    return int(moved)


def commit(spark: SparkSession, ledger: str, ranges: Sequence[Range], compaction: str, now: datetime) -> None:
    """One ledger partition, written as one file by one task: the compaction becomes visible all at once."""
    rows = spark.createDataFrame([(run, lo, hi, now) for run, lo, hi in ranges], LEDGER_SCHEMA).coalesce(1)
    view = "sensor_aggregation_compaction_%s" % compaction.replace("-", "_")
    rows.createOrReplaceTempView(view)
    try:
        spark.sql("INSERT INTO TABLE %s PARTITION (compaction = %s) SELECT run_id, first_batch, last_batch, compacted_at FROM %s"
                  % (ledger, _literal(compaction), view))
    finally:
        spark.catalog.dropTempView(view)


def refuse_foreign_history(spark: SparkSession, tables: Dict[str, Dict[str, str]], ledger: str,
                           leftovers_of: Dict[str, List[Dict[str, str]]]) -> None:
    """An uncommitted compaction in a history is removed only when it is known to be an interrupted copy: at most one
    exists (runs hold the lock one at a time and each removes the copy an interrupted one left before copying its
    own), and every batch it holds is still in its streaming table (a committed compaction's batches leave it, an
    uncommitted one's never do), so removing the copy loses nothing. Anything else means the ledger is not the one
    this history was compacted with (the query_name or the ledger changed, or a release that named it otherwise
    ran): the run refuses, removing nothing."""
    uncommitted = sorted({p["compaction"] for leftovers in leftovers_of.values() for p in leftovers})
    foreign = set(uncommitted) if len(uncommitted) > 1 else set()
    for kind, leftovers in leftovers_of.items():
        if not leftovers or foreign:
            continue
        streaming = set(stream_batches(spark, tables[kind]["stream"]))
        for compaction in sorted({p["compaction"] for p in leftovers}):
            held = spark.sql("SELECT DISTINCT run_id, batch_id FROM %s WHERE compaction = %s"
                             % (tables[kind]["history"], _literal(compaction))).collect()
            if any((row["run_id"], int(row["batch_id"])) not in streaming for row in held):
                foreign.add(compaction)
    if foreign:
        names = sorted(foreign)
        raise MaintenanceRefused(
            "the history holds %d compaction(s) the ledger %s does not name and that are not an interrupted copy (%s): "
            "this is not the ledger they were committed in (was query_name changed, or the ledger dropped?); nothing "
            "was removed. Restore the earlier query_name, or copy the earlier ledger's rows into %s"
            % (len(names), ledger, ", ".join(names[:5]) + (", ..." if len(names) > 5 else ""), ledger))


def require_layout(spark: SparkSession, layout: Dict[str, object]) -> None:
    missing = [name for name in [str(layout["ledger"])] + [t[k] for t in layout["tables"].values() for k in ("stream", "history")]  # type: ignore[union-attr]
               if existing_table(spark, name) is None]
    if missing:
        raise MaintenanceRefused("missing table(s) %s: run the table DDL (create_tables.py) of this release first" % ", ".join(missing))


def compact(spark: SparkSession, config: Dict[str, object], retention_days: Optional[Dict[str, int]] = None,
            now: Optional[datetime] = None, step: Callable[[str], None] = lambda name: None,
            drop_after: timedelta = DROP_AFTER, delete_after: timedelta = DELETE_AFTER) -> Dict[str, object]:
    """One housekeeping run over the job config's tables (see the module docstring); returns what it did.
    retention_days: per kind ("data", "rejected", "stats") the days of history kept; 0 or absent keeps all.
    now: the time of every step (tests fix it); by default the clock at each step, so a compaction's compacted_at
    is the moment of its commit. Local and naive, as PySpark converts naive datetimes both ways.
    step: called before each step by name (tests interrupt a run there).
    drop_after: how long after its commit a compacted batch leaves the streaming table's catalog (this run waits
    for it after its own commit, on the real clock); delete_after: how long after that any partition's files stay
    (create_tables.UNREGISTER_AFTER_SECONDS, DELETE_AFTER_SECONDS)."""
    fixed = now
    clock = (lambda: fixed) if fixed is not None else datetime.now  # type: Callable[[], datetime]
    now = clock()
    layout = housekeeping_layout(table_name_config(config))
    tables = layout["tables"]  # type: Dict[str, Dict[str, str]]  # type: ignore[assignment]
    ledger = str(layout["ledger"])
    require_layout(spark, layout)
    summary = {"compaction": None, "moved_batches": 0, "moved_rows": {}, "expired_compactions": {}}  # type: Dict[str, object]

    step("cleanup")
    committed = {c for c, _ in ledger_ranges(spark, ledger)}
    leftovers_of = {kind: [p for p in partitions(spark, tables[kind]["history"]) if p["compaction"] not in committed] for kind in KINDS}
    refuse_foreign_history(spark, tables, ledger, leftovers_of)
    for kind in KINDS:
        leftovers = leftovers_of[kind]
        if leftovers:
            print("maintenance: %s: removing %d partition(s) of an interrupted copy" % (tables[kind]["history"], len(leftovers)), flush=True)
            unregister_partitions(spark, tables[kind]["history"], leftovers)

    step("finish")
    summary["dropped_partitions"] = drop_compacted(spark, tables, ledger, clock(), drop_after)
    summary["deleted_partition_files"] = delete_unregistered_files(spark, tables, delete_after)
    done = [r for _, r in ledger_ranges(spark, ledger)]

    step("close")
    summary["closed_run_batches"] = close_earlier_runs(spark, str(config["checkpoint_location"]),
                                                       [tables[kind]["stream"] for kind in KINDS], "maintenance")

    step("plan")
    # Partitions first, then the checkpoint: a batch listed here is older than any commit read after it.
    batches = [b for kind in KINDS for b in stream_batches(spark, tables[kind]["stream"])]
    current_run, last_committed = checkpoint_progress(spark, str(config["checkpoint_location"]))
    closed = {run_id: last for run_id, last, _ in closed_runs(spark, str(config["checkpoint_location"]))}
    ranges = plan_ranges(batches, done, current_run, last_committed, closed)
    if ranges:
        compaction = "c%s-%s" % (now.strftime("%Y%m%dT%H%M%S"), uuid.uuid4().hex[:6])
        summary["compaction"] = compaction
        summary["moved_batches"] = sum(hi - lo + 1 for _, lo, hi in ranges)
        print("maintenance: compaction %s moves %s (the checkpoint's run %s, last committed batch %s stays)"
              % (compaction, ", ".join("run %s batches %d-%d" % r for r in ranges), current_run, last_committed), flush=True)
        for kind in KINDS:
            step("copy " + kind)
            copy_to_history(spark, kind, tables[kind], ranges, compaction)
        step("verify")
        summary["moved_rows"] = {kind: verify_copy(spark, tables[kind], ranges, compaction) for kind in KINDS}
        step("commit")
        committed_at = clock()
        commit(spark, ledger, ranges, compaction, committed_at)
        took = (clock() - committed_at) / timedelta(seconds=1)
        if took > VISIBLE_AFTER_SECONDS / 2:
            # The views count on a commit landing well inside VISIBLE_AFTER_SECONDS of its compacted_at.
            print("maintenance: WARNING: the commit of %s took %.0f s; past %d s a reader query may count it in one of "
                  "its two ledger reads only" % (compaction, took, VISIBLE_AFTER_SECONDS), file=sys.stderr, flush=True)
        step("drop")
        wait = (committed_at + drop_after - clock()) / timedelta(seconds=1)
        if wait > 0 and fixed is None:
            print("maintenance: waiting %.0f s for every reader query to count compaction %s before its batches leave "
                  "the streaming tables" % (wait, compaction), flush=True)
            time.sleep(wait)
        dropped = drop_compacted(spark, tables, ledger, clock(), drop_after)
        summary["dropped_partitions"] = {kind: n + dropped[kind] for kind, n in summary["dropped_partitions"].items()}  # type: ignore[union-attr]
    else:
        print("maintenance: no batch to compact (the checkpoint's run %s, last committed batch %s)" % (current_run, last_committed), flush=True)

    step("retention")
    summary["expired_compactions"] = expire(spark, tables, ledger, retention_days or {}, clock())
    return summary


def expire(spark: SparkSession, tables: Dict[str, Dict[str, str]], ledger: str, retention_days: Dict[str, int],
           now: datetime) -> Dict[str, int]:
    """Drops, per kind with a limit, the history of every compaction committed more than that many days ago.
    By the ledger's compacted_at, a time the job wrote, never by a producer's timestamp: a row that arrived late or
    with a wrong timestamp lives its full retention after it was compacted, and none goes in the run that compacts
    it. The ledger rows stay (a few per run), so the views and later runs still know those batches were moved."""
    committed = {r["compaction"]: r["at"] for r in spark.sql(
        "SELECT compaction, max(compacted_at) AS at FROM %s GROUP BY compaction" % ledger).collect()}
    expired = {}
    for kind, days in sorted(retention_days.items()):
        if days <= 0:
            continue
        cutoff = now - timedelta(days=days)
        old = [p for p in partitions(spark, tables[kind]["history"]) if p["compaction"] in committed and committed[p["compaction"]] < cutoff]
        expired[kind] = len({p["compaction"] for p in old})
        if old:
            print("maintenance: %s: dropping %d compaction(s) committed before %s (retention %d days)"
                  % (tables[kind]["history"], expired[kind], cutoff.isoformat(), days), flush=True)
            unregister_partitions(spark, tables[kind]["history"], old)
    return expired


def parse_retention(values: Sequence[str]) -> Dict[str, int]:
    """["rejected=30", "data=0"] -> {"rejected": 30, "data": 0}; a kind or a number that is not allowed is refused."""
    retention = {}
    for value in values:
        kind, _, days = value.partition("=")
        if kind not in KINDS or not days.isdigit():
            raise ConfigError("--retention-days %r: allowed: <kind>=<days> with kind one of %s and days 0 (keep all) or more"
                              % (value, ", ".join(KINDS)))
        retention[kind] = int(days)
    return retention


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="maintenance.py", description="Compacts and expires the sensor aggregation tables")
    parser.add_argument("--config", required=True, help="the job's JSON config (local or HDFS)")
    parser.add_argument("--retention-days", action="append", default=[], metavar="KIND=DAYS",
                        help="days of history kept for data, rejected or stats (0: all); repeatable")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("sensor-aggregation-maintenance").enableHiveSupport().getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # history days are UTC days
    try:
        config = read_config_file(spark, args.config)
        retention = parse_retention(args.retention_days)
    except ValueError as error:
        print("maintenance: invalid configuration: %s" % error, file=sys.stderr)
        return 2
    try:
        summary = compact(spark, config, retention)
    except (MaintenanceRefused, ValueError) as error:
        print("maintenance: %s" % error, file=sys.stderr)
        return 3
    print("maintenance: done %s" % json.dumps(summary, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
