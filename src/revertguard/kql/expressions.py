"""The KQL syntax tree: one node class per construct, each carrying its line and column.

The parser builds these; the compiler walks them. Scalar and tabular expressions share one
tree because KQL only tells them apart by meaning (a bare `Name` can be a column, a `let`
variable or a table), which the compiler resolves with the schemas in hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from revertguard.tables import KqlType


@dataclass(kw_only=True)
class Node:
    """Base of every syntax node: the 1-based position of its first token."""

    line: int = 0
    column: int = 0

    def at(self, other: Node) -> Node:
        """Copy `other`'s position onto this node (for nodes the parser synthesises)."""
        self.line, self.column = other.line, other.column
        return self


# -- scalar expressions ----------------------------------------------------------------------

@dataclass
class Literal(Node):
    """A constant: `"x"`, `42`, `1.5`, `true`, `24h`, `datetime(...)`, `dynamic([...])`, `long(null)`."""

    value: Any
    type: KqlType


@dataclass
class Name(Node):
    """An identifier: a column, a `let` name or a table. `['odd name']` arrives here unquoted."""

    name: str


@dataclass
class Member(Node):
    """`base.name` (dynamic property access, or `$left.x` / `$right.x` in a join)."""

    base: Node
    name: str


@dataclass
class Index(Node):
    """`base[index]`: a dynamic array element (`x[0]`, `x[-1]`) or property (`x['k']`)."""

    base: Node
    index: Node


@dataclass
class Call(Node):
    """`name(args)`: a function, aggregate, view, `materialize()`, `toscalar()` or `_GetWatchlist()`."""

    name: str
    args: list[Node]


@dataclass
class Star(Node):
    """`*` as an argument (`arg_max(ts, *)`, `distinct *`)."""


@dataclass
class Binary(Node):
    """`left op right` for arithmetic, comparison, string and logical operators."""

    op: str
    left: Node
    right: Node


@dataclass
class Unary(Node):
    """`-x` or `+x`."""

    op: str
    operand: Node


@dataclass
class InList(Node):
    """`left op (items)` for `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`, ..."""

    op: str
    left: Node
    items: list[Node]


@dataclass
class Between(Node):
    """`left between (low .. high)`, or `!between`."""

    left: Node
    low: Node
    high: Node
    negated: bool = False


# -- tabular expressions ---------------------------------------------------------------------

@dataclass
class Pipe(Node):
    """`source | op | op ...`."""

    source: Node
    operators: list[Operator]


@dataclass
class Datatable(Node):
    """`datatable(a:string, b:long) [ ... ]`."""

    columns: list[tuple[str, KqlType]]
    values: list[Node]


@dataclass
class Print(Node):
    """`print x = 1, 2`: one row of scalars."""

    items: list[Node]


@dataclass
class Range(Node):
    """`range x from a to b step s`."""

    name: str
    start: Node
    stop: Node
    step: Node


@dataclass
class Union(Node):
    """`union [kind=...] [withsource=...] T, U, ...` (as a source, or as `| union` with the input first)."""

    legs: list[Node]
    kind: str = "outer"
    withsource: str | None = None


# -- tabular operators -----------------------------------------------------------------------

@dataclass
class Operator(Node):
    """Base of the operators that follow a `|`."""


@dataclass
class Assign(Node):
    """`name = expr` inside extend, project, summarize, print, mv-expand."""

    name: str
    expr: Node


@dataclass
class Where(Operator):
    predicate: Node


@dataclass
class Extend(Operator):
    items: list[Node]  # Assign or bare expressions


@dataclass
class Project(Operator):
    items: list[Node]


@dataclass
class ProjectAway(Operator):
    patterns: list[Name]  # names, possibly with `*` wildcards


@dataclass
class ProjectKeep(Operator):
    patterns: list[Name]


@dataclass
class ProjectRename(Operator):
    pairs: list[tuple[Name, Name]]  # (new, old)


@dataclass
class ProjectReorder(Operator):
    patterns: list[tuple[Name, str | None]]  # (pattern, "asc" | "desc" | None)


@dataclass
class Summarize(Operator):
    aggregates: list[Node]
    by: list[Node]


@dataclass
class SortKey(Node):
    expr: Node
    descending: bool = True  # KQL sorts descending unless told otherwise
    nulls_first: bool | None = None  # None: KQL's default (first for asc, last for desc)


@dataclass
class Sort(Operator):
    keys: list[SortKey]


@dataclass
class Top(Operator):
    count: Node
    key: SortKey


@dataclass
class Take(Operator):
    count: Node


@dataclass
class Distinct(Operator):
    items: list[Node]  # [Star()] for `distinct *`


@dataclass
class Count(Operator):
    pass


@dataclass
class JoinOn(Node):
    """One join condition: `on k` (left == right = k) or `$left.a == $right.b`."""

    left: str
    right: str


@dataclass
class Join(Operator):
    right: Node
    on: list[JoinOn]
    kind: str = "innerunique"


@dataclass
class Lookup(Operator):
    right: Node
    on: list[JoinOn]
    kind: str = "leftouter"


@dataclass
class UnionOp(Operator):
    union: Union


@dataclass
class ExpandItem(Node):
    name: str | None
    expr: Node
    to_type: KqlType | None = None


@dataclass
class MvExpand(Operator):
    items: list[ExpandItem]
    bag_kind: str = "bag"
    index_column: str | None = None
    limit: Node | None = None
    legacy: bool = False  # `mvexpand`: default limit 128


@dataclass
class As(Operator):
    name: str


@dataclass
class Serialize(Operator):
    items: list[Node] = field(default_factory=list)


@dataclass
class GetSchema(Operator):
    pass


# -- statements ------------------------------------------------------------------------------

@dataclass
class Param(Node):
    name: str
    type: KqlType | None  # None: a tabular parameter `T:(*)`
    default: Node | None = None


@dataclass
class Function(Node):
    """`(params) { lets; body }` bound by a `let`."""

    params: list[Param]
    lets: list[Let]
    body: Node


@dataclass
class Let(Node):
    name: str
    value: Node  # an expression, or a Function


@dataclass
class Script(Node):
    """A whole query: `let` statements, then the one tabular expression to run."""

    lets: list[Let]
    query: Node
