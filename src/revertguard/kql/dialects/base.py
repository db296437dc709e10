"""What the compiler asks of a SQL target, with portable defaults.

The compiler builds sqlglot expressions. Most KQL constructs map onto sqlglot's own
expression classes, which sqlglot writes correctly for every target. The rest (how dynamic
values are stored, regular-expression and list functions, epoch arithmetic) differ between
engines: each is one method here, and `duckdb.py` / `spark.py` override what their engine
spells differently. Only a method's result shape is shared: the caller never inspects it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlglot import exp

from revertguard.kql.literals import dynamic_json
from revertguard.tables import KqlType


def fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    """A call to an engine function sqlglot has no class for."""
    return exp.Anonymous(this=name, expressions=list(args))


def string(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def number(value: int | float) -> exp.Expression:
    if isinstance(value, float) and not math.isfinite(value):
        return exp.cast(string("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")),
                        exp.DataType.build("DOUBLE"))
    return exp.Literal.number(repr(value) if isinstance(value, float) else str(value))


def micros_of(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


class Dialect:
    """A SQL target. `name` is the sqlglot dialect used to write the SQL text."""

    name = ""
    materialized_ctes = False  # whether `WITH x AS MATERIALIZED (...)` exists (for materialize())

    # -- types and literals ----------------------------------------------------------------
    TYPES: ClassVar[dict[KqlType, str]] = {
        KqlType.STRING: "VARCHAR",
        KqlType.GUID: "VARCHAR",
        KqlType.DATETIME: "TIMESTAMP",
        KqlType.BOOL: "BOOLEAN",
        KqlType.INT: "INT",
        KqlType.LONG: "BIGINT",
        KqlType.REAL: "DOUBLE",
        KqlType.DECIMAL: "DECIMAL(38, 10)",
        KqlType.TIMESPAN: "INTERVAL",
        KqlType.DYNAMIC: "JSON",
    }

    def sql_type(self, kql_type: KqlType) -> exp.DataType:
        return exp.DataType.build(self.TYPES[kql_type], dialect=self.name)

    def cast(self, value: exp.Expression, kql_type: KqlType) -> exp.Expression:
        return exp.cast(value, self.sql_type(kql_type))

    def try_cast(self, value: exp.Expression, kql_type: KqlType) -> exp.Expression:
        return exp.TryCast(this=value, to=self.sql_type(kql_type), safe=True)

    def null(self, kql_type: KqlType) -> exp.Expression:
        return exp.cast(exp.null(), self.sql_type(kql_type))

    def literal(self, value: Any, kql_type: KqlType) -> exp.Expression:
        """A constant of a KQL type; None is that type's null."""
        if value is None:
            return self.null(kql_type)
        if kql_type in (KqlType.STRING, KqlType.GUID):
            return string(value)
        if kql_type is KqlType.BOOL:
            return exp.true() if value else exp.false()
        if kql_type in (KqlType.LONG, KqlType.INT):
            return number(int(value))
        if kql_type in (KqlType.REAL, KqlType.DECIMAL):
            return self.cast(number(float(value)), KqlType.REAL)
        if kql_type is KqlType.DATETIME:
            return self.timestamp(value)
        if kql_type is KqlType.TIMESPAN:
            return self.interval(value)
        if kql_type is KqlType.DYNAMIC:
            return self.json_literal(dynamic_json(value))
        raise ValueError(f"no literal for type {kql_type}")

    def timestamp(self, value: datetime) -> exp.Expression:
        return exp.cast(string(value.strftime("%Y-%m-%d %H:%M:%S.%f")), self.sql_type(KqlType.DATETIME))

    def interval(self, value: timedelta) -> exp.Expression:
        return exp.Interval(this=string(str(micros_of(value))), unit=exp.var("MICROSECOND"))

    def json_literal(self, text: str) -> exp.Expression:
        return exp.cast(string(text), self.sql_type(KqlType.DYNAMIC))

    # -- arithmetic --------------------------------------------------------------------------
    def real_divide(self, left: exp.Expression, right: exp.Expression) -> exp.Expression:
        """`left / right` on reals, IEEE style: a zero divisor gives an infinity or NaN."""
        return exp.Div(this=left, expression=right)

    def real_remainder(self, left: exp.Expression, right: exp.Expression) -> exp.Expression:
        """`left % right` on reals (the dividend's sign); a zero divisor gives NaN."""
        return exp.Mod(this=left, expression=right)

    # -- strings and regular expressions ---------------------------------------------------
    def regex_match(self, value: exp.Expression, pattern: exp.Expression) -> exp.Expression:
        """True when `pattern` (RE2/Java syntax) matches somewhere in `value`."""
        return exp.RegexpLike(this=value, expression=pattern)

    def regex_full_match(self, value: exp.Expression, pattern: str) -> exp.Expression:
        return self.regex_match(value, string(f"^(?:{pattern})\\z"))

    def regex_quote(self, value: exp.Expression) -> exp.Expression:
        """A runtime string made into a regular expression that matches it literally."""
        body = fn("replace", value, string("\\E"), string("\\E\\\\E\\Q"))
        return exp.Concat(expressions=[string("\\Q"), body, string("\\E")], safe=True, coalesce=False)

    def contains_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return exp.GT(this=exp.StrPosition(this=value, substr=needle), expression=number(0))

    def starts_with_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return exp.StartsWith(this=value, expression=needle)

    def ends_with_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return fn("ends_with", value, needle)

    def regex_replace_all(self, value: exp.Expression, pattern: exp.Expression,
                          replacement: exp.Expression) -> exp.Expression:
        return exp.RegexpReplace(this=value, expression=pattern, replacement=replacement)

    def regex_extract(self, value: exp.Expression, pattern: exp.Expression, group: int) -> exp.Expression:
        return exp.RegexpExtract(this=value, expression=pattern, group=number(group))

    def regex_groups(self, value: exp.Expression, pattern: str) -> exp.Expression:
        """Every group of `pattern` matched once against the whole of `value`: a list of strings
        ('' for a group that took no part), NULL when the pattern does not match. No group may be
        able to hold U+0002 (Spark separates the groups with it)."""
        raise NotImplementedError

    def regex_extract_all(self, value: exp.Expression, pattern: exp.Expression, group: int) -> exp.Expression:
        """A list of strings: group `group` of every match."""
        return fn("regexp_extract_all", value, pattern, number(group))

    def split(self, value: exp.Expression, delimiter: exp.Expression) -> exp.Expression:
        """A list of strings."""
        return exp.Split(this=value, expression=delimiter)

    def sha256(self, value: exp.Expression) -> exp.Expression:
        return exp.SHA2(this=value, length=number(256))

    def lower(self, value: exp.Expression) -> exp.Expression:
        """`tolower()`: each character lower-cased on its own (Unicode's simple mapping)."""
        return exp.Lower(this=value)

    def upper(self, value: exp.Expression) -> exp.Expression:
        """`toupper()`: each character upper-cased on its own (Unicode's simple mapping)."""
        return exp.Upper(this=value)

    # -- lists -------------------------------------------------------------------------------
    def list_get(self, values: exp.Expression, index_1based: exp.Expression) -> exp.Expression:
        """Element `index` (1-based; negative counts from the end; NULL when out of range)."""
        return fn("element_at", values, index_1based)

    def list_length(self, values: exp.Expression) -> exp.Expression:
        return exp.ArraySize(this=values)

    def list_slice(self, values: exp.Expression, limit: exp.Expression) -> exp.Expression:
        return fn("slice", values, number(1), limit)

    def list_sort(self, values: exp.Expression) -> exp.Expression:
        """The list in ascending order."""
        return exp.ArraySort(this=values)

    def list_contains(self, values: exp.Expression, item: exp.Expression) -> exp.Expression:
        return exp.ArrayContains(this=values, expression=item)

    def list_of(self, items: list[exp.Expression]) -> exp.Expression:
        return exp.Array(expressions=items)

    def list_transform(self, values: exp.Expression, var: str, body: exp.Expression) -> exp.Expression:
        return exp.Transform(this=values, expression=exp.Lambda(this=body, expressions=[exp.to_identifier(var)]))

    def let(self, value: exp.Expression, name: str, body: exp.Expression) -> exp.Expression:
        """`body` with `name` bound to `value`, computed once (a lambda is SQL's only binding in an
        expression). `value` is outside the lambda: its own names are not shadowed."""
        return self.list_get(self.list_transform(self.list_of([value]), name, body), number(1))

    def unnest(self, values: exp.Expression) -> exp.Expression:
        """A projection giving one row per element of a list (alone in its SELECT)."""
        return exp.Unnest(expressions=[values])

    # -- dynamic values ----------------------------------------------------------------------
    def json_parse(self, text: exp.Expression) -> exp.Expression:
        """`parse_json(string)`: the JSON value, or the string itself as a dynamic string."""
        raise NotImplementedError

    def json_text(self, value: exp.Expression) -> exp.Expression:
        """What `tostring(dynamic)` shows: a string's own text, other values' JSON; NULL for null."""
        raise NotImplementedError

    def json_text_for_terms(self, value: exp.Expression) -> exp.Expression:
        """The text `has` searches in a dynamic value: like `json_text`, but it may keep the stored
        JSON's own spacing, which does not change its terms."""
        return self.json_text(value)

    def json_path(self, value: exp.Expression, steps: list[str | int]) -> exp.Expression:
        """`value.a.b[0]`: the JSON at a path (property names and array indexes, negative from the end)."""
        raise NotImplementedError

    def json_path_runtime(self, value: exp.Expression, key: exp.Expression, by_name: bool) -> exp.Expression | None:
        """`value[key]` for a key known only per row (a property name, or an index, negative from
        the end). None: not offered."""
        return None

    def json_path_of_text(self, text: exp.Expression, steps: list[str | int]
                          ) -> tuple[exp.Expression, exp.Expression] | None:
        """`parse_json(text).path` read directly from JSON text: (the dynamic value, its tostring
        text), both NULL when the text is not JSON or has nothing there. None: not offered."""
        return None

    def json_type(self, value: exp.Expression) -> exp.Expression:
        """'ARRAY', 'OBJECT', 'VARCHAR', 'BIGINT', 'DOUBLE', 'BOOLEAN' or 'NULL' (SQL NULL stays NULL)."""
        raise NotImplementedError

    def json_is_null(self, value: exp.Expression) -> exp.Expression:
        return exp.or_(exp.Is(this=value, expression=exp.null()),
                       exp.EQ(this=self.json_type(value), expression=string("NULL")))

    def json_array_length(self, value: exp.Expression) -> exp.Expression:
        return fn("json_array_length", value)

    def json_elements(self, value: exp.Expression) -> exp.Expression:
        """A list of the JSON elements of an array."""
        raise NotImplementedError

    def json_element_texts(self, value: exp.Expression) -> exp.Expression:
        """A list of `tostring()` of each element of an array."""
        raise NotImplementedError

    def json_bag_entries(self, value: exp.Expression, as_pairs: bool) -> exp.Expression:
        """A property bag as a list: one-entry bags (`mv-expand`'s default) or `[key, value]` pairs."""
        raise NotImplementedError

    def json_keys(self, value: exp.Expression) -> exp.Expression:
        return fn("json_object_keys", value)

    def list_to_json(self, values: exp.Expression, element_type: KqlType | None = None) -> exp.Expression:
        """A SQL list of strings, numbers or booleans (of `element_type`, when known) as a dynamic array."""
        return fn("to_json", values)

    def json_list_to_json(self, values: exp.Expression) -> exp.Expression:
        """A SQL list of dynamic values as one dynamic array."""
        return self.list_to_json(values)

    def to_json(self, value: exp.Expression, kql_type: KqlType | None = None) -> exp.Expression:
        """A scalar (string, number, bool; of `kql_type`, when known) as a dynamic value.

        A real is written with the shortest digits that read back as the same number, positional
        from 1e-6 to below 1e21 (`15000000000.0`, `0.00001`), else as `1e21`, `1.5e-7`.
        """
        return fn("to_json", value)

    def real_text(self, value: exp.Expression) -> exp.Expression:
        """A finite real as text: the shortest digits that read back as the same number, positional
        from 1e-4 to below 1e16 (`12345678.9`, `0.0001`), else as `1e+16`, `1.5e-05`."""
        return exp.cast(value, self.sql_type(KqlType.STRING))

    def json_array(self, items: list[exp.Expression]) -> exp.Expression:
        """`pack_array(...)`: items that are already dynamic, as one array."""
        raise NotImplementedError

    def json_object(self, pairs: list[tuple[exp.Expression, exp.Expression]]) -> exp.Expression:
        """`bag_pack(k, v, ...)`: keys are strings, values already dynamic."""
        raise NotImplementedError

    def json_flatten_set(self, values: exp.Expression, limit: exp.Expression | None) -> exp.Expression:
        """The distinct elements of a list of dynamic values, arrays spread out, as a dynamic array."""
        raise NotImplementedError

    # -- datetimes ---------------------------------------------------------------------------
    def epoch_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("unix_micros", value)

    def from_epoch_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("timestamp_micros", value)

    def interval_micros(self, value: exp.Expression) -> exp.Expression:
        raise NotImplementedError

    def micros_interval(self, value: exp.Expression) -> exp.Expression:
        raise NotImplementedError

    def date_trunc(self, unit: str, value: exp.Expression) -> exp.Expression:
        return exp.TimestampTrunc(this=value, unit=exp.var(unit))

    def add_months(self, value: exp.Expression, months: exp.Expression) -> exp.Expression:
        return exp.DateAdd(this=value, expression=months, unit=exp.var("MONTH"))

    def datetime_text(self, value: exp.Expression) -> exp.Expression:
        """`2026-11-25T12:00:00.0000000Z`: Kusto's text form of a datetime (7 fractional digits)."""
        raise NotImplementedError

    def make_timestamp(self, year: exp.Expression, month: exp.Expression, day: exp.Expression,
                       hour: exp.Expression, minute: exp.Expression, second: exp.Expression) -> exp.Expression:
        """A datetime from its parts (UTC), NULL when they name no date (February 30)."""
        return fn("make_timestamp", year, month, day, hour, minute, second)

    # -- aggregates --------------------------------------------------------------------------
    def agg_list(self, value: exp.Expression, distinct: bool) -> exp.Expression:
        """A list of the non-null values of a group (distinct ones when asked)."""
        raise NotImplementedError

    def agg_percentile(self, value: exp.Expression, fraction: float) -> exp.Expression:
        """The nearest-rank percentile (an actual value of the group)."""
        return fn("quantile_disc", value, number(fraction))

    def agg_arg(self, which: str, value: exp.Expression, key: exp.Expression) -> exp.Expression:
        """`value` from the row where `key` is largest ('max') or smallest ('min')."""
        cls = exp.ArgMax if which == "max" else exp.ArgMin
        return cls(this=value, expression=key)

    def row_number(self, partition_by: list[exp.Expression]) -> exp.Expression:
        """`row_number()` numbering the rows of each partition in any order."""
        return exp.Window(this=exp.RowNumber(), partition_by=partition_by)

    def struct(self, fields: list[tuple[str, exp.Expression]]) -> exp.Expression:
        return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(k, quoted=True), expression=v)
                                       for k, v in fields])

    def struct_field(self, value: exp.Expression, name: str) -> exp.Expression:
        return exp.Dot(this=value, expression=exp.to_identifier(name, quoted=True))

    # -- tabular -----------------------------------------------------------------------------
    def range_rows(self, start: exp.Expression, stop: exp.Expression, step: exp.Expression,
                   column: str) -> exp.Select:
        """`range x from a to b step s`: one row per value, both ends included."""
        raise NotImplementedError

    def mv_expand(self, source: exp.Expression, keep: list[exp.Expression],
                  lists: list[tuple[str, exp.Expression]], index_column: str | None) -> exp.Select:
        """Rows of `source`, one per position of the lists expanded in parallel (shorter lists give
        NULL). `keep` are the projections of the unexpanded columns; each list becomes a column
        of its elements; `index_column` numbers the positions from 0."""
        raise NotImplementedError
