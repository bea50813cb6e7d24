"""job.side_by_side, the runner of a batch's table writes: every step runs once and at the same time as the others,
and the batch fails with the first failing step's error only after every step has ended (a write still running when
the batch failed could publish after its replay began)."""
from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import job


class StepFailed(Exception):
    pass


@settings(max_examples=40, deadline=None)
@given(outcomes=st.lists(st.booleans(), min_size=0, max_size=5))
def test_every_step_runs_once_side_by_side_and_the_first_failure_is_raised_after_all_have_ended(spark, outcomes):
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
            if not outcomes[index]:
                raise StepFailed(index)
        return run

    failing = [i for i, ok in enumerate(outcomes) if not ok]
    try:
        job.side_by_side([step(i) for i in range(count)])
        raised = None
    except StepFailed as error:
        raised = error.args[0]
    assert ran == [1] * count
    assert all(ended)
    assert raised == (failing[0] if failing else None)


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
