"""The checks' shortcuts (reading_checks.py) only skip work: over generated messages, each check gives the same
answer with them as without them, on real Spark. The messages are the poison corpus plus texts spelled from the
tokens the shortcuts look at (brackets, keys, quotes, escapes, a trailing U+2028), where a wrong shortcut would
show."""
from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

import job
import reading_checks as rc
from corpus_seed import POISON_SEED
from test_poison_messages import MAX_MESSAGE, MAX_SENSOR, Case, _kafka_rows, batches

TOKENS = ['{', '}', '[', ']', '"sensor"', '"measure1"', '"measure2"', ':', ': ', ',', '"', '\\', '\\"', '\\u', 'd800',
          'dc00', '1', '-2.5e3', ' ', '\n', '\u2028', '\ufeff', 'null', 'true', '"x"', '"a{b"', '\u0001']
token_texts = st.lists(st.sampled_from(TOKENS), max_size=30).map(lambda parts: Case("".join(parts).encode(), None, "tokens"))
# A reading with what may come before or after it: where the lone-object shortcut could take too much.
AROUND = [' ', '\t', '\n', '\r', '\u2028', '\u0085', '\ufeff', ',', '}', ']', '{}', 'x', '0']
READINGS = ['{"sensor":"a","measure1":1,"measure2":2}', '{"sensor": "a{", "measure1": 1, "measure2": 2}', '{}']
wrapped = st.tuples(st.lists(st.sampled_from(AROUND), max_size=3), st.sampled_from(READINGS),
                    st.lists(st.sampled_from(AROUND), max_size=3)).map(
    lambda t: Case(("".join(t[0]) + t[1] + "".join(t[2])).encode(), None, "wrapped"))
mixed = st.lists(token_texts | wrapped, min_size=1, max_size=60)


def generated(test):
    """The corpus' seed (POISON_SEED replays it) and a few Spark batches of examples, with no shrinking."""
    return seed(POISON_SEED)(settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                                      phases=[Phase.explicit, Phase.generate])(test))


def _both_ways(spark, cases):
    text, value = F.col("text"), F.col("value")
    df = _kafka_rows(spark, cases).select("value", rc.utf8_text(F.col("value")).alias("text"))
    df = df.select("value", "text", rc.lone_object(text).alias("lone"),
                   rc.within_nesting(text, F.lit(False), shortcuts=False).alias("nesting_ok"),
                   rc.numbers_bounded(text, shortcuts=False).alias("numbers_ok"))
    df = df.select("*", F.when(F.col("nesting_ok") & F.col("numbers_ok"), F.from_json("text", job.READING_SCHEMA, job.JSON_OPTIONS)).alias("r"))
    r = F.col("r")
    parsed = r.isNotNull() & r[job.CORRUPT].isNull()

    def defect(shortcuts: bool):
        return rc.structural_defect(value, "text", MAX_MESSAGE, MAX_SENSOR, r["sensor"], F.col("nesting_ok"), F.col("numbers_ok"),
                                    parsed, F.col("lone"), shortcuts=shortcuts)

    return df.select(
        "text", "nesting_ok", "numbers_ok",
        rc.within_nesting(text, F.col("lone")).alias("nesting_ok_fast"),
        rc.numbers_bounded(text).alias("numbers_ok_fast"),
        defect(False).alias("defect"), defect(True).alias("defect_fast")).collect()


def _check(spark, cases):
    for row in _both_ways(spark, cases):
        assert (row["nesting_ok_fast"], row["numbers_ok_fast"], row["defect_fast"]) == \
            (row["nesting_ok"], row["numbers_ok"], row["defect"]), repr(row["text"][:300] if row["text"] else row["text"])


@generated
@given(cases=batches)
def test_the_shortcuts_change_no_answer_on_the_poison_corpus(spark, cases):
    _check(spark, cases)


@generated
@given(cases=mixed)
def test_the_shortcuts_change_no_answer_on_texts_spelled_from_their_tokens(spark, cases):
    _check(spark, cases)


def test_the_usual_reading_takes_the_shortcuts(spark):
    """The shortcuts are there to be taken: the seed's own spelling is a lone object."""
    cases = [Case(b'{"sensor": "Sensor 1", "measure1": 37.5, "measure2": 0.25}', None, "seed"),
             Case(b'{"sensor":"a","measure1":1,"measure2":2}\xe2\x80\xa8', None, "trailing U+2028")]
    rows = _kafka_rows(spark, cases).select(rc.lone_object(rc.utf8_text(F.col("value"))).alias("lone")).collect()
    assert [row["lone"] for row in rows] == [True, False]


def test_the_shortcuts_change_no_answer_at_their_edges(spark):
    """Where each shortcut stops: a trailing line terminator that is not JSON whitespace, a BOM, a bracket in a
    string, a repeated key, an escaped key, a sensor that is not a string."""
    texts = ['{"sensor":"a","measure1":1,"measure2":2}' + end for end in ("\u2028", "\u0085", "\ufeff", " \n", "x")]
    texts += ['\ufeff{"sensor":"a","measure1":1,"measure2":2}', '{"sensor":"a[","measure1":1,"measure2":2}',
              '{"sensor":"a","sensor":"b","measure1":1,"measure2":2}', '{"sensor":"a","measure1":1,"measure1" :2}',
              '{"sen\\u0073or":"a","measure1":1,"measure2":2}', '{"sensor": 5,"measure1":1,"measure2":2}',
              '{"sensor":"\\ud800","measure1":1,"measure2":2}', '{"sensor":"a"}{"measure1":1,"measure2":2}']
    _check(spark, [Case(text.encode(), None, "edge") for text in texts])
