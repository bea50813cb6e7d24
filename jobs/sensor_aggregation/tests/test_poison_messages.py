"""No message can stop the stream, and none is changed silently: a generated corpus (Hypothesis) of valid readings
in many spellings and of every kind of defect, run through the job's real per-batch code on real Spark.

Each generated message carries, by construction, what it must become: a reading with its exact values, or a
rejection. For every generated batch: the batch never fails; every message lands in exactly one table (by its
Kafka offset); a valid one in the data table with its values; a rejected one in the rejected table with its value
as sent (base64 when its bytes are not UTF-8) and a reason; the stats are finite, agree with the data rows, and
every stats message fits the Event Hubs limit.

The seed is printed in pytest's header (POISON_SEED=<n> replays a run).
"""
from __future__ import annotations

import base64
import itertools
import json
import math
from datetime import datetime
from typing import List, NamedTuple, Optional

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

import job
import job_config
from corpus_seed import POISON_SEED
from create_tables import create_tables, render_statements
from kafka_frames import KAFKA_SCHEMA
from test_batch_logic import TABLES_SQL

MAX_SENSOR = int(job_config.DEFAULTS["max_sensor_length"])  # type: ignore[arg-type]
MAX_MESSAGE = int(job_config.DEFAULTS["max_message_bytes"])  # type: ignore[arg-type]
_databases = itertools.count()


class Case(NamedTuple):
    value: Optional[bytes]
    # The reading it must become, or None when it must be rejected.
    reading: Optional[tuple]
    kind: str


# ------------------------------------------------------------------ valid readings, in many spellings

# Sensor names: any Unicode text (no lone surrogates: they cannot be UTF-8), not blank, within the bound.
names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=MAX_SENSOR).filter(
    lambda s: s.strip(" ") != "")
measures = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1.5e308, -1.7e308, 5e-324, 0.0, -0.0])
# Extra fields other producers add: ASCII keys (an escaped key is refused), scalar or nested values within the
# nesting bound, never one of the reading's own names.
extra_keys = st.from_regex(r"\A[a-z_]{1,8}\Z").filter(lambda k: k not in job.reading_checks.KEYS)
json_scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(extra_keys, inner, max_size=3),
                           max_leaves=8)


@st.composite
def valid_readings(draw) -> Case:
    sensor, m1, m2 = draw(names), draw(measures), draw(measures)
    fields = [("sensor", sensor), ("measure1", m1), ("measure2", m2)]
    fields += list(draw(st.dictionaries(extra_keys, json_values, max_size=3)).items())
    fields = draw(st.permutations(fields))
    space = draw(st.sampled_from(["", " ", "\n", "\t ", "\r\n"]))
    ascii_only = draw(st.booleans())
    body = ("," + space).join("%s:%s%s" % (json.dumps(k), space, json.dumps(v, ensure_ascii=ascii_only)) for k, v in fields)
    text = space + "{" + space + body + space + "}" + space
    return Case(text.encode("utf-8"), (sensor, m1, m2), "valid")


# ------------------------------------------------------------------ defects: each must be rejected, none may fail the batch

def _reading_text(draw, **overrides) -> str:
    reading = {"sensor": draw(names), "measure1": draw(measures), "measure2": draw(measures)}
    reading.update(overrides)
    return json.dumps(reading, ensure_ascii=draw(st.booleans()))


