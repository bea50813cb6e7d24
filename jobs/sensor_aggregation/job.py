"""Sensor aggregation: a Spark Structured Streaming job from a Kafka topic (Event Hubs) to three tables and a topic.

    spark-submit --jars <connector jars> --py-files batch_lines.py,checkpoint_lease.py,checkpoint_runs.py,job_config.py,job_tables.py,reading_checks.py job.py --config <job.json> [--key value ...]

Every micro-batch (foreachBatch):
  * readings are parsed with an explicit schema; valid ones go to the data table,
    every malformed one (unparseable JSON, missing sensor, missing / non-numeric /
    non-finite measure) goes to the rejected table with its raw value, Kafka
    partition and offset and a reason, so nothing is lost;
  * per-sensor stats go to the stats table and, as JSON keyed by sensor and carrying
    the batch id, to the output topic.

Exactly-once into the tables, bound to the streaming run: all three are partitioned by (run_id, batch_id),
where run_id is the query id that Structured Streaming keeps in the checkpoint's metadata (stable across
restarts on one checkpoint, new with a new checkpoint). A batch only overwrites its own (run_id, batch_id)
partition (written to a directory of that write alone, then registered: write_run_partition), so when Spark
re-runs a batch after a crash (same run, same batch_id, same offsets) it replaces its own partition instead of
appending twice (the first batch of a driver, the only one that can be a replay, first takes its partition out of
all three tables, so a table the replay does not write again keeps nothing of the dead attempt; the dead attempt's
files stay for the reader queries that listed them, until maintenance), and a fresh
checkpoint, whose batch ids start again at 0, never touches an earlier run's rows. Writes go by column
name, and the tables' schemas are checked against what the job writes before the query starts.
The Kafka output is at-least-once; consumers drop replays by (run_id, batch_id, sensor).

Runs on PySpark 2.4 (BDC CU9-CU12) and 3.x (CU13+): only APIs present in both, Python 3.7 syntax.
Event Hubs rules are least-privilege, one per event hub, so there are two JAAS lines: the source's
(listen on input_topic) from the file named by jaas_config_path, the sink's (send on output_topic) from
output_jaas_config_path (local or HDFS). They are never read from an argument and never logged.
"""
from __future__ import annotations

import re
import sys
import threading
import uuid
from datetime import datetime
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from job_config import DEFAULTS, JAAS_KEYS, ConfigError, load_config, producer_max_request_bytes, read_text, table_names
import batch_lines
import checkpoint_lease
import checkpoint_runs
import reading_checks
from job_tables import (PARTITION_COLUMNS, TABLE_SCHEMAS, batch_directories, delete_path, is_registered,
                        missing_overwrite_options, move_into_place, options_clause, run_attempt_path, run_staging_path,
                        table_location, unregister_partitions)

# ---------------------------------------------------------------- configuration (job_config.py) and Kafka options

# Microsoft's recommended Kafka client settings for Event Hubs.
EVENT_HUBS_CLIENT_SETTINGS = {
    "request.timeout.ms": "60000",
    "metadata.max.age.ms": "180000",
    "connections.max.idle.ms": "180000",
}
EVENT_HUBS_CONSUMER_SETTINGS = {"session.timeout.ms": "30000"}


def kafka_options(config: Dict[str, object], jaas_config: Optional[str], consumer: bool) -> Dict[str, str]:
    """Options shared by the Kafka source (consumer=True, the listen JAAS line) and the sink (the send JAAS line).
    Never sets kafka.group.id: Spark 2.4 refuses it."""
    options = {
        "kafka.bootstrap.servers": str(config["bootstrap_servers"]),
        "kafka.security.protocol": str(config["security_protocol"]),
    }
    if config["security_protocol"] == "SASL_SSL":
        if not jaas_config:
            key = "jaas_config_path" if consumer else "output_jaas_config_path"
            raise ConfigError("%s: the file is empty; it must hold the JAAS line with %s" % (key, JAAS_KEYS[key]))
        options["kafka.sasl.mechanism"] = "PLAIN"
        options["kafka.sasl.jaas.config"] = jaas_config
        settings = dict(EVENT_HUBS_CLIENT_SETTINGS)
        if consumer:
            settings.update(EVENT_HUBS_CONSUMER_SETTINGS)
        options.update({"kafka." + k: v for k, v in settings.items()})
    return options


def source_options(config: Dict[str, object], jaas_config: Optional[str]) -> Dict[str, str]:
    """jaas_config: the content of jaas_config_path (listen on input_topic)."""
    options = kafka_options(config, jaas_config, consumer=True)
    options.update({
        "subscribe": str(config["input_topic"]),
        "startingOffsets": str(config["starting_offsets"]),
        "failOnDataLoss": "true" if config["fail_on_data_loss"] else "false",
    })
    if config.get("max_offsets_per_trigger"):
        options["maxOffsetsPerTrigger"] = str(config["max_offsets_per_trigger"])
    return options


