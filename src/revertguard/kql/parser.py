"""The KQL parser: tokens -> `Script` (the syntax tree in `expressions`).

A hand-written recursive-descent parser with precedence climbing for scalar expressions. It
knows the operators real Sentinel rules use; operators it does not implement are reported
by name as unsupported, and anything else that does not parse is a syntax error that says
where it happened and what was expected there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from revertguard.kql import expressions as ast
from revertguard.kql.errors import KqlError, KqlSyntaxError, KqlUnsupportedError, did_you_mean
from revertguard.kql.literals import (
    TYPE_NAMES,
    parse_datetime_text,
    parse_guid_text,
    parse_timespan_text,
    typed_literal_value,
)
from revertguard.kql.tokens import Token, TokenKind, tokenize
from revertguard.tables import KqlType

N = TypeVar("N", bound=ast.Node)

# Comparison-level operators: punctuation, and words (also their `!` forms and `_cs` variants).
COMPARISON_OPS = frozenset({"==", "!=", "<>", "<", ">", "<=", ">=", "=~", "!~"})
STRING_OPS = frozenset({
    "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "contains", "contains_cs",
    "startswith", "startswith_cs", "endswith", "endswith_cs", "matches",
})
NEGATED_STRING_OPS = frozenset("!" + op for op in STRING_OPS if op != "matches")
LIST_OPS = frozenset({"in", "!in", "in~", "!in~", "has_any", "has_all"})

# Operators (after `|`) that are valid KQL but not implemented here.
UNSUPPORTED_OPERATORS = frozenset({
    "make-series", "evaluate", "parse", "parse-where", "parse-kv", "mv-apply", "facet", "fork", "partition",
    "scan", "sample", "sample-distinct", "top-nested", "top-hitters", "invoke", "search", "find", "reduce",
    "consume", "externaldata", "extend-if", "graph-match", "make-graph", "lookup-if", "macro-expand",
})

# Statements that are valid KQL but not implemented here.
UNSUPPORTED_STATEMENTS = frozenset({"declare", "alias", "pattern", "restrict", "evaluate", "search", "find",
                                    "externaldata", "external_table", "cluster", "database"})

# `set` options that only change how a client shows results: harmless to ignore offline.
IGNORED_SET_OPTIONS = frozenset({"notruncation", "truncationmaxrecords", "truncationmaxsize"})

JOIN_KINDS = {
    "innerunique": "innerunique", "inner": "inner", "leftouter": "leftouter", "rightouter": "rightouter",
    "fullouter": "fullouter", "leftanti": "leftanti", "anti": "leftanti", "leftantisemi": "leftanti",
    "rightanti": "rightanti", "rightantisemi": "rightanti", "leftsemi": "leftsemi", "rightsemi": "rightsemi",
}


def parse(query: str) -> ast.Script:
    """Parse a whole query (let statements and one tabular expression). Raises KqlError."""
    try:
        return _Parser(tokenize(query), query).script()
    except KqlError as exc:
        raise exc.with_source(query) from None
    except RecursionError:
        raise KqlSyntaxError("the query is nested too deeply to parse", 1, 1, query) from None


class _Parser:
    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self.i = 0

    # -- token helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not TokenKind.EOF:
            self.i += 1
        return tok

    def accept_op(self, *texts: str) -> Token | None:
        if self.tok.is_op(*texts):
            return self.next()
        return None

    def accept_word(self, *words: str) -> Token | None:
        if self.tok.is_word(*words):
            return self.next()
        return None

    def expect_op(self, text: str, context: str = "") -> Token:
        if not self.tok.is_op(text):
            raise self.error(f"expected {text!r}{context}, found {self.tok.describe()}")
        return self.next()

    def expect_word(self, word: str, context: str = "") -> Token:
        if not self.tok.is_word(word):
            raise self.error(f"expected {word!r}{context}, found {self.tok.describe()}")
        return self.next()

    def error(self, message: str, tok: Token | None = None) -> KqlSyntaxError:
        tok = tok or self.tok
        return KqlSyntaxError(message, tok.line, tok.column, self.source)

    def unsupported(self, message: str, tok: Token) -> KqlUnsupportedError:
        return KqlUnsupportedError(message, tok.line, tok.column, self.source)

    @staticmethod
    def at(node: N, tok: Token) -> N:
        node.line, node.column = tok.line, tok.column
        return node

    def identifier(self, what: str = "a name") -> tuple[str, Token]:
        """A name: a plain identifier or a bracket-quoted `['any text']`."""
        tok = self.tok
        if tok.kind is TokenKind.IDENT and not tok.text.startswith("$"):
            self.next()
            return tok.text, tok
        if tok.is_op("[") and self.peek().kind is TokenKind.STRING and self.peek(2).is_op("]"):
            self.next()
            name = self.next().value
            self.next()
            return str(name), tok
        raise self.error(f"expected {what}, found {tok.describe()}")

    def comma_list(self, item: Callable[[], N], stop: Callable[[], bool] | None = None) -> list[N]:
        items = [item()]
        while self.accept_op(","):
            if stop is not None and stop():
                break  # a trailing comma
            items.append(item())
        return items

    def at_pipe_end(self) -> bool:
        return self.tok.kind is TokenKind.EOF or self.tok.is_op("|", ";", ")")

    # -- statements ------------------------------------------------------------------------
    def script(self) -> ast.Script:
        lets: list[ast.Let] = []
        query: ast.Node | None = None
        first = self.tok
        while self.tok.kind is not TokenKind.EOF:
            if self.accept_op(";"):
                continue
            tok = self.tok
            if tok.is_word("let"):
                lets.append(self.let_statement())
            elif tok.is_word("set"):
                self.set_statement()
            elif tok.kind is TokenKind.IDENT and tok.text in UNSUPPORTED_STATEMENTS and (
                    self.peek().kind is TokenKind.IDENT or tok.text == "declare"):
                raise self.unsupported(f"the {tok.text!r} statement is not supported", tok)
            else:
                if query is not None:
                    raise self.error("a second query statement: revertguard runs one tabular expression "
                                     "per query (put the others in `let` statements)")
                query = self.pipe_expr()
                if not (self.tok.kind is TokenKind.EOF or self.tok.is_op(";")):
                    raise self.error(f"expected '|', ';' or the end of the query, found {self.tok.describe()}")
                continue
            if not (self.tok.kind is TokenKind.EOF or self.tok.is_op(";")):
                raise self.error(f"expected ';' after the statement, found {self.tok.describe()}")
        if query is None:
            raise self.error("the query has no tabular expression to run (only let statements)", self.tok
                             if self.tok.kind is not TokenKind.EOF or not lets else first)
        return self.at(ast.Script(lets, query), first)

    def set_statement(self) -> None:
        tok = self.next()
        name, _ = self.identifier("an option name after 'set'")
        if name not in IGNORED_SET_OPTIONS:
            raise self.unsupported(f"'set {name}' is not supported (only client display options are ignored)", tok)
        if self.accept_op("="):
            self.unary()

    def let_statement(self) -> ast.Let:
        tok = self.expect_word("let")
        name, _ = self.identifier("a name after 'let'")
        self.expect_op("=", f" after 'let {name}'")
        if self.tok.is_word("view") and self.peek().is_op("("):
            self.next()
            value: ast.Node = self.function_literal()
        elif self.tok.is_op("(") and self.looks_like_function():
            value = self.function_literal()
        else:
            value = self.pipe_expr()
        return self.at(ast.Let(name, value), tok)

    def looks_like_function(self) -> bool:
        """After `let x =`, `(` starts a function when `) {` or `name :` follows."""
        nxt, after = self.peek(), self.peek(2)
        if nxt.is_op(")") and after.is_op("{"):
            return True
        return nxt.kind is TokenKind.IDENT and after.is_op(":")

    def function_literal(self) -> ast.Function:
        tok = self.expect_op("(")
        params: list[ast.Param] = []
        if not self.tok.is_op(")"):
            params = self.comma_list(self.param)
        self.expect_op(")", " to close the parameter list")
        self.expect_op("{", " to start the function body")
        lets: list[ast.Let] = []
        body: ast.Node | None = None
        while not self.tok.is_op("}"):
            if self.tok.kind is TokenKind.EOF:
                raise self.error("expected '}' to close the function body")
            if self.accept_op(";"):
                continue
            if self.tok.is_word("let"):
                lets.append(self.let_statement())
                continue
            if body is not None:
                raise self.error("a function body has one expression (put the others in `let` statements)")
            body = self.pipe_expr()
        end = self.next()
        if body is None:
            raise self.error("the function body is empty", end)
        return self.at(ast.Function(params, lets, body), tok)

    def param(self) -> ast.Param:
        name, tok = self.identifier("a parameter name")
        self.expect_op(":", f" and a type after parameter {name!r}")
        if self.tok.is_op("("):  # tabular parameter: (*) or (col:type, ...)
            depth = 0
            while True:
                t = self.next()
                if t.kind is TokenKind.EOF:
                    raise self.error("expected ')' to close the tabular parameter schema")
                depth += t.is_op("(") - t.is_op(")")
                if depth == 0:
                    break
            return self.at(ast.Param(name, None), tok)
        kql_type = self.type_name()
        default = self.unary() if self.accept_op("=") else None
        return self.at(ast.Param(name, kql_type, default), tok)

    def type_name(self) -> KqlType:
        tok = self.tok
        word = tok.value[0] if tok.kind is TokenKind.TYPED else tok.text
        if tok.kind not in (TokenKind.IDENT, TokenKind.TYPED) or word not in TYPE_NAMES:
            raise self.error(f"expected a type name (string, long, int, real, bool, datetime, timespan, "
                             f"dynamic, guid), found {tok.describe()}")
        if tok.kind is TokenKind.TYPED:
            raise self.error(f"expected a type name, found {tok.describe()}")
        self.next()
        return TYPE_NAMES[word]

    # -- tabular expressions -----------------------------------------------------------------
    def pipe_expr(self) -> ast.Node:
        start = self.tok
        source = self.expr()
        operators: list[ast.Operator] = []
        while self.accept_op("|"):
            operators.append(self.operator())
        if not operators:
            return source
        return self.at(ast.Pipe(source, operators), start)

    def operator(self) -> ast.Operator:
        tok = self.tok
        if tok.kind is not TokenKind.IDENT:
            raise self.error(f"expected an operator after '|', found {tok.describe()}")
        name = tok.text
        handler = _OPERATOR_PARSERS.get(name)
        if handler is None:
            if name in UNSUPPORTED_OPERATORS:
                raise self.unsupported(f"the {name!r} operator is not supported", tok)
            raise self.error(f"unknown operator {name!r}" + did_you_mean(name, _OPERATOR_PARSERS))
        self.next()
        return self.at(handler(self, tok), tok)

    def op_where(self, tok: Token) -> ast.Operator:
        return ast.Where(self.expr())

    def op_extend(self, tok: Token) -> ast.Operator:
        return ast.Extend(self.comma_list(self.assign_or_expr))

    def op_project(self, tok: Token) -> ast.Operator:
        return ast.Project(self.comma_list(self.assign_or_expr))

    def op_project_away(self, tok: Token) -> ast.Operator:
        return ast.ProjectAway(self.comma_list(self.name_pattern))

    def op_project_keep(self, tok: Token) -> ast.Operator:
        return ast.ProjectKeep(self.comma_list(self.name_pattern))

    def op_project_rename(self, tok: Token) -> ast.Operator:
        def pair() -> tuple[ast.Name, ast.Name]:
            new, new_tok = self.identifier("a new column name")
            self.expect_op("=", " (project-rename NewName = OldName)")
            old, old_tok = self.identifier("the column to rename")
            return self.at(ast.Name(new), new_tok), self.at(ast.Name(old), old_tok)
        return ast.ProjectRename(self.comma_list(pair))

    def op_project_reorder(self, tok: Token) -> ast.Operator:
        def item() -> tuple[ast.Name, str | None]:
            pattern = self.name_pattern()
            order = self.accept_word("asc", "desc", "granny-asc", "granny-desc")
            return pattern, order.text if order else None
        return ast.ProjectReorder(self.comma_list(item))

    def op_summarize(self, tok: Token) -> ast.Operator:
        self.skip_hints()
        aggregates: list[ast.Node] = []
        if not self.tok.is_word("by") and not self.at_pipe_end():
            aggregates = self.comma_list(self.assign_or_expr)
        by: list[ast.Node] = []
        if self.accept_word("by"):
            by = self.comma_list(self.assign_or_expr)
        if not aggregates and not by:
            raise self.error("summarize needs aggregates, 'by' columns, or both")
        return ast.Summarize(aggregates, by)

    def op_sort(self, tok: Token) -> ast.Operator:
        self.skip_hints()
        self.expect_word("by", f" after '{tok.text}'")
        return ast.Sort(self.comma_list(self.sort_key))

    def op_top(self, tok: Token) -> ast.Operator:
        count = self.expr()
        self.expect_word("by", " after the number of rows in 'top'")
        return ast.Top(count, self.sort_key())

    def op_take(self, tok: Token) -> ast.Operator:
        self.skip_hints()
        return ast.Take(self.expr())

    def op_distinct(self, tok: Token) -> ast.Operator:
        self.skip_hints()
        if self.tok.is_op("*"):
            star = self.next()
            return ast.Distinct([self.at(ast.Star(), star)])
        return ast.Distinct(self.comma_list(self.assign_or_expr))

    def op_count(self, tok: Token) -> ast.Operator:
        return ast.Count()

    def op_join(self, tok: Token) -> ast.Operator:
        options = self.options({"kind"})
        kind_text = options.get("kind", "innerunique")
        kind = JOIN_KINDS.get(kind_text)
        if kind is None:
            raise self.error(f"unknown join kind {kind_text!r}" + did_you_mean(kind_text, JOIN_KINDS))
        right = self.join_right()
        return ast.Join(right, self.join_conditions(), kind)

    def op_lookup(self, tok: Token) -> ast.Operator:
        options = self.options({"kind"})
        kind = options.get("kind", "leftouter")
        if kind not in ("leftouter", "inner"):
            raise self.error(f"lookup kind must be leftouter or inner, not {kind!r}")
        right = self.join_right()
        return ast.Lookup(right, self.join_conditions(), kind)

    def join_right(self) -> ast.Node:
        if self.tok.is_op("("):
            self.next()
            right = self.pipe_expr()
            self.expect_op(")", " to close the right side of the join")
            return right
        name, tok = self.identifier("the right side of the join: a table name or '(' query ')'")
        return self.at(ast.Name(name), tok)

    def join_conditions(self) -> list[ast.JoinOn]:
        self.expect_word("on", " (join ... on Column or on $left.A == $right.B)")
        conditions: list[ast.JoinOn] = []
        while True:
            start = self.tok
            expr = self.comparison()
            conditions.append(self.at(self.join_on(expr, start), start))
            if not (self.accept_op(",") or self.accept_word("and")):
                return conditions

    def join_on(self, expr: ast.Node, tok: Token) -> ast.JoinOn:
        if isinstance(expr, ast.Name) and not expr.name.startswith("$"):
            return ast.JoinOn(expr.name, expr.name)
        if isinstance(expr, ast.Binary) and expr.op == "==":
            sides = {_side_of(expr.left), _side_of(expr.right)}
            named = dict(s for s in sides if s is not None)
            if len(named) == 2:
                return ast.JoinOn(named["$left"], named["$right"])
        raise self.error("a join condition is a column name or '$left.Column == $right.Column'", tok)

    def op_union(self, tok: Token) -> ast.Operator:
        union = self.union_body(tok)
        return ast.UnionOp(union)

    def union_body(self, tok: Token) -> ast.Union:
        options = self.options({"kind", "withsource", "isfuzzy"})
        kind = options.get("kind", "outer")
        if kind not in ("inner", "outer"):
            raise self.error(f"union kind must be inner or outer, not {kind!r}")
        legs = self.comma_list(self.union_leg)
        return self.at(ast.Union(legs, kind, options.get("withsource")), tok)

    def union_leg(self) -> ast.Node:
        if self.tok.is_op("("):
            self.next()
            leg = self.pipe_expr()
            self.expect_op(")", " to close the union leg")
            return leg
        if self.tok.kind is TokenKind.IDENT and self.peek().is_op("("):
            return self.primary()
        return self.name_pattern()

    def op_mv_expand(self, tok: Token) -> ast.Operator:
        options = self.options({"kind", "bagexpansion", "with_itemindex"})
        bag_kind = options.get("kind", options.get("bagexpansion", "bag"))
        if bag_kind not in ("bag", "array"):
            raise self.error(f"mv-expand kind must be bag or array, not {bag_kind!r}")
        items = self.comma_list(self.expand_item)
        limit = self.expr() if self.accept_word("limit") else None
        return ast.MvExpand(items, bag_kind, options.get("with_itemindex"), limit, legacy=tok.text == "mvexpand")

    def expand_item(self) -> ast.ExpandItem:
        tok = self.tok
        name = None
        if (tok.kind is TokenKind.IDENT or tok.is_op("[")) and self.is_assignment():
            name, _ = self.identifier()
            self.expect_op("=")
        expr = self.expr()
        to_type = None
        if self.accept_word("to"):
            self.expect_word("typeof", " after 'to' (mv-expand x to typeof(string))")
            self.expect_op("(")
            to_type = self.type_name()
            self.expect_op(")")
        return self.at(ast.ExpandItem(name, expr, to_type), tok)

    def op_as(self, tok: Token) -> ast.Operator:
        self.skip_hints()
        name, _ = self.identifier("a name after 'as'")
        return ast.As(name)

    def op_serialize(self, tok: Token) -> ast.Operator:
        items = [] if self.at_pipe_end() else self.comma_list(self.assign_or_expr)
        return ast.Serialize(items)

    def op_render(self, tok: Token) -> ast.Operator:
        # Presentation only: skip to the next operator. The result is the table itself.
        depth = 0
        while not (self.tok.kind is TokenKind.EOF or (depth == 0 and self.tok.is_op("|", ";", ")"))):
            depth += self.tok.is_op("(") - self.tok.is_op(")")
            self.next()
        return ast.Serialize([])

    def op_getschema(self, tok: Token) -> ast.Operator:
        return ast.GetSchema()

    # -- operator pieces ---------------------------------------------------------------------
    def options(self, allowed: set[str]) -> dict[str, str]:
        """`name=value` options before an operator's arguments; `hint.*` ones are accepted and ignored."""
        found: dict[str, str] = {}
        while self.tok.kind is TokenKind.IDENT:
            start = self.i
            name = self.dotted_name()
            if not self.tok.is_op("=") or not (name in allowed or name.startswith("hint.")):
                self.i = start
                break
            self.next()
            if self.tok.is_op("["):  # withsource=['name']
                value, _ = self.identifier()
            else:
                value_tok = self.next()
                if value_tok.kind not in (TokenKind.IDENT, TokenKind.STRING, TokenKind.LONG):
                    raise self.error(f"expected a value for option {name!r}, found {value_tok.describe()}",
                                     value_tok)
                value = str(value_tok.value) if value_tok.kind is TokenKind.STRING else value_tok.text
            if not name.startswith("hint."):
                found[name] = value
        return found

    def skip_hints(self) -> None:
        self.options(set())

    def dotted_name(self) -> str:
        parts = [self.next().text]
        while self.tok.is_op(".") and self.peek().kind is TokenKind.IDENT:
            self.next()
            parts.append(self.next().text)
        return ".".join(parts)

    def is_assignment(self) -> bool:
        if self.tok.kind is TokenKind.IDENT:
            return self.peek().is_op("=")
        if self.tok.is_op("["):
            return self.peek(3).is_op("=") and self.peek(2).is_op("]")
        return False

    def assign_or_expr(self) -> ast.Node:
        tok = self.tok
        if self.is_assignment():
            name, _ = self.identifier()
            self.expect_op("=")
            return self.at(ast.Assign(name, self.expr()), tok)
        return self.expr()

    def name_pattern(self) -> ast.Name:
        """A column name that may contain `*` wildcards (`Source*`, `*Id`, `*`)."""
        tok = self.tok
        if tok.is_op("["):
            name, _ = self.identifier()
            return self.at(ast.Name(name), tok)
        parts: list[str] = []
        end = tok.pos
        while (self.tok.kind is TokenKind.IDENT or self.tok.is_op("*")) and (not parts or self.tok.pos == end):
            t = self.next()
            parts.append(t.text)
            end = t.pos + len(t.text)
        if not parts:
            raise self.error(f"expected a column name, found {tok.describe()}")
        return self.at(ast.Name("".join(parts)), tok)

    def sort_key(self) -> ast.SortKey:
        tok = self.tok
        expr = self.expr()
        descending = True
        if self.accept_word("asc"):
            descending = False
        elif self.accept_word("desc"):
            descending = True
        nulls_first = None
        if self.accept_word("nulls"):
            which = self.accept_word("first", "last")
            if which is None:
                raise self.error("expected 'first' or 'last' after 'nulls'")
            nulls_first = which.text == "first"
        return self.at(ast.SortKey(expr, descending, nulls_first), tok)

    # -- scalar expressions ------------------------------------------------------------------
    def expr(self) -> ast.Node:
        return self.or_expr()

    def or_expr(self) -> ast.Node:
        left = self.and_expr()
        while self.tok.is_word("or"):
            tok = self.next()
            left = self.at(ast.Binary("or", left, self.and_expr()), tok)
        return left

    def and_expr(self) -> ast.Node:
        left = self.comparison()
        while self.tok.is_word("and"):
            tok = self.next()
            left = self.at(ast.Binary("and", left, self.comparison()), tok)
        return left

    def comparison(self) -> ast.Node:
        left = self.additive()
        while True:
            tok = self.tok
            op = tok.text
            if tok.kind is TokenKind.OP and op in COMPARISON_OPS:
                self.next()
                left = self.at(ast.Binary("!=" if op == "<>" else op, left, self.additive()), tok)
            elif (tok.kind is TokenKind.IDENT and op in STRING_OPS) or (tok.kind is TokenKind.OP and
                                                                        op in NEGATED_STRING_OPS):
                self.next()
                if op == "matches":
                    self.expect_word("regex", " after 'matches'")
                    op = "matches regex"
                left = self.at(ast.Binary(op, left, self.additive()), tok)
            elif op in LIST_OPS and tok.kind in (TokenKind.IDENT, TokenKind.OP):
                self.next()
                left = self.at(ast.InList(op, left, self.list_items(op)), tok)
            elif op in ("between", "!between") and tok.kind in (TokenKind.IDENT, TokenKind.OP):
                self.next()
                self.expect_op("(", f" after '{op}' (x {op} (low .. high))")
                low = self.additive()
                self.expect_op("..", f" between the bounds of '{op}'")
                high = self.additive()
                self.expect_op(")", f" to close '{op}'")
                left = self.at(ast.Between(left, low, high, negated=op == "!between"), tok)
            else:
                return left

    def list_items(self, op: str) -> list[ast.Node]:
        if not self.tok.is_op("("):
            return [self.unary()]
        self.next()
        if self.accept_op(")"):
            return []
        items = self.comma_list(self.pipe_expr, stop=lambda: self.tok.is_op(")"))
        self.expect_op(")", f" to close the list of '{op}'")
        return items

    def additive(self) -> ast.Node:
        left = self.multiplicative()
        while self.tok.is_op("+", "-"):
            tok = self.next()
            left = self.at(ast.Binary(tok.text, left, self.multiplicative()), tok)
        return left

    def multiplicative(self) -> ast.Node:
        left = self.unary()
        while self.tok.is_op("*", "/", "%"):
            tok = self.next()
            left = self.at(ast.Binary(tok.text, left, self.unary()), tok)
        return left

    def unary(self) -> ast.Node:
        if self.tok.is_op("-", "+"):
            tok = self.next()
            operand = self.unary()
            if isinstance(operand, ast.Literal) and tok.text == "-" and operand.type in (
                    KqlType.LONG, KqlType.REAL, KqlType.INT, KqlType.TIMESPAN) and operand.value is not None:
                operand.value = -operand.value
                return self.at(operand, tok)
            return self.at(ast.Unary(tok.text, operand), tok)
        return self.postfix(self.primary())

    def postfix(self, node: ast.Node) -> ast.Node:
        while True:
            tok = self.tok
            if tok.is_op("."):
                self.next()
                if self.tok.is_op("["):
                    self.next()
                    index = self.expr()
                    self.expect_op("]", " to close the index")
                    node = self.at(ast.Index(node, index), tok)
                elif self.tok.kind is TokenKind.IDENT:
                    node = self.at(ast.Member(node, self.next().text), tok)
                elif self.tok.kind is TokenKind.TYPED:  # x.datetime(...) is not a member; x.time is
                    name = self.tok.value[0]
                    raise self.error(f"{name!r} after '.' must not be followed by '('")
                else:
                    raise self.error(f"expected a property name after '.', found {self.tok.describe()}")
            elif tok.is_op("["):
                self.next()
                index = self.expr()
                self.expect_op("]", " to close the index")
                node = self.at(ast.Index(node, index), tok)
            else:
                return node

    def primary(self) -> ast.Node:
        tok = self.tok
        kind = tok.kind
        if kind is TokenKind.STRING:
            self.next()
            return self.at(ast.Literal(tok.value, KqlType.STRING), tok)
        if kind is TokenKind.LONG:
            self.next()
            return self.at(ast.Literal(tok.value, KqlType.LONG), tok)
        if kind is TokenKind.REAL:
            self.next()
            return self.at(ast.Literal(tok.value, KqlType.REAL), tok)
        if kind is TokenKind.TIMESPAN:
            self.next()
            return self.at(ast.Literal(tok.value, KqlType.TIMESPAN), tok)
        if kind is TokenKind.TYPED:
            self.next()
            return self.at(self.raw_typed_literal(tok), tok)
        if tok.is_op("("):
            self.next()
            inner = self.pipe_expr()
            self.expect_op(")", " to close '('")
            return inner
        if tok.is_op("["):
            name, _ = self.identifier("a column name")
            return self.at(ast.Name(name), tok)
        if tok.is_op("*"):
            self.next()
            return self.at(ast.Star(), tok)
        if kind is TokenKind.IDENT:
            return self.word(tok)
        raise self.error(f"expected an expression, found {tok.describe()}")

    def word(self, tok: Token) -> ast.Node:
        text = tok.text
        nxt = self.peek()
        if text in ("true", "false", "True", "False", "TRUE", "FALSE"):
            self.next()
            return self.at(ast.Literal(text.lower() == "true", KqlType.BOOL), tok)
        if text in ("externaldata", "evaluate", "search", "find"):
            raise self.unsupported(f"{text!r} is not supported" + (
                ": load the data into a table or a watchlist" if text == "externaldata" else ""), tok)
        if text == "union" and nxt.is_op("("):
            # `union (T | where ...), (U | ...)`: parenthesised legs, not a call of a function `union`.
            self.next()
            return self.union_body(tok)
        if nxt.is_op("("):
            if text == "dynamic":
                return self.dynamic_literal()
            if text in TYPE_NAMES and text not in ("datetime", "date", "timespan", "time", "guid"):
                return self.typed_literal_call()
            if text == "datatable":
                return self.datatable()
            self.next()
            return self.call(text, tok)
        if text == "print":
            self.next()
            items = [] if self.at_pipe_end() else self.comma_list(self.assign_or_expr)
            return self.at(ast.Print(items), tok)
        if text == "union" and not self.at_pipe_end_token(nxt):
            self.next()
            return self.union_body(tok)
        if text == "range" and nxt.kind is TokenKind.IDENT and self.peek(2).is_word("from"):
            return self.range_source()
        if text == "datatable" and nxt.is_op("["):
            raise self.unsupported("datatable with properties is not supported", tok)
        self.next()
        return self.at(ast.Name(text), tok)

    @staticmethod
    def at_pipe_end_token(tok: Token) -> bool:
        return tok.kind is TokenKind.EOF or tok.is_op("|", ";", ")", ",", "=", "==", ".")

    def call(self, name: str, tok: Token) -> ast.Node:
        self.expect_op("(")
        args: list[ast.Node] = []
        if not self.tok.is_op(")"):
            args = self.comma_list(self.call_argument)
        self.expect_op(")", f" to close the arguments of {name}()")
        return self.at(ast.Call(name, args), tok)

    def call_argument(self) -> ast.Node:
        if self.tok.is_op("*") and self.peek().is_op(",", ")"):
            tok = self.next()
            return self.at(ast.Star(), tok)
        return self.pipe_expr()

    def raw_typed_literal(self, tok: Token) -> ast.Literal:
        type_name, raw, quoted = tok.value
        try:
            if raw == "null" and not quoted:
                return ast.Literal(None, TYPE_NAMES[type_name])
            if type_name in ("datetime", "date"):
                return ast.Literal(parse_datetime_text(raw), KqlType.DATETIME)
            if type_name in ("time", "timespan"):
                return ast.Literal(parse_timespan_text(raw), KqlType.TIMESPAN)
            return ast.Literal(parse_guid_text(raw), KqlType.GUID)
        except ValueError as exc:
            raise self.error(f"invalid {type_name} literal {raw!r}: {exc}", tok) from None

    def typed_literal_call(self) -> ast.Node:
        """`long(12)`, `int(null)`, `real(nan)`, `bool(true)`, `string(x)`: a literal of that type."""
        tok = self.next()
        self.expect_op("(")
        sign = self.accept_op("-", "+")
        arg = self.tok
        self.next()
        self.expect_op(")", f" to close {tok.text}(...)")
        try:
            value = typed_literal_value(tok.text, arg.kind.name, arg.value if arg.kind is not TokenKind.IDENT
                                        else arg.text, sign.text if sign else "")
        except ValueError as exc:
            raise self.error(f"invalid {tok.text} literal: {exc}", arg) from None
        return self.at(ast.Literal(value, TYPE_NAMES[tok.text]), tok)

    def dynamic_literal(self) -> ast.Node:
        tok = self.next()
        self.expect_op("(")
        value = self.dynamic_value()
        self.expect_op(")", " to close dynamic(...)")
        return self.at(ast.Literal(value, KqlType.DYNAMIC), tok)

    def dynamic_value(self) -> object:
        tok = self.tok
        if self.accept_op("["):
            items = []
            if not self.tok.is_op("]"):
                items = self.comma_list(self.dynamic_value, stop=lambda: self.tok.is_op("]"))
            self.expect_op("]", " to close the dynamic array")
            return items
        if self.accept_op("{"):
            bag: dict[str, object] = {}
            if not self.tok.is_op("}"):
                def entry() -> None:
                    key_tok = self.next()
                    if key_tok.kind not in (TokenKind.STRING, TokenKind.IDENT):
                        raise self.error(f"expected a property name, found {key_tok.describe()}", key_tok)
                    self.expect_op(":", " after the property name")
                    bag[str(key_tok.value)] = self.dynamic_value()
                self.comma_list(entry, stop=lambda: self.tok.is_op("}"))
            self.expect_op("}", " to close the property bag")
            return bag
        sign = self.accept_op("-", "+")
        tok = self.next()
        negate = sign is not None and sign.text == "-"
        if tok.kind in (TokenKind.LONG, TokenKind.REAL):
            return -tok.value if negate else tok.value
        if sign is None and tok.kind is TokenKind.STRING:
            return tok.value
        if sign is None and tok.kind is TokenKind.IDENT and tok.text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[tok.text]
        if tok.kind is TokenKind.TIMESPAN:
            span: timedelta = tok.value
            return -span if negate else span
        if sign is None and tok.kind is TokenKind.TYPED:
            return self.raw_typed_literal(tok).value
        raise self.error(f"expected a dynamic value (number, string, true, false, null, [..] or {{..}}), "
                         f"found {tok.describe()}", tok)

    def datatable(self) -> ast.Node:
        tok = self.next()
        self.expect_op("(")
        def column() -> tuple[str, KqlType]:
            name, _ = self.identifier("a column name")
            self.expect_op(":", f" and a type after column {name!r}")
            return name, self.type_name()
        columns = self.comma_list(column)
        self.expect_op(")", " to close the datatable schema")
        self.expect_op("[", " to start the datatable values")
        values: list[ast.Node] = []
        if not self.tok.is_op("]"):
            values = self.comma_list(self.unary, stop=lambda: self.tok.is_op("]"))
        self.expect_op("]", " to close the datatable values")
        if len(values) % len(columns):
            raise self.error(f"datatable has {len(columns)} column(s) but {len(values)} value(s); "
                             "the values must fill whole rows", tok)
        return self.at(ast.Datatable(columns, values), tok)

    def range_source(self) -> ast.Node:
        tok = self.next()
        name, _ = self.identifier("the column name of range")
        self.expect_word("from")
        start = self.additive()
        self.expect_word("to")
        stop = self.additive()
        self.expect_word("step")
        step = self.additive()
        return self.at(ast.Range(name, start, stop, step), tok)


