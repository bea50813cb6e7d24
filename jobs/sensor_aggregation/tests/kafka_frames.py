"""Builds DataFrames shaped like a Kafka micro-batch (the columns Spark's Kafka source gives foreachBatch)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable, List, Optional, Union

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import BinaryType, IntegerType, LongType, StringType, StructField, StructType, TimestampType

KAFKA_SCHEMA = StructType([
    StructField("key", BinaryType(), True),
    StructField("value", BinaryType(), True),
    StructField("topic", StringType(), True),
    StructField("partition", IntegerType(), True),
    StructField("offset", LongType(), True),
    StructField("timestamp", TimestampType(), True),
    StructField("timestampType", IntegerType(), True),
])

Message = Union[str, dict, None]


def encode(message: Message) -> Optional[bytearray]:
    """The Kafka value's bytes; a bytearray, which BinaryType takes on every PySpark (2.4 refuses bytes)."""
    if message is None:
        return None
    text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
    return bytearray(text.encode("utf-8"))


def kafka_batch(spark: SparkSession, messages: Iterable[Message], partition: int = 0, first_offset: int = 0,
                when: datetime = datetime(2026, 1, 1, 12, 0, 0)) -> DataFrame:
    rows: List[tuple] = [
        (None, encode(m), "sensor-readings", partition, first_offset + i, when, 0) for i, m in enumerate(messages)
    ]
    return spark.createDataFrame(rows, KAFKA_SCHEMA)


def empty_kafka_batch(spark: SparkSession) -> DataFrame:
    """What an empty micro-batch is: no input partitions at all."""
    return spark.createDataFrame(spark.sparkContext.emptyRDD(), KAFKA_SCHEMA)