def sink_options(config: Dict[str, object], output_jaas_config: Optional[str]) -> Dict[str, str]:
    """output_jaas_config: the content of output_jaas_config_path (send on output_topic)."""
    options = kafka_options(config, output_jaas_config, consumer=False)
    options["topic"] = str(config["output_topic"])
    # The producer's own limit, 1 MiB by default, is above Event Hubs' (max_message_bytes, 1,046,528 by default):
    # a request between the two would be refused by the broker instead of split by the producer. The producer
    # bounds records, not the request around them, so it stays the request's framing under the limit.
    options["kafka.max.request.size"] = str(producer_max_request_bytes(int(config["max_message_bytes"])))  # type: ignore[arg-type]
    return options


# ---------------------------------------------------------------- per-batch logic (pure DataFrame functions)

CORRUPT = "_corrupt_record"
# The explicit schema of a reading, plus the column where Spark 3 puts a record it cannot parse.
READING_SCHEMA = StructType([
    StructField("sensor", StringType(), True),
    StructField("measure1", DoubleType(), True),
    StructField("measure2", DoubleType(), True),
    StructField(CORRUPT, StringType(), True),
])
# Every field as text: parses any JSON object, so it tells *why* a rejected reading failed.
TEXT_SCHEMA = StructType([StructField(f.name, StringType(), True) for f in READING_SCHEMA.fields])
# Single-quoted keys and strings are not JSON: allowed, they would slip past the key checks (reading_checks.py),
# which match "key" only, and a number or a duplicate key would reach the tables changed.
JSON_OPTIONS = {"columnNameOfCorruptRecord": CORRUPT, "allowSingleQuotes": "false"}
MEASURES = ("measure1", "measure2")

DATA_COLUMNS = tuple(name for name, _ in TABLE_SCHEMAS["data"])
REJECTED_COLUMNS = tuple(name for name, _ in TABLE_SCHEMAS["rejected"])
STATS_COLUMNS = tuple(name for name, _ in TABLE_SCHEMAS["stats"])
# A run id goes into SQL as a partition value: only the characters of a UUID (or a test's plain name).
RUN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# How Spark's Kafka source says that offsets the checkpoint expects are gone (retention, a recreated topic).
DATA_LOSS = re.compile(r"(some data may have been (lost|missed)|offset was changed from \d+ to \d+|failOnDataLoss)", re.I)


def data_loss_cause(error_text: str) -> Optional[str]:
    """The operator's message when the query stopped because Kafka data it expected is gone, else None."""
    if not DATA_LOSS.search(error_text):
        return None
    detail = next((line.strip() for line in error_text.splitlines() if DATA_LOSS.search(line)), "")
    return ("data loss at the source: Kafka no longer has offsets the checkpoint expects (retention expired, or the "
            "topic was deleted and recreated), and fail_on_data_loss is true. Spark: %s. To go on, start a new run "
            "(the deployer's new-run --starting-offsets committed; see 'Data loss at the source' in the job README)" % detail[:300])


class SchemaMismatch(RuntimeError):
    """A table's schema differs from what the job writes; the message names each table, column and both types."""


def _finite(value: Column) -> Column:
    return value.isNotNull() & ~F.isnan(value) & (F.abs(value) != float("inf"))


def _rejection_reason(raw: Column, text: Column, defect: Column) -> Column:
    """Why a reading failed: a defect that makes its text untrustworthy first (empty, too large, not UTF-8), then an
    unparseable text, then what its all-text parse tells of each field (the typed parse cannot tell a missing
    measure from a non-numeric one), then the structural defect the parse found (reading_checks.py: more than one
    value, a repeated key, a sensor that is not a string, ...); only ever evaluated for rejected rows."""
    reason = F.when(raw.isNull(), F.lit(reading_checks.EMPTY))
    reason = reason.when(defect.isin(*reading_checks.BEFORE_PARSE), defect)
    reason = reason.when(text.isNull() | text[CORRUPT].isNotNull(), F.lit("unparseable JSON"))
    reason = reason.when(text["sensor"].isNull() | (F.trim(text["sensor"]) == ""), F.lit("missing sensor"))
    for m in MEASURES:
        # A NaN / out-of-range number comes back from the text parse quoted ("NaN", "Infinity"): unquote first.
        # Only a text short enough to be a number: `.*` on a long one would recurse per character on Java 8.
        short = F.length(text[m]) <= reading_checks.MAX_NUMBER_CHARS + 2
        number = F.when(short, F.regexp_replace(text[m], '^"(.*)"$', "$1")).otherwise(text[m]).cast(DoubleType())
        reason = reason.when(text[m].isNull(), F.lit("missing " + m))
        reason = reason.when(number.isNull(), F.lit("non-numeric " + m))
        reason = reason.when(~_finite(number), F.lit("non-finite " + m))
    reason = reason.when(defect.isNotNull(), defect)
    # Numeric text that Spark's typed parse still refused: a number sent as a JSON string.
    return reason.otherwise(F.lit("non-numeric measure (JSON string)"))


