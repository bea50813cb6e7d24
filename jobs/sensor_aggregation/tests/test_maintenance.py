"""Housekeeping on real Spark: compaction into day-partitioned history keeps every row exactly once (seen
through the <table>_all views at every step, interrupted or not), never touches a batch Spark may replay,
and retention drops only old days of the table it is set for."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import job
import job_config
import job_tables
import maintenance
from create_tables import MigrationRefused, create_job_tables, create_tables, housekeeping_layout, render_statements, table_type
from kafka_frames import kafka_batch
from test_batch_logic import TABLES_SQL

CURRENT, EARLIER = "run-current", "run-earlier"
DAY1, DAY2 = datetime(2026, 3, 1, 23, 59, 0), datetime(2026, 3, 2, 0, 1, 0)
NOW = datetime(2026, 3, 3, 6, 0, 0)


class Interrupted(Exception):
    pass


def readings(batch_id: int, run_id: str):
    """Per batch three valid readings over two sensors and one malformed, with distinct values."""
    base = batch_id * 10 + (100 if run_id == EARLIER else 0)
    return [{"sensor": "S1", "measure1": base + 1.0, "measure2": base + 2.0},
            {"sensor": "S2", "measure1": base + 3.5, "measure2": base - 1.0},
            {"sensor": "S1", "measure1": base + 0.25, "measure2": base + 7.0},
            "{not json %d}" % base]


def checkpoint(tmp_path: Path, run_id: str, committed: int, name: str = "checkpoint") -> str:
    """A checkpoint as Structured Streaming leaves it: metadata with the query id, commits/0..N."""
    root = tmp_path / name
    (root / "commits").mkdir(parents=True)
    (root / "metadata").write_text(json.dumps({"id": run_id}) + "\n")
    for n in range(committed + 1):
        (root / "commits" / str(n)).write_text("v1\n{}\n")
    return str(root)


def create_all(spark, database, **table_names):
    names = job_config.table_name_config({"database": database, **table_names})
    create_job_tables(spark, render_statements(TABLES_SQL, names), names)
    return names


@pytest.fixture(scope="module")
def template(spark):
    """The earlier run's batches 0-1 (a reset checkpoint) and the current run's 0-3, alternating on each side
    of midnight, written once by the job's own batch function; each test copies them into its own database."""
    names = create_all(spark, "maintenance_template")
    tables = job_config.table_names(dict(names))
    for run_id, count in ((EARLIER, 2), (CURRENT, 4)):
        for batch_id in range(count):
            when = DAY1 if batch_id % 2 == 0 else DAY2
            df = kafka_batch(spark, readings(batch_id, run_id), first_offset=batch_id * 4, when=when)
            job.process_batch(df, batch_id, tables, None, now=lambda: when, run_id=run_id)
    return housekeeping_layout(names)["tables"]


def setup_tables(spark, tmp_path, template, database, committed=2):
    """A database holding the template's batches; the checkpoint's run is CURRENT with `committed` its last commit."""
    names = create_all(spark, database)
    layout = housekeeping_layout(names)["tables"]
    for kind, source in template.items():
        spark.sql("INSERT INTO TABLE %s PARTITION (run_id, batch_id) SELECT * FROM %s" % (layout[kind]["stream"], source["stream"]))
    return {"database": database, "checkpoint_location": checkpoint(tmp_path, CURRENT, committed)}, layout


def view_rows(spark, layout):
    """Every row readers see, per kind, as sorted tuples (duplicates stay visible as repeated tuples)."""
    return {kind: sorted(tuple(r) for r in spark.table(names["view"]).collect()) for kind, names in layout.items()}


def stream_partitions(spark, layout, kind="data"):
    return sorted((p["run_id"], int(p["batch_id"])) for p in maintenance.partitions(spark, layout[kind]["stream"]))


def compact(spark, config, **options):
    """A maintenance run that drops compacted batches at once (the default keeps them DROP_AFTER, for readers;
    test_view_consistency.py checks that)."""
    return maintenance.compact(spark, config, drop_after=timedelta(0), **options)


def sensor_stats(spark, view):
    return sorted(tuple(r) for r in spark.sql(
        "SELECT sensor, count(*), avg(measure1), avg(measure2) FROM %s GROUP BY sensor" % view).collect())


