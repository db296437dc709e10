"""Compiling scalar expressions: syntax nodes -> typed sqlglot expressions (`Value`).

One handler per node class (`SCALAR_HANDLERS`); names resolve against the current row's
columns, then `let` bindings. Operators check their operand types the way Kusto does and
pick the SQL for them: string operators go to `strings`, conversions to `conversions`,
function calls to `functions` and `aggregates`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import strings
from revertguard.kql.conversions import as_string, convert, to_bool, to_real
from revertguard.kql.dialects.base import micros_of, number
from revertguard.kql.errors import (
    KqlError,
    KqlNameError,
    KqlSyntaxError,
    KqlTypeError,
    KqlUnsupportedError,
    did_you_mean,
)
from revertguard.kql.typed import NUMERIC_TYPES, STRING_LIKE, Col, Relation, Value, column_ref
from revertguard.tables import KqlType

if TYPE_CHECKING:
    from revertguard.kql.compiler import Compiler


# -- environment -----------------------------------------------------------------------------

@dataclass
class FunctionBinding:
    """A `let` function: its definition and the environment it was defined in."""

    function: ast.Function
    env: Env
    name: str


Binding = Value | Relation | FunctionBinding


class Env:
    """`let` bindings, innermost first."""

    def __init__(self, parent: Env | None = None) -> None:
        self.parent = parent
        self.bindings: dict[str, Binding] = {}

    def lookup(self, name: str) -> Binding | None:
        env: Env | None = self
        while env is not None:
            if name in env.bindings:
                return env.bindings[name]
            env = env.parent
        return None

    def names(self) -> list[str]:
        out: list[str] = []
        env: Env | None = self
        while env is not None:
            out.extend(env.bindings)
            env = env.parent
        return out

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings[name] = binding


@dataclass
class Scope:
    """Where a scalar expression is compiled: the row's columns, the `let`s, the compiler."""

    compiler: Compiler
    env: Env
    columns: dict[str, Col | Value] = field(default_factory=dict)
    table: str | None = None  # qualifier for column references (joins)
    relation: Relation | None = None
    aggregates: AggregateSink | None = None  # set while compiling summarize aggregates

    @classmethod
    def of(cls, compiler: Compiler, env: Env, relation: Relation | None, table: str | None = None) -> Scope:
        columns: dict[str, Col | Value] = {}
        if relation is not None:
            for col in relation.columns:
                if not col.internal:
                    columns[col.name] = col
        return cls(compiler, env, columns, table, relation)

    def row_scope(self) -> Scope:
        """The scope of an aggregate's arguments: the input rows' columns, no aggregates."""
        columns = self.aggregates.row_columns if self.aggregates is not None else self.columns
        return Scope(self.compiler, self.env, columns, self.table, self.relation, None)

    @property
    def dialect(self):
        return self.compiler.dialect

    def error(self, cls: type[KqlError], message: str, node: ast.Node) -> KqlError:
        return cls(message, node.line, node.column)


class AggregateSink:
    """Marks a scope as a summarize's aggregate list: counts the aggregates compiled (an item
    without one is an error) and keeps the input columns their arguments read."""

    def __init__(self, row_columns: dict[str, Col | Value]) -> None:
        self.row_columns = row_columns
        self.count = 0


def compile_scalar(node: ast.Node, scope: Scope) -> Value:
    """Compile one scalar expression."""
    handler = SCALAR_HANDLERS.get(type(node))
    if handler is None:
        if isinstance(node, ast.Star):
            raise scope.error(KqlSyntaxError, "'*' is only allowed as an argument of arg_max(), arg_min() "
                                              "or distinct", node)
        raise scope.error(KqlTypeError, "a table where a scalar value is expected (use toscalar() to turn a "
                                        "one-row table into a value)", node)
    return handler(node, scope)


def expect_type(value: Value, allowed: set[KqlType] | frozenset[KqlType], what: str, node: ast.Node,
                scope: Scope) -> Value:
    if value.type not in allowed:
        names = ", ".join(sorted(t.value for t in allowed))
        raise scope.error(KqlTypeError, f"{what} must be {names}, not {value.type.value}", node)
    return value


