"""SQL for KQL's string operators, faithful to their documented semantics.

* `has` and friends match whole terms: a regular expression puts `(?:^|[^\\pL\\pN])` before
  and `(?:$|[^\\pL\\pN])` after the needle, but only at an edge whose needle character is a
  letter or digit (`has "*"` is a plain substring test). Constant needles are escaped here,
  at compile time, so the pattern is one constant the engine compiles once.
* Case-insensitive operators fold ASCII letters only. A needle made of ASCII characters
  other than `i`/`k` can use `lower()` (the two letters some non-ASCII characters lower-case
  to); any other needle becomes a regular expression with `[aA]` classes, which is exact.
* KQL strings have no null. Each operator is built for a possibly-NULL left side and then
  given, with `COALESCE`, the answer KQL gives for "" (computed by `semantics`), so a NULL
  cell behaves exactly like an empty string; negated operators stay total.
"""

from __future__ import annotations

import re

from sqlglot import exp

from revertguard.kql import semantics
from revertguard.kql.dialects.base import Dialect, string
from revertguard.kql.typed import Value
from revertguard.tables import KqlType

TERM_LEAD = r"(?:^|[^\pL\pN])"
TERM_TRAIL = r"(?:$|[^\pL\pN])"
_UNSAFE_FOR_LOWER = frozenset("ikIK")  # letters that non-ASCII characters lower-case to


def bool_value(sql: exp.Expression, nullable: bool = False) -> Value:
    return Value(sql, KqlType.BOOL, nullable=nullable)


def const_bool(result: bool) -> Value:
    return Value(exp.true() if result else exp.false(), KqlType.BOOL, nullable=False, const=result)


def regex_literal(text: str, case_insensitive: bool) -> str:
    """A regular expression (RE2 and Java syntax) matching `text` literally."""
    out = []
    for ch in text:
        if case_insensitive and ch.isascii() and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isascii() and ch.isprintable() and ch != " ":
            out.append("\\" + ch)
        elif ch == " " or (not ch.isascii() and ch.isprintable()):
            out.append(ch)
        else:
            out.append(f"\\x{{{ord(ch):x}}}")
    return "".join(out)


def term_regex(needle: str, case_insensitive: bool, lead: bool = True, trail: bool = True) -> str:
    """The pattern for `has` (lead and trail boundaries), `hasprefix` (lead) or `hassuffix` (trail)."""
    start = TERM_LEAD if lead and semantics.is_term_char(needle[0]) else ""
    end = TERM_TRAIL if trail and semantics.is_term_char(needle[-1]) else ""
    return start + regex_literal(needle, case_insensitive) + end


def lower_is_exact(needle: str) -> bool:
    """Whether `lower(x)` compares ASCII-case-insensitively against this needle without error."""
    return needle.isascii() and not (_UNSAFE_FOR_LOWER & set(needle))


def _coalesce(value: Value) -> exp.Expression:
    return exp.Coalesce(this=value.sql, expressions=[string("")]) if value.nullable else value.sql


def total(positive: exp.Expression, left: Value, on_empty: bool) -> exp.Expression:
    """`positive` is NULL exactly when the left string is NULL; answer `on_empty` then."""
    if not left.nullable:
        return positive
    return exp.Coalesce(this=positive, expressions=[exp.true() if on_empty else exp.false()])


def negate(sql: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Paren(this=sql))


# -- binary string operators -------------------------------------------------------------------

_BASE_OPS = ("==", "=~", "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
             "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs")


def compare(op: str, left: Value, right: Value, dialect: Dialect) -> Value:
    """`left op right` for two string values; a total (never NULL) boolean."""
    if op == "!=":
        return opposite(compare("==", left, right, dialect))
    if op == "!~":
        return opposite(compare("=~", left, right, dialect))
    negated = op.startswith("!")
    base = op[1:] if negated else op
    if base not in _BASE_OPS and base != "matches regex":
        raise ValueError(f"not a string operator: {op}")
    if left.is_const and right.is_const and base != "matches regex":
        return const_bool(semantics.string_operator(op, left.const or "", right.const or ""))
    if right.is_const:
        needle = right.const or ""
        if base == "matches regex":
            positive = dialect.regex_match(left.sql, string(needle))
            on_empty = re.search(needle, "") is not None if _python_regex_ok(needle) else False
        else:
            positive = _constant_needle(base, left.sql, needle, dialect)
            on_empty = semantics.string_operator(base, "", needle)
        result = const_bool(positive) if isinstance(positive, bool) else bool_value(total(positive, left, on_empty))
    else:
        result = bool_value(_runtime_needle(base, _coalesce(left), _coalesce(right), dialect))
    return opposite(result) if negated else result


