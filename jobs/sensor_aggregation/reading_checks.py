"""What makes a Kafka message one reading, exactly: the checks the job's parse applies besides Spark's typed JSON
parse, as Column expressions (Spark SQL functions present in PySpark 2.4 and 3.x; Python 3.7 syntax).

Spark's from_json is lenient in ways that would change a reading silently: it parses the first JSON value and
ignores what follows (NDJSON, `{...} garbage`), gives a number, `true` or an object as its JSON text when the
field is a string, takes the last of duplicate keys, turns invalid UTF-8 into U+FFFD and a lone surrogate escape
into '?'. Each of those is a defect here, with its own reason, and the message goes to the rejected table as it
came.

Exactly one value: the text T is parsed twice more, wrapped as `[T]` and as `[T,0]`. T is one JSON value exactly
when the first gives one element and the second two: text after a first value either breaks both parses, or
(`{...}] [...`) ends the wrapping array early, and then `[T,0]` has one element, not two.
Before that, the number of objects and arrays is bounded: Jackson copies a nested value recursively, and a
message of a hundred thousand `[` would overflow the stack and fail the batch on every attempt; so is the length
of a number, whose parse costs Spark 3.1 about a minute of CPU per million digits. Every regex here is
a character class or a fixed sequence applied by regexp_replace's find loop, none repeats a group, so none
recurses per character either (java.util.regex does, and overflows on long input).
"""
from __future__ import annotations

from typing import List, Tuple

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType

