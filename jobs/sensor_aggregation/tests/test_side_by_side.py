"""job.side_by_side, the runner of a batch's table writes: every step runs once and at the same time as the others,
and the batch fails with the first failing step's error only after every step has ended (a write still running when
the batch failed could publish after its replay began)."""
from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import checkpoint_lease
import job


class StepFailed(Exception):
    pass


OK, FAILS, LOSES_LEASE = "ok", "fails", "loses the lease"


@settings(max_examples=40, deadline=None)
@given(outcomes=st.lists(st.sampled_from([OK, OK, FAILS, LOSES_LEASE]), min_size=0, max_size=5))
def test_every_step_runs_once_side_by_side_and_the_first_failure_is_raised_after_all_have_ended(spark, outcomes):
    """A lost lease is raised before any other failure: it tells the driver to stop as a second driver."""
    count = len(outcomes)
    started = threading.Barrier(count) if count > 1 else None
    ran, ended = [0] * count, [False] * count

    def step(index: int):
        def run() -> None:
            ran[index] += 1
            if started is not None:
                started.wait(timeout=5)  # raises BrokenBarrierError unless every step is running at once
            time.sleep(0.01 * index)  # later steps end later: the raise must wait for them
            ended[index] = True
            if outcomes[index] == FAILS:
                raise StepFailed(index)
            if outcomes[index] == LOSES_LEASE:
                raise checkpoint_lease.LeaseLost(index)
        return run

    lost = [i for i, outcome in enumerate(outcomes) if outcome == LOSES_LEASE]
    failing = [i for i, outcome in enumerate(outcomes) if outcome != OK]
    try:
        job.side_by_side([step(i) for i in range(count)])
        raised = None
    except (StepFailed, checkpoint_lease.LeaseLost) as error:
        raised = (type(error), error.args[0])
    assert ran == [1] * count
    assert all(ended)
    if lost:
        assert raised == (checkpoint_lease.LeaseLost, lost[0])
    else:
        assert raised == ((StepFailed, failing[0]) if failing else None)


def test_the_steps_inherit_the_batch_threads_spark_job_properties(spark):
    """Stopping a query cancels its batch's jobs by their job group: the writes' threads carry it too. Only where
    PySpark pins each Python thread to a JVM thread (py4j's ClientServer, the default since 3.2): without it (3.1,
    2.4) every py4j call, the batch thread's own too, runs on any of the gateway's JVM threads, so no Python thread
    has the micro-batch's properties."""
    from py4j.clientserver import ClientServer
    from pyspark import SparkContext

    if not isinstance(SparkContext._gateway, ClientServer):  # pylint: disable=protected-access
        pytest.skip("PySpark does not pin threads here: Spark job properties are not per Python thread")
    spark.sparkContext.setLocalProperty("sensor.test.property", "batch-7")
    seen = []
    try:
        job.side_by_side([lambda: seen.append(spark.sparkContext.getLocalProperty("sensor.test.property"))] * 2)
    finally:
        spark.sparkContext.setLocalProperty("sensor.test.property", None)
    assert seen == ["batch-7", "batch-7"]


def test_a_thread_that_cannot_start_fails_the_batch_after_the_started_ones_have_ended(spark, monkeypatch):
    import pyspark

    class SecondWontStart(threading.Thread):
        made = 0

        def start(self) -> None:
            SecondWontStart.made += 1
            if SecondWontStart.made == 2:
                raise RuntimeError("can't start new thread")
            super().start()

    monkeypatch.setattr(pyspark, "InheritableThread", SecondWontStart, raising=False)
    ended = []

    def slow() -> None:
        time.sleep(0.3)
        ended.append("first")

    with pytest.raises(RuntimeError, match="can't start new thread"):
        job.side_by_side([slow, lambda: ended.append("second")])
    assert ended == ["first"]  # joined before the failure was raised; the second never ran
