"""`override_lets`: top-level `let` literals set through the syntax tree; `union (...)` legs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from revertguard import kql
from revertguard.kql import KqlNameError, KqlTypeError, override_lets
from revertguard.kql.overrides import literal_lets

QUERY = """// IncludeSuppressed = false in a comment stays as it is
let IncludeSuppressed = false;
let Label = "it's \\"quoted\\"";
let Since = datetime(2026-11-20);
let Gap = 30m;
print s = IncludeSuppressed, l = Label, t = Since, g = Gap, text = "IncludeSuppressed = false\""""


def test_overrides_replace_only_the_literals(store):
    text = override_lets(QUERY, {"IncludeSuppressed": True, "Label": 'x"; drop table y; "',
                                 "Since": datetime(2026, 11, 21, 1, 2, 3), "Gap": timedelta(hours=2)})
    assert text.startswith("// IncludeSuppressed = false in a comment stays as it is\nlet IncludeSuppressed = true;")
    row = kql.run(store, text).to_dicts()[0]
    assert row == {"s": True, "l": 'x"; drop table y; "', "t": datetime(2026, 11, 21, 1, 2, 3),
                   "g": timedelta(hours=2), "text": "IncludeSuppressed = false"}
    assert override_lets(QUERY, {}) == QUERY


def test_overrides_refuse_unknown_names_and_other_types():
    with pytest.raises(KqlNameError, match="no top-level 'let Missing"):
        override_lets(QUERY, {"Missing": True})
    with pytest.raises(KqlTypeError, match="holds a bool; cannot set it to a long"):
        override_lets(QUERY, {"IncludeSuppressed": 1})
    assert literal_lets(QUERY)["Gap"].value == "timespan"


def test_union_takes_parenthesised_legs_after_union(store):
    result = kql.run(store, "let A = union (print x = 1 | extend y = 2), (print x = 3); A | order by x asc")
    assert result.rows == [(1, 2), (3, None)]
