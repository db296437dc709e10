"""Tabular operators and statements: what each returns, its column names and order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from revertguard.kql import KqlNameError, KqlSyntaxError, KqlTypeError
from revertguard.store import Watchlist

from .conftest import HOUR, NOW, insert

T = 'datatable(a:string, n:long, t:datetime)["x", 1, datetime(2026-01-01), "y", 2, datetime(2026-01-02),' \
    ' "z", 3, datetime(2026-01-03)]'


def test_bare_table_shows_schema_columns_without_hidden_ones_or_the_store_key(q, store):
    insert(store, "AzureActivity", [dict(Caller="c", TimeGenerated=NOW)])
    result = q("AzureActivity")
    assert "_rg_key" not in result.names
    assert "_BilledSize" not in result.names and "_SubscriptionId" not in result.names
    assert result.names[:3] == ["TenantId", "SourceSystem", "CallerIpAddress"]
    assert "_ResourceId" in result.names
    # Hidden columns exist and can be named.
    assert q.rows("AzureActivity | project _BilledSize") == [(None,)]
    with pytest.raises(KqlNameError, match="_rg_key"):
        q("AzureActivity | project _rg_key")


def test_where_and_filter(q):
    assert q.column(f"{T} | where n > 1 | filter a != 'z'", "a") == ["y"]


def test_extend_adds_replaces_in_place_and_sees_earlier_items(q):
    result = q(f"{T} | extend n = n * 10, m = n + 1, tostring(a) | take 1")
    assert result.names == ["a", "n", "t", "m"]  # n replaced in place; tostring(a) is named a
    assert result.rows[0][:2] == ("x", 10) and result.rows[0][3] == 11


def test_extend_positional_names_skip_existing_columns(q):
    result = q(f"{T} | extend Column1 = 5 | extend n + 1, strlen(a), n * 2")
    assert result.names == ["a", "n", "t", "Column1", "Column2", "strlen_a", "Column3"]


def test_project_orders_names_and_computes(q):
    result = q(f"{T} | project n, b = strcat(a, '!'), a, n + 1")
    assert result.names == ["n", "b", "a", "Column1"]
    assert result.rows[0] == (1, "x!", "x", 2)
    with pytest.raises(KqlNameError, match=r"unknown column or variable 'nn'; did you mean 'n'"):
        q(f"{T} | project nn")
    with pytest.raises(KqlSyntaxError, match="project names two columns 'n'"):
        q(f"{T} | project n, n")
    # A generated name that clashes steps aside; a written name keeps its place unless taken first.
    assert q(f"{T} | project abs(n), tolong(n), n1 = 1, n + 1, Column1 = 2").names == [
        "n", "n2", "n1", "Column1", "Column11"]


def test_project_away_keep_rename_reorder(q):
    assert q(f"{T} | project-away t").names == ["a", "n"]
    assert q(f"{T} | extend a2 = 1, a3 = 2 | project-away a*").names == ["n", "t"]
    assert q(f"{T} | project-keep t, a").names == ["a", "t"]  # keeps the input order
    assert q(f"{T} | project-rename Name = a, When = t").names == ["Name", "n", "When"]
    assert q(f"{T} | project-reorder t, n").names == ["t", "n", "a"]
    assert q(f"{T} | extend b = 1 | project-reorder * asc").names == ["a", "b", "n", "t"]
    with pytest.raises(KqlNameError, match="project-away: no column 'zz'"):
        q(f"{T} | project-away zz")
    with pytest.raises(KqlSyntaxError, match="two columns called 'n'"):
        q(f"{T} | project-rename n = a")


def test_sort_defaults_to_descending(q):
    assert q.column(f"{T} | sort by n", "n") == [3, 2, 1]
    assert q.column(f"{T} | order by n asc", "n") == [1, 2, 3]
    assert q.column(f"{T} | sort by a desc, n asc", "a") == ["z", "y", "x"]


def test_sort_null_placement(q):
    data = "datatable(n:long)[2, long(null), 1]"
    assert q.column(f"{data} | sort by n") == [2, 1, None]  # desc: nulls last
    assert q.column(f"{data} | sort by n asc") == [None, 1, 2]  # asc: nulls first
    assert q.column(f"{data} | sort by n asc nulls last") == [1, 2, None]
    assert q.column(f"{data} | sort by n desc nulls first") == [None, 2, 1]


def test_order_survives_later_operators_that_keep_rows(q):
    result = q(f"{T} | sort by n asc | project a | extend b = 1 | where a != 'y'")
    assert result.column("a") == ["x", "z"]
    assert result.names == ["a", "b"]  # the sort key is carried but not shown
    assert q.column(f"{T} | sort by strlen(a) + n | project a") == ["z", "y", "x"]


def test_top_take_limit(q):
    assert q.column(f"{T} | top 2 by n", "n") == [3, 2]
    assert q.column(f"{T} | top 1 by t asc", "a") == ["x"]
    assert len(q.rows(f"{T} | take 2")) == 2
    assert len(q.rows(f"{T} | limit 0")) == 0
    assert q.column(f"{T} | sort by n asc | take 2", "n") == [1, 2]
    with pytest.raises(KqlTypeError, match="constant"):
        q(f"{T} | take n")


def test_distinct_and_count(q):
    data = 'datatable(a:string, b:long)["x", 1, "x", 1, "x", 2]'
    assert sorted(q.rows(f"{data} | distinct a, b")) == [("x", 1), ("x", 2)]
    assert q.rows(f"{data} | distinct a") == [("x",)]
    assert len(q.rows(f"{data} | distinct *")) == 2
    assert q(f"{data} | count").names == ["Count"]
    assert q.value(f"{data} | count") == 3


def test_print_names_unnamed_columns_by_position(q):
    result = q('print 1, x = "a", strlen("abc")')
    assert result.names == ["print_0", "x", "print_2"]
    assert result.rows == [(1, "a", 3)]


def test_datatable_types_and_empty(q):
    result = q('datatable(s:string, i:int, l:long, r:real, b:bool, d:datetime, ts:timespan, dy:dynamic, g:guid)'
               '["a", 1, 2, 1.5, true, datetime(2026-01-01), 1h, dynamic({"k": 1}),'
               ' guid(74be27de-1e4e-49d9-b579-fe0b331d3642)]')
    assert result.rows == [("a", 1, 2, 1.5, True, datetime(2026, 1, 1), timedelta(hours=1), {"k": 1},
                            "74be27de-1e4e-49d9-b579-fe0b331d3642")]
    assert [c.type.value for c in result.columns] == ["string", "int", "long", "real", "bool", "datetime",
                                                      "timespan", "dynamic", "guid"]
    assert q.rows("datatable(a:string)[]") == []


def test_range(q):
    assert q.column("range x from 1 to 7 step 3") == [1, 4, 7]
    assert q.column("range d from datetime(2026-01-01) to datetime(2026-01-03) step 1d") == [
        datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 1, 3)]


def test_let_scalars_tables_lists_and_functions(q):
    query = """
    let Window = 2d;                       // a timespan
    let Names = dynamic(["x", "z"]);       // a list for `in`
    let Recent = (since:timespan) { TAB | where t > datetime(2026-01-03) - since };
    let TAB = datatable(a:string, t:datetime)["x", datetime(2026-01-01), "y", datetime(2026-01-02),
                                               "z", datetime(2026-01-03)];
    let Two = () { 2 };
    TAB | where t > datetime(2026-01-03) - Window and a in (Names) | extend k = Two()
    """
    assert q.rows(query) == [("z", datetime(2026, 1, 3), 2)]
    query = """let TAB = datatable(a:string, t:datetime)["x", datetime(2026-01-01), "z", datetime(2026-01-03)];
    let Recent = (since:timespan = 1d) { TAB | where t >= datetime(2026-01-03) - since };
    Recent(3d) | union (Recent() | extend again = true)"""
    assert sorted(q.column(query, "a")) == ["x", "z", "z"]


def test_let_functions_with_tabular_parameters_and_recursion(q):
    assert q.value("let f = (T:(*)) { toscalar(T | count) }; print x = f(datatable(a:long)[1, 2])") == 2
    assert q.column("let f = (T:(*), n:long) { T | where a > n }; f(datatable(a:long)[1, 2, 3], 1)") == [2, 3]
    with pytest.raises(KqlTypeError, match="calls itself"):
        q("let f = () { f() }; print f()")


def test_let_innermost_binding_wins(q):
    assert q.value("let x = 1; let f = () { let x = 2; x }; print y = f()") == 2
    assert q.value("let x = 1; let x = 3; print x") == 3


def test_materialize_toscalar_and_as(q):
    query = f"""let M = materialize({T} | where n > 1);
    let Top = toscalar(M | summarize max(n));
    M | where n == Top | project a"""
    assert q.rows(query) == [("z",)]
    if q.engine.name == "duckdb":  # Spark has no materialized CTEs (the plan is the same without)
        assert "MATERIALIZED" in q(query).sql
    query = f"{T} | as Named | join kind=inner (Named | where n == 2) on n | project a, a1"
    assert q.rows(query) == [("y", "y")]


def test_union_outer_by_name_with_null_padding_and_first_appearance_order(q):
    query = """let A = datatable(x:string, common:long)["a", 1];
    let B = datatable(common:long, y:string)[2, "b"];
    A | union B"""
    result = q(query)
    assert result.names == ["x", "common", "y"]
    assert sorted(result.rows, key=lambda r: r[1]) == [("a", 1, ""), ("", 2, "b")]  # strings pad as ""
    assert q("union A, B".join(["let A = datatable(x:string, common:long)[\"a\", 1];"
                                "let B = datatable(common:long, y:string)[2, \"b\"];", ""])).names == [
        "x", "common", "y"]


def test_union_inner_withsource_and_type_conflicts(q):
    prelude = ('let A = datatable(x:string, c:long)["a", 1]; let B = datatable(c:long, y:string)[2, "b"];'
               ' let C = datatable(c:string)["three"];')
    assert q(prelude + "union kind=inner A, B").names == ["c"]
    result = q(prelude + "union withsource=Source A, (B | where c > 0)")
    assert result.names == ["Source", "x", "c", "y"]
    assert sorted(result.column("Source")) == ["A", "union_arg1"]
    result = q(prelude + "A | union C")
    assert result.names == ["x", "c_long", "c_string"]
    assert sorted(result.rows, key=lambda r: r[0]) == [("", None, "three"), ("a", 1, "")]


def test_union_with_a_table_wildcard(q, store):
    insert(store, "AWSCloudTrail", [dict(EventName="e", TimeGenerated=NOW)])
    insert(store, "AzureActivity", [dict(OperationNameValue="o", TimeGenerated=NOW)])
    result = q("union withsource=T A* | project T")
    assert sorted(result.column("T")) == ["AWSCloudTrail", "AzureActivity"]


def test_mv_expand_arrays_bags_nulls_and_empties(q):
    data = 'datatable(id:long, d:dynamic)[1, dynamic([10, 20]), 2, dynamic({"p":"a","q":"b"}), 3, dynamic(null),' \
           ' 4, dynamic([]), 5, dynamic("scalar")]'
    result = q(f"{data} | mv-expand d")
    assert result.rows == [(1, 10), (1, 20), (2, {"p": "a"}), (2, {"q": "b"}), (3, None), (5, "scalar")]
    result = q(f"{data} | where id == 2 | mv-expand kind=array d")
    assert result.rows == [(2, ["p", "a"]), (2, ["q", "b"])]


def test_mv_expand_in_parallel_with_index_limit_and_types(q):
    data = 'datatable(a:long, b:dynamic, c:dynamic)[1, dynamic(["x", "y"]), dynamic([5, 4, 3])]'
    result = q(f"{data} | mv-expand with_itemindex=i b, c")
    assert result.names == ["a", "b", "c", "i"]
    assert result.rows == [(1, "x", 5, 0), (1, "y", 4, 1), (1, None, 3, 2)]
    result = q(f"{data} | mv-expand c to typeof(long) limit 2")
    assert result.rows == [(1, ["x", "y"], 5), (1, ["x", "y"], 4)]
    assert [c.type.value for c in result.columns] == ["long", "dynamic", "long"]
    # to typeof() casts: elements of another type become null (an empty string, for strings).
    assert q.column('print d = dynamic([1, "2", "x"]) | mv-expand d to typeof(string)') == ["", "2", "x"]
    assert q.column('print d = dynamic([1, "2", 3.5]) | mv-expand d to typeof(long)') == [1, None, None]
    # The legacy mvexpand stops at 128 elements.
    assert len(q.rows("print d = range_list | mvexpand d".replace(
        "range_list", "dynamic([" + ",".join(str(i) for i in range(200)) + "])"))) == 128


def test_mv_expand_a_named_expression_and_split(q):
    result = q('print s = "a,b,c" | mv-expand part = split(s, ",") to typeof(string)')
    assert result.names == ["s", "part"]
    assert result.column("part") == ["a", "b", "c"]
    result = q('print s = "a,b" | mv-expand x = split(s, ",")')
    assert result.column("x") == ["a", "b"]


def test_getschema(q):
    assert q.rows(f"{T} | getschema") == [("a", 0, "System.String", "string"), ("n", 1, "System.Int64", "long"),
                                          ("t", 2, "System.DateTime", "datetime")]


def test_watchlist(q, store):
    store.put_watchlist(Watchlist("allowed-admins", "Upn", ["Upn", "Team"],
                                  [{"Upn": "alice@example.com", "Team": "ops"}]))
    result = q("_GetWatchlist('allowed-admins') | project SearchKey, Team")
    assert result.rows == [("alice@example.com", "ops")]
    query = """datatable(Caller:string)["alice@example.com", "mallory@example.com"]
    | where Caller !in ((_GetWatchlist('allowed-admins') | project SearchKey))"""
    assert q.column(query) == ["mallory@example.com"]
    with pytest.raises(KqlNameError, match="no watchlist 'admins' in the store; did you mean 'allowed-admins'"):
        q("_GetWatchlist('admins')")


def test_render_and_serialize_are_accepted(q):
    assert q.column(f"{T} | serialize rn = 1 | project rn | render table") == [1, 1, 1]


def test_ago_and_now_use_one_pinned_clock(q, store):
    insert(store, "AWSCloudTrail", [dict(AwsEventId="new", TimeGenerated=NOW - HOUR),
                                    dict(AwsEventId="old", TimeGenerated=NOW - 30 * HOUR)])
    assert q.column("AWSCloudTrail | where TimeGenerated > ago(1d) | project AwsEventId") == ["new"]
    assert sorted(q.column("AWSCloudTrail | where TimeGenerated > ago(2d) | project AwsEventId", now=NOW)) == [
        "new", "old"]  # unsorted rows have no defined order
    assert q.rows("print a = now(), b = ago(1h), c = now(-1d)") == [(NOW, NOW - HOUR, NOW - 24 * HOUR)]
    later = NOW + 100 * HOUR
    assert q.column("AWSCloudTrail | where TimeGenerated > ago(1d) | project AwsEventId", now=later) == []
