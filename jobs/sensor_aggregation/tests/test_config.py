"""Unit tests of the job configuration and the Kafka options it gives (no Spark needed)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import job
import job_config

BASE = {"bootstrap_servers": "ns.servicebus.windows.net:9093", "input_topic": "sensor-readings", "output_topic": "sensor-stats",
        "checkpoint_location": "/apps/checkpoints/sensor-aggregation", "jaas_config_path": "/user/job/.sensor-aggregation/jaas.conf",
        "output_jaas_config_path": "/user/job/.sensor-aggregation/jaas-output.conf"}
JAAS_LINE = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="%s";'
# Two least-privilege rules, each scoped to one event hub: listen on the source, send on the sink.
JAAS = JAAS_LINE % "Endpoint=sb://x/;SharedAccessKeyName=listen;SharedAccessKey=listen-secret;EntityPath=sensor-readings"
SEND_JAAS = JAAS_LINE % "Endpoint=sb://x/;SharedAccessKeyName=send;SharedAccessKey=send-secret;EntityPath=sensor-stats"


def test_defaults_fill_what_the_file_leaves_out():
    config = job_config.merge_config(dict(BASE), {})
    assert config["trigger_interval"] == "15 seconds"
    assert config["security_protocol"] == "SASL_SSL"
    assert config["starting_offsets"] == "latest"
    assert (config["database"], config["data_table"], config["rejected_table"], config["stats_table"]) == (
        "default", "sensor_data", "sensor_data_rejected", "sensor_data_stats")
    assert job_config.table_names(config)["rejected"] == "default.sensor_data_rejected"


def test_flags_override_single_keys_of_the_file():
    args = vars(job_config.parse_args(["--config", "job.json", "--trigger-interval", "30 seconds", "--max-offsets-per-trigger", "5000"]))
    args.pop("config")
    config = job_config.merge_config(dict(BASE), args)
    assert (config["trigger_interval"], config["max_offsets_per_trigger"], config["input_topic"]) == ("30 seconds", 5000, "sensor-readings")


@pytest.mark.parametrize("change,message", [
    ({"checkpoint_location": None}, "missing required config key(s): checkpoint_location"),
    ({"security_protocol": "SSL"}, "security_protocol: 'SSL'; allowed: SASL_SSL, PLAINTEXT"),
    ({"jaas_config_path": None}, "jaas_config_path: missing; required with SASL_SSL (a file, mode 600, holding the JAAS line with the source's listen"),
    ({"output_jaas_config_path": None}, "output_jaas_config_path: missing; required with SASL_SSL (a file, mode 600, holding the JAAS line "
                                        "with the sink's send connection string on output_topic (a listen-only key cannot send))"),
    ({"output_jaas_config_path": ""}, "output_jaas_config_path: missing; required with SASL_SSL"),
    ({"trigger_interval": "fast"}, "trigger_interval: 'fast'; allowed: '<n> seconds'"),
    ({"max_offsets_per_trigger": -1}, "max_offsets_per_trigger: -1; allowed: a positive integer"),
    ({"max_offsets_per_trigger": "lots"}, "max_offsets_per_trigger: 'lots'; allowed: a positive integer"),
    ({"fail_on_data_loss": "maybe"}, "fail_on_data_loss: 'maybe'; allowed: true, false"),
    ({"data_table": "sensor-data; DROP"}, "data_table: 'sensor-data; DROP'; allowed: letters, digits and _"),
    ({"group_id": "g"}, "unknown config key(s) group_id; allowed:"),
])
def test_bad_values_give_an_error_naming_the_key_and_what_is_allowed(change, message):
    with pytest.raises(job_config.ConfigError) as error:
        job_config.merge_config(dict(BASE, **change), {})
    assert message in str(error.value)


def test_event_hubs_source_uses_sasl_plain_and_microsofts_client_settings_without_group_id():
    options = job.source_options(job_config.merge_config(dict(BASE, max_offsets_per_trigger=1000), {}), JAAS)
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


def test_event_hubs_sink_has_the_producer_settings_the_output_topic_and_the_send_jaas():
    options = job.sink_options(job_config.merge_config(dict(BASE), {}), SEND_JAAS)
    assert options["topic"] == "sensor-stats"
    assert options["kafka.sasl.jaas.config"] == SEND_JAAS and options["kafka.request.timeout.ms"] == "60000"
    assert "kafka.session.timeout.ms" not in options  # a consumer setting
    # Event Hubs refuses a request over 1,046,528 bytes, framing included; the producer's own default (1 MiB) is above it.
    assert options["kafka.max.request.size"] == str(1046528 - 1024)


@given(st.integers(min_value=1, max_value=4 * 1024 * 1024), st.integers(min_value=1, max_value=500 * 1024))
def test_a_config_is_accepted_only_when_the_largest_stats_request_fits_under_max_message_bytes(max_message, max_sensor):
    """Accepted, the worst stats record plus its request's framing (what the producer's max.request.size leaves out)
    stays within max_message_bytes, the limit Event Hubs enforces on the whole request."""
    config = dict(BASE, max_message_bytes=max_message, max_sensor_length=max_sensor)
    fits = 10 * max_sensor + 512 + 1024 <= max_message
    try:
        merged = job_config.merge_config(config, {})
    except job_config.ConfigError as err:
        assert not fits and "max_sensor_length" in str(err)
        return
    assert fits
    request_limit = int(job.sink_options(merged, SEND_JAAS)["kafka.max.request.size"])
    assert job_config.worst_stats_message_bytes(max_sensor) <= request_limit <= max_message - 1024


def test_a_sensor_name_bound_whose_stats_message_would_not_fit_is_refused():
    with pytest.raises(job_config.ConfigError, match="max_sensor_length"):
        job_config.merge_config(dict(BASE, max_sensor_length=600 * 1024), {})
    assert job_config.merge_config(dict(BASE, max_sensor_length=1000), {})["max_sensor_length"] == 1000


def test_the_job_reads_two_jaas_files_and_gives_the_source_the_listen_line_and_the_sink_the_send_line(tmp_path, monkeypatch):
    (tmp_path / "listen.conf").write_text(JAAS + "\n")
    (tmp_path / "send.conf").write_text(SEND_JAAS + "\n")
    (tmp_path / "job.json").write_text(json.dumps(dict(BASE, jaas_config_path=str(tmp_path / "listen.conf"),
                                                       output_jaas_config_path=str(tmp_path / "send.conf"))))
    started = {}

    def fake_start_query(spark, config, jaas_config, output_jaas_config, lease):  # stands in for Spark; sees what main() passes
        started.update(source=job.source_options(config, jaas_config), sink=job.sink_options(config, output_jaas_config))
        raise SystemExit(0)

    monkeypatch.setattr(job, "start_query", fake_start_query)
    # The checkpoint's lease needs a JVM: a lease that is always free stands in for it here (test_checkpoint_lease.py).
    monkeypatch.setattr(job, "checkpoint_run", lambda spark, config: None)
    monkeypatch.setattr(job.checkpoint_lease, "holder_record", lambda spark, run: {})
    monkeypatch.setattr(job.checkpoint_lease, "acquire",
                        lambda *args: job.checkpoint_lease.CheckpointLease("stand-in", lambda data: None, lambda: None))
    monkeypatch.setattr(job, "SparkSession", FakeSessionBuilder)
    with pytest.raises(SystemExit):
        job.main(["--config", str(tmp_path / "job.json")])
    assert started["source"]["kafka.sasl.jaas.config"] == JAAS and started["source"]["subscribe"] == "sensor-readings"
    assert started["sink"]["kafka.sasl.jaas.config"] == SEND_JAAS and started["sink"]["topic"] == "sensor-stats"


def test_the_output_jaas_file_is_a_path_flag_and_overrides_the_file():
    args = vars(job_config.parse_args(["--config", "job.json", "--output-jaas-config-path", "/user/job/send.conf"]))
    args.pop("config")
    assert job_config.merge_config(dict(BASE), args)["output_jaas_config_path"] == "/user/job/send.conf"
    with pytest.raises(SystemExit):
        job_config.parse_args(["--output-jaas-config", SEND_JAAS])  # no abbreviation, no secret-valued flag


def test_a_missing_send_jaas_fails_at_start_and_names_the_key_without_printing_the_listen_secret(tmp_path, capsys, monkeypatch):
    (tmp_path / "listen.conf").write_text(JAAS)
    config = dict(BASE, jaas_config_path=str(tmp_path / "listen.conf"))
    del config["output_jaas_config_path"]
    (tmp_path / "job.json").write_text(json.dumps(config))
    monkeypatch.setattr(job, "SparkSession", FakeSessionBuilder)
    assert job.main(["--config", str(tmp_path / "job.json")]) == 2
    err = capsys.readouterr().err
    assert "output_jaas_config_path: missing; required with SASL_SSL" in err
    assert "listen-secret" not in err


class FakeSessionBuilder:
    """Stand-in for SparkSession in main(): the config and JAAS files here are local, so no Spark is needed."""

    class builder:  # noqa: N801 - mirrors SparkSession.builder
        @staticmethod
        def appName(_):  # noqa: N802
            return FakeSessionBuilder.builder

        @staticmethod
        def enableHiveSupport():  # noqa: N802
            return FakeSessionBuilder.builder

        @staticmethod
        def getOrCreate():  # noqa: N802
            return None


def test_a_local_broker_uses_plaintext_and_no_sasl():
    config = job_config.merge_config(dict(BASE, security_protocol="plaintext", jaas_config_path=None, output_jaas_config_path=None), {})
    for options in (job.source_options(config, None), job.sink_options(config, None)):
        assert options["kafka.security.protocol"] == "PLAINTEXT"
        assert not any(key.startswith("kafka.sasl") for key in options)


def test_the_jaas_secret_cannot_be_given_on_the_command_line(capsys):
    with pytest.raises(SystemExit):
        job_config.parse_args(["--jaas-config", JAAS])
    assert "jaas_config_path" in job_config.KNOWN_KEYS and "jaas_config" not in job_config.KNOWN_KEYS


def test_files_are_read_from_a_local_path_or_file_uri(tmp_path):
    secret = tmp_path / "jaas.conf"
    secret.write_text(JAAS + "\n")
    assert job_config.read_text(None, str(secret)) == JAAS + "\n"
    assert job_config.read_text(None, "file://" + str(secret)) == JAAS + "\n"


def test_an_empty_jaas_file_is_refused_naming_which_one():
    config = job_config.merge_config(dict(BASE), {})
    with pytest.raises(job_config.ConfigError, match="^jaas_config_path: the file is empty"):
        job.source_options(config, "")
    with pytest.raises(job_config.ConfigError, match="^output_jaas_config_path: the file is empty; it must hold the JAAS line with the sink's send"):
        job.sink_options(config, "")


def test_the_keys_and_defaults_agree_with_the_job_config_json_schema():
    """job-config.schema.json is generated from contracts/job-config.ts, the one definition the deployer writes by."""
    schema = json.loads((Path(job_config.__file__).parent / "job-config.schema.json").read_text())
    properties = schema["properties"]
    assert sorted(properties) == sorted(job_config.KNOWN_KEYS)
    assert sorted(schema["required"]) == sorted(job_config.REQUIRED)
    assert schema["additionalProperties"] is False
    schema_defaults = {key: spec.get("default") for key, spec in properties.items() if key not in job_config.REQUIRED}
    assert schema_defaults == job_config.DEFAULTS
    assert tuple(properties["security_protocol"]["enum"]) == job_config.SECURITY_PROTOCOLS
    for key in job_config.NAME_KEYS:
        assert properties[key]["pattern"] == job_config.IDENTIFIER.pattern, key
    assert properties["trigger_interval"]["pattern"] == job_config.INTERVAL.pattern
    assert schema["x-stats-message-bytes"] == {"perCharacter": job_config.STATS_MESSAGE_BYTES_PER_CHARACTER,
                                               "fixed": job_config.STATS_MESSAGE_FIXED_BYTES,
                                               "produceRequestOverhead": job_config.PRODUCE_REQUEST_OVERHEAD_BYTES}
