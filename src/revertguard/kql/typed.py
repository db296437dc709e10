"""The compiler's data model: typed scalar values, columns and relations.

Every compiled scalar is a `Value`: a sqlglot expression with its KQL type, whether it may be
SQL NULL, and (for constants) its Python value, so that literals can be folded at compile
time (`ago(24h)` becomes one timestamp, `has_any` lists become one regular expression).

KQL strings have no null: a string that is SQL NULL here (a missing cell, a padded union
column) means "". `nullable` marks the strings that might be NULL, so the compiler adds
`COALESCE(x, '')` only where it can matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from revertguard.tables import KqlType


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Any = _NotConstant()

NUMERIC_TYPES = frozenset({KqlType.INT, KqlType.LONG, KqlType.REAL, KqlType.DECIMAL})
STRING_LIKE = frozenset({KqlType.STRING, KqlType.GUID})


@dataclass(frozen=True)
class Value:
    """A compiled scalar expression."""

    sql: exp.Expression
    type: KqlType
    nullable: bool = True
    const: Any = NOT_CONSTANT  # the Python value when known at compile time (None: a typed null)
    # Shortcuts for dynamic values the compiler built itself, so it need not go through JSON:
    text: exp.Expression | None = None  # the value's tostring() as SQL (a dynamic string)
    elements: exp.Expression | None = None  # a SQL list of strings (a dynamic array of strings)

    @property
    def is_const(self) -> bool:
        return self.const is not NOT_CONSTANT

    def but(self, **changes: Any) -> Value:
        return replace(self, **changes)


@dataclass(frozen=True)
class Col:
    """A column of a relation: its KQL name, its SQL name in the relation, its type."""

    name: str
    sql: str
    type: KqlType
    hidden: bool = False  # can be referenced, but `*` and the final result leave it out
    nullable: bool = True
    internal: bool = False  # made by the compiler (sort keys); never visible to the query


@dataclass
class SortSpec:
    """One key of the order a relation's rows are in (by SQL column name)."""

    sql: str
    descending: bool
    nulls_first: bool


@dataclass
class Relation:
    """A tabular value: something to select from, and its columns in order."""

    source: exp.Expression  # usable in FROM (a CTE name or a table)
    columns: list[Col]
    order: list[SortSpec] = field(default_factory=list)
    name: str | None = None  # the table or `let` name, for `union withsource=`
    physical: bool = False  # a stored table (it may have more columns than the schema: never `SELECT *`)

    @property
    def visible(self) -> list[Col]:
        return [c for c in self.columns if not c.hidden]

    def column(self, name: str) -> Col | None:
        for col in self.columns:
            if col.name == name and not col.internal:
                return col
        return None

    def names(self, include_hidden: bool = False) -> list[str]:
        return [c.name for c in self.columns if not c.internal and (include_hidden or not c.hidden)]


def column_ref(col: Col, table: str | None = None) -> exp.Column:
    """A quoted reference to a relation's column."""
    return exp.column(col.sql, table=table, quoted=True)


def unique_sql_names(names: list[str]) -> list[str]:
    """SQL names for KQL names: the same name unless it clashes, ignoring case, with an earlier one.

    KQL names are case-sensitive (`a` and `A` are two columns) but DuckDB and Spark resolve
    identifiers case-insensitively, so a clash gets a numbered SQL name; the result keeps
    the KQL names.
    """
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name}__{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out
