"""Benchmark: a night's housekeeping (maintenance.compact) at the largest configured environment's volume, measured
on a sample and extrapolated (issue 30 item 5).

    npm run bench:maintenance [-- --sensors 1000 --rows-per-batch 20000 --row-batches 100]

The volume comes from config/ (bench/maintenance/volume.ts): per environment its peak readings/s, its trigger, its
maintenance timeout and its executor cores. A night moves one day of batches: 86,400 s / trigger partitions in
each of the three streaming tables (2,880 at a 30 s trigger), holding peak readings/s x 86,400 readings.

Two samples, each in a fresh database on local[2] with a Hive catalog on Derby, its streaming tables filled by one
bulk insert (one file per batch, as the job writes them) and a checkpoint whose last commit is the last batch:
  - the day's partition count with few rows each: what the catalog and file system work costs per partition;
  - a few batches with many rows: what the copy costs per row, and on how many tasks it ran.
Each sample runs two maintenance passes as a night does: one compacts, drops (drop_after 0: the 180 s wait for
readers is a constant, added to the estimate) and expires; the next deletes the dropped partitions' files
(delete_after 0; a night deletes the night before's). Prints each step's duration, the fitted costs, and per
environment the estimated night against its timeout. The copy's rows are assumed to spread over the executor cores
as they spread over this machine's two (the copy's task count is printed); the catalog work runs on the driver and
does not spread. No assertion: the figures are the result.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[2]
for path in ("jobs/sensor_aggregation", "bench"):
    sys.path.insert(0, str(REPO / path))

import maintenance  # noqa: E402
from create_tables import (KINDS, UNREGISTER_AFTER_SECONDS, create_job_tables, housekeeping_layout,  # noqa: E402
                           render_statements)
from hive_session import hive_session  # noqa: E402
from job_config import table_name_config  # noqa: E402
from job_tables import TABLE_SCHEMAS, TABLES_SQL  # noqa: E402

RUN = "00000000-0000-4000-8000-00000000000b"
DAY = 86400
START = datetime(2026, 12, 3, 2, 17, 0)  # a night's compaction covers the day since the last one
REJECTED_FRACTION = 0.01


def volumes() -> List[Dict[str, object]]:
    tsx = REPO / "node_modules" / ".bin" / "tsx"
    out = subprocess.run([str(tsx), str(REPO / "bench" / "maintenance" / "volume.ts")], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def column_values(kind: str, rows_per_batch: int, sensors: int, trigger_seconds: float) -> Dict[str, str]:
    """Per column of the kind's table, an expression over spark.range's `id` (row i of batch i div rows_per_batch)."""
    batch = "CAST(id DIV %d AS BIGINT)" % rows_per_batch
    when = "CAST(%d + (id DIV %d) * %s AS TIMESTAMP)" % (int(START.timestamp()), rows_per_batch, trigger_seconds)
    common = {"kafka_partition": "CAST(id % 32 AS INT)", "kafka_offset": "id", "event_time": when, "ts": when,
              "run_id": "'%s'" % RUN, "batch_id": batch}
    own = {
        "data": {"sensor": "concat('S', id %% %d)" % sensors, "measure1": "rand(1) * 100", "measure2": "rand(2) * 40"},
        "rejected": {"raw_value": "concat('{\"sensor\": \"S', id, '\", \"measure1\": \"not a number\"}')",
                     "reason": "'measure1 is not a number'", "kafka_topic": "'sensor-readings'"},
        "stats": {"sensor": "concat('S', id %% %d)" % sensors, "measure2_avg": "rand(3) * 40", "measure1_avg": "rand(4) * 100",
                  "count_sensor": "CAST(1 + id % 20 AS BIGINT)"},
    }[kind]
    return {**common, **own}


def fill(spark, table: str, kind: str, batches: int, rows_per_batch: int, sensors: int, trigger_seconds: float) -> None:
    """The kind's streaming table holding `batches` batches of `rows_per_batch` rows, one file per batch."""
    values = column_values(kind, rows_per_batch, sensors, trigger_seconds)
    columns = ", ".join("%s AS `%s`" % (values[name], name) for name, _ in TABLE_SCHEMAS[kind])
    spark.range(batches * rows_per_batch).createOrReplaceTempView("bench_ids")
    spark.sql("INSERT INTO TABLE %s PARTITION (run_id, batch_id) SELECT %s FROM bench_ids DISTRIBUTE BY run_id, batch_id"
              % (table, columns))


