"""The sensor aggregation job's streaming tables, declared once: their columns in order, with the types the job
writes (Spark's simpleString names), and the CREATE TABLE statements made from them.

job.py writes by these columns' names and checks the tables against them before its query starts;
create_tables.py creates and migrates the tables from TABLES_SQL (and derives the housekeeping tables and views
from it); the deployer ships this module beside both as a Livy `pyFiles` entry. Python 3.7 syntax.

The seed's columns come first, names and types unchanged; the job's own follow. Every table is partitioned by
(run_id, batch_id), always the last columns: run_id is the streaming query's id kept in the checkpoint, so a batch
Spark replays after a crash overwrites its own partition (exactly once), and a new checkpoint, whose batch ids
restart at 0, never touches earlier rows. A change here is applied by create_tables.py: a new column is added
(ALTER TABLE ADD COLUMNS); anything else (a dropped or retyped column, other partitioning) is refused.

Each table carries the option partitionOverwriteMode = dynamic, so an INSERT OVERWRITE replaces only the partitions
its rows name, whoever runs it: a table's option wins over the session's spark.sql.sources.partitionOverwriteMode,
and in a session left at its default (static) an INSERT OVERWRITE ... PARTITION (run_id, batch_id) first empties
the whole table. The job refuses to start on a table without it; create_tables.py adds it to older tables.
"""
from __future__ import annotations

import re
import time
from typing import Dict, List, Optional, Sequence, Tuple

from pyspark.sql import SparkSession

Columns = Tuple[Tuple[str, str], ...]

PARTITION_COLUMNS = ("run_id", "batch_id")
_PARTITIONS = (("run_id", "string"), ("batch_id", "bigint"))

TABLE_SCHEMAS = {
    "data": (("sensor", "string"), ("measure1", "double"), ("measure2", "double"), ("kafka_partition", "int"),
             ("kafka_offset", "bigint"), ("event_time", "timestamp")) + _PARTITIONS,
    "stats": (("sensor", "string"), ("measure2_avg", "double"), ("measure1_avg", "double"), ("count_sensor", "bigint"),
              ("ts", "timestamp")) + _PARTITIONS,
    # Every message the job could not use, with why, so nothing is lost.
    "rejected": (("raw_value", "string"), ("reason", "string"), ("kafka_topic", "string"), ("kafka_partition", "int"),
                 ("kafka_offset", "bigint"), ("event_time", "timestamp")) + _PARTITIONS,
}  # type: Dict[str, Columns]


# The options every table of the job carries (see above); Spark matches option names case-insensitively.
OVERWRITE_OPTIONS = {"partitionOverwriteMode": "dynamic"}


def options_clause(options: Dict[str, str]) -> str:
    return "(%s)" % ", ".join("'%s' = '%s'" % item for item in sorted(options.items()))


def create_table_statement(kind: str) -> str:
    """The table's CREATE TABLE IF NOT EXISTS, with ${database} and ${<kind>_table} for create_tables.py to fill in."""
    columns = ",\n".join("  %s %s" % column for column in TABLE_SCHEMAS[kind])
    return ("CREATE TABLE IF NOT EXISTS ${database}.${%s_table} (\n%s\n)\nUSING PARQUET\nOPTIONS %s\nPARTITIONED BY (%s)"
            % (kind, columns, options_clause(OVERWRITE_OPTIONS), ", ".join(PARTITION_COLUMNS)))


def missing_overwrite_options(spark: SparkSession, table: str) -> Dict[str, str]:
    """The OVERWRITE_OPTIONS the existing table lacks or has otherwise, from its storage properties
    (DESCRIBE TABLE EXTENDED shows them as "[key=value, ...]")."""
    rows = spark.sql("DESCRIBE TABLE EXTENDED %s" % table).collect()
    shown = [str(row[1]) for row in rows if row[0] == "Storage Properties"]
    properties = {}  # type: Dict[str, str]
    for item in shown[0].strip("[]").split(", ") if shown and shown[0].strip("[]") else []:
        key, _, value = item.partition("=")
        properties[key.strip().lower()] = value.strip()
    return {key: value for key, value in OVERWRITE_OPTIONS.items() if properties.get(key.lower(), "").lower() != value}


