"""String operators: term-based `has`, case rules, `in` case-sensitivity, null and "" alike.

Each case runs twice: on a table column (the SQL the engine emits) and on two constants (the
compile-time folding), and both must give the documented answer. The traps are those of
research/kql-engines.md sections 4 and 5.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revertguard.kql import semantics

from .conftest import HOUR, NOW, insert, kql_string


def evaluate(q, left: str, op: str, right: str) -> bool:
    """`left op right` on a column and on constants; both must agree."""
    on_column = q.value(f"datatable(s:string)[{kql_string(left)}] | project r = s {op} {kql_string(right)}")
    folded = q.value(f"print r = {kql_string(left)} {op} {kql_string(right)}")
    assert on_column == folded, (left, op, right)
    return on_column


TRAPS = [
    # has is a whole-term match: a term is a maximal run of letters and digits.
    ("Microsoft.Compute/restorePoints/write", "has", "restorePoint", False),
    ("Microsoft.Compute/disks/writeX", "has", "Microsoft.Compute/disks/write", False),
    ("MICROSOFT.COMPUTE/DISKS/WRITE", "has", "Microsoft.Compute/disks/write", True),
    ("a snapshots b", "has", "snapshot", False),
    ("CopySnapshot", "has", "snapshot", False),
    ('{"creationData":null}', "has", "creationData", True),
    ("x_y", "has", "y", True),  # _ is not alphanumeric, so it separates terms
    ("MicrosoftXCompute", "has", "Microsoft.Compute", False),  # the needle's '.' is literal
    ('{"AWS":"*"}', "has", "*", True),  # no boundary needed where the needle edge is punctuation
    ("KustoExplorerQueryRun", "has", "Explorer", False),
    ("KustoExplorerQueryRun", "contains", "Explorer", True),
    ("anything", "has", "", True),
    ("b .b-", "has", " ", True),
    ("xa b", "has", "a ", False),
    ("a b", "has", "a ", True),
    ("café au lait", "has", "caf", False),  # é is a letter: no boundary inside café
    ("CopySnapshot", "has_cs", "copysnapshot", False),
    ("CopySnapshot", "!has", "snapshot", True),
    ("x-error", "hasprefix", "err", True),
    ("err or", "hasprefix", "r o", False),
    ("x-error", "hassuffix", "err", False),
    ("x-error", "hassuffix", "ror", True),
    # contains / startswith / endswith are substring tests, case-insensitive unless _cs.
    ("CopySnapshot", "contains", "snap", True),
    ("CopySnapshot", "contains_cs", "snap", False),
    ("CopySnapshot", "!contains", "snap", False),
    ("CopySnapshot", "startswith", "copy", True),
    ("CopySnapshot", "startswith_cs", "copy", False),
    ("CopySnapshot", "endswith", "SHOT", True),
    ("CopySnapshot", "!endswith", "SHOT", False),
    ("a%b", "contains", "%", True),
    ("ab", "contains", "%", False),
    ("a_b", "contains_cs", "_", True),
    ("ab", "contains_cs", "_", False),
    # =~ is equality ignoring ASCII case, not a prefix test.
    ("SUCCESS", "=~", "Success", True),
    ("Succeeded", "=~", "Success", False),
    ("Success", "!~", "success", False),
    ("Success", "==", "success", False),
    ("Success", "!=", "success", True),
    # Case-insensitive operators fold ASCII letters only (docs: "supported only for ASCII").
    ("Éclair", "=~", "éclair", False),
    ("ÉCLAIR", "contains", "éclair", False),
    ("Kelvin \u212a", "has", "k", False),  # KELVIN SIGN lower-cases to 'k' in Unicode, not in ASCII
    ("\u0130stanbul", "startswith", "i", False),
    ("Kilo", "=~", "KILO", True),
]


@pytest.mark.parametrize(("left", "op", "right", "expected"), TRAPS)
def test_string_operator_traps(q, left, op, right, expected):
    assert evaluate(q, left, op, right) is expected


def test_reference_semantics_agree_with_the_trap_table():
    for left, op, right, expected in TRAPS:
        assert semantics.string_operator(op, left, right) is expected, (left, op, right)


def test_matches_regex_is_re2_search(q):
    rows = q.column('datatable(s:string)["abc123", "abc", ""] | extend r = s matches regex @"\\d+$"')
    assert rows == [True, False, False]


# -- in / !in / in~ ----------------------------------------------------------------------------

def test_in_is_case_sensitive_and_in_tilde_is_not(q):
    result = q.dicts('datatable(s:string)["copysnapshot", "CopySnapshot"] '
                     '| extend a = s in ("CopySnapshot"), b = s in~ ("COPYSNAPSHOT"), c = s !in ("CopySnapshot"),'
                     ' d = s !in~ ("copySNAPSHOT")')
    assert [(r["a"], r["b"], r["c"], r["d"]) for r in result] == [
        (False, True, True, False), (True, True, False, False)]


def test_in_flattens_dynamic_arrays_and_let_lists(q):
    query = """let Ops = dynamic(["StopInstances", ["StartInstances"]]);
    datatable(s:string)["StopInstances", "StartInstances", "RunInstances"] | where s in (Ops)"""
    assert q.column(query, "s") == ["StopInstances", "StartInstances"]
    assert q.column('datatable(n:long)[1, 2, 3, 4] | where n in (dynamic([1, [2, 3]]))', "n") == [1, 2, 3]


def test_in_a_tabular_expression_uses_its_first_column(q):
    query = """let Allowed = datatable(Name:string, Other:long)["alice", 1, "bob", 2];
    datatable(s:string)["alice", "carol", "BOB"] | where s in (Allowed) | project s"""
    assert q.column(query) == ["alice"]
    query = query.replace("where s in", "where s in~")
    assert q.column(query) == ["alice", "BOB"]


def test_in_a_let_bound_make_list_spreads_the_array(q):
    query = """let Seen = datatable(Name:string)["a", "b"] | summarize make_list(Name);
    datatable(s:string)["a", "c"] | where s in (Seen)"""
    assert q.column(query, "s") == ["a"]


def test_has_any_and_has_all(q):
    rows = q.dicts('datatable(s:string)["Microsoft.Compute/disks/write", "CopySnapshot", "disks list"]'
                   ' | extend any_ = s has_any ("disks", "snapshot"), all_ = s has_all ("disks", "write")')
    assert [(r["any_"], r["all_"]) for r in rows] == [(True, True), (False, False), (True, False)]
    assert q.value('print x = "a b" has_any (dynamic([]))') is False
    assert q.value('let L = dynamic(["zz", "B"]); print x = "a b" has_any (L)') is True


def test_has_on_dynamic_searches_the_json_text_keys_and_nested_json_strings(q):
    data = ('datatable(d:dynamic)[dynamic({"creationData": null}), '
            'dynamic({"responseBody": "{\\"creationData\\":{\\"createOption\\":\\"Copy\\"}}"}), '
            'dynamic("restorePoints"), dynamic(["a_b"])]')
    assert q.column(f"{data} | extend r = d has 'creationData'") == [True, True, False, False]
    assert q.column(f"{data} | extend r = d has_any ('Copy', 'b')") == [False, True, False, True]
    assert q.column(f"{data} | extend r = d has 'restorePoint'") == [False, False, False, False]
    assert q.column(f"{data} | extend r = d contains 'restorePoint'") == [False, False, True, False]


def test_has_any_with_needles_from_a_table_or_a_computed_array(q):
    query = """let Terms = datatable(t:string)["snapshot", "Restore"];
    datatable(s:string)["CopySnapshot", "a snapshot b", "restore now", "nothing"] | where s has_any (Terms)"""
    assert q.column(query) == ["a snapshot b", "restore now"]
    query = """let Terms = toscalar(datatable(t:string)["snapshot", "Restore"] | summarize make_list(t));
    datatable(s:string)["CopySnapshot", "a snapshot b", "restore now"] | where s has_any (Terms)"""
    assert q.column(query) == ["a snapshot b", "restore now"]


def test_has_with_a_column_needle(q):
    rows = q.column('datatable(h:string, n:string)["arn:aws:kms:111", "111", "arn:aws:kms:1112", "111",'
                    ' "x", ""] | extend r = h has n')
    assert rows == [True, False, True]


# -- null and "" alike -------------------------------------------------------------------------

@pytest.fixture
def nullable(store):
    insert(store, "AWSCloudTrail", [
        dict(AwsEventId="null", ErrorCode=None, TimeGenerated=NOW - HOUR),
        dict(AwsEventId="empty", ErrorCode="", TimeGenerated=NOW - HOUR),
        dict(AwsEventId="denied", ErrorCode="AccessDenied", TimeGenerated=NOW - HOUR),
    ])
    return store


def ids(q, where: str) -> list[str]:
    return sorted(q.column(f"AWSCloudTrail | where {where} | project AwsEventId"))


def test_a_null_string_behaves_as_the_empty_string(q, nullable):
    assert ids(q, "isempty(ErrorCode)") == ["empty", "null"]
    assert ids(q, "isnotempty(ErrorCode)") == ["denied"]
    assert ids(q, 'ErrorCode == ""') == ["empty", "null"]
    assert ids(q, 'ErrorCode != "AccessDenied"') == ["empty", "null"]  # negations stay total
    assert ids(q, 'ErrorCode !contains "denied"') == ["empty", "null"]
    assert ids(q, 'ErrorCode !has "x"') == ["denied", "empty", "null"]
    assert ids(q, 'ErrorCode !in ("AccessDenied")') == ["empty", "null"]
    assert ids(q, 'ErrorCode in ("", "AccessDenied")') == ["denied", "empty", "null"]
    assert ids(q, 'not(ErrorCode startswith "Access")') == ["empty", "null"]
    assert ids(q, "strlen(ErrorCode) == 0") == ["empty", "null"]
    assert ids(q, 'tostring(ErrorCode) == ""') == ["empty", "null"]
    assert ids(q, "isnull(ErrorCode)") == []  # KQL strings are never null


def test_null_strings_group_with_empty_ones_and_print_as_empty(q, nullable):
    assert q.rows("AWSCloudTrail | summarize n = count() by ErrorCode | sort by n desc") == [
        ("", 2), ("AccessDenied", 1)]
    assert q.dicts('AWSCloudTrail | where AwsEventId == "null" | project ErrorCode') == [{"ErrorCode": ""}]


# -- property tests against the reference semantics --------------------------------------------

ALPHABET = st.sampled_from([*"aAbBkKiI_-. /*%é\u212a\u0130", "Sn", "ap"])
TEXT = st.lists(ALPHABET, max_size=6).map("".join)
OPERATORS = ["has", "!has", "has_cs", "hasprefix", "hassuffix", "contains", "!contains", "contains_cs",
             "startswith", "endswith_cs", "=~", "!~", "==", "!="]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=st.lists(TEXT, min_size=1, max_size=5), right=TEXT, op=st.sampled_from(OPERATORS))
def test_string_operators_match_the_reference_semantics(q, left, right, op):
    table = ", ".join(kql_string(s) for s in left)
    got = q.column(f"datatable(s:string)[{table}] | extend r = s {op} {kql_string(right)}")
    assert got == [semantics.string_operator(op, s, right) for s in left]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=st.lists(TEXT, min_size=1, max_size=4), items=st.lists(TEXT, max_size=4),
       op=st.sampled_from(["in", "!in", "in~", "!in~"]))
def test_in_operators_match_the_reference_semantics(q, left, items, op):
    table = ", ".join(kql_string(s) for s in left)
    got = q.column(f"datatable(s:string)[{table}] | extend r = s {op} ({', '.join(map(kql_string, items))})")
    assert got == [semantics.in_list(op, s, items) for s in left]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=st.lists(TEXT, min_size=1, max_size=4), needles=st.lists(TEXT, min_size=1, max_size=4))
def test_has_any_matches_the_reference_semantics(q, left, needles):
    table = ", ".join(kql_string(s) for s in left)
    got = q.column(f"datatable(s:string)[{table}] | extend r = s has_any ({', '.join(map(kql_string, needles))})")
    assert got == [any(semantics.term_match(s, n, case_sensitive=False) for n in needles) for s in left]
