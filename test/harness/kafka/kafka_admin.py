"""What the test harness asks a broker (is it up, create a topic, who leads its partitions), through the
maintained client: confluent-kafka's AdminClient (librdkafka), already a test dependency."""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

# librdkafka logs each failed connection attempt; the harness probes brokers that are still starting.
_QUIET = logging.getLogger("kafka-harness")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class KafkaAdminError(Exception):
    """The broker answered, but not as expected (or not in time)."""


def _admin(bootstrap: str, timeout: float) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": int(timeout * 1000), "logger": _QUIET})


def broker_ids(bootstrap: str, timeout: float = 5.0) -> list[int]:
    """The ids of the brokers the cluster's metadata lists (registered and unfenced)."""
    try:
        return sorted(_admin(bootstrap, timeout).list_topics(timeout=timeout).brokers)
    except KafkaException as error:
        raise KafkaAdminError(f"metadata from {bootstrap}: {error.args[0]}") from error


# As an event hub's by default (its MessageTimestampType is AppendTime, which the azurerm provider leaves as it is):
# a record's timestamp is the time the broker appended it, whatever the producer set. A producer's own timestamp
# can be anything (nanoseconds, say), and Spark's Kafka source fails on every attempt of a batch holding one it
# cannot convert to microseconds (a long overflow), before the job sees the record.
TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}


def create_topic(bootstrap: str, topic: str, partitions: int, timeout: float = 30.0, config: dict | None = None) -> None:
    """Creates the topic (with TOPIC_CONFIG, or the given config); one that exists already is fine."""
    admin = _admin(bootstrap, timeout)  # kept while the future is pending: a collected client cancels it
    new = NewTopic(topic, num_partitions=partitions, replication_factor=1, config=TOPIC_CONFIG if config is None else config)
    future = admin.create_topics([new], operation_timeout=timeout)[topic]
    try:
        future.result(timeout=timeout)
    except KafkaException as error:
        if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise KafkaAdminError(f"create topic {topic!r}: {error.args[0]}") from error


def partition_leaders(bootstrap: str, topic: str, timeout: float = 5.0) -> list[int] | None:
    """The leader of each partition in partition order (-1: none yet), or None while the topic is not known."""
    try:
        metadata = _admin(bootstrap, timeout).list_topics(topic, timeout=timeout).topics.get(topic)
    except KafkaException as error:
        raise KafkaAdminError(f"metadata of {topic!r} from {bootstrap}: {error.args[0]}") from error
    if metadata is None or metadata.error is not None:
        return None
    return [metadata.partitions[p].leader for p in sorted(metadata.partitions)]