def test_a_compaction_keeps_every_row_and_stat_and_leaves_only_replayable_batches_streaming(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "compact_check")
    before = view_rows(spark, layout)
    stats_before = sensor_stats(spark, layout["data"]["view"])
    partitions_before = sum(len(maintenance.partitions(spark, t["stream"])) for t in layout.values())

    summary = compact(spark, config, now=NOW)

    assert view_rows(spark, layout) == before
    assert sensor_stats(spark, layout["data"]["view"]) == stats_before
    # Batch 2 is the last committed one: it and batch 3 stay, so a replay overwrites its own partition.
    assert stream_partitions(spark, layout) == [(CURRENT, 2), (CURRENT, 3)]
    assert summary["moved_rows"] == {"data": 12, "rejected": 4, "stats": 8}
    history = maintenance.partitions(spark, layout["data"]["history"])
    assert sorted({p["day"] for p in history}) == ["2026-03-01", "2026-03-02"]
    partitions_after = sum(len(maintenance.partitions(spark, t[k])) for t in layout.values() for k in ("stream", "history"))
    assert partitions_after < partitions_before
    # Both runs' stats stay distinct by (run_id, batch_id, sensor).
    keys = [(r.run_id, r.batch_id, r.sensor) for r in spark.table(layout["stats"]["view"]).collect()]
    assert len(keys) == len(set(keys)) == 12

    # Later batches of the run compact on the next pass; the history of the first is kept as it was.
    tables = job_config.table_names({"database": "compact_check", "data_table": "sensor_data", "rejected_table": "sensor_data_rejected", "stats_table": "sensor_data_stats"})
    job.process_batch(kafka_batch(spark, readings(4, CURRENT), first_offset=16, when=DAY2), 4, tables, None, now=lambda: DAY2, run_id=CURRENT)
    for n in (3, 4):
        (Path(config["checkpoint_location"]) / "commits" / str(n)).write_text("v1\n{}\n")
    grown = view_rows(spark, layout)
    compact(spark, config, now=NOW)
    assert view_rows(spark, layout) == grown
    assert stream_partitions(spark, layout) == [(CURRENT, 4)]


def test_a_large_compaction_spreads_each_day_over_several_write_tasks_and_keeps_every_row(spark, tmp_path, template, monkeypatch):
    """At full volume one task per day could not finish inside the timeout (bench:maintenance): a day's batches are
    hashed over copy_buckets keys. One row per file here makes every batch its own key; AQE would merge such tiny
    shuffle partitions, so it is kept from it."""
    config, layout = setup_tables(spark, tmp_path, template, "compact_spread")
    before = view_rows(spark, layout)
    monkeypatch.setattr(maintenance, "COPY_ROWS_PER_FILE", 1)
    previous = {key: spark.conf.get(key) for key in ("spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled")}
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        compact(spark, config, now=NOW)
    finally:
        for key, value in previous.items():
            spark.conf.set(key, value)
    assert view_rows(spark, layout) == before
    files = dict(spark.sql("SELECT day, count(DISTINCT file) FROM (SELECT day, input_file_name() AS file FROM %s) GROUP BY day"
                           % layout["data"]["history"]).collect())
    assert max(files.values()) > 1, files


# The three states a run can leave behind once it has written something (before, it has changed nothing):
# history partly copied; all copied and counted but not committed; committed with the clean-up half done.
@pytest.mark.parametrize("interrupt_at", ["copy stats", "commit", "after-commit-drop"])
def test_an_interrupted_compaction_shows_every_row_once_and_a_rerun_finishes_it(spark, tmp_path, template, interrupt_at):
    database = "interrupted_%s" % interrupt_at.replace("-", "_").replace(" ", "_")
    config, layout = setup_tables(spark, tmp_path, template, database)
    before = view_rows(spark, layout)
    seen = []

    def step(name):
        seen.append(name)
        if name == interrupt_at:
            raise Interrupted(name)
        if interrupt_at == "after-commit-drop" and name == "drop":
            # Half the clean-up done: one table's moved partitions dropped, then the run dies.
            moved = [p for p in maintenance.partitions(spark, layout["data"]["stream"]) if p["run_id"] == EARLIER]
            job_tables.unregister_partitions(spark, layout["data"]["stream"], moved)
            raise Interrupted(name)

    with pytest.raises(Interrupted):
        compact(spark, config, now=NOW, step=step)
    assert view_rows(spark, layout) == before  # what readers see while it lies interrupted

    summary = compact(spark, config, now=NOW)
    assert view_rows(spark, layout) == before
    assert stream_partitions(spark, layout) == [(CURRENT, 2), (CURRENT, 3)]
    ledger = spark.table(housekeeping_layout(job_config.table_name_config({"database": database}))["ledger"]).collect()
    assert sorted((r.run_id, r.first_batch, r.last_batch) for r in ledger) == [(CURRENT, 0, 1), (EARLIER, 0, 1)]
    history_compactions = {p["compaction"] for t in layout.values() for p in maintenance.partitions(spark, t["history"])}
    assert history_compactions == {r.compaction for r in ledger}  # nothing of an interrupted copy is left
    # Interrupted before its commit, the re-run compacts anew; after it, the re-run only finishes the clean-up.
    assert (summary["compaction"] is None) == (interrupt_at == "after-commit-drop")


