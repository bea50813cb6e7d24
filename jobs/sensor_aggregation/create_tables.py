"""Creates or migrates the sensor aggregation job's database and tables (job_tables.py) through spark.sql; idempotent.

    spark-submit --py-files checkpoint_runs.py,first_release_move.py,job_config.py,job_tables.py create_tables.py --config <job.json> [--sql <ddl.sql>]

--config is the job's config file (database and table names are read from it; local, hdfs:// or absolute
HDFS path). The statements are job_tables.TABLES_SQL, made from the one declaration of the tables' columns;
--sql runs another script of the same form instead (local or HDFS).

An existing table is compared with its CREATE TABLE statement:
  * columns job_tables.py adds are added (ALTER TABLE ... ADD COLUMNS); the job writes by name, so their
    position does not matter;
  * a table without job_tables.OVERWRITE_OPTIONS gets them (ALTER TABLE ... SET SERDEPROPERTIES), so that no
    INSERT OVERWRITE of one partition, in any session, can empty it;
  * a column the table has and job_tables.py lacks (a newer release added it, and this older one is deployed
    again: the rollback) stays, in the table, its history and its view; this release writes it NULL;
  * a retyped column, or other partitioning, is refused (exit 3) with one message naming each table and
    column and what to do; nothing is changed;
  * a table of the first release (partitioned by batch_id alone) is moved once to the (run_id, batch_id)
    layout by first_release_move.py: renamed to <table>_pre_run_id, created anew, each batch's rows copied under
    the run that wrote it (told from the checkpoints' start times; refused where it cannot be told), the old table
    kept for the operator to drop. Each step records itself: a re-run finishes an interrupted move, and a move
    once done is never repeated, not even into a dropped table.
Beside each streaming table it keeps what housekeeping (maintenance.py) needs, derived from that table's
CREATE TABLE so job_tables.py stays the one place columns are declared:
  * <table>_history: the same columns, partitioned by (day, compaction), where compacted batches go;
  * <query>_compactions (job_config.ledger_table, from query_name): the ledger, one partition per committed
    compaction with the (run, batch range) it moved. It belongs to the streaming query, not to a table, so
    renaming a table keeps it. A release before this one named it <data_table>_compactions: such a ledger is
    copied into the new one and replaced by a view of it, before any view reads the new one (re-run safe: the
    copy overwrites by compaction). The view is the guard against deploying such a release again
    (adopt_earlier_ledger);
  * <table>_all: the view readers query, history of committed compactions plus the streaming batches no
    committed compaction covers, each compaction counted from VISIBLE_AFTER_SECONDS after its commit in both
    (housekeeping_statements), so every row shows exactly once in every query, at any moment of a compaction.
It reads the job config through job_config.py (shipped beside it as a pyFiles module); it does not import
job.py. Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import argparse
import re
import sys
from string import Template
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from pyspark.sql import SparkSession

from first_release_move import (LEGACY_SUFFIX, MoveRefused, Window, checkpoint_windows, is_moved, mark_moved,
                                move_first_release_table, plan_move)
from job_config import read_config_file, read_text, table_name_config
from job_tables import OVERWRITE_OPTIONS, TABLES_SQL, TYPE_ALIASES, add_overwrite_options, existing_table, options_clause


class MigrationRefused(RuntimeError):
    """The DDL asks for a change to an existing table that would lose or reinterpret data."""


CREATE_TABLE = re.compile(r"^CREATE TABLE IF NOT EXISTS\s+(\S+)\s*\((.*)\)\s*USING\s+\w+\s*(?:OPTIONS\s*\([^)]*\)\s*)?"
                          r"PARTITIONED BY\s*\(([^)]*)\)\s*$", re.S | re.I)
Columns = List[Tuple[str, str]]

HISTORY_SUFFIX = "_history"
VIEW_SUFFIX = "_all"
LEDGER_SUFFIX = "_compactions"
KINDS = ("data", "rejected", "stats")
# The time that places a row in a history day (UTC): the reading's Kafka timestamp; for stats, the batch's.
DAY_SOURCE = {"data": "event_time", "rejected": "event_time", "stats": "ts"}
HISTORY_PARTITIONS = ("day", "compaction")
# A view shows a compaction once it was committed this long before the query started: more than the time from the
# commit's clock reading to its ledger file, plus the clocks' skew between hosts.
VISIBLE_AFTER_SECONDS = 120
# A compacted batch leaves the streaming table's catalog this long after its commit: once every query that lists
# the table's partitions also counts the compaction (a query lists them moments after its current_timestamp()).
UNREGISTER_AFTER_SECONDS = VISIBLE_AFTER_SECONDS + 60
# The files of a partition the catalog dropped (a compacted batch, an expired or an abandoned history partition) are
# deleted this much later: a reader query that listed them before and is still running then fails.
READER_QUERY_LIMIT_SECONDS = 3600
DELETE_AFTER_SECONDS = READER_QUERY_LIMIT_SECONDS

def housekeeping_layout(names: Dict[str, str]) -> Dict[str, object]:
    """Every table name housekeeping uses: per kind the streaming table, its history table and its view; the ledger."""
    db = names["database"]
    tables = {}
    for kind in KINDS:
        stream = "%s.%s" % (db, names[kind + "_table"])
        tables[kind] = {"stream": stream, "history": stream + HISTORY_SUFFIX, "view": stream + VIEW_SUFFIX}
    return {"tables": tables, "ledger": "%s.%s" % (db, names["ledger_table"]),
            "earlier_ledger": "%s.%s%s" % (db, names["data_table"], LEDGER_SUFFIX)}


def housekeeping_statements(statements: Sequence[str], names: Dict[str, str],
                            visible_after_seconds: int = VISIBLE_AFTER_SECONDS) -> List[str]:
    """The history tables, the ledger and the views, derived from the streaming tables' CREATE TABLE statements.

    A view reads the ledger twice (for the history it shows and the batches it hides), at two moments. Both reads
    keep only compactions committed visible_after_seconds before the query started (current_timestamp() is one
    value in a query, and both reads are joins of its one plan, not subqueries, which Spark 3.1 times apart), so a
    commit landing between the reads is in neither, and the reader sees its batches in the streaming table, which
    maintenance keeps until no query can still read them that way (UNREGISTER_AFTER_SECONDS, DELETE_AFTER_SECONDS)."""
    layout = housekeeping_layout(names)
    ledger = str(layout["ledger"])
    by_table = {parsed[0]: parsed[1] for parsed in map(parse_create_table, statements) if parsed}
    history, views = [], []
    for kind in KINDS:
        names_of = layout["tables"][kind]  # type: ignore[index]
        columns = by_table[names_of["stream"]]
        column_list = ", ".join("%s %s" % c for c in columns)
        history.append("CREATE TABLE IF NOT EXISTS %s (%s, day string, compaction string) USING PARQUET OPTIONS %s "
                       "PARTITIONED BY (day, compaction)" % (names_of["history"], column_list, options_clause(OVERWRITE_OPTIONS)))
        from_stream = ", ".join("s.`%s`" % name for name, _ in columns)
        from_history = ", ".join("h.`%s`" % name for name, _ in columns)
        visible = "SELECT * FROM %s WHERE compacted_at <= current_timestamp() - INTERVAL %d SECONDS" % (ledger, visible_after_seconds)
        views.append(
            "CREATE OR REPLACE VIEW %s AS SELECT %s FROM %s h LEFT SEMI JOIN (%s) c ON h.compaction = c.compaction "
            "UNION ALL SELECT %s FROM %s s LEFT ANTI JOIN (%s) c ON s.run_id = c.run_id "
            "AND s.batch_id BETWEEN c.first_batch AND c.last_batch"
            % (names_of["view"], from_history, names_of["history"], visible, from_stream, names_of["stream"], visible))
    ledger_table = ("CREATE TABLE IF NOT EXISTS %s (run_id string, first_batch bigint, last_batch bigint, "
                    "compacted_at timestamp, compaction string) USING PARQUET OPTIONS %s PARTITIONED BY (compaction)"
                    % (ledger, options_clause(OVERWRITE_OPTIONS)))
    return history + [ledger_table] + views


def render_statements(sql_text: str, names: Dict[str, str]) -> List[str]:
    """Substitutes the database and table names and splits the script into statements (comments dropped)."""
    text = Template(re.sub(r"--[^\n]*", "", sql_text)).substitute(names)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def parse_create_table(statement: str) -> Optional[Tuple[str, Columns, List[str]]]:
    """(table, [(column, type)], partition columns) of one of the DDL's CREATE TABLE statements."""
    match = CREATE_TABLE.match(statement.strip())
    if not match:
        return None
    columns = []
    for part in match.group(2).split(","):
        words = part.split()
        if len(words) != 2:
            # A constraint (NOT NULL, DEFAULT ...): every column must be nullable, so that the release before the
            # one adding it keeps writing (it writes NULL there) after the migration.
            raise MigrationRefused("table %s: column %s: only `name type` is allowed; every column stays nullable, so the "
                                   "previous release keeps writing after a migration adds it" % (match.group(1), part.strip()))
        name, kind = words
        columns.append((name, TYPE_ALIASES.get(kind.lower(), kind.lower())))
    return match.group(1), columns, [p.strip() for p in match.group(3).split(",")]


