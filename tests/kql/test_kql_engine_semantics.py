"""Semantics where the engines' own functions disagree, so the compiler says what the answer is.

DuckDB and Spark each read numbers, dates and time spans in their own ways (DuckDB reads
`0x1F` as 31, Spark reads `5d` as 5.0 and a bare time as today), write reals in their own
ways (`1e+20` against `1.0E20`) and fold case differently (Java upper-cases `ß` to `SS`). Each
case here is written out by hand; the values come from a table, so the engine computes them
(constants would be folded by the compiler), and under Spark both engines must agree.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from revertguard import kql

from .conftest import kql_string


def one_column(q, values: list[str], kql_type: str, expression: str) -> list:
    """`expression` of `x` for each value, in the values' order."""
    rows = ", ".join(f"{i}, {v}" for i, v in enumerate(values))
    result = q(f"datatable(i:long, x:{kql_type})[{rows}] | project i, r = {expression} | sort by i asc")
    return result.column("r")


REALS = {  # value -> tostring(), as Kusto (.NET) writes it
    "1e20": "1E+20", "1e-5": "1E-05", "0.0001": "0.0001", "12345678.9": "12345678.9",
    "123456789012345.6": "123456789012345.6", "2.5": "2.5", "100.0": "100", "1e7": "10000000", "-0.5": "-0.5",
    "1e14": "100000000000000",
    "0.1": "0.1", "0.30000000000000004": "0.30000000000000004", "1.7976931348623157e308": "1.7976931348623157E+308",
    "real(nan)": "NaN", "real(+inf)": "Infinity", "real(-inf)": "-Infinity", "-1e-7": "-1E-07", "1e16": "1E+16",
}


def test_tostring_of_reals(q):
    assert one_column(q, list(REALS), "real", "tostring(x)") == list(REALS.values())


def test_reals_made_dynamic_keep_their_value(q):
    values = ["1e20", "1e-7", "12345678.9", "0.0001", "2.5"]
    assert one_column(q, values, "real", "pack('v', x)") == [{"v": float(v)} for v in values]
    assert one_column(q, values, "real", "todynamic(x)") == [float(v) for v in values]


def test_dividing_reals_by_zero_gives_infinities_and_nan(q):
    result = q("datatable(a:real, b:real)[1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 5.5, 2.0]"
               " | extend d = a / b, r = a % b, t = tostring(a / b)")
    assert [row[2:] for row in result.rows][:2] == [(float("inf"), pytest.approx(float("nan"), nan_ok=True),
                                                     "Infinity"),
                                                    (float("-inf"), pytest.approx(float("nan"), nan_ok=True),
                                                     "-Infinity")]
    assert result.rows[3][2:] == (2.75, 1.5, "2.75")
    assert result.rows[2][4] == "NaN"


def test_integer_division_by_zero_is_an_error(q):
    from revertguard.kql import KqlRuntimeError

    with pytest.raises(KqlRuntimeError):
        q("datatable(a:long, b:long)[1, 0] | extend d = a / b")


NUMBERS = {  # text -> (tolong, toreal)
    "'12'": (12, 12.0), "' 12 '": (12, 12.0), "'+5'": (5, 5.0), "'12.7'": (12, 12.7), "'-12.7'": (-12, -12.7),
    "'1e3'": (1000, 1000.0), "'.5'": (0, 0.5), "'0x1F'": (None, None), "'1_000'": (None, None),
    "'5d'": (None, None), "'abc'": (None, None), "''": (None, None), "'99999999999999999999'": (None, 1e20),
}


def test_tolong_and_toreal_read_plain_numbers_only(q):
    texts = list(NUMBERS)
    assert one_column(q, texts, "string", "tolong(x)") == [v[0] for v in NUMBERS.values()]
    assert one_column(q, texts, "string", "toreal(x)") == [v[1] for v in NUMBERS.values()]
    assert one_column(q, ["'NaN'", "'-inf'", "'Infinity'"], "string", "tostring(toreal(x))") == [
        "NaN", "-Infinity", "Infinity"]


