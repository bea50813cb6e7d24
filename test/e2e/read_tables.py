"""Reads the local pipeline's three tables through the shared metastore, as any other Spark application on the
cluster would, and writes them as JSON for the end-to-end test's assertions, with each table's partitions as the
metastore and HDFS hold them.

  .venv/bin/python test/e2e/read_tables.py --conf <spark conf JSON file> --config <job config JSON file> --out <file>
"""
import argparse
import json

from pyspark.sql import SparkSession


def listing(spark, table):
    """The table's partitions as the metastore lists them, and every file under its location (path, bytes), so a
    test can tell rows that were deleted from rows the catalog does not show."""
    registered = sorted(row[0] for row in spark.sql("SHOW PARTITIONS %s" % table).collect())
    location = spark.sql("DESCRIBE FORMATTED %s" % table).where("col_name = 'Location'").collect()[0][1]
    root = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(location)
    files = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).listFiles(root, True)
    found = []
    while files.hasNext():
        status = files.next()
        found.append([str(status.getPath())[len(location):], status.getLen()])
    return {"registered": registered, "files": sorted(found)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    conf = json.load(open(args.conf))
    config = json.load(open(args.config))
    builder = SparkSession.builder.master("local[1]").appName("e2e-read-tables")
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")

    def table(name, columns):
        rows = spark.table("%s.%s" % (config["database"], config[name])).select(*columns).collect()
        return [list(row) for row in rows]

    result = {
        "data": table("data_table", ["kafka_partition", "kafka_offset", "sensor", "measure1", "measure2", "run_id", "batch_id"]),
        "rejected": table("rejected_table", ["kafka_partition", "kafka_offset", "reason", "run_id", "batch_id"]),
        "stats": table("stats_table", ["sensor", "count_sensor", "measure1_avg", "measure2_avg", "run_id", "batch_id"]),
    }
    result["columns"] = {name: spark.table("%s.%s" % (config["database"], config[name])).columns for name in ("data_table", "rejected_table", "stats_table")}
    result["listing"] = {name: listing(spark, "%s.%s" % (config["database"], config[name])) for name in ("data_table", "rejected_table", "stats_table")}
    with open(args.out, "w") as out:
        json.dump(result, out)
    spark.stop()


if __name__ == "__main__":
    main()