# A type as a CREATE TABLE may write it -> Spark's simpleString, which the catalog reports.
TYPE_ALIASES = {"long": "bigint", "integer": "int"}


def existing_table(spark: SparkSession, table: str) -> Optional[Tuple[Columns, List[str]]]:
    """The table's columns (partition columns included, in table order) and its partition columns, or None."""
    database, name = table.split(".", 1)
    if name not in [t.name for t in spark.catalog.listTables(database)]:
        return None
    columns = spark.catalog.listColumns(name, database)
    return ([(c.name, TYPE_ALIASES.get(c.dataType.lower(), c.dataType.lower())) for c in columns],
            [c.name for c in columns if c.isPartition])


def table_properties(spark: SparkSession, table: str) -> Dict[str, str]:
    return {row[0]: row[1] for row in spark.sql("SHOW TBLPROPERTIES %s" % table).collect()}


def add_overwrite_options(spark: SparkSession, table: str) -> None:
    """Gives the table OVERWRITE_OPTIONS if it lacks them (a release before them created it)."""
    missing = missing_overwrite_options(spark, table)
    if missing:
        print("create_tables: %s: setting the option %s" % (table, options_clause(missing)), flush=True)
        spark.sql("ALTER TABLE %s SET SERDEPROPERTIES %s" % (table, options_clause(missing)))


def sql_literal(value: str) -> str:
    """A partition value as a SQL string literal; a quote or backslash is refused (run ids are UUIDs, days dates)."""
    if "'" in value or "\\" in value:
        raise ValueError("partition value %r: a quote or backslash cannot be a run id or a day" % value)
    return "'%s'" % value


def partitions(spark: SparkSession, table: str) -> List[Dict[str, str]]:
    """SHOW PARTITIONS as dicts: 'run_id=r/batch_id=3' -> {'run_id': 'r', 'batch_id': '3'}."""
    rows = spark.sql("SHOW PARTITIONS %s" % table).collect()
    return [spec_of(row[0]) for row in rows]


DROP_CHUNK = 200  # partitions per ALTER TABLE ... DROP statement


def drop_partitions(spark: SparkSession, table: str, specs: Sequence[Dict[str, str]]) -> int:
    """Drops the partitions (IF EXISTS, so a re-run after an interruption is harmless); returns how many were named."""
    for start in range(0, len(specs), DROP_CHUNK):
        chunk = specs[start:start + DROP_CHUNK]
        spark.sql("ALTER TABLE %s DROP IF EXISTS %s" % (table, ", ".join(
            "PARTITION (%s)" % spec_clause(spec) for spec in chunk)))
    return len(specs)


UNREGISTERED_MARKER = "_unregistered"  # in a partition's directory: when the catalog dropped it (hidden from readers)


def unregister_partitions(spark: SparkSession, table: str, specs: Sequence[Dict[str, str]]) -> int:
    """Drops the partitions from the catalog but leaves their files, for a reader query planned before to go on
    reading them; delete_unregistered deletes them later. Each partition's directory gets a fresh UNREGISTERED_MARKER,
    then the partition is pointed at an empty directory of its own (hidden, at the table's top), which the drop
    deletes instead of the partition's files. A re-run after an interruption repeats all three, harmlessly."""
    location = table_location(spark, table)
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    for spec in specs:
        touch(spark, partition_path(location, spec) + "/" + UNREGISTERED_MARKER)
        placeholder = "%s/.unregistered.%s" % (location, ".".join("%s=%s" % item for item in spec.items()))
        path = jvm.org.apache.hadoop.fs.Path(placeholder)
        path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).mkdirs(path)  # type: ignore[attr-defined]
        spark.sql("ALTER TABLE %s PARTITION (%s) SET LOCATION %s" % (
            table, spec_clause(spec), sql_literal(placeholder)))
    return drop_partitions(spark, table, specs)


