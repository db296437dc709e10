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

import functools
import sys
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


# -- tolower / toupper ------------------------------------------------------------------------
# Each character is mapped on its own (Unicode's simple case mapping), as DuckDB and .NET do.
# Python and Java apply the full mapping: `İ` lower-cases to two characters, a final `Σ` to
# `ς`, and about a hundred letters upper-case to several (`ß` to `SS`, `ﬁ` to `FI`).

LOWER_SPECIALS = {"\u0130": "i", "\u03a3": "\u03c3"}  # İ, and Σ (never the final ς)


@functools.cache
def upper_specials() -> dict[str, str]:
    """Letters whose full upper case is several characters -> their one-character upper case
    (the title-case letter where that is one character, else the letter itself; `ß` becomes
    `ẞ`, as DuckDB upper-cases it)."""
    specials = {}
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if not 0xD800 <= code < 0xE000 and len(ch.upper()) > 1:
            title = ch.title()
            specials[ch] = title if len(title) == 1 else ch
    specials["\u00df"] = "\u1e9e"
    return specials


def simple_lower(text: str) -> str:
    for special, lowered in LOWER_SPECIALS.items():
        text = text.replace(special, lowered)
    return text.lower()


def simple_upper(text: str) -> str:
    specials = upper_specials()
    return "".join(specials.get(ch) or ch.upper() for ch in text)
