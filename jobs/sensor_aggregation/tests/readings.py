"""Deterministic test readings for the integration tests: valid ones with known values and every malformed kind."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from confluent_kafka import Consumer, Producer

SENSORS = ["Sensor 1", "Sensor 2", "Capteur é 3"]
MALFORMED = [
    ("{not json", "unparseable JSON"),
    ('{"measure1": 1.0, "measure2": 2.0}', "missing sensor"),
    ('{"sensor": "Sensor 1", "measure1": "hot", "measure2": 2.0}', "non-numeric measure1"),
    ('{"sensor": "Sensor 2", "measure1": 1.0, "measure2": NaN}', "non-finite measure2"),
]


@dataclass
class Produced:
    """What was sent, keyed by (partition, offset) once the broker acknowledged it."""
    valid: Dict[Tuple[int, int], dict] = field(default_factory=dict)
    malformed: Dict[Tuple[int, int], Tuple[str, str]] = field(default_factory=dict)

    def expected_stats(self) -> Dict[str, Tuple[int, float, float]]:
        """sensor -> (count, measure1 average, measure2 average) over every valid reading."""
        sums: Dict[str, List[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for r in self.valid.values():
            s = sums[r["sensor"]]
            s[0] += 1
            s[1] += r["measure1"]
            s[2] += r["measure2"]
        return {k: (int(c), m1 / c, m2 / c) for k, (c, m1, m2) in sums.items()}


def message(i: int) -> Tuple[str, Optional[dict], Optional[str]]:
    """The i-th message: every 25th is malformed (cycling through the kinds), the rest valid."""
    if i % 25 == 7:
        raw, reason = MALFORMED[(i // 25) % len(MALFORMED)]
        return raw, None, reason
    reading = {"sensor": SENSORS[i % len(SENSORS)], "measure1": round(20 + (i % 17) * 1.25, 2), "measure2": (i % 11) / 10}
    return json.dumps(reading, ensure_ascii=False), reading, None


def produce(bootstrap: str, topic: str, count: int, partitions: int = 2) -> Produced:
    produced = Produced()
    errors: List[str] = []
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True})
    for i in range(count):
        raw, reading, reason = message(i)

        def delivered(err, msg, reading=reading, raw=raw, reason=reason) -> None:
            if err is not None:
                errors.append(str(err))
            elif reading is not None:
                produced.valid[(msg.partition(), msg.offset())] = reading
            else:
                produced.malformed[(msg.partition(), msg.offset())] = (raw, reason)

        producer.produce(topic, raw.encode("utf-8"), partition=i % partitions, on_delivery=delivered)
        producer.poll(0)
    assert producer.flush(60) == 0, "messages still undelivered"
    assert not errors, errors
    return produced


def consume_all(bootstrap: str, topic: str, expected_at_least: int, timeout: float = 60.0) -> List[Tuple[str, dict]]:
    """Reads the topic from the start until at least `expected_at_least` messages came and then a quiet second."""
    import time

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + topic, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    messages: List[Tuple[str, dict]] = []
    deadline = time.monotonic() + timeout
    quiet_since = None
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                if len(messages) >= expected_at_least:
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since > 1.0:
                        break
                continue
            assert msg.error() is None, msg.error()
            quiet_since = None
            messages.append((msg.key().decode("utf-8"), json.loads(msg.value().decode("utf-8"))))
    finally:
        consumer.close()
    return messages