def checkpoint(work: Path, last_commit: int) -> str:
    root = work / ("checkpoint-%d" % last_commit)
    (root / "commits").mkdir(parents=True)
    (root / "metadata").write_text(json.dumps({"id": RUN}) + "\n")
    (root / "commits" / str(last_commit)).write_text("v1\n{}\n")
    return str(root)


class StepClock:
    """Times maintenance.compact's steps from its step callback: each lasts until the next one starts."""

    def __init__(self) -> None:
        self.seconds = {}  # type: Dict[str, float]
        self.current = None
        self.since = 0.0

    def __call__(self, name: str) -> None:
        self.stop()
        self.current, self.since = name, time.monotonic()

    def stop(self) -> None:
        if self.current is not None:
            self.seconds[self.current] = self.seconds.get(self.current, 0.0) + time.monotonic() - self.since
            self.current = None


def copy_spread(spark, history: str, compaction: str) -> float:
    """How many cores the copy kept busy at once: its files' total size over its largest file's (each file one write
    task's share of a day), on this machine at most its two cores."""
    from job_tables import list_dir, table_location  # noqa: E402

    sizes = []
    location = table_location(spark, history)
    for day, day_path, is_dir in list_dir(spark, location) or []:
        if is_dir and day.startswith("day="):
            jvm = spark.sparkContext._jvm
            path = jvm.org.apache.hadoop.fs.Path(day_path + "/compaction=" + compaction)
            fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
            if fs.exists(path):
                sizes += [int(s.getLen()) for s in fs.listStatus(path) if s.getPath().getName().startswith("part-")]
    return min(2.0, sum(sizes) / max(sizes)) if sizes else 1.0


def sample(spark, work: Path, name: str, batches: int, rows_per_batch: int, sensors: int, trigger_seconds: float) -> Dict[str, object]:
    """One night's two maintenance passes over a fresh database of `batches` batches per table."""
    names = table_name_config({"database": "bench_%s" % name})
    with contextlib.redirect_stdout(io.StringIO()):  # its statements; the figures are what this prints
        create_job_tables(spark, render_statements(TABLES_SQL, names), names, RUN)
    layout = housekeeping_layout(names)["tables"]
    rows = {"data": rows_per_batch, "stats": max(1, min(sensors, rows_per_batch)), "rejected": max(1, int(rows_per_batch * REJECTED_FRACTION))}
    started = time.monotonic()
    for kind in KINDS:
        fill(spark, layout[kind]["stream"], kind, batches, rows[kind], sensors, trigger_seconds)
    setup = time.monotonic() - started
    config = {"database": names["database"], "checkpoint_location": checkpoint(work, batches - 1)}

    clock = StepClock()
    with contextlib.redirect_stdout(io.StringIO()):
        summary = maintenance.compact(spark, config, step=clock, drop_after=timedelta(0))
        clock.stop()
        clock("next night: delete files")
        maintenance.compact(spark, config, delete_after=timedelta(0), step=lambda label: None)
        clock.stop()
    spread = copy_spread(spark, layout["data"]["history"], str(summary["compaction"]))
    moved = summary["moved_rows"]  # type: ignore[index]
    return {"name": name, "batches": batches, "rows": moved, "setup": setup, "steps": clock.seconds,
            "spread": spread, "moved_batches": summary["moved_batches"]}


def report(result: Dict[str, object]) -> None:
    steps = result["steps"]  # type: Dict[str, float]  # type: ignore[assignment]
    print("bench:maintenance: sample %s: %d batches per table, rows moved %s (setup %.0f s)"
          % (result["name"], result["batches"], json.dumps(result["rows"], sort_keys=True), result["setup"]))
    for label, seconds in steps.items():
        print("bench:maintenance:   %-26s %8.1f s" % (label, seconds))
    print("bench:maintenance:   %-26s %8.1f s (the data copy kept %.2f core(s) busy)" % ("total", sum(steps.values()), result["spread"]))