def parse_readings(kafka_df: DataFrame, max_message_bytes: int = DEFAULTS["max_message_bytes"],  # type: ignore[assignment]
                   max_sensor_length: int = DEFAULTS["max_sensor_length"]) -> DataFrame:  # type: ignore[assignment]
    """Kafka rows -> one row per message with the parsed reading, a validity flag and, if invalid, the raw value
    (base64 when its bytes are not UTF-8), the topic and the structural defect (the reason is worked out by
    rejected_rows, only for the rejected rows). A message is valid only when it is exactly one reading: see
    reading_checks.py for what Spark's own parse would let through changed."""
    parsed = kafka_df
    for columns in _parse_steps(max_message_bytes, max_sensor_length):
        parsed = parsed.select(*columns)
    return parsed


# The column expressions of parse_readings' steps, by (limits, JVM): built once, not per batch. They are
# unresolved (names, not a DataFrame's columns), so one set serves every batch; building the few hundred
# expression nodes through py4j cost about 0.1 s a batch.
_PARSE_STEPS = {}  # type: Dict[Tuple[int, int, int], Tuple[List[Column], ...]]


def _parse_steps(max_message_bytes: int, max_sensor_length: int) -> Tuple[List[Column], ...]:
    from pyspark import SparkContext

    key = (max_message_bytes, max_sensor_length, id(SparkContext._jvm))  # pylint: disable=protected-access
    if key not in _PARSE_STEPS:
        _PARSE_STEPS[key] = _build_parse_steps(max_message_bytes, max_sensor_length)
    return _PARSE_STEPS[key]


def _build_parse_steps(max_message_bytes: int, max_sensor_length: int) -> Tuple[List[Column], ...]:
    value = F.col("value")
    columns = [
        ("value", value),
        ("text", reading_checks.utf8_text(value)),
        ("kafka_topic", F.col("topic")),
        ("kafka_partition", F.col("partition")),
        ("kafka_offset", F.col("offset")),
        ("event_time", F.col("timestamp")),
    ]
    decoded = [expression.alias(name) for name, expression in columns]
    kept = [F.col(name) for name, _ in columns]  # carried through the next steps
    # The usual reading's shape settles two checks at once (reading_checks.lone_object).
    shaped = kept + [reading_checks.lone_object(F.col("text")).alias("lone_object")]
    kept.append(F.col("lone_object"))
    # What every JSON parse of the message is guarded by (reading_checks.py): bounded nesting and number lengths.
    guards = kept + [reading_checks.within_nesting(F.col("text"), F.col("lone_object")).alias("nesting_ok"),
                     reading_checks.numbers_bounded(F.col("text")).alias("numbers_ok")]
    parsed = kept + [F.col("nesting_ok"), F.col("numbers_ok"),
                     F.when(F.col("nesting_ok") & F.col("numbers_ok"), F.from_json("text", READING_SCHEMA, JSON_OPTIONS)).alias("r")]
    r = F.col("r")
    parsed_ok = r.isNotNull() & r[CORRUPT].isNull()
    typed = parsed_ok & r["sensor"].isNotNull() & (F.trim(r["sensor"]) != "")
    for m in MEASURES:
        typed = typed & _finite(r[m])
    defect = reading_checks.structural_defect(value, "text", max_message_bytes, max_sensor_length, r["sensor"],
                                              F.col("nesting_ok"), F.col("numbers_ok"), parsed_ok, F.col("lone_object"))
    flagged = kept + [r["sensor"].alias("sensor"), r["measure1"].alias("measure1"), r["measure2"].alias("measure2"),
                      defect.alias("defect"), typed.alias("typed_ok")]
    valid = F.col("defect").isNull() & F.col("typed_ok")
    rejected = ~valid
    # The raw value, topic and defect are kept only for rejected rows: the batch is cached for its several writes,
    # and valid rows do not need them. Nothing else per row here: this is the hot path every reading goes through.
    result = [
        F.when(rejected, reading_checks.stored_value(F.col("value"), F.col("text"))).alias("raw_value"),
        F.when(rejected, F.col("kafka_topic")).alias("kafka_topic"),
        F.col("kafka_partition"), F.col("kafka_offset"), F.col("event_time"),
        F.col("sensor"), F.col("measure1"), F.col("measure2"),
        F.when(rejected, F.col("defect")).alias("defect"),
        valid.alias("is_valid"),
    ]
    return decoded, shaped, guards, parsed, flagged, result


def _with_key(df: DataFrame, run_id: str, batch_id: int) -> DataFrame:
    return df.withColumn("run_id", F.lit(run_id).cast("string")).withColumn("batch_id", F.lit(batch_id).cast("long"))


def valid_rows(parsed: DataFrame, run_id: str, batch_id: int) -> DataFrame:
    return _with_key(parsed.filter("is_valid"), run_id, batch_id).select(*DATA_COLUMNS)