# -- leaves ----------------------------------------------------------------------------------

def literal(node: ast.Literal, scope: Scope) -> Value:
    return constant(node.value, node.type, scope)


def constant(value: Any, kql_type: KqlType, scope: Scope) -> Value:
    return Value(scope.dialect.literal(value, kql_type), kql_type,
                 nullable=value is None, const=value)


def name(node: ast.Name, scope: Scope) -> Value:
    found = scope.columns.get(node.name)
    if isinstance(found, Value):
        return found
    if isinstance(found, Col):
        return Value(column_ref(found, scope.table), found.type, nullable=found.nullable)
    binding = scope.env.lookup(node.name)
    if isinstance(binding, Value):
        return binding
    if isinstance(binding, FunctionBinding):
        result = scope.compiler.invoke(binding, [], node, scope)
        if isinstance(result, Value):
            return result
    if isinstance(binding, Relation | FunctionBinding) or scope.compiler.catalog.table(node.name) is not None:
        raise scope.error(KqlTypeError, f"{node.name!r} is a table, used where a scalar value is expected "
                                        "(use toscalar() for a one-row table)", node)
    if node.name in ("$left", "$right"):
        raise scope.error(KqlSyntaxError, f"{node.name} is only allowed in a join's 'on' clause", node)
    candidates = [n for n in scope.columns if not n.startswith("_rg")] + [
        n for n in scope.env.names() if isinstance(scope.env.lookup(n), Value)]
    what = "column or variable" if scope.relation is not None else "variable"
    raise scope.error(KqlNameError, f"unknown {what} {node.name!r}" + did_you_mean(node.name, candidates), node)


# -- dynamic access --------------------------------------------------------------------------

_PARSERS = frozenset({"parse_json", "parsejson", "todynamic", "toobject"})


def access(node: ast.Member | ast.Index, scope: Scope) -> Value:
    steps: list[ast.Node] = []
    root: ast.Node = node
    while isinstance(root, ast.Member | ast.Index):
        steps.append(root)
        root = root.base
    steps.reverse()
    d = scope.dialect
    direct = _path_of_parsed_text(root, steps, scope)
    if direct is not None:
        return direct
    value = compile_scalar(root, scope)
    if value.type is not KqlType.DYNAMIC:
        raise scope.error(KqlTypeError, f"{_describe(root)} is a {value.type.value}, not dynamic: use "
                                        f"parse_json({_describe(root)}) to read properties from it", node)
    path: list[str | int] = []
    for step in steps:
        key = _step_key(step, scope)
        if value.elements is not None and not path and isinstance(key, int):
            # An element of a list the compiler built (split): index it natively.
            element = d.list_get(value.elements, number(key + 1 if key >= 0 else key))
            value = Value(d.to_json(element), KqlType.DYNAMIC, text=element)
            continue
        if isinstance(key, Value):
            base = d.json_path(value.sql, path) if path else value.sql
            value = _runtime_index(base, key, step, scope)
            path = []
            continue
        path.append(key)
    if path:
        value = Value(d.json_path(value.sql, path), KqlType.DYNAMIC)
    return value


def _path_of_parsed_text(root: ast.Node, steps: list[ast.Node], scope: Scope) -> Value | None:
    """`parse_json(text).a.b[0]` with constant steps: read the path straight from the text, which
    the engine can do in one pass instead of parsing, extracting and re-writing JSON."""
    if not (isinstance(root, ast.Call) and root.name in _PARSERS and len(root.args) == 1) or \
            isinstance(scope.env.lookup(root.name), FunctionBinding):
        return None
    text = compile_scalar(root.args[0], scope)
    if text.type not in STRING_LIKE or text.is_const:
        return None
    path: list[str | int] = []
    for step in steps:
        key = _step_key(step, scope)
        if isinstance(key, Value):
            return None
        path.append(key)
    found = scope.dialect.json_path_of_text(text.sql, path)
    if found is None:
        return None
    dynamic, as_text = found
    return Value(dynamic, KqlType.DYNAMIC, text=as_text)


