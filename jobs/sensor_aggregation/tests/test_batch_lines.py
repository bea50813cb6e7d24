"""The job's per-batch log lines (batch_lines.py): their shape against the contract the deployer reads them by, the
`took` lines over generated progress streams, and a real streaming query's durations on local Spark."""
from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import batch_lines

JOB_DIR = Path(__file__).resolve().parent.parent
CONTRACT = json.loads((JOB_DIR / "batch-lines.json").read_text())
# The deployer's pattern (contracts/batch-lines.ts BATCH_LINE), rebuilt from the generated contract.
LINE = re.compile(r"%s (\S+) batch (\d+) (%s|%s) (\{.*\})\s*$" % (
    re.escape(CONTRACT["prefix"]), CONTRACT["kinds"]["written"], CONTRACT["kinds"]["took"]))


def test_the_lines_are_the_contract_s():
    """batch-lines.json is generated from contracts/batch-lines.ts, which the deployer reads the lines by."""
    assert (batch_lines.PREFIX, batch_lines.WRITTEN, batch_lines.TOOK, batch_lines.WHOLE_BATCH) == (
        CONTRACT["prefix"], CONTRACT["kinds"]["written"], CONTRACT["kinds"]["took"], CONTRACT["wholeBatchDuration"])
    line = batch_lines.batch_line("run-1", 7, batch_lines.WRITTEN, {"readings": 3, "rejected": 1, "reasons": {"x": 1}})
    assert LINE.match(line).groups() == ("run-1", "7", "written", json.dumps({"readings": 3, "rejected": 1, "reasons": {"x": 1}}, sort_keys=True))


def progress(batch_id, ran, ms=0, rows=0):
    """A progress update as recentProgress gives it: a ran batch's durationMs has addBatch, an idle trigger's not."""
    durations = {"triggerExecution": ms, "latestOffset": 1}
    if ran:
        durations.update({"addBatch": ms // 2, "walCommit": 3, "queryPlanning": 1, "getBatch": 0})
    return {"batchId": batch_id, "numInputRows": rows, "durationMs": durations}


# A query's life: per trigger, whether it ran a batch (the batch id moves on only then), and its figures.
triggers = st.lists(st.tuples(st.booleans(), st.integers(0, 10 ** 6), st.integers(0, 10 ** 7)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(triggers, st.integers(1, 100), st.integers(1, 30))
def test_polling_prints_each_batch_once_in_order_with_its_figures(life, kept, poll_every):
    """Whatever the idle triggers, the window Spark keeps (`kept` updates) and when the polls fall, as long as a
    poll comes before a batch leaves the window, every batch that ran gets exactly one line, with its figures."""
    updates, next_batch, printed = [], 0, []
    log = batch_lines.DurationLog("run-x", lambda: updates[-kept:], out=printed.append)
    expected = {}
    for step, (ran, ms, rows) in enumerate(life):
        updates.append(progress(next_batch, ran, ms, rows))
        if ran:
            expected[next_batch] = (ms, rows)
            next_batch += 1
        if step % min(poll_every, kept) == 0:
            log.poll()
    log.poll()
    parsed = [LINE.match(line).groups() for line in printed]
    assert [int(batch) for _, batch, _, _ in parsed] == sorted(expected)
    assert all(run == "run-x" and kind == "took" for run, _, kind, _ in parsed)
    figures = {int(batch): json.loads(fields) for _, batch, _, fields in parsed}
    assert {b: (f["triggerExecution"], f["rows"]) for b, f in figures.items()} == expected


def test_a_real_query_s_batches_each_get_one_took_line_with_their_rows(spark, tmp_path):
    """On local Spark: every batch foreachBatch ran has one `took` line, whose rows are the batch's and whose
    durations nest (the whole batch covers its foreachBatch body)."""
    seen = {}
    lock = threading.Lock()

    def each(df, batch_id):
        with lock:
            seen[batch_id] = df.count()

    query = (spark.readStream.format("rate").option("rowsPerSecond", 20).load().writeStream
             .option("checkpointLocation", str(tmp_path / "checkpoint")).trigger(processingTime="1 second")
             .foreachBatch(each).start())
    printed = []
    log = batch_lines.DurationLog(str(query.id), lambda: query.recentProgress, out=printed.append, poll_seconds=0.5).start()
    try:
        deadline = time.time() + 90
        while len(seen) < 4 and time.time() < deadline:
            time.sleep(0.5)
    finally:
        query.stop()
        log.stop()
    assert len(seen) >= 4
    parsed = [LINE.match(line).groups() for line in printed]
    logged = [int(batch) for _, batch, _, _ in parsed]
    assert len(logged) == len(set(logged)) and set(logged) <= set(seen)
    assert set(seen) - {max(seen)} <= set(logged)  # the stop may cut the last batch before Spark reports it
    for run, batch, kind, fields in parsed:
        took = json.loads(fields)
        assert (run, kind) == (str(query.id), "took")
        assert took["rows"] == seen[int(batch)]
        assert took["triggerExecution"] >= took["addBatch"] >= 0