def rejection_counts(parsed: DataFrame, run_id: str, batch_id: int) -> Dict[str, int]:
    """How many rows of the batch were rejected for each reason."""
    rows = rejected_rows(parsed, run_id, batch_id).groupBy("reason").count().collect()
    return {row["reason"]: row["count"] for row in rows}


def rejected_rows(parsed: DataFrame, run_id: str, batch_id: int) -> DataFrame:
    """The rejected rows with their reason, from a second, all-text parse of just these rows."""
    # Not parsed again where the text cannot be trusted to parse safely (too nested, not UTF-8, ...).
    trusted = F.col("defect").isNull() | ~F.col("defect").isin(*reading_checks.BEFORE_PARSE)
    rejected = parsed.filter("NOT is_valid").withColumn(
        "text", F.when(trusted, F.from_json("raw_value", TEXT_SCHEMA, JSON_OPTIONS)))
    return _with_key(rejected.withColumn("reason", _rejection_reason(F.col("raw_value"), F.col("text"), F.col("defect"))),
                     run_id, batch_id).select(*REJECTED_COLUMNS)


# A power of two scales exactly: the mean of values scaled down by it cannot overflow (the sum of two finite
# readings near the double's maximum can), and scaled back it is the mean to double precision.
_MEAN_SCALE = 2.0 ** 1000


def finite_mean(values: Column) -> Column:
    """avg(values), finite whenever the values are: the plain mean, or, when its sum overflowed, the mean of the
    scaled values scaled back; NULL (never Infinity, which JSON cannot carry) if even that is not finite."""
    plain = F.avg(values)
    scaled = F.avg(values / _MEAN_SCALE) * _MEAN_SCALE
    return F.when(_finite(plain), plain).when(_finite(scaled), scaled)


def batch_aggregates(parsed: DataFrame) -> DataFrame:
    """One row per sensor of the valid readings (averages, count), plus one row with a null sensor counting the
    rejected rows (a valid reading always has a sensor): a single pass gives both the stats and whether any row
    was rejected, so a batch without rejected rows costs no pass for the rejected table."""
    return parsed.groupBy(F.when(F.col("is_valid"), F.col("sensor")).alias("sensor")).agg(
        finite_mean(F.col("measure2")).alias("measure2_avg"),
        finite_mean(F.col("measure1")).alias("measure1_avg"),
        F.count(F.lit(1)).alias("count_sensor"),
    )


def sensor_stats(aggregates: DataFrame, run_id: str, batch_id: int, ts: datetime) -> DataFrame:
    """Per-sensor averages and counts, with the batch's timestamp (one value per batch, so table and topic agree)."""
    with_ts = aggregates.filter(F.col("sensor").isNotNull()).withColumn("ts", F.lit(ts).cast("timestamp"))
    return _with_key(with_ts, run_id, batch_id).select(*STATS_COLUMNS)


def stats_messages(stats: DataFrame) -> DataFrame:
    """Kafka records: key = sensor, value = the stats row as JSON (with run_id and batch_id, so consumers drop
    replays by (run_id, batch_id, sensor))."""
    return stats.select(F.col("sensor").alias("key"), F.to_json(F.struct(*STATS_COLUMNS)).alias("value"))


def is_empty_without_job(df: DataFrame) -> bool:
    """True when the batch has no input partitions: known from the plan, so no Spark job runs.
    (df.count(), df.rdd.isEmpty() or df.take(1) would each start one.)"""
    return df.rdd.getNumPartitions() == 0


def session_of(df: DataFrame) -> SparkSession:
    """The session df belongs to. In foreachBatch that is the streaming query's own clone of the session, where
    df's temp views are registered; before PySpark 3.3 the Python side has no handle on it (df.sql_ctx is the
    original session, which cannot see them: every batch failed on Spark 3.1 and 2.4), so it is wrapped from df's
    JVM session, as Databricks documents for its runtimes before 10.5."""
    session = getattr(df, "sparkSession", None)  # PySpark >= 3.3
    if session is not None:
        return session
    return SparkSession(df.sql_ctx._sc, df._jdf.sparkSession())  # pylint: disable=protected-access


# Each table's non-partition columns in the table's own order with their types, and its directory, read from the
# catalog once per start (check_schemas clears them).
_TABLE_COLUMNS = {}  # type: Dict[str, List[Tuple[str, str]]]
_TABLE_LOCATIONS = {}  # type: Dict[str, str]


def table_columns(session: SparkSession, table: str) -> List[Tuple[str, str]]:
    if table not in _TABLE_COLUMNS:
        _TABLE_COLUMNS[table] = [(f.name, f.dataType.simpleString()) for f in session.table(table).schema.fields
                                 if f.name not in PARTITION_COLUMNS]
    return _TABLE_COLUMNS[table]


def cached_location(session: SparkSession, table: str) -> str:
    if table not in _TABLE_LOCATIONS:
        _TABLE_LOCATIONS[table] = table_location(session, table)
    return _TABLE_LOCATIONS[table]