def _describe(node: ast.Node) -> str:
    return node.name if isinstance(node, ast.Name) else "this value"


def _step_key(step: ast.Member | ast.Index, scope: Scope) -> str | int | Value:
    if isinstance(step, ast.Member):
        return step.name
    index = compile_scalar(step.index, scope)
    if index.is_const and isinstance(index.const, int) and not isinstance(index.const, bool):
        return index.const
    if index.is_const and isinstance(index.const, str):
        return index.const
    if index.type in (KqlType.LONG, KqlType.INT, KqlType.STRING):
        return index
    raise scope.error(KqlTypeError, f"an index must be a number or a property name, not {index.type.value}", step)


def _runtime_index(base: exp.Expression, key: Value, step: ast.Node, scope: Scope) -> Value:
    """`d[i]` or `d[k]` with an index only known per row."""
    found = scope.dialect.json_path_runtime(base, key.sql, by_name=key.type is KqlType.STRING)
    if found is None:
        raise scope.error(KqlUnsupportedError, "indexing a dynamic value with a non-constant index is not "
                                               f"supported for {scope.dialect.name}", step)
    return Value(found, KqlType.DYNAMIC)


# -- operators -------------------------------------------------------------------------------

_STRING_OPERATORS = frozenset(strings._BASE_OPS) - {"=="} | {"!" + op for op in strings._BASE_OPS if op != "=="} | {
    "matches regex", "!~"}
_ORDERING = {"<": exp.LT, ">": exp.GT, "<=": exp.LTE, ">=": exp.GTE}
_PY_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def binary(node: ast.Binary, scope: Scope) -> Value:
    op = node.op
    if op in ("and", "or"):
        return logical(op, node, scope)
    left = compile_scalar(node.left, scope)
    right = compile_scalar(node.right, scope)
    if op in ("+", "-", "*", "/", "%"):
        return arithmetic(op, left, right, node, scope)
    return comparison(op, left, right, node, scope)


def logical(op: str, node: ast.Binary, scope: Scope) -> Value:
    left = _boolean(compile_scalar(node.left, scope), node.left, scope)
    right = _boolean(compile_scalar(node.right, scope), node.right, scope)
    if left.is_const and right.is_const and left.const is not None and right.const is not None:
        result = (left.const and right.const) if op == "and" else (left.const or right.const)
        return strings.const_bool(bool(result))
    join = exp.and_ if op == "and" else exp.or_
    return Value(join(exp.Paren(this=left.sql), exp.Paren(this=right.sql)), KqlType.BOOL,
                 nullable=left.nullable or right.nullable)


def _boolean(value: Value, node: ast.Node, scope: Scope) -> Value:
    if value.type is KqlType.BOOL:
        return value
    if value.type is KqlType.DYNAMIC:
        return to_bool(value, scope.dialect)
    raise scope.error(KqlTypeError, f"expected a boolean expression, found a {value.type.value}", node)


def comparison(op: str, left: Value, right: Value, node: ast.Node, scope: Scope) -> Value:
    d = scope.dialect
    if op in _STRING_OPERATORS:
        text = term_text(left, d) if op.lstrip("!").removesuffix("_cs") in _TERM_OPERATORS else as_string(left, d)
        return strings.compare(op, text, as_string(right, d), d)
    left, right = unify_for_comparison(left, right, node, scope)
    if left.type in STRING_LIKE:
        if op in ("==", "!="):
            return strings.compare(op, left, right, d)
        left = left.but(sql=exp.Coalesce(this=left.sql, expressions=[exp.Literal.string("")])) \
            if left.nullable and not left.is_const else left
        right = right.but(sql=exp.Coalesce(this=right.sql, expressions=[exp.Literal.string("")])) \
            if right.nullable and not right.is_const else right
    if op not in _PY_ORDERING:
        raise scope.error(KqlSyntaxError, f"unknown operator {op!r}", node)
    if left.is_const and right.is_const:
        nulls = (left.const is None) + (right.const is None)
        if nulls == 1 and op in ("==", "!="):
            return strings.const_bool(op == "!=")
        if nulls:
            return Value(d.null(KqlType.BOOL), KqlType.BOOL, const=None)
        try:
            return strings.const_bool(_PY_ORDERING[op](left.const, right.const))
        except TypeError:
            pass
    if op in ("==", "!="):
        return Value(_equality(op, left, right), KqlType.BOOL, nullable=True)
    return Value(_ORDERING[op](this=left.sql, expression=right.sql), KqlType.BOOL, nullable=True)