# Stands for an escape sequence: a raw U+0001 cannot be in valid JSON text (control characters must be escaped),
# so it never mixes with the message's own characters where it matters.
_ESCAPE = "\u0001"
# A high surrogate escape not followed by a low one, or a low one not preceded by a high one (after escaped
# backslashes are set aside, so `\\ud800` is the text "\ud800", not an escape).
_LONE_SURROGATE = ("\\\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                   "|(?<!\\\\u[dD][89abAB][0-9a-fA-F]{2})\\\\u[dD][c-fC-F][0-9a-fA-F]{2}")

KEYS = ("sensor", "measure1", "measure2")

# The reasons the checks give, in the order they are tried (the first that applies is the row's reason).
EMPTY = "empty message"
TOO_LARGE = "message too large"
NOT_UTF8 = "not UTF-8 (raw_value holds the message's bytes in base64)"
LONE_SURROGATE = "lone surrogate escape"
TOO_NESTED = "too many nested objects and arrays"
NUMBER_TOO_LONG = "number too long"
NOT_ONE_VALUE = "not exactly one JSON value"
ESCAPED_KEY = "escaped key"
DUPLICATE_KEY = "duplicate key"
SENSOR_NOT_STRING = "sensor is not a JSON string"
SENSOR_TOO_LONG = "sensor name too long"
# Defects that come before "unparseable JSON" in a rejected row's reason (the others come after it).
BEFORE_PARSE = (EMPTY, TOO_LARGE, NOT_UTF8, TOO_NESTED, NUMBER_TOO_LONG)


def utf8_text(value: Column) -> Column:
    """The message as text: its bytes decoded as UTF-8 (invalid sequences become U+FFFD, see is_utf8)."""
    return F.decode(value, "UTF-8")


def is_utf8(value: Column, text: Column) -> Column:
    """Decoding and encoding again gives the same bytes only when the bytes were valid UTF-8."""
    return F.encode(text, "UTF-8") == value


def stored_value(value: Column, text: Column) -> Column:
    """What the rejected table keeps: the text, or the exact bytes in base64 when they are not UTF-8."""
    # One line: Spark 3.5's base64 breaks its output every 76 characters (spark.sql.chunkBase64String.enabled).
    return F.when(is_utf8(value, text), text).otherwise(F.regexp_replace(F.base64(value), "[\r\n]", ""))


def _without_escapes(text: Column) -> Column:
    return F.regexp_replace(text, "(?s)\\\\.", _ESCAPE)


def _strings_blanked(text: Column) -> Column:
    """The text with each string's content removed (escapes first), so that what is inside a string never counts."""
    return F.regexp_replace(_without_escapes(text), '"[^"]*"', '""')


# More objects and arrays than this in one message is a defect (their nesting is at most as deep).
MAX_CONTAINERS = 64


def within_nesting(text: Column) -> Column:
    """Whether the text opens at most MAX_CONTAINERS objects and arrays (its strings blanked first, so that their
    brackets do not count). Every JSON parse of a message is guarded by it: Jackson copies a nested value
    recursively, and on Spark 3.1 (Jackson 2.10) nothing bounds the depth."""
    blanked = _strings_blanked(text)
    return F.length(blanked) - F.length(F.regexp_replace(blanked, "[\\[{]", "")) <= MAX_CONTAINERS


# A number written with more characters than this is a defect: the longest finite double written out in full is
# 309 digits (plus sign, point, fraction and exponent), and Jackson's number parse on Spark 3.1 costs about a
# minute of CPU for a million digits, for the batch on every attempt.
MAX_NUMBER_CHARS = 1024


def numbers_bounded(text: Column) -> Column:
    """Whether no run of number characters outside strings is longer than MAX_NUMBER_CHARS. Guards every JSON
    parse of a message, as within_nesting does. A bounded character class: no recursion per character."""
    blanked = _strings_blanked(text)
    # Anchored at the start of a run: otherwise the matcher tries a bounded match at every character of a long run.
    return ~blanked.rlike("(?<![-+.0-9eE])[-+.0-9eE]{%d}" % (MAX_NUMBER_CHARS + 1))


def _elements(text: Column, after: str) -> Column:
    return F.size(F.from_json(F.concat(F.lit("["), text, F.lit(after)), ArrayType(StringType()), {"allowSingleQuotes": "false"}))


def _is_one_value(text: Column) -> Column:
    return (_elements(text, "]") == 1) & (_elements(text, ",0]") == 2)


def _key_count(escaped: Column, key: str) -> Column:
    return F.size(F.split(escaped, '"%s"[ \t\n\r]*:' % key)) - 1


def _first_char_of(escaped: Column, key: str) -> Column:
    return F.regexp_extract(escaped, '"%s"[ \t\n\r]*:[ \t\n\r]*(.)' % key, 1)


def structural_defect(value: Column, text: Column, max_message_bytes: int, max_sensor_length: int,
                      sensor: Column, nesting_ok: Column, numbers_ok: Column) -> Column:
    """The first structural defect of the message as its reason, or NULL when it is one JSON value of at most
    MAX_CONTAINERS objects and arrays (nesting_ok: within_nesting(text)) and numbers of at most MAX_NUMBER_CHARS
    (numbers_ok: numbers_bounded(text)), without escaped keys or a repeated sensor, measure1 or measure2 key (at any
    level: those names are the reading's own), whose sensor, if any, is a JSON string of at most
    max_sensor_length characters.
    sensor: the typed parse's sensor. A missing sensor, or measures that are not finite numbers, are the typed
    parse's to find (and an unparseable text: job.py orders the reasons)."""
    escaped = _without_escapes(text)
    checks = [
        (value.isNull(), EMPTY),
        (F.length(value) > max_message_bytes, TOO_LARGE),
        (~is_utf8(value, text), NOT_UTF8),
        # The parse guards before any defect that is not in BEFORE_PARSE: such a row is parsed again (as text) for
        # its reason, which must be safe too.
        (~nesting_ok, TOO_NESTED),
        (~numbers_ok, NUMBER_TOO_LONG),
        (F.regexp_replace(text, "\\\\\\\\", "__").rlike(_LONE_SURROGATE), LONE_SURROGATE),
        (~_is_one_value(text), NOT_ONE_VALUE),
        (escaped.rlike('"[^"%s]*%s[^"]*"[ \t\n\r]*:' % (_ESCAPE, _ESCAPE)), ESCAPED_KEY),
    ]  # type: List[Tuple[Column, str]]
    duplicate = None
    for key in KEYS:
        repeated = _key_count(escaped, key) > 1
        duplicate = repeated if duplicate is None else duplicate | repeated
    checks.append((duplicate, DUPLICATE_KEY))
    # A string starts with a quote; null is a missing sensor; anything else (a number, true, an object) is not a name.
    checks.append(((_key_count(escaped, "sensor") == 1) & ~_first_char_of(escaped, "sensor").isin('"', "n"), SENSOR_NOT_STRING))
    checks.append((F.length(sensor) > max_sensor_length, SENSOR_TOO_LONG))
    reason = F.when(checks[0][0], F.lit(checks[0][1]))
    for condition, why in checks[1:]:
        reason = reason.when(condition, F.lit(why))
    return reason
