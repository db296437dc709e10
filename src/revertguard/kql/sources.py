"""Tabular sources that start a pipeline: `datatable`, `print`, `range` and `union`."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import naming
from revertguard.kql.compiler import Compiler, Out
from revertguard.kql.dialects.base import string
from revertguard.kql.errors import KqlNameError, KqlSyntaxError, KqlTypeError
from revertguard.kql.scalars import Env, Scope, compile_scalar
from revertguard.kql.typed import STRING_LIKE, Col, Relation, Value, column_ref, unique_sql_names
from revertguard.tables import KqlType


def _datatable(compiler: Compiler, node: ast.Datatable, env: Env) -> Relation:
    d = compiler.dialect
    scope = Scope(compiler, env)
    width = len(node.columns)
    names = [name for name, _ in node.columns]
    if len(set(names)) != len(names):
        raise KqlSyntaxError("datatable has two columns with the same name", node.line, node.column)
    rows: list[list[exp.Expression]] = []
    for start in range(0, len(node.values), width):
        row = []
        for (_, kql_type), value_node in zip(node.columns, node.values[start:start + width], strict=True):
            value = compile_scalar(value_node, scope)
            if not value.is_const:
                raise KqlTypeError("datatable values must be constants", value_node.line, value_node.column)
            row.append(_constant_as(value, kql_type, compiler, value_node))
        rows.append(row)
    sql_names = unique_sql_names(names)
    columns = [Col(name, sql, kql_type, nullable=True) for (name, kql_type), sql in zip(node.columns, sql_names,
                                                                                          strict=True)]
    if not rows:
        select = exp.select(*[exp.alias_(d.null(c.type), c.sql, quoted=True) for c in columns]).where(exp.false())
    else:
        values = exp.Values(expressions=[exp.Tuple(expressions=r) for r in rows],
                            alias=exp.TableAlias(this=exp.to_identifier("_rg_v"),
                                                 columns=[exp.to_identifier(f"c{i}") for i in range(width)]))
        select = exp.select(*[exp.alias_(d.cast(exp.column(f"c{i}"), c.type), c.sql, quoted=True)
                              for i, c in enumerate(columns)]).from_(values)
    return compiler.emit(select, columns)


def _constant_as(value: Value, kql_type: KqlType, compiler: Compiler, node: ast.Node) -> exp.Expression:
    d = compiler.dialect
    if value.const is None:
        return d.null(kql_type)
    if value.type is kql_type or (value.type in STRING_LIKE and kql_type in STRING_LIKE):
        return d.literal(value.const, kql_type)
    if kql_type is KqlType.DYNAMIC:
        return d.literal(value.const, KqlType.DYNAMIC)
    if kql_type in (KqlType.REAL, KqlType.DECIMAL) and value.type in (KqlType.LONG, KqlType.INT):
        return d.literal(float(value.const), kql_type)
    if kql_type in (KqlType.LONG, KqlType.INT) and value.type in (KqlType.LONG, KqlType.INT):
        return d.literal(value.const, kql_type)
    raise KqlTypeError(f"a {value.type.value} value in a {kql_type.value} column", node.line, node.column)


def _print(compiler: Compiler, node: ast.Print, env: Env) -> Relation:
    scope = Scope(compiler, env)
    namer = naming.Namer()
    outs = []
    for i, item in enumerate(node.items):
        explicit = item.name if isinstance(item, ast.Assign) else None
        expr = item.expr if isinstance(item, ast.Assign) else item
        value = compile_scalar(expr, scope)
        outs.append(Out(namer.take(explicit or f"print_{i}"), value))
    if not outs:
        raise KqlSyntaxError("print needs at least one expression", node.line, node.column)
    return compiler.output(outs, None)


def _range(compiler: Compiler, node: ast.Range, env: Env) -> Relation:
    scope = Scope(compiler, env)
    start, stop, step = (compile_scalar(n, scope) for n in (node.start, node.stop, node.step))
    kql_type = start.type
    if kql_type not in (KqlType.LONG, KqlType.INT, KqlType.REAL, KqlType.DATETIME, KqlType.TIMESPAN):
        raise KqlTypeError("range needs numbers, datetimes or timespans", node.line, node.column)
    select = compiler.dialect.range_rows(start.sql, stop.sql, step.sql, node.name)
    return compiler.emit(select, [Col(node.name, node.name, KqlType.LONG if kql_type is KqlType.INT else kql_type)])


def _union_source(compiler: Compiler, node: ast.Union, env: Env) -> Relation:
    return union(compiler, union_legs(compiler, node.legs, env, first_index=0), node.kind, node.withsource)


def union_legs(compiler: Compiler, legs: list[ast.Node], env: Env, first_index: int) -> list[tuple[Relation, str]]:
    """Compile union legs to (relation, label) pairs; a wildcard name expands to every matching table."""
    out: list[tuple[Relation, str]] = []
    for i, leg in enumerate(legs, start=first_index):
        if isinstance(leg, ast.Name) and any(ch in leg.name for ch in "*?"):
            matches = [t for t in compiler.catalog.table_names() if fnmatch.fnmatchcase(t, leg.name)]
            if not matches:
                raise KqlNameError(f"no table matches {leg.name!r}", leg.line, leg.column)
            out.extend((compiler.named_table(ast.Name(m).at(leg), env), m) for m in matches)
            continue
        relation = compiler.tabular(leg, env)
        label = leg.name if isinstance(leg, ast.Name) else (relation.name or f"union_arg{i}")
        out.append((relation, label))
    return out


def union(compiler: Compiler, legs: list[tuple[Relation, str]], kind: str, withsource: str | None) -> Relation:
    """Union by column name: outer keeps every column (null where a leg lacks it), inner only the
    common ones; a name with two types becomes one column per type (`x_string`, `x_long`)."""
    d = compiler.dialect
    seen: dict[str, list[KqlType]] = {}
    for relation, _ in legs:
        for col in relation.visible:
            types = seen.setdefault(col.name, [])
            if col.type not in types:
                types.append(col.type)
    if kind == "inner":
        common = set.intersection(*[{c.name for c in r.visible} for r, _ in legs])
        seen = {n: t for n, t in seen.items() if n in common}
    out_columns: list[tuple[str, str, KqlType]] = []  # (output name, input name, type)
    for name, types in seen.items():
        if len(types) == 1:
            out_columns.append((name, name, types[0]))
        else:
            out_columns.extend((f"{name}_{t.value}", name, t) for t in types)
    names = ([withsource] if withsource else []) + [n for n, _, _ in out_columns]
    sql_names = unique_sql_names(names)
    selects = []
    for relation, label in legs:
        by_name = {c.name: c for c in relation.visible}
        projections: list[exp.Expression] = []
        if withsource:
            projections.append(exp.alias_(string(label), sql_names[0], quoted=True))
        offset = 1 if withsource else 0
        for (_, in_name, kql_type), sql in zip(out_columns, sql_names[offset:], strict=True):
            col = by_name.get(in_name)
            value = column_ref(col) if col is not None and col.type is kql_type else d.null(kql_type)
            projections.append(exp.alias_(value, sql, quoted=True))
        selects.append(exp.select(*projections).from_(relation.source))
    combined: exp.Expression = selects[0]
    for select in selects[1:]:
        combined = exp.union(combined, select, distinct=False)
    columns = ([Col(withsource, sql_names[0], KqlType.STRING, nullable=False)] if withsource else []) + [
        Col(n, sql, t) for (n, _, t), sql in zip(out_columns, sql_names[1 if withsource else 0:], strict=True)]
    wrapper = exp.select(*[exp.column(c.sql, quoted=True) for c in columns]).from_(
        exp.Subquery(this=combined, alias=exp.TableAlias(this=exp.to_identifier("_rg_u"))))
    return compiler.emit(wrapper, columns)


SOURCES: dict[type, Callable[[Compiler, Any, Env], Relation]] = {
    ast.Datatable: _datatable,
    ast.Print: _print,
    ast.Range: _range,
    ast.Union: _union_source,
}


