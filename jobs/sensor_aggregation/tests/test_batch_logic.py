"""Unit tests of the per-batch logic (parse, route, aggregate, write) on tiny DataFrames in local Spark."""
from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path

import pytest

import job
import job_config
import job_tables
from conftest import static_overwrite_mode
from create_tables import create_tables, render_statements
from kafka_frames import empty_kafka_batch, kafka_batch

TABLES_SQL = job_tables.TABLES_SQL
_databases = itertools.count()
FIXED_TS = datetime(2026, 1, 2, 3, 4, 5)


def new_tables(spark):
    """A fresh database with the job's three tables, created from job_tables.py."""
    names = job_config.table_name_config({"database": "unit_%d" % next(_databases)})
    create_tables(spark, render_statements(TABLES_SQL, names), names["database"])
    return job_config.table_names(names)


@pytest.fixture()
def tables(spark):
    return new_tables(spark)


RUN = "run-a"


def run_batch(spark, tables, messages, batch_id=1, partition=0, first_offset=0, run_id=RUN):
    df = kafka_batch(spark, messages, partition=partition, first_offset=first_offset)
    return job.process_batch(df, batch_id, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=run_id)


def rows(spark, table, order="kafka_offset"):
    return [r.asDict() for r in spark.table(table).orderBy(order).collect()]


def reading(sensor, m1, m2, **extra):
    return dict({"sensor": sensor, "measure1": m1, "measure2": m2}, **extra)


def test_valid_readings_go_to_the_data_table_with_kafka_position_and_batch_id(spark, tables):
    assert run_batch(spark, tables, [reading("Sensor 1", 37.5, 0.25), reading("Sensor 2", 30.0, 0.5)], batch_id=4, partition=1, first_offset=10)
    data = rows(spark, tables["data"])
    assert [(r["sensor"], r["measure1"], r["measure2"], r["kafka_partition"], r["kafka_offset"], r["batch_id"]) for r in data] == [
        ("Sensor 1", 37.5, 0.25, 1, 10, 4),
        ("Sensor 2", 30.0, 0.5, 1, 11, 4),
    ]
    assert all(r["event_time"] == datetime(2026, 1, 1, 12, 0, 0) for r in data)
    assert rows(spark, tables["rejected"]) == []


def test_stats_hold_per_sensor_averages_counts_and_the_batch_timestamp(spark, tables):
    run_batch(spark, tables, [reading("A", 10.0, 1.0), reading("A", 20.0, 3.0), reading("A", 33.0, 2.0), reading("B", 5.0, 0.5)], batch_id=2)
    stats = {r["sensor"]: r for r in rows(spark, tables["stats"], order="sensor")}
    assert set(stats) == {"A", "B"}
    assert stats["A"]["measure1_avg"] == pytest.approx(21.0)
    assert stats["A"]["measure2_avg"] == pytest.approx(2.0)
    assert stats["A"]["count_sensor"] == 3
    assert (stats["B"]["measure1_avg"], stats["B"]["measure2_avg"], stats["B"]["count_sensor"]) == (5.0, 0.5, 1)
    assert all(r["ts"] == FIXED_TS and r["batch_id"] == 2 for r in stats.values())


MALFORMED = [
    ("not json at all", "unparseable JSON"),
    ('{"sensor": "S1", "measure1": 1.0', "unparseable JSON"),
    ("[1, 2, 3]", "unparseable JSON"),
    (None, "empty message"),
    ({"measure1": 1.0, "measure2": 2.0}, "missing sensor"),
    (reading(None, 1.0, 2.0), "missing sensor"),
    (reading("   ", 1.0, 2.0), "missing sensor"),
    ({"sensor": "S1", "measure2": 2.0}, "missing measure1"),
    (reading("S1", 1.0, None), "missing measure2"),
    (reading("S1", "warm", 2.0), "non-numeric measure1"),
    (reading("S1", 1.0, True), "non-numeric measure2"),
    (reading("S1", {"v": 1}, 2.0), "non-numeric measure1"),
    ('{"sensor": "S1", "measure1": NaN, "measure2": 2.0}', "non-finite measure1"),
    ('{"sensor": "S1", "measure1": 1.0, "measure2": 1e400}', "non-finite measure2"),
    ('{"sensor": "S1", "measure1": -Infinity, "measure2": 2.0}', "non-finite measure1"),
    (reading("S1", "37.2", 2.0), "non-numeric measure (JSON string)"),
]


