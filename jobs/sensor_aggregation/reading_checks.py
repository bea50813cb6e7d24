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
of a number, whose parse costs Spark 3.1 about a minute of CPU per million digits. No regex here repeats a
group, and every unbounded repetition of a class that can match a supplementary character is possessive (`*+`):
java.util.regex recurses per group repetition, and Java 8's (Spark 2.4's) greedy class repetition recurses each
time the match switches between one- and two-unit characters, so either would overflow the stack on a long
message and fail its batch on every attempt. Each possessive class excludes the character that follows it, so
giving nothing back changes no match.

Every reading goes through all of these checks, so each has a shortcut: a cheap test (a substring, a length, a
count of characters) that settles it for the usual message, in front of the regex or parse that settles it for
any message. A shortcut only ever skips work, never changes an answer (`shortcuts=False` builds the checks without
them, and test_reading_checks.py compares the two over generated messages).
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


def _unless(shortcut: Column, settled: bool, check: Column, shortcuts: bool) -> Column:
    """The check, except where the shortcut holds: there it is `settled`, and the check is not evaluated. A CASE,
    not `or`/`and`: Spark's common-subexpression elimination would evaluate a part the check shares with another
    column (the blanked text) up front, for every row, shortcut or not."""
    return F.when(shortcut, F.lit(settled)).otherwise(check) if shortcuts else check


def _without_escapes(text: Column, shortcuts: bool = True) -> Column:
    replaced = F.regexp_replace(text, "(?s)\\\\.", _ESCAPE)
    # Only a backslash starts an escape.
    return F.when(text.contains("\\"), replaced).otherwise(text) if shortcuts else replaced


def _strings_blanked(text: Column, shortcuts: bool = True) -> Column:
    """The text with each string's content removed (escapes first), so that what is inside a string never counts."""
    return F.regexp_replace(_without_escapes(text, shortcuts), '"[^"]*+"', '""')


# More objects and arrays than this in one message is a defect (their nesting is at most as deep).
MAX_CONTAINERS = 64


# JSON's whitespace, one object around text with no bracket at all, JSON's whitespace (\z: `$` would also match
# before a trailing line terminator such as U+2028, which is not JSON whitespace).
_LONE_OBJECT = "^[ \t\n\r]*\\{[^\\[\\]{}]*+\\}[ \t\n\r]*\\z"


def lone_object(text: Column) -> Column:
    """The usual reading's shape, and the shortcut of two checks: the text is one `{` ... `}` with no other bracket
    inside, in or out of strings, and only whitespace around it. Such a text opens one object (within_nesting);
    and when the typed parse of it succeeded, that parse read an object that closed at a `}` outside strings,
    which can only be the last one, so the object is all there is (structural_defect's one-value check)."""
    return text.rlike(_LONE_OBJECT)


def within_nesting(text: Column, lone: Column, shortcuts: bool = True) -> Column:
    """Whether the text opens at most MAX_CONTAINERS objects and arrays (its strings blanked first, so that their
    brackets do not count). Every JSON parse of a message is guarded by it: Jackson copies a nested value
    recursively, and on Spark 3.1 (Jackson 2.10) nothing bounds the depth.
    lone: lone_object(text), the shortcut (one `{` and no `[` at all)."""
    # Every character but a bracket removed: what is left is the brackets' count.
    outside_strings = F.length(F.regexp_replace(_strings_blanked(text, shortcuts), "[^\\[{]", "")) <= MAX_CONTAINERS
    return _unless(lone, True, outside_strings, shortcuts)


# A number written with more characters than this is a defect: the longest finite double written out in full is
# 309 digits (plus sign, point, fraction and exponent), and Jackson's number parse on Spark 3.1 costs about a
# minute of CPU for a million digits, for the batch on every attempt.
MAX_NUMBER_CHARS = 1024


def numbers_bounded(text: Column, shortcuts: bool = True) -> Column:
    """Whether no run of number characters outside strings is longer than MAX_NUMBER_CHARS. Guards every JSON
    parse of a message, as within_nesting does. A bounded character class: no recursion per character."""
    # Anchored at the start of a run: otherwise the matcher tries a bounded match at every character of a long run.
    no_long_run = ~_strings_blanked(text, shortcuts).rlike("(?<![-+.0-9eE])[-+.0-9eE]{%d}" % (MAX_NUMBER_CHARS + 1))
    # A run that long needs a text that long (blanking only shortens it).
    return _unless(F.length(text) <= MAX_NUMBER_CHARS, True, no_long_run, shortcuts)


