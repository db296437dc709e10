"""Conversions between KQL types: `tostring`, `tolong`, `todatetime`, `todynamic`, ...

`tostring` follows Kusto's (.NET) text forms: `True`/`False`, datetimes as
`2026-11-25T12:00:00.0000000Z`, timespans as `[-][d.]hh:mm:ss[.fffffff]`, whole reals without
a trailing `.0`, a dynamic string as its text and other dynamic values as compact JSON, and
null as "" (tostring-function).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlglot import exp

from revertguard.kql.dialects.base import Dialect, fn, number, string
from revertguard.kql.literals import dynamic_json, format_datetime, format_timespan
from revertguard.kql.tokens import TIMESPAN_UNITS
from revertguard.kql.typed import NUMERIC_TYPES, STRING_LIKE, Value
from revertguard.tables import KqlType


def python_tostring(value: Any, kql_type: KqlType) -> str:
    """`tostring()` of a constant."""
    if value is None:
        return ""
    if kql_type is KqlType.BOOL:
        return "True" if value else "False"
    if kql_type is KqlType.DATETIME and isinstance(value, datetime):
        return format_datetime(value)
    if kql_type is KqlType.TIMESPAN and isinstance(value, timedelta):
        return format_timespan(value)
    if kql_type is KqlType.DYNAMIC:
        return value if isinstance(value, str) else dynamic_json(value)
    if kql_type in (KqlType.REAL, KqlType.DECIMAL):
        return _real_text(float(value))
    return str(value)


def _real_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value).upper().replace("E+", "E+").replace("INF", "Infinity")


def as_string(value: Value, d: Dialect) -> Value:
    """The string KQL sees for a value, possibly SQL NULL (meaning ""): for string operators."""
    if value.type in STRING_LIKE:
        return value
    if value.is_const:
        return Value(string(python_tostring(value.const, value.type)), KqlType.STRING, nullable=False,
                     const=python_tostring(value.const, value.type))
    sql = value.sql
    t = value.type
    if t is KqlType.DYNAMIC:
        text = value.text if value.text is not None else d.json_text(sql)
        return Value(text, KqlType.STRING, nullable=True)
    if t in (KqlType.LONG, KqlType.INT):
        out: exp.Expression = exp.cast(sql, d.sql_type(KqlType.STRING))
    elif t in (KqlType.REAL, KqlType.DECIMAL):
        out = _real_sql(sql if t is KqlType.REAL else exp.cast(sql, d.sql_type(KqlType.REAL)), d)
    elif t is KqlType.BOOL:
        out = exp.Case(ifs=[exp.If(this=sql, true=string("True"))],
                       default=exp.Case(ifs=[exp.If(this=exp.Not(this=sql), true=string("False"))]))
    elif t is KqlType.DATETIME:
        out = d.datetime_text(sql)
    elif t is KqlType.TIMESPAN:
        out = _timespan_sql(sql, d)
    else:
        out = exp.cast(sql, d.sql_type(KqlType.STRING))
    return Value(out, KqlType.STRING, nullable=value.nullable)


def tostring(value: Value, d: Dialect) -> Value:
    """`tostring(x)`: never null (null becomes "")."""
    text = as_string(value, d)
    if not text.nullable:
        return text
    return Value(exp.Coalesce(this=text.sql, expressions=[string("")]), KqlType.STRING, nullable=False)


def _real_sql(sql: exp.Expression, d: Dialect) -> exp.Expression:
    """.NET's text of a real: whole numbers below 1e15 without `.0`, `1E+20`, `NaN`, `Infinity`."""
    infinity = d.literal(float("inf"), KqlType.REAL)
    special = [
        exp.If(this=exp.IsNan(this=sql.copy()), true=string("NaN")),
        exp.If(this=exp.EQ(this=sql.copy(), expression=infinity), true=string("Infinity")),
        exp.If(this=exp.EQ(this=sql.copy(), expression=exp.Neg(this=infinity.copy())), true=string("-Infinity")),
    ]
    # The size test comes first, in a CASE: floor() of a huge real overflows where it is a long.
    small = exp.LT(this=exp.Abs(this=sql.copy()), expression=number(1e15))
    whole = exp.Case(ifs=[exp.If(this=small, true=exp.EQ(this=sql.copy(), expression=exp.Floor(this=sql.copy())))],
                     default=exp.false())
    as_long = exp.cast(exp.cast(sql.copy(), d.sql_type(KqlType.LONG)), d.sql_type(KqlType.STRING))
    general = exp.Upper(this=d.real_text(sql.copy()))
    return exp.Case(ifs=[*special, exp.If(this=whole, true=as_long)], default=general)


