"""Benchmark: a night's housekeeping (maintenance.compact) at the largest configured environment's volume, measured
on a sample and extrapolated (issue 30 item 5).

    npm run bench:maintenance [-- --partitions 300,1200 --sensors 1000 --rows-per-batch 80000 --row-batches 100]

The volume comes from config/ (bench/maintenance/volume.ts): per environment its peak readings/s, its trigger, its
maintenance schedule (runs a day), timeout and executor cores. A day holds 86,400 s / trigger partitions in each of
the three streaming tables (2,880 at a 30 s trigger) and peak readings/s x 86,400 readings; each run moves its share.

Samples, each in a fresh database on local[2] with a Hive catalog on Derby, its streaming tables filled by one bulk
insert (one file per batch, as the job writes them) and a checkpoint whose last commit is the last batch:
  - two partition counts with few rows each: the catalog and file system work. It grows faster than the count: the
    metastore finds each partition to drop by a scan of the table's partitions, so a run that drops P partitions
    costs a*P + b*P^2 per table, fitted from the two;
  - a few batches with many rows: what the copy costs per row, and how many cores it kept busy.
Each sample runs two maintenance passes as a night does: one compacts, drops (drop_after 0: the 180 s wait for
readers is a constant, added to the estimate) and expires; the next deletes the dropped partitions' files
(delete_after 0; a night deletes the night before's). Prints each step's duration, the fitted costs, and per
environment the estimated run against its timeout, and the fewest runs a day that fit in half of it. The copy's rows are assumed to spread over the executor cores
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
from typing import Dict, List, Tuple

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
    parser.add_argument("--partitions", default="300,1200", help="two batch counts per table for the catalog samples")
    parser.add_argument("--partition-rows", type=int, default=20, help="readings per batch in the catalog samples")
    parser.add_argument("--sensors", type=int, default=1000, help="distinct sensors per batch (its stats rows)")
    parser.add_argument("--rows-per-batch", type=int, default=80000, help="readings per batch in the rows sample")
    parser.add_argument("--row-batches", type=int, default=100, help="batches in the rows sample")
    args = parser.parse_args()
    small, large = sorted(int(c) for c in args.partitions.split(","))
    envs = volumes()
    largest = max(envs, key=lambda e: float(e["peakEventsPerSecond"]))  # type: ignore[arg-type]
    trigger = float(largest["triggerSeconds"])  # type: ignore[arg-type]
    print("bench:maintenance: the largest configured environment is %s: %s readings/s at peak, a %s s trigger: %d batches "
          "per table and %.3g readings a day" % (largest["name"], largest["peakEventsPerSecond"], largest["triggerSeconds"],
                                                DAY / trigger, float(largest["peakEventsPerSecond"]) * DAY), flush=True)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="bench-maintenance-") as work:
        spark = hive_session(Path(work), "bench-maintenance")
        sample(spark, Path(work), "warmup", 4, 10, 3, trigger)
        results = []
        for name, batches, rows in (("rows", args.row_batches, args.rows_per_batch), ("partitions_%d" % small, small, args.partition_rows),
                                    ("partitions_%d" % large, large, args.partition_rows)):
            results.append(sample(spark, Path(work), name, batches, rows, args.sensors, trigger))
            report(results[-1])
        spark.stop()
    estimate(envs, *results, sensors=args.sensors)
    return 0


def split(result: Dict[str, object]) -> Tuple[float, float]:
    """(the copy's seconds, every other step's seconds)"""
    steps = result["steps"]  # type: Dict[str, float]  # type: ignore[assignment]
    copy = sum(steps.get(s, 0.0) for s in COPY_STEPS)
    return copy, sum(steps.values()) - copy


def estimate(envs: List[Dict[str, object]], by_rows: Dict[str, object], small: Dict[str, object], large: Dict[str, object],
             sensors: int) -> None:
    """Fits a run = fixed + per table (a*P + b*P^2) + per batch's files x batches + per row x rows / cores busy,
    and applies it to each environment's share of a day at peak per run."""
    rows_copy, rows_rest = split(by_rows)
    per_row_core = rows_copy * by_rows["spread"] / sum(by_rows["rows"].values())  # type: ignore[operator,arg-type]
    (p1, t1), (p2, t2) = [(float(r["moved_batches"]), split(r)[1] / len(KINDS)) for r in (small, large)]  # type: ignore[arg-type]
    b = max((t2 / p2 - t1 / p1) / (p2 - p1), 0.0)
    a = max(t1 / p1 - b * p1, 0.0)
    fixed = max(rows_rest - len(KINDS) * (a * by_rows["moved_batches"] + b * by_rows["moved_batches"] ** 2), 0.0)  # type: ignore[operator]
    per_batch = max(split(large)[0] - per_row_core / large["spread"] * sum(large["rows"].values()), 0.0) / p2  # type: ignore[operator,arg-type]
    print("bench:maintenance: fitted: per table a run dropping P partitions spends %.1f ms x P + %.4f ms x P^2 in the catalog "
          "and file system (on the driver); %.2f us per copied row on one core; %.1f ms of copy per batch (its files); %.0f s fixed"
          % (a * 1000, b * 1000, per_row_core * 1e6, per_batch * 1000, fixed))

    def run_seconds(env: Dict[str, object], runs: int) -> Tuple[float, float, float, int]:
        batches = DAY / float(env["triggerSeconds"]) / runs  # type: ignore[arg-type]
        rows = (float(env["peakEventsPerSecond"]) * DAY * (1 + REJECTED_FRACTION) + DAY / float(env["triggerSeconds"]) * sensors) / runs  # type: ignore[arg-type]
        # The copy spreads a day over copy_buckets keys, hashed onto the shuffle partitions, run on the cores.
        busy = min(int(env["executorCores"]), int(env["shufflePartitions"]), maintenance.copy_buckets(int(rows)))  # type: ignore[arg-type]
        catalog = len(KINDS) * (a * batches + b * batches ** 2)
        copy = per_batch * batches + per_row_core * rows / busy
        return fixed + UNREGISTER_AFTER_SECONDS + catalog + copy, catalog, copy, busy

    for env in envs:
        timeout = float(env["maintenanceTimeoutSeconds"])  # type: ignore[arg-type]
        runs = env["runsPerDay"]
        fewest = next((n for n in (1, 2, 3, 4, 6, 8, 12, 24) if run_seconds(env, n)[0] <= timeout / 2), None)
        if not isinstance(runs, int) or runs < 1:
            print("bench:maintenance: %-8s schedule %r: runs a day unknown; the fewest that fit in half the %d s timeout: %s"
                  % (env["name"], env["maintenanceSchedule"], timeout, fewest))
            continue
        total, catalog, copy, busy = run_seconds(env, runs)
        print("bench:maintenance: %-8s %d run(s) a day (%s), each %5.0f batches per table and %.3g rows at peak: %6.0f s (catalog "
              "%5.0f s, copy %5.0f s on %d of %s cores, the wait for readers %d s) against a %5.0f s timeout: %s; the fewest "
              "runs a day that fit in half of it: %s"
              % (env["name"], runs, env["maintenanceSchedule"], DAY / float(env["triggerSeconds"]) / runs,  # type: ignore[arg-type]
                 (float(env["peakEventsPerSecond"]) * DAY) / runs, total, catalog, copy, busy, env["executorCores"],  # type: ignore[arg-type]
                 UNREGISTER_AFTER_SECONDS, timeout, "keeps up" if total <= timeout else "DOES NOT keep up", fewest))


if __name__ == "__main__":
    sys.exit(main())
