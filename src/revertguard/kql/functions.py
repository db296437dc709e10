"""KQL scalar functions: one handler per name, registered in `FUNCTIONS` with its arity.

Each handler gets the call node and the scope and returns a `Value`. Constants are folded
where Kusto's result is known at compile time (`ago(24h)` with the pinned `now`,
`tostring("x")`, ...), which keeps the SQL small and lets the engine prune by time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import semantics, strings
from revertguard.kql.conversions import (
    ISO_DATETIME,
    as_string,
    convert,
    python_tostring,
    to_bool,
    to_datetime,
    to_dynamic,
    to_long,
    to_real,
    tostring,
    wrap_dynamic,
)
from revertguard.kql.dialects.base import fn, number, string
from revertguard.kql.errors import KqlNameError, KqlTypeError, KqlUnsupportedError, did_you_mean
from revertguard.kql.literals import parse_datetime_text, parse_timespan_text
from revertguard.kql.scalars import FunctionBinding, Scope, compile_scalar, constant, expect_type
from revertguard.kql.typed import NUMERIC_TYPES, STRING_LIKE, Value
from revertguard.tables import KqlType

Handler = Callable[[ast.Call, Scope], Value]

EPOCH = datetime(1970, 1, 1)
_DAY_MICROS = 86_400_000_000


@dataclass(frozen=True)
class FunctionSpec:
    handler: Handler
    min_args: int
    max_args: int


FUNCTIONS: dict[str, FunctionSpec] = {}


def function(*names: str, args: tuple[int, int] | int) -> Callable[[Handler], Handler]:
    low, high = (args, args) if isinstance(args, int) else args

    def register(handler: Handler) -> Handler:
        for name in names:
            FUNCTIONS[name] = FunctionSpec(handler, low, high)
        return handler
    return register


# Real KQL functions this engine does not implement (so the error says "unsupported", not "unknown").
KNOWN_UNSUPPORTED = frozenset({
    "base64_decode_tostring", "base64_encode_tostring", "base64_decode_toarray", "parse_url", "parse_urlquery",
    "parse_path", "parse_user_agent", "parse_xml", "parse_csv", "parse_ipv4", "parse_ipv6", "ipv4_is_in_range",
    "ipv4_compare", "ipv4_is_match", "ipv6_compare", "ipv6_is_match", "array_split", "array_slice",
    "array_sort_asc", "array_sort_desc", "array_reverse", "array_rotate_left", "array_rotate_right",
    "array_shift_left", "array_shift_right", "array_sum", "array_iff", "array_concat", "bag_keys", "bag_merge",
    "bag_remove_keys", "bag_has_key", "bag_set_key", "countof", "series_decompose_anomalies", "series_decompose",
    "series_fit_line", "series_stats", "make_timespan", "geo_info_from_ip_address", "url_decode", "url_encode",
    "url_encode_component", "translate", "zip", "row_number", "row_cumsum", "prev", "next", "hash", "hash_sha1",
    "hash_xxhash64", "datetime_part", "tohex", "percentiles", "percentiles_array", "hll", "hll_merge", "tdigest",
    "binary_and", "binary_or", "binary_xor", "binary_not", "set_union", "set_intersect", "set_difference",
    "jaccard_index", "dynamic_to_json", "gettype", "extract_json", "extractjson", "unicode_codepoints_from_string",
    "current_principal", "current_cluster_endpoint", "cursor_current", "estimate_data_size", "ingestion_time",
    "todecimal_s", "column_ifexists_s", "table", "cluster", "database", "evaluate", "range", "repeat",
    "new_guid", "rand", "week_of_year", "weekofyear", "getschema", "ipv4_netmask_suffix", "format_timespan",
    "make_string", "strcmp", "toutf8", "reverse", "strrep", "series_add",
    "hash_many", "has_ipv4", "has_ipv4_prefix", "has_any_ipv4", "has_any_ipv4_prefix", "external_table",
    "materialized_view",
})


def compile_call(node: ast.Call, scope: Scope) -> Value:
    """A function call: a `let` function, an aggregate (in summarize) or a built-in."""
    binding = scope.env.lookup(node.name)
    if isinstance(binding, FunctionBinding):
        result = scope.compiler.invoke(binding, node.args, node, scope)
        if isinstance(result, Value):
            return result
        raise scope.error(KqlTypeError, f"{node.name}() returns a table, used where a scalar value is expected",
                          node)
    from revertguard.kql.aggregates import AGGREGATES, compile_aggregate

    if node.name in AGGREGATES:
        if scope.aggregates is None:
            raise scope.error(KqlTypeError, f"{node.name}() is an aggregation: use it in summarize", node)
        return compile_aggregate(node, scope)
    spec = FUNCTIONS.get(node.name)
    if spec is None:
        if node.name in KNOWN_UNSUPPORTED:
            raise scope.error(KqlUnsupportedError, f"the function {node.name}() is not supported", node)
        if node.name in ("materialize", "_GetWatchlist", "view"):
            raise scope.error(KqlTypeError, f"{node.name}() returns a table, used where a scalar value is "
                                            "expected", node)
        names = list(FUNCTIONS) + list(AGGREGATES) + [n for n in scope.env.names()]
        raise scope.error(KqlNameError, f"unknown function {node.name}()" + did_you_mean(node.name, names), node)
    count = len(node.args)
    if not spec.min_args <= count <= spec.max_args:
        expected = str(spec.min_args) if spec.min_args == spec.max_args else \
            f"{spec.min_args} to {spec.max_args}"
        raise scope.error(KqlTypeError, f"{node.name}() takes {expected} argument(s), got {count}", node)
    return spec.handler(node, scope)


# -- helpers ---------------------------------------------------------------------------------

def arg(node: ast.Call, i: int, scope: Scope) -> Value:
    return compile_scalar(node.args[i], scope)


def const_arg(node: ast.Call, i: int, scope: Scope, what: str) -> Any:
    value = arg(node, i, scope)
    if not value.is_const:
        raise scope.error(KqlUnsupportedError, f"{node.name}(): {what} must be a constant", node.args[i])
    return value.const


def text_arg(node: ast.Call, i: int, scope: Scope) -> Value:
    """An argument as a string that is never NULL."""
    return tostring(arg(node, i, scope), scope.dialect)


def bool_of(value: Value, node: ast.Node, scope: Scope) -> Value:
    if value.type is KqlType.BOOL:
        return value
    if value.type is KqlType.DYNAMIC:
        return to_bool(value, scope.dialect)
    raise scope.error(KqlTypeError, f"expected a boolean, found a {value.type.value}", node)


def common_type(values: list[Value], node: ast.Node, scope: Scope) -> KqlType:
    """The type of iif/case/coalesce results: one shared type (numbers widen to real)."""
    types = {v.type for v in values if not (v.is_const and v.const is None)} or {values[0].type}
    if len(types) == 1:
        return types.pop()
    if types <= NUMERIC_TYPES:
        return KqlType.REAL if types & {KqlType.REAL, KqlType.DECIMAL} else KqlType.LONG
    if types <= STRING_LIKE:
        return KqlType.STRING
    raise scope.error(KqlTypeError, "the branches have different types: " +
                      ", ".join(sorted(t.value for t in types)), node)


def cast_to(value: Value, kql_type: KqlType, scope: Scope) -> Value:
    if value.type is kql_type:
        return value
    if value.is_const and value.const is None:
        return constant(None, kql_type, scope)
    return convert(value, kql_type, scope.dialect)


# -- time ------------------------------------------------------------------------------------

@function("now", args=(0, 1))
def _now(node: ast.Call, scope: Scope) -> Value:
    now = scope.compiler.now
    if node.args:
        offset = expect_type(arg(node, 0, scope), {KqlType.TIMESPAN}, "now()'s offset", node, scope)
        if offset.is_const and offset.const is not None:
            return constant(now + offset.const, KqlType.DATETIME, scope)
        return Value(exp.Add(this=constant(now, KqlType.DATETIME, scope).sql, expression=offset.sql), KqlType.DATETIME)
    return constant(now, KqlType.DATETIME, scope)


@function("ago", args=1)
def _ago(node: ast.Call, scope: Scope) -> Value:
    span = expect_type(arg(node, 0, scope), {KqlType.TIMESPAN}, "ago()'s argument", node, scope)
    now = scope.compiler.now
    if span.is_const:
        return constant(None if span.const is None else now - span.const, KqlType.DATETIME, scope)
    return Value(exp.Sub(this=constant(now, KqlType.DATETIME, scope).sql, expression=span.sql), KqlType.DATETIME)


def _micros_of(value: Value, scope: Scope) -> exp.Expression:
    return scope.dialect.epoch_micros(value.sql)


def floor_multiple(value: exp.Expression, size: exp.Expression, origin: exp.Expression | None = None) -> exp.Expression:
    """`value` rounded down to a multiple of `size` (counted from `origin`), exact for negatives."""
    shifted = exp.Sub(this=value, expression=origin) if origin is not None else value
    remainder = exp.Mod(this=exp.Paren(this=exp.Add(this=exp.Mod(this=exp.Paren(this=shifted), expression=size),
                                                     expression=size)), expression=size)
    return exp.Sub(this=value, expression=exp.Paren(this=remainder))


@function("bin", "floor", args=2)
def _bin(node: ast.Call, scope: Scope) -> Value:
    return bin_value(arg(node, 0, scope), arg(node, 1, scope), None, node, scope)


@function("bin_at", args=3)
def _bin_at(node: ast.Call, scope: Scope) -> Value:
    return bin_value(arg(node, 0, scope), arg(node, 1, scope), arg(node, 2, scope), node, scope)


def bin_value(value: Value, size: Value, fixed: Value | None, node: ast.Node, scope: Scope) -> Value:
    """`bin()`: datetimes bin from the Unix epoch (1970-01-01), so `bin(t, 7d)` weeks start on
    Thursdays; `bin_at()` moves the origin to its fixed point."""
    d = scope.dialect
    if value.type is KqlType.DYNAMIC:
        value = to_real(value, d)
    if value.type in (KqlType.DATETIME, KqlType.TIMESPAN):
        expect_type(size, {KqlType.TIMESPAN}, "the bin size of a datetime or timespan", node, scope)
        if size.is_const and (size.const is None or size.const <= timedelta(0)):
            return constant(None, value.type, scope)
        micros = d.epoch_micros(value.sql) if value.type is KqlType.DATETIME else d.interval_micros(value.sql)
        size_micros = number(size.const // timedelta(microseconds=1)) if size.is_const else \
            d.interval_micros(size.sql)
        origin = None
        if fixed is not None:
            origin = d.epoch_micros(fixed.sql) if fixed.type is KqlType.DATETIME else d.interval_micros(fixed.sql)
        floored = floor_multiple(micros, size_micros, origin)
        back = d.from_epoch_micros(floored) if value.type is KqlType.DATETIME else d.micros_interval(floored)
        return Value(back, value.type)
    expect_type(value, NUMERIC_TYPES, "bin()'s value", node, scope)
    expect_type(size, NUMERIC_TYPES, "bin()'s size", node, scope)
    if size.is_const and (size.const is None or size.const <= 0):
        return constant(None, value.type, scope)
    origin_sql = fixed.sql if fixed is not None else None
    if value.type in (KqlType.LONG, KqlType.INT) and size.type in (KqlType.LONG, KqlType.INT):
        return Value(floor_multiple(value.sql, size.sql, origin_sql), KqlType.LONG)
    shifted = exp.Sub(this=value.sql, expression=origin_sql) if origin_sql is not None else value.sql
    floored = exp.Mul(this=exp.Floor(this=exp.Div(this=exp.Paren(this=shifted), expression=size.sql)),
                      expression=size.sql)
    if origin_sql is not None:
        floored = exp.Add(this=floored, expression=origin_sql)
    return Value(exp.cast(floored, d.sql_type(KqlType.REAL)), KqlType.REAL)


def _datetime_arg(node: ast.Call, scope: Scope) -> Value:
    value = arg(node, 0, scope)
    if value.type is not KqlType.DATETIME:
        value = to_datetime(value, scope.dialect)
    return value


def _offset(node: ast.Call, scope: Scope) -> Value | None:
    if len(node.args) < 2:
        return None
    return expect_type(arg(node, 1, scope), NUMERIC_TYPES, f"{node.name}()'s offset", node, scope)


def _start_of(unit: str, value: Value, offset: Value | None, scope: Scope) -> exp.Expression:
    d = scope.dialect
    if unit == "week":
        # Weeks start on Sunday; 1970-01-04 was one.
        sunday = number(3 * _DAY_MICROS)
        start = d.from_epoch_micros(floor_multiple(d.epoch_micros(value.sql), number(7 * _DAY_MICROS), sunday))
    else:
        start = d.date_trunc(unit.upper(), value.sql)
    if offset is None:
        return start
    if unit in ("day", "week"):
        days = exp.Mul(this=offset.sql, expression=number(_DAY_MICROS * (7 if unit == "week" else 1)))
        return exp.Add(this=start, expression=d.micros_interval(days))
    months = exp.Mul(this=offset.sql, expression=number(12 if unit == "year" else 1))
    return d.add_months(start, months)


def _register_start_end() -> None:
    for unit in ("day", "week", "month", "year"):
        def start_handler(node: ast.Call, scope: Scope, unit: str = unit) -> Value:
            return Value(_start_of(unit, _datetime_arg(node, scope), _offset(node, scope), scope), KqlType.DATETIME)

        def end_handler(node: ast.Call, scope: Scope, unit: str = unit) -> Value:
            d = scope.dialect
            value = _datetime_arg(node, scope)
            offset = _offset(node, scope)
            one = constant(1, KqlType.LONG, scope)
            following = one if offset is None else Value(exp.Add(this=offset.sql, expression=number(1)),
                                                         KqlType.LONG)
            start = _start_of(unit, value, following, scope)
            # Kusto's end is one tick (100 ns) before the next start; microseconds are our tick.
            return Value(exp.Sub(this=start, expression=d.interval(timedelta(microseconds=1))), KqlType.DATETIME)

        function(f"startof{unit}", args=(1, 2))(start_handler)
        function(f"endof{unit}", args=(1, 2))(end_handler)


_register_start_end()

_DIFF_UNITS = {
    "year": "year", "quarter": "quarter", "month": "month", "week": "week", "day": "day", "hour": "hour",
    "minute": "minute", "second": "second", "millisecond": "millisecond", "microsecond": "microsecond",
    "nanosecond": "nanosecond",
}
_FIXED_MICROS = {"day": _DAY_MICROS, "hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000,
                 "millisecond": 1_000, "microsecond": 1}


@function("datetime_diff", args=3)
def _datetime_diff(node: ast.Call, scope: Scope) -> Value:
    """`datetime_diff(part, a, b)`: how many `part` boundaries lie between b and a (a - b)."""
    d = scope.dialect
    unit = str(const_arg(node, 0, scope, "the period")).lower()
    if unit not in _DIFF_UNITS:
        raise scope.error(KqlTypeError, f"unknown datetime_diff period {unit!r}; use one of "
                          + ", ".join(_DIFF_UNITS), node.args[0])
    a = expect_type(arg(node, 1, scope), {KqlType.DATETIME}, "datetime_diff()'s second argument", node, scope)
    b = expect_type(arg(node, 2, scope), {KqlType.DATETIME}, "datetime_diff()'s third argument", node, scope)

    def months(v: Value) -> exp.Expression:
        return exp.Add(this=exp.Mul(this=exp.Year(this=v.sql), expression=number(12)), expression=exp.Month(this=v.sql))

    if unit == "nanosecond":
        diff: exp.Expression = exp.Mul(this=exp.Sub(this=d.epoch_micros(a.sql), expression=d.epoch_micros(b.sql)),
                                       expression=number(1000))
    elif unit in _FIXED_MICROS:
        size = number(_FIXED_MICROS[unit])
        diff = exp.Sub(this=exp.IntDiv(this=floor_multiple(d.epoch_micros(a.sql), size), expression=size),
                       expression=exp.IntDiv(this=floor_multiple(d.epoch_micros(b.sql), size), expression=size))
    elif unit == "week":
        size, sunday = number(7 * _DAY_MICROS), number(3 * _DAY_MICROS)
        diff = exp.IntDiv(this=exp.Sub(this=floor_multiple(d.epoch_micros(a.sql), size, sunday),
                                       expression=floor_multiple(d.epoch_micros(b.sql), size, sunday)),
                          expression=size)
    elif unit == "year":
        diff = exp.Sub(this=exp.Year(this=a.sql), expression=exp.Year(this=b.sql))
    elif unit == "quarter":
        def quarters(v: Value) -> exp.Expression:
            return exp.Add(this=exp.Mul(this=exp.Year(this=v.sql), expression=number(4)),
                           expression=exp.IntDiv(this=exp.Paren(this=exp.Sub(this=exp.Month(this=v.sql),
                                                                             expression=number(1))),
                                                 expression=number(3)))
        diff = exp.Sub(this=quarters(a), expression=quarters(b))
    else:
        diff = exp.Sub(this=months(a), expression=months(b))
    return Value(exp.cast(diff, d.sql_type(KqlType.LONG)), KqlType.LONG)


@function("datetime_add", args=3)
def _datetime_add(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    unit = str(const_arg(node, 0, scope, "the period")).lower()
    amount = expect_type(arg(node, 1, scope), NUMERIC_TYPES, "datetime_add()'s amount", node, scope)
    value = expect_type(arg(node, 2, scope), {KqlType.DATETIME}, "datetime_add()'s datetime", node, scope)
    if unit in ("year", "quarter", "month"):
        months = exp.Mul(this=amount.sql, expression=number({"year": 12, "quarter": 3, "month": 1}[unit]))
        return Value(d.add_months(value.sql, months), KqlType.DATETIME)
    per = {**_FIXED_MICROS, "week": 7 * _DAY_MICROS}.get(unit)
    if per is None:
        raise scope.error(KqlTypeError, f"unknown datetime_add period {unit!r}", node.args[0])
    span = d.micros_interval(exp.Mul(this=amount.sql, expression=number(per)))
    return Value(exp.Add(this=value.sql, expression=span), KqlType.DATETIME)


def _date_part(extract: Callable[[exp.Expression], exp.Expression]) -> Handler:
    def handler(node: ast.Call, scope: Scope) -> Value:
        value = _datetime_arg(node, scope)
        return Value(exp.cast(extract(value.sql), scope.dialect.sql_type(KqlType.INT)), KqlType.INT)
    return handler


function("getyear", args=1)(_date_part(lambda v: exp.Year(this=v)))
function("getmonth", "monthofyear", args=1)(_date_part(lambda v: exp.Month(this=v)))
function("dayofmonth", args=1)(_date_part(lambda v: exp.Day(this=v)))
function("dayofyear", args=1)(_date_part(lambda v: exp.DayOfYear(this=v)))
function("hourofday", args=1)(_date_part(lambda v: exp.Anonymous(this="hour", expressions=[v])))


@function("dayofweek", args=1)
def _dayofweek(node: ast.Call, scope: Scope) -> Value:
    """The days since the preceding Sunday, as a timespan."""
    d = scope.dialect
    value = _datetime_arg(node, scope)
    micros = d.epoch_micros(value.sql)
    week, sunday, day = number(7 * _DAY_MICROS), number(3 * _DAY_MICROS), number(_DAY_MICROS)
    since_sunday = exp.Sub(this=micros, expression=floor_multiple(micros, week, sunday))
    whole_days = exp.Mul(this=exp.IntDiv(this=since_sunday, expression=day), expression=day)
    return Value(d.micros_interval(whole_days), KqlType.TIMESPAN)


_FORMAT_TOKENS = ("yyyy", "yy", "MM", "M", "dd", "d", "HH", "H", "hh", "h", "mm", "m", "ss", "s", "tt",
                  "fffffff", "ffffff", "fffff", "ffff", "fff", "ff", "f",
                  "FFFFFFF", "FFFFFF", "FFFFF", "FFFF", "FFF", "FF", "F")


@function("format_datetime", args=2)
def _format_datetime(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    value = _datetime_arg(node, scope)
    fmt = str(const_arg(node, 1, scope, "the format"))
    micros = d.epoch_micros(value.sql)
    fraction = exp.Mod(this=exp.Paren(this=exp.Add(this=exp.Mod(this=micros, expression=number(1_000_000)),
                                                    expression=number(1_000_000))),
                       expression=number(1_000_000))

    def text(v: exp.Expression) -> exp.Expression:
        return exp.cast(v, d.sql_type(KqlType.STRING))

    def pad(v: exp.Expression, width: int) -> exp.Expression:
        return exp.Pad(this=text(v), expression=number(width), fill_pattern=string("0"), is_left=True)

    hour = exp.Anonymous(this="hour", expressions=[value.sql])
    hour12 = exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.Mod(this=hour, expression=number(12)), expression=number(0)),
                                  true=number(12))], default=exp.Mod(this=hour, expression=number(12)))
    pieces: list[exp.Expression] = []
    i = 0
    while i < len(fmt):
        token = next((t for t in _FORMAT_TOKENS if fmt.startswith(t, i)), None)
        if token is None:
            ch = fmt[i]
            if ch == "\\" and i + 1 < len(fmt):
                pieces.append(string(fmt[i + 1]))
                i += 2
                continue
            pieces.append(string(ch))
            i += 1
            continue
        i += len(token)
        if token == "yyyy":
            pieces.append(pad(exp.Year(this=value.sql), 4))
        elif token == "yy":
            pieces.append(pad(exp.Mod(this=exp.Year(this=value.sql), expression=number(100)), 2))
        elif token in ("MM", "M"):
            pieces.append(pad(exp.Month(this=value.sql), len(token)))
        elif token in ("dd", "d"):
            pieces.append(pad(exp.Day(this=value.sql), len(token)))
        elif token in ("HH", "H"):
            pieces.append(pad(hour, len(token)))
        elif token in ("hh", "h"):
            pieces.append(pad(hour12, len(token)))
        elif token in ("mm", "m"):
            pieces.append(pad(exp.Anonymous(this="minute", expressions=[value.sql]), len(token)))
        elif token in ("ss", "s"):
            pieces.append(pad(exp.Anonymous(this="second", expressions=[value.sql]), len(token)))
        elif token == "tt":
            pieces.append(exp.Case(ifs=[exp.If(this=exp.LT(this=hour, expression=number(12)), true=string("AM"))],
                                   default=string("PM")))
        else:
            digits = exp.Concat(expressions=[pad(fraction, 6), string("0")], safe=True, coalesce=False)
            part: exp.Expression = exp.Substring(this=digits, start=number(1), length=number(len(token)))
            if token.startswith("F"):  # F: trailing zeros (and an all-zero fraction) are left out
                part = exp.Anonymous(this="rtrim", expressions=[part, string("0")])
            pieces.append(part)
    if not pieces:
        return constant("", KqlType.STRING, scope)
    result = exp.Concat(expressions=pieces, safe=True, coalesce=False)
    return Value(result, KqlType.STRING)


@function("unixtime_seconds_todatetime", args=1)
def _unix_seconds(node: ast.Call, scope: Scope) -> Value:
    value = expect_type(arg(node, 0, scope), NUMERIC_TYPES, "the number of seconds", node, scope)
    micros = exp.cast(exp.Mul(this=value.sql, expression=number(1_000_000)), scope.dialect.sql_type(KqlType.LONG))
    return Value(scope.dialect.from_epoch_micros(micros), KqlType.DATETIME)


@function("unixtime_milliseconds_todatetime", args=1)
def _unix_millis(node: ast.Call, scope: Scope) -> Value:
    value = expect_type(arg(node, 0, scope), NUMERIC_TYPES, "the number of milliseconds", node, scope)
    micros = exp.cast(exp.Mul(this=value.sql, expression=number(1_000)), scope.dialect.sql_type(KqlType.LONG))
    return Value(scope.dialect.from_epoch_micros(micros), KqlType.DATETIME)


# -- conversions -----------------------------------------------------------------------------

def _converter(target: KqlType, fold: Callable[[Any, KqlType], Any] | None = None) -> Handler:
    def handler(node: ast.Call, scope: Scope) -> Value:
        value = arg(node, 0, scope)
        if fold is not None and value.is_const:
            try:
                return constant(fold(value.const, value.type), target, scope)
            except (ValueError, TypeError, OverflowError):
                return constant(None if target is not KqlType.STRING else "", target, scope)
        return convert(value, target, scope.dialect)
    return handler


def _fold_datetime(value: Any, kql_type: KqlType) -> datetime | None:
    if value is None:
        return None
    if kql_type is KqlType.DATETIME:
        return value
    if kql_type in STRING_LIKE or (kql_type is KqlType.DYNAMIC and isinstance(value, str)):
        if not ISO_DATETIME.fullmatch(value):  # the forms todatetime() reads at run time, too
            raise ValueError(value)
        return parse_datetime_text(value)
    raise TypeError


def _fold_timespan(value: Any, kql_type: KqlType) -> timedelta | None:
    if value is None:
        return None
    if kql_type is KqlType.TIMESPAN:
        return value
    if kql_type in STRING_LIKE:
        return parse_timespan_text(value)
    raise TypeError


function("tostring", args=1)(_converter(KqlType.STRING, python_tostring))
function("todatetime", "datetime", args=1)(_converter(KqlType.DATETIME, _fold_datetime))
function("totimespan", "totime", args=1)(_converter(KqlType.TIMESPAN, _fold_timespan))


@function("tolong", args=1)
def _tolong(node: ast.Call, scope: Scope) -> Value:
    return to_long(arg(node, 0, scope), scope.dialect)


@function("toint", args=1)
def _toint(node: ast.Call, scope: Scope) -> Value:
    return to_long(arg(node, 0, scope), scope.dialect, KqlType.INT)


@function("toreal", "todouble", "todecimal", args=1)
def _toreal(node: ast.Call, scope: Scope) -> Value:
    return to_real(arg(node, 0, scope), scope.dialect)


@function("tobool", "toboolean", args=1)
def _tobool(node: ast.Call, scope: Scope) -> Value:
    return to_bool(arg(node, 0, scope), scope.dialect)


@function("toguid", args=1)
def _toguid(node: ast.Call, scope: Scope) -> Value:
    text = tostring(arg(node, 0, scope), scope.dialect)
    pattern = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    valid = scope.dialect.regex_full_match(text.sql, pattern)
    return Value(exp.Case(ifs=[exp.If(this=valid, true=exp.Lower(this=text.sql))]), KqlType.GUID)


@function("parse_json", "parsejson", "todynamic", "toobject", args=1)
def _parse_json(node: ast.Call, scope: Scope) -> Value:
    value = arg(node, 0, scope)
    if value.is_const and value.type in STRING_LIKE:
        text = value.const or ""
        if text.strip() == "":
            return constant(None, KqlType.DYNAMIC, scope)
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return constant(parsed, KqlType.DYNAMIC, scope)
    return to_dynamic(value, scope.dialect)


# -- emptiness and conditionals ----------------------------------------------------------------

def _empty(value: Value, scope: Scope) -> Value:
    d = scope.dialect
    if value.is_const:
        text = python_tostring(value.const, value.type) if value.type in STRING_LIKE | {KqlType.DYNAMIC} else None
        return strings.const_bool(value.const is None or text == "")
    if value.type in STRING_LIKE or value.type is KqlType.DYNAMIC:
        text = as_string(value, d)
        equal = exp.EQ(this=text.sql, expression=string(""))
        return Value(strings.total(equal, text, True), KqlType.BOOL, nullable=False)
    return Value(exp.Is(this=value.sql, expression=exp.null()), KqlType.BOOL, nullable=False)


@function("isempty", args=1)
def _isempty(node: ast.Call, scope: Scope) -> Value:
    return _empty(arg(node, 0, scope), scope)


@function("isnotempty", "notempty", args=1)
def _isnotempty(node: ast.Call, scope: Scope) -> Value:
    return strings.opposite(_empty(arg(node, 0, scope), scope))


def _null(value: Value, scope: Scope) -> Value:
    if value.type in STRING_LIKE:
        return strings.const_bool(False)  # KQL strings are never null ("" is empty, not null)
    if value.is_const:
        return strings.const_bool(value.const is None)
    if value.type is KqlType.DYNAMIC:
        return Value(scope.dialect.json_is_null(value.sql), KqlType.BOOL, nullable=False)
    return Value(exp.Is(this=value.sql, expression=exp.null()), KqlType.BOOL, nullable=False)


@function("isnull", args=1)
def _isnull(node: ast.Call, scope: Scope) -> Value:
    return _null(arg(node, 0, scope), scope)


@function("isnotnull", "notnull", args=1)
def _isnotnull(node: ast.Call, scope: Scope) -> Value:
    return strings.opposite(_null(arg(node, 0, scope), scope))


@function("not", args=1)
def _not(node: ast.Call, scope: Scope) -> Value:
    value = bool_of(arg(node, 0, scope), node, scope)
    if value.is_const and value.const is not None:
        return strings.const_bool(not value.const)
    return Value(strings.negate(value.sql), KqlType.BOOL, nullable=value.nullable)


@function("iif", "iff", args=3)
def _iif(node: ast.Call, scope: Scope) -> Value:
    condition = bool_of(arg(node, 0, scope), node.args[0], scope)
    return _case([(condition, arg(node, 1, scope))], arg(node, 2, scope), node, scope)


@function("case", args=(3, 999))
def _case_fn(node: ast.Call, scope: Scope) -> Value:
    if len(node.args) % 2 == 0:
        raise scope.error(KqlTypeError, "case() takes condition/value pairs and then an else value", node)
    pairs = []
    for i in range(0, len(node.args) - 1, 2):
        pairs.append((bool_of(arg(node, i, scope), node.args[i], scope), arg(node, i + 1, scope)))
    return _case(pairs, arg(node, len(node.args) - 1, scope), node, scope)


def _case(pairs: list[tuple[Value, Value]], otherwise: Value, node: ast.Node, scope: Scope) -> Value:
    result_type = common_type([v for _, v in pairs] + [otherwise], node, scope)
    for condition, result in pairs:
        if condition.is_const and condition.const:
            return cast_to(result, result_type, scope)
    live = [(c, cast_to(v, result_type, scope)) for c, v in pairs if not (c.is_const and not c.const)]
    otherwise = cast_to(otherwise, result_type, scope)
    if not live:
        return otherwise
    sql = exp.Case(ifs=[exp.If(this=c.sql, true=v.sql) for c, v in live], default=otherwise.sql)
    nullable = otherwise.nullable or any(v.nullable for _, v in live)
    return Value(sql, result_type, nullable=nullable)


@function("coalesce", args=(1, 64))
def _coalesce(node: ast.Call, scope: Scope) -> Value:
    """The first argument that is not null (for strings: not empty)."""
    values = [arg(node, i, scope) for i in range(len(node.args))]
    result_type = common_type(values, node, scope)
    values = [cast_to(v, result_type, scope) for v in values]
    if result_type in STRING_LIKE or result_type is KqlType.DYNAMIC:
        pairs = [(_isnotempty_value(v, scope), v) for v in values[:-1]]
        return _case(pairs, values[-1], node, scope)
    return Value(exp.Coalesce(this=values[0].sql, expressions=[v.sql for v in values[1:]]), result_type)


def _isnotempty_value(value: Value, scope: Scope) -> Value:
    return strings.opposite(_null(value, scope) if value.type is KqlType.DYNAMIC else _empty(value, scope))


@function("column_ifexists", args=2)
def _column_ifexists(node: ast.Call, scope: Scope) -> Value:
    name = str(const_arg(node, 0, scope, "the column name"))
    if name in scope.columns:
        return compile_scalar(ast.Name(name).at(node), scope)
    return arg(node, 1, scope)


@function("toscalar", args=1)
def _toscalar(node: ast.Call, scope: Scope) -> Value:
    relation = scope.compiler.tabular(node.args[0], scope.env)
    return scope.compiler.scalar_subquery(relation, node)


@function("min_of", args=(1, 64))
def _min_of(node: ast.Call, scope: Scope) -> Value:
    return _extreme_of(exp.Least, node, scope)


@function("max_of", args=(1, 64))
def _max_of(node: ast.Call, scope: Scope) -> Value:
    return _extreme_of(exp.Greatest, node, scope)


def _extreme_of(cls: type[exp.Func], node: ast.Call, scope: Scope) -> Value:
    values = [arg(node, i, scope) for i in range(len(node.args))]
    result_type = common_type(values, node, scope)
    values = [cast_to(v, result_type, scope) for v in values]
    return Value(cls(this=values[0].sql, expressions=[v.sql for v in values[1:]]), result_type)


# -- numbers ---------------------------------------------------------------------------------

@function("abs", args=1)
def _abs(node: ast.Call, scope: Scope) -> Value:
    value = expect_type(arg(node, 0, scope), NUMERIC_TYPES | {KqlType.TIMESPAN}, "abs()'s argument", node, scope)
    if value.type is KqlType.TIMESPAN:
        d = scope.dialect
        return Value(d.micros_interval(exp.Abs(this=d.interval_micros(value.sql))), KqlType.TIMESPAN)
    return Value(exp.Abs(this=value.sql), value.type)


@function("round", args=(1, 2))
def _round(node: ast.Call, scope: Scope) -> Value:
    value = expect_type(arg(node, 0, scope), NUMERIC_TYPES, "round()'s argument", node, scope)
    digits = arg(node, 1, scope).sql if len(node.args) > 1 else number(0)
    return Value(exp.Round(this=value.sql, decimals=digits), value.type)


def _math(cls: type[exp.Func], *, real: bool = True) -> Handler:
    def handler(node: ast.Call, scope: Scope) -> Value:
        value = expect_type(arg(node, 0, scope), NUMERIC_TYPES, f"{node.name}()'s argument", node, scope)
        result_type = KqlType.REAL if real else value.type
        # Engines give these functions their own result types (sign() of a real is an integer in
        # DuckDB, ceil() of a real a long in Spark): the value must have the KQL type it claims.
        return Value(exp.cast(cls(this=value.sql), scope.dialect.sql_type(result_type)), result_type)
    return handler


function("sqrt", args=1)(_math(exp.Sqrt))
function("exp", args=1)(_math(exp.Exp))
function("log", args=1)(_math(exp.Ln))
function("ceiling", args=1)(_math(exp.Ceil, real=False))
function("sign", args=1)(_math(exp.Sign, real=False))


@function("log10", args=1)
def _log10(node: ast.Call, scope: Scope) -> Value:
    value = expect_type(arg(node, 0, scope), NUMERIC_TYPES, "log10()'s argument", node, scope)
    return Value(exp.Log(this=number(10), expression=value.sql), KqlType.REAL)


@function("pow", args=2)
def _pow(node: ast.Call, scope: Scope) -> Value:
    base = expect_type(arg(node, 0, scope), NUMERIC_TYPES, "pow()'s base", node, scope)
    power = expect_type(arg(node, 1, scope), NUMERIC_TYPES, "pow()'s exponent", node, scope)
    return Value(exp.Pow(this=base.sql, expression=power.sql), KqlType.REAL)


# -- strings ---------------------------------------------------------------------------------

@function("strlen", args=1)
def _strlen(node: ast.Call, scope: Scope) -> Value:
    text = text_arg(node, 0, scope)
    if text.is_const:
        return constant(len(text.const), KqlType.LONG, scope)
    return Value(exp.cast(exp.Length(this=text.sql), scope.dialect.sql_type(KqlType.LONG)), KqlType.LONG,
                 nullable=False)


@function("strcat", args=(1, 64))
def _strcat(node: ast.Call, scope: Scope) -> Value:
    parts = [text_arg(node, i, scope) for i in range(len(node.args))]
    if all(p.is_const for p in parts):
        return constant("".join(p.const for p in parts), KqlType.STRING, scope)
    if len(parts) == 1:
        return parts[0]
    return Value(exp.Concat(expressions=[p.sql for p in parts], safe=True, coalesce=False), KqlType.STRING,
                 nullable=False)


@function("strcat_delim", args=(3, 65))
def _strcat_delim(node: ast.Call, scope: Scope) -> Value:
    delimiter = text_arg(node, 0, scope)
    parts: list[exp.Expression] = []
    for i in range(1, len(node.args)):
        if i > 1:
            parts.append(delimiter.sql)
        parts.append(text_arg(node, i, scope).sql)
    return Value(exp.Concat(expressions=parts, safe=True, coalesce=False), KqlType.STRING, nullable=False)


@function("tolower", args=1)
def _tolower(node: ast.Call, scope: Scope) -> Value:
    text = text_arg(node, 0, scope)
    if text.is_const:
        return constant(semantics.simple_lower(text.const), KqlType.STRING, scope)
    return Value(scope.dialect.lower(text.sql), KqlType.STRING, nullable=False)


@function("toupper", args=1)
def _toupper(node: ast.Call, scope: Scope) -> Value:
    text = text_arg(node, 0, scope)
    if text.is_const:
        return constant(semantics.simple_upper(text.const), KqlType.STRING, scope)
    return Value(scope.dialect.upper(text.sql), KqlType.STRING, nullable=False)


@function("substring", args=(2, 3))
def _substring(node: ast.Call, scope: Scope) -> Value:
    """0-based start; a negative start counts from the end (substring-function)."""
    text = text_arg(node, 0, scope)
    start = expect_type(arg(node, 1, scope), NUMERIC_TYPES, "substring()'s start", node, scope)
    length = expect_type(arg(node, 2, scope), NUMERIC_TYPES, "substring()'s length", node, scope) \
        if len(node.args) > 2 else None
    if start.is_const and start.const is not None:
        first: exp.Expression = number(int(start.const) + 1 if start.const >= 0 else int(start.const))
    else:
        first = exp.Case(ifs=[exp.If(this=exp.GTE(this=start.sql, expression=number(0)),
                                     true=exp.Add(this=start.sql, expression=number(1)))], default=start.sql)
    result = exp.Substring(this=text.sql, start=first, length=length.sql if length is not None else None)
    return Value(exp.Coalesce(this=result, expressions=[string("")]), KqlType.STRING, nullable=False)


@function("split", args=(2, 3))
def _split(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    text = text_arg(node, 0, scope)
    delimiter = text_arg(node, 1, scope)
    if text.is_const and delimiter.is_const and delimiter.const:
        parts = text.const.split(delimiter.const)
        if len(node.args) == 3:
            index = const_arg(node, 2, scope, "the index")
            parts = [parts[index]] if index is not None and -len(parts) <= index < len(parts) else []
        return constant(parts, KqlType.DYNAMIC, scope)
    pieces = d.split(text.sql, delimiter.sql)
    if len(node.args) == 2:
        return Value(d.list_to_json(pieces), KqlType.DYNAMIC, nullable=False, elements=pieces)
    index = expect_type(arg(node, 2, scope), NUMERIC_TYPES, "split()'s index", node, scope)
    position = number(index.const + 1 if index.const >= 0 else index.const) \
        if index.is_const and index.const is not None else \
        exp.Case(ifs=[exp.If(this=exp.GTE(this=index.sql, expression=number(0)),
                             true=exp.Add(this=index.sql, expression=number(1)))], default=index.sql)
    element = d.list_get(pieces, position)
    one = exp.Case(ifs=[exp.If(this=exp.Is(this=element, expression=exp.null()), true=d.list_of([]))],
                   default=d.list_of([element]))
    return Value(d.list_to_json(one), KqlType.DYNAMIC, nullable=False, elements=one)


@function("strcat_array", args=2)
def _strcat_array(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    values = expect_type(arg(node, 0, scope), {KqlType.DYNAMIC}, "strcat_array()'s array", node, scope)
    delimiter = text_arg(node, 1, scope)
    texts = values.elements if values.elements is not None else d.json_element_texts(values.sql)
    joined = exp.ArrayToString(this=texts, expression=delimiter.sql)
    return Value(exp.Coalesce(this=joined, expressions=[string("")]), KqlType.STRING, nullable=False)


@function("trim", args=2)
def _trim(node: ast.Call, scope: Scope) -> Value:
    return _trim_regex(node, scope, start=True, end=True)


@function("trim_start", args=2)
def _trim_start(node: ast.Call, scope: Scope) -> Value:
    return _trim_regex(node, scope, start=True, end=False)


@function("trim_end", args=2)
def _trim_end(node: ast.Call, scope: Scope) -> Value:
    return _trim_regex(node, scope, start=False, end=True)


def _trim_regex(node: ast.Call, scope: Scope, *, start: bool, end: bool) -> Value:
    """`trim(regex, text)`: removes every leading and/or trailing match of the regex."""
    pattern = str(const_arg(node, 0, scope, "the regular expression"))
    text = text_arg(node, 1, scope)
    alternatives = []
    if start:
        alternatives.append(f"^(?:{pattern})+")
    if end:
        alternatives.append(f"(?:{pattern})+$")
    result = scope.dialect.regex_replace_all(text.sql, string("|".join(alternatives)), string(""))
    return Value(result, KqlType.STRING, nullable=False)


@function("replace_string", args=3)
def _replace_string(node: ast.Call, scope: Scope) -> Value:
    text, lookup, replacement = (text_arg(node, i, scope) for i in range(3))
    if lookup.is_const and lookup.const == "":
        return text
    return Value(fn("replace", text.sql, lookup.sql, replacement.sql), KqlType.STRING, nullable=False)


@function("replace_regex", args=3)
def _replace_regex(node: ast.Call, scope: Scope) -> Value:
    text, pattern, replacement = (text_arg(node, i, scope) for i in range(3))
    return Value(scope.dialect.regex_replace_all(text.sql, pattern.sql, replacement.sql), KqlType.STRING,
                 nullable=False)


@function("replace", args=3)
def _replace_legacy(node: ast.Call, scope: Scope) -> Value:
    """The deprecated `replace(regex, rewrite, text)`: replace_regex with its arguments rotated."""
    pattern, replacement, text = (text_arg(node, i, scope) for i in range(3))
    return Value(scope.dialect.regex_replace_all(text.sql, pattern.sql, replacement.sql), KqlType.STRING,
                 nullable=False)


@function("extract", args=(3, 4))
def _extract(node: ast.Call, scope: Scope) -> Value:
    pattern = text_arg(node, 0, scope)
    group = const_arg(node, 1, scope, "the capture group")
    text = text_arg(node, 2, scope)
    d = scope.dialect
    extracted = d.regex_extract(text.sql, pattern.sql, int(group))
    matched = d.regex_match(text.sql, pattern.sql)
    result = Value(exp.Case(ifs=[exp.If(this=matched, true=extracted)]), KqlType.STRING)
    if len(node.args) == 4:
        target = _typeof_arg(node.args[3], scope)
        return convert(result, target, d)
    return result


def _typeof_arg(node: ast.Node, scope: Scope) -> KqlType:
    from revertguard.kql.literals import TYPE_NAMES

    if isinstance(node, ast.Call) and node.name == "typeof" and len(node.args) == 1 and \
            isinstance(node.args[0], ast.Name) and node.args[0].name in TYPE_NAMES:
        return TYPE_NAMES[node.args[0].name]
    raise scope.error(KqlTypeError, "expected typeof(type), such as typeof(long)", node)


@function("extract_all", "extractall", args=(2, 3))
def _extract_all(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    pattern_value = arg(node, 0, scope)
    if not pattern_value.is_const:
        raise scope.error(KqlUnsupportedError, "extract_all(): the regular expression must be a constant", node)
    pattern = str(pattern_value.const)
    text = text_arg(node, len(node.args) - 1, scope)
    try:
        group_count = re.compile(pattern.replace("(?<", "(?P<")).groups
    except re.error:
        group_count = 1
    groups = list(range(1, max(group_count, 1) + 1))
    if len(node.args) == 3:
        chosen = const_arg(node, 1, scope, "the capture groups")
        if not isinstance(chosen, list) or not all(isinstance(g, int) for g in chosen):
            raise scope.error(KqlUnsupportedError, "extract_all(): capture groups must be numbers", node.args[1])
        groups = chosen
    if group_count == 0:
        raise scope.error(KqlTypeError, "extract_all(): the regular expression needs a capture group", node.args[0])
    if len(groups) == 1:
        matches = d.regex_extract_all(text.sql, string(pattern), groups[0])
    else:
        whole = d.regex_extract_all(text.sql, string(pattern), 0)
        match = exp.column("_rg_m")
        body = d.list_of([d.regex_extract(match, string(pattern), g) for g in groups])
        matches = d.list_transform(whole, "_rg_m", body)
    empty = exp.EQ(this=d.list_length(matches), expression=number(0))
    return Value(exp.Case(ifs=[exp.If(this=empty, true=d.null(KqlType.DYNAMIC))], default=d.list_to_json(matches)),
                 KqlType.DYNAMIC)


@function("indexof", args=(2, 5))
def _indexof(node: ast.Call, scope: Scope) -> Value:
    """0-based position of `lookup` in `text` (from `start`), or -1."""
    text = text_arg(node, 0, scope)
    lookup = text_arg(node, 1, scope)
    if len(node.args) > 3:
        raise scope.error(KqlUnsupportedError, "indexof() with a length or occurrence is not supported", node)
    if len(node.args) == 2:
        position = exp.Sub(this=exp.StrPosition(this=text.sql, substr=lookup.sql), expression=number(1))
        return Value(exp.cast(position, scope.dialect.sql_type(KqlType.LONG)), KqlType.LONG)
    start = expect_type(arg(node, 2, scope), NUMERIC_TYPES, "indexof()'s start", node, scope)
    tail = exp.Substring(this=text.sql, start=exp.Add(this=start.sql, expression=number(1)))
    found = exp.StrPosition(this=tail, substr=lookup.sql)
    position = exp.Case(ifs=[exp.If(this=exp.GT(this=found, expression=number(0)),
                                    true=exp.Add(this=found, expression=exp.Sub(this=start.sql,
                                                                                  expression=number(1))))],
                        default=number(-1))
    return Value(exp.cast(position, scope.dialect.sql_type(KqlType.LONG)), KqlType.LONG)


@function("indexof_regex", args=2)
def _indexof_regex(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    text = text_arg(node, 0, scope)
    pattern = str(const_arg(node, 1, scope, "the regular expression"))
    before = d.regex_extract(text.sql, string(f"^(?s)(.*?)(?:{pattern})"), 1)
    position = exp.Case(ifs=[exp.If(this=d.regex_match(text.sql, string(pattern)), true=exp.Length(this=before))],
                        default=number(-1))
    return Value(exp.cast(position, d.sql_type(KqlType.LONG)), KqlType.LONG)


@function("hash_sha256", args=1)
def _hash_sha256(node: ast.Call, scope: Scope) -> Value:
    """The hex SHA-256 of the value's text (`tostring` form: the docs' datetime example hashes
    `2020-01-01T00:00:00.0000000Z`); an empty value hashes to "" (measured on the Kusto
    emulator by duckdb-kql)."""
    text = text_arg(node, 0, scope)
    empty = exp.EQ(this=text.sql, expression=string(""))
    return Value(exp.Case(ifs=[exp.If(this=empty, true=string(""))], default=scope.dialect.sha256(text.sql)),
                 KqlType.STRING, nullable=False)


@function("hash_md5", args=1)
def _hash_md5(node: ast.Call, scope: Scope) -> Value:
    return Value(exp.MD5(this=text_arg(node, 0, scope).sql), KqlType.STRING, nullable=False)


@function("ipv4_is_private", args=1)
def _ipv4_is_private(node: ast.Call, scope: Scope) -> Value:
    """RFC 1918 ranges (10/8, 172.16/12, 192.168/16), for an address or a CIDR block."""
    text = text_arg(node, 0, scope)
    octet = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    private = (rf"(10\.{octet}|172\.(1[6-9]|2\d|3[01])|192\.168)\.{octet}\.{octet}(/(3[0-2]|[12]?\d))?")
    valid = rf"{octet}\.{octet}\.{octet}\.{octet}(/(3[0-2]|[12]?\d))?"
    d = scope.dialect
    return Value(exp.Case(ifs=[exp.If(this=d.regex_full_match(text.sql, private), true=exp.true()),
                               exp.If(this=d.regex_full_match(text.sql, valid), true=exp.false())]), KqlType.BOOL)


# -- dynamic ---------------------------------------------------------------------------------

@function("array_length", args=1)
def _array_length(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    value = expect_type(arg(node, 0, scope), {KqlType.DYNAMIC}, "array_length()'s argument", node, scope)
    if value.is_const:
        return constant(len(value.const) if isinstance(value.const, list) else None, KqlType.LONG, scope)
    if value.elements is not None:
        return Value(exp.cast(d.list_length(value.elements), d.sql_type(KqlType.LONG)), KqlType.LONG)
    is_array = exp.EQ(this=d.json_type(value.sql), expression=string("ARRAY"))
    length = exp.cast(d.json_array_length(value.sql), d.sql_type(KqlType.LONG))
    return Value(exp.Case(ifs=[exp.If(this=is_array, true=length)]), KqlType.LONG)


@function("pack_array", args=(0, 64))
def _pack_array(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    values = [arg(node, i, scope) for i in range(len(node.args))]
    if all(v.is_const for v in values):
        return constant([v.const for v in values], KqlType.DYNAMIC, scope)
    return Value(d.json_array([wrap_dynamic(v, d).sql for v in values]), KqlType.DYNAMIC, nullable=False)


@function("pack", "bag_pack", "pack_dictionary", args=(0, 128))
def _bag_pack(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    if len(node.args) % 2:
        raise scope.error(KqlTypeError, f"{node.name}() takes key/value pairs", node)
    pairs = []
    for i in range(0, len(node.args), 2):
        key = text_arg(node, i, scope)
        value = arg(node, i + 1, scope)
        pairs.append((key.sql, wrap_dynamic(value, d).sql))
    return Value(d.json_object(pairs), KqlType.DYNAMIC, nullable=False)


@function("set_has_element", args=2)
def _set_has_element(node: ast.Call, scope: Scope) -> Value:
    d = scope.dialect
    values = expect_type(arg(node, 0, scope), {KqlType.DYNAMIC}, "set_has_element()'s array", node, scope)
    item = text_arg(node, 1, scope)
    texts = values.elements if values.elements is not None else d.json_element_texts(values.sql)
    return Value(exp.Coalesce(this=d.list_contains(texts, item.sql), expressions=[exp.false()]), KqlType.BOOL)


@function("typeof", args=1)
def _typeof(node: ast.Call, scope: Scope) -> Value:
    raise scope.error(KqlTypeError, "typeof() is only allowed in 'to typeof(...)' and extract()", node)