def _equality(op: str, left: Value, right: Value) -> exp.Expression:
    """`==` / `!=` with Kusto's null rules (null-values docs): null against a value is false for
    `==` and true for `!=`; null against null is null."""
    cls = exp.EQ if op == "==" else exp.NEQ
    mismatch = exp.false() if op == "==" else exp.true()
    if left.is_const and not right.is_const:
        left, right = right, left
    if right.is_const:
        if right.const is None:
            return exp.Case(ifs=[exp.If(this=exp.Is(this=left.sql, expression=exp.null()), true=exp.null())],
                            default=mismatch)
        compared = cls(this=left.sql, expression=right.sql)
        return exp.Coalesce(this=compared, expressions=[mismatch]) if left.nullable else compared
    if not left.nullable and not right.nullable:
        return cls(this=left.sql, expression=right.sql)
    both_null = exp.and_(exp.Is(this=left.sql, expression=exp.null()), exp.Is(this=right.sql, expression=exp.null()))
    one_null = exp.or_(exp.Is(this=left.sql, expression=exp.null()), exp.Is(this=right.sql, expression=exp.null()))
    return exp.Case(ifs=[exp.If(this=both_null, true=exp.null()), exp.If(this=one_null, true=mismatch)],
                    default=cls(this=left.sql, expression=right.sql))


_TERM_OPERATORS = frozenset({"has", "hasprefix", "hassuffix"})


def term_text(value: Value, d) -> Value:
    """The text term operators search: for a dynamic value the engine may skip re-serialising the
    JSON (terms do not depend on its whitespace)."""
    if value.type is KqlType.DYNAMIC and value.text is None and not value.is_const:
        return Value(d.json_text_for_terms(value.sql), KqlType.STRING, nullable=True)
    return as_string(value, d)


def unify_for_comparison(left: Value, right: Value, node: ast.Node, scope: Scope) -> tuple[Value, Value]:
    """Bring two operands to one comparable type, as Kusto does (or say why not)."""
    d = scope.dialect
    lt, rt = left.type, right.type
    if lt is KqlType.DYNAMIC and rt is KqlType.DYNAMIC:
        return as_string(left, d), as_string(right, d)
    if lt is KqlType.DYNAMIC:
        return _coerce_dynamic(left, rt, d), right
    if rt is KqlType.DYNAMIC:
        return left, _coerce_dynamic(right, lt, d)
    if lt in STRING_LIKE and rt in STRING_LIKE:
        return left, right
    if lt in NUMERIC_TYPES and rt in NUMERIC_TYPES:
        return left, right
    if lt == rt:
        return left, right
    raise scope.error(KqlTypeError, f"cannot compare a {lt.value} with a {rt.value}", node)


def _coerce_dynamic(value: Value, target: KqlType, d) -> Value:
    if target in STRING_LIKE:
        return as_string(value, d)
    if target in NUMERIC_TYPES:
        return to_real(value, d)
    return convert(value, target, d)


