"""Generated queries on a generated table, on DuckDB and on Spark: the same rows, every time.

The queries and the table come from the differential tests against duckdb-kql (random
predicates over every string operator, conversions, summarize, joins and unions). Here the
reference is revertguard's own DuckDB engine, and the table reaches Spark as Parquet.
"""

from __future__ import annotations

import math
import random

import duckdb
import pytest

from revertguard.kql import QueryResult, compile_query
from revertguard.kql.engine import convert_rows
from revertguard.kql.spark_engine import SparkEngine
from revertguard.parquet.write import write_rows

from ..engines import assert_same_result
from .test_kql_differential import CATALOG, NOW, SCHEMA, make_table, pipeline

pytestmark = pytest.mark.spark

SEEDS = range(20)
QUERIES_PER_SEED = 6


def on_duckdb(con: duckdb.DuckDBPyConnection, query: str) -> QueryResult:
    compiled = compile_query(query, catalog=CATALOG, now=NOW)
    return QueryResult(compiled.columns, convert_rows(compiled.columns, con.execute(compiled.sql).fetchall()))


def rounded(result: QueryResult) -> QueryResult:
    """Reals to 12 significant digits: sums and averages add up in another order on Spark."""
    def fix(value):
        if isinstance(value, float) and math.isfinite(value) and value:
            return round(value, 11 - math.floor(math.log10(abs(value))))
        return value
    return QueryResult(result.columns, [tuple(fix(v) for v in row) for row in result.rows])


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_queries_give_the_same_rows_on_both_engines(seed, spark, tmp_path):
    rng = random.Random(seed)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    make_table(con, rng)
    write_rows(con, "T", SCHEMA, tmp_path / "T")
    engine = SparkEngine(str(tmp_path), session=spark, tables={"T": SCHEMA})
    try:
        for _ in range(QUERIES_PER_SEED):
            query = pipeline(rng)
            assert_same_result(rounded(on_duckdb(con, query)), rounded(engine.run(query, now=NOW)), query)
    finally:
        engine.close()
