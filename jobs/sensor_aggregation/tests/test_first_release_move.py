"""The first-release move (first_release_move.py): each batch moves under the run that wrote it, told by time, or
the move is refused changing nothing; an interruption at any step is finished by a re-run; a finished move is never
repeated, not even into a dropped table. Labels are checked for generated histories of runs."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import first_release_move as move
import job
import job_config
import job_tables
from corpus_seed import POISON_SEED
from create_tables import MigrationRefused, create_tables, render_statements
from kafka_frames import kafka_batch
from test_batch_logic import TABLES_SQL

RELEASE_1_SQL = (Path(__file__).parent / "fixtures" / "tables-release-1.sql").read_text()
NOW = int(time.time())
BEFORE, STARTED, AFTER = NOW - 3000, NOW - 2000, NOW - 1000  # seconds: run-b's checkpoint started at STARTED


def release_1_tables(spark, database, batches=(4,)):
    """Tables as the first release created them (partitioned by batch_id alone), one data and one stats row a batch."""
    names = job_config.table_name_config({"database": database})
    create_tables(spark, render_statements(RELEASE_1_SQL, names), database)
    for batch in batches:
        spark.sql("INSERT INTO %s.sensor_data PARTITION (batch_id = %d) VALUES ('S%d', 1.5, 2.5, 0, %d, TIMESTAMP '2026-01-01 00:00:00')" % (database, batch, batch, 10 + batch))
        spark.sql("INSERT INTO %s.sensor_data_stats PARTITION (batch_id = %d) VALUES ('S%d', 2.5, 1.5, 1, TIMESTAMP '2026-01-01 00:00:00')" % (database, batch, batch))
    return names


def set_written(spark, table, batch_id, *seconds):
    """Gives the partition's data files these modification times (one each, the last repeated)."""
    directory = Path(job_tables.table_location(spark, table).replace("file:", "")) / ("batch_id=%d" % batch_id)
    files = sorted(f for f in os.listdir(directory) if not f.startswith((".", "_")))
    for index, name in enumerate(files):
        at = seconds[min(index, len(seconds) - 1)]
        os.utime(directory / name, (at, at))


def checkpoint(tmp_path, name, run_id, started, last_batch):
    root = tmp_path / name
    (root / "offsets").mkdir(parents=True)
    for batch in range(last_batch + 1):
        (root / "offsets" / str(batch)).write_text("v1\n{}\n")
    (root / "metadata").write_text(json.dumps({"id": run_id}) + "\n")
    os.utime(root / "metadata", (started, started))
    return str(root)


def moved_rows(spark, table):
    return sorted((r.sensor, r.run_id, r.batch_id) for r in spark.table(table).collect())


def test_each_batch_moves_under_the_run_that_wrote_it_and_then_the_job_writes_correctly(spark, tmp_path):
    names = release_1_tables(spark, "label_check", batches=(1, 2, 3))
    cp = checkpoint(tmp_path, "cp", "run-b", STARTED, last_batch=5)
    for batch in (1, 2):
        set_written(spark, "label_check.sensor_data", batch, BEFORE)  # by a run whose checkpoint was deleted
    set_written(spark, "label_check.sensor_data", 3, AFTER)
    for batch in (1, 2, 3):
        set_written(spark, "label_check.sensor_data_stats", batch, AFTER)  # run-b's batches overwrote these
    windows = move.checkpoint_windows(spark, cp)
    assert windows == [("run-b", STARTED * 1000, 5)]
    create_tables(spark, render_statements(TABLES_SQL, names), "label_check", windows)
    create_tables(spark, render_statements(TABLES_SQL, names), "label_check", windows)  # idempotent
    tables = job_config.table_names(dict(names))
    assert moved_rows(spark, tables["data"]) == [("S1", move.EARLIER_RUN, 1), ("S2", move.EARLIER_RUN, 2), ("S3", "run-b", 3)]
    assert moved_rows(spark, tables["stats"]) == [("S1", "run-b", 1), ("S2", "run-b", 2), ("S3", "run-b", 3)]
    assert move.legacy_rows(spark, tables["data"] + move.LEGACY_SUFFIX).count() == 3  # kept for the operator
    assert job.schema_problems(spark, tables) == []
    # run-b's batch 3 replayed overwrites its own rows; the earlier run's batch 2 is never touched by run-b's batch 2.
    job.process_batch(kafka_batch(spark, [{"sensor": "S3", "measure1": 1.5, "measure2": 2.5}], first_offset=13), 3, tables, None, run_id="run-b")
    job.process_batch(kafka_batch(spark, [{"sensor": "N2", "measure1": 1.0, "measure2": 1.0}], first_offset=20), 2, tables, None, run_id="run-b")
    assert moved_rows(spark, tables["data"]) == [("N2", "run-b", 2), ("S1", move.EARLIER_RUN, 1), ("S2", move.EARLIER_RUN, 2), ("S3", "run-b", 3)]