def delete_unregistered(spark: SparkSession, table: str, columns: Sequence[str], older_than_seconds: float) -> int:
    """Deletes the partition directories (<column>=<value>/..., at the catalog's default paths) the catalog does not
    have, once their UNREGISTERED_MARKER is that old; one without a marker gets one (its wait starts): a write not
    yet registered, or a partition dropped by a release before this one. Returns how many it deleted."""
    location = table_location(spark, table)
    registered = {partition_path("", spec) for spec in partitions(spark, table)}
    directories = [("", location)]  # (the path below the table's directory, the full path)
    for column in columns:
        directories = [(relative + "/" + name, path) for relative, parent in directories for name, path, is_dir in list_dir(spark, parent) or []
                       if is_dir and name.startswith(column + "=")]
    deleted = 0
    for relative, directory in directories:
        if relative in registered:
            continue
        marked = (modification_times(spark, directory) or {}).get(UNREGISTERED_MARKER)
        if marked is None:
            touch(spark, directory + "/" + UNREGISTERED_MARKER)
        elif time.time() - marked / 1000.0 >= older_than_seconds and not is_registered(spark, table, spec_of(relative)):
            # Asked again right before: a replay may have registered the partition since `registered` was read.
            delete_path(spark, directory)
            deleted += 1
    return deleted


def spec_of(relative: str) -> Dict[str, str]:
    """"run_id=r/batch_id=3" (SHOW PARTITIONS' form, or a partition's path below its table's directory, with or
    without its leading /) -> {"run_id": "r", "batch_id": "3"}."""
    return dict(part.split("=", 1) for part in relative.strip("/").split("/"))


def spec_clause(spec: Dict[str, str]) -> str:
    """{"run_id": "r", "batch_id": "3"} -> "run_id = 'r', batch_id = '3'": the inside of a PARTITION (...) clause."""
    return ", ".join("%s = %s" % (k, sql_literal(v)) for k, v in spec.items())


def partition_path(location: str, spec: Dict[str, str]) -> str:
    """The catalog's default directory of a partition (the job's run ids, days and compaction ids need no escaping)."""
    return "/".join([location] + ["%s=%s" % item for item in spec.items()])


def touch(spark: SparkSession, path: str) -> None:
    """Creates an empty file, or empties it: its modification time is now."""
    jvm_path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[attr-defined]
    jvm_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).create(jvm_path, True).close()  # type: ignore[attr-defined]


def table_location(spark: SparkSession, table: str) -> str:
    """The table's directory as the catalog has it (DESCRIBE TABLE EXTENDED's Location)."""
    rows = spark.sql("DESCRIBE TABLE EXTENDED %s" % table).collect()
    [location] = [str(row[1]) for row in rows if row[0] == "Location"]
    return location.rstrip("/")


def run_partition_path(location: str, run_id: str, batch_id: int) -> str:
    """The directory of a (run_id, batch_id) partition: the catalog's default path for it (run ids need no
    escaping). Not the partition's location: each write of the batch puts its files in a directory of its own
    inside it (run_attempt_path), which the catalog points the partition at."""
    return partition_path(location, {"run_id": run_id, "batch_id": str(batch_id)})


def run_attempt_path(location: str, run_id: str, batch_id: int, token: str) -> str:
    """Where one write of a (run_id, batch_id) partition keeps its files, and the location the catalog gives the
    partition: never reused, so a replay never deletes files that a reader query listed before it (ATTEMPT_PREFIX)."""
    return "%s/%s%s" % (run_partition_path(location, run_id, batch_id), ATTEMPT_PREFIX, token)


ATTEMPT_PREFIX = "attempt-"  # not hidden (a partition's location is read like any directory), never a partition (no =)


def run_staging_path(location: str, run_id: str, batch_id: int, token: str) -> str:
    """Where one write of a (run_id, batch_id) partition stages its files before they are put in place: beside the
    partition's directory, hidden from readers by its leading dot, its own for the token (BATCH_DIRECTORY names both)."""
    return "%s/run_id=%s/.batch_id=%d.%s" % (location, run_id, batch_id, token)


def batch_directories(spark: SparkSession, location: str, run_id: str) -> List[Tuple[int, str]]:
    """(batch id, path) of every directory a run's writes left in the table's directory, registered or not: each
    batch_id=N and each staging .batch_id=N.<uuid> a write killed before its rename left behind."""
    found = []
    for name, path, is_dir in list_dir(spark, "%s/run_id=%s" % (location, run_id)) or []:
        match = BATCH_DIRECTORY.match(name)
        if is_dir and match:
            found.append((int(match.group(1)), path))
    return sorted(found)


