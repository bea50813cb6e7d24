"""Data loss at the source, on a real broker: the input topic is deleted and recreated under a running query.
With fail_on_data_loss true the query stops and the job names the cause; with false it goes on, the gap shows per
partition in the query's progress (Spark also logs it as a WARN), and the new topic's readings are written under
the same run beside the old ones."""
from __future__ import annotations

import json
import time
import uuid

from confluent_kafka import KafkaError, KafkaException, TopicCollection
from confluent_kafka.admin import AdminClient

import job
import job_config
from conftest import create_topic
from create_tables import create_tables, render_statements
from readings import produce
from test_batch_logic import TABLES_SQL


def topic_id(admin: AdminClient, topic: str):
    """The topic's id, or None while no topic of that name exists."""
    try:
        return admin.describe_topics(TopicCollection([topic]))[topic].result(timeout=10).topic_id
    except KafkaException as error:
        if error.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
            return None
        raise


def recreate_topic(bootstrap: str, topic: str) -> None:
    """Deletes the topic and creates it again, empty (offsets start at 0 again), with its leader elected. The
    broker auto-creates topics, so the running query's consumer may create the new one first: a new topic id
    counts as recreated as well as no topic does."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    old_id = topic_id(admin, topic)
    admin.delete_topics([topic], operation_timeout=30)[topic].result()
    deadline = time.monotonic() + 60
    while topic_id(admin, topic) == old_id:
        assert time.monotonic() < deadline, "topic %s still has its old id 60 s after its deletion" % topic
        time.sleep(0.5)
    create_topic(bootstrap, topic, partitions=1)  # no error if the consumer created it; waits for its leader


def started_query(spark, kafka, tmp_path, fail_on_data_loss: bool):
    suffix = uuid.uuid4().hex[:8]
    topic = "loss-" + suffix
    create_topic(kafka, topic, partitions=1)
    config = job_config.merge_config({
        "bootstrap_servers": kafka, "input_topic": topic, "output_topic": "loss-stats-" + suffix,
        "security_protocol": "PLAINTEXT", "checkpoint_location": str(tmp_path / "checkpoint"),
        "starting_offsets": "earliest", "trigger_interval": "100 milliseconds", "fail_on_data_loss": fail_on_data_loss,
        "database": "loss_" + suffix, "query_name": "loss_" + suffix,
    }, {})
    names = job_config.table_name_config(config)
    create_tables(spark, render_statements(TABLES_SQL, names), names["database"])
    first = produce(kafka, topic, 120, partitions=1)
    query = job.start_query(spark, config, jaas_config=None, output_jaas_config=None)
    query.processAllAvailable()
    return query, topic, job_config.table_names(config), first


def test_a_recreated_topic_stops_the_query_and_the_job_names_the_cause(spark, kafka, tmp_path):
    query, topic, tables, first = started_query(spark, kafka, tmp_path, fail_on_data_loss=True)
    try:
        recreate_topic(kafka, topic)
        produce(kafka, topic, 30, partitions=1)
        try:
            terminated = query.awaitTermination(120)
        except Exception:  # noqa: BLE001 - it ended with the data-loss error
            terminated = True
        assert terminated, "the query kept running"
        assert query.exception() is not None
        cause = job.data_loss_cause(str(query.exception()))
        assert cause is not None, str(query.exception())[:2000]
        assert "data loss at the source" in cause and "fail_on_data_loss is true" in cause and "new run" in cause
    finally:
        query.stop()
    # What was written before the loss is intact.
    assert spark.table(tables["data"]).count() == len(first.valid)


def test_with_fail_on_data_loss_false_the_query_goes_on_and_the_gap_shows_per_partition(spark, kafka, tmp_path):
    """Spark's own rule: the batch that finds the partition's offsets moved backwards ends at the recreated topic's
    end, so what the new topic held at that moment is skipped (the gap); what comes after is read."""
    query, topic, tables, first = started_query(spark, kafka, tmp_path, fail_on_data_loss=False)
    try:
        recreate_topic(kafka, topic)
        skipped = produce(kafka, topic, 30, partitions=1)
        deadline = time.monotonic() + 120
        while not any(end < start for start, end in moves(query, topic)):
            assert query.exception() is None, str(query.exception())[:2000]
            assert time.monotonic() < deadline, "no batch saw the offsets move backwards: %s" % moves(query, topic)
            time.sleep(0.5)
        after = produce(kafka, topic, 30, partitions=1)
        query.processAllAvailable()
        assert query.exception() is None
    finally:
        query.stop()
    data = spark.table(tables["data"]).collect()
    assert len({r.run_id for r in data}) == 1, "same checkpoint, same run"
    assert {o for _, o in after.valid} <= {r.kafka_offset for r in data}, "what came after the gap was read"
    # The skipped readings (offsets 0-29 of the new topic) are not in the table: exactly those before and after.
    assert len(data) == len(first.valid) + len(after.valid), "exactly the readings before the loss and after the gap (%d skipped)" % len(skipped.valid)


def moves(query, topic):
    """(start, end) offset of partition 0 in each batch of the query's recent progress."""
    out = []
    for p in query.recentProgress:
        source = p["sources"][0]
        start, end = offsets(source.get("startOffset")).get(topic, {}).get("0"), offsets(source.get("endOffset")).get(topic, {}).get("0")
        if start is not None and end is not None:
            out.append((start, end))
    return out


def offsets(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})