def destructive_changes(table: str, current: Columns, current_partitions: List[str], wanted: Columns,
                        wanted_partitions: List[str]) -> List[str]:
    problems = []
    wanted_types = dict(wanted)
    for name, kind in current:
        if name not in wanted_types:
            problems.append("table %s: column %s (%s) is not in job_tables.py" % (table, name, kind))
        elif wanted_types[name] != kind:
            problems.append("table %s: column %s is %s, job_tables.py declares %s" % (table, name, kind, wanted_types[name]))
    if current_partitions != wanted_partitions:
        problems.append("table %s: partitioned by (%s), job_tables.py declares (%s)"
                        % (table, ", ".join(current_partitions), ", ".join(wanted_partitions)))
    return problems


def table_type(spark: SparkSession, table: str) -> Optional[str]:
    """The catalog's type of a table ("VIEW", "MANAGED", "EXTERNAL"), or None when there is none of that name."""
    database, name = table.split(".", 1)
    if database not in [d.name for d in spark.catalog.listDatabases()]:
        return None
    return next((t.tableType for t in spark.catalog.listTables(database) if t.name == name), None)


def adopt_earlier_ledger(spark: SparkSession, earlier: str, ledger: str) -> None:
    """Copies a ledger named by the releases before this one (<data_table>_compactions) into the query's ledger
    and puts a view of the query's ledger in its place: every committed compaction stays committed. The view is
    the guard against deploying such a release again: its CREATE TABLE IF NOT EXISTS finds the name taken (so it
    never recreates its ledger empty, whose maintenance would then drop every compaction as an interrupted copy),
    its create_tables.py refuses the view (not partitioned), and its maintenance reads this release's commits and
    cannot write one. Each step is re-run safe: the copy overwrites by compaction, and the view is made whenever
    the name is free."""
    if earlier == ledger:
        return
    kind = table_type(spark, earlier)
    if kind == "VIEW":
        return
    if kind is not None:
        spark.sql("INSERT OVERWRITE TABLE %s PARTITION (compaction) SELECT run_id, first_batch, last_batch, compacted_at, "
                  "compaction FROM %s" % (ledger, earlier))
        wanted = {r[0] for r in spark.sql("SELECT DISTINCT compaction FROM %s" % earlier).collect()}
        copied = {r[0] for r in spark.sql("SELECT DISTINCT compaction FROM %s" % ledger).collect()}
        if not wanted <= copied:
            raise MigrationRefused("ledger %s: compactions %s were not copied into %s; %s is kept, run again"
                                   % (earlier, ", ".join(sorted(wanted - copied)), ledger, earlier))
        spark.sql("DROP TABLE %s" % earlier)
        print("create_tables: the ledger %s (%d compactions) is now %s" % (earlier, len(wanted), ledger), flush=True)
    spark.sql("CREATE VIEW %s AS SELECT run_id, first_batch, last_batch, compacted_at, compaction FROM %s" % (earlier, ledger))
    print("create_tables: %s is a view of %s, so a release before this one cannot recreate it empty" % (earlier, ledger), flush=True)