@st.composite
def defects(draw) -> Case:
    kind = draw(st.sampled_from([
        "ndjson", "trailing", "spoofed end", "not a string sensor", "not utf-8", "lone surrogate", "bom",
        "duplicate key", "deep nesting", "huge number", "empty", "null", "blank", "too long sensor", "array",
        "scalar", "non-finite", "string measure", "missing measure", "escaped key", "oversized", "single quotes",
        "lone surrogate and an unsafe parse",
    ]))
    if kind == "single quotes":
        # Not JSON: Spark's default (allowSingleQuotes) would parse it, past the key checks.
        key = draw(st.sampled_from(job.reading_checks.KEYS))
        text = _reading_text(draw)[:-1] + ", '%s': %s}" % (key, draw(st.sampled_from(["5", "true", '{"a": 1}', "1.5e308", "'b'"])))
        return Case(text.encode("utf-8"), None, kind)
    if kind == "ndjson":
        text = _reading_text(draw) + draw(st.sampled_from(["\n", "\r\n", " ", ""])) + _reading_text(draw)
    elif kind == "trailing":
        text = _reading_text(draw) + draw(st.sampled_from([" x", "]", "}", ",", "{", " null", "0"]))
    elif kind == "spoofed end":
        # Closes an array that wraps the message, then opens another: a parse that wraps naively sees one value.
        text = _reading_text(draw) + "] [" + _reading_text(draw)
    elif kind == "not a string sensor":
        text = _reading_text(draw, sensor=draw(st.integers() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
                                                | st.lists(st.integers(), max_size=2) | st.dictionaries(extra_keys, st.integers(), max_size=2)))
    elif kind == "not utf-8":
        good = _reading_text(draw).encode("utf-8")
        at = draw(st.integers(0, len(good)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
        return Case(good[:at] + bad + good[at:], None, kind)
    elif kind == "lone surrogate":
        escape = draw(st.sampled_from(["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\udc00\\ud800"]))
        text = '{"sensor": "S%s", "measure1": 1, "measure2": 2}' % escape
    elif kind == "lone surrogate and an unsafe parse":
        # Two defects: the one that makes a parse unsafe must win, or the reason's own parse of the text is unsafe.
        unsafe = draw(st.sampled_from(["[" * 100000 + "]" * 100000, "1" * 200000]))
        text = '{"sensor": "S\\ud800", "measure1": %s, "measure2": 2}' % unsafe
    elif kind == "bom":
        text = "\ufeff" + _reading_text(draw)
    elif kind == "duplicate key":
        key = draw(st.sampled_from(job.reading_checks.KEYS))
        text = _reading_text(draw)[:-1] + ', "%s": %s}' % (key, json.dumps("other" if key == "sensor" else 3.0))
    elif kind == "deep nesting":
        depth = draw(st.sampled_from([65, 1000, 100000]))
        text = '{"sensor": "S", "measure1": 1, "measure2": 2, "x": %s%s}' % ("[" * depth, "]" * depth)
    elif kind == "huge number":
        text = '{"sensor": "S", "measure1": %s, "measure2": 2}' % draw(st.sampled_from(["1e400", "-1e999", "9" * 400, "1" * 1025, "-0." + "5" * 2000, "1" * 1_000_000]))
    elif kind == "empty":
        return Case(b"", None, kind)
    elif kind == "null":
        return Case(None, None, kind)
    elif kind == "blank":
        text = draw(st.sampled_from(["", " ", "{}", '{"sensor": "   ", "measure1": 1, "measure2": 2}', '{"sensor": null, "measure1": 1, "measure2": 2}']))
    elif kind == "too long sensor":
        text = _reading_text(draw, sensor="n" * draw(st.integers(MAX_SENSOR + 1, 600 * 1024)))
    elif kind == "array":
        text = "[" + _reading_text(draw) + "]"
    elif kind == "scalar":
        text = draw(st.sampled_from(["1", '"S"', "true", "null"]))
    elif kind == "non-finite":
        text = '{"sensor": "S", "measure1": %s, "measure2": 2}' % draw(st.sampled_from(["NaN", "Infinity", "-Infinity", '"NaN"', '"Infinity"']))
    elif kind == "string measure":
        text = '{"sensor": "S", "measure1": "1.5", "measure2": 2}'
    elif kind == "missing measure":
        text = '{"sensor": "S", "measure2": 2}'
    elif kind == "escaped key":
        text = '{"sens\\u006fr": "S", "measure1": 1, "measure2": 2}'
    else:  # oversized: over max_message_bytes
        text = '{"sensor": "S", "measure1": 1, "measure2": 2, "pad": "%s"}' % ("p" * MAX_MESSAGE)
    return Case(text.encode("utf-8"), None, kind)


batches = st.lists(valid_readings() | defects(), min_size=1, max_size=120)


# ------------------------------------------------------------------ the property

@pytest.fixture(scope="module")
def tables(spark):
    names_config = job_config.table_name_config({"database": "poison_%d" % next(_databases)})
    create_tables(spark, render_statements(TABLES_SQL, names_config), names_config["database"])
    return job_config.table_names(names_config)


_batch_ids = itertools.count(1)


def _kafka_rows(spark, cases: List[Case]):
    rows = [(None, None if c.value is None else bytearray(c.value), "sensor-readings", 0, i, datetime(2026, 1, 1), 0)
            for i, c in enumerate(cases)]
    return spark.createDataFrame(rows, KAFKA_SCHEMA)


def _stored(value: Optional[bytes]) -> Optional[str]:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii")


def _same(actual: float, expected: float) -> bool:
    return actual == expected and math.copysign(1, actual) == math.copysign(1, expected)


def check_batch(spark, tables, cases: List[Case]) -> None:
    batch_id = next(_batch_ids)
    assert job.process_batch(_kafka_rows(spark, cases), batch_id, tables, kafka_sink=None, run_id="corpus",
                             now=lambda: datetime(2026, 1, 2)) is True
    where = "run_id = 'corpus' AND batch_id = %d" % batch_id
    data = {r["kafka_offset"]: r for r in spark.table(tables["data"]).where(where).collect()}
    rejected = {r["kafka_offset"]: r for r in spark.table(tables["rejected"]).where(where).collect()}
    assert not set(data) & set(rejected), "a message in both tables"
    for offset, case in enumerate(cases):
        if case.reading is not None:
            assert offset in data, "valid %r rejected: %s" % (case.value[:200], rejected.get(offset, {"reason": "lost"})["reason"])
            row = data[offset]
            assert row["sensor"] == case.reading[0]
            assert _same(row["measure1"], case.reading[1]) and _same(row["measure2"], case.reading[2])
        else:
            assert offset in rejected, "%s %r accepted as %r" % (case.kind, (case.value or b"")[:200], data.get(offset))
            row = rejected[offset]
            assert row["reason"]
            assert row["raw_value"] == _stored(case.value), case.kind
    stats = spark.table(tables["stats"]).where(where).collect()
    per_sensor = {}
    for row in data.values():
        per_sensor.setdefault(row["sensor"], []).append(row)
    assert {s["sensor"]: s["count_sensor"] for s in stats} == {k: len(v) for k, v in per_sensor.items()}
    for s in stats:
        assert math.isfinite(s["measure1_avg"]) and math.isfinite(s["measure2_avg"]), s
        values = [r["measure1"] for r in per_sensor[s["sensor"]]]
        assert min(values) <= s["measure1_avg"] <= max(values)
    messages = job.stats_messages(spark.table(tables["stats"]).where(where)).collect()
    for message in messages:
        size = len(message["key"].encode("utf-8")) + len(message["value"].encode("utf-8"))
        assert size <= MAX_MESSAGE
        # Every number is finite JSON: a bare Infinity or NaN token fails the parse (a sensor may be named "-Infinity").
        body = json.loads(message["value"], parse_constant=lambda token: pytest.fail("%s in %s" % (token, message["value"])))
        assert math.isfinite(body["measure1_avg"]) and math.isfinite(body["measure2_avg"]), body


@seed(POISON_SEED)
# No shrinking: each example is a Spark batch of seconds; a failure reports its whole batch and the seed instead.
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
@given(cases=batches)
def test_every_generated_message_lands_once_with_its_value_or_its_reason(spark, tables, cases):
    check_batch(spark, tables, cases)


def test_the_cases_the_review_reproduced(spark, tables):
    """The defects named in the issue, each once, beside valid readings: none fails the batch."""
    reading = {"sensor": "S", "measure1": 1.0, "measure2": 2.0}
    text = json.dumps(reading)
    cases = [
        Case(json.dumps(dict(reading, sensor="n" * 600 * 1024)).encode(), None, "600 KB sensor name"),
        Case((text + "\n" + text).encode(), None, "NDJSON"),
        Case((text + " trailing").encode(), None, "object then anything"),
        Case(json.dumps(dict(reading, sensor=5)).encode(), None, "number sensor"),
        Case(json.dumps(dict(reading, sensor=True)).encode(), None, "true sensor"),
        Case(json.dumps(dict(reading, sensor={"a": 1})).encode(), None, "object sensor"),
        Case(b'{"sensor": "caf\xe9", "measure1": 1, "measure2": 2}', None, "latin-1 byte"),
        Case(b'{"sensor": "caf\xff", "measure1": 1, "measure2": 2}', None, "another bad byte"),
        Case(json.dumps(dict(reading, sensor="huge", measure1=1.5e308)).encode(), ("huge", 1.5e308, 2.0), "valid"),
        Case(json.dumps(dict(reading, sensor="huge", measure1=1.5e308)).encode(), ("huge", 1.5e308, 2.0), "valid"),
        Case(b"{'sensor': 5, \"measure1\": 1, \"measure2\": 2}", None, "single-quoted key"),
        Case(b'{"sensor": "a", "measure1": 1, "measure2": 2, \'sensor\': "b"}', None, "single-quoted duplicate key"),
        Case(text.encode(), ("S", 1.0, 2.0), "valid"),
        Case(json.dumps(dict(reading, sensor="-Infinity")).encode(), ("-Infinity", 1.0, 2.0), "valid"),  # a name, not a number
        Case(('{"sensor": "full", "measure1": 1%s, "measure2": 2}' % ("0" * 308)).encode(), ("full", 1e308, 2.0), "valid"),
        Case(('{"sensor": "long", "measure1": -0.%s, "measure2": 2}' % ("5" * 2000)).encode(), None, "2,000-digit number"),
        # A lone surrogate beside what makes a parse unsafe: the reason is the guard's, so the text is not parsed again.
        Case(('{"sensor": "guarded\\ud800", "measure1": %s, "measure2": 2}' % ("[" * 100000 + "]" * 100000)).encode(), None, "surrogate, deep"),
        Case(('{"sensor": "guarded\\ud800", "measure1": %s, "measure2": 2}' % ("1" * 200000)).encode(), None, "surrogate, long number"),
    ]
    check_batch(spark, tables, cases)
    long_number = spark.table(tables["rejected"]).where("raw_value LIKE '%\"long\"%'").collect()
    assert [row["reason"] for row in long_number] == [job.reading_checks.NUMBER_TOO_LONG]
    guarded = spark.table(tables["rejected"]).where("raw_value LIKE '%\"guarded%'").collect()
    assert sorted(row["reason"] for row in guarded) == sorted([job.reading_checks.TOO_NESTED, job.reading_checks.NUMBER_TOO_LONG])
    huge = spark.table(tables["stats"]).where("sensor = 'huge'").collect()
    assert [row["measure1_avg"] for row in huge] == [1.5e308]