def test_each_malformed_kind_is_rejected_with_raw_value_position_and_reason(spark, tables):
    # One batch holding every kind (one Spark run instead of one per kind), each at its own offset.
    run_batch(spark, tables, [m for m, _ in MALFORMED], batch_id=3, partition=1, first_offset=40)
    rejected = rows(spark, tables["rejected"])
    expected = [
        (None if m is None else (m if isinstance(m, str) else json.dumps(m)), reason, "sensor-readings", 1, 40 + i, 3)
        for i, (m, reason) in enumerate(MALFORMED)
    ]
    assert [(r["raw_value"], r["reason"], r["kafka_topic"], r["kafka_partition"], r["kafka_offset"], r["batch_id"]) for r in rejected] == expected
    assert rows(spark, tables["data"]) == []
    assert rows(spark, tables["stats"], order="sensor") == []


def test_a_mixed_batch_loses_nothing_and_malformed_rows_do_not_touch_the_stats(spark, tables):
    messages = [reading("S", 1.0, 1.0), "garbage", reading("S", 3.0, 3.0), reading("S", "x", 1.0), reading("S", 5.0, 5.0)]
    run_batch(spark, tables, messages, batch_id=9)
    assert [r["kafka_offset"] for r in rows(spark, tables["data"])] == [0, 2, 4]
    assert [(r["kafka_offset"], r["reason"]) for r in rows(spark, tables["rejected"])] == [(1, "unparseable JSON"), (3, "non-numeric measure1")]
    [stats] = rows(spark, tables["stats"], order="sensor")
    assert (stats["measure1_avg"], stats["count_sensor"]) == (3.0, 3)


def test_the_batch_report_counts_readings_rejected_rows_and_each_reason_as_the_tables_hold_them(spark, tables):
    messages = [reading("S", 1.0, 1.0), "garbage", "{", reading("S", "x", 1.0), reading("T", 5.0, 5.0)]
    reports = []
    df = kafka_batch(spark, messages)
    assert job.process_batch(df, 6, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=RUN, report=reports.append)
    assert reports == [{"readings": 2, "rejected": 3, "reasons": {"unparseable JSON": 2, "non-numeric measure1": 1}}]
    by_reason = {}
    for r in rows(spark, tables["rejected"]):
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    assert by_reason == reports[0]["reasons"] and len(rows(spark, tables["data"])) == reports[0]["readings"]
    # A batch without rejected rows reports none, without the extra job.
    run_batch_reports = []
    job.process_batch(kafka_batch(spark, [reading("S", 2.0, 2.0)], first_offset=5), 7, tables, None, run_id=RUN, report=run_batch_reports.append)
    assert run_batch_reports == [{"readings": 1, "rejected": 0, "reasons": {}}]


def test_unicode_sensor_names_are_kept_exactly(spark, tables):
    names = ["Capteur é", "温度センサー", "датчик 3", "🌡 sensor"]
    run_batch(spark, tables, [reading(n, 1.0 + i, 2.0) for i, n in enumerate(names)])
    assert [r["sensor"] for r in rows(spark, tables["data"])] == names
    assert sorted(r["sensor"] for r in rows(spark, tables["stats"], order="sensor")) == sorted(names)


def test_extra_fields_are_ignored_and_the_reading_is_valid(spark, tables):
    run_batch(spark, tables, [reading("S1", 1.5, 2.5, unit="C", site={"room": 4}, tags=["a"])])
    [row] = rows(spark, tables["data"])
    assert (row["sensor"], row["measure1"], row["measure2"]) == ("S1", 1.5, 2.5)
    assert rows(spark, tables["rejected"]) == []


