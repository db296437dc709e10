"""KQL string-operator semantics in plain Python, as the Kusto docs define them.

The compiler uses these to fold operators whose operands are both constants, and to decide
what an operator gives for an empty string (KQL strings have no null: a NULL in the store
means ""). The tests use them as the reference the SQL must agree with.

Sources (learn.microsoft.com/kusto/query/...): datatypes-string-operators ("What is a term?":
a term is a maximal run of alphanumeric characters, every other character separates terms),
has-operator, hasprefix/hassuffix, contains, startswith/endswith, equals and in operators.
Case-insensitive operators fold ASCII letters only ("Case-insensitive operators are
currently supported only for ASCII-text"); other characters must match exactly.
"""

from __future__ import annotations

import unicodedata

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def is_term_char(ch: str) -> bool:
    """A term character: a Unicode letter or number (what RE2 calls `[\\pL\\pN]`)."""
    return unicodedata.category(ch)[0] in ("L", "N")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters only: how KQL's case-insensitive operators compare."""
    return text.translate(_ASCII_FOLD)


def term_match(haystack: str, needle: str, *, case_sensitive: bool, lead: bool = True, trail: bool = True) -> bool:
    """`has` (lead and trail), `hasprefix` (lead only), `hassuffix` (trail only).

    The needle must occur with a term boundary at each required edge *whose needle character
    is itself a term character*; an edge that is punctuation needs no boundary, and an empty
    needle always matches.
    """
    if needle == "":
        return True
    if not case_sensitive:
        haystack, needle = ascii_fold(haystack), ascii_fold(needle)
    need_lead = lead and is_term_char(needle[0])
    need_trail = trail and is_term_char(needle[-1])
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        lead_ok = not need_lead or start == 0 or not is_term_char(haystack[start - 1])
        trail_ok = not need_trail or end == len(haystack) or not is_term_char(haystack[end])
        if lead_ok and trail_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _fold(a: str, b: str, case_sensitive: bool) -> tuple[str, str]:
    return (a, b) if case_sensitive else (ascii_fold(a), ascii_fold(b))


def string_operator(op: str, left: str, right: str) -> bool:
    """The result of a KQL string operator (`has`, `!contains_cs`, `=~`, ...) on two strings."""
    negated = op.startswith("!") and op not in ("!=", "!~")
    base = op[1:] if negated else op
    if op == "!=":
        return left != right
    if op == "!~":
        return ascii_fold(left) != ascii_fold(right)
    case_sensitive = base.endswith("_cs") or base == "=="
    name = base.removesuffix("_cs")
    a, b = _fold(left, right, case_sensitive)
    if name in ("==", "=~"):
        result = a == b
    elif name == "has":
        result = term_match(left, right, case_sensitive=case_sensitive)
    elif name == "hasprefix":
        result = term_match(left, right, case_sensitive=case_sensitive, trail=False)
    elif name == "hassuffix":
        result = term_match(left, right, case_sensitive=case_sensitive, lead=False)
    elif name == "contains":
        result = b in a
    elif name == "startswith":
        result = a.startswith(b)
    elif name == "endswith":
        result = a.endswith(b)
    else:
        raise ValueError(f"not a string operator: {op}")
    return not result if negated else result


def in_list(op: str, left: str, items: list[str]) -> bool:
    """`in`, `!in` (case-sensitive) and `in~`, `!in~` (ASCII case-insensitive) on strings."""
    found = left in items if op in ("in", "!in") else ascii_fold(left) in {ascii_fold(i) for i in items}
    return not found if op.startswith("!") else found
