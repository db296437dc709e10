"""Running tests on every engine: the shared SparkSession, Spark over a test's store, and the
comparison that says two engines returned the same result.

A test that takes the `engine` fixture (or `q` in tests/kql) runs once per engine. On Spark,
the store the test filled is exported as Parquet (again whenever its contents change) and read
by a `SparkEngine`, exactly as `revertguard export-tables` and `--engine spark` would.
Spark tests are marked `spark`: `pytest -m "not spark"` skips them (CI runs them all).
"""

from __future__ import annotations

import itertools
import json
import math
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from revertguard import kql
from revertguard.parquet import export_tables
from revertguard.store import Store, quote_ident
from revertguard.tables import TABLES

# CI sets this, so a machine without pyspark or Java fails the Spark tests instead of skipping them.
REQUIRE_SPARK = os.environ.get("REVERTGUARD_REQUIRE_SPARK") == "1"

# Small, fast local settings: the test tables are tiny, and one SparkSession serves the whole run.
TEST_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.sql.adaptive.coalescePartitions.initialPartitionNum": "2",
}

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def start_spark() -> Any:
    """The one SparkSession of the test run (skips Spark tests when pyspark or Java is missing)."""
    from revertguard.kql.spark_engine import SparkUnavailableError, spark_session

    try:
        session = spark_session("local[2]", TEST_SPARK_CONF, app_name="revertguard-tests")
    except SparkUnavailableError as exc:
        if REQUIRE_SPARK:
            raise
        pytest.skip(f"Spark is not available here: {exc}")
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkOverStore:
    """The Spark engine reading a copy of a store as Parquet, re-exported when the store changes."""

    name = "spark"
    _folders = itertools.count()

    def __init__(self, store: Store, session: Any, workdir: Path) -> None:
        from revertguard.kql.spark_engine import SparkEngine

        self._engine_class = SparkEngine
        self.store = store
        self.session = session
        self.workdir = workdir
        self._fingerprint: tuple | None = None
        self._engine: Any = None

    def _current(self) -> Any:
        fingerprint = store_fingerprint(self.store)
        if fingerprint != self._fingerprint:
            if self._engine is not None:
                self._engine.close()
            folder = self.workdir / f"parquet-{next(self._folders)}"
            export_tables(self.store, folder)
            self._engine = self._engine_class(str(folder), session=self.session)
            self._fingerprint = fingerprint
        return self._engine

    def catalog(self) -> kql.Catalog:
        return self._current().catalog()

    def run(self, query: str, *, now: datetime | None = None, catalog: kql.Catalog | None = None) -> kql.QueryResult:
        return self._current().run(query, now=now, catalog=catalog)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def store_fingerprint(store: Store) -> tuple:
    """Changes whenever a table's or watchlist's contents change (a hash of every row)."""
    parts: list[Any] = []
    with store.con.cursor() as cursor:
        for name in [*TABLES, *(physical for physical, _ in store.watchlists().values())]:
            parts.append(cursor.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {quote_ident(name)} AS t").fetchone())
        parts.append(sorted(store.watchlists()))
    return tuple(parts)


def engine_for(name: str, store: Store, request: pytest.FixtureRequest) -> Any:
    """An engine of kind `name` over `store` (for Spark, the session is made on first use)."""
    if name == "duckdb":
        return kql.DuckDBEngine(store)
    session = request.getfixturevalue("spark")
    workdir = request.getfixturevalue("tmp_path")
    return SparkOverStore(store, session, workdir)


# -- comparing results -------------------------------------------------------------------------

def canonical(value: Any) -> Any:
    """A value in a form that compares equal across engines exactly when the values are the same."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=False, default=str)
    return value


def row_key(row: tuple) -> str:
    return json.dumps([canonical(v) for v in row], default=str)


def assert_same_result(expected: kql.QueryResult, actual: kql.QueryResult, query: str) -> None:
    """The same columns (names and types) and the same rows, compared as multisets."""
    assert actual.names == expected.names, f"column names differ for: {query}"
    assert [c.type for c in actual.columns] == [c.type for c in expected.columns], f"column types differ for: {query}"
    expected_rows, actual_rows = sorted(map(row_key, expected.rows)), sorted(map(row_key, actual.rows))
    assert actual_rows == expected_rows, (f"rows differ between engines for: {query}\n"
                                          f"  DuckDB: {expected_rows[:5]}\n  Spark: {actual_rows[:5]}")
