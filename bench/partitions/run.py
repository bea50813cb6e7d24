"""Benchmark: a micro-batch's duration against the partitions its tables already hold (issue 30 item 5).

    npm run bench:partitions [-- --existing 0,1000,10000 --readings 50 --repeats 3]

One Spark session on local[2] with a Hive catalog on Derby, as a BDC's metastore is reached through Hive. For each
count, a fresh database gets the job's tables (create_tables.py), then that many (run_id, batch_id) partitions of
the current run in each streaming table (what piles up without maintenance: one per micro-batch, 5,760 a day at a
15 s trigger), added by ALTER TABLE ADD PARTITION. Then the job's own batch function (job.process_batch, no Kafka
sink) writes `--readings` readings as the next batch, `--repeats` times; the median is printed. A warm-up batch runs
first so class loading and JIT are not measured. Beside it, one table's write alone is timed both ways: the job's
write_run_partition and the dynamic INSERT OVERWRITE ... PARTITION (run_id, batch_id) the releases before used, which
lists every partition of the table from the metastore first. Prints each duration and its ratio to the first count's;
the goal (the last within 1.5x of the first) is reported, not asserted: the figures are the result.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for path in ("jobs/sensor_aggregation", "jobs/sensor_aggregation/tests", "jobs/sensor_aggregation/jars", "bench"):
    sys.path.insert(0, str(REPO / path))

import job  # noqa: E402
from hive_session import hive_session  # noqa: E402
from create_tables import create_job_tables, render_statements  # noqa: E402
from job_config import table_name_config, table_names  # noqa: E402
from job_tables import TABLES_SQL  # noqa: E402
from kafka_frames import kafka_batch  # noqa: E402

RUN = "00000000-0000-4000-8000-000000000001"
GOAL = 1.5
ADD_CHUNK = 500  # partitions per ALTER TABLE ... ADD statement


def readings(count: int, batch_id: int):
    return [{"sensor": "S%d" % (i % 7), "measure1": batch_id + i * 0.5, "measure2": 37.0 - i} for i in range(count)]


def prepare(spark, database: str, existing: int):
    names = table_name_config({"database": database})
    create_job_tables(spark, render_statements(TABLES_SQL, names), names, RUN)
    tables = table_names(dict(names))
    started = time.monotonic()
    for table in tables.values():
        for start in range(0, existing, ADD_CHUNK):
            specs = " ".join("PARTITION (run_id = '%s', batch_id = %d)" % (RUN, b) for b in range(start, min(existing, start + ADD_CHUNK)))
            spark.sql("ALTER TABLE %s ADD IF NOT EXISTS %s" % (table, specs))
    return tables, time.monotonic() - started


def batch_seconds(spark, tables, batch_id: int, count: int) -> float:
    when = datetime(2026, 12, 4, 12, 0, 0)
    frame = kafka_batch(spark, readings(count, batch_id), first_offset=batch_id * count, when=when)
    started = time.monotonic()
    job.process_batch(frame, batch_id, tables, None, now=lambda: when, run_id=RUN)
    return time.monotonic() - started


def write_seconds(spark, table: str, batch_id: int, count: int, how: str) -> float:
    """One data-table write of `count` readings as batch `batch_id`: the job's (`path`) or the earlier `insert`."""
    frame = kafka_batch(spark, readings(count, batch_id), first_offset=batch_id * count)
    rows = job.valid_rows(job.parse_readings(frame), RUN, batch_id).cache()
    rows.count()
    started = time.monotonic()
    if how == "path":
        job.write_run_partition(rows, table, RUN, batch_id)
    else:
        rows.createOrReplaceTempView("bench_rows")
        columns = ", ".join("`%s`" % c for c in rows.columns)
        spark.sql("INSERT OVERWRITE TABLE %s PARTITION (run_id, batch_id) SELECT %s FROM bench_rows" % (table, columns))
    elapsed = time.monotonic() - started
    rows.unpersist()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench:partitions")
    parser.add_argument("--existing", default="0,1000,10000", help="comma-separated counts of existing partitions per table")
    parser.add_argument("--readings", type=int, default=50, help="readings in the measured batch")
    parser.add_argument("--repeats", type=int, default=3, help="measured batches per count (the median is printed)")
    args = parser.parse_args()
    counts = [int(c) for c in args.existing.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-partitions-") as work:
        spark = hive_session(Path(work), "bench-partitions")
        warm, _ = prepare(spark, "bench_warmup", 0)
        batch_seconds(spark, warm, 0, args.readings)
        results = []
        for count in counts:
            tables, setup = prepare(spark, "bench_%d" % count, count)
            times = [batch_seconds(spark, tables, count + i, args.readings) for i in range(args.repeats)]
            median = statistics.median(times)
            results.append((count, median))
            writes = {how: statistics.median([write_seconds(spark, tables["data"], count + 100 + 10 * i + (how == "insert"), args.readings, how)
                                              for i in range(args.repeats)]) for how in ("path", "insert")}
            print("bench:partitions: %6d existing partitions per table: batch of %d readings %.2f s (median of %s; setup %.0f s); "
                  "one table's write: the job's %.2f s, the earlier INSERT OVERWRITE %.2f s"
                  % (count, args.readings, median, ", ".join("%.2f" % t for t in times), setup, writes["path"], writes["insert"]), flush=True)
        spark.stop()
    first = results[0][1]
    for count, median in results:
        print("bench:partitions: %6d -> %.2fx the first" % (count, median / first))
    ratio = results[-1][1] / first
    print("bench:partitions: goal (last within %.1fx of first): %s (%.2fx)" % (GOAL, "met" if ratio <= GOAL else "NOT met", ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