def _side_of(node: ast.Node) -> tuple[str, str] | None:
    """`$left.x` -> ("$left", "x"); anything else -> None."""
    if isinstance(node, ast.Member) and isinstance(node.base, ast.Name) and node.base.name in ("$left", "$right"):
        return node.base.name, node.name
    return None


_OPERATOR_PARSERS: dict[str, Callable[[_Parser, Token], ast.Operator]] = {
    "where": _Parser.op_where,
    "filter": _Parser.op_where,
    "extend": _Parser.op_extend,
    "project": _Parser.op_project,
    "project-away": _Parser.op_project_away,
    "project-keep": _Parser.op_project_keep,
    "project-rename": _Parser.op_project_rename,
    "project-reorder": _Parser.op_project_reorder,
    "summarize": _Parser.op_summarize,
    "sort": _Parser.op_sort,
    "order": _Parser.op_sort,
    "top": _Parser.op_top,
    "take": _Parser.op_take,
    "limit": _Parser.op_take,
    "distinct": _Parser.op_distinct,
    "count": _Parser.op_count,
    "join": _Parser.op_join,
    "lookup": _Parser.op_lookup,
    "union": _Parser.op_union,
    "mv-expand": _Parser.op_mv_expand,
    "mvexpand": _Parser.op_mv_expand,
    "as": _Parser.op_as,
    "serialize": _Parser.op_serialize,
    "render": _Parser.op_render,
    "getschema": _Parser.op_getschema,
}

OPERATOR_NAMES = frozenset(_OPERATOR_PARSERS)