DATETIMES = {
    "'2026-01-02'": datetime(2026, 1, 2),
    "'2026-01-02T03:04:05Z'": datetime(2026, 1, 2, 3, 4, 5),
    "'2026-01-02 03:04:05'": datetime(2026, 1, 2, 3, 4, 5),
    "'2026-01-02T03:04Z'": datetime(2026, 1, 2, 3, 4),
    "'2026-01-02T03:04:05.1234567Z'": datetime(2026, 1, 2, 3, 4, 5, 123456),
    "'2026-01-02T05:04:05+02:00'": datetime(2026, 1, 2, 3, 4, 5),
    "'2026-01-02T01:04:05-0200'": datetime(2026, 1, 2, 3, 4, 5),
    "'2026-01-02T05:04:05+02'": datetime(2026, 1, 2, 3, 4, 5),
    "' 2026-01-02 '": datetime(2026, 1, 2),
    "'2026-02-30'": None, "'2026-01-02T24:00:00Z'": None, "'2026-01-02T03:04:60Z'": None,
    "'10:00:00'": None, "'01/02/2026'": None, "'2026/01/02'": None, "'garbage'": None, "''": None,
}


def test_todatetime_reads_iso_8601(q):
    assert one_column(q, list(DATETIMES), "string", "todatetime(x)") == list(DATETIMES.values())


TIMESPANS = {
    "'01:30:00'": timedelta(minutes=90), "'1.02:03:04'": timedelta(days=1, hours=2, minutes=3, seconds=4),
    "'-00:00:01'": timedelta(seconds=-1), "'00:00:00.5'": timedelta(milliseconds=500), "'10'": timedelta(days=10),
    "'1.5h'": timedelta(minutes=90), "'15 seconds'": timedelta(seconds=15), "'2d'": timedelta(days=2),
    "'25:00:00'": timedelta(hours=25), "'1:2:3'": None, "'garbage'": None, "'1D'": None,
}


def test_totimespan_reads_kusto_timespans(q):
    assert one_column(q, list(TIMESPANS), "string", "totimespan(x)") == list(TIMESPANS.values())


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize(("function", "pattern_part"), [("totimespan", "([0-9]{1,2}):([0-9]{2})"),
                                                        ("todatetime", "([0-9]{4})-([0-9]{2})-([0-9]{2})")])
def test_text_conversions_match_their_regex_once_per_value(dialect, function, pattern_part):
    sql = kql.compile(f"datatable(s:string)['1h'] | project t = {function}(s)", dialect=dialect)
    assert sql.count(pattern_part) == 1
    assert sql.lower().count("regexp_") == 1


CASES = {  # text -> (tolower, toupper): each letter on its own, never several letters for one
    "'İstanbul'": ("istanbul", "İSTANBUL"),
    "'ΟΔΟΣ'": ("οδοσ", "ΟΔΟΣ"),
    "'straße'": ("straße", "STRAẞE"),
    "'ﬁle'": ("ﬁle", "ﬁLE"),
    "'ÉCOLE école'": ("école école", "ÉCOLE ÉCOLE"),
}


def test_tolower_and_toupper_map_each_letter_on_its_own(q):
    texts = list(CASES)
    assert one_column(q, texts, "string", "tolower(x)") == [v[0] for v in CASES.values()]
    assert one_column(q, texts, "string", "toupper(x)") == [v[1] for v in CASES.values()]
    # Constants are folded the same way.
    assert q.value("print tolower('İΣ')") == "iσ" and q.value("print toupper('ß')") == "ẞ"


def test_split_on_text_not_on_a_pattern(q):
    values = ["'a.b.c'", "'a|b'", "'abc'", "'a,b,'", "''"]
    rows = ", ".join(f"{i}, {v}, {d}" for i, (v, d) in enumerate(zip(values, ["'.'", "'|'", "''", "','", "','"],
                                                                      strict=True)))
    result = q(f"datatable(i:long, s:string, d:string)[{rows}] | project i, r = split(s, d) | sort by i asc")
    assert result.column("r") == [["a", "b", "c"], ["a", "b"], ["a", "b", "c"], ["a", "b", ""], [""]]


def test_dynamic_keys_with_quotes_and_runtime_keys(q):
    data = ('datatable(d:dynamic, k:string, i:long)[dynamic({"it\'s":1, "a\']b":2, "q\\"r":3, "x\\\\y":4,'
            ' "o":{"z":1,"a":[10,{"y":2,"b":3}]}}), "o", -1]')
    result = q(f"{data} | project a = d[\"it's\"], b = d[\"a']b\"], c = d['q\"r'], e = d['x\\\\y'],"
               " f = tostring(d[k]), g = tostring(d.o.a[i]), h = tostring(d.o.a[-1].b)")
    assert result.rows == [(1, 2, 3, 4, '{"z":1,"a":[10,{"y":2,"b":3}]}', '{"y":2,"b":3}', "3")]


