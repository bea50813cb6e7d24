"""The sensor aggregation job's configuration: keys, defaults, validation and reading, in one module.

job.py, create_tables.py and maintenance.py import it; on a cluster the deployer ships it beside them as a
Livy `pyFiles` entry (every job module of the artifact that is not an entry script is shipped that way).
The keys and defaults agree with the job config's JSON Schema, job-config.schema.json beside this file (generated
from contracts/job-config.ts, shipped in the artifact): tests/test_config.py checks it.

Defaults < the JSON config file < command-line flags. Runs on PySpark 2.4 and 3.x: Python 3.7 syntax.
"""
from __future__ import annotations

import argparse
import json
import os
import re
from typing import Dict, Mapping, Sequence

DEFAULTS = {
    "security_protocol": "SASL_SSL",
    "starting_offsets": "latest",
    "max_offsets_per_trigger": None,
    "trigger_interval": "15 seconds",
    "fail_on_data_loss": True,
    "database": "default",
    "data_table": "sensor_data",
    "rejected_table": "sensor_data_rejected",
    "stats_table": "sensor_data_stats",
    "query_name": "sensor-aggregation",
    "jaas_config_path": None,
    "output_jaas_config_path": None,
    # Bounds the per-batch collect of the stats to the driver (one row per sensor); past it the batch fails.
    "max_sensors_per_batch": 100000,
    # A larger message is rejected; also the bound of every stats message (Event Hubs' limit: contracts/eventhubs-limits.ts).
    "max_message_bytes": 1046528,
    # A longer sensor name is rejected: with max_message_bytes it bounds the size of every stats message.
    "max_sensor_length": 256,
    # How long a starting driver waits for another holder's checkpoint lease to lapse (checkpoint_lease.py).
    "lease_wait_seconds": 90,
}
REQUIRED = ("bootstrap_servers", "input_topic", "output_topic", "checkpoint_location")
KNOWN_KEYS = tuple(sorted(set(DEFAULTS) | set(REQUIRED)))
SECURITY_PROTOCOLS = ("SASL_SSL", "PLAINTEXT")
# The database and the tables: plain identifiers, because they go into SQL text.
NAME_KEYS = ("database", "data_table", "rejected_table", "stats_table")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INTERVAL = re.compile(r"^\d+ (milliseconds?|seconds?|minutes?|hours?)$")

# With SASL_SSL each side needs its own JAAS file: key -> what that file's connection string must allow.
JAAS_KEYS = {
    "jaas_config_path": "the source's listen connection string on input_topic",
    "output_jaas_config_path": "the sink's send connection string on output_topic (a listen-only key cannot send)",
}


# contracts/eventhubs-limits.ts owns these; the tests check them against job-config.schema.json's x-stats-message-bytes.
STATS_MESSAGE_BYTES_PER_CHARACTER = 10
STATS_MESSAGE_FIXED_BYTES = 512
# A produce request's framing around its records: the producer's max.request.size stays this far under the limit.
PRODUCE_REQUEST_OVERHEAD_BYTES = 1024


def worst_stats_message_bytes(max_sensor_length: int) -> int:
    """The largest stats message a sensor name of that many characters makes (contracts/eventhubs-limits.ts):
    the name as the key (UTF-8, 4 bytes a character) and escaped in the JSON value (6), plus 512 for the rest."""
    return STATS_MESSAGE_BYTES_PER_CHARACTER * max_sensor_length + STATS_MESSAGE_FIXED_BYTES


def producer_max_request_bytes(max_message_bytes: int) -> int:
    """The producer's max.request.size: Event Hubs refuses a request over max_message_bytes, framing included."""
    return max_message_bytes - PRODUCE_REQUEST_OVERHEAD_BYTES


class ConfigError(ValueError):
    """A configuration value is missing or not allowed; the message names the key and what is allowed."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="job.py", description="Sensor aggregation streaming job", allow_abbrev=False)
    parser.add_argument("--config", help="JSON config file (local path, hdfs:// URI or absolute HDFS path)")
    for key in KNOWN_KEYS:
        if key not in JAAS_KEYS:  # a path is fine on the command line; the secret itself never is
            parser.add_argument("--" + key.replace("_", "-"), dest=key, default=None)
    for key, what in JAAS_KEYS.items():
        parser.add_argument("--" + key.replace("_", "-"), dest=key, default=None,
                            help="file holding the JAAS line with %s (read by the job; never pass the secret itself)" % what)
    return parser.parse_args(list(argv))


def check_known_keys(file_config: Mapping[str, object]) -> None:
    unknown = sorted(set(file_config) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError("unknown config key(s) %s; allowed: %s" % (", ".join(unknown), ", ".join(KNOWN_KEYS)))


def merge_config(file_config: Dict[str, object], overrides: Dict[str, object]) -> Dict[str, object]:
    """Defaults < file < command-line flags; then validated."""
    check_known_keys(file_config)
    config = dict(DEFAULTS)
    config.update(file_config)
    config.update({k: v for k, v in overrides.items() if v is not None})
    return validate_config(config)


def _positive_int(config: Dict[str, object], key: str) -> None:
    value = config[key]
    try:
        config[key] = int(str(value))
    except ValueError:
        config[key] = 0
    if config[key] <= 0:  # type: ignore[operator]
        raise ConfigError("%s: %r; allowed: a positive integer" % (key, value))


def _check_names(names: Mapping[str, object]) -> None:
    for key in NAME_KEYS:
        if not IDENTIFIER.match(str(names[key])):
            raise ConfigError("%s: %r; allowed: letters, digits and _ (not starting with a digit)" % (key, names[key]))


def validate_config(config: Dict[str, object]) -> Dict[str, object]:
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigError("missing required config key(s): %s" % ", ".join(missing))
    protocol = str(config["security_protocol"]).upper()
    if protocol not in SECURITY_PROTOCOLS:
        raise ConfigError("security_protocol: %r; allowed: %s" % (config["security_protocol"], ", ".join(SECURITY_PROTOCOLS)))
    config["security_protocol"] = protocol
    if protocol == "SASL_SSL":
        # No fallback from one file to the other: the rules are scoped to one event hub and one right each.
        for key, what in JAAS_KEYS.items():
            if not config.get(key):
                raise ConfigError("%s: missing; required with SASL_SSL (a file, mode 600, holding the JAAS line with %s)" % (key, what))
    if not INTERVAL.match(str(config["trigger_interval"])):
        raise ConfigError("trigger_interval: %r; allowed: '<n> seconds' (or milliseconds, minutes, hours)" % config["trigger_interval"])
    if config.get("max_offsets_per_trigger") is not None:
        _positive_int(config, "max_offsets_per_trigger")
    for key in ("max_sensors_per_batch", "max_message_bytes", "max_sensor_length", "lease_wait_seconds"):
        _positive_int(config, key)
    if worst_stats_message_bytes(int(config["max_sensor_length"])) > producer_max_request_bytes(int(config["max_message_bytes"])):  # type: ignore[arg-type]
        raise ConfigError("max_sensor_length: %s; a stats message of a name that long (10 bytes a character + 512) would "
                          "not fit max_message_bytes (%s) less %d bytes of request framing"
                          % (config["max_sensor_length"], config["max_message_bytes"], PRODUCE_REQUEST_OVERHEAD_BYTES))
    flag = str(config["fail_on_data_loss"]).lower()
    if flag not in ("true", "false"):
        raise ConfigError("fail_on_data_loss: %r; allowed: true, false" % config["fail_on_data_loss"])
    config["fail_on_data_loss"] = flag == "true"
    _check_names(config)
    return config


def ledger_table(query_name: str) -> str:
    """The housekeeping ledger's table name, from the streaming query's name: the ledger belongs to the query
    (the environment's stream), not to a table, so renaming a table keeps it. Characters an identifier cannot
    hold become _; two queries whose names differ only there share one ledger, which is safe: its ranges are
    keyed by run_id, a checkpoint's UUID, so no query's range ever covers another's batches."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", query_name).lower()
    return ("q_" if not re.match(r"^[a-z_]", name) else "") + name + "_compactions"


def table_name_config(file_config: Mapping[str, object]) -> Dict[str, str]:
    """The database and table names of a job config file, with the job's defaults, checked as the job checks
    them, and the ledger's table (ledger_table): all that create_tables.py and maintenance.py need of it."""
    check_known_keys(file_config)
    names = {key: str(file_config.get(key) or DEFAULTS[key]) for key in NAME_KEYS}
    _check_names(names)
    names["ledger_table"] = ledger_table(str(file_config.get("query_name") or DEFAULTS["query_name"]))
    return names


def table_names(config: Mapping[str, object]) -> Dict[str, str]:
    """kind (data, rejected, stats) -> the qualified table name."""
    db = str(config["database"])
    return {kind: "%s.%s" % (db, config[kind + "_table"]) for kind in ("data", "rejected", "stats")}


def read_text(spark, path: str) -> str:
    """Reads a small text file from the local disk, or through Spark from HDFS (hdfs:// or an absolute HDFS path)."""
    local = path[len("file://"):] if path.startswith("file://") else path
    if "://" not in local and os.path.isfile(local):
        with open(local, encoding="utf-8") as handle:
            return handle.read()
    files = spark.sparkContext.wholeTextFiles(path, 1).collect()
    if len(files) != 1:
        raise ConfigError("%s: expected one file, found %d" % (path, len(files)))
    return files[0][1]


def read_config_file(spark, path: str) -> Dict[str, object]:
    """The JSON object in a config file (local or HDFS)."""
    file_config = json.loads(read_text(spark, path))
    if not isinstance(file_config, dict):
        raise ConfigError("%s: expected a JSON object" % path)
    return file_config


def load_config(spark, argv: Sequence[str]) -> Dict[str, object]:
    args = vars(parse_args(argv))
    config_path = args.pop("config")
    return merge_config(read_config_file(spark, config_path) if config_path else {}, args)