def _elements(text: Column, after: str) -> Column:
    return F.size(F.from_json(F.concat(F.lit("["), text, F.lit(after)), ArrayType(StringType()), {"allowSingleQuotes": "false"}))


def _is_one_value(text: Column) -> Column:
    return (_elements(text, "]") == 1) & (_elements(text, ",0]") == 2)


def _occurs_twice(text_column: str, literal: str) -> Column:
    """Whether the literal occurs at least twice in the column: two plain substring searches. (SQL: PySpark's
    locate takes its start as a number, not a column.)"""
    quoted = "'%s'" % literal.replace("\\", "\\\\").replace("'", "\\'")
    return F.expr("locate({0}, `{1}`, locate({0}, `{1}`) + 1) > 0".format(quoted, text_column))


def _key_count(escaped: Column, key: str) -> Column:
    return F.size(F.split(escaped, '"%s"[ \t\n\r]*:' % key)) - 1


def _first_char_of(escaped: Column, key: str) -> Column:
    return F.regexp_extract(escaped, '"%s"[ \t\n\r]*:[ \t\n\r]*(.)' % key, 1)


def structural_defect(value: Column, text_column: str, max_message_bytes: int, max_sensor_length: int,
                      sensor: Column, nesting_ok: Column, numbers_ok: Column, parsed: Column,
                      lone: Column, shortcuts: bool = True) -> Column:
    """The first structural defect of the message as its reason, or NULL when it is one JSON value of at most
    MAX_CONTAINERS objects and arrays (nesting_ok: within_nesting(text)) and numbers of at most MAX_NUMBER_CHARS
    (numbers_ok: numbers_bounded(text)), without escaped keys or a repeated sensor, measure1 or measure2 key (at any
    level: those names are the reading's own), whose sensor, if any, is a JSON string of at most
    max_sensor_length characters.
    sensor: the typed parse's sensor; parsed: whether that parse succeeded. A missing sensor, or measures that are
    not finite numbers, are the typed parse's to find (and an unparseable text: job.py orders the reasons).
    text_column: the name of the text's column (a name: the duplicate-key shortcut is SQL, since PySpark's locate
    takes no column for its start). lone: lone_object(text). shortcuts: see the module's docstring."""
    text = F.col(text_column)
    escaped = _without_escapes(text, shortcuts)

    def only_if(needed: Column, check: Column) -> Column:
        return _unless(~needed, False, check, shortcuts)
    checks = [
        (value.isNull(), EMPTY),
        (F.length(value) > max_message_bytes, TOO_LARGE),
        (~is_utf8(value, text), NOT_UTF8),
        # The parse guards before any defect that is not in BEFORE_PARSE: such a row is parsed again (as text) for
        # its reason, which must be safe too.
        (~nesting_ok, TOO_NESTED),
        (~numbers_ok, NUMBER_TOO_LONG),
        # Replacing `\\` cannot make a `\u` where there was none.
        (only_if(text.contains("\\u"), F.regexp_replace(text, "\\\\\\\\", "__").rlike(_LONE_SURROGATE)), LONE_SURROGATE),
        (~_unless(parsed & lone, True, _is_one_value(text), shortcuts), NOT_ONE_VALUE),
        (only_if(escaped.contains(_ESCAPE), escaped.rlike('"[^"%s]*+%s[^"]*+"[ \t\n\r]*:' % (_ESCAPE, _ESCAPE))), ESCAPED_KEY),
    ]  # type: List[Tuple[Column, str]]
    duplicate = None
    for key in KEYS:
        # A key repeated in the escaped text is repeated in the text: an escape becomes U+0001, which no key holds,
        # so each key in the escaped text is a stretch of the text as sent.
        repeated = only_if(_occurs_twice(text_column, '"%s"' % key), _key_count(escaped, key) > 1)
        duplicate = repeated if duplicate is None else duplicate | repeated
    checks.append((duplicate, DUPLICATE_KEY))
    # A string starts with a quote; null is a missing sensor; anything else (a number, true, an object) is not a name.
    # The shortcut: the one sensor key is followed by a quote, as the usual spellings have it.
    quoted = escaped.contains('"sensor":"') | escaped.contains('"sensor": "')
    checks.append((_unless(quoted, False, (_key_count(escaped, "sensor") == 1) & ~_first_char_of(escaped, "sensor").isin('"', "n"),
                           shortcuts), SENSOR_NOT_STRING))
    checks.append((F.length(sensor) > max_sensor_length, SENSOR_TOO_LONG))
    reason = F.when(checks[0][0], F.lit(checks[0][1]))
    for condition, why in checks[1:]:
        reason = reason.when(condition, F.lit(why))
    return reason
