"""KQL aggregation functions (inside `summarize`): SQL aggregates with Kusto's null and size rules.

* Aggregates ignore nulls; KQL strings are never null, so a NULL string counts as "".
* `sum` of nothing is 0 and `avg` of nothing NaN, as the Kusto emulator answers (duckdb-kql
  TRANSLATION R4); `count()` is always a number.
* `make_list` / `make_set` return dynamic arrays, at most `maxSize` elements (default
  1,048,576; 128 for the deprecated `makelist` / `makeset`); `make_set` of arrays spreads
  their elements (make-set-aggregation-function). Kusto leaves a set's order undefined;
  here it is ascending, so every engine (and every run) gives the same array.
* `arg_max` / `arg_min` are compiled by the summarize operator (they yield several columns).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql.conversions import tostring, wrap_dynamic
from revertguard.kql.dialects.base import number
from revertguard.kql.errors import KqlTypeError, KqlUnsupportedError
from revertguard.kql.scalars import Scope, compile_scalar
from revertguard.kql.typed import NUMERIC_TYPES, STRING_LIKE, Value
from revertguard.tables import KqlType

DEFAULT_MAX_SIZE = 1_048_576
LEGACY_MAX_SIZE = 128

AggregateHandler = Callable[[ast.Call, Scope], Value]
AGGREGATES: dict[str, tuple[int, int, AggregateHandler | None]] = {}


def aggregate(*names: str, args: tuple[int, int]) -> Callable[[AggregateHandler], AggregateHandler]:
    def register(handler: AggregateHandler) -> AggregateHandler:
        for name in names:
            AGGREGATES[name] = (args[0], args[1], handler)
        return handler
    return register


# Compiled by the summarize operator itself.
AGGREGATES["arg_max"] = (2, 64, None)
AGGREGATES["arg_min"] = (2, 64, None)


def compile_aggregate(node: ast.Call, scope: Scope) -> Value:
    low, high, handler = AGGREGATES[node.name]
    if handler is None:
        raise scope.error(KqlUnsupportedError, f"{node.name}() must be a whole summarize item, not part of an "
                                               "expression", node)
    if not low <= len(node.args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise scope.error(KqlTypeError, f"{node.name}() takes {expected} argument(s), got {len(node.args)}", node)
    if scope.aggregates is not None:
        scope.aggregates.count += 1
    return handler(node, scope)


def row_arg(node: ast.Call, i: int, scope: Scope) -> Value:
    """An aggregate's argument: a per-row expression (aggregates cannot nest)."""
    return compile_scalar(node.args[i], scope.row_scope())


def value_arg(node: ast.Call, i: int, scope: Scope) -> Value:
    """A per-row value with KQL's string rule applied (NULL strings count as "")."""
    value = row_arg(node, i, scope)
    if value.type in STRING_LIKE and value.nullable:
        return tostring(value, scope.dialect)
    return value


def predicate_arg(node: ast.Call, i: int, scope: Scope) -> exp.Expression:
    value = row_arg(node, i, scope)
    if value.type is not KqlType.BOOL:
        raise scope.error(KqlTypeError, f"{node.name}()'s predicate must be a boolean, not {value.type.value}",
                          node.args[i])
    return value.sql


def when(predicate: exp.Expression, value: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=predicate, true=value)])


def _long(sql: exp.Expression, scope: Scope) -> Value:
    return Value(exp.cast(sql, scope.dialect.sql_type(KqlType.LONG)), KqlType.LONG, nullable=False)


@aggregate("count", args=(0, 1))
def _count(node: ast.Call, scope: Scope) -> Value:
    if node.args:
        value = value_arg(node, 0, scope)
        return _long(exp.Count(this=value.sql), scope)
    return _long(exp.Count(this=exp.Star()), scope)


@aggregate("countif", args=(1, 1))
def _countif(node: ast.Call, scope: Scope) -> Value:
    # A null predicate counts as false (DuckDB's count_if of only NULLs is NULL, not 0).
    predicate = exp.Coalesce(this=predicate_arg(node, 0, scope), expressions=[exp.false()])
    return _long(exp.CountIf(this=predicate), scope)


@aggregate("dcount", "count_distinct", args=(1, 2))
def _dcount(node: ast.Call, scope: Scope) -> Value:
    value = value_arg(node, 0, scope)
    return _long(exp.Count(this=exp.Distinct(expressions=[value.sql])), scope)


@aggregate("dcountif", "count_distinctif", args=(2, 3))
def _dcountif(node: ast.Call, scope: Scope) -> Value:
    value = value_arg(node, 0, scope)
    return _long(exp.Count(this=exp.Distinct(expressions=[when(predicate_arg(node, 1, scope), value.sql)])), scope)


def _numeric(node: ast.Call, scope: Scope, allow: frozenset[KqlType] = NUMERIC_TYPES) -> Value:
    value = row_arg(node, 0, scope)
    if value.type not in allow:
        raise scope.error(KqlTypeError, f"{node.name}() needs a number, not a {value.type.value}", node.args[0])
    return value


def _sum_type(value: Value) -> KqlType:
    return KqlType.REAL if value.type in (KqlType.REAL, KqlType.DECIMAL) else KqlType.LONG