def release_select(table_cols: Sequence[Tuple[str, str]], written: Sequence[str]) -> List[str]:
    """The columns of a write, in the table's order, each cast to the table's type (a path write does not cast, and a
    file whose column type differs from the table's fails its readers): those this release writes, by name, and NULL
    for a column a newer release's migration added (expand/contract: every added column is nullable), so the
    previous release keeps writing after that migration (the rollback). A column this release has and the table
    lacks is not written (the start check refuses such a table first)."""
    known = set(written)
    return ["CAST(%s AS %s) AS `%s`" % ("`%s`" % name if name in known else "NULL", kind, name) for name, kind in table_cols]


def check_run_id(run_id: str) -> None:
    """A run id goes into SQL text as a partition value: only the characters a query id has."""
    if not RUN_ID.match(run_id):
        raise ValueError("run id %r: allowed: letters, digits, '.', '_' and '-'" % run_id)


def sql_text(value: str) -> str:
    """A value that goes between single quotes in SQL text (a table's directory): a quote or backslash is refused."""
    if "'" in value or "\\" in value:
        raise ValueError("%r: a quote or backslash cannot go into the SQL text of a partition's location" % value)
    return value


def write_run_partition(df: DataFrame, table: str, run_id: str, batch_id: int,
                        before_replace: Optional[Callable[[], None]] = None) -> None:
    """Writes df (one (run_id, batch_id)) as exactly that partition of the table, by column name, at a cost that does
    not grow with the partitions the table holds:
      1. its files are written to a directory of this write alone, <table>/run_id=R/.batch_id=N.<uuid> (hidden from
         readers by its leading dot), so no other attempt of the batch, a dead one or a stalled one, shares its staging;
      2. before_replace (the lease's heartbeat) proves this driver still holds the checkpoint;
      3. that directory is renamed to <table>/run_id=R/batch_id=N/attempt-<uuid>, a path no other write uses;
      4. ALTER TABLE ADD IF NOT EXISTS PARTITION ... LOCATION registers it (and, when the partition's directory was
         there already, so that an earlier write of the batch may be registered, SET LOCATION points the partition
         at this one): readers see the batch from then on.
    An earlier attempt's files stay where they are, unread by any query planned after step 4, for a query planned
    before it to go on reading; maintenance deletes them with the partition's directory once it is compacted.
    A replay reaches step 4 with its partition unregistered (clear_batch), so ADD registers it; SET LOCATION is
    for a write of a batch whose earlier write this driver did not clear.
    An INSERT OVERWRITE of a dynamic partition would instead list every partition of the table from the metastore
    first (InsertIntoHadoopFsRelationCommand's matching partitions): one per micro-batch, 16-22 s a batch at 10,000
    on Derby. A static INSERT OVERWRITE ... PARTITION (run_id = R, batch_id = N) stages every write of the table in
    one shared <table>/_temporary/0, whose job commit moves in what a killed driver left there (its rows twice)."""
    check_run_id(run_id)
    session = session_of(df)
    written = [c for c in df.columns if c not in PARTITION_COLUMNS]
    location = cached_location(session, table)
    token = uuid.uuid4().hex
    final = sql_text(run_attempt_path(location, run_id, batch_id, token))  # refused before anything is written
    staged = run_staging_path(location, run_id, batch_id, token)
    (df.selectExpr(*release_select(table_columns(session, table), written)).write
     .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")  # no _SUCCESS file per partition
     .parquet(staged))
    if before_replace is not None:
        before_replace()
    earlier = move_into_place(session, staged, final)
    spec = "run_id = '%s', batch_id = %d" % (run_id, batch_id)
    session.sql("ALTER TABLE %s ADD IF NOT EXISTS PARTITION (%s) LOCATION '%s'" % (table, spec, final))
    if earlier:
        session.sql("ALTER TABLE %s PARTITION (%s) SET LOCATION '%s'" % (table, spec, final))


def schema_problems(session: SparkSession, tables: Dict[str, str]) -> List[str]:
    """What this release cannot write into each table: a column it writes missing or of another type, other
    partitioning, a missing overwrite option. Columns it does not know (a newer release's migration added them;
    file-source tables' columns are always nullable) are fine: it writes them NULL."""
    problems = []  # type: List[str]
    for kind, table in sorted(tables.items()):
        database, name = table.split(".", 1)
        try:
            columns = session.catalog.listColumns(name, database)
        except Exception:  # noqa: BLE001 - AnalysisException differs between Spark versions
            problems.append("table %s: does not exist (run create_tables.py)" % table)
            continue
        actual = {c.name: c.dataType for c in columns}
        for column, wanted in TABLE_SCHEMAS[kind]:
            if column not in actual:
                problems.append("table %s: column %s is missing (the job writes %s)" % (table, column, wanted))
            elif _simple_type(actual[column]) != wanted:
                problems.append("table %s: column %s is %s, the job writes %s" % (table, column, actual[column], wanted))
        partitions = tuple(c.name for c in columns if c.isPartition)
        if partitions != PARTITION_COLUMNS:
            problems.append("table %s: partitioned by (%s), the job writes partitions (%s)"
                            % (table, ", ".join(partitions), ", ".join(PARTITION_COLUMNS)))
        missing = missing_overwrite_options(session, table)
        if missing:
            problems.append("table %s: lacks the option %s, without which an overwrite of one batch can empty the "
                            "whole table (run create_tables.py, which adds it)" % (table, options_clause(missing)))
    return problems


