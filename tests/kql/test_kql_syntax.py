"""Tokenizer and parser: KQL's lexical forms, and syntax errors a person can act on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from revertguard import kql
from revertguard.kql import KqlSyntaxError, KqlUnsupportedError
from revertguard.kql import expressions as ast
from revertguard.kql.parser import parse
from revertguard.kql.tokens import TokenKind, tokenize


def kinds(text: str) -> list[tuple[str, object]]:
    return [(t.kind.name, t.value) for t in tokenize(text)[:-1]]


def test_operator_words_with_punctuation_are_single_tokens():
    assert [t.text for t in tokenize("a !has b !in~ (c) in~ d !contains e project-away mv-expand x-y")[:-1]] == [
        "a", "!has", "b", "!in~", "(", "c", ")", "in~", "d", "!contains", "e", "project-away", "mv-expand",
        "x", "-", "y"]


def test_timespan_literals():
    assert kinds("24h 1.5d 100ms 30m 10s 2microseconds 10tick 3days") == [
        ("TIMESPAN", timedelta(hours=24)), ("TIMESPAN", timedelta(days=1.5)), ("TIMESPAN", timedelta(milliseconds=100)),
        ("TIMESPAN", timedelta(minutes=30)), ("TIMESPAN", timedelta(seconds=10)),
        ("TIMESPAN", timedelta(microseconds=2)), ("TIMESPAN", timedelta(microseconds=1)),
        ("TIMESPAN", timedelta(days=3))]


def test_string_literal_forms():
    assert [t.value for t in tokenize(r'''"a\"b\n" 'it\'s' @"C:\dir\""x" @'a''b' h"secret" ```multi
line```''')[:-1]] == ['a"b\n', "it's", 'C:\\dir\\"x', "a'b", "secret", "multi\nline"]
    assert tokenize(r'"\d+"')[0].value == "\\d+"  # unknown escapes keep the backslash


def test_typed_literals_keep_raw_contents():
    literal = parse("print datetime(2026-11-25 12:00:00.1234567), time(1.02:03:04), "
                    "datetime('2026-01-01T00:00:00+02:00'), timespan(2d), guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)"
                    ).query.items
    values = [item.value for item in literal]
    assert values[0] == datetime(2026, 11, 25, 12, 0, 0, 123456)
    assert values[1] == timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert values[2] == datetime(2025, 12, 31, 22, 0)
    assert values[3] == timedelta(days=2)
    assert values[4] == "74be27de-1e4e-49d9-b579-fe0b331d3642"


def test_comments_and_positions():
    tokens = tokenize("// comment\nT\n  | where x // trailing\n")
    assert [(t.text, t.line, t.column) for t in tokens[:-1]] == [("T", 2, 1), ("|", 3, 3), ("where", 3, 5),
                                                                 ("x", 3, 11)]


def test_every_node_keeps_its_position():
    script = parse("let x = 1;\nT\n| where a == x")
    where = script.query.operators[0]
    assert (where.line, where.column) == (3, 3)
    assert (where.predicate.line, where.predicate.column) == (3, 11)
    assert (where.predicate.left.line, where.predicate.left.column) == (3, 9)


def test_operator_precedence():
    predicate = parse("T | where a or b and c == 1 + 2 * 3").query.operators[0].predicate
    assert predicate.op == "or"
    assert predicate.right.op == "and"
    assert predicate.right.right.op == "=="
    assert predicate.right.right.right.op == "+"
    assert predicate.right.right.right.right.op == "*"


def test_let_forms_and_statements():
    script = parse("let a = 1; let T2 = T | take 1; let f = (x:string, y:long = 2) { T2 | where c == x };"
                   " let v = view () { T }; f('z')")
    assert [type(let.value).__name__ for let in script.lets] == ["Literal", "Pipe", "Function", "Function"]
    assert [p.name for p in script.lets[2].value.params] == ["x", "y"]
    assert isinstance(script.query, ast.Call)


def syntax_error(query: str) -> KqlSyntaxError:
    with pytest.raises(KqlSyntaxError) as info:
        kql.compile(query)
    return info.value


def test_syntax_errors_show_line_column_caret_and_what_was_expected():
    error = syntax_error("AzureActivity\n| where OperationNameValue ==\n| take 5")
    assert (error.line, error.column) == (3, 1)
    assert str(error) == ("syntax error at line 3, column 1: expected an expression, found '|'\n"
                          "  | take 5\n"
                          "  ^")
    error = syntax_error("T | where x in ('a', 'b'")
    assert "expected ')' to close the list of 'in'" in error.message
    error = syntax_error("T | summarize count() by")
    assert error.message == "expected an expression, found the end of the query"
    error = syntax_error('T | where s == "open')
    assert error.message.startswith("string literal is not closed")
    assert (error.line, error.column) == (1, 16)
    error = syntax_error("T | take 5 6")
    assert "expected '|', ';' or the end of the query" in error.message
    error = syntax_error("let x = 1")
    assert "no tabular expression" in error.message
    error = syntax_error("T | where 5x > 1")
    assert "'5x' is not a number or a timespan" in error.message


def test_unknown_operators_suggest_the_closest():
    error = syntax_error("T | summerize count()")
    assert error.message.startswith("unknown operator 'summerize'; did you mean 'summarize'")
    error = syntax_error("T | join kind=innr (U) on k")
    assert "unknown join kind 'innr'; did you mean 'inner'" in error.message


@pytest.mark.parametrize(("query", "name"), [
    ("T | make-series count() on t step 1h", "make-series"),
    ("T | evaluate bag_unpack(x)", "evaluate"),
    ("T | parse x with * 'a' y", "parse"),
    ("T | mv-apply x on (take 1)", "mv-apply"),
    ("externaldata(a:string)[@'https://x']", "externaldata"),
    ("declare query_parameters(x:string); T", "declare"),
])
def test_unsupported_constructs_are_named(query, name):
    with pytest.raises(KqlUnsupportedError, match=name):
        kql.compile(query)


def test_caret_lines_up_under_tabs():
    error = syntax_error("T\n\t| where ")
    assert str(error).splitlines()[-2:] == ["  \t| where ", "  \t        ^"]


def test_typed_literal_errors():
    assert "invalid datetime literal" in syntax_error("print datetime(yesterday)").message
    assert "invalid long literal" in syntax_error("print long(abc)").message


def test_token_kinds_cover_every_token():
    query = 'T | where a == "x" and b > 1.5 and c < 1d or d == datetime(2020-01-01) or e == 2'
    assert {t.kind for t in tokenize(query)} >= {
        TokenKind.IDENT, TokenKind.OP, TokenKind.STRING, TokenKind.REAL, TokenKind.TIMESPAN, TokenKind.LONG,
        TokenKind.TYPED, TokenKind.EOF}
