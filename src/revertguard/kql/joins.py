"""`join` and `lookup`.

Join kinds (join-operator): the default `innerunique` keeps one left row per key value before
an inner join; `inner`, `leftouter`, `rightouter`, `fullouter` are the SQL joins; `leftsemi` /
`leftanti` keep left rows with / without a match (and only left columns), `rightsemi` /
`rightanti` the same from the right. The output has the left columns, then the right ones; a
right column whose name is already taken gets `1` appended (`Caller1`), then `2`, ...

Keys are compared the KQL way: strings treat NULL as "", a dynamic key is compared as its text.
"""

from __future__ import annotations

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql.compiler import Compiler, Out
from revertguard.kql.conversions import as_string
from revertguard.kql.dialects.base import string
from revertguard.kql.errors import KqlNameError, KqlTypeError, did_you_mean
from revertguard.kql.scalars import Env
from revertguard.kql.typed import NUMERIC_TYPES, STRING_LIKE, Col, Relation, Value, column_ref
from revertguard.tables import KqlType

LEFT, RIGHT = "_rg_l", "_rg_r"


def _key_column(relation: Relation, name: str, side: str, node: ast.Node) -> Col:
    col = relation.column(name)
    if col is None:
        raise KqlNameError(f"join: the {side} side has no column {name!r}" + did_you_mean(name, relation.names()),
                           node.line, node.column)
    return col


def _key_value(col: Col, table: str, compiler: Compiler) -> Value:
    value = Value(column_ref(col, table), col.type, nullable=col.nullable)
    if col.type is KqlType.DYNAMIC:
        value = as_string(value, compiler.dialect)
    if value.type in STRING_LIKE and value.nullable:
        return Value(exp.Coalesce(this=value.sql, expressions=[string("")]), value.type, nullable=False)
    return value


def _conditions(compiler: Compiler, left: Relation, right: Relation, on: list[ast.JoinOn]
                ) -> tuple[exp.Expression, list[tuple[Col, Col]]]:
    terms = []
    pairs = []
    for condition in on:
        lcol = _key_column(left, condition.left, "left", condition)
        rcol = _key_column(right, condition.right, "right", condition)
        lval, rval = _key_value(lcol, LEFT, compiler), _key_value(rcol, RIGHT, compiler)
        if not _comparable(lval.type, rval.type):
            raise KqlTypeError(f"join: cannot match {condition.left!r} ({lcol.type.value}) with "
                               f"{condition.right!r} ({rcol.type.value})", condition.line, condition.column)
        terms.append(exp.EQ(this=lval.sql, expression=rval.sql))
        pairs.append((lcol, rcol))
    return exp.and_(*terms) if len(terms) > 1 else terms[0], pairs


def _comparable(a: KqlType, b: KqlType) -> bool:
    return a == b or (a in STRING_LIKE and b in STRING_LIKE) or (a in NUMERIC_TYPES and b in NUMERIC_TYPES)


def _dedupe_left(compiler: Compiler, left: Relation, pairs: list[tuple[Col, Col]]) -> Relation:
    """innerunique: one (arbitrary) left row per key value."""
    keys = [_key_value(lcol, None, compiler).sql for lcol, _ in pairs]
    row_number = compiler.dialect.row_number(keys)
    first = exp.EQ(this=row_number, expression=exp.Literal.number(1))
    return compiler.output(Compiler.passthrough(left, include_hidden=False), left, keep_order=False, qualify=first)


def _right_names(left_names: list[str], right_cols: list[Col], skip: set[str] = frozenset()) -> list[str | None]:
    taken = set(left_names)
    names: list[str | None] = []
    for col in right_cols:
        if col.name in skip:
            names.append(None)
            continue
        name, n = col.name, 0
        while name in taken:
            n += 1
            name = f"{col.name}{n}"
        taken.add(name)
        names.append(name)
    return names


def op_join(compiler: Compiler, left: Relation, op: ast.Join, env: Env) -> Relation:
    right = compiler.tabular(op.right, env)
    kind = op.kind
    condition, pairs = _conditions(compiler, left, right, op.on)
    if kind in ("leftsemi", "leftanti", "rightsemi", "rightanti"):
        return _semi(compiler, left, right, condition, kind)
    if kind == "innerunique":
        left = _dedupe_left(compiler, left, pairs)
        condition, pairs = _conditions(compiler, left, right, op.on)
    return _joined(compiler, left, right, condition, kind, skip=set())


def _joined(compiler: Compiler, left: Relation, right: Relation, condition: exp.Expression, kind: str,
            skip: set[str]) -> Relation:
    left_nullable = kind in ("rightouter", "fullouter")
    right_nullable = kind in ("leftouter", "fullouter")
    outs = []
    for col in left.visible:
        outs.append(Out(col.name, Value(column_ref(col, LEFT), col.type, nullable=col.nullable or left_nullable)))
    names = _right_names([c.name for c in left.visible], right.visible, skip)
    for col, name in zip(right.visible, names, strict=True):
        if name is not None:
            outs.append(Out(name, Value(column_ref(col, RIGHT), col.type, nullable=col.nullable or right_nullable)))
    join_type = {"inner": "INNER", "innerunique": "INNER", "leftouter": "LEFT", "rightouter": "RIGHT",
                 "fullouter": "FULL"}[kind]
    source = exp.alias_(left.source.copy(), LEFT, table=True)
    joined = exp.select("*").from_(source).join(exp.alias_(right.source.copy(), RIGHT, table=True),
                                                on=condition, join_type=join_type)
    return compiler.output(outs, None, keep_order=False, from_=joined.args["from_"].this,
                           joins=joined.args.get("joins"))


def _semi(compiler: Compiler, left: Relation, right: Relation, condition: exp.Expression, kind: str) -> Relation:
    keep, other, keep_alias, other_alias = (left, right, LEFT, RIGHT) if kind.startswith("left") else \
        (right, left, RIGHT, LEFT)
    probe = exp.select(exp.Literal.number(1)).from_(exp.alias_(other.source.copy(), other_alias, table=True)) \
        .where(condition)
    exists: exp.Expression = exp.Exists(this=probe)
    if kind.endswith("anti"):
        exists = exp.Not(this=exists)
    outs = [Out(c.name, Value(column_ref(c, keep_alias), c.type, nullable=c.nullable)) for c in keep.visible]
    return compiler.output(outs, None, keep_order=False, where=exists,
                           from_=exp.alias_(keep.source.copy(), keep_alias, table=True))


def op_lookup(compiler: Compiler, left: Relation, op: ast.Lookup, env: Env) -> Relation:
    """`lookup`: a left-outer (or inner) join that adds the right side's non-key columns."""
    right = compiler.tabular(op.right, env)
    condition, pairs = _conditions(compiler, left, right, op.on)
    skip = {rcol.name for lcol, rcol in pairs if lcol.name == rcol.name}
    return _joined(compiler, left, right, condition, "leftouter" if op.kind == "leftouter" else "inner", skip)
