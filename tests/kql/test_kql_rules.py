"""Every shipped rule's KQL compiles for DuckDB and Spark and runs, on each engine, on a store
holding the shipped watchlists (a rule that uses something an engine lacks fails here, by name)."""

from __future__ import annotations

import pytest
import sqlglot

from revertguard import kql
from revertguard.kql.catalog import StoreCatalog
from revertguard.rules import load_rules
from revertguard.rules.watchlist import shipped_watchlists

from .conftest import NOW

RULES = load_rules("all")


@pytest.fixture
def with_watchlists(store):
    for definition in shipped_watchlists().values():
        store.put_watchlist(definition.to_store())
    return store


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_compiles_and_runs(with_watchlists, engine, rule):
    result = engine.run(rule.query, now=NOW)
    assert result.columns  # a result with named, typed columns (no rows: the store is empty)
    spark = kql.compile(rule.query, "spark", catalog=StoreCatalog(with_watchlists), now=NOW)
    sqlglot.parse_one(spark, read="spark")
