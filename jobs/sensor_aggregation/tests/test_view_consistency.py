"""A reader looping over the <table>_all views while the job writes batches and maintenance compacts them, all at
once on real Spark: every query sees each reading of every batch committed before it started, and each reading
once, and no query fails because of a compaction."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import job
import job_config
import maintenance
from create_tables import create_job_tables, housekeeping_layout, render_statements
from kafka_frames import kafka_batch
from test_batch_logic import TABLES_SQL
from test_maintenance import checkpoint

RUN = "run-live"
READINGS_PER_BATCH = 5
VISIBLE_AFTER_SECONDS = 2  # the views' delay, short here so that compactions become visible within the test
DROP_AFTER, DELETE_AFTER = timedelta(seconds=4), timedelta(seconds=10)  # past the delay; past any reader query here
ENOUGH = {"compactions": 4, "dropped": 1, "deleted": 1, "passes": 20}
LIMIT_SECONDS = 150


def test_a_reader_sees_every_committed_reading_exactly_once_during_compactions(spark, tmp_path: Path):
    names = job_config.table_name_config({"database": "view_race"})
    create_job_tables(spark, render_statements(TABLES_SQL, names), names, visible_after_seconds=VISIBLE_AFTER_SECONDS)
    tables = job_config.table_names(dict(names))
    view = housekeeping_layout(names)["tables"]["data"]["view"]
    config = {"database": "view_race", "checkpoint_location": checkpoint(tmp_path, RUN, committed=-1)}
    commits = Path(config["checkpoint_location"]) / "commits"
    committed = []  # batch ids, in commit order
    stop, errors = threading.Event(), []
    progress = Counter()

    def writer():
        batch_id = 0
        while not stop.is_set():
            readings = [{"sensor": "S%d" % i, "measure1": float(i), "measure2": 1.0} for i in range(READINGS_PER_BATCH)]
            job.process_batch(kafka_batch(spark, readings, first_offset=batch_id * READINGS_PER_BATCH), batch_id, tables, None, run_id=RUN)
            (commits / str(batch_id)).write_text("v1\n{}\n")
            committed.append(batch_id)
            batch_id += 1

    def housekeeper():
        while not stop.is_set():
            summary = maintenance.compact(spark, config, drop_after=DROP_AFTER, delete_after=DELETE_AFTER)
            progress["compactions"] += summary["compaction"] is not None
            progress["dropped"] += sum(summary["dropped_partitions"].values())  # type: ignore[union-attr]
            progress["deleted"] += sum(summary["deleted_partition_files"].values())  # type: ignore[union-attr]

    def guarded(work):
        def run():
            try:
                work()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
                stop.set()
        return threading.Thread(target=run, daemon=True)

    threads = [guarded(writer), guarded(housekeeper)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    try:
        while not stop.is_set() and time.monotonic() - started < LIMIT_SECONDS and not all(progress[k] >= n for k, n in ENOUGH.items()):
            before = list(committed)
            seen = Counter(r.kafka_offset for r in spark.sql("SELECT kafka_offset FROM %s WHERE run_id = '%s'" % (view, RUN)).collect())
            twice = sorted(offset for offset, n in seen.items() if n > 1)
            missing = sorted(offset for b in before for offset in range(b * READINGS_PER_BATCH, (b + 1) * READINGS_PER_BATCH) if offset not in seen)
            assert (twice, missing) == ([], []), "pass %d: readings seen twice %s, committed ones missing %s" % (progress["passes"], twice, missing)
            progress["passes"] += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert all(progress[k] >= n for k, n in ENOUGH.items()), "too little happened in %d s: %s" % (LIMIT_SECONDS, dict(progress))