def opposite(value: Value) -> Value:
    """The opposite of a boolean, folded when it is a constant."""
    if value.is_const:
        return const_bool(not value.const)
    return bool_value(negate(value.sql), value.nullable)


def _python_regex_ok(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _constant_needle(base: str, left: exp.Expression, needle: str, d: Dialect) -> exp.Expression | bool:
    case_sensitive = base.endswith("_cs") or base == "=="
    name = base.removesuffix("_cs")
    lower = d.lower(left)
    folded = semantics.ascii_fold(needle)
    fast = not case_sensitive and lower_is_exact(needle)
    # For an exact regular expression, `lower()` still gives a cheap necessary condition to test first:
    # what matches ignoring ASCII case also matches after lower-casing both sides.
    lowered_needle = string(semantics.simple_lower(needle))
    if name in ("==", "=~"):
        if case_sensitive:
            return exp.EQ(this=left, expression=string(needle))
        if fast:
            return exp.EQ(this=lower, expression=string(folded))
        return exp.and_(exp.EQ(this=lower, expression=lowered_needle),
                        d.regex_full_match(left, regex_literal(needle, True)))
    if name in ("has", "hasprefix", "hassuffix"):
        if needle == "":
            return True
        pattern = term_regex(needle, not case_sensitive, lead=name != "hassuffix", trail=name != "hasprefix")
        prefilter = d.contains_cs(left, string(needle)) if case_sensitive else d.contains_cs(lower, lowered_needle)
        return exp.and_(prefilter, d.regex_match(left, string(pattern)))
    if needle == "":
        return True  # every string contains, starts and ends with ""
    if name == "contains":
        if case_sensitive:
            return d.contains_cs(left, string(needle))
        if fast:
            return d.contains_cs(lower, string(folded))
        return exp.and_(d.contains_cs(lower, lowered_needle), d.regex_match(left, string(regex_literal(needle, True))))
    if name == "startswith":
        if case_sensitive:
            return d.starts_with_cs(left, string(needle))
        if fast:
            return d.starts_with_cs(lower, string(folded))
        return exp.and_(d.starts_with_cs(lower, lowered_needle),
                        d.regex_match(left, string("^" + regex_literal(needle, True))))
    if name == "endswith":
        if case_sensitive:
            return d.ends_with_cs(left, string(needle))
        if fast:
            return d.ends_with_cs(lower, string(folded))
        return exp.and_(d.ends_with_cs(lower, lowered_needle),
                        d.regex_match(left, string(regex_literal(needle, True) + "\\z")))
    raise ValueError(base)


def _runtime_needle(base: str, left: exp.Expression, needle: exp.Expression, d: Dialect) -> exp.Expression:
    """Operators whose right side is only known per row. Case-insensitive forms use `lower()`
    and `(?i)`, which also fold non-ASCII letters (the ASCII-only rule needs a constant)."""
    case_sensitive = base.endswith("_cs") or base == "=="
    name = base.removesuffix("_cs")
    if not case_sensitive:
        left, needle = d.lower(left), d.lower(needle)
    if name in ("==", "=~"):
        return exp.EQ(this=left, expression=needle)
    if name == "matches regex":
        return d.regex_match(left, needle)
    empty = exp.EQ(this=needle, expression=string(""))
    if name == "contains":
        test = d.contains_cs(left, needle)
    elif name == "startswith":
        test = d.starts_with_cs(left, needle)
    elif name == "endswith":
        test = d.ends_with_cs(left, needle)
    else:
        parts: list[exp.Expression] = []
        if name != "hassuffix":
            parts.append(_edge(d, needle, "^[\\pL\\pN]", TERM_LEAD))
        parts.append(d.regex_quote(needle))
        if name != "hasprefix":
            parts.append(_edge(d, needle, "[\\pL\\pN]$", TERM_TRAIL))
        test = d.regex_match(left, exp.Concat(expressions=parts, safe=True, coalesce=False))
    return exp.Case(ifs=[exp.If(this=empty, true=exp.true())], default=test)


def _edge(d: Dialect, needle: exp.Expression, is_term_edge: str, boundary: str) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=d.regex_match(needle, string(is_term_edge)), true=string(boundary))],
                    default=string(""))


