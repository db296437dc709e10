"""`mv-expand` (and the legacy `mvexpand`): one row per element of dynamic arrays or bags.

As the mv-expand docs say: several columns expand in parallel (shorter ones give null); a
null value gives one row with null, an empty array or bag gives no row; a property bag
expands into one-entry bags (`kind=bag`) or `[key, value]` pairs (`kind=array`); other
values give one row. `to typeof(T)` only casts: elements that are not of that type become
null. `with_itemindex=I` numbers the elements from 0. `mvexpand` stops at 128 elements.
"""

from __future__ import annotations

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql import naming
from revertguard.kql.compiler import Compiler, Out
from revertguard.kql.conversions import as_string, convert
from revertguard.kql.dialects.base import number, string
from revertguard.kql.errors import KqlTypeError
from revertguard.kql.scalars import Env, Scope, compile_scalar
from revertguard.kql.typed import Relation, Value
from revertguard.tables import KqlType

LEGACY_LIMIT = 128

# JSON element kinds (as `json_type` spells them) each `to typeof()` accepts.
_CONFORMING = {
    KqlType.STRING: ("VARCHAR",),
    KqlType.GUID: ("VARCHAR",),
    KqlType.LONG: ("BIGINT", "UBIGINT"),
    KqlType.INT: ("BIGINT", "UBIGINT"),
    KqlType.REAL: ("DOUBLE", "BIGINT", "UBIGINT"),
    KqlType.DECIMAL: ("DOUBLE", "BIGINT", "UBIGINT"),
    KqlType.BOOL: ("BOOLEAN",),
    KqlType.DATETIME: ("VARCHAR",),
    KqlType.TIMESPAN: ("VARCHAR",),
}


def op_mv_expand(compiler: Compiler, relation: Relation, op: ast.MvExpand, env: Env) -> Relation:
    d = compiler.dialect
    scope = Scope.of(compiler, env, relation)
    limit = None
    if op.limit is not None:
        limit_value = compile_scalar(op.limit, scope)
        if not limit_value.is_const or not isinstance(limit_value.const, int) or limit_value.const < 0:
            raise KqlTypeError("mv-expand's limit must be a constant whole number", op.limit.line, op.limit.column)
        limit = limit_value.const
    elif op.legacy:
        limit = LEGACY_LIMIT
    namer = naming.Namer(avoid=relation.names(include_hidden=True))
    expanded: list[tuple[str, exp.Expression, bool, KqlType | None]] = []  # name, list, native strings, to type
    for item in op.items:
        value = compile_scalar(item.expr, scope)
        if value.type is not KqlType.DYNAMIC:
            raise KqlTypeError(f"mv-expand needs a dynamic value (an array or a bag), not a {value.type.value}; "
                               "use parse_json() or todynamic()", item.line, item.column)
        name = item.name or naming.implicit_name(item.expr) or namer.next_positional()
        if value.elements is not None:
            values, native = value.elements, True
        else:
            values, native = _elements(value, op.bag_kind == "array", compiler), False
        if limit is not None:
            values = d.list_slice(values, number(limit))
        expanded.append((name, values, native, item.to_type))

    expanded_names = {name for name, *_ in expanded}
    keep = [o for o in Compiler.passthrough(relation, include_hidden=False) if o.name not in expanded_names]
    keep_sql = [exp.alias_(o.value.sql, f"k{i}", quoted=True) for i, o in enumerate(keep)]
    lists = [(f"e{i}", values) for i, (_, values, _, _) in enumerate(expanded)]
    unnested = d.mv_expand(relation.source, keep_sql, lists, "_rg_index" if op.index_column else None)
    step = compiler.emit(unnested, [])

    def ref(name: str) -> exp.Column:
        return exp.column(name, table=None, quoted=True)

    outs: list[Out] = []
    positions = {o.name: i for i, o in enumerate(Compiler.passthrough(relation, include_hidden=False))}
    for i, o in enumerate(keep):
        outs.append(Out(o.name, Value(ref(f"k{i}"), o.value.type, nullable=o.value.nullable)))
    for i, (name, _, native, to_type) in enumerate(expanded):
        element = ref(f"e{i}")
        if native:
            value = Value(d.to_json(element), KqlType.DYNAMIC, text=element)
            if to_type in (KqlType.STRING, KqlType.GUID):
                value = Value(element, to_type)
            elif to_type is not None and to_type is not KqlType.DYNAMIC:
                value = convert(value, to_type, d)
        else:
            value = Value(element, KqlType.DYNAMIC)
            if to_type is not None and to_type is not KqlType.DYNAMIC:
                value = _cast_element(value, to_type, compiler)
        out = Out(name, value)
        if name in positions:
            outs.insert(min(positions[name], len(outs)), out)
        else:
            outs.append(out)
    if op.index_column:
        outs.append(Out(op.index_column, Value(exp.cast(ref("_rg_index"), d.sql_type(KqlType.LONG)),
                                               KqlType.LONG, nullable=False)))
    return compiler.output(outs, None, keep_order=False, from_=step.source)


def _elements(value: Value, as_pairs: bool, compiler: Compiler) -> exp.Expression:
    """The list a dynamic value expands into."""
    d = compiler.dialect
    kind = d.json_type(value.sql)
    return exp.Case(
        ifs=[
            exp.If(this=d.json_is_null(value.sql), true=exp.Array(expressions=[d.null(KqlType.DYNAMIC)])),
            exp.If(this=exp.EQ(this=kind, expression=string("ARRAY")), true=d.json_elements(value.sql)),
            exp.If(this=exp.EQ(this=kind, expression=string("OBJECT")), true=d.json_bag_entries(value.sql, as_pairs)),
        ],
        default=exp.Array(expressions=[value.sql]),
    )


def _cast_element(value: Value, to_type: KqlType, compiler: Compiler) -> Value:
    """`to typeof(T)`: an element of another type becomes null (a cast, not a conversion)."""
    d = compiler.dialect
    kinds = _CONFORMING.get(to_type, ())
    conforms = exp.In(this=d.json_type(value.sql), expressions=[string(k) for k in kinds])
    converted = as_string(value, d) if to_type in (KqlType.STRING, KqlType.GUID) else convert(value, to_type, d)
    return Value(exp.Case(ifs=[exp.If(this=conforms, true=converted.sql)]), to_type)