# Keys a JSON path cannot write (Spark's has no escapes; no JSONPath names the empty key) or misreads
# (`*`, spaces, backslashes).
AWKWARD_KEYS = ["", "a']b", "it's", 'q"r', "a.b", "a[b", "a]b", "$", "a b", " a ", "*", "x\\y", "']"]


def test_keys_known_only_per_row_read_the_property_exactly_as_named(q):
    # Each property is an object (its text is read from the JSON, not from a scalar); "a" is the
    # property a misread `a']b` would find.
    bag = {"a": {"decoy": True}, **{key: {"n": [i], "key": key} for i, key in enumerate(AWKWARD_KEYS)}}
    rows = ", ".join(f"{i}, {kql_string(key)}" for i, key in enumerate(AWKWARD_KEYS))
    result = q(f"datatable(i:long, k:string)[{rows}] | extend d = dynamic({json.dumps(bag)})"
               " | project i, r = tostring(d[k]), n = d[k].n[0] | sort by i asc")
    assert result.column("r") == [json.dumps(bag[key], separators=(",", ":")) for key in AWKWARD_KEYS]
    assert result.column("n") == list(range(len(AWKWARD_KEYS)))


def test_constant_keys_read_the_property_exactly_as_named(q):
    bag = {key: {"n": [i], "key": key} for i, key in enumerate(AWKWARD_KEYS)}
    keys = [kql_string(key) for key in AWKWARD_KEYS]
    picks = ", ".join(f"r{i} = tostring(d[{key}])" for i, key in enumerate(keys))
    from_text = ", ".join(f"t{i} = tostring(parse_json(s)[{key}].key)" for i, key in enumerate(keys))
    result = q(f"datatable(s:string)[{kql_string(json.dumps(bag))}] | extend d = parse_json(s)"
               f" | project {picks}, {from_text}")
    assert list(result.rows[0]) == [json.dumps(bag[key], separators=(",", ":")) for key in AWKWARD_KEYS] + AWKWARD_KEYS


def test_the_empty_key_is_a_key_like_any_other_in_a_path(q):
    bag = {"": [1, {"0": "not an index"}, 3], "a": {"": {"b": 4}}}
    result = q(f"datatable(k:string)[''] | extend d = dynamic({json.dumps(bag)}), s = {kql_string(json.dumps(bag))}"
               " | project last = d[''][-1], runtime_last = d[k][-1], first = d[''][0], nested = d.a[''].b,"
               " key_not_index = d[''][1]['0'], no_such_index = d.a[''][0], from_text = parse_json(s)[''][-1]")
    assert result.rows == [(3, 3, 1, 4, "not an index", None, 3)]


def test_property_order_is_kept(q):
    data = 'datatable(d:dynamic)[dynamic({"z":1,"b":{"y":2,"a":[3,{"k":4,"c":5}]}})]'
    result = q(f"{data} | project t = tostring(d), b = tostring(d.b), p = tostring(bag_pack('z', 1, 'a', d.b.y))")
    assert result.rows == [('{"z":1,"b":{"y":2,"a":[3,{"k":4,"c":5}]}}', '{"y":2,"a":[3,{"k":4,"c":5}]}',
                            '{"z":1,"a":2}')]
    expanded = q(f"{data} | mv-expand d | project t = tostring(d)")
    assert expanded.column("t") == ['{"z":1}', '{"b":{"y":2,"a":[3,{"k":4,"c":5}]}}']


def test_countif_of_only_nulls_is_zero_and_sets_are_sorted(q):
    result = q("datatable(n:long, s:string)[long(null), 'b', long(null), 'a', long(null), 'c', long(null), 'a']"
               " | summarize c = countif(n > 1), s = make_set(s), s2 = make_set(s, 2)")
    assert result.rows == [(0, ["a", "b", "c"], ["a", "b"])]


def test_case_insensitive_in_and_has_any_over_a_computed_array(q):
    query = """let Terms = toscalar(datatable(t:string)["SNAPSHOT", "restore"] | summarize make_list(t));
    datatable(s:string)["snapshot", "Restore now", "x"] | extend a = s in~ (Terms), b = s has_any (Terms)"""
    assert q.rows(query) == [("snapshot", True, True), ("Restore now", False, True), ("x", False, False)]


def test_long_overflow_is_an_error_not_a_wrong_number(q):
    from revertguard.kql import KqlRuntimeError

    with pytest.raises(KqlRuntimeError):
        q("print a = 9223372036854775807 + 1")