@pytest.mark.parametrize("problem, times, last_batch", [
    ("its files were written both before and after run run-b started", (BEFORE, AFTER), 5),
    ("written while run run-b ran, whose offsets log ends at batch 2", (AFTER,), 2),
])
def test_a_batch_whose_run_cannot_be_told_is_refused_changing_nothing(spark, tmp_path, problem, times, last_batch):
    database = "refuse_check_%d" % last_batch
    names = release_1_tables(spark, database, batches=(3, 4))
    # Two writes into one partition (not an overwrite); or a batch its run never reached (another writer).
    spark.sql("INSERT INTO %s.sensor_data PARTITION (batch_id = 3) VALUES ('T', 1.0, 1.0, 0, 99, TIMESTAMP '2026-01-01 00:00:00')" % database)
    set_written(spark, database + ".sensor_data", 3, *times)
    for batch in (3, 4):
        set_written(spark, database + ".sensor_data_stats", batch, AFTER)
    set_written(spark, database + ".sensor_data", 4, AFTER)
    windows = move.checkpoint_windows(spark, checkpoint(tmp_path, "cp", "run-b", STARTED, last_batch))
    with pytest.raises(MigrationRefused, match=r"sensor_data: the run of some first-release batches cannot be told.*batch_id=3: " + problem):
        create_tables(spark, render_statements(TABLES_SQL, names), database, windows)
    assert job_tables.existing_table(spark, database + ".sensor_data")[1] == ["batch_id"]  # nothing moved, no table renamed
    assert job_tables.existing_table(spark, database + ".sensor_data_stats")[1] == ["batch_id"]
    assert job_tables.existing_table(spark, database + ".sensor_data" + move.LEGACY_SUFFIX) is None


class Interrupted(RuntimeError):
    pass


@pytest.mark.parametrize("stop_at", move.MOVE_STEPS)
def test_a_move_interrupted_at_any_step_is_finished_by_a_re_run_and_never_repeated(spark, tmp_path, stop_at):
    database = "interrupted_" + stop_at.replace(" ", "_")
    names = release_1_tables(spark, database, batches=(4, 5))
    windows = [("run-b", 0, 10)]

    def interrupt(name):
        if name == stop_at:
            raise Interrupted(name)

    with pytest.raises(Interrupted):
        create_tables(spark, render_statements(TABLES_SQL, names), database, windows, step=interrupt)
    create_tables(spark, render_statements(TABLES_SQL, names), database, windows)
    tables = job_config.table_names(dict(names))
    expected = [("S4", "run-b", 4), ("S5", "run-b", 5)]
    assert moved_rows(spark, tables["data"]) == expected and moved_rows(spark, tables["stats"]) == expected
    legacy = tables["data"] + move.LEGACY_SUFFIX
    assert job_tables.table_properties(spark, legacy)[move.MOVED_TO_PROPERTY] == tables["data"]
    assert job_tables.table_properties(spark, tables["data"])[move.MIGRATED_PROPERTY] == legacy
    # Done means done: the job's rows stay as they are, and a dropped table is created empty, not filled again.
    job.process_batch(kafka_batch(spark, [{"sensor": "S4", "measure1": 9.0, "measure2": 9.0}], first_offset=14), 4, tables, None, run_id="run-b")
    create_tables(spark, render_statements(TABLES_SQL, names), database, windows)
    assert [(r.sensor, r.measure1) for r in spark.table(tables["data"]).where("batch_id = 4").collect()] == [("S4", 9.0)]
    spark.sql("DROP TABLE %s" % tables["data"])
    create_tables(spark, render_statements(TABLES_SQL, names), database, windows)
    assert spark.table(tables["data"]).count() == 0
    assert move.legacy_rows(spark, legacy).count() == 2


