"""DuckDB: dynamic values are DuckDB `JSON`; lists, regular expressions and epoch arithmetic use
DuckDB's own functions."""

from __future__ import annotations

import re

from sqlglot import exp

from revertguard.kql.dialects.base import Dialect, fn, number, string
from revertguard.tables import KqlType


def _json_path(steps: list[str | int]) -> str:
    """A DuckDB JSONPath: `$."key"[0][#-1]` (keys always quoted, so any key text is safe; the
    empty key is the one a JSONPath cannot name, see `json_path`)."""
    parts = ["$"]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]" if step >= 0 else f"[#{step}]")
        else:
            parts.append('."' + step.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "".join(parts)


class DuckDBDialect(Dialect):
    name = "duckdb"
    materialized_ctes = True

    def regex_full_match(self, value: exp.Expression, pattern: str) -> exp.Expression:
        return fn("regexp_full_match", value, string(pattern))

    def regex_quote(self, value: exp.Expression) -> exp.Expression:
        return fn("regexp_escape", value)

    def regex_groups(self, value: exp.Expression, pattern: str) -> exp.Expression:
        count = re.compile(pattern).groups
        # regexp_extract gives every group of one match as a struct, each '' when there is no
        # match: the text gets a U+0001 in front, which group `matched` holds only on a match.
        names = ["matched", *(f"g{i}" for i in range(1, count + 1))]
        marked = exp.Concat(expressions=[fn("chr", number(1)), value], safe=True, coalesce=False)
        found = fn("regexp_extract", marked, string(f"^(\\x01)(?:{pattern})\\z"),
                   self.list_of([string(name) for name in names]))
        groups = exp.column("_rg_groups")
        matched = exp.EQ(this=self.struct_field(groups, "matched"), expression=fn("chr", number(1)))
        return self.let(found, "_rg_groups", exp.Case(ifs=[
            exp.If(this=matched, true=self.list_of([self.struct_field(groups.copy(), name) for name in names[1:]]))]))

    def contains_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return fn("contains", value, needle)

    def regex_replace_all(self, value: exp.Expression, pattern: exp.Expression,
                          replacement: exp.Expression) -> exp.Expression:
        return fn("regexp_replace", value, pattern, replacement, string("g"))

    def split(self, value: exp.Expression, delimiter: exp.Expression) -> exp.Expression:
        return fn("string_split", value, delimiter)

    def list_get(self, values: exp.Expression, index_1based: exp.Expression) -> exp.Expression:
        return fn("list_extract", values, index_1based)

    def list_length(self, values: exp.Expression) -> exp.Expression:
        return fn("len", values)

    def list_slice(self, values: exp.Expression, limit: exp.Expression) -> exp.Expression:
        return fn("list_slice", values, number(1), limit)

    def list_contains(self, values: exp.Expression, item: exp.Expression) -> exp.Expression:
        return fn("list_contains", values, item)

    # -- dynamic: DuckDB JSON ------------------------------------------------------------------
    def json_parse(self, text: exp.Expression) -> exp.Expression:
        # Valid JSON parses; anything else becomes a dynamic string; empty text is null.
        parsed = exp.Coalesce(this=self.try_cast(text, KqlType.DYNAMIC), expressions=[fn("to_json", text)])
        empty = exp.EQ(this=exp.Trim(this=text), expression=string(""))
        return exp.Case(ifs=[exp.If(this=empty, true=self.null(KqlType.DYNAMIC))], default=parsed)

    def json_text(self, value: exp.Expression) -> exp.Expression:
        return exp.JSONExtractScalar(this=value, expression=string("$"))

    def json_text_for_terms(self, value: exp.Expression) -> exp.Expression:
        # The stored JSON text as it is (ingest stores compact JSON), which costs nothing, where
        # `->> '$'` parses and re-writes every value; only a JSON string needs unquoting.
        raw = exp.cast(value, exp.DataType.build("VARCHAR"))
        is_string = fn("starts_with", raw.copy(), string('"'))
        return exp.Case(ifs=[exp.If(this=is_string, true=self.json_text(value.copy()))], default=raw)

    def json_path(self, value: exp.Expression, steps: list[str | int]) -> exp.Expression:
        # No JSONPath names the empty key, and the JSON Pointer "/" does (only in an object): such
        # a key is a step of its own between JSONPaths.
        run: list[str | int] = []
        for step in steps:
            if step == "":
                if run:
                    value, run = fn("json_extract", value, string(_json_path(run))), []
                value = fn("json_extract", value, string("/"))
            else:
                run.append(step)
        return fn("json_extract", value, string(_json_path(run))) if run else value

    def json_path_runtime(self, value: exp.Expression, key: exp.Expression, by_name: bool) -> exp.Expression | None:
        text = exp.cast(key, exp.DataType.build("VARCHAR"))
        if by_name:
            quoted = fn("replace", fn("replace", text, string("\\"), string("\\\\")), string('"'), string('\\"'))
            named = exp.Concat(expressions=[string('$."'), quoted, string('"')], safe=True, coalesce=False)
            # A JSONPath cannot name the empty key; the JSON Pointer "/" does.
            path = exp.Case(ifs=[exp.If(this=exp.EQ(this=text.copy(), expression=string("")), true=string("/"))],
                            default=named)
        else:
            negative = exp.LT(this=key.copy(), expression=number(0))
            position = exp.Case(ifs=[exp.If(this=negative, true=exp.Concat(
                expressions=[string("#"), text.copy()], safe=True, coalesce=False))], default=text.copy())
            path = exp.Concat(expressions=[string("$["), position, string("]")], safe=True, coalesce=False)
        return fn("json_extract", value, path)

    def json_path_of_text(self, text: exp.Expression, steps: list[str | int]
                          ) -> tuple[exp.Expression, exp.Expression] | None:
        # TRY() turns "not JSON" into NULL, which is what the path of a parsed non-JSON string is.
        if "" in steps:  # a chain of paths (json_path): read through parse_json instead
            return None
        path = string(_json_path(steps))
        return (exp.Anonymous(this="TRY", expressions=[fn("json_extract", text, path)]),
                exp.Anonymous(this="TRY", expressions=[fn("json_extract_string", text.copy(), path.copy())]))

    def json_type(self, value: exp.Expression) -> exp.Expression:
        return fn("json_type", value)

    def json_elements(self, value: exp.Expression) -> exp.Expression:
        return exp.TryCast(this=value, to=exp.DataType.build("JSON[]", dialect="duckdb"), safe=True)

    def json_element_texts(self, value: exp.Expression) -> exp.Expression:
        element = exp.column("_rg_e")
        return self.list_transform(self.json_elements(value), "_rg_e", self.json_text(element))

    def json_bag_entries(self, value: exp.Expression, as_pairs: bool) -> exp.Expression:
        as_map = exp.TryCast(this=value, to=exp.DataType.build("MAP(VARCHAR, JSON)", dialect="duckdb"), safe=True)
        entry = exp.column("_rg_e")
        key, val = fn("struct_extract", entry, string("key")), fn("struct_extract", entry, string("value"))
        body = fn("json_array", key, val) if as_pairs else fn("json_object", key, val)
        return self.list_transform(fn("map_entries", as_map), "_rg_e", body)

    def json_keys(self, value: exp.Expression) -> exp.Expression:
        return fn("json_keys", value)

    def json_array(self, items: list[exp.Expression]) -> exp.Expression:
        return fn("json_array", *items)

    def json_object(self, pairs: list[tuple[exp.Expression, exp.Expression]]) -> exp.Expression:
        return fn("json_object", *[part for pair in pairs for part in pair])

    def json_flatten_set(self, values: exp.Expression, limit: exp.Expression | None) -> exp.Expression:
        element = exp.column("_rg_e")
        spread = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=self.json_type(element), expression=string("ARRAY")),
                        true=self.json_elements(element))],
            default=exp.Array(expressions=[element]),
        )
        distinct = self.list_sort(fn("list_distinct", fn("flatten", self.list_transform(values, "_rg_e", spread))))
        if limit is not None:
            distinct = self.list_slice(distinct, limit)
        return self.json_list_to_json(distinct)

    # -- datetimes -----------------------------------------------------------------------------
    def epoch_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("epoch_us", value)

    def from_epoch_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("make_timestamp", value)

    def interval_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("epoch_us", value)

    def micros_interval(self, value: exp.Expression) -> exp.Expression:
        return fn("to_microseconds", exp.cast(value, exp.DataType.build("BIGINT")))

    def datetime_text(self, value: exp.Expression) -> exp.Expression:
        return exp.Concat(expressions=[fn("strftime", value, string("%Y-%m-%dT%H:%M:%S.%f")), string("0Z")],
                          safe=True, coalesce=False)

    def make_timestamp(self, year: exp.Expression, month: exp.Expression, day: exp.Expression,
                       hour: exp.Expression, minute: exp.Expression, second: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="TRY", expressions=[fn("make_timestamp", year, month, day, hour, minute, second)])

    # -- aggregates ----------------------------------------------------------------------------
    def agg_list(self, value: exp.Expression, distinct: bool) -> exp.Expression:
        arg = exp.Distinct(expressions=[value]) if distinct else value
        return exp.Filter(this=fn("list", arg),
                          expression=exp.Where(this=exp.Not(this=exp.Is(this=value, expression=exp.null()))))

    def struct_field(self, value: exp.Expression, name: str) -> exp.Expression:
        return fn("struct_extract", value, string(name))

    # -- tabular -------------------------------------------------------------------------------
    def range_rows(self, start: exp.Expression, stop: exp.Expression, step: exp.Expression,
                   column: str) -> exp.Select:
        series = exp.Unnest(expressions=[fn("generate_series", start, stop, step)])
        return exp.select(exp.alias_(series, column, quoted=True))

    def mv_expand(self, source: exp.Expression, keep: list[exp.Expression],
                  lists: list[tuple[str, exp.Expression]], index_column: str | None) -> exp.Select:
        # DuckDB expands several UNNESTs in one SELECT in parallel, padding shorter lists with NULL.
        projections = list(keep)
        projections += [exp.alias_(exp.Unnest(expressions=[values]), name, quoted=True) for name, values in lists]
        if index_column is not None:
            longest = lists[0][1] if len(lists) == 1 else exp.Greatest(
                this=fn("len", lists[0][1]), expressions=[fn("len", v) for _, v in lists[1:]])
            length = fn("len", longest) if len(lists) == 1 else longest
            positions = fn("range", number(0), exp.Coalesce(this=length, expressions=[number(0)]))
            projections.append(exp.alias_(exp.Unnest(expressions=[positions]), index_column, quoted=True))
        return exp.select(*projections).from_(source)
