"""The DDL: seed columns first and unchanged, added columns after, names from the config; run through spark.sql."""
from __future__ import annotations

import pytest

from create_tables import ConfigError, create_tables, render_statements, table_config
from test_batch_logic import TABLES_SQL

SEED_DATA = [("sensor", "string"), ("measure1", "double"), ("measure2", "double")]
SEED_STATS = [("sensor", "string"), ("measure2_avg", "double"), ("measure1_avg", "double"), ("count_sensor", "bigint"), ("ts", "timestamp")]


def test_statements_use_the_configured_database_and_table_names():
    names = table_config({"database": "sensors", "data_table": "readings_v2"})
    statements = render_statements(TABLES_SQL, names)
    assert len(statements) == 3
    assert statements[0].startswith("CREATE TABLE IF NOT EXISTS sensors.readings_v2 (")
    assert "sensors.sensor_data_stats" in statements[1] and "sensors.sensor_data_rejected" in statements[2]
    assert all("--" not in s and "$" not in s for s in statements)


def test_a_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(ConfigError, match="stats_table: 'x; DROP TABLE y'; allowed: letters, digits and _"):
        table_config({"stats_table": "x; DROP TABLE y"})


def test_created_tables_keep_the_seed_columns_first_and_add_ours_after(spark):
    names = table_config({"database": "ddl_check"})
    create_tables(spark, render_statements(TABLES_SQL, names), "ddl_check")
    create_tables(spark, render_statements(TABLES_SQL, names), "ddl_check")  # idempotent

    def columns(table):
        return [(f.name, f.dataType.simpleString()) for f in spark.table("ddl_check." + table).schema.fields]

    data, stats, rejected = columns("sensor_data"), columns("sensor_data_stats"), columns("sensor_data_rejected")
    assert data[:3] == SEED_DATA and data[3:] == [("kafka_partition", "int"), ("kafka_offset", "bigint"), ("event_time", "timestamp"), ("batch_id", "bigint")]
    assert stats[:5] == SEED_STATS and stats[5:] == [("batch_id", "bigint")]
    assert [n for n, _ in rejected] == ["raw_value", "reason", "kafka_topic", "kafka_partition", "kafka_offset", "event_time", "batch_id"]
    partitions = {t: [c.name for c in spark.catalog.listColumns("ddl_check." + t) if c.isPartition] for t in ("sensor_data", "sensor_data_stats", "sensor_data_rejected")}
    assert partitions == {t: ["batch_id"] for t in partitions}