BATCH_DIRECTORY = re.compile(r"^\.?batch_id=(\d+)(?:\.[0-9a-f]+)?$")


def list_dir(spark: SparkSession, path: str) -> Optional[List[Tuple[str, str, bool]]]:
    """(name, full path, is a directory) of each entry of a directory, local or HDFS; None when there is none."""
    statuses = _entries(spark, path)
    if statuses is None:
        return None
    return [(str(status.getPath().getName()), str(status.getPath().toString()), bool(status.isDirectory())) for status in statuses]


def modification_times(spark: SparkSession, path: str) -> Optional[Dict[str, int]]:
    """Each entry of a directory by name, with its modification time (ms since the epoch, the file system's clock:
    the NameNode's on HDFS); None when there is no such directory."""
    statuses = _entries(spark, path)
    if statuses is None:
        return None
    return {str(status.getPath().getName()): int(status.getModificationTime()) for status in statuses}


def _entries(spark: SparkSession, path: str):  # type: ignore[no-untyped-def]
    """The Hadoop FileStatus of each entry of a directory; None when there is none."""
    jvm_path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[attr-defined]
    fs = jvm_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
    if not fs.exists(jvm_path):
        return None
    return fs.listStatus(jvm_path)


def read_file_text(spark: SparkSession, path: str) -> Optional[str]:
    """A small UTF-8 file's text through the Hadoop file system (which, unlike Spark's readers, also opens a file
    whose name starts with _ or .); None when there is none."""
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    jvm_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = jvm_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
    if not fs.exists(jvm_path):
        return None
    stream = fs.open(jvm_path)
    try:
        return str(jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


def write_file_text(spark: SparkSession, path: str, text: str) -> None:
    """Writes a small UTF-8 file whole or not at all: to <path>.tmp, then renamed over the path."""
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    final = jvm.org.apache.hadoop.fs.Path(path)
    staged = jvm.org.apache.hadoop.fs.Path(path + ".tmp")
    fs = final.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
    out = fs.create(staged, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()
    fs.delete(final, False)
    if not fs.rename(staged, final):
        raise IOError("could not move %s into place as %s" % (path + ".tmp", path))


def path_exists(spark: SparkSession, path: str) -> bool:
    jvm_path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[attr-defined]
    return bool(jvm_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(jvm_path))  # type: ignore[attr-defined]


def move_into_place(spark: SparkSession, staged: str, final: str) -> bool:
    """Renames the directory `staged` to `final` (a path never used before) in the partition's directory, its
    parent, created if missing; returns whether that directory was there already (an earlier write of the
    partition may then be registered). An UNREGISTERED_MARKER an earlier unregistering left there is deleted
    first: the directory is about to hold a registered partition again, and delete_unregistered must not take
    an old mark for this one's (it deletes a marked directory once the mark is old enough)."""
    source = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(staged)  # type: ignore[attr-defined]
    target = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(final)  # type: ignore[attr-defined]
    fs = target.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
    earlier = bool(fs.exists(target.getParent()))
    if earlier:
        fs.delete(spark.sparkContext._jvm.org.apache.hadoop.fs.Path(target.getParent(), UNREGISTERED_MARKER), False)  # type: ignore[attr-defined]
    else:
        fs.mkdirs(target.getParent())
    if not fs.rename(source, target):
        raise IOError("could not move %s into place as %s" % (staged, final))
    return earlier


def is_registered(spark: SparkSession, table: str, spec: Dict[str, str]) -> bool:
    """Whether the catalog has this exact partition (SHOW PARTITIONS of one spec: no listing of the others)."""
    return bool(spark.sql("SHOW PARTITIONS %s PARTITION (%s)" % (
        table, spec_clause(spec))).collect())


def delete_path(spark: SparkSession, path: str) -> bool:
    """Deletes a directory and what it holds; False when there was none."""
    jvm_path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[attr-defined]
    return bool(jvm_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(jvm_path, True))  # type: ignore[attr-defined]


# The DDL script create_tables.py runs (its --sql default): one statement per table.
TABLES_SQL = "".join(create_table_statement(kind) + ";\n\n" for kind in TABLE_SCHEMAS)