def _timespan_sql(sql: exp.Expression, d: Dialect) -> exp.Expression:
    micros = d.interval_micros(sql)
    magnitude = exp.Abs(this=micros)

    def part(divisor: int, modulo: int | None) -> exp.Expression:
        value: exp.Expression = exp.IntDiv(this=magnitude, expression=number(divisor))
        if modulo is not None:
            value = exp.Mod(this=exp.Paren(this=value), expression=number(modulo))
        return value

    def padded(value: exp.Expression, width: int) -> exp.Expression:
        return exp.Pad(this=exp.cast(value, d.sql_type(KqlType.STRING)), expression=number(width),
                       fill_pattern=string("0"), is_left=True)

    days = part(86_400_000_000, None)
    fraction = exp.Mod(this=magnitude, expression=number(1_000_000))
    pieces = [
        exp.Case(ifs=[exp.If(this=exp.LT(this=micros, expression=number(0)), true=string("-"))], default=string("")),
        exp.Case(ifs=[exp.If(this=exp.GT(this=days, expression=number(0)),
                             true=exp.Concat(expressions=[exp.cast(days, d.sql_type(KqlType.STRING)), string(".")],
                                             safe=True, coalesce=False))], default=string("")),
        padded(part(3_600_000_000, 24), 2), string(":"),
        padded(part(60_000_000, 60), 2), string(":"),
        padded(part(1_000_000, 60), 2),
        exp.Case(ifs=[exp.If(this=exp.GT(this=fraction, expression=number(0)),
                             true=exp.Concat(expressions=[string("."), padded(fraction, 6), string("0")],
                                             safe=True, coalesce=False))], default=string("")),
    ]
    return exp.Concat(expressions=pieces, safe=True, coalesce=False)


def to_dynamic(value: Value, d: Dialect) -> Value:
    """A value as dynamic (`todynamic`/`parse_json` of a string parses it; others are wrapped)."""
    if value.type is KqlType.DYNAMIC:
        return value
    if value.type in STRING_LIKE:
        return Value(d.json_parse(value.sql), KqlType.DYNAMIC)
    if value.type is KqlType.DATETIME or value.type is KqlType.TIMESPAN:
        return Value(d.to_json(tostring(value, d).sql), KqlType.DYNAMIC)
    return Value(d.to_json(value.sql, value.type), KqlType.DYNAMIC)


def wrap_dynamic(value: Value, d: Dialect) -> Value:
    """A value as a dynamic *element* (strings stay strings, not parsed): for `pack`, `make_list`."""
    if value.type is KqlType.DYNAMIC:
        return value
    if value.type in STRING_LIKE:
        return Value(d.to_json(tostring(value, d).sql), KqlType.DYNAMIC, nullable=False)
    if value.type in (KqlType.DATETIME, KqlType.TIMESPAN):
        text = as_string(value, d)
        return Value(exp.Case(ifs=[exp.If(this=exp.Is(this=value.sql, expression=exp.null()),
                                          true=d.null(KqlType.DYNAMIC))], default=d.to_json(text.sql)),
                     KqlType.DYNAMIC)
    return Value(d.to_json(value.sql, value.type), KqlType.DYNAMIC)


