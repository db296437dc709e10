"""The KQL tokenizer: query text -> tokens, each with its line and column.

KQL has a few lexical forms that ordinary tokenizers get wrong, handled here so the parser
never sees raw text:

* operator words with punctuation: `!has`, `!contains`, `in~`, `!in~`, `project-away`,
  `mv-expand`, ...;
* timespan literals glued to a unit: `24h`, `1.5d`, `100ms`, `10tick`;
* typed literals whose contents are not tokens: `datetime(2026-01-01 10:00)`,
  `time(1.02:03:04)`, `guid(...)`;
* string forms: `"..."` and `'...'` with escapes, verbatim `@"..."`, multi-line ```` ``` ````
  strings, and obfuscated `h"..."` strings (the `h` only hides the value in Kusto's logs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from revertguard.kql.errors import KqlSyntaxError


class TokenKind(StrEnum):
    IDENT = "identifier"
    STRING = "string"
    LONG = "number"
    REAL = "real number"
    TIMESPAN = "timespan"
    TYPED = "typed literal"  # datetime(...), time(...), timespan(...), guid(...) with raw contents
    OP = "operator"
    EOF = "end of query"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source text of the token
    value: object  # decoded value: str for strings and names, int, float, timedelta, (type, raw)
    line: int
    column: int
    pos: int  # offset of the first character in the query

    def is_op(self, *texts: str) -> bool:
        return self.kind is TokenKind.OP and self.text in texts

    def is_word(self, *words: str) -> bool:
        return self.kind is TokenKind.IDENT and self.text in words

    def describe(self) -> str:
        """How an error message names this token."""
        if self.kind is TokenKind.EOF:
            return "the end of the query"
        return f"{self.kind} {self.text!r}" if self.kind is not TokenKind.OP else repr(self.text)


# Operator words that contain '-' (the tokenizer joins `project` `-` `away` into one token).
HYPHENATED_WORDS = frozenset({
    "project-away", "project-rename", "project-reorder", "project-keep", "mv-expand", "mv-apply",
    "make-series", "top-nested", "top-hitters",
})

# Typed literals whose contents are raw text, not tokens.
RAW_LITERAL_TYPES = frozenset({"datetime", "date", "time", "timespan", "guid"})

# Punctuation, longest first so that `==` wins over `=`.
_PUNCTUATION = ("==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>",
                "<", ">", "=", "+", "-", "*", "/", "%", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "|")

# Microseconds per timespan unit. Kusto counts in 100 ns ticks; the engine keeps microseconds.
TIMESPAN_UNITS: dict[str, float] = {
    **dict.fromkeys(("d", "day", "days"), 86_400_000_000),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3_600_000_000),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60_000_000),
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1_000_000),
    **dict.fromkeys(("ms", "milli", "millis", "millisecond", "milliseconds"), 1_000),
    **dict.fromkeys(("microsecond", "microseconds"), 1),
    **dict.fromkeys(("tick", "ticks"), 0.1),
}

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
_LONG_MAX = 2**63 - 1


def tokenize(source: str) -> list[Token]:
    """Split a query into tokens, ending with an EOF token. Raises KqlSyntaxError."""
    return _Scanner(source).run()


class _Scanner:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []

    # -- helpers -----------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.src[i] if i < len(self.src) else ""

    def column_of(self, pos: int) -> int:
        return pos - self.line_start + 1

    def error(self, message: str, pos: int | None = None) -> KqlSyntaxError:
        pos = self.pos if pos is None else pos
        line = self.src.count("\n", 0, pos) + 1
        column = pos - (self.src.rfind("\n", 0, pos) + 1) + 1
        return KqlSyntaxError(message, line, column, self.src)

    def emit(self, kind: TokenKind, start: int, value: object, line: int, column: int) -> None:
        self.tokens.append(Token(kind, self.src[start:self.pos], value, line, column, start))

    def advance_over(self, end: int) -> None:
        """Move to `end`, keeping the line count right across newlines inside the token."""
        newlines = self.src.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.src.rfind("\n", self.pos, end) + 1
        self.pos = end

    # -- main loop -------------------------------------------------------------------------
    def run(self) -> list[Token]:
        src = self.src
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(src):
                self.tokens.append(Token(TokenKind.EOF, "", None, self.line, self.column_of(self.pos), self.pos))
                return self.tokens
            ch = src[self.pos]
            line, column, start = self.line, self.column_of(self.pos), self.pos
            if ch in "\"'" or (ch == "@" and self.peek(1) in "\"'" and self.peek(1)):
                self.emit(TokenKind.STRING, start, self.read_string(), line, column)
            elif ch in "hH" and (self.peek(1) in ("\"", "'") or (self.peek(1) == "@" and self.peek(2) in "\"'"
                                                                  and self.peek(2))):
                self.pos += 1  # obfuscated string: same value, the marker only affects Kusto's logging
                self.emit(TokenKind.STRING, start, self.read_string(), line, column)
            elif src.startswith("```", self.pos) or src.startswith("~~~", self.pos):
                self.emit(TokenKind.STRING, start, self.read_fenced(), line, column)
            elif _digit(ch) or (ch == "." and _digit(self.peek(1)) and not self.after_dot_operator()):
                self.read_number(start, line, column)
            elif ch.isalpha() or ch == "_" or (ch == "$" and (self.peek(1).isalpha() or self.peek(1) == "_")):
                self.read_word(start, line, column)
            elif ch == "!" and (self.peek(1).isalpha() or self.peek(1) == "_"):
                self.pos += 1
                word = self.scan_word_chars()
                if word == "in" and self.peek() == "~":
                    self.pos += 1
                self.emit(TokenKind.OP, start, self.src[start:self.pos], line, column)
            else:
                for punct in _PUNCTUATION:
                    if src.startswith(punct, self.pos):
                        self.pos += len(punct)
                        self.emit(TokenKind.OP, start, punct, line, column)
                        break
                else:
                    raise self.error(f"unexpected character {ch!r}")

    def after_dot_operator(self) -> bool:
        # `x.5` is not valid KQL, but `..5` (a between range) must stay `..` then `5`.
        return bool(self.tokens) and self.tokens[-1].is_op("..")

    def skip_space_and_comments(self) -> None:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\n":
                self.pos += 1
                self.line += 1
                self.line_start = self.pos
            elif ch.isspace():
                self.pos += 1
            elif src.startswith("//", self.pos):
                end = src.find("\n", self.pos)
                self.pos = len(src) if end < 0 else end
            else:
                return

    # -- words -----------------------------------------------------------------------------
    def scan_word_chars(self) -> str:
        start = self.pos
        src = self.src
        while self.pos < len(src) and (src[self.pos].isalnum() or src[self.pos] == "_"):
            self.pos += 1
        return src[start:self.pos]

    def read_word(self, start: int, line: int, column: int) -> None:
        if self.src[self.pos] == "$":
            self.pos += 1
        word = self.scan_word_chars()
        if word == "in" and self.peek() == "~":
            self.pos += 1
            self.emit(TokenKind.OP, start, "in~", line, column)
            return
        if self.peek() == "-":
            save = self.pos
            self.pos += 1
            rest = self.scan_word_chars()
            if f"{word}-{rest}" in HYPHENATED_WORDS:
                self.emit(TokenKind.IDENT, start, f"{word}-{rest}", line, column)
                return
            self.pos = save
        if word in RAW_LITERAL_TYPES:
            look = self.pos
            while look < len(self.src) and self.src[look] in " \t\r\n":
                look += 1
            if look < len(self.src) and self.src[look] == "(":
                self.read_raw_literal(word, start, look, line, column)
                return
        self.emit(TokenKind.IDENT, start, word, line, column)

    def read_raw_literal(self, type_name: str, start: int, open_paren: int, line: int, column: int) -> None:
        self.advance_over(open_paren + 1)
        self.skip_space_and_comments()
        if self.peek() in ("\"", "'") or (self.peek() == "@" and self.peek(1) in ("\"", "'") and self.peek(1)):
            value: str = self.read_string()
            quoted = True
            self.skip_space_and_comments()
            if self.peek() != ")":
                raise self.error(f"expected ')' to close {type_name}(...)")
        else:
            end = self.src.find(")", self.pos)
            if end < 0:
                raise self.error(f"{type_name}( is never closed: expected ')'", open_paren)
            value = self.src[self.pos:end].strip()
            quoted = False
            self.advance_over(end)
        self.pos += 1  # the ')'
        self.emit(TokenKind.TYPED, start, (type_name, value, quoted), line, column)

    # -- numbers ---------------------------------------------------------------------------
    def read_number(self, start: int, line: int, column: int) -> None:
        src = self.src
        is_real = False
        if src.startswith(("0x", "0X"), self.pos) and self.peek(2) in "0123456789abcdefABCDEF" and self.peek(2):
            self.pos += 2
            while self.peek() and self.peek() in "0123456789abcdefABCDEF":
                self.pos += 1
            value: int | float = int(src[start + 2:self.pos], 16)
        else:
            while _digit(self.peek()):
                self.pos += 1
            if self.peek() == "." and _digit(self.peek(1)):
                is_real = True
                self.pos += 1
                while _digit(self.peek()):
                    self.pos += 1
            if self.peek() in ("e", "E") and self.peek() and (
                    _digit(self.peek(1)) or (self.peek(1) in ("+", "-") and self.peek(1) and _digit(self.peek(2)))):
                is_real = True
                self.pos += 2
                while _digit(self.peek()):
                    self.pos += 1
            text = src[start:self.pos]
            value = float(text) if is_real else int(text)
        if self.peek().isalpha() or self.peek() == "_":
            unit_start = self.pos
            unit = self.scan_word_chars()
            if unit not in TIMESPAN_UNITS:
                raise self.error(f"{src[start:self.pos]!r} is not a number or a timespan "
                                 "(timespan units are d, h, m, s, ms, microsecond, tick)", unit_start)
            try:
                span = timedelta(microseconds=round(float(value) * TIMESPAN_UNITS[unit]))
            except (OverflowError, ValueError):
                raise self.error("timespan literal is out of range", start) from None
            self.emit(TokenKind.TIMESPAN, start, span, line, column)
            return
        if not is_real and value > _LONG_MAX:
            raise self.error("integer literal is too large for a long", start)
        self.emit(TokenKind.REAL if is_real else TokenKind.LONG, start, value, line, column)

    # -- strings ---------------------------------------------------------------------------
    def read_string(self) -> str:
        start = self.pos
        verbatim = self.peek() == "@"
        if verbatim:
            self.pos += 1
        quote = self.peek()
        self.pos += 1
        out: list[str] = []
        src = self.src
        while True:
            if self.pos >= len(src) or (src[self.pos] == "\n"):
                raise self.error("string literal is not closed: add the closing quote", start)
            ch = src[self.pos]
            if ch == quote:
                if verbatim and self.peek(1) == quote:  # "" inside @"..." is one quote
                    out.append(quote)
                    self.pos += 2
                    continue
                self.pos += 1
                return "".join(out)
            if ch == "\\" and not verbatim:
                nxt = self.peek(1)
                if nxt in _ESCAPES and nxt:
                    out.append(_ESCAPES[nxt])
                    self.pos += 2
                    continue
                if nxt == "u" and _is_hex(src[self.pos + 2:self.pos + 6], 4):
                    out.append(chr(int(src[self.pos + 2:self.pos + 6], 16)))
                    self.pos += 6
                    continue
                # Unknown escapes keep the backslash: `"\d+"` is the regex `\d+`.
                out.append("\\")
                self.pos += 1
                continue
            out.append(ch)
            self.pos += 1

    def read_fenced(self) -> str:
        fence = self.src[self.pos:self.pos + 3]
        start = self.pos
        end = self.src.find(fence, self.pos + 3)
        if end < 0:
            raise self.error(f"multi-line string is not closed: add the closing {fence}", start)
        value = self.src[self.pos + 3:end]
        self.advance_over(end + 3)
        return value


def _digit(ch: str) -> bool:
    return ch != "" and ch in "0123456789"


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdefABCDEF" for c in text)
