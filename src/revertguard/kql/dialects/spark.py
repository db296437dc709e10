"""Spark SQL (4.x): dynamic values are `VARIANT`; functions are Spark's spellings.

The Spark target is emitted and checked to parse; running it on a Spark cluster (and the
session settings it needs: `spark.sql.session.timeZone=UTC`) is future work, so every
Spark-only construction lives here.
"""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from revertguard.kql.dialects.base import Dialect, fn, number, string
from revertguard.tables import KqlType


def _variant_path(steps: list[str | int]) -> str:
    parts = ["$"]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append("['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(parts)


class SparkDialect(Dialect):
    name = "spark"

    TYPES: ClassVar[dict[KqlType, str]] = {
        **Dialect.TYPES,
        KqlType.STRING: "STRING",
        KqlType.GUID: "STRING",
        KqlType.TIMESPAN: "INTERVAL DAY TO SECOND",
        KqlType.DYNAMIC: "VARIANT",
    }

    def json_literal(self, text: str) -> exp.Expression:
        return fn("parse_json", string(text))

    def ends_with_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return fn("endswith", value, needle)

    def regex_replace_all(self, value: exp.Expression, pattern: exp.Expression,
                          replacement: exp.Expression) -> exp.Expression:
        # Java writes group references as $1; KQL (like RE2) as \1.
        if isinstance(replacement, exp.Literal) and replacement.is_string:
            replacement = string(_dollar_groups(replacement.this))
        return fn("regexp_replace", value, pattern, replacement)

    def list_get(self, values: exp.Expression, index_1based: exp.Expression) -> exp.Expression:
        return fn("try_element_at", values, index_1based)

    def list_slice(self, values: exp.Expression, limit: exp.Expression) -> exp.Expression:
        return fn("slice", values, number(1), limit)

    # -- dynamic: Spark VARIANT ----------------------------------------------------------------
    def json_parse(self, text: exp.Expression) -> exp.Expression:
        as_string = fn("parse_json", fn("to_json", fn("array", text)))
        parsed = exp.Coalesce(this=fn("try_parse_json", text),
                              expressions=[fn("variant_get", as_string, string("$[0]"))])
        empty = exp.EQ(this=exp.Trim(this=text), expression=string(""))
        return exp.Case(ifs=[exp.If(this=empty, true=self.null(KqlType.DYNAMIC))], default=parsed)

    def json_text(self, value: exp.Expression) -> exp.Expression:
        is_string = exp.EQ(this=fn("schema_of_variant", value), expression=string("STRING"))
        return exp.Case(ifs=[exp.If(this=is_string, true=fn("variant_get", value, string("$"), string("string")))],
                        default=fn("to_json", value))

    def json_path(self, value: exp.Expression, steps: list[str | int]) -> exp.Expression:
        if all(not isinstance(s, int) or s >= 0 for s in steps):
            return fn("try_variant_get", value, string(_variant_path(steps)))
        # Negative indexes count from the end: resolve them one step at a time.
        current = value
        for step in steps:
            if isinstance(step, int) and step < 0:
                elements = fn("try_variant_get", current, string("$"), string("array<variant>"))
                current = fn("try_element_at", elements, number(step))
            else:
                current = fn("try_variant_get", current, string(_variant_path([step])))
        return current

    def json_type(self, value: exp.Expression) -> exp.Expression:
        schema = fn("schema_of_variant", value)
        kinds = [("ARRAY%", "ARRAY"), ("OBJECT%", "OBJECT"), ("STRING", "VARCHAR"), ("BIGINT", "BIGINT"),
                 ("DOUBLE", "DOUBLE"), ("DECIMAL%", "DOUBLE"), ("BOOLEAN", "BOOLEAN"), ("VOID", "NULL")]
        return exp.Case(ifs=[exp.If(this=exp.Like(this=schema, expression=string(p)), true=string(k))
                             for p, k in kinds])

    def json_array_length(self, value: exp.Expression) -> exp.Expression:
        return fn("json_array_length", fn("to_json", value))

    def json_elements(self, value: exp.Expression) -> exp.Expression:
        return fn("try_variant_get", value, string("$"), string("array<variant>"))

    def json_element_texts(self, value: exp.Expression) -> exp.Expression:
        return self.list_transform(self.json_elements(value), "_rg_e", self.json_text(exp.column("_rg_e")))

    def json_bag_entries(self, value: exp.Expression, as_pairs: bool) -> exp.Expression:
        as_map = fn("try_variant_get", value, string("$"), string("map<string, variant>"))
        entry = exp.column("_rg_e")
        key, val = exp.Dot(this=entry, expression=exp.to_identifier("key")), \
            exp.Dot(this=entry, expression=exp.to_identifier("value"))
        body = fn("to_variant_object", fn("array", fn("to_variant_object", key), val)) if as_pairs else \
            fn("to_variant_object", fn("map", key, val))
        return self.list_transform(fn("map_entries", as_map), "_rg_e", body)

    def list_to_json(self, values: exp.Expression) -> exp.Expression:
        return fn("to_variant_object", values)

    def to_json(self, value: exp.Expression) -> exp.Expression:
        return exp.cast(value, self.sql_type(KqlType.DYNAMIC))

    def json_array(self, items: list[exp.Expression]) -> exp.Expression:
        return fn("to_variant_object", fn("array", *items))

    def json_object(self, pairs: list[tuple[exp.Expression, exp.Expression]]) -> exp.Expression:
        return fn("to_variant_object", fn("map", *[part for pair in pairs for part in pair]))

    def json_flatten_set(self, values: exp.Expression, limit: exp.Expression | None) -> exp.Expression:
        element = exp.column("_rg_e")
        spread = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=self.json_type(element), expression=string("ARRAY")),
                        true=self.json_elements(element))],
            default=fn("array", element),
        )
        distinct = fn("array_distinct", fn("flatten", self.list_transform(values, "_rg_e", spread)))
        if limit is not None:
            distinct = self.list_slice(distinct, limit)
        return self.list_to_json(distinct)

    # -- datetimes -----------------------------------------------------------------------------
    def interval_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("unix_micros", exp.Add(this=self.timestamp_epoch(), expression=value))

    def micros_interval(self, value: exp.Expression) -> exp.Expression:
        return fn("make_dt_interval", number(0), number(0), number(0),
                  exp.Div(this=value, expression=number(1_000_000.0)))

    def timestamp_epoch(self) -> exp.Expression:
        return exp.cast(string("1970-01-01 00:00:00"), exp.DataType.build("TIMESTAMP"))

    def datetime_text(self, value: exp.Expression) -> exp.Expression:
        return exp.Concat(expressions=[fn("date_format", value, string("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")),
                                       string("0Z")], safe=True, coalesce=False)

    def parse_datetime(self, text: exp.Expression) -> exp.Expression:
        return fn("try_to_timestamp", text)

    # -- aggregates ----------------------------------------------------------------------------
    def agg_percentile(self, value: exp.Expression, fraction: float) -> exp.Expression:
        return fn("percentile", value, number(fraction))

    def agg_list(self, value: exp.Expression, distinct: bool) -> exp.Expression:
        return fn("collect_set", value) if distinct else fn("collect_list", value)

    # -- tabular -------------------------------------------------------------------------------
    def range_rows(self, start: exp.Expression, stop: exp.Expression, step: exp.Expression,
                   column: str) -> exp.Select:
        return exp.select(exp.alias_(fn("explode", fn("sequence", start, stop, step)), column, quoted=True))

    def mv_expand(self, source: exp.Expression, keep: list[exp.Expression],
                  lists: list[tuple[str, exp.Expression]], index_column: str | None) -> exp.Select:
        # arrays_zip pads shorter arrays with NULL; posexplode numbers the positions from 0.
        zipped = fn("arrays_zip", *[values for _, values in lists])
        pos_item = exp.Lateral(
            this=exp.Explode(this=zipped),
            view=True,
            alias=exp.TableAlias(this=exp.to_identifier("_rg_x"), columns=[exp.to_identifier("_rg_item")]),
        )
        projections = list(keep)
        for i, (name, _) in enumerate(lists):
            field = exp.Dot(this=exp.column("_rg_item", table="_rg_x"), expression=exp.to_identifier(str(i)))
            projections.append(exp.alias_(field, name, quoted=True))
        if index_column is not None:
            projections.append(exp.alias_(exp.column("_rg_pos", table="_rg_x"), index_column, quoted=True))
            pos_item = exp.Lateral(
                this=fn("posexplode", zipped), view=True,
                alias=exp.TableAlias(this=exp.to_identifier("_rg_x"),
                                     columns=[exp.to_identifier("_rg_pos"), exp.to_identifier("_rg_item")]),
            )
        select = exp.select(*projections).from_(source)
        select.append("laterals", pos_item)
        return select


def _dollar_groups(replacement: str) -> str:
    out, i = [], 0
    while i < len(replacement):
        if replacement[i] == "\\" and i + 1 < len(replacement) and replacement[i + 1].isdigit():
            out.append("$" + replacement[i + 1])
            i += 2
        else:
            out.append("\\$" if replacement[i] == "$" else replacement[i])
            i += 1
    return "".join(out)
