"""Integration: the job's streaming query on a real Kafka broker (KRaft, loopback) with the real Spark Kafka connector."""
from __future__ import annotations

import uuid
from collections import Counter

import pytest

import job
import job_config
from conftest import create_topic
from create_tables import create_tables, render_statements
from readings import consume_all, produce
from test_batch_logic import TABLES_SQL

READINGS = 600


def test_streaming_query_writes_every_reading_once_and_the_stats_to_the_output_topic(spark, kafka, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    input_topic, output_topic = "readings-" + suffix, "stats-" + suffix
    create_topic(kafka, input_topic, partitions=2)
    create_topic(kafka, output_topic, partitions=1)
    produced = produce(kafka, input_topic, READINGS)
    assert len(produced.valid) + len(produced.malformed) == READINGS and produced.malformed

    config = job_config.merge_config({
        "bootstrap_servers": kafka, "input_topic": input_topic, "output_topic": output_topic,
        "security_protocol": "PLAINTEXT", "checkpoint_location": str(tmp_path / "checkpoint"),
        "starting_offsets": "earliest", "max_offsets_per_trigger": 250, "trigger_interval": "100 milliseconds",
        "database": "stream_" + suffix, "query_name": "sensor_aggregation_" + suffix,
    }, {})
    names = job_config.table_name_config(config)
    create_tables(spark, render_statements(TABLES_SQL, names), names["database"])
    tables = job_config.table_names(config)

    query = job.start_query(spark, config, jaas_config=None, output_jaas_config=None)
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert query.exception() is None

    data = spark.table(tables["data"]).collect()
    assert len(data) == len(produced.valid)
    assert {(r.kafka_partition, r.kafka_offset): {"sensor": r.sensor, "measure1": r.measure1, "measure2": r.measure2} for r in data} == produced.valid
    batches = {r.batch_id for r in data}
    assert len(batches) >= 3, "maxOffsetsPerTrigger=250 over 600 readings must give several batches"

    rejected = spark.table(tables["rejected"]).collect()
    assert {(r.kafka_partition, r.kafka_offset): (r.raw_value, r.reason) for r in rejected} == produced.malformed
    assert len(rejected) == len(produced.malformed)

    stats = spark.table(tables["stats"]).collect()
    expected = produced.expected_stats()
    assert {r.run_id for r in data} == {str(query.id)}, "every row carries the run: the query id"
    per_batch = Counter((r.run_id, r.batch_id, r.sensor) for r in data)
    assert {(r.run_id, r.batch_id, r.sensor): r.count_sensor for r in stats} == dict(per_batch)
    for sensor, (count, m1_avg, m2_avg) in expected.items():
        rows = [r for r in stats if r.sensor == sensor]
        assert sum(r.count_sensor for r in rows) == count
        assert sum(r.measure1_avg * r.count_sensor for r in rows) / count == pytest.approx(m1_avg)
        assert sum(r.measure2_avg * r.count_sensor for r in rows) / count == pytest.approx(m2_avg)

    messages = consume_all(kafka, output_topic, expected_at_least=len(stats))
    assert len(messages) == len(stats)  # no crash here, so no replay: exactly one message per stats row
    assert all(key == body["sensor"] for key, body in messages)
    by_stats_row = {(r.run_id, r.batch_id, r.sensor): r for r in stats}
    for _, body in messages:
        row = by_stats_row[(body["run_id"], body["batch_id"], body["sensor"])]
        assert (body["count_sensor"], body["measure1_avg"], body["measure2_avg"]) == (row.count_sensor, row.measure1_avg, row.measure2_avg)

