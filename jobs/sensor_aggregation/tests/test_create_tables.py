"""The DDL: seed columns first and unchanged, added columns after, names from the config; run through spark.sql."""
from __future__ import annotations

import pytest

from pathlib import Path

import job
import job_config
import job_tables
from conftest import static_overwrite_mode
from create_tables import MigrationRefused, create_tables, parse_create_table, render_statements
from kafka_frames import kafka_batch
from test_batch_logic import TABLES_SQL

SEED_DATA = [("sensor", "string"), ("measure1", "double"), ("measure2", "double")]
SEED_STATS = [("sensor", "string"), ("measure2_avg", "double"), ("measure1_avg", "double"), ("count_sensor", "bigint"), ("ts", "timestamp")]


def test_the_ddl_creates_exactly_the_columns_the_job_writes_by():
    """One declaration (job_tables.TABLE_SCHEMAS): the DDL create_tables.py runs is made from it, column for column."""
    names = job_config.table_name_config({})
    parsed = [parse_create_table(statement) for statement in render_statements(TABLES_SQL, names)]
    tables = job_config.table_names(job_config.DEFAULTS)
    assert {table: (columns, partitions) for table, columns, partitions in parsed} == {
        tables[kind]: (list(job_tables.TABLE_SCHEMAS[kind]), list(job_tables.PARTITION_COLUMNS)) for kind in job_tables.TABLE_SCHEMAS}
    assert [name for name, _ in job_tables.TABLE_SCHEMAS["data"]][:3] == [name for name, _ in SEED_DATA]


def test_statements_use_the_configured_database_and_table_names():
    names = job_config.table_name_config({"database": "sensors", "data_table": "readings_v2"})
    statements = render_statements(TABLES_SQL, names)
    assert len(statements) == 3
    assert statements[0].startswith("CREATE TABLE IF NOT EXISTS sensors.readings_v2 (")
    assert "sensors.sensor_data_stats" in statements[1] and "sensors.sensor_data_rejected" in statements[2]
    assert all("--" not in s and "$" not in s for s in statements)


def test_a_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(job_config.ConfigError, match="stats_table: 'x; DROP TABLE y'; allowed: letters, digits and _"):
        job_config.table_name_config({"stats_table": "x; DROP TABLE y"})


def test_created_tables_keep_the_seed_columns_first_and_add_ours_after(spark):
    names = job_config.table_name_config({"database": "ddl_check"})
    create_tables(spark, render_statements(TABLES_SQL, names), "ddl_check")
    create_tables(spark, render_statements(TABLES_SQL, names), "ddl_check")  # idempotent

    def columns(table):
        return [(f.name, f.dataType.simpleString()) for f in spark.table("ddl_check." + table).schema.fields]

    data, stats, rejected = columns("sensor_data"), columns("sensor_data_stats"), columns("sensor_data_rejected")
    assert data[:3] == SEED_DATA and data[3:] == [("kafka_partition", "int"), ("kafka_offset", "bigint"), ("event_time", "timestamp"), ("run_id", "string"), ("batch_id", "bigint")]
    assert stats[:5] == SEED_STATS and stats[5:] == [("run_id", "string"), ("batch_id", "bigint")]
    assert [n for n, _ in rejected] == ["raw_value", "reason", "kafka_topic", "kafka_partition", "kafka_offset", "event_time", "run_id", "batch_id"]
    partitions = {t: [c.name for c in spark.catalog.listColumns(t, "ddl_check") if c.isPartition] for t in ("sensor_data", "sensor_data_stats", "sensor_data_rejected")}
    assert partitions == {t: ["run_id", "batch_id"] for t in partitions}
    # What the DDL creates is exactly what the job writes.
    assert job.schema_problems(spark, job_config.table_names({"database": "ddl_check", **{k: v for k, v in names.items() if k != "database"}})) == []


def test_a_table_created_without_the_overwrite_option_gets_it_and_then_keeps_its_other_partitions(spark):
    """Tables of a release before job_tables.OVERWRITE_OPTIONS: an overwrite of one batch in a static session
    empties them; create_tables adds the option, and the same overwrite then replaces that batch alone."""
    names = job_config.table_name_config({"database": "unoptioned"})
    statements = render_statements(TABLES_SQL, names)
    spark.sql("CREATE DATABASE IF NOT EXISTS unoptioned")
    for statement in statements:
        spark.sql(statement.replace("OPTIONS " + job_tables.options_clause(job_tables.OVERWRITE_OPTIONS), ""))
    data = job_config.table_names(names)["data"]
    assert job_tables.missing_overwrite_options(spark, data) == job_tables.OVERWRITE_OPTIONS
    spark.sql("INSERT INTO %s PARTITION (run_id = 'r', batch_id = 1) VALUES ('S1', 1.0, 1.0, 0, 1, NULL)" % data)

    create_tables(spark, statements, "unoptioned")
    assert [job_tables.missing_overwrite_options(spark, table) for table in job_config.table_names(names).values()] == [{}, {}, {}]
    with static_overwrite_mode(spark):
        spark.sql("INSERT OVERWRITE TABLE %s PARTITION (run_id, batch_id) SELECT 'S2', 2.0, 2.0, 0, 2, NULL, 'r', 2" % data)
    assert sorted((r.sensor, r.batch_id) for r in spark.table(data).collect()) == [("S1", 1), ("S2", 2)]


