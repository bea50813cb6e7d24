"""A producer's timestamp cannot stop the stream: the input topic takes the broker's append time, as an event hub
does by default, so a record a producer stamped in nanoseconds (which Spark's Kafka source cannot convert to
microseconds: a long overflow on every attempt of its batch) is read like any other, its event_time the broker's."""
from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import datetime, timedelta

from confluent_kafka import Producer

import job
import job_config
from conftest import BROKER_PY
from create_tables import create_tables, render_statements
from test_batch_logic import TABLES_SQL

sys.path.insert(0, str(BROKER_PY.parent))
from kafka_admin import create_topic  # noqa: E402


def test_a_reading_a_producer_stamped_in_nanoseconds_is_read_with_the_brokers_time(spark, kafka, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    topic = "ns-readings-" + suffix
    create_topic(kafka, topic, 1)  # the harness's topic settings: log-append time
    producer = Producer({"bootstrap.servers": kafka})
    nanoseconds = time.time_ns()
    producer.produce(topic, json.dumps({"sensor": "S", "measure1": 1.0, "measure2": 2.0}).encode(), timestamp=nanoseconds)
    assert producer.flush(30) == 0
    config = job_config.merge_config({
        "bootstrap_servers": kafka, "input_topic": topic, "output_topic": topic, "security_protocol": "PLAINTEXT",
        "checkpoint_location": str(tmp_path / "checkpoint"), "starting_offsets": "earliest",
        "trigger_interval": "100 milliseconds", "database": "ns_" + suffix, "query_name": "ns_" + suffix,
    }, {})
    names = job_config.table_name_config(config)
    create_tables(spark, render_statements(TABLES_SQL, names), names["database"])
    before = datetime.now() - timedelta(minutes=5)
    query = job.start_query(spark, config, jaas_config=None, output_jaas_config=None)
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert query.exception() is None
    [row] = spark.table(job_config.table_names(config)["data"]).collect()
    assert row.sensor == "S" and before < row.event_time < datetime.now() + timedelta(minutes=5)