@aggregate("sum", args=(1, 1))
def _sum(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    total = exp.Coalesce(this=exp.Sum(this=value.sql), expressions=[number(0)])
    return Value(exp.cast(total, scope.dialect.sql_type(_sum_type(value))), _sum_type(value), nullable=False)


@aggregate("sumif", args=(2, 2))
def _sumif(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    total = exp.Coalesce(this=exp.Sum(this=when(predicate_arg(node, 1, scope), value.sql)),
                         expressions=[number(0)])
    return Value(exp.cast(total, scope.dialect.sql_type(_sum_type(value))), _sum_type(value), nullable=False)


def _nan(scope: Scope) -> exp.Expression:
    return scope.dialect.literal(float("nan"), KqlType.REAL)


@aggregate("avg", args=(1, 1))
def _avg(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    return Value(exp.Coalesce(this=exp.Avg(this=value.sql), expressions=[_nan(scope)]), KqlType.REAL)


@aggregate("avgif", args=(2, 2))
def _avgif(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    mean = exp.Avg(this=when(predicate_arg(node, 1, scope), value.sql))
    return Value(exp.Coalesce(this=mean, expressions=[_nan(scope)]), KqlType.REAL)


def _extreme(cls: type[exp.Func]) -> AggregateHandler:
    def handler(node: ast.Call, scope: Scope) -> Value:
        value = value_arg(node, 0, scope)
        if value.type in (KqlType.DYNAMIC, KqlType.BOOL):
            raise scope.error(KqlTypeError, f"{node.name}() cannot compare {value.type.value} values", node.args[0])
        if len(node.args) > 1:
            return Value(cls(this=when(predicate_arg(node, 1, scope), value.sql)), value.type)
        return Value(cls(this=value.sql), value.type)
    return handler


aggregate("min", args=(1, 1))(_extreme(exp.Min))
aggregate("max", args=(1, 1))(_extreme(exp.Max))
aggregate("minif", args=(2, 2))(_extreme(exp.Min))
aggregate("maxif", args=(2, 2))(_extreme(exp.Max))


@aggregate("stdev", args=(1, 1))
def _stdev(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    return Value(exp.Coalesce(this=exp.Stddev(this=value.sql), expressions=[number(0.0)]), KqlType.REAL)


@aggregate("variance", args=(1, 1))
def _variance(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope)
    return Value(exp.Coalesce(this=exp.Variance(this=value.sql), expressions=[number(0.0)]), KqlType.REAL)


@aggregate("any", "take_any", args=(1, 1))
def _any(node: ast.Call, scope: Scope) -> Value:
    value = row_arg(node, 0, scope)
    return Value(exp.AnyValue(this=value.sql), value.type)


def _max_size(node: ast.Call, scope: Scope, index: int, legacy: bool) -> exp.Expression:
    if len(node.args) > index:
        size = row_arg(node, index, scope)
        if not size.is_const or not isinstance(size.const, int) or size.const < 1:
            raise scope.error(KqlTypeError, f"{node.name}()'s maximum size must be a positive whole number",
                              node.args[index])
        return number(size.const)
    return number(LEGACY_MAX_SIZE if legacy else DEFAULT_MAX_SIZE)


def _collect(node: ast.Call, scope: Scope, *, distinct: bool, predicate_index: int | None) -> Value:
    d = scope.dialect
    legacy = node.name in ("makelist", "makeset")
    value = row_arg(node, 0, scope)
    if value.type in STRING_LIKE:
        item = tostring(value, d).sql
    elif value.type is KqlType.DYNAMIC:
        item = value.sql
    elif value.type in (KqlType.DATETIME, KqlType.TIMESPAN):
        item = wrap_dynamic(value, d).sql
    else:
        item = value.sql
    if predicate_index is not None:
        item = when(predicate_arg(node, predicate_index, scope), item)
    size_index = 1 if predicate_index is None else 2
    limit = _max_size(node, scope, size_index, legacy)
    if distinct and value.type is KqlType.DYNAMIC:
        collected = d.agg_list(item, distinct=False)
        result = d.json_flatten_set(collected, limit)
    else:
        collected = d.agg_list(item, distinct=distinct)
        if distinct:
            collected = d.list_sort(collected)
        collected = d.list_slice(collected, limit)
        dynamic_items = value.type in (KqlType.DYNAMIC, KqlType.DATETIME, KqlType.TIMESPAN)
        result = d.json_list_to_json(collected) if dynamic_items else d.list_to_json(collected, value.type)
    empty = d.literal([], KqlType.DYNAMIC)
    return Value(exp.Coalesce(this=result, expressions=[empty]), KqlType.DYNAMIC, nullable=False)


@aggregate("make_list", "makelist", args=(1, 2))
def _make_list(node: ast.Call, scope: Scope) -> Value:
    return _collect(node, scope, distinct=False, predicate_index=None)


@aggregate("make_list_if", args=(2, 3))
def _make_list_if(node: ast.Call, scope: Scope) -> Value:
    return _collect(node, scope, distinct=False, predicate_index=1)


@aggregate("make_set", "makeset", args=(1, 2))
def _make_set(node: ast.Call, scope: Scope) -> Value:
    return _collect(node, scope, distinct=True, predicate_index=None)


@aggregate("make_set_if", args=(2, 3))
def _make_set_if(node: ast.Call, scope: Scope) -> Value:
    return _collect(node, scope, distinct=True, predicate_index=1)


@aggregate("percentile", args=(2, 2))
def _percentile(node: ast.Call, scope: Scope) -> Value:
    value = _numeric(node, scope, NUMERIC_TYPES | {KqlType.DATETIME, KqlType.TIMESPAN})
    percent = row_arg(node, 1, scope)
    if not percent.is_const or not isinstance(percent.const, int | float):
        raise scope.error(KqlTypeError, "percentile()'s percentage must be a constant number", node.args[1])
    return Value(scope.dialect.agg_percentile(value.sql, float(percent.const) / 100), value.type)
