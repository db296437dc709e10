"""Scalar functions and expressions, each on table columns (the emitted SQL) and, where it
matters, on constants (compile-time folding)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from revertguard.kql import KqlNameError, KqlTypeError, KqlUnsupportedError

from .conftest import NOW


def col(q, expr: str, row: str = 'datatable(s:string, n:long, r:real, t:datetime, d:dynamic, b:bool)'
        '["Ab_c", 7, 2.5, datetime(2026-01-02 03:04:05.6), dynamic({"a":{"b":[1,2,3]},"k v":"x","s":"str"}), true]'):
    """`expr` evaluated on one row of typed columns."""
    return q.value(f"{row} | project r = {expr}")


# -- tostring and conversions ----------------------------------------------------------------

@pytest.mark.parametrize(("expr", "expected"), [
    ("tostring(b)", "True"),
    ("tostring(not(b))", "False"),
    ("tostring(t)", "2026-01-02T03:04:05.6000000Z"),
    ("tostring(n)", "7"),
    ("tostring(r)", "2.5"),
    ("tostring(r * 2)", "5"),
    ("tostring(1h + 30m)", "01:30:00"),
    ("tostring(t - datetime(2026-01-01))", "1.03:04:05.6000000"),
    ("tostring(d.s)", "str"),  # a dynamic string is its text, not "\"str\""
    ("tostring(d.a)", '{"b":[1,2,3]}'),
    ("tostring(d.missing)", ""),  # null is ""
    ("tostring(long(null))", ""),
    ("tostring(s)", "Ab_c"),
])
def test_tostring_forms(q, expr, expected):
    assert col(q, expr) == expected


def test_tostring_of_constants_is_folded_the_same_way(q):
    assert q.rows('print tostring(true), tostring(datetime(2020-01-02 03:04:05.6)), tostring(dynamic("x")),'
                  ' tostring(1.0), tostring(dynamic({"a":1})), tostring(int(null))') == [
        ("True", "2020-01-02T03:04:05.6000000Z", "x", "1", '{"a":1}', "")]


@pytest.mark.parametrize(("expr", "expected"), [
    ("toint(r)", 2), ("toint(-r)", -2), ("tolong('123')", 123), ("tolong('1.9')", 1), ("toint('x')", None),
    ("toreal('1.5')", 1.5), ("todouble(n)", 7.0), ("tobool('TRUE')", True), ("tobool('false')", False),
    ("tobool('maybe')", None), ("tobool(0)", False), ("tolong(d.a.b[1])", 2),
    ("todatetime('2026-01-02T03:04:05Z')", datetime(2026, 1, 2, 3, 4, 5)),
    ("todatetime('2026-01-02T05:04:05+02:00')", datetime(2026, 1, 2, 3, 4, 5)),
    ("todatetime('not a date')", None),
    ("totimespan('01:30:00')", timedelta(minutes=90)),
    ("toguid('74BE27DE-1E4E-49D9-B579-FE0B331D3642')", "74be27de-1e4e-49d9-b579-fe0b331d3642"),
])
def test_conversions(q, expr, expected):
    assert col(q, expr) == expected


def test_parse_json_and_dynamic_access(q):
    row = 'datatable(j:string)[\'{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]},"k v":5}\']'
    assert q.value(f"{row} | project r = tostring(parse_json(j).instancesSet.items[0].instanceId)") == "i-1"
    assert q.value(f"{row} | project r = tostring(parse_json(j).instancesSet.items[-1]['instanceId'])") == "i-2"
    assert q.value(f"{row} | project r = parse_json(j)['k v']") == 5
    assert q.value(f"{row} | project r = todynamic(j).['k v']") == 5
    assert q.value(f"{row} | project r = parse_json(j).nope.deeper") is None
    assert q.value("print r = parse_json('not json')") == "not json"
    assert q.value("datatable(j:string)['not json'] | project r = tostring(parse_json(j).a)") == ""
    assert q.value("datatable(j:string)[''] | project r = isnull(parse_json(j).a)") is True
    assert q.value("datatable(j:string)['{\"a\":{\"b\":\"x\"}}'] | project r = parse_json(j).a") == {"b": "x"}
    assert q.value("datatable(j:string)['not json'] | project r = parse_json(j)") == "not json"
    assert q.value("print r = isempty(parse_json(''))") is True
    assert q.value("datatable(j:string)['[]'] | project r = isempty(parse_json(j))") is False


def test_member_access_on_a_string_column_says_to_parse_it(q):
    with pytest.raises(KqlTypeError, match=r"s is a string, not dynamic: use parse_json\(s\)"):
        col(q, "s.a")


def test_dynamic_compared_with_strings_and_numbers(q):
    assert col(q, "d.s == 'str'") is True
    assert col(q, "d.a.b[0] == 1") is True
    assert col(q, "d.a.b[2] > 2") is True
    assert col(q, "d.s has 'str'") is True
    assert col(q, "d has 'k v'") is True  # keys are searchable: the JSON text is used


# -- emptiness and conditionals --------------------------------------------------------------

def test_isempty_isnull_on_each_type(q):
    assert q.rows("print isempty(''), isempty('a'), isempty(long(null)), isempty(0), isnull(''), "
                  "isnull(long(null)), isnotnull(1), isnotempty(' '), isnull(dynamic(null))") == [
        (True, False, True, False, False, True, True, True, True)]
    assert col(q, "isnull(d.missing)") is True
    assert col(q, "isnull(d.s)") is False


def test_iif_case_coalesce(q):
    assert col(q, "iif(n > 5, 'big', 'small')") == "big"
    assert col(q, "iff(n > 50, 'big', 'small')") == "small"
    assert col(q, "case(n < 0, 'neg', n < 5, 'small', n < 10, 'medium', 'large')") == "medium"
    assert col(q, "iif(n > 5, 1, 2.5)") == 1.0
    assert col(q, "coalesce('', s, 'x')") == "Ab_c"  # strings: the first non-empty
    assert col(q, "coalesce(long(null), n, 1)") == 7
    assert col(q, "coalesce(d.missing, d.s)") == "str"


# -- strings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "expected"), [
    ("strlen(s)", 4), ("strcat(s, '-', n, '-', b)", "Ab_c-7-True"), ("strcat_delim('/', s, n)", "Ab_c/7"),
    ("tolower(s)", "ab_c"), ("toupper(s)", "AB_C"),
    ("substring('123456', 1)", "23456"), ("substring('123456', 2, 2)", "34"), ("substring('ABCD', 0, 2)", "AB"),
    ("substring('123456', -2, 2)", "56"), ("substring(s, 1, 2)", "b_"), ("substring(s, -2, 2)", "_c"),
    ("indexof(s, '_')", 2), ("indexof(s, 'z')", -1), ("indexof('abcabc', 'c', 3)", 5),
    ("indexof_regex('abc123', @'\\d')", 3), ("indexof_regex(s, 'z')", -1),
    ("replace_string(s, '_', '.')", "Ab.c"), ("replace_regex('a1b22', @'\\d+', 'N')", "aNbN"),
    ("replace_regex('ab', '(a)(b)', @'\\2\\1')", "ba"),
    ("trim(@'[_A]', '_A_x_A')", "x"), ("trim_start('-', '--x--')", "x--"), ("trim_end('-', '--x--')", "--x"),
    ("extract(@'(\\d+)', 1, 'ab123c')", "123"), ("extract('(z)', 1, s)", ""),
    ("extract(@'(\\d+)', 1, 'v42', typeof(long))", 42),
    ("hash_sha256(s)", hashlib.sha256(b"Ab_c").hexdigest()),
    ("ipv4_is_private('10.1.2.3')", True), ("ipv4_is_private('8.8.8.8')", False),
    ("ipv4_is_private('192.168.0.0/16')", True), ("ipv4_is_private('nope')", None),
])
def test_string_functions(q, expr, expected):
    assert col(q, expr) == expected


def test_hash_sha256_matches_the_docs_examples(q):
    assert q.rows('print h1 = hash_sha256("World"), h2 = hash_sha256(datetime(2020-01-01))') == [(
        "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524",
        "ba666752dc1a20eb750b0eb64e780cc4c968bc9fb8813461c1d7e750f302d71d")]
    assert q.value('datatable(t:datetime)[datetime(2020-01-01)] | project h = hash_sha256(t)').startswith("ba666752")
    assert q.value('datatable(s:string)[""] | project h = hash_sha256(s)') == ""


def test_split_with_two_and_three_arguments(q):
    row = 'datatable(p:string)["arn:aws:iam::111:role/admin"]'
    assert q.value(f"{row} | project r = split(p, ':')") == ["arn", "aws", "iam", "", "111", "role/admin"]
    assert q.value(f"{row} | project r = split(p, ':', 4)") == ["111"]  # an array with the one element
    assert q.value(f"{row} | project r = tostring(split(p, ':', 4)[0])") == "111"
    assert q.value(f"{row} | project r = split(p, ':', 40)") == []
    assert q.value(f"{row} | project r = split(p, '/')[-1]") == "admin"
    assert q.value(f"{row} | project r = tostring(split(p, '/')[1])") == "admin"
    assert q.value(f"{row} | project r = array_length(split(p, ':'))") == 6
    assert q.rows('print split("aa_bb", "_"), split("aaa_bbb_ccc", "_", 1), split("", "_"), split("a__b", "_"),'
                  ' split("aabbcc", "bb")') == [(["aa", "bb"], ["bbb"], [""], ["a", "", "b"], ["aa", "cc"])]


def test_extract_all(q):
    assert q.value('print r = extract_all(@"(\\d+)", "a set of numbers: 123, 567 and 789")') == ["123", "567", "789"]
    assert q.value('datatable(s:string)["x1y22"] | project r = extract_all(@"([a-z])(\\d+)", s)') == [
        ["x", "1"], ["y", "22"]]
    assert q.value('datatable(s:string)["x1y22"] | project r = extract_all(@"([a-z])(\\d+)", dynamic([2]), s)') == [
        "1", "22"]
    assert q.value('datatable(s:string)["none"] | project r = extract_all(@"(\\d)", s)') is None


def test_pack_and_arrays(q):
    assert col(q, "pack('n', n, 's', s)") == {"n": 7, "s": "Ab_c"}
    assert col(q, "bag_pack('t', t, 'd', d.a)") == {"t": "2026-01-02T03:04:05.6000000Z", "d": {"b": [1, 2, 3]}}
    assert col(q, "pack_array(n, s, b)") == [7, "Ab_c", True]
    assert col(q, "array_length(d.a.b)") == 3
    assert col(q, "array_length(d.a)") is None
    assert col(q, "set_has_element(d.a.b, 2)") is True
    assert col(q, "strcat_array(d.a.b, '+')") == "1+2+3"


# -- numbers, time -----------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "expected"), [
    ("n / 2", 3), ("-n / 2", -3), ("n % 4", 3), ("n / 2.0", 3.5), ("n * r", 17.5), ("-n", -7),
    ("bin(n, 5)", 5), ("bin(-n, 5)", -10), ("bin(r, 1)", 2.0), ("floor(n, 3)", 6), ("bin_at(6.5, 2.5, 7)", 4.5),
    ("abs(-n)", 7), ("round(r)", 3.0), ("sqrt(4)", 2.0), ("pow(n, 2)", 49.0), ("log10(100)", 2.0),
    ("ceiling(r)", 3.0), ("sign(-r)", -1.0), ("sign(long(null))", None), ("exp(0)", 1.0), ("log(1)", 0.0),
    ("round(2.345, 2)", 2.35), ("min_of(n, 3, 9)", 3), ("max_of(n, 3, 9)", 9),
    ("n between (5 .. 7)", True), ("n !between (5 .. 7)", False), ("t between (datetime(2026-01-02) .. 1d)", True),
])
def test_arithmetic_and_numbers(q, expr, expected):
    assert col(q, expr) == expected


@pytest.mark.parametrize(("expr", "expected"), [
    ("bin(t, 1h)", datetime(2026, 1, 2, 3)),
    ("bin(t, 1d)", datetime(2026, 1, 2)),
    # bin() counts from the Unix epoch, a Thursday: 7-day bins start on Thursdays.
    ("bin(t, 7d)", datetime(2026, 1, 1)),
    ("bin_at(t, 1d, datetime(2000-01-01 12:00))", datetime(2026, 1, 1, 12)),
    ("bin(t - datetime(2026-01-01), 1d)", timedelta(days=1)),
    ("startofday(t)", datetime(2026, 1, 2)),
    ("startofday(t, 2)", datetime(2026, 1, 4)),
    ("startofweek(t)", datetime(2025, 12, 28)),  # weeks start on Sunday
    ("startofmonth(t)", datetime(2026, 1, 1)),
    ("startofmonth(t, -1)", datetime(2025, 12, 1)),
    ("startofyear(t)", datetime(2026, 1, 1)),
    ("endofday(t)", datetime(2026, 1, 2, 23, 59, 59, 999999)),
    ("endofmonth(t)", datetime(2026, 1, 31, 23, 59, 59, 999999)),
    ("datetime_add('month', 1, datetime(2026-01-31))", datetime(2026, 2, 28)),
    ("datetime_add('hour', -2, t)", datetime(2026, 1, 2, 1, 4, 5, 600000)),
    ("t + 1h", datetime(2026, 1, 2, 4, 4, 5, 600000)),
    ("t - datetime(2026-01-02)", timedelta(hours=3, minutes=4, seconds=5, microseconds=600000)),
    ("2h * 3", timedelta(hours=6)),
    ("1d / 2h", 12.0),
    ("dayofweek(t)", timedelta(days=5)),  # 2026-01-02 is a Friday
    ("getyear(t)", 2026), ("getmonth(t)", 1), ("dayofmonth(t)", 2), ("hourofday(t)", 3),
    ("format_datetime(t, 'yyyy-MM-dd HH:mm:ss.fff')", "2026-01-02 03:04:05.600"),
    ("format_datetime(t, 'M/d/yy h:mm tt')", "1/2/26 3:04 AM"),
])
def test_datetime_functions(q, expr, expected):
    assert col(q, expr) == expected


DIFF_EXAMPLES = [  # the datetime_diff docs' examples (nanoseconds need 100 ns ticks; we keep microseconds)
    ("year", "2017-01-01", "2000-12-31", 17),
    ("quarter", "2017-07-01", "2017-03-30", 2),
    ("month", "2017-01-01", "2015-12-30", 13),
    ("week", "2017-10-29 00:00", "2017-09-30 23:59", 5),
    ("day", "2017-10-29 00:00", "2017-09-30 23:59", 29),
    ("hour", "2017-10-31 01:00", "2017-10-30 23:59", 2),
    ("minute", "2017-10-30 23:05:01", "2017-10-30 23:00:59", 5),
    ("second", "2017-10-30 23:00:10.100", "2017-10-30 23:00:00.900", 10),
    ("millisecond", "2017-10-30 23:00:00.200100", "2017-10-30 23:00:00.100900", 100),
    ("microsecond", "2017-10-30 23:00:00.1009001", "2017-10-30 23:00:00.1008009", 100),
]


@pytest.mark.parametrize(("part", "a", "b", "expected"), DIFF_EXAMPLES)
def test_datetime_diff_counts_period_boundaries(q, part, a, b, expected):
    assert q.value(f"datatable(a:datetime, b:datetime)[datetime({a}), datetime({b})]"
                   f" | project r = datetime_diff('{part}', a, b)") == expected
    assert q.value(f"datatable(a:datetime, b:datetime)[datetime({a}), datetime({b})]"
                   f" | project r = datetime_diff('{part.upper()}', b, a)") == -expected


def test_now_and_ago_are_pinned_and_constant(q):
    result = q("print a = now(), b = ago(1d), c = now() - ago(1d)")
    assert result.rows == [(NOW, NOW - timedelta(days=1), timedelta(days=1))]
    assert "CAST('2026-11-24 12:00:00.000000' AS TIMESTAMP)" in result.sql


def test_column_ifexists_and_toscalar(q):
    assert col(q, "column_ifexists('n', 0)") == 7
    assert col(q, "column_ifexists('missing', 'default')") == "default"
    assert q.value("let m = toscalar(datatable(x:long)[3, 9, 4] | summarize max(x)); print r = m * 2") == 18


def test_function_errors_are_named(q):
    with pytest.raises(KqlUnsupportedError, match=r"the function base64_decode_tostring\(\) is not supported"):
        col(q, "base64_decode_tostring(s)")
    with pytest.raises(KqlNameError, match=r"unknown function tostrin\(\); did you mean 'tostring'"):
        col(q, "tostrin(s)")
    with pytest.raises(KqlTypeError, match=r"strlen\(\) takes 1 argument\(s\), got 2"):
        col(q, "strlen(s, s)")
    with pytest.raises(KqlTypeError, match=r"cannot apply '\+' to a string and a long.*strcat"):
        col(q, "s + 1")
    with pytest.raises(KqlTypeError, match="cannot compare a long with a string"):
        col(q, "n == 'x'")


def test_null_comparisons_follow_the_null_values_docs(q):
    # null == value is false, null != value is true, null against null is null; where drops null.
    result = q.rows("datatable(val:int)[5, int(null)] | extend IsBiggerThan3 = val > 3"
                    " | extend IsBiggerThan3OrNull = val > 3 or isnull(val)"
                    " | extend IsEqualToNull = val == int(null) | extend IsNotEqualToNull = val != int(null)"
                    " | extend IsFive = val == 5, IsNotFive = val != 5")
    assert result == [(5, True, True, False, True, True, False), (None, None, True, None, None, False, True)]
    assert q.column("datatable(val:int)[5, int(null), 7] | where val != 5") == [None, 7]
    assert q.column("datatable(val:int)[5, int(null), 7] | where val !in (5)") == [None, 7]
    assert q.column("datatable(a:long, b:long)[1, 1, 1, long(null), long(null), long(null)]"
                    " | extend e = a == b, n = a != b | project e") == [True, False, None]
    assert q.rows("print 1 == int(null), 1 != int(null), int(null) == int(null)") == [(False, True, None)]
