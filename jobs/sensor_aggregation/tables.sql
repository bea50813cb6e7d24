-- Tables of the sensor aggregation job. ${database} and the ${..._table} names come from the job config
-- (create_tables.py substitutes them). The seed's columns come first, names and types unchanged; the job's
-- added columns follow. Every table is partitioned by (run_id, batch_id), always the last columns: run_id is
-- the streaming query's id kept in the checkpoint, so a batch Spark replays after a crash overwrites its own
-- partition (exactly once), and a new checkpoint, whose batch ids restart at 0, never touches earlier rows.
-- create_tables.py applies changes to existing tables: new columns are added (ALTER TABLE ADD COLUMNS);
-- anything else (a dropped or retyped column, other partitioning) is refused with what to do.

CREATE TABLE IF NOT EXISTS ${database}.${data_table} (
  sensor string,
  measure1 double,
  measure2 double,
  kafka_partition int,
  kafka_offset bigint,
  event_time timestamp,
  run_id string,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (run_id, batch_id);

CREATE TABLE IF NOT EXISTS ${database}.${stats_table} (
  sensor string,
  measure2_avg double,
  measure1_avg double,
  count_sensor long,
  ts timestamp,
  run_id string,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (run_id, batch_id);

-- Every message the job could not use, with why, so nothing is lost.
CREATE TABLE IF NOT EXISTS ${database}.${rejected_table} (
  raw_value string,
  reason string,
  kafka_topic string,
  kafka_partition int,
  kafka_offset bigint,
  event_time timestamp,
  run_id string,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (run_id, batch_id);