# -- list operators ----------------------------------------------------------------------------

def has_any(left: Value, needles: list[Value], dialect: Dialect, *, require_all: bool = False) -> Value:
    """`has_any` / `has_all` (case-insensitive term matching against several needles)."""
    constant = [n.const or "" for n in needles if n.is_const]
    runtime = [n for n in needles if not n.is_const]
    if require_all:
        parts = [compare("has", left, n, dialect) for n in needles]
        return _combine(parts, exp.and_, True)
    if left.is_const and not runtime:
        return const_bool(any(semantics.term_match(left.const or "", n, case_sensitive=False) for n in constant))
    parts = [compare("has", left, n, dialect) for n in runtime]
    if constant:
        if "" in constant:
            return const_bool(True)
        parts.append(bool_value(total(dialect.regex_match(left.sql, string(_alternation(constant))), left, False)))
    return _combine(parts, exp.or_, False)


def _alternation(needles: list[str]) -> str:
    """One pattern for many `has` needles, grouped by which boundaries each needs."""
    groups: dict[tuple[bool, bool], list[str]] = {}
    for needle in dict.fromkeys(needles):
        key = (semantics.is_term_char(needle[0]), semantics.is_term_char(needle[-1]))
        groups.setdefault(key, []).append(regex_literal(needle, True))
    branches = []
    for (lead, trail), literals in groups.items():
        body = literals[0] if len(literals) == 1 else "(?:" + "|".join(literals) + ")"
        branches.append((TERM_LEAD if lead else "") + body + (TERM_TRAIL if trail else ""))
    return branches[0] if len(branches) == 1 else "|".join(f"(?:{b})" for b in branches)


def _combine(parts: list[Value], join, empty: bool) -> Value:
    if not parts:
        return const_bool(empty)
    if len(parts) == 1:
        return parts[0]
    return bool_value(join(*[exp.Paren(this=p.sql) for p in parts]))


def in_strings(op: str, left: Value, items: list[Value], dialect: Dialect) -> Value:
    """`in` / `!in` (case-sensitive) and `in~` / `!in~` on strings; total."""
    negated = op.startswith("!")
    case_insensitive = op.endswith("~")
    constant = [i.const or "" for i in items if i.is_const]
    runtime = [i for i in items if not i.is_const]
    if left.is_const and not runtime:
        result = const_bool(semantics.in_list(op.lstrip("!"), left.const or "", constant))
        return opposite(result) if negated else result
    parts: list[Value] = [compare("=~" if case_insensitive else "==", left, i, dialect) for i in runtime]
    if constant:
        parts.append(_in_constants(left, list(dict.fromkeys(constant)), case_insensitive, dialect))
    result = _combine(parts, exp.or_, False)
    return opposite(result) if negated else result


def _in_constants(left: Value, values: list[str], case_insensitive: bool, d: Dialect) -> Value:
    on_empty = "" in values
    if not case_insensitive:
        positive = exp.In(this=left.sql, expressions=[string(v) for v in values])
    elif all(lower_is_exact(v) for v in values):
        folded = list(dict.fromkeys(semantics.ascii_fold(v) for v in values))
        positive = exp.In(this=d.lower(left.sql), expressions=[string(v) for v in folded])
    else:
        positive = d.regex_full_match(left.sql, "|".join(regex_literal(v, True) for v in values))
    return bool_value(total(positive, left, on_empty))
