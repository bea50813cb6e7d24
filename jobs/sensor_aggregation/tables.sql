-- Tables of the sensor aggregation job. ${database} and the ${..._table} names come from the job config
-- (create_tables.py substitutes them). The seed's columns come first, names and types unchanged; the job's
-- added columns follow. Every table is partitioned by batch_id (always the last column) so that a batch
-- Spark replays after a crash overwrites its own partition (INSERT OVERWRITE of that partition): exactly once.

CREATE TABLE IF NOT EXISTS ${database}.${data_table} (
  sensor string,
  measure1 double,
  measure2 double,
  kafka_partition int,
  kafka_offset bigint,
  event_time timestamp,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (batch_id);

CREATE TABLE IF NOT EXISTS ${database}.${stats_table} (
  sensor string,
  measure2_avg double,
  measure1_avg double,
  count_sensor long,
  ts timestamp,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (batch_id);

-- Every message the job could not use, with why, so nothing is lost.
CREATE TABLE IF NOT EXISTS ${database}.${rejected_table} (
  raw_value string,
  reason string,
  kafka_topic string,
  kafka_partition int,
  kafka_offset bigint,
  event_time timestamp,
  batch_id bigint
)
USING PARQUET
PARTITIONED BY (batch_id);
