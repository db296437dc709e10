"""Compile a query and run it on a store: the engine behind `revertguard.kql.run`.

`compile_query` turns KQL into SQL for a dialect (with the result's column names and KQL
types); `run` executes the DuckDB SQL on a `Store` and converts the rows to Python values:
dynamic cells are parsed from JSON, datetimes are naive UTC `datetime`s, timespans
`timedelta`s, and strings are never None (KQL strings have no null).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
from sqlglot import exp

from revertguard.kql.catalog import Catalog, EngineCatalog, SchemaCatalog, StoreCatalog
from revertguard.kql.compiler import Compiler
from revertguard.kql.dialects import get_dialect
from revertguard.kql.errors import KqlError, KqlRuntimeError, KqlSyntaxError
from revertguard.kql.parser import parse
from revertguard.tables import KqlType

if TYPE_CHECKING:
    from revertguard.store import Store


@dataclass(frozen=True)
class ResultColumn:
    """A column of a query result: its name and KQL type."""

    name: str
    type: KqlType


@dataclass(frozen=True)
class CompiledQuery:
    """A query compiled for one dialect: the SQL text, its sqlglot tree, and the result columns.

    The tree is the one the SQL was generated from (generation may have applied the dialect's
    rewrites to it in place; it is not copied first, which halves compile time)."""

    sql: str
    expression: exp.Select
    columns: list[ResultColumn]
    now: datetime


@dataclass
class QueryResult:
    """What a query returned: the columns (name and KQL type, in order) and the rows."""

    columns: list[ResultColumn]
    rows: list[tuple[Any, ...]]
    sql: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as dictionaries, column name -> value."""
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        """Every value of one column."""
        index = self.names.index(name)
        return [row[index] for row in self.rows]


def pinned_now(now: datetime | None) -> datetime:
    """The query clock: `now` in UTC without a zone (naive values are taken as UTC)."""
    if now is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now


def compile_query(query: str, dialect: str = "duckdb", *, catalog: Catalog | None = None,
                  now: datetime | None = None) -> CompiledQuery:
    """Parse and compile `query`. Raises `KqlError` (with line, column and a caret) on bad input."""
    target = get_dialect(dialect)
    clock = pinned_now(now)
    try:
        script = parse(query)
        compiler = Compiler(catalog if catalog is not None else SchemaCatalog(), target, clock)
        expression, columns = compiler.compile_script(script)
        sql = expression.sql(dialect=target.name, copy=False)  # the tree is not reused: skip the deep copy
    except KqlError as exc:
        raise exc.with_source(query) from None
    except RecursionError:
        raise KqlSyntaxError("the query is nested too deeply to compile", 1, 1, query) from None
    return CompiledQuery(sql, expression, [ResultColumn(c.name, c.type) for c in columns], clock)


class Engine(Protocol):
    """Something that runs KQL: the embedded DuckDB store, or (later) Spark over Parquet.

    Everything that runs queries (the CLI, rule tests, the detection runner) takes an Engine,
    so the engine is chosen in one place.
    """

    name: str

    def catalog(self) -> EngineCatalog:
        """The tables and watchlists this engine reads."""

    def run(self, query: str, *, now: datetime | None = None, catalog: Catalog | None = None) -> QueryResult:
        """Run a query; `catalog` (default `self.catalog()`) may narrow or replace what tables hold."""


class DuckDBEngine:
    """Runs queries on a `Store`'s DuckDB tables and watchlists, or on a Parquet folder (`over_parquet`)."""

    name = "duckdb"

    def __init__(self, store: Store, catalog: EngineCatalog | None = None) -> None:
        self.store = store
        self._catalog = catalog or StoreCatalog(store)

    @classmethod
    def over_parquet(cls, root: str | Path) -> DuckDBEngine:
        """DuckDB reading the tables and watchlists of a local Parquet folder where they are."""
        from revertguard.parquet.catalog import DuckDBParquetCatalog
        from revertguard.store import Store

        store = Store()  # in memory: only views over the files are made in it
        return cls(store, DuckDBParquetCatalog(Path(root), store))

    def catalog(self) -> EngineCatalog:
        return self._catalog

    def run(self, query: str, *, now: datetime | None = None, catalog: Catalog | None = None) -> QueryResult:
        compiled = compile_query(query, "duckdb", catalog=catalog or self.catalog(), now=now)
        try:
            rows = self.store.con.execute(compiled.sql).fetchall()
        except duckdb.Error as exc:
            raise KqlRuntimeError(_database_message(exc)).with_source(query) from None
        return QueryResult(compiled.columns, convert_rows(compiled.columns, rows), compiled.sql)


def run(store: Store, query: str, *, now: datetime | None = None) -> QueryResult:
    """Run a KQL query on a store's DuckDB tables and watchlists."""
    return DuckDBEngine(store).run(query, now=now)


def convert_rows(columns: list[ResultColumn], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Database values -> Python values as `QueryResult` promises them (dynamic parsed, ...)."""
    converters = [_CONVERTERS.get(c.type) for c in columns]
    if not any(converters):
        return rows
    return [tuple(conv(v) if conv and v is not None else v for conv, v in zip(converters, row, strict=True))
            for row in rows]


def _database_message(exc: duckdb.Error) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{text} (the database rejected a value while running the query)"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_CONVERTERS = {KqlType.DYNAMIC: _json}