def test_a_batch_replayed_after_its_compaction_is_not_counted_twice_and_is_cleaned_up(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "replayed_check")
    compact(spark, config, now=NOW)
    before = view_rows(spark, layout)
    tables = job_config.table_names({"database": "replayed_check", "data_table": "sensor_data", "rejected_table": "sensor_data_rejected", "stats_table": "sensor_data_stats"})
    # The earlier run's checkpoint put back and its batch 1 re-run: the same offsets, written again.
    job.process_batch(kafka_batch(spark, readings(1, EARLIER), first_offset=4, when=DAY2), 1, tables, None, now=lambda: DAY2, run_id=EARLIER)
    assert view_rows(spark, layout) == before
    compact(spark, config, now=NOW)
    assert view_rows(spark, layout) == before
    assert stream_partitions(spark, layout) == [(CURRENT, 2), (CURRENT, 3)]


def test_a_run_new_run_closed_keeps_its_committed_batches_and_loses_the_uncommitted_one(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "closed_check")
    # new-run moved the earlier run's checkpoint aside after it committed batch 0; its batch 1 was written but
    # never committed, and the new run reads those offsets again. A never-started aside and an unrelated sibling
    # are no runs to close.
    checkpoint(tmp_path, EARLIER, 0, name="checkpoint.before-20260302T120000Z")
    (tmp_path / "checkpoint.before-20260302T130000Z").mkdir()
    checkpoint(tmp_path, "run-unrelated", 0, name="checkpoint-other")
    before = view_rows(spark, layout)
    uncommitted = {kind: [r for r in rows if (r[-2], r[-1]) == (EARLIER, 1)] for kind, rows in before.items()}
    assert all(uncommitted.values())

    summary = compact(spark, config, now=NOW)
    assert summary["closed_run_batches"] == {t["stream"]: 1 for t in layout.values()}
    assert view_rows(spark, layout) == {kind: [r for r in rows if r not in uncommitted[kind]] for kind, rows in before.items()}
    ledger = spark.table(housekeeping_layout(job_config.table_name_config({"database": "closed_check"}))["ledger"]).collect()
    assert sorted((r.run_id, r.first_batch, r.last_batch) for r in ledger) == [(CURRENT, 0, 1), (EARLIER, 0, 0)]
    assert stream_partitions(spark, layout) == [(CURRENT, 2), (CURRENT, 3)]
    # Repeated: nothing more to close, nothing else moves.
    after = view_rows(spark, layout)
    assert compact(spark, config, now=NOW + timedelta(hours=1))["closed_run_batches"] == {}
    assert view_rows(spark, layout) == after


def test_retention_goes_by_when_a_compaction_was_committed_never_by_a_producer_timestamp(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "retention_check")
    tables = job_config.table_names({**job_config.DEFAULTS, "database": "retention_check"})
    # The earlier run's last batch came from producers whose clocks said 1970 and 2099: compared as days of a
    # Kafka timestamp, the first would go at once and the second never.
    for batch_id, when in ((2, datetime(1970, 1, 2)), (3, datetime(2099, 1, 1))):
        job.process_batch(kafka_batch(spark, readings(batch_id, EARLIER), first_offset=batch_id * 4, when=when), batch_id,
                          tables, None, now=lambda: when, run_id=EARLIER)
    before = view_rows(spark, layout)
    summary = compact(spark, config, retention_days={"rejected": 1, "data": 1}, now=NOW)
    assert summary["expired_compactions"] == {"rejected": 0, "data": 0}
    assert view_rows(spark, layout) == before  # nothing goes in the run that compacts it

    later = compact(spark, config, retention_days={"rejected": 1, "data": 1, "stats": 0}, now=NOW + timedelta(days=1, minutes=1))
    assert later["expired_compactions"] == {"rejected": 1, "data": 1}
    assert maintenance.partitions(spark, layout["data"]["history"]) == maintenance.partitions(spark, layout["rejected"]["history"]) == []
    assert view_rows(spark, layout)["stats"] == before["stats"]  # kept: no limit for stats
    # What streams still (the current run's batches 2 and 3) is untouched.
    assert sorted({(r.run_id, r.batch_id) for r in spark.table(layout["data"]["view"]).collect()}) == [(CURRENT, 2), (CURRENT, 3)]