def to_long(value: Value, d: Dialect, target: KqlType = KqlType.LONG) -> Value:
    """`tolong`/`toint`: numbers truncate toward zero, strings parse (decimals truncate), else null."""
    t = value.type
    if t in (KqlType.LONG, KqlType.INT):
        sql = value.sql if t is target or target is KqlType.LONG else d.try_cast(value.sql, target)
        return Value(sql, target, value.nullable)
    if t in (KqlType.REAL, KqlType.DECIMAL):
        return Value(d.try_cast(truncate(value.sql), target), target)
    if t is KqlType.BOOL:
        return Value(exp.Case(ifs=[exp.If(this=value.sql, true=number(1))],
                              default=exp.Case(ifs=[exp.If(this=exp.Not(this=value.sql), true=number(0))])), target)
    if t is KqlType.DATETIME:
        # Kusto's ticks: 100 ns since 0001-01-01.
        ticks = exp.Mul(this=exp.Add(this=d.epoch_micros(value.sql), expression=number(62_135_596_800_000_000)),
                        expression=number(10))
        return Value(ticks, target)
    if t is KqlType.TIMESPAN:
        return Value(exp.Mul(this=d.interval_micros(value.sql), expression=number(10)), target)
    # Only plain decimal numbers parse: each engine's own cast accepts more (DuckDB hex and
    # 1_000, Spark 5d), which Kusto does not.
    text = as_string(value, d).sql
    whole = d.regex_full_match(text, _WHOLE_NUMBER)
    via_real = d.try_cast(truncate(d.try_cast(text.copy(), KqlType.REAL)), target)
    return Value(exp.Case(ifs=[exp.If(this=whole, true=d.try_cast(text.copy(), target)),
                               exp.If(this=d.regex_full_match(text.copy(), _DECIMAL_NUMBER), true=via_real)]),
                 target)


# Number text `tolong`/`toreal` accept (spaces around it allowed, as Kusto allows).
_WHOLE_NUMBER = r" *[+-]?[0-9]+ *"
_DECIMAL_NUMBER = r" *[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)? *"
_SPECIAL_REAL = r" *[+-]?(?:[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?) *"


def truncate(value: exp.Expression) -> exp.Expression:
    """Round toward zero (KQL's toint(2.9) is 2, toint(-2.9) is -2)."""
    return exp.Case(ifs=[exp.If(this=exp.GTE(this=value, expression=number(0)), true=exp.Floor(this=value))],
                    default=exp.Ceil(this=value))


def to_real(value: Value, d: Dialect) -> Value:
    t = value.type
    if t is KqlType.REAL:
        return value
    if t in NUMERIC_TYPES:
        return Value(exp.cast(value.sql, d.sql_type(KqlType.REAL)), KqlType.REAL, value.nullable)
    if t is KqlType.BOOL:
        return Value(d.try_cast(to_long(value, d).sql, KqlType.REAL), KqlType.REAL)
    if t is KqlType.TIMESPAN:
        return Value(exp.Mul(this=exp.cast(d.interval_micros(value.sql), d.sql_type(KqlType.REAL)),
                             expression=number(10)), KqlType.REAL)
    text = as_string(value, d).sql
    number_text = exp.or_(d.regex_full_match(text, _DECIMAL_NUMBER), d.regex_full_match(text.copy(), _SPECIAL_REAL))
    return Value(exp.Case(ifs=[exp.If(this=number_text, true=d.try_cast(text.copy(), KqlType.REAL))]), KqlType.REAL)


def to_bool(value: Value, d: Dialect) -> Value:
    t = value.type
    if t is KqlType.BOOL:
        return value
    if t in NUMERIC_TYPES:
        return Value(exp.NEQ(this=value.sql, expression=number(0)), KqlType.BOOL, value.nullable)
    text = exp.Lower(this=exp.Trim(this=as_string(value, d).sql))
    return Value(exp.Case(ifs=[
        exp.If(this=exp.In(this=text, expressions=[string("true"), string("1")]), true=exp.true()),
        exp.If(this=exp.In(this=text, expressions=[string("false"), string("0")]), true=exp.false()),
    ]), KqlType.BOOL)


