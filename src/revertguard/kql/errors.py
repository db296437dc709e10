"""KQL errors a person can act on: what went wrong, where (line and column), and what to do.

Every failure of the engine on user input is a `KqlError`; the CLI prints its message with
the offending source line and a caret under the spot, never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from revertguard.errors import RevertguardError


class KqlError(RevertguardError):
    """A query that cannot be parsed, compiled or run, with the position it refers to.

    `line` and `column` are 1-based (0 when the error has no position, such as a database
    error at run time). `str()` gives the message followed by the source line and a caret.
    """

    kind = "error"

    def __init__(self, message: str, line: int = 0, column: int = 0, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.source = source

    def with_source(self, source: str) -> KqlError:
        """Attach the query text, so the message can show the line and a caret."""
        if self.source is None:
            self.source = source
        return self

    def __str__(self) -> str:
        if not self.line:
            return f"{self.kind}: {self.message}"
        head = f"{self.kind} at line {self.line}, column {self.column}: {self.message}"
        snippet = _caret_snippet(self.source, self.line, self.column)
        return f"{head}\n{snippet}" if snippet else head


class KqlSyntaxError(KqlError):
    """The text is not valid KQL (or not in the subset this engine parses)."""

    kind = "syntax error"


class KqlUnsupportedError(KqlError):
    """Valid KQL that this engine does not implement: an operator, function or option."""

    kind = "unsupported"


class KqlNameError(KqlError):
    """A column, table, watchlist, function or variable that does not exist."""

    kind = "unknown name"


class KqlTypeError(KqlError):
    """An operator or function applied to values of the wrong type."""

    kind = "type error"


class KqlRuntimeError(KqlError):
    """The compiled query failed while running (a bad regular expression, say)."""

    kind = "query failed"


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates that look most like `name` (case-insensitive), best first."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    exact_case = [lowered[name.lower()]] if name.lower() in lowered and lowered[name.lower()] != name else []
    near = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
    out = exact_case + [lowered[n] for n in near if lowered[n] not in exact_case and lowered[n] != name]
    return out[:limit]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'X' or 'Y'?"`, or "" when nothing is close."""
    near = closest(name, candidates)
    if not near:
        return ""
    return "; did you mean " + " or ".join(repr(n) for n in near) + "?"


def _caret_snippet(source: str | None, line: int, column: int) -> str:
    if source is None:
        return ""
    lines = source.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    # Keep tabs in the padding so the caret lines up under tab-indented text.
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: max(column - 1, 0)])
    return f"  {text}\n  {pad}^"
