"""Creates the sensor aggregation job's database and tables (tables.sql) through spark.sql; idempotent.

    spark-submit create_tables.py --config <job.json> [--sql <tables.sql>]

--config is the job's config file (database and table names are read from it; local, hdfs:// or absolute
HDFS path). --sql defaults to tables.sql beside this script; on a cluster pass its HDFS path.
Self-contained (it does not import job.py), so a cluster submits it as a single file. Runs on PySpark 2.4 and 3.x.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from string import Template
from typing import Dict, List, Sequence

from pyspark.sql import SparkSession

HERE = os.path.dirname(os.path.abspath(__file__))
NAME_DEFAULTS = {"database": "default", "data_table": "sensor_data", "rejected_table": "sensor_data_rejected",
                 "stats_table": "sensor_data_stats"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ConfigError(ValueError):
    """A table or database name is not allowed; the message names the key and what is allowed."""


def read_text(spark: SparkSession, path: str) -> str:
    """Reads a small text file from the local disk, or through Spark from HDFS (same rule as job.py)."""
    local = path[len("file://"):] if path.startswith("file://") else path
    if "://" not in local and os.path.isfile(local):
        with open(local, encoding="utf-8") as handle:
            return handle.read()
    files = spark.sparkContext.wholeTextFiles(path, 1).collect()
    if len(files) != 1:
        raise ConfigError("%s: expected one file, found %d" % (path, len(files)))
    return files[0][1]


def table_config(file_config: Dict[str, object]) -> Dict[str, str]:
    """The database and table names from the job config, with the job's defaults; each must be a plain identifier."""
    names = {key: str(file_config.get(key) or default) for key, default in NAME_DEFAULTS.items()}
    for key, value in names.items():
        if not IDENTIFIER.match(value):
            raise ConfigError("%s: %r; allowed: letters, digits and _ (not starting with a digit)" % (key, value))
    return names


def render_statements(sql_text: str, names: Dict[str, str]) -> List[str]:
    """Substitutes the database and table names and splits the script into statements (comments dropped)."""
    text = Template(re.sub(r"--[^\n]*", "", sql_text)).substitute(names)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def create_tables(spark: SparkSession, statements: Sequence[str], database: str) -> None:
    spark.sql("CREATE DATABASE IF NOT EXISTS %s" % database)
    for statement in statements:
        print("create_tables: " + " ".join(statement.split()[:6]) + " ...", flush=True)
        spark.sql(statement)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="create_tables.py")
    parser.add_argument("--config", help="the job's JSON config (local or HDFS); names default to the job's defaults")
    parser.add_argument("--sql", default=os.path.join(HERE, "tables.sql"), help="path of tables.sql (local or HDFS)")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("sensor-aggregation-create-tables").enableHiveSupport().getOrCreate()
    try:
        names = table_config(json.loads(read_text(spark, args.config)) if args.config else {})
    except ValueError as error:
        print("create_tables: invalid configuration: %s" % error, file=sys.stderr)
        return 2
    create_tables(spark, render_statements(read_text(spark, args.sql), names), names["database"])
    print("create_tables: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