def to_datetime(value: Value, d: Dialect) -> Value:
    if value.type is KqlType.DATETIME:
        return value
    if value.type in (KqlType.LONG, KqlType.INT):  # ticks
        micros = exp.Sub(this=exp.IntDiv(this=value.sql, expression=number(10)),
                         expression=number(62_135_596_800_000_000))
        return Value(d.from_epoch_micros(micros), KqlType.DATETIME)
    return Value(_datetime_text(as_string(value, d).sql, d), KqlType.DATETIME)


# The text `todatetime` reads: ISO 8601 dates and times, `T` or a space between them, seconds and
# their fraction optional, then Z or an offset (+02:00, +0200, +02). Each engine's own cast
# reads other forms too (Spark even reads a bare time as today), so the form is checked here.
_ISO_DATETIME = (r" *([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([01][0-9]|2[0-3]):([0-5][0-9])"
                 r"(?::([0-5][0-9])(?:[.,]([0-9]+))?)?)? *(?:[Zz]|([+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?))? *")
ISO_DATETIME = re.compile(_ISO_DATETIME)


def _whole_or_zero(part: exp.Expression, d: Dialect) -> exp.Expression:
    """A regex group's digits as a long; 0 when the group is empty or absent."""
    return exp.Coalesce(this=d.try_cast(exp.Nullif(this=part, expression=string("")), KqlType.LONG),
                        expressions=[number(0)])


def _datetime_text(text: exp.Expression, d: Dialect) -> exp.Expression:
    """A datetime (UTC) written as text in ISO 8601, else NULL."""
    groups = exp.column("_rg_datetime")  # the regex runs once per value; its groups are read here

    def group(index: int) -> exp.Expression:
        return d.list_get(groups.copy(), number(index))

    def whole(part: exp.Expression) -> exp.Expression:
        return _whole_or_zero(part, d)

    parts = [whole(group(i)) for i in range(1, 7)]
    fraction = exp.Pad(this=exp.Substring(this=group(7), start=number(1), length=number(6)), expression=number(6),
                       fill_pattern=string("0"), is_left=False)
    micros = whole(exp.Nullif(this=fraction, expression=string("000000")))
    offset = fn("replace", group(8), string(":"), string(""))  # +hhmm or +hh
    offset_minutes = exp.Mul(
        this=exp.Paren(this=exp.Add(
            this=exp.Mul(this=whole(exp.Substring(this=offset, start=number(2), length=number(2))),
                         expression=number(60)),
            expression=whole(exp.Substring(this=offset.copy(), start=number(4), length=number(2))))),
        expression=exp.Case(ifs=[exp.If(this=exp.StartsWith(this=offset.copy(), expression=string("-")),
                                        true=number(-1))], default=number(1)))
    utc_micros = exp.Sub(this=micros, expression=exp.Mul(this=exp.Paren(this=offset_minutes),
                                                         expression=number(60_000_000)))
    moment = exp.Add(this=d.make_timestamp(*parts), expression=d.micros_interval(utc_micros))
    matched = exp.Not(this=exp.Is(this=groups.copy(), expression=exp.null()))
    return d.let(d.regex_groups(text, _ISO_DATETIME), groups.name,
                 exp.Case(ifs=[exp.If(this=matched, true=moment)]))



def to_timespan(value: Value, d: Dialect) -> Value:
    if value.type is KqlType.TIMESPAN:
        return value
    if value.type in (KqlType.LONG, KqlType.INT):  # ticks
        return Value(d.micros_interval(exp.IntDiv(this=value.sql, expression=number(10))), KqlType.TIMESPAN)
    return Value(d.micros_interval(_timespan_text_micros(as_string(value, d).sql, d)), KqlType.TIMESPAN)


