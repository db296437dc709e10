"""Spark SQL (4.x). Dynamic values are JSON text in STRING columns, as DuckDB's JSON type is.

Why text and not Spark's VARIANT: a VARIANT keeps an object's properties sorted by name, so
`tostring()` of a bag, `bag_pack()` and `mv-expand` of a bag would list properties in another
order than DuckDB (and the stored data) has them. Text keeps every value byte for byte, and it
is what the Parquet files hold, so reading a table costs nothing.

Spark's functions on JSON text come in two families, and each construction below uses the one
that gives DuckDB's answer:
* `get_json_object` / `from_json(..., 'array<string>')` / `json_object_keys` read the text with
  Jackson: property order kept, numbers and spacing normalised as DuckDB normalises them, but a
  string comes back unquoted (so `"1"` and `1` look alike);
* `try_parse_json` makes a VARIANT, whose `schema_of_variant` tells the kind of a value and
  whose `to_json` quotes strings (but sorts an object's properties).
So a sub-value is taken from the variant when it is a scalar and from the text when it is an
object or array. The session's time zone must be UTC (`SparkEngine` pins it).
"""

from __future__ import annotations

import re
from typing import ClassVar

from sqlglot import exp

from revertguard.kql import semantics
from revertguard.kql.dialects.base import Dialect, fn, number, string
from revertguard.tables import KqlType

_PARKING = 0x10FF00  # the last private-use code points (plane 16), for `upper`

# Keys get_json_object's `['...']` path syntax reads back exactly. It has no escapes (a key may
# not hold a quote), skips spaces and reads `*` as a wildcard, so other keys are looked up in
# their object read as a map (`_property_text`).
_PATH_KEY = re.compile(r"[\w.\-@$:/#]+")


def _plain_step(step: str | int) -> bool:
    """Whether a VARIANT path can write this step (it has no escapes for quotes or backslashes)."""
    return step >= 0 if isinstance(step, int) else not any(ch in step for ch in "'\"\\")


def _variant_path(steps: list[str | int]) -> str:
    """A VARIANT path (`try_variant_get`) of plain steps: keys in brackets."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f"['{step}']" for step in steps)


def _is_container(kind: exp.Expression) -> exp.Expression:
    """Whether a `schema_of_variant` result names an object or an array."""
    return exp.or_(exp.Like(this=kind, expression=string("OBJECT%")),
                   exp.Like(this=kind.copy(), expression=string("ARRAY%")))


def _concat(*parts: exp.Expression) -> exp.Expression:
    return exp.Concat(expressions=list(parts), safe=True, coalesce=False)


def _property_text(document: exp.Expression, key: exp.Expression) -> exp.Expression:
    """What get_json_object reads at `$['key']` (a string unquoted, objects and arrays as compact
    text in their order), for any key text: the object is read as a map of JSON texts."""
    return fn("try_element_at", fn("from_json", document, string("map<string, string>")), key)


def _json_or_null(text: exp.Expression) -> exp.Expression:
    """A dynamic value's text inside a larger JSON text (SQL NULL is JSON null)."""
    return exp.Coalesce(this=text, expressions=[string("null")])


