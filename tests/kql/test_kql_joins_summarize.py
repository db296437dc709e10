"""join kinds and column naming; summarize with Kusto's implicit names; aggregate rules."""

from __future__ import annotations

from datetime import datetime

import pytest

from revertguard.kql import KqlNameError, KqlTypeError

L = 'datatable(k:string, lv:long)["a", 1, "a", 2, "b", 3, "c", 4]'
R = 'datatable(k:string, rv:long)["a", 10, "a", 20, "b", 30, "d", 40]'


def rows(q, query):
    return sorted(q.rows(query), key=repr)


def test_default_join_is_innerunique(q):
    # One left row per key (which one is not defined), matched with every right row.
    result = q(f"{L} | join ({R}) on k")
    assert result.names == ["k", "lv", "k1", "rv"]
    by_key = sorted((r[0], r[3]) for r in result.rows)
    assert by_key == [("a", 10), ("a", 20), ("b", 30)]
    assert len({r[1] for r in result.rows if r[0] == "a"}) == 1


def test_inner_join_keeps_every_pair(q):
    assert rows(q, f"{L} | join kind=inner ({R}) on k | project lv, rv") == [
        (1, 10), (1, 20), (2, 10), (2, 20), (3, 30)]


def test_outer_joins(q):
    assert rows(q, f"{L} | join kind=leftouter ({R}) on k | where k == 'c' | project k, k1, rv") == [
        ("c", "", None)]
    assert rows(q, f"{L} | join kind=rightouter ({R}) on k | where k1 == 'd' | project k, k1, lv") == [
        ("", "d", None)]
    full = q(f"{L} | join kind=fullouter ({R}) on k")
    assert len(full.rows) == 7  # 5 matches, c alone, d alone


def test_semi_and_anti_joins_keep_one_side(q):
    assert q(f"{L} | join kind=leftsemi ({R}) on k").names == ["k", "lv"]
    assert rows(q, f"{L} | join kind=leftsemi ({R}) on k | project lv") == [(1,), (2,), (3,)]
    assert rows(q, f"{L} | join kind=leftanti ({R}) on k") == [("c", 4)]
    assert rows(q, f"{L} | join kind=anti ({R}) on k") == [("c", 4)]
    assert q(f"{L} | join kind=rightsemi ({R}) on k").names == ["k", "rv"]
    assert rows(q, f"{L} | join kind=rightanti ({R}) on k") == [("d", 40)]
    assert rows(q, f"{L} | join kind=rightantisemi ({R}) on k") == [("d", 40)]


def test_join_on_differently_named_keys_and_collision_suffixes(q):
    left = 'datatable(Caller:string, Name:string, Name1:string)["u", "n", "m"]'
    right = 'datatable(Who:string, Name:string, Caller:string)["u", "p", "u"]'
    result = q(f"{left} | join kind=inner ({right}) on $left.Caller == $right.Who")
    assert result.names == ["Caller", "Name", "Name1", "Who", "Name2", "Caller1"]
    result = q(f"{left} | join kind=inner ({right}) on $left.Caller == $right.Who, Caller")
    assert len(result.rows) == 1


def test_join_key_errors_name_the_side(q):
    with pytest.raises(KqlNameError, match="the right side has no column 'kk'; did you mean 'k'"):
        q(f"{L} | join ({R}) on $left.k == $right.kk")
    with pytest.raises(KqlTypeError, match="cannot match"):
        q(f"{L} | join ({R}) on $left.k == $right.rv")


def test_join_treats_null_and_empty_string_keys_alike(q):
    query = """let A = datatable(k:string, n:long)["", 1] | union (datatable(n:long)[2]);
    let B = datatable(k:string, m:long)["", 9];
    A | join kind=inner (B) on k | project n, m"""
    assert rows(q, query) == [(1, 9), (2, 9)]


def test_lookup_adds_right_columns_without_the_key(q):
    result = q(f"{L} | lookup ({R} | summarize rv = max(rv) by k) on k")
    assert result.names == ["k", "lv", "rv"]
    assert rows(q, f"{L} | lookup ({R} | summarize rv = max(rv) by k) on k | project k, rv") == [
        ("a", 20), ("a", 20), ("b", 30), ("c", None)]


# -- summarize ------------------------------------------------------------------------------

D = ('datatable(Region:string, Ip:string, Status:string, n:long, t:datetime)['
     '"eu", "1.1.1.1", "Success", 1, datetime(2026-01-01 10:15), '
     '"eu", "1.1.1.1", "Failure", 2, datetime(2026-01-01 10:45), '
     '"eu", "2.2.2.2", "Success", 3, datetime(2026-01-01 11:05), '
     '"us", "3.3.3.3", "Success", long(null), datetime(2026-01-02 00:00)]')


