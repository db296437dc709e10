"""The row-level tabular operators: where, extend, project and its variants, sort, top, take,
distinct, count, as, serialize, getschema and `| union`. The registry `OPERATORS` maps each
operator's syntax class to its handler (summarize, join, lookup and mv-expand live in their own
modules)."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import naming
from revertguard.kql.compiler import Compiler, Out
from revertguard.kql.conversions import to_bool, tostring
from revertguard.kql.errors import KqlNameError, KqlSyntaxError, KqlTypeError, did_you_mean
from revertguard.kql.scalars import Env, Scope, compile_scalar
from revertguard.kql.sources import _datatable, union, union_legs
from revertguard.kql.typed import STRING_LIKE, Col, Relation, SortSpec, Value
from revertguard.tables import KqlType


def _scope(compiler: Compiler, relation: Relation, env: Env) -> Scope:
    return Scope.of(compiler, env, relation)


def _filter_condition(sql: exp.Expression) -> exp.Expression:
    """In WHERE, NULL filters like FALSE: drop `COALESCE(p, FALSE)` wrappers under AND/OR so the
    engine can push plain predicates down."""
    if isinstance(sql, exp.Paren):
        return exp.Paren(this=_filter_condition(sql.this))
    if isinstance(sql, exp.And | exp.Or):
        return type(sql)(this=_filter_condition(sql.this), expression=_filter_condition(sql.expression))
    if isinstance(sql, exp.Coalesce) and len(sql.expressions) == 1 and isinstance(sql.expressions[0], exp.Boolean) \
            and not sql.expressions[0].this:
        return sql.this
    return sql


def op_where(compiler: Compiler, relation: Relation, op: ast.Where, env: Env) -> Relation:
    value = compile_scalar(op.predicate, _scope(compiler, relation, env))
    if value.type is KqlType.DYNAMIC:
        value = to_bool(value, compiler.dialect)
    if value.type is not KqlType.BOOL:
        raise KqlTypeError(f"'where' needs a boolean condition, not a {value.type.value}",
                           op.predicate.line, op.predicate.column)
    if value.is_const and value.const is True:
        return relation
    return compiler.output(Compiler.passthrough(relation), relation, where=_filter_condition(value.sql))


def _item(item: ast.Node) -> tuple[str | None, ast.Node]:
    if isinstance(item, ast.Assign):
        return item.name, item.expr
    return None, item


def op_extend(compiler: Compiler, relation: Relation, op: ast.Extend | ast.Serialize, env: Env) -> Relation:
    scope = _scope(compiler, relation, env)
    outs = Compiler.passthrough(relation)
    namer = naming.Namer(avoid=[o.name for o in outs])
    for item in op.items:
        explicit, expr = _item(item)
        value = compile_scalar(expr, scope)
        if isinstance(expr, ast.Star):
            raise KqlSyntaxError("extend needs expressions, not '*'", expr.line, expr.column)
        name = explicit or naming.implicit_name(expr) or namer.next_positional()
        if name in namer.taken and not explicit:
            name = namer.take(name)
        else:
            namer.taken.add(name)
        new = Out(name, value)
        existing = next((i for i, o in enumerate(outs) if o.name == name), None)
        if existing is None:
            outs.append(new)
        else:
            outs[existing] = new  # extend replaces a column of the same name, in place
        scope.columns[name] = value  # later items see this one
    return compiler.output(outs, relation)


def op_project(compiler: Compiler, relation: Relation, op: ast.Project, env: Env) -> Relation:
    scope = _scope(compiler, relation, env)
    namer = naming.Namer(reserved=[item.name for item in op.items if isinstance(item, ast.Assign)])
    outs: list[Out] = []
    written: set[str] = set()
    for item in op.items:
        explicit, expr = _item(item)
        if isinstance(expr, ast.Star):
            raise KqlSyntaxError("project needs column names or expressions, not '*'", expr.line, expr.column)
        value = compile_scalar(expr, scope)
        source = relation.column(expr.name) if isinstance(expr, ast.Name) and explicit is None else None
        spelled = explicit or (expr.name if isinstance(expr, ast.Name) else None)
        if spelled is not None:
            if spelled in written:
                raise KqlSyntaxError(f"project names two columns {spelled!r}", item.line, item.column)
            written.add(spelled)
        name = namer.name_for(explicit, expr)
        outs.append(Out(name, value, source=source))
        scope.columns.setdefault(name, value)
    return compiler.output(outs, relation)


def _matching(relation: Relation, pattern: ast.Name, operator: str, include_hidden: bool = True) -> list[Col]:
    names = relation.names(include_hidden=include_hidden)
    if any(ch in pattern.name for ch in "*?"):
        matched = [n for n in names if fnmatch.fnmatchcase(n, pattern.name)]
        return [c for c in relation.columns if c.name in matched and not c.internal]
    col = relation.column(pattern.name)
    if col is None:
        raise KqlNameError(f"{operator}: no column {pattern.name!r}" + did_you_mean(pattern.name, names),
                           pattern.line, pattern.column)
    return [col]


def op_project_away(compiler: Compiler, relation: Relation, op: ast.ProjectAway, env: Env) -> Relation:
    drop = {id(c) for p in op.patterns for c in _matching(relation, p, "project-away")}
    outs = [o for o in Compiler.passthrough(relation) if id(o.source) not in drop]
    return compiler.output(outs, relation)


def op_project_keep(compiler: Compiler, relation: Relation, op: ast.ProjectKeep, env: Env) -> Relation:
    keep = {id(c) for p in op.patterns for c in _matching(relation, p, "project-keep")}
    outs = [o for o in Compiler.passthrough(relation) if id(o.source) in keep]
    return compiler.output(outs, relation)


def op_project_rename(compiler: Compiler, relation: Relation, op: ast.ProjectRename, env: Env) -> Relation:
    outs = Compiler.passthrough(relation)
    for new, old in op.pairs:
        found = next((o for o in outs if o.name == old.name), None)
        if found is None:
            raise KqlNameError(f"project-rename: no column {old.name!r}" +
                               did_you_mean(old.name, [o.name for o in outs]), old.line, old.column)
        found.name = new.name
    names = [o.name for o in outs if not o.internal]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise KqlSyntaxError(f"project-rename makes two columns called {duplicate!r}", op.line, op.column)
    return compiler.output(outs, relation)


def op_project_reorder(compiler: Compiler, relation: Relation, op: ast.ProjectReorder, env: Env) -> Relation:
    outs = Compiler.passthrough(relation)
    first: list[Out] = []
    for pattern, direction in op.patterns:
        matched = [o for o in outs if o.source in _matching(relation, pattern, "project-reorder")
                   and o not in first]
        if direction in ("asc", "granny-asc"):
            matched.sort(key=lambda o: o.name)
        elif direction in ("desc", "granny-desc"):
            matched.sort(key=lambda o: o.name, reverse=True)
        first.extend(matched)
    return compiler.output(first + [o for o in outs if o not in first], relation)


def _constant_count(compiler: Compiler, relation: Relation, node: ast.Node, env: Env, what: str) -> int:
    value = compile_scalar(node, _scope(compiler, relation, env))
    if not value.is_const or not isinstance(value.const, int) or isinstance(value.const, bool) or value.const < 0:
        raise KqlTypeError(f"{what} needs a constant, non-negative whole number", node.line, node.column)
    return value.const


def op_take(compiler: Compiler, relation: Relation, op: ast.Take, env: Env) -> Relation:
    count = _constant_count(compiler, relation, op.count, env, "take")
    return compiler.output(Compiler.passthrough(relation), relation, limit=count)


def _sorted(compiler: Compiler, relation: Relation, keys: list[ast.SortKey], env: Env) -> Relation:
    scope = _scope(compiler, relation, env)
    outs = Compiler.passthrough(relation)
    order: list[SortSpec] = []
    for i, key in enumerate(keys):
        value = compile_scalar(key.expr, scope)
        nulls_first = key.nulls_first if key.nulls_first is not None else not key.descending
        source = relation.column(key.expr.name) if isinstance(key.expr, ast.Name) else None
        if source is not None:
            target = next(o for o in outs if o.source is source)
        else:
            target = Out(f"_rg_sort{i}", value, hidden=True, internal=True)
            outs.append(target)
        order.append(SortSpec(target.name, key.descending, nulls_first))
    sorted_relation = compiler.output(outs, relation, keep_order=False, order=order)
    return sorted_relation


def op_sort(compiler: Compiler, relation: Relation, op: ast.Sort, env: Env) -> Relation:
    return _sorted(compiler, relation, op.keys, env)


def op_top(compiler: Compiler, relation: Relation, op: ast.Top, env: Env) -> Relation:
    count = _constant_count(compiler, relation, op.count, env, "top")
    ordered = _sorted(compiler, relation, [op.key], env)
    return compiler.output(Compiler.passthrough(ordered), ordered, limit=count)


def op_distinct(compiler: Compiler, relation: Relation, op: ast.Distinct, env: Env) -> Relation:
    if len(op.items) == 1 and isinstance(op.items[0], ast.Star):
        items: list[ast.Node] = [ast.Name(c.name).at(op) for c in relation.visible]
    else:
        items = op.items
    scope = _scope(compiler, relation, env)
    namer = naming.Namer()
    outs = []
    for item in items:
        explicit, expr = _item(item)
        value = _normalised(compile_scalar(expr, scope), compiler)
        outs.append(Out(namer.name_for(explicit, expr), value))
    return compiler.output(outs, relation, keep_order=False, distinct=True)


def _normalised(value: Value, compiler: Compiler) -> Value:
    """A grouping value: NULL strings become "" so they group with empty strings."""
    if value.type in STRING_LIKE and value.nullable:
        return tostring(value, compiler.dialect)
    return value


def op_count(compiler: Compiler, relation: Relation, op: ast.Count, env: Env) -> Relation:
    count = Value(exp.cast(exp.Count(this=exp.Star()), compiler.dialect.sql_type(KqlType.LONG)), KqlType.LONG,
                  nullable=False)
    return compiler.output([Out("Count", count)], relation, keep_order=False)


def op_as(compiler: Compiler, relation: Relation, op: ast.As, env: Env) -> Relation:
    named = Relation(relation.source, relation.columns, relation.order, name=op.name)
    env.bind(op.name, named)
    return named


def op_serialize(compiler: Compiler, relation: Relation, op: ast.Serialize, env: Env) -> Relation:
    if not op.items:
        return relation
    return op_extend(compiler, relation, op, env)


def op_getschema(compiler: Compiler, relation: Relation, op: ast.GetSchema, env: Env) -> Relation:
    rows = [ast.Literal(v, t) for i, c in enumerate(relation.visible)
            for v, t in ((c.name, KqlType.STRING), (i, KqlType.LONG), (_dotnet_type(c.type), KqlType.STRING),
                         (c.type.value, KqlType.STRING))]
    table = ast.Datatable([("ColumnName", KqlType.STRING), ("ColumnOrdinal", KqlType.LONG),
                           ("DataType", KqlType.STRING), ("ColumnType", KqlType.STRING)], rows).at(op)
    return _datatable(compiler, table, env)


def _dotnet_type(kql_type: KqlType) -> str:
    return {KqlType.STRING: "System.String", KqlType.LONG: "System.Int64", KqlType.INT: "System.Int32",
            KqlType.REAL: "System.Double", KqlType.BOOL: "System.SByte", KqlType.DATETIME: "System.DateTime",
            KqlType.TIMESPAN: "System.TimeSpan", KqlType.DYNAMIC: "System.Object", KqlType.GUID: "System.Guid",
            KqlType.DECIMAL: "System.Data.SqlTypes.SqlDecimal"}[kql_type]


def op_union(compiler: Compiler, relation: Relation, op: ast.UnionOp, env: Env) -> Relation:
    node = op.union
    legs = [(relation, relation.name or "union_arg0"), *union_legs(compiler, node.legs, env, first_index=1)]
    return union(compiler, legs, node.kind, node.withsource)



def _registry() -> dict[type, Callable[[Compiler, Relation, Any, Env], Relation]]:
    from revertguard.kql.expand import op_mv_expand
    from revertguard.kql.joins import op_join, op_lookup
    from revertguard.kql.summarize import op_summarize

    return {
        ast.Where: op_where,
        ast.Extend: op_extend,
        ast.Project: op_project,
        ast.ProjectAway: op_project_away,
        ast.ProjectKeep: op_project_keep,
        ast.ProjectRename: op_project_rename,
        ast.ProjectReorder: op_project_reorder,
        ast.Take: op_take,
        ast.Sort: op_sort,
        ast.Top: op_top,
        ast.Distinct: op_distinct,
        ast.Count: op_count,
        ast.As: op_as,
        ast.Serialize: op_serialize,
        ast.GetSchema: op_getschema,
        ast.UnionOp: op_union,
        ast.Summarize: op_summarize,
        ast.Join: op_join,
        ast.Lookup: op_lookup,
        ast.MvExpand: op_mv_expand,
    }


OPERATORS = _registry()