# A generated history: runs one after another, each writing some of its batches (a batch with no rows for this
# table writes nothing, so an earlier run's partition of that id stays); the checkpoints of the first runs were
# deleted, the later ones' are kept (the live one, and asides).
RUN_HISTORY = st.lists(st.tuples(st.integers(1, 50), st.lists(st.booleans(), max_size=8)), min_size=1, max_size=5)


@seed(POISON_SEED)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RUN_HISTORY, st.integers(0, 5))
def test_generated_histories_label_each_partition_with_its_writer_or_the_earlier_run(history, deleted):
    written, writer, windows, at = {}, {}, [], 0
    for index, (gap, writes) in enumerate(history):
        run, at = "run-%d" % index, at + gap * 1000
        started = at
        for batch_id, has_rows in enumerate(writes):
            at += 10
            if has_rows:
                written[batch_id], writer[batch_id] = (at, at), run
        if index >= deleted:
            windows.append((run, started, len(writes) - 1 if writes else None))
    labels, problems = move.label_batches(written, windows)
    known = {w[0] for w in windows}
    assert problems == []
    assert labels == {b: (run if run in known else move.EARLIER_RUN) for b, run in writer.items()}


@seed(POISON_SEED)
@settings(max_examples=200, deadline=None)
@given(RUN_HISTORY.filter(lambda h: len(h) >= 2), st.integers(0, 7), st.booleans())
def test_generated_foreign_writes_are_refused_by_batch(history, batch_id, straddles):
    """A partition written across a run's start, or by a batch id beyond its run's offsets, is named, never labeled."""
    windows, at = [], 0
    for index, (gap, writes) in enumerate(history):
        at += gap * 1000 + 10 * len(writes)
        windows.append(("run-%d" % index, at - 10 * len(writes), len(writes) - 1 if writes else None))
    last = windows[-1]
    if straddles:
        written = {batch_id: (windows[-2][1] + 1, last[1] + 1)}
    else:
        written = {(last[2] if last[2] is not None else -1) + 1 + batch_id: (last[1] + 1, last[1] + 1)}
    labels, problems = move.label_batches(written, windows)
    assert labels == {} and len(problems) == 1 and ("batch_id=%d:" % list(written)[0]) in problems[0]


def test_after_the_move_a_kept_legacy_table_does_not_stop_later_migrations_and_an_older_mark_is_completed(spark):
    """A move the release before this one finished marked the new table alone: the legacy table gets its mark (so a
    drop is never refilled), and a column a later release adds is still added while the legacy table is kept."""
    names = release_1_tables(spark, "after_move_check")
    create_tables(spark, render_statements(TABLES_SQL, names), "after_move_check", [("run-b", 0, 10)])
    tables = job_config.table_names(dict(names))
    legacy = tables["data"] + move.LEGACY_SUFFIX
    spark.sql("ALTER TABLE %s UNSET TBLPROPERTIES ('%s')" % (legacy, move.MOVED_TO_PROPERTY))  # as that release left it
    added = TABLES_SQL.replace("  event_time timestamp,\n  run_id string,", "  event_time timestamp,\n  site string,\n  run_id string,", 1)
    create_tables(spark, render_statements(added, names), "after_move_check", [("run-b", 0, 10)])
    assert "site" in spark.table(tables["data"]).columns
    assert job_tables.table_properties(spark, legacy)[move.MOVED_TO_PROPERTY] == tables["data"]
    spark.sql("DROP TABLE %s" % tables["data"])
    create_tables(spark, render_statements(added, names), "after_move_check", [("run-b", 0, 10)])
    assert spark.table(tables["data"]).count() == 0


def test_two_windows_of_one_run_count_as_one_and_an_unreadable_checkpoint_refuses_its_batches():
    copied = [("run-a", 1000, 3), ("run-a", 5000, 6)]  # an aside copied from the live checkpoint later
    assert move.label_batches({5: (2000, 6000)}, copied) == ({5: "run-a"}, [])
    labels, problems = move.label_batches({1: (2000, 2000), 2: (500, 500)}, [(None, 1000, None)])
    assert labels == {2: move.EARLIER_RUN} and problems == ["batch_id=1: written while a checkpoint whose run cannot be read ran"]