def create_tables(spark: SparkSession, statements: Sequence[str], database: str, windows: Sequence[Window] = (),
                  earlier_ledger: Optional[Tuple[str, str]] = None, step: Callable[[str], None] = lambda name: None) -> None:
    """Creates what is missing, adds new columns, moves first-release tables (first_release_move.py: each batch under
    its own run, told from the checkpoints' windows); refuses destructive changes and first-release batches whose
    run cannot be told, all named in one MigrationRefused, changing nothing. earlier_ledger: (an earlier release's
    ledger, the query's ledger), adopted once the ledger exists and before the first view (housekeeping_layout names
    both). step: called before each step of a move by name (tests interrupt there)."""
    spark.sql("CREATE DATABASE IF NOT EXISTS %s" % database)
    plans = []
    problems, refused_moves = [], []  # type: List[str], List[str]
    for statement in statements:
        parsed = parse_create_table(statement)
        current = existing_table(spark, parsed[0]) if parsed else None
        legacy_left = parsed is not None and existing_table(spark, parsed[0] + LEGACY_SUFFIX) is not None
        moved = legacy_left and is_moved(spark, parsed[0], parsed[0] + LEGACY_SUFFIX)  # type: ignore[index]
        if parsed is not None and parsed[2] == ["run_id", "batch_id"] and (
                (legacy_left and (not moved or current is None)) or (current is not None and current[1] == ["batch_id"])):
            if not legacy_left:
                try:
                    plan_move(spark, parsed[0], windows, record=False)  # before anything changes: a refusal changes nothing
                except MoveRefused as error:
                    refused_moves.append(str(error))
            plans.append(("move", statement, parsed))
            continue
        if moved and parsed is not None:
            plans.append(("marked", statement, parsed))  # a move the release before this one finished: mark its legacy table
        if parsed is None or current is None:
            plans.append(("create", statement, parsed))
            continue
        table, wanted, wanted_partitions = parsed
        columns, partitions = current
        present = {name for name, _ in columns}
        problems += destructive_changes(table, columns, partitions, [c for c in wanted if c[0] in present], wanted_partitions)
        added = [c for c in wanted if c[0] not in present]
        if added:
            plans.append(("add", "ALTER TABLE %s ADD COLUMNS (%s)" % (table, ", ".join("%s %s" % c for c in added)), parsed))
    if problems or refused_moves:
        raise MigrationRefused(" ".join(refused_moves + ([
            "job_tables.py asks for changes that would lose or reinterpret data, so nothing was changed: " + "; ".join(problems)
            + ". To apply them, give the job a new table name (data_table, rejected_table or stats_table in the config) "
            "and copy what you need, or drop the table if its data can go."] if problems else [])))
    adopted = earlier_ledger is None
    for action, statement, parsed in plans:
        if not adopted and statement.lstrip().upper().startswith("CREATE OR REPLACE VIEW"):
            adopt_earlier_ledger(spark, *earlier_ledger)  # type: ignore[misc]
            adopted = True
        if action == "marked" and parsed is not None:
            mark_moved(spark, parsed[0], parsed[0] + LEGACY_SUFFIX)
            continue
        if action == "move" and parsed is not None:
            try:
                move_first_release_table(spark, statement, parsed[0], parsed[1], windows, step)
            except MoveRefused as error:
                raise MigrationRefused(str(error)) from error
            continue
        print("create_tables: " + " ".join(statement.split()[:6]) + " ...", flush=True)
        spark.sql(statement)
    if not adopted:
        adopt_earlier_ledger(spark, *earlier_ledger)  # type: ignore[misc]
    for parsed in filter(None, map(parse_create_table, statements)):
        add_overwrite_options(spark, parsed[0])