def test_implicit_aggregate_names(q):
    result = q(f"{D} | summarize count(), make_set(Ip), make_list(Status), max(n), min(t), dcount(Ip), "
               "countif(n > 1), sum(n), avg(n), take_any(Region), any(Ip) by Region")
    assert result.names == ["Region", "count_", "set_Ip", "list_Status", "max_n", "min_t", "dcount_Ip",
                            "countif_", "sum_n", "avg_n", "Region1", "any_Ip"]
    eu = result.to_dicts()[0] if result.rows[0][0] == "eu" else result.to_dicts()[1]
    assert eu["count_"] == 3 and sorted(eu["set_Ip"]) == ["1.1.1.1", "2.2.2.2"]
    assert sorted(eu["list_Status"]) == ["Failure", "Success", "Success"]
    assert eu["max_n"] == 3 and eu["min_t"] == datetime(2026, 1, 1, 10, 15)
    assert eu["dcount_Ip"] == 2 and eu["countif_"] == 2 and eu["sum_n"] == 6 and eu["avg_n"] == 2.0


def test_summarize_names_for_expressions_and_repeats(q):
    result = q(f"{D} | summarize max(n + 1), max(n), max(n), count() * 2 by bin(t, 1h), tolower(Region)")
    assert result.names == ["t", "Column1", "max_", "max_n", "max_n1", "Column2"]


def test_summarize_by_bin_groups_hours(q):
    result = q(f"{D} | summarize c = count() by bin(t, 1h) | sort by t asc")
    assert result.rows == [(datetime(2026, 1, 1, 10), 2), (datetime(2026, 1, 1, 11), 1),
                           (datetime(2026, 1, 2, 0), 1)]


def test_summarize_without_by_on_no_rows_still_gives_one_row(q):
    assert q.rows(f"{D} | where Region == 'none' | summarize count(), sum(n), make_set(Ip)") == [(0, 0, [])]
    assert q.rows(f"{D} | where Region == 'none' | summarize count() by Region") == []


def test_aggregates_ignore_nulls(q):
    result = q.dicts(f"{D} | where Region == 'us' | summarize max(n), sum(n), make_list(n), dcount(n)")
    assert result == [{"max_n": None, "sum_n": 0, "list_n": [], "dcount_n": 0}]


def test_make_set_and_make_list_size_limits(q):
    # Docs win over duckdb-kql 1.1.2, which returns 3 elements for make_set(x, 2).
    data = 'datatable(x:string)["a", "b", "c", "a", "d"]'
    assert len(q.value(f"{data} | summarize make_set(x, 2)")) == 2
    assert len(q.value(f"{data} | summarize make_list(x, 3)")) == 3
    assert len(q.value(f"{data} | summarize make_set(x)")) == 4
    many = "datatable(x:long)[" + ", ".join(str(i) for i in range(300)) + "]"
    assert len(q.value(f"{many} | summarize makeset(x)")) == 128  # the deprecated alias caps at 128
    assert len(q.value(f"{many} | summarize make_set(x)")) == 300


def test_make_set_spreads_arrays(q):
    data = ("datatable(Val:int, Arr1:dynamic)[1, dynamic(['A1', 'A2', 'A3']), 5, dynamic(['A2', 'C1']),"
            " 7, dynamic(['C2', 'A3']), 5, dynamic(['C2', 'A1'])]")
    result = q.dicts(f"{data} | summarize Val_set = make_set(Val), Arr1_set = make_set(Arr1)")[0]
    assert sorted(result["Val_set"]) == [1, 5, 7]
    assert sorted(result["Arr1_set"]) == ["A1", "A2", "A3", "C1", "C2"]


def test_conditional_aggregates(q):
    result = q.dicts(f"{D} | summarize dcountif(Ip, Status == 'Success'), sumif(n, Region == 'eu'), "
                     "make_set_if(Ip, Status == 'Failure')")[0]
    assert result == {"dcountif_Ip": 3, "sumif_n": 6, "set_Ip": ["1.1.1.1"]}


def test_arg_max_returns_the_row_with_the_largest_key(q):
    result = q(f"{D} | summarize arg_max(t, *) by Region | sort by Region asc")
    assert result.names == ["Region", "t", "Ip", "Status", "n"]
    assert result.rows[0] == ("eu", datetime(2026, 1, 1, 11, 5), "2.2.2.2", "Success", 3)
    result = q(f"{D} | summarize arg_min(t, Ip, n) by Region | sort by Region asc")
    assert result.names == ["Region", "t", "Ip", "n"]
    assert result.rows[0] == ("eu", datetime(2026, 1, 1, 10, 15), "1.1.1.1", 1)


def test_arg_max_with_all_null_keys_still_returns_a_row(q):
    # The arg_max docs' null-handling example.
    data = ('datatable(Fruit: string, Color: string, Version: int) ["Apple", "Red", 1, "Apple", "Green", int(null),'
            ' "Banana", "Yellow", int(null), "Pear", "Brown", 1, "Pear", "Green", 2]')
    result = q(f"{data} | summarize arg_max(Version, *) by Fruit | sort by Fruit asc")
    assert result.rows[0] == ("Apple", 1, "Red")
    assert result.rows[1][0] == "Banana" and result.rows[1][1] is None and result.rows[1][2] in ("Yellow",)
    assert result.rows[2] == ("Pear", 2, "Green")


def test_summarize_errors(q):
    with pytest.raises(KqlTypeError, match="column 'Ip' must be inside an aggregation"):
        q(f"{D} | summarize Ip by Region")
    with pytest.raises(KqlTypeError, match="aggregation: use it in summarize"):
        q(f"{D} | extend c = count()")
