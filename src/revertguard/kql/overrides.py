"""Give a query's top-level `let` constants other values, through the syntax tree.

A deployed rule keeps a switch such as `let IncludeSuppressed = false;`; a local runner wants the
same query with `true`. `override_lets(query, {"IncludeSuppressed": True})` parses the query,
finds each named top-level `let` bound to a plain literal, checks the new value has the same
KQL type, and rewrites exactly that literal's token. Nothing else in the text changes, so any
engine runs the result and error positions still point at the user's lines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from revertguard.kql import expressions as ast
from revertguard.kql.errors import KqlNameError, KqlTypeError
from revertguard.kql.parser import parse
from revertguard.kql.tokens import Token, tokenize
from revertguard.tables import KqlType

LetValue = bool | int | float | str | datetime | timedelta


def override_lets(query: str, values: Mapping[str, LetValue]) -> str:
    """The query with each named top-level `let` literal replaced by the given value.

    Raises `KqlNameError` when a name is not a top-level `let` of a literal, and `KqlTypeError`
    when the new value's type differs from the literal's (a `bool` switch stays a `bool`).
    """
    if not values:
        return query
    script = parse(query)
    literals = {let.name: let.value for let in script.lets if isinstance(let.value, ast.Literal)}
    tokens = {(t.line, t.column): t for t in tokenize(query)}
    edits: list[tuple[Token, str]] = []
    for name, value in values.items():
        literal = literals.get(name)
        if literal is None:
            raise KqlNameError(f"the query has no top-level 'let {name} = <literal>;' to override").with_source(query)
        kind = _kql_type(value)
        if kind is not literal.type:
            raise KqlTypeError(f"'let {name}' holds a {literal.type.value}; cannot set it to a {kind.value}",
                               literal.line, literal.column, query)
        edits.append((tokens[(literal.line, literal.column)], kql_literal(value)))
    text = query
    for token, replacement in sorted(edits, key=lambda e: e[0].pos, reverse=True):
        text = text[:token.pos] + replacement + text[token.pos + len(token.text):]
    return text


def literal_lets(query: str) -> dict[str, KqlType]:
    """The query's top-level `let` names bound to a plain literal, with the literal's KQL type."""
    return {let.name: let.value.type for let in parse(query).lets if isinstance(let.value, ast.Literal)}


def _kql_type(value: LetValue) -> KqlType:
    # bool before int: True is an int in Python.
    for python_type, kql_type in ((bool, KqlType.BOOL), (int, KqlType.LONG), (float, KqlType.REAL),
                                  (str, KqlType.STRING), (datetime, KqlType.DATETIME),
                                  (timedelta, KqlType.TIMESPAN)):
        if isinstance(value, python_type):
            return kql_type
    raise KqlTypeError(f"cannot write {type(value).__name__} as a KQL literal")


def kql_literal(value: LetValue) -> str:
    """The KQL source text of a scalar value (strings quoted and escaped, so any text is safe)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a double-quoted KQL string: the same escapes as JSON
    if isinstance(value, datetime):
        return f"datetime({value.isoformat()})"
    if isinstance(value, timedelta):
        return f"{value.total_seconds()!r}s"
    raise KqlTypeError(f"cannot write {type(value).__name__} as a KQL literal")
