"""The few Kafka protocol requests the test harness needs, over a plain socket.

The harness must run on the Python standard library alone (pytest and jest both
call it), so it speaks the documented wire format (kafka.apache.org/protocol)
for three requests: ApiVersions v0 (which versions the broker serves),
Metadata v4-v8 (is the broker registered, are a topic's partitions led) and
CreateTopics v2-v4. Only non-flexible versions are encoded, which every broker
from 2.x to 4.x serves.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

API_METADATA = 3
API_API_VERSIONS = 18
API_CREATE_TOPICS = 19
ERROR_NONE = 0
ERROR_TOPIC_ALREADY_EXISTS = 36
CLIENT_ID = b"test-harness"


class KafkaWireError(Exception):
    """The broker answered, but not as expected."""


def _string(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


class _Reader:
    """Reads big-endian fields from one response body."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, fmt: str):
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def int8(self) -> int:
        return self._take(">b")

    def int16(self) -> int:
        return self._take(">h")

    def int32(self) -> int:
        return self._take(">i")

    def string(self) -> str | None:
        length = self.int16()
        if length < 0:
            return None
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        return raw.decode()

    def int32_array(self) -> list[int]:
        return [self.int32() for _ in range(max(self.int32(), 0))]


class Connection:
    """One blocking connection to a broker; requests are answered in order."""

    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.correlation_id = 0
        self.versions: dict[int, tuple[int, int]] = {}

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _recv_exact(self, size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self.sock.recv(size - len(chunks))
            if not chunk:
                raise KafkaWireError("broker closed the connection")
            chunks.extend(chunk)
        return bytes(chunks)

    def request(self, api_key: int, version: int, body: bytes) -> _Reader:
        self.correlation_id += 1
        header = struct.pack(">hhi", api_key, version, self.correlation_id) + struct.pack(">h", len(CLIENT_ID)) + CLIENT_ID
        payload = header + body
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)
        (size,) = struct.unpack(">i", self._recv_exact(4))
        reader = _Reader(self._recv_exact(size))
        if reader.int32() != self.correlation_id:
            raise KafkaWireError("response correlation id does not match the request")
        return reader

    def api_versions(self) -> dict[int, tuple[int, int]]:
        reader = self.request(API_API_VERSIONS, 0, b"")
        error = reader.int16()
        if error != ERROR_NONE:
            raise KafkaWireError(f"ApiVersions failed with error code {error}")
        versions = {}
        for _ in range(reader.int32()):
            key, low, high = reader.int16(), reader.int16(), reader.int16()
            versions[key] = (low, high)
        self.versions = versions
        return versions

    def pick_version(self, api_key: int, low: int, high: int) -> int:
        """Highest version both we (low..high) and the broker serve."""
        if not self.versions:
            self.api_versions()
        if api_key not in self.versions:
            raise KafkaWireError(f"broker does not serve API key {api_key}")
        broker_low, broker_high = self.versions[api_key]
        version = min(high, broker_high)
        if version < max(low, broker_low):
            raise KafkaWireError(f"no common version for API key {api_key}: broker {broker_low}-{broker_high}, harness {low}-{high}")
        return version

    def metadata(self, topics: list[str] | None) -> "Metadata":
        version = self.pick_version(API_METADATA, 4, 8)
        if topics is None:
            body = struct.pack(">i", -1)
        else:
            body = struct.pack(">i", len(topics)) + b"".join(_string(t) for t in topics)
        body += struct.pack(">b", 0)  # allow_auto_topic_creation: never create as a side effect
        if version >= 8:
            body += struct.pack(">bb", 0, 0)  # include cluster/topic authorized operations
        return _parse_metadata(self.request(API_METADATA, version, body), version)

    def create_topic(self, name: str, partitions: int, timeout_ms: int = 30000) -> int:
        """Returns the topic's error code (0, or 36 when it already exists)."""
        version = self.pick_version(API_CREATE_TOPICS, 2, 4)
        body = struct.pack(">i", 1) + _string(name) + struct.pack(">ihii", partitions, 1, 0, 0)
        body += struct.pack(">ib", timeout_ms, 0)  # timeout, validate_only=false
        reader = self.request(API_CREATE_TOPICS, version, body)
        reader.int32()  # throttle_time_ms
        if reader.int32() != 1:
            raise KafkaWireError("CreateTopics answered for an unexpected number of topics")
        reader.string()
        error = reader.int16()
        message = reader.string()
        if error not in (ERROR_NONE, ERROR_TOPIC_ALREADY_EXISTS):
            raise KafkaWireError(f"CreateTopics {name!r} failed with error code {error}: {message}")
        return error


@dataclass
class TopicMetadata:
    name: str
    error_code: int
    partition_leaders: list[int]


@dataclass
class Metadata:
    broker_ids: list[int]
    topics: dict[str, TopicMetadata]


def _parse_metadata(reader: _Reader, version: int) -> Metadata:
    reader.int32()  # throttle_time_ms
    broker_ids = []
    for _ in range(reader.int32()):
        broker_ids.append(reader.int32())
        reader.string()  # host
        reader.int32()  # port
        reader.string()  # rack
    reader.string()  # cluster_id
    reader.int32()  # controller_id
    topics = {}
    for _ in range(reader.int32()):
        error = reader.int16()
        name = reader.string() or ""
        reader.int8()  # is_internal
        leaders = []
        for _ in range(reader.int32()):
            reader.int16()  # partition error
            reader.int32()  # partition index
            leaders.append(reader.int32())
            if version >= 7:
                reader.int32()  # leader_epoch
            reader.int32_array()  # replicas
            reader.int32_array()  # isr
            if version >= 5:
                reader.int32_array()  # offline replicas
        if version >= 8:
            reader.int32()  # topic authorized operations
        topics[name] = TopicMetadata(name, error, leaders)
    return Metadata(broker_ids, topics)