def test_an_added_column_is_applied_and_a_retyped_one_is_refused_changing_nothing(spark):
    names = job_config.table_name_config({"database": "alter_check"})
    create_tables(spark, render_statements(TABLES_SQL, names), "alter_check")
    added = TABLES_SQL.replace("  event_time timestamp,\n  run_id string,", "  event_time timestamp,\n  site string,\n  run_id string,", 1)
    create_tables(spark, render_statements(added, names), "alter_check")
    assert "site" in [f.name for f in spark.table("alter_check.sensor_data").schema.fields]

    retyped = added.replace("measure1 double", "measure1 string", 1).replace("reason string", "reason int", 1)
    with pytest.raises(MigrationRefused, match=r"sensor_data: column measure1 is double, job_tables\.py declares string.*sensor_data_rejected: column reason is string, job_tables\.py declares int.*new table name"):
        create_tables(spark, render_statements(retyped, names), "alter_check")
    assert dict((f.name, f.dataType.simpleString()) for f in spark.table("alter_check.sensor_data").schema.fields)["measure1"] == "double"


def test_drop_removes_every_table_and_view_of_the_job_and_nothing_else(spark):
    from create_tables import drop_tables, housekeeping_statements

    names = job_config.table_name_config({"database": "drop_check"})
    statements = render_statements(TABLES_SQL, names)
    create_tables(spark, statements + housekeeping_statements(statements, names), "drop_check")
    spark.sql("CREATE TABLE drop_check.unrelated (x int) USING PARQUET")
    dropped = drop_tables(spark, names)
    assert "drop_check.sensor_data_all" in dropped and "drop_check.sensor_aggregation_compactions" in dropped
    assert [t.name for t in spark.catalog.listTables("drop_check")] == ["unrelated"]
    drop_tables(spark, names)  # idempotent


def newer_release_sql() -> str:
    """The DDL of a newer release that adds a column to each table (expand): a site to the data and rejected tables
    between existing columns, a median to the stats."""
    sql = TABLES_SQL.replace("  event_time timestamp,\n  run_id string,", "  event_time timestamp,\n  site string,\n  run_id string,")
    return sql.replace("  measure1_avg double,\n", "  measure1_avg double,\n  measure1_median double,\n", 1)


def test_the_previous_release_keeps_writing_into_tables_a_newer_release_migrated(spark):
    """The rollback after an additive migration: the newer release's create_tables.py ran (while the previous
    release still ran, and before it failed to start), and the restored previous release goes on writing its
    columns; the added ones are NULL in its rows."""
    names = job_config.table_name_config({"database": "rollback_check"})
    create_tables(spark, render_statements(TABLES_SQL, names), "rollback_check")
    tables = job_config.table_names(dict(names))
    job.check_schemas(spark, tables)
    batch = [{"sensor": "S1", "measure1": 1.5, "measure2": 2.5}, "{not json"]
    job.process_batch(kafka_batch(spark, batch, first_offset=0), 0, tables, None, run_id="r1")  # running before the deploy

    create_tables(spark, render_statements(newer_release_sql(), names), "rollback_check")
    assert "site" in spark.table(tables["data"]).columns and "measure1_median" in spark.table(tables["stats"]).columns
    # The previous release, still running across the migration, then restarted by the restore (its start check).
    job.process_batch(kafka_batch(spark, batch, first_offset=2), 1, tables, None, run_id="r1")
    assert job.schema_problems(spark, tables) == []
    job.check_schemas(spark, tables)
    job.process_batch(kafka_batch(spark, batch, first_offset=4), 2, tables, None, run_id="r1")

    data = sorted((r.batch_id, r.sensor, r.kafka_offset, r.site) for r in spark.table(tables["data"]).collect())
    assert data == [(0, "S1", 0, None), (1, "S1", 2, None), (2, "S1", 4, None)]
    rejected = sorted((r.batch_id, r.raw_value, r.site) for r in spark.table(tables["rejected"]).collect())
    assert rejected == [(b, "{not json", None) for b in range(3)]
    stats = sorted((r.batch_id, r.sensor, r.measure1_avg, r.measure1_median) for r in spark.table(tables["stats"]).collect())
    assert stats == [(b, "S1", 1.5, None) for b in range(3)]


def test_the_previous_release_deployed_again_after_a_migration_keeps_the_added_columns(spark):
    """The rollback as a deploy of the previous release: its create_tables.py meets the columns a newer release
    added, keeps them (in the table, its history and its view) instead of refusing, and its job goes on writing."""
    from create_tables import create_job_tables

    names = job_config.table_name_config({"database": "redeploy_check"})
    create_job_tables(spark, render_statements(TABLES_SQL, names), names)
    create_job_tables(spark, render_statements(newer_release_sql(), names), names)
    create_job_tables(spark, render_statements(TABLES_SQL, names), names)  # the previous release, deployed again
    create_job_tables(spark, render_statements(TABLES_SQL, names), names)  # and again: nothing left to change
    tables = job_config.table_names(dict(names))
    for kind, added in (("data", "site"), ("rejected", "site"), ("stats", "measure1_median")):
        for table in (tables[kind], tables[kind] + "_history", tables[kind] + "_all"):
            assert added in spark.table(table).columns, table
    job.check_schemas(spark, tables)
    job.process_batch(kafka_batch(spark, [{"sensor": "S1", "measure1": 1.5, "measure2": 2.5}], first_offset=0), 0, tables, None, run_id="r1")
    assert [(r.sensor, r.site) for r in spark.table(tables["data"] + "_all").collect()] == [("S1", None)]


def test_a_migration_that_adds_a_column_not_null_is_refused(spark):
    names = job_config.table_name_config({"database": "not_null_check"})
    create_tables(spark, render_statements(TABLES_SQL, names), "not_null_check")
    with pytest.raises(MigrationRefused, match="site.*nullable"):
        create_tables(spark, render_statements(TABLES_SQL.replace("  event_time timestamp,\n  run_id string,", "  event_time timestamp,\n  site string NOT NULL,\n  run_id string,", 1), names), "not_null_check")