def arithmetic(op: str, left: Value, right: Value, node: ast.Node, scope: Scope) -> Value:
    d = scope.dialect
    if left.type is KqlType.DYNAMIC:
        left = to_real(left, d)
    if right.type is KqlType.DYNAMIC:
        right = to_real(right, d)
    lt, rt = left.type, right.type
    folded = _fold_arithmetic(op, left, right, scope)
    if folded is not None:
        return folded
    if lt in NUMERIC_TYPES and rt in NUMERIC_TYPES:
        result_type = _numeric_result(lt, rt)
        if op == "/" and result_type in (KqlType.LONG, KqlType.INT):
            sql: exp.Expression = exp.IntDiv(this=left.sql, expression=right.sql)
        elif op in "/%" and result_type is KqlType.REAL:
            divide = d.real_divide if op == "/" else d.real_remainder
            sql = divide(exp.Paren(this=left.sql), exp.Paren(this=right.sql))
        else:
            sql = _ARITH[op](this=exp.Paren(this=left.sql), expression=exp.Paren(this=right.sql))
        return Value(sql, result_type)
    if lt is KqlType.DATETIME and rt is KqlType.DATETIME and op == "-":
        return Value(exp.Sub(this=left.sql, expression=right.sql), KqlType.TIMESPAN)
    if lt is KqlType.DATETIME and rt is KqlType.TIMESPAN and op in "+-":
        return Value(_ARITH[op](this=left.sql, expression=right.sql), KqlType.DATETIME)
    if lt is KqlType.TIMESPAN and rt is KqlType.DATETIME and op == "+":
        return Value(exp.Add(this=right.sql, expression=left.sql), KqlType.DATETIME)
    if lt is KqlType.TIMESPAN and rt is KqlType.TIMESPAN:
        if op in "+-":
            return Value(_ARITH[op](this=left.sql, expression=right.sql), KqlType.TIMESPAN)
        if op == "/":
            ratio = exp.Div(this=exp.cast(d.interval_micros(left.sql), d.sql_type(KqlType.REAL)),
                            expression=d.interval_micros(right.sql))
            return Value(ratio, KqlType.REAL)
    if lt is KqlType.TIMESPAN and rt in NUMERIC_TYPES and op in "*/":
        scaled = _ARITH[op](this=d.interval_micros(left.sql), expression=right.sql)
        return Value(d.micros_interval(exp.Round(this=scaled)), KqlType.TIMESPAN)
    if lt in NUMERIC_TYPES and rt is KqlType.TIMESPAN and op == "*":
        scaled = exp.Mul(this=d.interval_micros(right.sql), expression=left.sql)
        return Value(d.micros_interval(exp.Round(this=scaled)), KqlType.TIMESPAN)
    raise scope.error(KqlTypeError, f"cannot apply '{op}' to a {lt.value} and a {rt.value}" +
                      (" (use strcat() to join strings)" if op == "+" and KqlType.STRING in (lt, rt) else ""), node)


_ARITH: dict[str, type[exp.Expression]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div, "%": exp.Mod}


def _numeric_result(a: KqlType, b: KqlType) -> KqlType:
    if KqlType.REAL in (a, b) or KqlType.DECIMAL in (a, b):
        return KqlType.REAL
    if KqlType.LONG in (a, b):
        return KqlType.LONG
    return KqlType.INT


def _fold_arithmetic(op: str, left: Value, right: Value, scope: Scope) -> Value | None:
    if not (left.is_const and right.is_const) or left.const is None or right.const is None:
        return None
    a, b = left.const, right.const
    lt, rt = left.type, right.type
    try:
        if lt in NUMERIC_TYPES and rt in NUMERIC_TYPES:
            result_type = _numeric_result(lt, rt)
            if op == "/" and result_type is not KqlType.REAL:
                if b == 0:
                    return None
                result: Any = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            elif op == "%" and result_type is not KqlType.REAL:
                if b == 0:
                    return None
                result = a - b * (abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1))
            elif op == "%":
                result = math.fmod(a, b)  # the sign of the dividend, as C# (and SQL) compute it
            else:
                result = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op](a, b)
            if isinstance(result, int) and not -2**63 <= result < 2**63:
                return None  # overflows a long: left to the engine, which reports it
            return constant(result, result_type, scope)
        if isinstance(a, datetime) and isinstance(b, timedelta) and op in "+-":
            return constant(a + b if op == "+" else a - b, KqlType.DATETIME, scope)
        if isinstance(a, datetime) and isinstance(b, datetime) and op == "-":
            return constant(a - b, KqlType.TIMESPAN, scope)
        if isinstance(a, timedelta) and isinstance(b, timedelta) and op in "+-":
            return constant(a + b if op == "+" else a - b, KqlType.TIMESPAN, scope)
        if isinstance(a, timedelta) and isinstance(b, timedelta) and op == "/" and micros_of(b):
            return constant(micros_of(a) / micros_of(b), KqlType.REAL, scope)
        if isinstance(a, timedelta) and rt in NUMERIC_TYPES and op in "*/":
            return constant(a * b if op == "*" else a / b, KqlType.TIMESPAN, scope)
        if lt in NUMERIC_TYPES and isinstance(b, timedelta) and op == "*":
            return constant(b * a, KqlType.TIMESPAN, scope)
    except (ArithmeticError, ValueError):
        return None
    return None