def with_kept_columns(spark: SparkSession, statements: Sequence[str]) -> List[str]:
    """The statements, each existing table's CREATE TABLE extended by the columns the table has and the statement
    lacks (a newer release's migration added them, or this release stopped writing them). They stay: every column
    is nullable and the job writes by name, so this release writes them NULL, its history keeps them and its views
    show them. This is what makes deploying the previous release after a migration (the rollback) a deploy rather
    than a refusal. A table whose partitioning differs is left as declared (a move or a refusal handles it)."""
    kept_statements = []
    for statement in statements:
        parsed = parse_create_table(statement)
        current = existing_table(spark, parsed[0]) if parsed else None
        if parsed is None or current is None or current[1] != parsed[2]:
            kept_statements.append(statement)
            continue
        declared = {name for name, _ in parsed[1]}
        kept = [(name, kind) for name, kind in current[0] if name not in declared and name not in current[1]]
        if kept:
            print("create_tables: %s keeps column(s) %s, which job_tables.py does not declare; this release writes them NULL"
                  % (parsed[0], ", ".join(name for name, _ in kept)), flush=True)
            columns_end = CREATE_TABLE.match(statement.strip()).end(2)  # type: ignore[union-attr]
            statement = statement.strip()
            statement = statement[:columns_end] + "".join(", %s %s" % c for c in kept) + statement[columns_end:]
        kept_statements.append(statement)
    return kept_statements