def _simple_type(catalog_type: str) -> str:
    """The catalog's type name as Spark's simpleString (long and integer are bigint and int there)."""
    return {"long": "bigint", "integer": "int"}.get(catalog_type.lower(), catalog_type.lower())


def check_schemas(session: SparkSession, tables: Dict[str, str]) -> None:
    _TABLE_COLUMNS.clear()
    _TABLE_LOCATIONS.clear()
    problems = schema_problems(session, tables)
    if problems:
        raise SchemaMismatch("the tables do not match what the job writes: " + "; ".join(problems))


def clear_batch(session: SparkSession, tables: Dict[str, str], run_id: str, batch_id: int) -> None:
    """Takes the batch's (run_id, batch_id) partition out of every table, for a batch that may be a replay: a dead
    attempt may have written a table this attempt does not write again (no rejected rows this time, every reading
    rejected, an empty batch after failOnDataLoss=false skipped its offsets, a deploy that changed the parsing). The
    partition leaves the catalog but its files stay (unregister_partitions), for a reader query that listed them
    before to go on reading; maintenance deletes them later. A killed write's hidden staging directories, which no
    reader lists, are deleted now. The batch is not committed yet, so readers lose nothing they could count on; a
    crash here leaves the same replay to do it again."""
    check_run_id(run_id)
    spec = {"run_id": run_id, "batch_id": str(batch_id)}
    for table in (tables[kind] for kind in sorted(tables)):
        if is_registered(session, table, spec):
            unregister_partitions(session, table, [spec])
        for _, path in batch_directories(session, cached_location(session, table), run_id):
            if path.rstrip("/").rsplit("/", 1)[-1].startswith(".batch_id=%d." % batch_id):
                delete_path(session, path)


def process_batch(
    kafka_df: DataFrame,
    batch_id: int,
    tables: Dict[str, str],
    kafka_sink: Optional[Dict[str, str]],
    now: Callable[[], datetime] = datetime.now,
    *,
    run_id: str,
    max_sensors: int = DEFAULTS["max_sensors_per_batch"],  # type: ignore[assignment]
    max_message_bytes: int = DEFAULTS["max_message_bytes"],  # type: ignore[assignment]
    max_sensor_length: int = DEFAULTS["max_sensor_length"],  # type: ignore[assignment]
    report: Optional[Callable[[Dict[str, object]], None]] = None,
    prove_lease: Optional[Callable[[], None]] = None,
    replay: bool = False,
) -> bool:
    """The foreachBatch body. Returns False for an empty batch (nothing done, no Spark job started).
    run_id: the streaming run (the query id kept in the checkpoint); with batch_id, the exactly-once key.
    report: given the batch's counts once it is written, {"readings", "rejected", "reasons": {reason: n}}; the
    reasons cost one small job over the rejected rows, and only in a batch that has some.
    prove_lease: the checkpoint lease's heartbeat (it raises if lost), called right before each step that changes what
    readers see: the replay's clear, each partition put in place, the stats sent to Kafka.
    replay: the batch may have run before (the first batch of a driver): clear_batch first, so what a dead attempt
    wrote and this one does not write again goes."""
    if replay:
        if prove_lease is not None:
            prove_lease()
        clear_batch(session_of(kafka_df), tables, run_id, batch_id)
    if is_empty_without_job(kafka_df):
        return False
    parsed = parse_readings(kafka_df, max_message_bytes, max_sensor_length).persist(StorageLevel.MEMORY_AND_DISK)
    cached = [parsed]
    try:
        # Job 1 reads Kafka once, parses, fills both caches and computes the stats and the rejected count: one row
        # per sensor, plus one for the rejected rows. The aggregates stay cached on the executors, so the counts,
        # the stats table and the topic all read the same values (a sum's order may differ between passes) without
        # computing them again, and without sending rows back from the driver (a DataFrame made from the collected
        # rows costs a Python worker per batch). At most max_sensors + 2 rows come to the driver: one sensor over
        # the limit tells it is over.
        # coalesce(1): one reduce task on a Spark without adaptive execution (2.4, 3.1).
        aggregates = batch_aggregates(parsed).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(aggregates)
        collected = aggregates.coalesce(1).limit(max_sensors + 2).collect()
        sensors = sum(1 for row in collected if row["sensor"] is not None)
        few = sensors <= max_sensors
        if few:
            readings = sum(row["count_sensor"] for row in collected if row["sensor"] is not None)
            rejected_count = sum(row["count_sensor"] for row in collected if row["sensor"] is None)
        else:
            # More sensors than the driver is sized for: the counts come from one more pass over the cached
            # aggregates, so the batch goes through rather than failing on every attempt.
            print("batch %d: more than %d sensors (max_sensors_per_batch); its stats are counted on the executors"
                  % (batch_id, max_sensors), flush=True)
            counts = aggregates.groupBy(F.col("sensor").isNull().alias("rejected")).agg(
                F.count(F.lit(1)).alias("sensors"), F.sum("count_sensor").alias("rows")).collect()
            sensors = sum(row["sensors"] for row in counts if not row["rejected"])
            readings = sum(row["rows"] for row in counts if not row["rejected"])
            rejected_count = sum(row["rows"] for row in counts if row["rejected"])
        # The table writes, side by side: each is a Spark job, a rename and a metastore call, mostly waiting; a
        # failure of any fails the batch once all have ended, and its replay clears what the others wrote.
        writes = []  # type: List[Callable[[], None]]
        if readings:
            # The data partition, from the cache; a batch whose every reading was rejected has none.
            writes.append(lambda: write_run_partition(valid_rows(parsed, run_id, batch_id), tables["data"], run_id,
                                                      batch_id, prove_lease))
        if rejected_count:
            # Few rows: one file per batch partition. repartition(1), not coalesce(1): coalesce would also scan
            # the whole cached batch in a single task.
            writes.append(lambda: write_run_partition(rejected_rows(parsed, run_id, batch_id).repartition(1),
                                                      tables["rejected"], run_id, batch_id, prove_lease))
        stats = None
        if sensors > 0:  # none when every reading was rejected: no stats, no message
            stats = sensor_stats(aggregates, run_id, batch_id, now())
            if few:
                stats = stats.coalesce(1)  # a few rows: one file
            writes.append(lambda: write_run_partition(stats, tables["stats"], run_id, batch_id, prove_lease))
        side_by_side(writes)
        reasons = rejection_counts(parsed, run_id, batch_id) if report is not None and rejected_count else {}
        if report is not None:
            report({"readings": readings, "rejected": rejected_count, "reasons": reasons})
        if stats is None:
            return True
        if kafka_sink is not None:
            if prove_lease is not None:
                prove_lease()
            sink = stats_messages(stats).write.format("kafka")
            for key, value in kafka_sink.items():
                sink = sink.option(key, value)
            sink.save()
    finally:
        for df in cached:
            df.unpersist()
    return True