def unary(node: ast.Unary, scope: Scope) -> Value:
    value = compile_scalar(node.operand, scope)
    if node.op == "+":
        return value
    if value.type is KqlType.DYNAMIC:
        value = to_real(value, scope.dialect)
    if value.type not in NUMERIC_TYPES and value.type is not KqlType.TIMESPAN:
        raise scope.error(KqlTypeError, f"cannot negate a {value.type.value}", node)
    if value.is_const and value.const is not None:
        return constant(-value.const, value.type, scope)
    return Value(exp.Neg(this=exp.Paren(this=value.sql)), value.type)


def between(node: ast.Between, scope: Scope) -> Value:
    left = compile_scalar(node.left, scope)
    low = compile_scalar(node.low, scope)
    high = compile_scalar(node.high, scope)
    if left.type is KqlType.DATETIME and high.type is KqlType.TIMESPAN:
        high = arithmetic("+", low, high, node, scope)  # datetime between (start .. length)
    lower = comparison(">=", left, low, node, scope)
    upper = comparison("<=", left, high, node, scope)
    both = logical_values("and", lower, upper)
    if node.negated:
        return Value(exp.Not(this=exp.Paren(this=both.sql)), KqlType.BOOL) if not both.is_const else \
            strings.const_bool(not both.const)
    return both


def logical_values(op: str, left: Value, right: Value) -> Value:
    if left.is_const and right.is_const and left.const is not None and right.const is not None:
        return strings.const_bool(bool(left.const and right.const) if op == "and" else bool(left.const or right.const))
    join = exp.and_ if op == "and" else exp.or_
    return Value(join(exp.Paren(this=left.sql), exp.Paren(this=right.sql)), KqlType.BOOL)


# -- in / has_any ----------------------------------------------------------------------------