def test_a_replayed_batch_id_replaces_its_own_rows_and_leaves_other_batches_alone(spark, tables):
    first = [reading("S1", 1.0, 1.0), reading("S2", 2.0, 2.0), "bad"]
    run_batch(spark, tables, first, batch_id=7)
    run_batch(spark, tables, [reading("S1", 9.0, 9.0)], batch_id=8, first_offset=3)
    run_batch(spark, tables, first, batch_id=7)  # Spark re-runs batch 7 after a crash: same id, same offsets
    data = rows(spark, tables["data"])
    assert [(r["batch_id"], r["kafka_offset"]) for r in data] == [(7, 0), (7, 1), (8, 3)]
    assert [(r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["rejected"])] == [(7, 2)]
    stats = sorted((r["batch_id"], r["sensor"], r["count_sensor"]) for r in rows(spark, tables["stats"], order="sensor"))
    assert stats == [(7, "S1", 1), (7, "S2", 1), (8, "S1", 1)]


def test_a_batch_keeps_every_other_batch_in_a_session_whose_overwrite_mode_is_static(spark, tables):
    """The tables' own option makes each overwrite dynamic: in a static session (Spark's default) an INSERT
    OVERWRITE ... PARTITION (run_id, batch_id) of a table without it first empties the whole table."""
    with static_overwrite_mode(spark):
        run_batch(spark, tables, [reading("S1", 1.0, 1.0), "bad"], batch_id=1)
        run_batch(spark, tables, [reading("S2", 2.0, 2.0), "bad"], batch_id=2, first_offset=2)
        spark.sql("INSERT OVERWRITE TABLE %s PARTITION (run_id, batch_id) SELECT * FROM %s WHERE batch_id = 2"
                  % (tables["rejected"], tables["rejected"]))  # an operator's ad-hoc rewrite of one batch
    for kind in ("data", "rejected", "stats"):
        assert sorted({r["batch_id"] for r in rows(spark, tables[kind], order="batch_id")}) == [1, 2], kind


def test_a_table_without_the_overwrite_option_fails_at_start_naming_it(spark):
    spark.sql("CREATE DATABASE IF NOT EXISTS unprotected")
    for ddl in render_statements(TABLES_SQL, job_config.table_name_config({"database": "unprotected"})):
        spark.sql(ddl.replace("OPTIONS ('partitionOverwriteMode' = 'dynamic')", "") if "sensor_data_stats (" in ddl else ddl)
    tables = job_config.table_names(job_config.table_name_config({"database": "unprotected"}))
    with pytest.raises(job.SchemaMismatch) as refused:
        job.check_schemas(spark, tables)
    assert str(refused.value).endswith("table unprotected.sensor_data_stats: lacks the option ('partitionOverwriteMode' = 'dynamic'), "
                                       "without which an overwrite of one batch can empty the whole table (run create_tables.py, which adds it)")