def side_by_side(steps: Sequence[Callable[[], None]]) -> None:
    """Runs the steps at once, one thread each (Spark schedules jobs from several threads), and returns when all
    have ended; raises the first step's failure, a lost lease before any other. Where PySpark pins Python threads
    to JVM threads (the default since 3.2), the threads inherit the batch thread's Spark job properties
    (InheritableThread), so stopping the query cancels their jobs too; without pinning (3.1, 2.4) no Python thread,
    the batch's own neither, has them."""
    if len(steps) <= 1:
        for step in steps:
            step()
        return
    import pyspark

    thread_class = getattr(pyspark, "InheritableThread", threading.Thread)
    failures = [None] * len(steps)  # type: List[Optional[BaseException]]

    def run(index: int) -> None:
        try:
            steps[index]()
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the batch's own thread
            failures[index] = error

    threads = [thread_class(target=run, args=(i,)) for i in range(len(steps))]
    started = []  # type: List[threading.Thread]
    try:
        for thread in threads:
            thread.start()
            started.append(thread)
    finally:  # a thread that could not start fails the batch, after the started ones end (they may publish)
        for thread in started:
            thread.join()
    # A lost lease first: it tells the driver to stop as a second driver (EXIT_LEASE), whatever else failed beside.
    raised = [failure for failure in failures if failure is not None]
    lost = [failure for failure in raised if isinstance(failure, checkpoint_lease.LeaseLost)]
    if raised:
        raise (lost or raised)[0]


# ---------------------------------------------------------------- the streaming query

