"""revertguard's KQL engine: run Sentinel KQL on the local store, or compile it to SQL.

Public API:

* `compile(query, dialect="duckdb", *, catalog=None, now=None) -> str`: the SQL text of a
  query for `"duckdb"` or `"spark"`. `catalog` says which tables exist (default: the Sentinel
  tables of `revertguard.tables.TABLES`, read from tables of the same name); `now` pins the
  query clock used by `now()` and `ago()` (default: the current UTC time).
* `run(store, query, *, now=None) -> QueryResult`: run a query on a `Store` (its Sentinel
  tables and watchlists). `QueryResult.columns` lists each column's name and KQL type,
  `QueryResult.rows` the rows (dynamic values parsed from JSON, datetimes naive UTC).
* `KqlError` (a `RevertguardError`) and its kinds `KqlSyntaxError`, `KqlUnsupportedError`,
  `KqlNameError`, `KqlTypeError`, `KqlRuntimeError`: every failure on user input, with the
  line and column it refers to; `str(error)` shows the source line and a caret.
* `Catalog`, `SchemaCatalog`, `StoreCatalog`, `TableSource`: where tables come from;
  `EngineCatalog`: an engine's catalog, which can also be given watchlists held in memory.
* `Engine` (protocol) and `DuckDBEngine(store)` (or `DuckDBEngine.over_parquet(folder)`): what
  runs queries; everything that runs queries takes an Engine. `spark_engine.SparkEngine` runs
  the same queries on Spark over Parquet (pyspark is imported only then), with the same
  results; `engines.open_engine(EngineOptions(...))` opens whichever one options name.
* `override_lets(query, {"Name": value})`: the same query with top-level `let` literals set to
  other values (through the syntax tree), for any engine.

Layout (like sqlglot): `tokens` (tokenizer), `parser` -> `expressions` (the syntax tree),
`compiler` with `operators`, `summarize`, `joins`, `expand`, `sources` (tabular) and `scalars`,
`functions`, `aggregates`, `strings`, `conversions` (scalar), `dialects` (SQL targets).
"""

from __future__ import annotations

from datetime import datetime

from revertguard.kql.catalog import Catalog, EngineCatalog, SchemaCatalog, StoreCatalog, TableSource
from revertguard.kql.engine import CompiledQuery, DuckDBEngine, Engine, QueryResult, ResultColumn, compile_query, run
from revertguard.kql.errors import (
    KqlError,
    KqlNameError,
    KqlRuntimeError,
    KqlSyntaxError,
    KqlTypeError,
    KqlUnsupportedError,
)
from revertguard.kql.overrides import kql_literal, override_lets


def compile(query: str, dialect: str = "duckdb", *, catalog: Catalog | None = None,
            now: datetime | None = None) -> str:
    """Compile a KQL query to SQL text for `dialect` ("duckdb" or "spark"). Raises `KqlError`."""
    return compile_query(query, dialect, catalog=catalog, now=now).sql


__all__ = [
    "Catalog",
    "CompiledQuery",
    "DuckDBEngine",
    "Engine",
    "EngineCatalog",
    "KqlError",
    "KqlNameError",
    "KqlRuntimeError",
    "KqlSyntaxError",
    "KqlTypeError",
    "KqlUnsupportedError",
    "QueryResult",
    "ResultColumn",
    "SchemaCatalog",
    "StoreCatalog",
    "TableSource",
    "compile",
    "compile_query",
    "kql_literal",
    "override_lets",
    "run",
]