def finished_job_ids(spark, group):
    """Jobs Spark ran in a job group, after the listener bus has delivered every event."""
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()
    return list(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def test_an_empty_batch_starts_no_spark_job_and_writes_nothing(spark, tables):
    df = empty_kafka_batch(spark)
    sc = spark.sparkContext
    sc.setJobGroup("empty-batch", "empty batch must start no job")
    try:
        assert job.process_batch(df, 5, tables, kafka_sink={"topic": "never-used"}, run_id=RUN) is False
        assert finished_job_ids(spark, "empty-batch") == []
        # The same tracker sees a job when one runs, so the assertion above can fail.
        df.count()
        assert len(finished_job_ids(spark, "empty-batch")) >= 1
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    assert rows(spark, tables["data"]) == []


def test_stats_messages_are_json_keyed_by_sensor_with_the_batch_id(spark, tables):
    parsed = job.parse_readings(kafka_batch(spark, [reading("Ä 1", 2.0, 4.0), "rejected", reading("Ä 1", 4.0, 6.0)]))
    [message] = job.stats_messages(job.sensor_stats(job.batch_aggregates(parsed), RUN, 12, FIXED_TS)).collect()
    assert message["key"] == "Ä 1"
    body = json.loads(message["value"])
    assert body["sensor"] == "Ä 1" and body["run_id"] == RUN and body["batch_id"] == 12 and body["count_sensor"] == 2
    assert (body["measure1_avg"], body["measure2_avg"]) == (3.0, 5.0)
    assert body["ts"].startswith("2026-01-02T03:04:05")


def test_one_aggregation_pass_gives_the_stats_and_the_rejected_count(spark):
    parsed = job.parse_readings(kafka_batch(spark, [reading("A", 1.0, 2.0), "bad", reading("A", 3.0, 4.0), reading("S", "x", 1.0)]))
    aggregates = {r["sensor"]: (r["measure1_avg"], r["measure2_avg"], r["count_sensor"]) for r in job.batch_aggregates(parsed).collect()}
    assert aggregates["A"] == (2.0, 3.0, 2)
    assert aggregates[None][2] == 2  # the rejected rows, counted in the same pass
    assert set(aggregates) == {"A", None}


def test_a_batch_without_rejected_rows_skips_the_rejected_write(spark, tables, monkeypatch):
    """Counted by the writes the batch starts (they run in threads of their own, whose Spark jobs only carry the
    batch's job group where PySpark pins threads)."""
    real, written = job.write_run_partition, []

    def write(df, table, *args, **kwargs):
        written.append(table)
        real(df, table, *args, **kwargs)

    monkeypatch.setattr(job, "write_run_partition", write)
    tables_written = {}
    for name, messages, batch_id in (("clean", [reading("A", 1.0, 2.0)], 20), ("dirty", [reading("A", 1.0, 2.0), "bad"], 21)):
        del written[:]
        run_batch(spark, tables, messages, batch_id=batch_id)
        tables_written[name] = sorted(written)
    assert tables_written == {"clean": sorted([tables["data"], tables["stats"]]),
                              "dirty": sorted([tables["data"], tables["rejected"], tables["stats"]])}
    assert [(r["batch_id"], r["reason"]) for r in rows(spark, tables["rejected"])] == [(21, "unparseable JSON")]
    assert [(r["batch_id"], r["count_sensor"]) for r in rows(spark, tables["stats"], order="batch_id")] == [(20, 1), (21, 1)]


def test_a_new_run_with_batch_ids_from_0_again_adds_rows_and_never_touches_the_earlier_run(spark, tables):
    """A new checkpoint restarts batch ids at 0: keyed by (run_id, batch_id), the earlier run's rows stay."""
    run_batch(spark, tables, [reading("S1", 1.0, 1.0), "bad"], batch_id=0, run_id="run-a")
    run_batch(spark, tables, [reading("S1", 3.0, 3.0)], batch_id=1, first_offset=2, run_id="run-a")
    run_batch(spark, tables, [reading("S1", 5.0, 5.0), reading("S2", 7.0, 7.0), "worse"], batch_id=0, first_offset=3, run_id="run-b")
    data = sorted((r["run_id"], r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["data"]))
    assert data == [("run-a", 0, 0), ("run-a", 1, 2), ("run-b", 0, 3), ("run-b", 0, 4)]
    rejected = sorted((r["run_id"], r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["rejected"]))
    assert rejected == [("run-a", 0, 1), ("run-b", 0, 5)]
    stats = sorted((r["run_id"], r["batch_id"], r["sensor"], r["measure1_avg"]) for r in rows(spark, tables["stats"], order="sensor"))
    assert stats == [("run-a", 0, "S1", 1.0), ("run-a", 1, "S1", 3.0), ("run-b", 0, "S1", 5.0), ("run-b", 0, "S2", 7.0)]
    # A replay within run-b still replaces only its own partition.
    run_batch(spark, tables, [reading("S1", 5.0, 5.0), reading("S2", 7.0, 7.0), "worse"], batch_id=0, first_offset=3, run_id="run-b")
    assert len(rows(spark, tables["data"])) == 4 and len(rows(spark, tables["stats"], order="sensor")) == 4


def test_the_job_writes_by_column_name_whatever_the_table_order(spark):
    """A table whose columns are in another order than the job's still gets each value in its own column."""
    spark.sql("CREATE DATABASE IF NOT EXISTS reordered")
    spark.sql("CREATE TABLE reordered.sensor_data (measure2 double, event_time timestamp, sensor string, kafka_offset bigint, "
              "measure1 double, kafka_partition int, run_id string, batch_id bigint) USING PARQUET "
              "OPTIONS ('partitionOverwriteMode' = 'dynamic') PARTITIONED BY (run_id, batch_id)")
    for ddl in render_statements(TABLES_SQL, job_config.table_name_config({"database": "reordered"}))[1:]:
        spark.sql(ddl)
    tables = job_config.table_names({"database": "reordered", "data_table": "sensor_data", "rejected_table": "sensor_data_rejected", "stats_table": "sensor_data_stats"})
    job.check_schemas(spark, tables)
    run_batch(spark, tables, [reading("S9", 1.25, 0.5)], batch_id=3, first_offset=8)
    [row] = rows(spark, tables["data"])
    assert (row["sensor"], row["measure1"], row["measure2"], row["kafka_offset"]) == ("S9", 1.25, 0.5, 8)


def test_a_table_that_differs_from_what_the_job_writes_fails_at_start_naming_table_column_and_types(spark):
    spark.sql("CREATE DATABASE IF NOT EXISTS drifted")
    for ddl in render_statements(TABLES_SQL, job_config.table_name_config({"database": "drifted"})):
        spark.sql(ddl.replace("measure1 double", "measure1 string") if "sensor_data (" in ddl else ddl)
    tables = job_config.table_names({"database": "drifted", "data_table": "sensor_data", "rejected_table": "sensor_data_rejected", "stats_table": "sensor_data_stats"})
    with pytest.raises(job.SchemaMismatch, match=r"table drifted\.sensor_data: column measure1 is string, the job writes double"):
        job.check_schemas(spark, tables)


def test_more_sensors_than_the_driver_is_sized_for_go_through_with_the_same_rows_as_a_collected_batch(spark, tables):
    """A batch with more sensors than max_sensors_per_batch is not a poison batch: its stats are computed on the
    executors and every table gets exactly what a batch under the bound would write."""
    batch = [reading("S%d" % (i % 5), float(i), 2.0 * i) for i in range(12)] + ["{not json"]
    counts = []
    job.process_batch(kafka_batch(spark, batch), 1, tables, kafka_sink=None, run_id=RUN, max_sensors=3, report=counts.append)
    job.process_batch(kafka_batch(spark, batch), 2, tables, kafka_sink=None, run_id=RUN, report=counts.append)
    assert counts[0] == counts[1] == {"readings": 12, "rejected": 1, "reasons": counts[1]["reasons"]}

    def rows(kind, batch_id):
        columns = [c for c in spark.table(tables[kind]).columns if c not in ("batch_id", "ts")]
        return sorted(tuple(r[c] for c in columns) for r in spark.table(tables[kind]).where("batch_id = %d" % batch_id).collect())

    for kind in ("data", "rejected", "stats"):
        assert rows(kind, 1) == rows(kind, 2) != [], kind
    assert len(rows("stats", 1)) == 5


def table_location(spark, table):
    """The table's directory, as the catalog has it (DESCRIBE TABLE EXTENDED works on Spark 2.4 to 3.5)."""
    rows = spark.sql("DESCRIBE TABLE EXTENDED %s" % table).collect()
    [location] = [r["data_type"] for r in rows if r["col_name"] == "Location"]
    return Path(location.replace("file:", "", 1))


def leave_dead_attempt_output(spark, table, run_id, batch_id):
    """What a driver killed inside a write's job commit leaves behind: one task's output committed but never
    moved into the table, under each place a committer stages (the static overwrite's <table>/_temporary/0, a
    dynamic overwrite's <table>/.spark-staging-<job>, and this release's own <table>/run_id=R/.batch_id=N.<uuid>,
    inside its _temporary/0 and whole), plus one attempt's directory already renamed into the partition's but never registered."""
    location = table_location(spark, table)
    partition = Path("run_id=%s" % run_id) / ("batch_id=%d" % batch_id)
    [written] = sorted((location / partition).glob("*/part-*.parquet"))[:1]
    task = "task_202601010000_0001_m_000001"
    for staged in (location / "_temporary" / "0" / task, location / ".spark-staging-dead" / "_temporary" / "0" / task,
                   location / ".spark-staging-dead"):
        (staged / partition).mkdir(parents=True, exist_ok=True)
        (staged / partition / ("part-00001-dead" + written.suffix)).write_bytes(written.read_bytes())
    own = location / ("run_id=%s" % run_id) / (".batch_id=%d.0dead" % batch_id)
    for staged in (own / "_temporary" / "0" / task, own):
        staged.mkdir(parents=True, exist_ok=True)
        (staged / ("part-00003-dead" + written.suffix)).write_bytes(written.read_bytes())
    moved = location / partition / (job_tables.ATTEMPT_PREFIX + "0dead")  # renamed into place, never registered
    moved.mkdir()
    (moved / "part-00002-dead.parquet").write_bytes(written.read_bytes())


def test_a_batch_replayed_after_a_driver_died_inside_its_write_commit_holds_each_row_once(spark, tables):
    batch = [reading("S1", 1.0, 1.0), reading("S2", 2.0, 2.0), "bad"]
    run_batch(spark, tables, batch, batch_id=3)
    for kind in ("data", "rejected", "stats"):
        leave_dead_attempt_output(spark, tables[kind], RUN, 3)
    run_batch(spark, tables, batch, batch_id=3)  # the restarted driver replays batch 3: same offsets
    assert [(r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["data"])] == [(3, 0), (3, 1)]
    assert [(r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["rejected"])] == [(3, 2)]
    assert sorted((r["sensor"], r["count_sensor"]) for r in rows(spark, tables["stats"], order="sensor")) == [("S1", 1), ("S2", 1)]
    run_batch(spark, tables, [reading("S3", 3.0, 3.0)], batch_id=4, first_offset=3)  # and the next batch too
    assert [(r["batch_id"], r["kafka_offset"]) for r in rows(spark, tables["data"])] == [(3, 0), (3, 1), (4, 3)]


def batch_rows(spark, tables, run_id, batch_id):
    """Per kind, the rows of one (run_id, batch_id), without the batch's own timestamp column."""
    where = "run_id = '%s' AND batch_id = %d" % (run_id, batch_id)
    return {kind: sorted(str(sorted(r.asDict().items())) for r in spark.table(table).where(where).collect())
            for kind, table in tables.items()}


MIXED = [reading("A", 1.0, 2.0), "{not json", reading("B", 3.0, 4.0)]


@pytest.mark.parametrize("replayed", ["all valid", "all rejected", "empty"])
def test_a_replay_that_reads_other_content_leaves_nothing_of_the_dead_attempt(spark, tables, replayed):
    """A dead attempt of batch 3 wrote all three tables; its replay reads other content (offsets skipped by
    failOnDataLoss=false, or a deploy that changed the parsing): afterwards the batch holds what the replay
    wrote and nothing else, and other batches are untouched."""
    run_batch(spark, tables, [reading("A", 9.0, 9.0)], batch_id=2)
    other = batch_rows(spark, tables, RUN, 2)
    run_batch(spark, tables, MIXED, batch_id=3)
    content = {"all valid": [reading("C", 5.0, 6.0)], "all rejected": ["{also not json"], "empty": None}[replayed]
    df = empty_kafka_batch(spark) if content is None else kafka_batch(spark, content)
    job.process_batch(df, 3, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=RUN, replay=True)

    fresh = new_tables(spark)  # what the replay's content alone writes
    if content is not None:
        run_batch(spark, fresh, content, batch_id=3)
    assert batch_rows(spark, tables, RUN, 3) == batch_rows(spark, fresh, RUN, 3)
    assert batch_rows(spark, tables, RUN, 2) == other


def test_a_query_that_listed_a_batch_before_its_replay_still_reads_it_and_later_queries_see_the_replay(spark, tables):
    """A replay takes the dead attempt's partition out of the catalog but leaves its files: a reader query planned
    before it (its files listed) goes on reading them instead of failing on a deleted file, and every query planned
    after it sees the replay's rows alone, in every table."""
    run_batch(spark, tables, MIXED, batch_id=3)
    before = batch_rows(spark, tables, RUN, 3)
    # A filter on a partition column makes Spark list the partitions' files while planning (PruneFileSourcePartitions).
    planned = {kind: spark.table(table).where("batch_id >= 0") for kind, table in tables.items()}
    assert all(df.inputFiles() for df in planned.values())  # planned: each table's files are listed
    replay = [reading("C", 5.0, 6.0)]
    job.process_batch(kafka_batch(spark, replay), 3, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=RUN, replay=True)

    read_by_planned = {kind: sorted(str(sorted(r.asDict().items())) for r in df.collect()) for kind, df in planned.items()}
    assert read_by_planned == before
    fresh = new_tables(spark)
    run_batch(spark, fresh, replay, batch_id=3)
    assert batch_rows(spark, tables, RUN, 3) == batch_rows(spark, fresh, RUN, 3)
    assert batch_rows(spark, tables, RUN, 3)["rejected"] == []


def test_a_replay_that_registers_its_batch_again_is_not_deleted_by_an_old_unregistered_mark(spark, tables, monkeypatch):
    """Driver A wrote batch 3 and died; driver B's replay unregistered it (marking its directory) and died before
    writing; driver C's replay writes it again long after, while maintenance sweeps unregistered directories with
    the partitions it listed before C registered batch 3, and B's mark older than its limit. C's batch stays."""
    run_batch(spark, tables, MIXED, batch_id=3)
    job.clear_batch(spark, tables, RUN, 3)  # driver B's replay, which then dies
    listed_before = {table: job_tables.partitions(spark, table) for table in tables.values()}
    replay = [reading("C", 5.0, 6.0)]
    job.process_batch(kafka_batch(spark, replay), 3, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=RUN, replay=True)
    written = batch_rows(spark, tables, RUN, 3)
    monkeypatch.setattr(job_tables, "partitions", lambda _spark, table: listed_before[table])  # the sweep's earlier listing
    for table in tables.values():
        job_tables.delete_unregistered(spark, table, job_tables.PARTITION_COLUMNS, older_than_seconds=0)
    monkeypatch.undo()
    assert batch_rows(spark, tables, RUN, 3) == written and written["data"] != []
    spark.catalog.clearCache()
    for table in tables.values():
        spark.sql("REFRESH TABLE %s" % table)
    assert batch_rows(spark, tables, RUN, 3) == written


@pytest.mark.parametrize("failing", ["data", "rejected", "stats"])
def test_a_batch_whose_one_table_write_fails_fails_and_its_replay_holds_each_row_once(spark, tables, monkeypatch, failing):
    """The table writes run side by side: when one fails, the others may have published. The batch fails (Spark
    does not commit it), and its replay, as the next driver's first batch, leaves each table as one clean run."""
    real = job.write_run_partition

    def write(df, table, *args, **kwargs):
        if table == tables[failing]:
            raise RuntimeError("the %s write failed" % failing)
        real(df, table, *args, **kwargs)

    monkeypatch.setattr(job, "write_run_partition", write)
    with pytest.raises(RuntimeError, match="the %s write failed" % failing):
        run_batch(spark, tables, MIXED, batch_id=5)
    monkeypatch.undo()
    job.process_batch(kafka_batch(spark, MIXED), 5, tables, kafka_sink=None, now=lambda: FIXED_TS, run_id=RUN, replay=True)
    fresh = new_tables(spark)
    run_batch(spark, fresh, MIXED, batch_id=5)
    assert batch_rows(spark, tables, RUN, 5) == batch_rows(spark, fresh, RUN, 5)
    assert all(batch_rows(spark, tables, RUN, 5).values())