def test_renaming_the_data_table_keeps_the_ledger_and_every_compacted_row_of_the_other_tables(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "renamed_check")
    compact(spark, config, now=NOW)
    before = view_rows(spark, layout)
    # The refusal's advice for a destructive change: give the data table a new name. The ledger is the query's.
    renamed = {**config, "data_table": "sensor_data_v2"}
    create_all(spark, "renamed_check", data_table="sensor_data_v2")
    compact(spark, renamed, now=NOW + timedelta(hours=1))
    assert view_rows(spark, layout)["rejected"] == before["rejected"]
    assert view_rows(spark, layout)["stats"] == before["stats"]
    assert maintenance.partitions(spark, layout["stats"]["history"]) != []


def test_an_earlier_releases_ledger_is_adopted_before_any_view_reads_the_new_one(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "adopted_check")
    compact(spark, config, now=NOW)
    before = view_rows(spark, layout)
    names = job_config.table_name_config({"database": "adopted_check"})
    ledger, earlier = housekeeping_layout(names)["ledger"], housekeeping_layout(names)["earlier_ledger"]
    # What a release before this one left: the same ledger under <data_table>_compactions (and no guard view).
    spark.sql("DROP VIEW %s" % earlier)
    spark.sql("CREATE TABLE %s USING PARQUET PARTITIONED BY (compaction) AS SELECT * FROM %s" % (earlier, ledger))
    spark.sql("DROP TABLE %s" % ledger)
    for _ in range(2):  # a re-run (after an interruption) changes nothing more
        create_all(spark, "adopted_check")
        assert view_rows(spark, layout) == before
    assert table_type(spark, earlier) == "VIEW"
    compact(spark, config, now=NOW + timedelta(hours=1))
    assert view_rows(spark, layout) == before
    assert maintenance.partitions(spark, layout["data"]["history"]) != []


def test_a_release_from_before_the_ledger_moved_cannot_recreate_its_ledger_empty_or_drop_a_compaction(spark, tmp_path, template):
    """The rollback to a release that named the ledger <data_table>_compactions: its DDL would recreate that ledger
    empty (CREATE TABLE IF NOT EXISTS) and its maintenance then drop every history partition as an interrupted copy.
    The name is a view of the query's ledger, so its DDL changes nothing and refuses, and what its maintenance reads
    as committed is every committed compaction."""
    config, layout = setup_tables(spark, tmp_path, template, "guard_check")
    compact(spark, config, now=NOW)
    before = view_rows(spark, layout)
    names = job_config.table_name_config({"database": "guard_check"})
    ledger, earlier = housekeeping_layout(names)["ledger"], housekeeping_layout(names)["earlier_ledger"]
    assert table_type(spark, earlier) == "VIEW"
    # The older release's ledger statement, alone and as its create_tables.py runs it.
    older_ledger = ("CREATE TABLE IF NOT EXISTS %s (run_id string, first_batch bigint, last_batch bigint, compacted_at timestamp, "
                    "compaction string) USING PARQUET PARTITIONED BY (compaction)" % earlier)
    spark.sql(older_ledger)
    with pytest.raises(MigrationRefused, match="partitioned by"):
        create_tables(spark, [older_ledger], "guard_check")
    assert table_type(spark, earlier) == "VIEW"
    committed = {r.compaction for r in spark.table(earlier).collect()}
    assert committed == {r.compaction for r in spark.table(ledger).collect()} != set()
    for kind in ("data", "rejected", "stats"):
        assert {p["compaction"] for p in maintenance.partitions(spark, layout[kind]["history"])} <= committed  # none looks uncommitted
    with pytest.raises(Exception, match="(?i)view"):
        spark.sql("INSERT INTO TABLE %s PARTITION (compaction = 'c-older') SELECT 'r', 0, 0, current_timestamp()" % earlier)
    assert view_rows(spark, layout) == before


