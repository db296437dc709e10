"""Fuzzing (any input gives a result or a clean KqlError) and SQL-injection resistance."""

from __future__ import annotations

import contextlib
import json

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revertguard import kql
from revertguard.kql import KqlError
from revertguard.kql.parser import parse
from revertguard.kql.tokens import tokenize

from ..engines import SparkOverStore
from .conftest import NOW, insert, run_both

FRAGMENTS = [
    "AWSCloudTrail", "AzureActivity", "T", "|", "where", "extend", "project", "summarize", "by", "join", "on",
    "union", "sort", "take", "mv-expand", "let", "=", "==", "=~", "!=", "has", "!has", "has_any", "in", "!in~",
    "contains", "and", "or", "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "..", "between", "x", "EventName",
    "ErrorCode", "TimeGenerated", "'a'", '"b"', "@'c\\d'", "1", "2.5", "24h", "ago(1d)", "now()", "count()",
    "dynamic([1,2])", "datetime(2026-01-01)", "parse_json(x)", "split(x, '/')", "-", "+", "*", "/", "%", "$left",
    "$right", "kind=inner", "tostring(", "isempty(", "iif(", "bin(", "make_set(", "arg_max(", "*", "//c\n",
    "datatable(a:string)['x']", "print", "toscalar(", "materialize(", "_GetWatchlist('w')", "!", "~", "'",
]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_tokenizer_and_parser_never_crash_on_any_text(text):
    try:
        tokenize(text)
        parse(text)
    except KqlError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14).map(" ".join))
def test_compiling_query_like_text_gives_sql_or_a_clean_error(text):
    for dialect in ("duckdb", "spark"):
        try:
            sql = kql.compile(text, dialect, now=NOW)
        except KqlError as exc:
            assert str(exc)  # a message, with a position when there is one
            continue
        sqlglot.parse_one(sql, read=dialect)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join))
def test_running_query_like_text_gives_rows_or_a_clean_error(store, text):
    with contextlib.suppress(KqlError):
        kql.run(store, text, now=NOW)


@pytest.mark.spark
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join))
def test_query_like_text_gives_the_same_rows_or_kind_of_error_on_spark(store, spark, tmp_path, text):
    if not store.stats()[0].rows:  # one row, for every example (hypothesis reuses the store)
        insert(store, "AWSCloudTrail", [dict(EventName="StopInstances", ErrorCode="", TimeGenerated=NOW)])
    engine = SparkOverStore(store, spark, tmp_path)
    with contextlib.suppress(KqlError):
        run_both(engine, kql.DuckDBEngine(store), text, NOW)


def test_deeply_nested_input_is_a_clean_error():
    with pytest.raises(KqlError, match="nested too deeply"):
        kql.compile("print x = " + "(" * 5000 + "1" + ")" * 5000)


# -- injection ---------------------------------------------------------------------------------

PAYLOADS = [
    "'); DROP TABLE AWSCloudTrail; --",
    '"; DROP TABLE "AWSCloudTrail"; --',
    "\\'; SELECT 1; --",
    "x' OR '1'='1",
    "$$; DROP TABLE AWSCloudTrail; $$",
    "`; DROP TABLE AWSCloudTrail; --",
    "\u0000\n\r\t\\",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_string_literals_cannot_break_out_of_sql(q, store, payload):
    insert(store, "AWSCloudTrail", [dict(EventName=payload, TimeGenerated=NOW), dict(EventName="other",
                                                                                     TimeGenerated=NOW)])
    literal = json.dumps(payload)
    for operator in ("==", "has", "contains", "startswith", "=~", "matches regex"):
        if operator == "matches regex":
            continue
        result = q(f"AWSCloudTrail | where EventName {operator} {literal} | project EventName")
        assert result.rows == [(payload,)], operator
    assert q.column(f"AWSCloudTrail | where EventName in ({literal}) | project EventName") == [payload]
    assert q.value(f"print x = strcat({literal}, '!')") == payload + "!"
    assert q.value("AWSCloudTrail | count") == 2  # the table is still there
    for dialect in ("duckdb", "spark"):
        sql = kql.compile(f"AWSCloudTrail | where EventName == {literal}", dialect, now=NOW)
        assert len(sqlglot.parse(sql, read=dialect)) == 1


@pytest.mark.parametrize("payload", PAYLOADS[:6])
def test_identifiers_cannot_break_out_of_sql(q, store, payload):
    name = json.dumps(payload)
    result = q(f"print [{name}] = 1 | extend [{json.dumps(payload + 'b')}] = 2 | project-rename ['renamed'] = [{name}]")
    assert result.names == ["renamed", payload + "b"]
    result = q(f"datatable([{name}]:string)['v'] | summarize count() by [{name}]")
    assert result.names == [payload, "count_"]
    with pytest.raises(KqlError, match="unknown table"):
        kql.compile(f"[{name}] | take 1")
    sql = kql.compile(f"print [{name}] = 1", "spark")
    assert len(sqlglot.parse(sql, read="spark")) == 1


def test_watchlist_names_are_looked_up_not_spliced(q):
    with pytest.raises(KqlError, match="no watchlist"):
        q("_GetWatchlist('x\"; DROP TABLE AzureActivity; --')")