def create_job_tables(spark: SparkSession, statements: Sequence[str], names: Dict[str, str], windows: Sequence[Window] = (),
                      visible_after_seconds: int = VISIBLE_AFTER_SECONDS) -> None:
    """create_tables over the streaming tables' statements (with the columns they keep) and the housekeeping derived
    from them, adopting an earlier release's ledger: what main runs, from the one set of names."""
    spark.sql("CREATE DATABASE IF NOT EXISTS %s" % names["database"])
    statements = with_kept_columns(spark, statements)
    layout = housekeeping_layout(names)
    create_tables(spark, list(statements) + housekeeping_statements(statements, names, visible_after_seconds), names["database"], windows,
                  earlier_ledger=(str(layout["earlier_ledger"]), str(layout["ledger"])))


def drop_tables(spark: SparkSession, names: Dict[str, str]) -> List[str]:
    """Drops every table and view of the job (teardown --purge): views first, then history, ledger, streaming
    tables and any first-release table kept aside. Returns what it dropped."""
    layout = housekeeping_layout(names)
    tables = layout["tables"]  # type: Dict[str, Dict[str, str]]  # type: ignore[assignment]
    dropped = []
    for kind in KINDS:
        spark.sql("DROP VIEW IF EXISTS %s" % tables[kind]["view"])
        dropped.append(tables[kind]["view"])
    earlier = str(layout["earlier_ledger"])
    if table_type(spark, earlier) == "VIEW":  # the guard adopt_earlier_ledger leaves
        spark.sql("DROP VIEW %s" % earlier)
    for name in [tables[k]["history"] for k in KINDS] + [str(layout["ledger"]), earlier] + [tables[k]["stream"] + suffix for k in KINDS for suffix in ("", LEGACY_SUFFIX)]:
        spark.sql("DROP TABLE IF EXISTS %s" % name)
        dropped.append(name)
    return dropped


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="create_tables.py")
    parser.add_argument("--config", help="the job's JSON config (local or HDFS); names default to the job's defaults")
    parser.add_argument("--sql", help="a DDL script to run instead of job_tables.py's (local or HDFS)")
    parser.add_argument("--drop", action="store_true", help="drop every table and view of the job instead (teardown --purge)")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("sensor-aggregation-create-tables").enableHiveSupport().getOrCreate()
    try:
        file_config = read_config_file(spark, args.config) if args.config else {}
        names = table_name_config(file_config)
    except ValueError as error:
        print("create_tables: invalid configuration: %s" % error, file=sys.stderr)
        return 2
    if args.drop:
        print("create_tables: dropped %s" % ", ".join(drop_tables(spark, names)), flush=True)
        return 0
    try:
        statements = render_statements(read_text(spark, args.sql) if args.sql else TABLES_SQL, names)
        create_job_tables(spark, statements, names, checkpoint_windows(spark, file_config.get("checkpoint_location")))
    except MigrationRefused as error:
        print("create_tables: %s" % error, file=sys.stderr)
        return 3
    print("create_tables: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