def test_a_ledger_that_is_not_the_historys_own_is_refused_and_nothing_is_removed(spark, tmp_path, template):
    """A changed query_name gives the job a new, empty ledger: every compaction in the history then looks like an
    interrupted copy. Only one can be, so maintenance refuses and keeps them; with the name back it goes on."""
    config, layout = setup_tables(spark, tmp_path, template, "foreign_check")
    compact(spark, config, now=NOW)
    later = {**config, "checkpoint_location": checkpoint(tmp_path, CURRENT, 3, name="checkpoint-later")}
    compact(spark, later, now=NOW + timedelta(hours=1))
    history = {kind: maintenance.partitions(spark, layout[kind]["history"]) for kind in layout}
    assert len({p["compaction"] for p in history["data"]}) == 2
    create_all(spark, "foreign_check", query_name="renamed-query")
    with pytest.raises(maintenance.MaintenanceRefused, match=r"2 compaction\(s\) the ledger foreign_check.renamed_query_compactions does not name"):
        compact(spark, {**later, "query_name": "renamed-query"}, now=NOW + timedelta(hours=2))
    assert {kind: maintenance.partitions(spark, layout[kind]["history"]) for kind in layout} == history
    create_all(spark, "foreign_check")
    compact(spark, later, now=NOW + timedelta(hours=3))
    assert {kind: maintenance.partitions(spark, layout[kind]["history"]) for kind in layout} == history


def test_a_single_compaction_of_another_ledger_is_refused_too_but_an_interrupted_copy_is_removed(spark, tmp_path, template):
    """One compaction in the history, then a new ledger (query_name changed): its batches have left the streaming
    tables, so it is no interrupted copy, and removing it would lose its rows. An interrupted copy's batches are all
    still streaming: that one is removed, and the next run compacts them again."""
    config, layout = setup_tables(spark, tmp_path, template, "single_check")
    compact(spark, config, now=NOW)
    history = {kind: maintenance.partitions(spark, layout[kind]["history"]) for kind in layout}
    create_all(spark, "single_check", query_name="renamed-query")
    with pytest.raises(maintenance.MaintenanceRefused, match=r"1 compaction\(s\) the ledger single_check.renamed_query_compactions"):
        compact(spark, {**config, "query_name": "renamed-query"}, now=NOW + timedelta(hours=1))
    assert {kind: maintenance.partitions(spark, layout[kind]["history"]) for kind in layout} == history

    create_all(spark, "single_check")
    later = {**config, "checkpoint_location": checkpoint(tmp_path, CURRENT, 3, name="checkpoint-later")}
    before = view_rows(spark, layout)

    def interrupt(name):
        if name == "commit":
            raise Interrupted(name)

    with pytest.raises(Interrupted):
        compact(spark, later, now=NOW + timedelta(hours=2), step=interrupt)
    compact(spark, later, now=NOW + timedelta(hours=3))
    assert view_rows(spark, layout) == before
    compactions = {p["compaction"] for p in maintenance.partitions(spark, layout["data"]["history"])}
    assert len(compactions) == 2


def test_without_a_checkpoint_every_run_is_an_earlier_one_and_missing_tables_are_refused(spark, tmp_path, template):
    config, layout = setup_tables(spark, tmp_path, template, "no_checkpoint")
    compact(spark, {**config, "checkpoint_location": str(tmp_path / "never-started")}, now=NOW)
    assert stream_partitions(spark, layout) == []
    with pytest.raises(maintenance.MaintenanceRefused, match="missing table.*nowhere.sensor_data_history.*run the table DDL"):
        spark.sql("CREATE DATABASE IF NOT EXISTS nowhere")
        names = job_config.table_name_config({"database": "nowhere"})
        create_tables(spark, render_statements(TABLES_SQL, names), "nowhere")
        compact(spark, {"database": "nowhere", "checkpoint_location": config["checkpoint_location"]}, now=NOW)


def test_retention_arguments_name_what_is_allowed():
    assert maintenance.parse_retention(["rejected=30", "data=0"]) == {"rejected": 30, "data": 0}
    with pytest.raises(ValueError, match="allowed: <kind>=<days> with kind one of data, rejected, stats"):
        maintenance.parse_retention(["readings=30"])
