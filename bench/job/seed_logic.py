"""The seed guide's foreach_batch_function, kept as written except for two things so that it runs here:
its Kafka write uses the batch API `write` with a `value` column (the seed calls writeStream on a batch
DataFrame, which fails), and the table and topic names are parameters. Benchmark baseline only."""
from __future__ import annotations

from typing import Dict

from pyspark.sql import DataFrame
from pyspark.sql.functions import current_timestamp, from_json
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

jsonSchema = StructType([StructField("sensor", StringType(), True), StructField("measure1", DoubleType(), True), StructField("measure2", DoubleType(), True)])


def seed_foreach_batch(df: DataFrame, epoch_id: int, data_table: str, stats_table: str, kafka_sink: Dict[str, str]) -> None:
    if df.count() <= 0:
        None
    else:
        sensor_df = df.selectExpr('CAST(value AS STRING)').select(from_json("value", jsonSchema).alias("value")).select("value.*")
        sensor_df.persist()
        sensor_df.write.format('parquet').mode('append').saveAsTable(data_table)
        sensor_stats_df = (sensor_df.groupBy('sensor').agg({'measure1': 'avg', 'measure2': 'avg', 'sensor': 'count'}).withColumn('ts', current_timestamp()).withColumnRenamed('avg(measure1)', 'measure1_avg').withColumnRenamed('avg(measure2)', 'measure2_avg').withColumnRenamed('avg(measure1)', 'measure1_avg').withColumnRenamed('count(sensor)', 'count_sensor'))
        sensor_stats_df.write.format('parquet').mode('append').saveAsTable(stats_table)
        # The one fix: batch `write` (not writeStream) of a `value` column.
        writer = sensor_stats_df.selectExpr("to_json(struct(*)) AS value").write.format("kafka")
        for key, value in kafka_sink.items():
            writer = writer.option(key, value)
        writer.save()
        sensor_df.unpersist()