class SparkDialect(Dialect):
    name = "spark"

    TYPES: ClassVar[dict[KqlType, str]] = {
        **Dialect.TYPES,
        KqlType.STRING: "STRING",
        KqlType.GUID: "STRING",
        KqlType.TIMESPAN: "INTERVAL DAY TO SECOND",
        KqlType.DYNAMIC: "STRING",  # JSON text
    }

    def json_literal(self, text: str) -> exp.Expression:
        return string(text)

    # -- arithmetic --------------------------------------------------------------------------
    def real_divide(self, left: exp.Expression, right: exp.Expression) -> exp.Expression:
        # Spark refuses to divide by zero; x * 0^-1 is IEEE's answer (an infinity, or NaN for 0/0).
        by_zero = exp.Mul(this=left.copy(), expression=exp.Pow(this=right.copy(), expression=number(-1)))
        return exp.Case(ifs=[exp.If(this=exp.EQ(this=right, expression=number(0)), true=by_zero)],
                        default=exp.Div(this=left.copy(), expression=right.copy()))

    def real_remainder(self, left: exp.Expression, right: exp.Expression) -> exp.Expression:
        nan = exp.Mul(this=left.copy(), expression=exp.cast(string("NaN"), exp.DataType.build("DOUBLE")))
        return exp.Case(ifs=[exp.If(this=exp.EQ(this=right, expression=number(0)), true=nan)],
                        default=exp.Mod(this=left.copy(), expression=right.copy()))

    # -- strings and regular expressions ---------------------------------------------------
    def contains_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return fn("contains", value, needle)

    def ends_with_cs(self, value: exp.Expression, needle: exp.Expression) -> exp.Expression:
        return fn("endswith", value, needle)

    def regex_replace_all(self, value: exp.Expression, pattern: exp.Expression,
                          replacement: exp.Expression) -> exp.Expression:
        # Java writes group references as $1; KQL (like RE2) as \1.
        if isinstance(replacement, exp.Literal) and replacement.is_string:
            replacement = string(_dollar_groups(replacement.this))
        return fn("regexp_replace", value, pattern, replacement)

    def regex_groups(self, value: exp.Expression, pattern: str) -> exp.Expression:
        count = re.compile(pattern).groups
        # No Spark function gives every group of one match: one regexp_replace writes them all in
        # place of the text, each after a U+0002. The text gets a U+0001 in front, which the
        # pattern consumes: the first piece is empty exactly when the pattern matched.
        groups = [piece for i in range(1, count + 1) for piece in (fn("chr", number(2)), string(f"${i}"))]
        written = fn("regexp_replace", _concat(fn("chr", number(1)), value), string(f"^\\x01(?:{pattern})\\z"),
                     _concat(*groups))
        pieces = exp.column("_rg_groups")
        matched = exp.EQ(this=self.list_get(pieces, number(1)), expression=string(""))
        return self.let(fn("split", written, string("\\x02"), number(-1)), "_rg_groups", exp.Case(ifs=[
            exp.If(this=matched, true=fn("slice", pieces.copy(), number(2), number(count)))]))

    def split(self, value: exp.Expression, delimiter: exp.Expression) -> exp.Expression:
        # Spark's split() takes a regular expression; KQL's delimiter is plain text. An empty
        # delimiter splits between characters (without Java's empty string at the end).
        pattern = exp.Case(ifs=[exp.If(this=exp.EQ(this=delimiter, expression=string("")),
                                       true=string("(?!\\z)"))],
                           default=self.regex_quote(delimiter.copy()))
        return fn("split", value, pattern, number(-1))

    def lower(self, value: exp.Expression) -> exp.Expression:
        # Java applies the full mapping (İ to two characters, a final Σ to ς): map those two the
        # simple way first.
        for special, lowered in semantics.LOWER_SPECIALS.items():
            value = fn("replace", value, string(special), string(lowered))
        return exp.Lower(this=value)

    def upper(self, value: exp.Expression) -> exp.Expression:
        # Letters Java would upper-case to several characters are parked on private-use code
        # points upper() leaves alone, then replaced by their one-character upper case.
        specials = semantics.upper_specials()
        parked = "".join(chr(_PARKING + i) for i in range(len(specials)))
        hidden = fn("translate", value, string("".join(specials)), string(parked))
        return fn("translate", exp.Upper(this=hidden), string(parked), string("".join(specials.values())))

    # -- lists -------------------------------------------------------------------------------
    def list_get(self, values: exp.Expression, index_1based: exp.Expression) -> exp.Expression:
        return fn("try_element_at", values, exp.cast(index_1based, exp.DataType.build("INT")))

    def list_length(self, values: exp.Expression) -> exp.Expression:
        return fn("array_size", values)  # NULL for NULL (size() may say -1)

    def unnest(self, values: exp.Expression) -> exp.Expression:
        return exp.Explode(this=values)

    # -- dynamic: JSON text --------------------------------------------------------------------
    @staticmethod
    def _variant(text: exp.Expression) -> exp.Expression:
        return fn("try_parse_json", text)

    @staticmethod
    def _kind(variant: exp.Expression) -> exp.Expression:
        return fn("schema_of_variant", variant)

    @staticmethod
    def _scalar_json(value: exp.Expression) -> exp.Expression:
        """JSON text of a string, number or boolean (NULL stays NULL)."""
        text = fn("btrim", fn("to_json", fn("array", value)), string("[]"))
        return exp.Case(ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null())],
                        default=text)

    def _text_of(self, sub: exp.Expression, container_text: exp.Expression) -> exp.Expression:
        """The JSON text of `sub` (a VARIANT): objects and arrays as `container_text` reads them
        from the JSON text (properties in their order), scalars from the variant (quoted)."""
        return exp.Case(ifs=[exp.If(this=_is_container(self._kind(sub)), true=container_text)],
                        default=fn("to_json", sub.copy()))

    def _container_text(self, document: exp.Expression, steps: list[str | int]) -> exp.Expression:
        """The text of the object or array at `steps`: runs of steps a path can write go through
        get_json_object, other keys through `_property_text`. Only for an object or array: a
        string on the way would come back unquoted, and the next step would read it as JSON."""
        text = document
        run: list[str | int] = []  # steps not yet read
        for step in steps:
            if isinstance(step, str) and not _PATH_KEY.fullmatch(step):
                if run:
                    text, run = self._get_json_object(text, run), []
                text = _property_text(text, string(step))
            else:
                run.append(step)
        return self._get_json_object(text, run) if run else text

    def _get_json_object(self, document: exp.Expression, steps: list[str | int]) -> exp.Expression:
        path = self._json_path(document, steps)
        assert path is not None, steps
        return fn("get_json_object", document.copy(), path)

    def _json_path(self, document: exp.Expression, steps: list[str | int]) -> exp.Expression | None:
        """A `get_json_object` path to `steps` (negative indexes resolved per row), or None when a
        key cannot be written in its syntax (see `_PATH_KEY`)."""
        pieces: list[exp.Expression] = []
        constant = "$"
        for i, step in enumerate(steps):
            if isinstance(step, str):
                if not _PATH_KEY.fullmatch(step):
                    return None
                constant += f"['{step}']"
            elif step >= 0:
                constant += f"[{step}]"
            else:
                prefix = _concat(*pieces, string(constant)) if pieces else string(constant)
                length = fn("json_array_length", fn("get_json_object", document.copy(), prefix)) if i else \
                    fn("json_array_length", document.copy())
                position = exp.cast(exp.Add(this=length, expression=number(step)), exp.DataType.build("STRING"))
                pieces += [string(constant + "["), position]
                constant = "]"
        return _concat(*pieces, string(constant)) if pieces else string(constant)

    def _variant_at(self, variant: exp.Expression, steps: list[str | int]) -> exp.Expression:
        if all(_plain_step(s) for s in steps):
            return fn("try_variant_get", variant, string(_variant_path(steps)))
        current = variant  # one step at a time, for the steps a variant path cannot write
        for step in steps:
            if isinstance(step, int) and step < 0:  # counts from the end
                elements = fn("try_variant_get", current, string("$"), string("array<variant>"))
                current = fn("try_element_at", elements, number(step))
            elif not _plain_step(step):  # a key with quotes or backslashes: look it up in a map
                bag = fn("try_variant_get", current, string("$"), string("map<string, variant>"))
                current = fn("try_element_at", bag, string(str(step)))
            else:
                current = fn("try_variant_get", current, string(_variant_path([step])))
        return current

    def json_parse(self, text: exp.Expression) -> exp.Expression:
        # Valid JSON is kept as it is (DuckDB keeps it verbatim too); anything else becomes a
        # dynamic string; empty text is null.
        valid = exp.Not(this=exp.Is(this=self._variant(text), expression=exp.null()))
        empty = exp.EQ(this=exp.Trim(this=text.copy()), expression=string(""))
        return exp.Case(ifs=[exp.If(this=empty, true=self.null(KqlType.DYNAMIC)),
                             exp.If(this=valid, true=text.copy())],
                        default=self._scalar_json(text.copy()))

    def json_text(self, value: exp.Expression) -> exp.Expression:
        # get_json_object(v, '$') is DuckDB's `v ->> '$'` (a string unquoted, anything else
        # re-written compactly), except that JSON null comes back as 'null', not NULL.
        text = fn("get_json_object", value, string("$"))
        is_null = exp.and_(exp.EQ(this=text.copy(), expression=string("null")),
                           exp.Not(this=exp.StartsWith(this=fn("ltrim", value.copy()), expression=string('"'))))
        return exp.Case(ifs=[exp.If(this=is_null, true=exp.null())], default=text)

    def json_text_for_terms(self, value: exp.Expression) -> exp.Expression:
        is_string = exp.StartsWith(this=value, expression=string('"'))
        return exp.Case(ifs=[exp.If(this=is_string, true=self.json_text(value.copy()))], default=value.copy())

    def json_path(self, value: exp.Expression, steps: list[str | int]) -> exp.Expression:
        sub = self._variant_at(self._variant(value), steps)
        return self._text_of(sub, self._container_text(value.copy(), steps))

    def json_path_runtime(self, value: exp.Expression, key: exp.Expression, by_name: bool) -> exp.Expression | None:
        text = exp.cast(key, exp.DataType.build("STRING"))
        if by_name:
            bag = fn("try_variant_get", self._variant(value), string("$"), string("map<string, variant>"))
            sub = fn("try_element_at", bag, text)
            container_text = _property_text(value.copy(), text.copy())  # a path could not write every key
        else:
            elements = fn("try_variant_get", self._variant(value), string("$"), string("array<variant>"))
            negative = exp.LT(this=key.copy(), expression=number(0))
            position = exp.Case(ifs=[exp.If(this=negative, true=key.copy())],
                                default=exp.Add(this=key.copy(), expression=number(1)))
            sub = fn("try_element_at", elements, exp.cast(position, exp.DataType.build("INT")))
            offset = exp.Case(ifs=[exp.If(this=negative.copy(), true=exp.Add(
                this=fn("json_array_length", value.copy()), expression=key.copy()))], default=key.copy())
            path = _concat(string("$["), exp.cast(offset, exp.DataType.build("STRING")), string("]"))
            container_text = fn("get_json_object", value.copy(), path)
        return self._text_of(sub, container_text)

    def json_path_of_text(self, text: exp.Expression, steps: list[str | int]
                          ) -> tuple[exp.Expression, exp.Expression] | None:
        # Text that is not JSON has nothing at any path: try_parse_json and get_json_object both
        # give NULL for it.
        path = self._json_path(text, steps)
        value = self.json_path(text.copy(), steps)
        shown = fn("get_json_object", text.copy(), path) if path is not None else self.json_text(value.copy())
        return value, shown

    def json_type(self, value: exp.Expression) -> exp.Expression:
        kind = self._kind(self._variant(value))
        kinds = [("ARRAY%", "ARRAY"), ("OBJECT%", "OBJECT"), ("STRING", "VARCHAR"), ("BIGINT", "BIGINT"),
                 ("DOUBLE", "DOUBLE"), ("FLOAT", "DOUBLE"), ("DECIMAL%", "DOUBLE"), ("BOOLEAN", "BOOLEAN"),
                 ("VOID", "NULL")]
        return exp.Case(ifs=[exp.If(this=exp.Like(this=kind.copy(), expression=string(p)), true=string(k))
                             for p, k in kinds])

    def json_array_length(self, value: exp.Expression) -> exp.Expression:
        return fn("json_array_length", value)

    def json_elements(self, value: exp.Expression) -> exp.Expression:
        # Each element's JSON text: objects and arrays as from_json reads them (properties in their
        # order), scalars through the variant (strings quoted).
        raw = fn("from_json", value, string("array<string>"))
        variants = fn("try_variant_get", self._variant(value.copy()), string("$"), string("array<variant>"))
        element = exp.column("_rg_v")
        pick = exp.Case(ifs=[exp.If(this=_is_container(self._kind(element)), true=exp.column("_rg_t"))],
                        default=fn("to_json", element.copy()))
        return fn("zip_with", variants, raw,
                  exp.Lambda(this=pick, expressions=[exp.to_identifier("_rg_v"), exp.to_identifier("_rg_t")]))

    def json_element_texts(self, value: exp.Expression) -> exp.Expression:
        # from_json reads strings unquoted, null as NULL, the rest as compact JSON text: exactly
        # tostring() of each element (and, having no lambda, it also reads a toscalar() subquery).
        is_array = exp.Not(this=exp.Is(this=fn("json_array_length", value), expression=exp.null()))
        return exp.Case(ifs=[exp.If(this=is_array, true=fn("from_json", value.copy(), string("array<string>")))])

    def json_bag_entries(self, value: exp.Expression, as_pairs: bool) -> exp.Expression:
        # The bag is read as two maps once, and each key looked up in them, as json_path_runtime
        # does for one key (it would read the whole bag again for every key).
        bag, key = exp.column("_rg_bag"), exp.column("_rg_k")
        maps = self.struct([
            ("values", fn("try_variant_get", self._variant(value), string("$"), string("map<string, variant>"))),
            ("texts", fn("from_json", value.copy(), string("map<string, string>")))])
        val = self._text_of(fn("try_element_at", self.struct_field(bag, "values"), key),
                            fn("try_element_at", self.struct_field(bag.copy(), "texts"), key.copy()))
        name = self._scalar_json(key.copy())
        body = _concat(string("["), name, string(","), _json_or_null(val), string("]")) if as_pairs else \
            _concat(string("{"), name, string(":"), _json_or_null(val), string("}"))
        return self.let(maps, bag.name, self.list_transform(fn("json_object_keys", value.copy()), key.name, body))

    def json_keys(self, value: exp.Expression) -> exp.Expression:
        return fn("json_object_keys", value)

    def json_list_to_json(self, values: exp.Expression) -> exp.Expression:
        items = self.list_transform(values, "_rg_j", _json_or_null(exp.column("_rg_j")))
        return _concat(string("["), fn("array_join", items, string(",")), string("]"))

    def to_json(self, value: exp.Expression, kql_type: KqlType | None = None) -> exp.Expression:
        if kql_type is KqlType.REAL:
            return self._real_json(value)
        return self._scalar_json(value)

    def list_to_json(self, values: exp.Expression, element_type: KqlType | None = None) -> exp.Expression:
        if element_type is not KqlType.REAL:
            return fn("to_json", values)
        items = self.list_transform(values, "_rg_r", self._real_json(exp.column("_rg_r")))
        return _concat(string("["), fn("array_join", items, string(",")), string("]"))

    # Java writes reals its own way (1.0E20, and on Java 17 not always the shortest digits), so
    # the digits are found by formatting with 15, 16, then 17 significant digits and keeping the
    # first that reads back as the same number, and laid out as DuckDB lays them out.
    @staticmethod
    def _shortest_scientific(value: exp.Expression) -> exp.Expression:
        def scientific(digits: int) -> exp.Expression:
            return fn("format_string", string(f"%.{digits - 1}e"), value.copy())

        def exact(text: exp.Expression) -> exp.Expression:
            return exp.EQ(this=exp.cast(text, exp.DataType.build("DOUBLE")), expression=value.copy())

        return exp.Case(ifs=[exp.If(this=exact(scientific(n)), true=scientific(n)) for n in (15, 16)],
                        default=scientific(17))

    def _real_layout(self, value: exp.Expression, low: int, high: int, plus: bool) -> exp.Expression:
        """A finite real's shortest digits, positional when low <= exponent < high, else as
        `d.ddd` e exponent (`e+16`, two digits at least, when `plus`; else `e16`)."""
        scientific_text = exp.column("_rg_s")
        mantissa = fn("substring_index", scientific_text, string("e"), number(1))
        bare = fn("replace", fn("replace", mantissa, string("-"), string("")), string("."), string(""))
        trimmed = exp.Trim(this=bare, expression=string("0"), position="TRAILING")
        parts = fn("named_struct",
                   string("d"), exp.Coalesce(this=exp.Nullif(this=trimmed, expression=string("")),
                                             expressions=[string("0")]),
                   string("e"), exp.cast(fn("substring_index", scientific_text.copy(), string("e"), number(-1)),
                                         exp.DataType.build("INT")),
                   string("n"), exp.StartsWith(this=mantissa.copy(), expression=string("-")))

        def part(name: str) -> exp.Expression:
            return exp.Dot(this=exp.column("_rg_p"), expression=exp.to_identifier(name))

        digits, exponent = part("d"), part("e")
        fraction = fn("substring", digits.copy(), exp.Add(this=exponent.copy(), expression=number(2)))
        positional = exp.Case(
            ifs=[exp.If(this=exp.GTE(this=exponent.copy(), expression=number(0)), true=_concat(
                exp.Pad(this=digits.copy(), expression=exp.Add(this=exponent.copy(), expression=number(1)),
                        fill_pattern=string("0"), is_left=False),
                string("."),
                exp.Coalesce(this=exp.Nullif(this=fraction, expression=string("")), expressions=[string("0")])))],
            default=_concat(string("0."), fn("repeat", string("0"), exp.Sub(this=exp.Neg(this=exponent.copy()),
                                                                          expression=number(1))), digits.copy()))
        rest = fn("substring", digits.copy(), number(2))
        power = exp.cast(exp.Abs(this=exponent.copy()), exp.DataType.build("STRING"))
        if plus:  # at least two digits (lpad would cut 308 to 30)
            power = exp.Case(ifs=[exp.If(this=exp.LT(this=exp.Abs(this=exponent.copy()), expression=number(10)),
                                         true=_concat(string("0"), power.copy()))], default=power)
        scientific = _concat(
            fn("substring", digits.copy(), number(1), number(1)),
            exp.Case(ifs=[exp.If(this=exp.EQ(this=rest, expression=string("")), true=string(""))],
                     default=_concat(string("."), rest.copy())),
            string("e"),
            exp.Case(ifs=[exp.If(this=exp.LT(this=exponent.copy(), expression=number(0)), true=string("-"))],
                     default=string("+" if plus else "")),
            power,
        )
        in_range = exp.and_(exp.GTE(this=exponent.copy(), expression=number(low)),
                            exp.LT(this=exponent.copy(), expression=number(high)))
        sign = exp.Case(ifs=[exp.If(this=part("n"), true=string("-"))], default=string(""))
        laid_out = _concat(sign, exp.Case(ifs=[exp.If(this=in_range, true=positional)], default=scientific))
        return self.let(self._shortest_scientific(value), "_rg_s", self.let(parts, "_rg_p", laid_out))

    def real_text(self, value: exp.Expression) -> exp.Expression:
        return self._real_layout(value, -4, 16, plus=True)

    def _real_json(self, value: exp.Expression) -> exp.Expression:
        infinity = self.literal(float("inf"), KqlType.REAL)
        return exp.Case(ifs=[
            exp.If(this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null()),
            exp.If(this=exp.IsNan(this=value.copy()), true=string("NaN")),
            exp.If(this=exp.EQ(this=value.copy(), expression=infinity), true=string("Infinity")),
            exp.If(this=exp.EQ(this=value.copy(), expression=exp.Neg(this=infinity.copy())), true=string("-Infinity")),
        ], default=self._real_layout(value, -6, 21, plus=False))

    def json_array(self, items: list[exp.Expression]) -> exp.Expression:
        inner: list[exp.Expression] = []
        for i, item in enumerate(items):
            inner += ([string(",")] if i else []) + [_json_or_null(item)]
        return _concat(string("["), *inner, string("]"))

    def json_object(self, pairs: list[tuple[exp.Expression, exp.Expression]]) -> exp.Expression:
        inner: list[exp.Expression] = []
        for i, (key, value) in enumerate(pairs):
            inner += ([string(",")] if i else []) + [self._scalar_json(key), string(":"), _json_or_null(value)]
        return _concat(string("{"), *inner, string("}"))

    def json_flatten_set(self, values: exp.Expression, limit: exp.Expression | None) -> exp.Expression:
        element = exp.column("_rg_e")
        spread = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=self.json_type(element), expression=string("ARRAY")),
                        true=self.json_elements(element.copy()))],
            default=fn("array", element.copy()),
        )
        distinct = self.list_sort(fn("array_distinct", fn("flatten", self.list_transform(values, "_rg_e", spread))))
        if limit is not None:
            distinct = self.list_slice(distinct, limit)
        return self.json_list_to_json(distinct)

    # -- datetimes -----------------------------------------------------------------------------
    def interval_micros(self, value: exp.Expression) -> exp.Expression:
        return fn("unix_micros", exp.Add(this=self.timestamp_epoch(), expression=value))

    def micros_interval(self, value: exp.Expression) -> exp.Expression:
        seconds = exp.Div(this=exp.cast(value, exp.DataType.build("DECIMAL(38, 6)")), expression=number(1_000_000))
        return fn("make_dt_interval", number(0), number(0), number(0), seconds)

    def timestamp_epoch(self) -> exp.Expression:
        return exp.cast(string("1970-01-01 00:00:00"), exp.DataType.build("TIMESTAMP"))

    def add_months(self, value: exp.Expression, months: exp.Expression) -> exp.Expression:
        # add_months() returns a DATE (the time of day lost); a year-month interval keeps it.
        return exp.Add(this=value, expression=fn("make_ym_interval", number(0),
                                                 exp.cast(months, exp.DataType.build("INT"))))

    def datetime_text(self, value: exp.Expression) -> exp.Expression:
        return _concat(fn("date_format", value, string("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")), string("0Z"))

    def make_timestamp(self, year: exp.Expression, month: exp.Expression, day: exp.Expression,
                       hour: exp.Expression, minute: exp.Expression, second: exp.Expression) -> exp.Expression:
        return fn("try_make_timestamp", year, month, day, hour, minute, second)

    # -- aggregates ----------------------------------------------------------------------------
    def agg_percentile(self, value: exp.Expression, fraction: float) -> exp.Expression:
        return exp.WithinGroup(this=exp.PercentileDisc(this=number(fraction)),
                               expression=exp.Order(expressions=[exp.Ordered(this=value)]))

    def agg_list(self, value: exp.Expression, distinct: bool) -> exp.Expression:
        return fn("collect_set", value) if distinct else fn("collect_list", value)

    def row_number(self, partition_by: list[exp.Expression]) -> exp.Expression:
        # Spark's row_number() needs an order; any order picks some row per partition.
        return exp.Window(this=exp.RowNumber(), partition_by=partition_by,
                          order=exp.Order(expressions=[exp.Ordered(this=p.copy()) for p in partition_by]))

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
