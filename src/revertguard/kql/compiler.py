"""Compiling a KQL script to one SQL query (a sqlglot expression).

Each tabular operator becomes one common table expression (CTE) that selects its columns by
name, so the engine's optimiser sees a plain pipeline and no physical column (such as the
store's `_rg_key`) can leak into a result. Handlers are registered per operator class in
`OPERATORS`; scalar expressions are compiled by `scalars`.

The compiler tracks, for every relation, each column's KQL name and type, and the order its
rows are in (`sort` may be followed by operators that keep the order; SQL only guarantees
order in the final `ORDER BY`, so the order is carried to the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from revertguard.kql import expressions as ast
from revertguard.kql.catalog import Catalog, TableSource
from revertguard.kql.conversions import convert, tostring
from revertguard.kql.dialects.base import Dialect, number, string
from revertguard.kql.errors import (
    KqlNameError,
    KqlTypeError,
    KqlUnsupportedError,
    did_you_mean,
)
from revertguard.kql.scalars import Env, FunctionBinding, Scope, compile_scalar, constant
from revertguard.kql.typed import STRING_LIKE, Col, Relation, SortSpec, Value, column_ref, unique_sql_names
from revertguard.tables import KqlType

_TABULAR_NODES = (ast.Pipe, ast.Datatable, ast.Print, ast.Range, ast.Union)
_TABULAR_CALLS = frozenset({"materialize", "_GetWatchlist", "table", "view"})


@dataclass
class Out:
    """One output column of an operator: its name and value (`source` when passed through)."""

    name: str
    value: Value
    hidden: bool = False
    internal: bool = False
    source: Col | None = None


class Compiler:
    """Compiles one script against a catalog, for one SQL dialect, with one pinned `now`."""

    def __init__(self, catalog: Catalog, dialect: Dialect, now: datetime) -> None:
        self.catalog = catalog
        self.dialect = dialect
        self.now = now
        self.ctes: list[exp.CTE] = []
        self._calling: list[FunctionBinding] = []  # let functions being expanded (to refuse recursion)
        self._deciding: list[FunctionBinding] = []

    # -- entry points ------------------------------------------------------------------------
    def compile_script(self, script: ast.Script) -> tuple[exp.Select, list[Col]]:
        """The whole query, and the columns of its result (name, KQL type)."""
        env = Env()
        for let in script.lets:
            self.bind_let(let, env)
        relation = self.tabular(script.query, env)
        return self.finish(relation), relation.visible

    def bind_let(self, let: ast.Let, env: Env) -> None:
        if isinstance(let.value, ast.Function):
            env.bind(let.name, FunctionBinding(let.value, env, let.name))
            return
        if self.is_tabular(let.value, env):
            relation = self.tabular(let.value, env)
            relation.name = let.name
            env.bind(let.name, relation)
        else:
            env.bind(let.name, compile_scalar(let.value, Scope(self, env)))

    def finish(self, relation: Relation) -> exp.Select:
        projections = []
        for col in relation.visible:
            value = column_ref(col)
            if col.type in STRING_LIKE and col.nullable:
                value = exp.Coalesce(this=value, expressions=[string("")])
            projections.append(exp.alias_(value, col.name, quoted=True))
        if not projections:
            raise KqlTypeError("the query's result has no columns")
        select = exp.select(*projections).from_(relation.source)
        if relation.order:
            select = select.order_by(*self.order_terms(relation))
        if self.ctes:
            select.set("with_", exp.With(expressions=self.ctes))
        return parenthesize(select)

    # -- relations and CTEs ------------------------------------------------------------------
    def emit(self, select: exp.Select, columns: list[Col], order: list[SortSpec] | None = None,
             materialized: bool = False) -> Relation:
        name = f"_rg_{len(self.ctes)}"
        cte = exp.CTE(this=select, alias=exp.TableAlias(this=exp.to_identifier(name)))
        if materialized and self.dialect.materialized_ctes:
            cte.set("materialized", True)
        self.ctes.append(cte)
        return Relation(exp.Table(this=exp.to_identifier(name)), columns, order or [])

    def output(self, outs: list[Out], source: Relation | None, *, where: exp.Expression | None = None,
               keep_order: bool = True, distinct: bool = False, group_by: list[exp.Expression] | None = None,
               limit: int | None = None, order: list[SortSpec] | None = None,
               qualify: exp.Expression | None = None, from_: exp.Expression | None = None,
               joins: list[exp.Join] | None = None) -> Relation:
        """Emit `SELECT outs FROM source [WHERE] [GROUP BY] [QUALIFY] [ORDER BY ... LIMIT]` as a new relation.

        Expressions are used as they are (not copied): every value is built fresh for one output.
        """
        outs = list(outs)
        carried: list[SortSpec] = []
        if source is not None and keep_order and source.order:
            carried = self._carry_order(source, outs)
        sql_names = unique_sql_names([o.name for o in outs])
        columns = [Col(o.name, sql, o.value.type, hidden=o.hidden, internal=o.internal,
                       nullable=o.value.nullable) for o, sql in zip(outs, sql_names, strict=True)]
        select = exp.Select(expressions=self._projections(outs, sql_names, source if from_ is None else None))
        if from_ is not None:
            select.set("from_", exp.From(this=from_))
            if joins:
                select.set("joins", joins)
        elif source is not None:
            select.set("from_", exp.From(this=source.source.copy()))
        if where is not None:
            select.set("where", exp.Where(this=where))
        if group_by:
            select.set("group", exp.Group(expressions=group_by))
        if qualify is not None:
            select.set("qualify", exp.Qualify(this=qualify))
        if distinct:
            select.set("distinct", exp.Distinct())
        if limit is not None:
            if source is not None and source.order and keep_order:
                select.set("order", exp.Order(expressions=self.order_terms(source)))
            select.set("limit", exp.Limit(expression=number(limit)))
        names = {o.name: col for o, col in zip(outs, columns, strict=True)}
        new_order = order if order is not None else [
            SortSpec(names[s.sql].sql, s.descending, s.nulls_first) for s in carried if s.sql in names]
        return Relation(self.emit(select, columns).source, columns, new_order)

    @staticmethod
    def _projections(outs: list[Out], sql_names: list[str], source: Relation | None) -> list[exp.Expression]:
        """`*` for the source's columns when they pass through unchanged (a CTE has exactly those
        columns; a physical table has more, so it is always listed), then the rest by name."""
        start = 0
        if source is not None and not source.physical and len(outs) >= len(source.columns) and source.columns and \
                all(o.source is c and o.name == c.name and sql == c.sql and o.hidden == c.hidden
                    for o, c, sql in zip(outs, source.columns, sql_names, strict=False)):
            start = len(source.columns)
        projections: list[exp.Expression] = [exp.Star()] if start else []
        for o, sql in zip(outs[start:], sql_names[start:], strict=True):
            value = o.value.sql
            if isinstance(value, exp.Column) and value.name == sql and not value.table:
                projections.append(value)
            else:
                projections.append(exp.Alias(this=value, alias=exp.to_identifier(sql, quoted=True)))
        return projections

    def _carry_order(self, source: Relation, outs: list[Out]) -> list[SortSpec]:
        """Keep the rows' order through a projection: make sure each sort key is still there."""
        carried = []
        by_sql = {c.sql: c for c in source.columns}
        for i, spec in enumerate(source.order):
            col = by_sql[spec.sql]
            match = next((o for o in outs if o.source is col), None)
            if match is None:
                match = Out(f"_rg_order{i}", Value(column_ref(col), col.type, nullable=col.nullable),
                            hidden=True, internal=True, source=col)
                outs.append(match)
            carried.append(SortSpec(match.name, spec.descending, spec.nulls_first))
        return carried

    def order_terms(self, relation: Relation, table: str | None = None) -> list[exp.Ordered]:
        return [exp.Ordered(this=exp.column(s.sql, table=table, quoted=True), desc=s.descending,
                            nulls_first=s.nulls_first) for s in relation.order]

    @staticmethod
    def passthrough(relation: Relation, include_hidden: bool = True, table: str | None = None) -> list[Out]:
        return [Out(c.name, Value(column_ref(c, table), c.type, nullable=c.nullable), hidden=c.hidden,
                    internal=c.internal, source=c)
                for c in relation.columns if (include_hidden or not c.hidden) and not c.internal]

    # -- tabular expressions -----------------------------------------------------------------
    def is_tabular(self, node: ast.Node, env: Env) -> bool:
        if isinstance(node, _TABULAR_NODES):
            return True
        if isinstance(node, ast.Name):
            binding = env.lookup(node.name)
            if isinstance(binding, Relation):
                return True
            if isinstance(binding, Value):
                return False
            if isinstance(binding, FunctionBinding):
                return self._function_is_tabular(binding, env)
            return self.catalog.table(node.name) is not None or any(ch in node.name for ch in "*?")
        if isinstance(node, ast.Call):
            if node.name in _TABULAR_CALLS:
                return True
            binding = env.lookup(node.name)
            if isinstance(binding, FunctionBinding):
                return self._function_is_tabular(binding, env)
        return False

    def _function_is_tabular(self, binding: FunctionBinding, env: Env) -> bool:
        """Whether a function's body is a table, decided from its shape (nothing is compiled):
        parameters and inner lets stand in as placeholders of their kind."""
        if binding in self._deciding:
            return False  # a recursive function; invoke() reports it
        self._deciding.append(binding)
        try:
            inner = Env(binding.env)
            for param in binding.function.params:
                inner.bind(param.name, self._placeholder(param.type is None, param.type))
            for let in binding.function.lets:
                if isinstance(let.value, ast.Function):
                    inner.bind(let.name, FunctionBinding(let.value, inner, let.name))
                else:
                    inner.bind(let.name, self._placeholder(self.is_tabular(let.value, inner), None))
            return self.is_tabular(binding.function.body, inner)
        finally:
            self._deciding.pop()

    def _placeholder(self, tabular: bool, kql_type: KqlType | None) -> Value | Relation:
        if tabular:
            return Relation(exp.Table(this=exp.to_identifier("_rg_placeholder")), [])
        return constant(None, kql_type or KqlType.DYNAMIC, Scope(self, Env()))

    def tabular(self, node: ast.Node, env: Env) -> Relation:
        """Compile a tabular expression to a relation."""
        if isinstance(node, ast.Pipe):
            relation = self.tabular(node.source, env)
            local = Env(env)  # `as` names are visible to the rest of this pipeline only
            for operator in node.operators:
                handler = _operators().get(type(operator))
                if handler is None:
                    raise KqlUnsupportedError(f"the {type(operator).__name__.lower()} operator is not supported",
                                              operator.line, operator.column)
                relation = handler(self, relation, operator, local)
            return relation
        if isinstance(node, ast.Name):
            return self.named_table(node, env)
        if isinstance(node, ast.Call):
            return self.tabular_call(node, env)
        source = _sources().get(type(node))
        if source is not None:
            return source(self, node, env)
        raise KqlTypeError("a scalar value where a table is expected", node.line, node.column)

    def named_table(self, node: ast.Name, env: Env) -> Relation:
        binding = env.lookup(node.name)
        if isinstance(binding, Relation):
            return binding
        if isinstance(binding, FunctionBinding):
            result = self.invoke(binding, [], node, Scope(self, env))
            if isinstance(result, Relation):
                return result
            raise KqlTypeError(f"{node.name!r} is a scalar value, used where a table is expected",
                               node.line, node.column)
        if isinstance(binding, Value):
            raise KqlTypeError(f"{node.name!r} is a scalar value, used where a table is expected",
                               node.line, node.column)
        table = self.catalog.table(node.name)
        if table is not None:
            return self.base_table(table, node.name)
        tables = list(self.catalog.table_names())
        lets = [n for n in env.names() if isinstance(env.lookup(n), Relation | FunctionBinding)]
        raise KqlNameError(f"unknown table {node.name!r}" + did_you_mean(node.name, tables + lets),
                           node.line, node.column)

    def base_table(self, table: TableSource, name: str) -> Relation:
        # Base-table columns keep their physical names (a schema has no names that differ only in case).
        columns = [Col(c.name, c.name, c.type, hidden=c.hidden) for c in table.schema.columns]
        return Relation(table.relation.copy(), columns, [], name=name, physical=True)

    def tabular_call(self, node: ast.Call, env: Env) -> Relation:
        binding = env.lookup(node.name)
        if isinstance(binding, FunctionBinding):
            result = self.invoke(binding, node.args, node, Scope(self, env))
            if isinstance(result, Relation):
                return result
            raise KqlTypeError(f"{node.name}() returns a scalar value, used where a table is expected",
                               node.line, node.column)
        if node.name == "materialize":
            if len(node.args) != 1:
                raise KqlTypeError("materialize() takes one tabular expression", node.line, node.column)
            inner = self.tabular(node.args[0], env)
            select = exp.select(*[exp.alias_(column_ref(c), c.sql, quoted=True) for c in inner.columns]) \
                .from_(inner.source)
            relation = self.emit(select, list(inner.columns), materialized=True)
            relation.order = list(inner.order)
            relation.name = inner.name
            return relation
        if node.name in ("_GetWatchlist", "table"):
            if len(node.args) != 1:
                raise KqlTypeError(f"{node.name}() takes one name", node.line, node.column)
            name_value = compile_scalar(node.args[0], Scope(self, env))
            if not name_value.is_const or not isinstance(name_value.const, str):
                raise KqlTypeError(f"{node.name}()'s argument must be a constant string", node.line, node.column)
            alias = name_value.const
            if node.name == "table":
                return self.named_table(ast.Name(alias).at(node), env)
            source = self.catalog.watchlist(alias)
            if source is None:
                raise KqlNameError(f"no watchlist {alias!r} in the store" +
                                   (did_you_mean(alias, self.catalog.watchlist_names()) or
                                    " (load one before running the query)"), node.line, node.column)
            return self.base_table(source, alias)
        raise KqlTypeError(f"{node.name}() is not a tabular function", node.line, node.column)

    def invoke(self, binding: FunctionBinding, args: list[ast.Node], node: ast.Node,
               scope: Scope) -> Value | Relation:
        """Call a `let` function: bind its parameters, then compile its body."""
        if binding in self._calling:
            raise KqlTypeError(f"{binding.name}() calls itself: KQL functions cannot be recursive",
                               node.line, node.column)
        self._calling.append(binding)
        try:
            return self._expand(binding, args, node, scope)
        finally:
            self._calling.pop()

    def _expand(self, binding: FunctionBinding, args: list[ast.Node], node: ast.Node,
                scope: Scope) -> Value | Relation:
        function = binding.function
        params = function.params
        if len(args) > len(params):
            raise KqlTypeError(f"{binding.name}() takes {len(params)} argument(s), got {len(args)}",
                               node.line, node.column)
        inner = Env(binding.env)
        for i, param in enumerate(params):
            if i < len(args):
                source: ast.Node = args[i]
                caller_env = scope.env
            elif param.default is not None:
                source, caller_env = param.default, binding.env
            else:
                raise KqlTypeError(f"{binding.name}() needs a value for parameter {param.name!r}",
                                   node.line, node.column)
            if param.type is None:
                inner.bind(param.name, self.tabular(source, caller_env))
            else:
                value = compile_scalar(source, Scope(self, caller_env, scope.columns, scope.table, scope.relation)
                                       if caller_env is scope.env else Scope(self, caller_env))
                inner.bind(param.name, convert(value, param.type, self.dialect) if value.type is not param.type
                           and not (value.is_const and value.const is None) else value)
        for let in function.lets:
            self.bind_let(let, inner)
        if self.is_tabular(function.body, inner):
            return self.tabular(function.body, inner)
        return compile_scalar(function.body, Scope(self, inner, scope.columns, scope.table, scope.relation))

    # -- scalar helpers used by `scalars` ----------------------------------------------------
    def first_column_values(self, relation: Relation, node: ast.Node, *, as_text: bool,
                            lower: bool) -> exp.Select:
        """A subquery of the values of a table's first column (`x in (T)`); dynamic arrays are
        spread into their elements."""
        visible = relation.visible
        if not visible:
            raise KqlTypeError("the table on the right of 'in' has no columns", node.line, node.column)
        col = visible[0]
        value = Value(column_ref(col), col.type, nullable=col.nullable)
        d = self.dialect
        if col.type is KqlType.DYNAMIC:
            return self._elements(d.json_element_texts(value.sql), relation.source, as_text=as_text, lower=lower)
        item = tostring(value, d).sql if as_text else value.sql
        if lower:
            item = d.lower(item)
        return exp.select(exp.alias_(item, "_rg_value", quoted=True)).from_(relation.source)

    def dynamic_values(self, value: Value, *, as_text: bool, lower: bool) -> exp.Select:
        """A subquery of the elements of a (non-constant) dynamic array."""
        texts = value.elements if value.elements is not None else self.dialect.json_element_texts(value.sql)
        return self._elements(texts, None, as_text=as_text, lower=lower)

    def _elements(self, texts: exp.Expression, source: exp.Expression | None, *, as_text: bool,
                  lower: bool) -> exp.Select:
        """One row (`_rg_value`) per element of a list of strings: as reals unless `as_text`,
        lower-cased if asked. The elements are converted in an outer query: some engines cannot
        convert an unnested value in place, nor use a subquery's value in a list function."""
        d = self.dialect
        unnested = exp.select(exp.alias_(d.unnest(texts), "_rg_value", quoted=True))
        if source is not None:
            unnested = unnested.from_(source)
        if as_text and not lower:
            return unnested
        element: exp.Expression = exp.column("_rg_value", quoted=True)
        mapped = element if as_text else exp.cast(element, d.sql_type(KqlType.REAL))
        if lower:
            mapped = d.lower(mapped)
        return exp.select(exp.alias_(mapped, "_rg_value", quoted=True)).from_(unnested.subquery("_rg_elements"))

    def scalar_subquery(self, relation: Relation, node: ast.Node) -> Value:
        """`toscalar(T)`: the first column of the first row."""
        visible = relation.visible
        if not visible:
            raise KqlTypeError("toscalar() of a table with no columns", node.line, node.column)
        col = visible[0]
        select = exp.select(column_ref(col)).from_(relation.source)
        if relation.order:
            select = select.order_by(*self.order_terms(relation))
        select = select.limit(number(1))
        return Value(exp.Subquery(this=select), col.type)



_PRECEDENCE_PARENTS = (exp.Binary, exp.Not, exp.Neg, exp.In, exp.Between)


def parenthesize(tree: exp.Expression) -> exp.Expression:
    """Put parentheses around every operator nested in another one.

    sqlglot writes a tree built by hand as it is, without adding the parentheses operator
    precedence needs (`Sub(a, Mod(...))` is fine, `Mod(Sub(...), b)` is not), so the compiler
    adds them once, here, instead of at each of its many nested expressions.
    """
    for node in list(tree.walk()):
        if not isinstance(node, _PRECEDENCE_PARENTS) or isinstance(node, exp.Dot | exp.PropertyEQ):
            continue
        for key in ("this", "expression"):
            child = node.args.get(key)
            if isinstance(child, exp.Binary) and not isinstance(child, exp.Dot):
                node.set(key, exp.Paren(this=child))
    return tree


def _operators() -> dict:
    from revertguard.kql.operators import OPERATORS

    return OPERATORS


def _sources() -> dict:
    from revertguard.kql.sources import SOURCES

    return SOURCES