def start_query(spark: SparkSession, config: Dict[str, object], jaas_config: Optional[str],
                output_jaas_config: Optional[str], lease: Optional[checkpoint_lease.CheckpointLease] = None):
    """Builds and starts the streaming query; returns the StreamingQuery. jaas_config / output_jaas_config: the
    JAAS lines of the source (listen) and the sink (send), None with PLAINTEXT. lease: the checkpoint's lease, proved
    still held before each batch writes anything and before it sends (checkpoint_lease.py)."""
    tables = table_names(config)
    check_schemas(spark, tables)
    # Before this run writes anything: a run new-run closed leaves no uncommitted batch beside it (checkpoint_runs.py).
    checkpoint_runs.close_earlier_runs(spark, str(config["checkpoint_location"]), [tables[k] for k in sorted(tables)])
    reader = spark.readStream.format("kafka")
    for key, value in source_options(config, jaas_config).items():
        reader = reader.option(key, value)
    sink = sink_options(config, output_jaas_config)
    max_sensors = int(config["max_sensors_per_batch"])  # type: ignore[arg-type]
    limits = {key: int(config[key]) for key in ("max_message_bytes", "max_sensor_length")}  # type: ignore[arg-type]
    # The run id is the query's id, known once start() returns; a batch that begins first waits for it.
    run = {}  # type: Dict[str, str]
    started = threading.Event()
    # Only the first batch a driver runs can be a replay: Spark re-runs the batch planned but not committed by the
    # driver before, and a failed batch stops this driver's query.
    first = threading.Event()

    def for_each_batch(df: DataFrame, batch_id: int) -> None:
        if not started.wait(120):
            raise RuntimeError("the streaming query's id was not known within 120 s")
        def written(counts: Dict[str, object]) -> None:
            # One line per batch in the driver's log (Livy keeps it): what came in and why anything was rejected.
            batch_lines.emit(batch_lines.batch_line(run["id"], batch_id, batch_lines.WRITTEN, counts))

        if lease is not None:
            lease.heartbeat()
        replay = not first.is_set()
        process_batch(df, batch_id, tables, sink, run_id=run["id"], max_sensors=max_sensors, report=written,
                      prove_lease=lease.heartbeat if lease is not None else None, replay=replay, **limits)
        first.set()

    query = (reader.load().writeStream
             .queryName(str(config["query_name"]))
             .option("checkpointLocation", str(config["checkpoint_location"]))
             .trigger(processingTime=str(config["trigger_interval"]))
             .foreachBatch(for_each_batch)
             .start())
    run["id"] = str(query.id)
    started.set()
    return query


def main(argv: List[str]) -> int:
    spark = SparkSession.builder.appName("sensor-aggregation").enableHiveSupport().getOrCreate()
    held = []  # type: List[checkpoint_lease.CheckpointLease]
    try:
        return run_driver(spark, argv, held)
    finally:
        for lease in held:  # a clean exit frees the checkpoint at once (a killed driver's lease lapses in 60 s)
            lease.release()


def run_driver(spark: SparkSession, argv: List[str], held: List[checkpoint_lease.CheckpointLease]) -> int:
    """The driver's life: config, the checkpoint's lease (appended to `held`), the query until it ends; the exit code."""
    try:
        config = load_config(spark, argv)
        # One driver per checkpoint, before anything reads Kafka or writes a table (checkpoint_lease.py).
        lease = checkpoint_lease.acquire(spark, str(config["checkpoint_location"]),
                                         checkpoint_lease.holder_record(spark, checkpoint_run(spark, config)),
                                         float(config["lease_wait_seconds"]))  # type: ignore[arg-type]
        held.append(lease)
        jaas = {key: None for key in JAAS_KEYS}  # type: Dict[str, Optional[str]]
        if config["security_protocol"] == "SASL_SSL":
            jaas = {key: read_text(spark, str(config[key])).strip() for key in JAAS_KEYS}
        query = start_query(spark, config, jaas["jaas_config_path"], jaas["output_jaas_config_path"], lease)
    except (ConfigError, ValueError) as error:  # the messages name keys and paths, never a file's content
        print("sensor-aggregation: invalid configuration: %s" % error, file=sys.stderr)
        return 2
    except SchemaMismatch as error:
        print("sensor-aggregation: %s" % error, file=sys.stderr)
        return 3
    except checkpoint_lease.LeaseHeld as error:
        print("sensor-aggregation: %s" % error, file=sys.stderr, flush=True)
        return checkpoint_lease.EXIT_LEASE
    print("sensor-aggregation: query %s started (run %s), reading %s, checkpoint %s"
          % (config["query_name"], query.id, config["input_topic"], config["checkpoint_location"]), flush=True)
    # Each batch's durations, as the query measured them, once it has ended (batch_lines.py): off the batch's path.
    durations = batch_lines.DurationLog(str(query.id), lambda: query.recentProgress).start()
    try:
        query.awaitTermination()
    except Exception as error:  # noqa: BLE001 - StreamingQueryException's module differs between Spark versions
        if checkpoint_lease.MARKER in str(error):
            print("sensor-aggregation: %s" % _line_with(str(error), checkpoint_lease.MARKER), file=sys.stderr, flush=True)
            return checkpoint_lease.EXIT_LEASE
        cause = data_loss_cause(str(error))
        if cause is None:
            raise
        print("sensor-aggregation: %s" % cause, file=sys.stderr, flush=True)
        return 4
    finally:
        durations.stop()
    return 0


def checkpoint_run(spark: SparkSession, config: Dict[str, object]) -> Optional[str]:
    """The streaming run a checkpoint holds (its metadata file's query id), or None for a new checkpoint."""
    try:
        return checkpoint_runs.read_checkpoint_run_id(spark, str(config["checkpoint_location"]))
    except Exception:  # noqa: BLE001 - no metadata yet (a fresh checkpoint), or unreadable: the record says null
        return None


def _line_with(text: str, marker: str) -> str:
    return next((line.strip() for line in text.splitlines() if marker in line), text.strip().splitlines()[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
