"""Helpers for the KQL engine tests: a store with rows, and a runner that also checks the
Spark SQL of every query parses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlglot

from revertguard import kql
from revertguard.kql.catalog import StoreCatalog
from revertguard.store import Store, quote_ident
from revertguard.tables import TABLES, KqlType

from ..engines import assert_same_result

NOW = datetime(2026, 11, 25, 12, 0, 0)
HOUR = timedelta(hours=1)


def insert(store: Store, table: str, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows into a store table; unnamed columns stay NULL, dynamic values are JSON-encoded."""
    schema = TABLES[table]
    for row in rows:
        names = list(row)
        values = [json.dumps(v) if schema.type_of(n) is KqlType.DYNAMIC and v is not None else v
                  for n, v in row.items()]
        store.con.execute(
            f"INSERT INTO {quote_ident(table)} ({', '.join(quote_ident(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})", values)


def kql_string(text: str) -> str:
    return json.dumps(text)  # a KQL "..." literal (JSON escapes are valid KQL escapes)


def spark_parses(query: str, store: Store | None = None, now: datetime = NOW) -> str:
    """Compile for Spark and parse the SQL with sqlglot's Spark dialect (fails the test if not)."""
    catalog = StoreCatalog(store) if store is not None else None
    sql = kql.compile(query, "spark", catalog=catalog, now=now)
    sqlglot.parse_one(sql, read="spark")
    return sql


class Runner:
    """Runs KQL on one engine over a store. On DuckDB it also checks the Spark SQL parses; on
    Spark it also runs DuckDB and checks both give the same result (or the same kind of error),
    then hands the Spark result to the test's own assertions."""

    def __init__(self, store: Store, engine: Any) -> None:
        self.store = store
        self.engine = engine

    def __call__(self, query: str, now: datetime = NOW) -> kql.QueryResult:
        if self.engine.name == "duckdb":
            result = self.engine.run(query, now=now)
            spark_parses(query, self.store, now)
            return result
        return run_both(self.engine, kql.DuckDBEngine(self.store), query, now)

    def rows(self, query: str, now: datetime = NOW) -> list[tuple]:
        return self(query, now).rows

    def dicts(self, query: str, now: datetime = NOW) -> list[dict[str, Any]]:
        return self(query, now).to_dicts()

    def value(self, query: str, now: datetime = NOW) -> Any:
        """The single cell of a one-row, one-column result."""
        rows = self(query, now).rows
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def column(self, query: str, name: str | None = None, now: datetime = NOW) -> list[Any]:
        result = self(query, now)
        return result.column(name or result.names[-1])


def run_both(engine: Any, reference: kql.DuckDBEngine, query: str, now: datetime) -> kql.QueryResult:
    """`engine`'s result, checked against the reference engine's (results, or kinds of error)."""
    try:
        actual = engine.run(query, now=now)
    except kql.KqlError as exc:
        with pytest.raises(type(exc)):
            reference.run(query, now=now)
        raise
    expected = reference.run(query, now=now)
    assert_same_result(expected, actual, query)
    return actual


@pytest.fixture
def q(store: Store, engine: Any) -> Runner:
    """Runs queries on the test's store, once per engine (see `tests/engines.py`)."""
    return Runner(store, engine)
