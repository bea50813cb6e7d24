"""The Spark session the table benchmarks run in: local[2], a Hive catalog on Derby (a BDC's metastore is reached
through Hive), everything on loopback, under one scratch directory."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def hive_session(work: Path, app: str, shuffle_partitions: int = 2):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName(app)
             .config("spark.sql.warehouse.dir", str(work / "warehouse"))
             .config("spark.driver.extraJavaOptions", "-Dderby.system.home=%s" % work)
             .config("spark.sql.shuffle.partitions", str(shuffle_partitions)).config("spark.ui.enabled", "false")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false")
             .enableHiveSupport().getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark
