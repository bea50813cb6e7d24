"""Unit tests of the job configuration and the Kafka options it gives (no Spark needed)."""
from __future__ import annotations

import pytest

import job

BASE = {"bootstrap_servers": "ns.servicebus.windows.net:9093", "input_topic": "sensor-readings", "output_topic": "sensor-stats",
        "checkpoint_location": "/apps/checkpoints/sensor-aggregation", "jaas_config_path": "/user/job/.sensor-aggregation/jaas.conf"}
JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="Endpoint=sb://x/;SharedAccessKey=secret";'


def test_defaults_fill_what_the_file_leaves_out():
    config = job.merge_config(dict(BASE), {})
    assert config["trigger_interval"] == "15 seconds"
    assert config["security_protocol"] == "SASL_SSL"
    assert config["starting_offsets"] == "latest"
    assert (config["database"], config["data_table"], config["rejected_table"], config["stats_table"]) == (
        "default", "sensor_data", "sensor_data_rejected", "sensor_data_stats")
    assert job.table_names(config)["rejected"] == "default.sensor_data_rejected"


def test_flags_override_single_keys_of_the_file():
    args = vars(job.parse_args(["--config", "job.json", "--trigger-interval", "30 seconds", "--max-offsets-per-trigger", "5000"]))
    args.pop("config")
    config = job.merge_config(dict(BASE), args)
    assert (config["trigger_interval"], config["max_offsets_per_trigger"], config["input_topic"]) == ("30 seconds", 5000, "sensor-readings")


@pytest.mark.parametrize("change,message", [
    ({"checkpoint_location": None}, "missing required config key(s): checkpoint_location"),
    ({"security_protocol": "SSL"}, "security_protocol: 'SSL'; allowed: SASL_SSL, PLAINTEXT"),
    ({"jaas_config_path": None}, "jaas_config_path: missing; required with SASL_SSL"),
    ({"trigger_interval": "fast"}, "trigger_interval: 'fast'; allowed: '<n> seconds'"),
    ({"max_offsets_per_trigger": -1}, "max_offsets_per_trigger: -1; allowed: a positive integer"),
    ({"max_offsets_per_trigger": "lots"}, "max_offsets_per_trigger: 'lots'; allowed: a positive integer"),
    ({"fail_on_data_loss": "maybe"}, "fail_on_data_loss: 'maybe'; allowed: true, false"),
    ({"data_table": "sensor-data; DROP"}, "data_table: 'sensor-data; DROP'; allowed: letters, digits and _"),
    ({"group_id": "g"}, "unknown config key(s) group_id; allowed:"),
])
def test_bad_values_give_an_error_naming_the_key_and_what_is_allowed(change, message):
    with pytest.raises(job.ConfigError) as error:
        job.merge_config(dict(BASE, **change), {})
    assert message in str(error.value)


def test_event_hubs_source_uses_sasl_plain_and_microsofts_client_settings_without_group_id():
    options = job.source_options(job.merge_config(dict(BASE, max_offsets_per_trigger=1000), {}), JAAS)
    assert options == {
        "kafka.bootstrap.servers": "ns.servicebus.windows.net:9093",
        "kafka.security.protocol": "SASL_SSL",
        "kafka.sasl.mechanism": "PLAIN",
        "kafka.sasl.jaas.config": JAAS,
        "kafka.request.timeout.ms": "60000",
        "kafka.session.timeout.ms": "30000",
        "kafka.metadata.max.age.ms": "180000",
        "kafka.connections.max.idle.ms": "180000",
        "subscribe": "sensor-readings",
        "startingOffsets": "latest",
        "failOnDataLoss": "true",
        "maxOffsetsPerTrigger": "1000",
    }
    assert not any("group.id" in key for key in options)


def test_event_hubs_sink_has_the_producer_settings_and_the_output_topic():
    options = job.sink_options(job.merge_config(dict(BASE), {}), JAAS)
    assert options["topic"] == "sensor-stats"
    assert options["kafka.sasl.jaas.config"] == JAAS and options["kafka.request.timeout.ms"] == "60000"
    assert "kafka.session.timeout.ms" not in options  # a consumer setting


def test_a_local_broker_uses_plaintext_and_no_sasl():
    config = job.merge_config(dict(BASE, security_protocol="plaintext", jaas_config_path=None), {})
    options = job.source_options(config, None)
    assert options["kafka.security.protocol"] == "PLAINTEXT"
    assert not any(key.startswith("kafka.sasl") for key in options)


def test_the_jaas_secret_cannot_be_given_on_the_command_line(capsys):
    with pytest.raises(SystemExit):
        job.parse_args(["--jaas-config", JAAS])
    assert "jaas_config_path" in job.KNOWN_KEYS and "jaas_config" not in job.KNOWN_KEYS


def test_files_are_read_from_a_local_path_or_file_uri(tmp_path):
    secret = tmp_path / "jaas.conf"
    secret.write_text(JAAS + "\n")
    assert job.read_text(None, str(secret)) == JAAS + "\n"
    assert job.read_text(None, "file://" + str(secret)) == JAAS + "\n"


def test_an_empty_jaas_file_is_refused():
    with pytest.raises(job.ConfigError, match="jaas_config_path: the file is empty"):
        job.source_options(job.merge_config(dict(BASE), {}), "")