COPY_STEPS = ("copy data", "copy rejected", "copy stats", "verify")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench:maintenance")
    parser.add_argument("--sensors", type=int, default=1000, help="distinct sensors per batch (its stats rows)")
    parser.add_argument("--rows-per-batch", type=int, default=20000, help="readings per batch in the rows sample")
    parser.add_argument("--row-batches", type=int, default=100, help="batches in the rows sample")
    parser.add_argument("--partitions", type=int, default=0, help="batches per table in the partitions sample (0: a day of the largest environment's)")
    parser.add_argument("--partition-rows", type=int, default=20, help="readings per batch in the partitions sample")
    args = parser.parse_args()
    envs = volumes()
    largest = max(envs, key=lambda e: float(e["peakEventsPerSecond"]))  # type: ignore[arg-type]
    day_batches = int(DAY / float(largest["triggerSeconds"]))  # type: ignore[arg-type]
    partitions = args.partitions or day_batches
    print("bench:maintenance: the largest configured environment is %s: %s readings/s at peak, a %s s trigger: %d batches "
          "per table and %.3g readings a day" % (largest["name"], largest["peakEventsPerSecond"], largest["triggerSeconds"],
                                                day_batches, float(largest["peakEventsPerSecond"]) * DAY), flush=True)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="bench-maintenance-") as work:
        spark = hive_session(Path(work), "bench-maintenance")
        trigger = float(largest["triggerSeconds"])  # type: ignore[arg-type]
        sample(spark, Path(work), "warmup", 4, 10, 3, trigger)
        by_partitions = sample(spark, Path(work), "partitions", partitions, args.partition_rows, args.sensors, trigger)
        report(by_partitions)
        by_rows = sample(spark, Path(work), "rows", args.row_batches, args.rows_per_batch, args.sensors, trigger)
        report(by_rows)
        spark.stop()
    estimate(envs, by_partitions, by_rows, args.sensors)
    return 0


def estimate(envs: List[Dict[str, object]], by_partitions: Dict[str, object], by_rows: Dict[str, object], sensors: int) -> None:
    """Fits night = fixed + per partition x partitions + per batch's file x batches + per row x rows / cores busy,
    and applies it to each environment's day at peak."""
    def split(result):  # (the copy's seconds, every other step's seconds)
        steps = result["steps"]
        copy = sum(steps.get(s, 0.0) for s in COPY_STEPS)
        return copy, sum(steps.values()) - copy
    rows_copy, rows_rest = split(by_rows)
    part_copy, part_rest = split(by_partitions)
    per_row_core = rows_copy * by_rows["spread"] / sum(by_rows["rows"].values())  # one core's time per row
    per_partition = max(part_rest - rows_rest, 0.0) / (len(KINDS) * (by_partitions["moved_batches"] - by_rows["moved_batches"]))
    fixed = max(rows_rest - per_partition * len(KINDS) * by_rows["moved_batches"], 0.0)
    per_batch = max(part_copy - per_row_core / by_partitions["spread"] * sum(by_partitions["rows"].values()), 0.0) / by_partitions["moved_batches"]
    print("bench:maintenance: fitted: %.1f ms of catalog and file system work per partition (on the driver), %.2f us per "
          "copied row on one core, %.1f ms of copy per batch (its files), %.0f s fixed"
          % (per_partition * 1000, per_row_core * 1e6, per_batch * 1000, fixed))
    for env in envs:
        batches = DAY / float(env["triggerSeconds"])
        rows = float(env["peakEventsPerSecond"]) * DAY * (1 + REJECTED_FRACTION) + batches * sensors
        # The copy spreads a day over copy_buckets keys, hashed onto the shuffle partitions, run on the cores.
        busy = min(int(env["executorCores"]), int(env["shufflePartitions"]), maintenance.copy_buckets(int(rows)))
        catalog, copy = per_partition * len(KINDS) * batches, per_batch * batches + per_row_core * rows / busy
        night = fixed + UNREGISTER_AFTER_SECONDS + catalog + copy
        timeout = float(env["maintenanceTimeoutSeconds"])
        print("bench:maintenance: %-8s %5.0f batches per table, %.3g rows a day at peak: a night %6.0f s (catalog %5.0f s, "
              "copy %6.0f s on %.0f of %s cores, the wait for readers %d s) against a %5.0f s timeout: %s"
              % (env["name"], batches, rows, night, catalog, copy, busy, env["executorCores"], UNREGISTER_AFTER_SECONDS,
                 timeout, "keeps up" if night <= timeout else "DOES NOT keep up"))


if __name__ == "__main__":
    sys.exit(main())