def in_list(node: ast.InList, scope: Scope) -> Value:
    d = scope.dialect
    left = compile_scalar(node.left, scope)
    items, sources = expand_list_items(node.items, scope)
    op = node.op
    if op in ("has_any", "has_all"):
        if sources and op == "has_all":
            raise scope.error(KqlUnsupportedError, "has_all with a table or a computed array on the right is not "
                                                   "supported; use a constant list or a let with dynamic([...])",
                              node)
        text = term_text(left, d)
        needles = [as_string(i, d) for i in items]
        result = strings.has_any(text, needles, d, require_all=op == "has_all") if needles or not sources else None
        for source in sources:
            # Needles from a table or a computed array: does any of them match?
            needle = exp.column("_rg_value", table="_rg_needles", quoted=True)
            match = strings.compare("has", text, Value(needle, KqlType.STRING), d)
            found = exp.Exists(this=exp.select(exp.Literal.number(1)).from_(exp.Subquery(
                this=source(True, False), alias=exp.TableAlias(this=exp.to_identifier("_rg_needles"))))
                .where(match.sql))
            part = Value(found, KqlType.BOOL, nullable=False)
            result = part if result is None else logical_values("or", result, part)
        return result
    negated = op.startswith("!")
    case_insensitive = op.endswith("~")
    string_like = left.type in STRING_LIKE or left.type is KqlType.DYNAMIC or case_insensitive
    parts: list[Value] = []
    if string_like:
        left_text = as_string(left, d)
        if items:
            parts.append(strings.in_strings(op.lstrip("!"), left_text, [as_string(i, d) for i in items], d))
        probe = left_text.sql if not left_text.nullable else exp.Coalesce(
            this=left_text.sql, expressions=[exp.Literal.string("")])
        if case_insensitive:
            probe = d.lower(probe)
        for source in sources:
            member = exp.In(this=probe, query=exp.Subquery(this=source(True, case_insensitive)))
            parts.append(Value(exp.Coalesce(this=member, expressions=[exp.false()]), KqlType.BOOL, nullable=False))
    else:
        values = [unify_for_comparison(left, i, node, scope)[1] for i in items]
        if values:
            if left.is_const and all(v.is_const for v in values) and left.const is not None:
                parts.append(strings.const_bool(left.const in [v.const for v in values]))
            else:
                # A null left side is in no list (and !in every list), like == and != against values.
                member = exp.In(this=left.sql, expressions=[v.sql for v in values])
                parts.append(Value(exp.Coalesce(this=member, expressions=[exp.false()]), KqlType.BOOL,
                                   nullable=False))
        for source in sources:
            member = exp.In(this=left.sql, query=exp.Subquery(this=source(False, False)))
            parts.append(Value(exp.Coalesce(this=member, expressions=[exp.false()]), KqlType.BOOL, nullable=False))
    if not parts:
        result = strings.const_bool(False)
    elif len(parts) == 1:
        result = parts[0]
    else:
        result = Value(exp.or_(*[exp.Paren(this=p.sql) for p in parts]), KqlType.BOOL,
                       nullable=any(p.nullable for p in parts))
    if negated:
        if result.is_const:
            return strings.const_bool(not result.const)
        return Value(exp.Not(this=exp.Paren(this=result.sql)), KqlType.BOOL, nullable=result.nullable)
    return result


ValueSource = Callable[[bool, bool], exp.Select]  # (as_text, lower) -> a one-column subquery


def expand_list_items(nodes: list[ast.Node], scope: Scope) -> tuple[list[Value], list[ValueSource]]:
    """The right side of `in` / `has_any`: scalars and constant dynamic arrays (flattened), and
    tables (their first column) or computed arrays, as subqueries."""
    compiler = scope.compiler
    values: list[Value] = []
    sources: list[ValueSource] = []
    for node in nodes:
        if compiler.is_tabular(node, scope.env):
            relation = compiler.tabular(node, scope.env)
            sources.append(lambda text, lower, r=relation, n=node: compiler.first_column_values(
                r, n, as_text=text, lower=lower))
            continue
        value = compile_scalar(node, scope)
        if value.type is KqlType.DYNAMIC and value.is_const:
            values.extend(constant(v, _dynamic_element_type(v), scope) for v in _flatten(value.const))
        elif value.type is KqlType.DYNAMIC:
            sources.append(lambda text, lower, v=value: compiler.dynamic_values(v, as_text=text, lower=lower))
        else:
            values.append(value)
    return values, sources


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    return [value]


def _dynamic_element_type(value: Any) -> KqlType:
    if isinstance(value, bool):
        return KqlType.BOOL
    if isinstance(value, int):
        return KqlType.LONG
    if isinstance(value, float):
        return KqlType.REAL
    if isinstance(value, datetime):
        return KqlType.DATETIME
    if isinstance(value, timedelta):
        return KqlType.TIMESPAN
    if isinstance(value, str):
        return KqlType.STRING
    return KqlType.DYNAMIC


def call(node: ast.Call, scope: Scope) -> Value:
    from revertguard.kql.functions import compile_call

    return compile_call(node, scope)


SCALAR_HANDLERS: dict[type, Callable[[Any, Scope], Value]] = {
    ast.Literal: literal,
    ast.Name: name,
    ast.Member: access,
    ast.Index: access,
    ast.Binary: binary,
    ast.Unary: unary,
    ast.Between: between,
    ast.InList: in_list,
    ast.Call: call,
}

