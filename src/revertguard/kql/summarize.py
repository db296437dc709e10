"""The `summarize` operator: group by the `by` expressions, one row per group.

Output columns are the `by` columns, then the aggregates, named as Kusto names them
(`count_`, `set_X`, ...). `arg_max(key, cols)` / `arg_min(key, cols)` return the row of each
group where `key` is largest / smallest: they are compiled to one struct aggregate, unpacked
in a second step. Without `by`, an empty input still gives one row (`count()` is 0).
"""

from __future__ import annotations

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import naming
from revertguard.kql.compiler import Compiler, Out
from revertguard.kql.conversions import tostring
from revertguard.kql.errors import KqlNameError, KqlTypeError
from revertguard.kql.scalars import AggregateSink, Env, Scope, compile_scalar
from revertguard.kql.typed import STRING_LIKE, Relation, Value, column_ref


def op_summarize(compiler: Compiler, relation: Relation, op: ast.Summarize, env: Env) -> Relation:
    scope = Scope.of(compiler, env, relation)
    namer = naming.Namer()
    by_outs: list[Out] = []
    for item in op.by:
        explicit, expr = (item.name, item.expr) if isinstance(item, ast.Assign) else (None, item)
        value = compile_scalar(expr, scope)
        if value.type in STRING_LIKE and value.nullable:
            value = tostring(value, compiler.dialect)  # NULL and "" are one group
        by_outs.append(Out(namer.name_for(explicit, expr), value))

    sink = AggregateSink(scope.columns)
    aggregate_scope = Scope(compiler, env, {}, None, relation, sink)
    inner: list[Out] = list(by_outs)
    # Each final column: ("plain", name) or ("field", name, struct column, field).
    final: list[tuple[str, ...]] = [("plain", o.name) for o in by_outs]
    field_types: dict[str, Value] = {}
    for index, item in enumerate(op.aggregates):
        explicit, expr = (item.name, item.expr) if isinstance(item, ast.Assign) else (None, item)
        if isinstance(expr, ast.Call) and expr.name in ("arg_max", "arg_min"):
            _arg_extreme(compiler, expr, scope, namer, inner, final, field_types, index, explicit,
                         {o.name for o in by_outs})
            continue
        before = sink.count
        try:
            value = compile_scalar(expr, aggregate_scope)
        except KqlNameError as exc:
            if exc.message.startswith("unknown column") and _column_name(exc) in scope.columns:
                raise KqlTypeError(f"summarize: column {_column_name(exc)!r} must be inside an aggregation "
                                   f"such as take_any({_column_name(exc)}) or max({_column_name(exc)}), or "
                                   "in the 'by' list", exc.line, exc.column) from None
            raise
        if sink.count == before and not value.is_const:
            raise KqlTypeError("summarize: every item before 'by' must be an aggregation such as count() or "
                               "max(x)", expr.line, expr.column)
        name = namer.name_for(explicit, expr)
        inner.append(Out(name, value))
        final.append(("plain", name))

    group_by = [o.value.sql.copy() for o in by_outs]
    grouped = compiler.output(inner, relation, keep_order=False, group_by=group_by or None)
    if all(kind == "plain" for kind, *_ in final):
        return grouped
    d = compiler.dialect
    outs: list[Out] = []
    by_name = {c.name: c for c in grouped.columns}
    for entry in final:
        if entry[0] == "plain":
            col = by_name[entry[1]]
            outs.append(Out(col.name, Value(column_ref(col), col.type, nullable=col.nullable), source=col))
        else:
            _, name, struct_name, field = entry
            struct = by_name[struct_name]
            value = field_types[name]
            outs.append(Out(name, Value(d.struct_field(column_ref(struct), field), value.type,
                                        nullable=value.nullable)))
    return compiler.output(outs, grouped, keep_order=False)


def _column_name(exc: KqlNameError) -> str:
    return exc.message.split("'")[1] if "'" in exc.message else ""


def _arg_extreme(compiler: Compiler, call: ast.Call, scope: Scope, namer: naming.Namer, inner: list[Out],
                 final: list[tuple[str, ...]], field_types: dict[str, Value], index: int, explicit: str | None,
                 by_names: set[str]) -> None:
    """`arg_max(key, a, b)` / `arg_max(key, *)`: the key's extreme, and the other columns of that row."""
    d = compiler.dialect
    which = "max" if call.name == "arg_max" else "min"
    if len(call.args) < 2:
        raise KqlTypeError(f"{call.name}() needs the expression to maximise and the columns to return "
                           f"({call.name}(TimeGenerated, *))", call.line, call.column)
    key = compile_scalar(call.args[0], scope)
    if key.type in STRING_LIKE and key.nullable:
        key = tostring(key, d)
    key_name = namer.name_for(explicit, call.args[0])
    key_column = call.args[0].name if isinstance(call.args[0], ast.Name) else key_name
    returned: list[tuple[str, Value]] = []
    for node in call.args[1:]:
        if isinstance(node, ast.Star):
            # `*`: every other input column (not the by columns, nor the key's own column).
            for col in scope.relation.visible if scope.relation else []:
                if col.name in by_names or col.name == key_column or any(col.name == n for n, _ in returned):
                    continue
                returned.append((col.name, Value(column_ref(col), col.type, nullable=col.nullable)))
        else:
            explicit_name, expr = (node.name, node.expr) if isinstance(node, ast.Assign) else (None, node)
            value = compile_scalar(expr, scope)
            returned.append((explicit_name or naming.implicit_name(expr) or namer.next_positional(), value))
    fields = [(key_name, key), *returned]
    struct = d.struct([(f"f{i}", v.sql) for i, (_, v) in enumerate(fields)])
    best = d.agg_arg(which, struct, key.sql)
    # Kusto still returns a row when every key is null: fall back to any row of the group.
    any_row = exp.AnyValue(this=struct.copy())
    struct_name = f"_rg_arg{index}"
    inner.append(Out(struct_name, Value(exp.Coalesce(this=best, expressions=[any_row]), key.type),
                     hidden=True, internal=True))
    for i, (name, value) in enumerate(fields):
        out_name = namer.take(name) if i else key_name
        field_types[out_name] = value
        final.append(("field", out_name, struct_name, f"f{i}"))