# The text forms `totimespan` reads, as `literals.parse_timespan_text` does for constants:
# [-][d.]hh:mm[:ss[.fffffff]], a number and a unit (1.5h, 15 seconds), or a number of days.
_CLOCK_TEXT = r" *(-)?(?:([0-9]+)\.)?([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,7}))?)? *"
_UNIT_TEXT = r" *(-)?([0-9]+(?:\.[0-9]+)?) *([A-Za-z]+) *"
_DAYS_TEXT = r" *-?[0-9]+(?:\.[0-9]+)? *"
# The three in one pattern, matched once: no text matches two of them (only a clock has `:`, only
# a unit has letters). Group numbers: the clock's, then the unit's, then the days text whole.
_TIMESPAN_TEXT = f"(?:{_CLOCK_TEXT})|(?:{_UNIT_TEXT})|({_DAYS_TEXT})"
_CLOCK_GROUPS = re.compile(_CLOCK_TEXT).groups  # the unit's groups come after these
_DAYS_GROUP = _CLOCK_GROUPS + re.compile(_UNIT_TEXT).groups + 1


def _timespan_text_micros(text: exp.Expression, d: Dialect) -> exp.Expression:
    """Microseconds of a timespan written as text (each engine's own cast reads other forms)."""
    groups = exp.column("_rg_timespan")  # the regex runs once per value; its groups are read here

    def group(index: int) -> exp.Expression:
        return d.list_get(groups.copy(), number(index))

    def took_part(index: int) -> exp.Expression:  # a group every text of its form fills
        return exp.NEQ(this=group(index), expression=string(""))

    def whole(part: exp.Expression) -> exp.Expression:
        return _whole_or_zero(part, d)

    def signed(sign: exp.Expression, micros: exp.Expression) -> exp.Expression:
        factor = exp.Case(ifs=[exp.If(this=exp.EQ(this=sign, expression=string("-")), true=number(-1))],
                          default=number(1))
        return exp.Mul(this=exp.Paren(this=micros), expression=factor)

    seconds: exp.Expression = whole(group(2))
    for index, per in ((3, 24), (4, 60), (5, 60)):
        seconds = exp.Add(this=exp.Mul(this=exp.Paren(this=seconds), expression=number(per)),
                          expression=whole(group(index)))
    fraction = whole(exp.Pad(this=group(6), expression=number(6), fill_pattern=string("0"), is_left=False))
    clock = exp.Add(this=exp.Mul(this=exp.Paren(this=seconds), expression=number(1_000_000)), expression=fraction)
    unit = group(_CLOCK_GROUPS + 3)
    per_unit = exp.Case(this=unit, ifs=[exp.If(this=string(name), true=number(micros))
                                        for name, micros in TIMESPAN_UNITS.items()])
    amount = d.try_cast(group(_CLOCK_GROUPS + 2), KqlType.REAL)
    days = exp.Mul(this=d.try_cast(exp.Trim(this=group(_DAYS_GROUP)), KqlType.REAL),
                   expression=number(86_400_000_000))
    micros = exp.Case(ifs=[
        exp.If(this=took_part(3), true=signed(group(1), clock)),  # hours
        exp.If(this=took_part(_CLOCK_GROUPS + 3),  # the unit
               true=signed(group(_CLOCK_GROUPS + 1), exp.Round(this=exp.Mul(this=amount, expression=per_unit)))),
        exp.If(this=took_part(_DAYS_GROUP), true=exp.Round(this=days)),
    ])
    return d.let(d.regex_groups(text, _TIMESPAN_TEXT), groups.name, micros)


def convert(value: Value, target: KqlType, d: Dialect) -> Value:
    """`value` as `target`, with KQL's conversion rules (null when it does not convert)."""
    if value.type is target:
        return value
    if target in STRING_LIKE:
        return tostring(value, d)
    if target in (KqlType.LONG, KqlType.INT):
        return to_long(value, d, target)
    if target in (KqlType.REAL, KqlType.DECIMAL):
        return to_real(value, d)
    if target is KqlType.BOOL:
        return to_bool(value, d)
    if target is KqlType.DATETIME:
        return to_datetime(value, d)
    if target is KqlType.TIMESPAN:
        return to_timespan(value, d)
    return to_dynamic(value, d)
