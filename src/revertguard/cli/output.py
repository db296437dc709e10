"""Terminal output helpers shared by the subcommands."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape

_stdout: Console | None = None
_stderr: Console | None = None


def console() -> Console:
    """The console for results (stdout). Log values are printed with markup disabled."""
    global _stdout
    if _stdout is None:
        _stdout = Console(highlight=False, soft_wrap=False)
        if not _stdout.is_terminal:
            _stdout.width = 200  # pipes and files: do not wrap tables at 80 columns
    return _stdout


def error_console() -> Console:
    global _stderr
    if _stderr is None:
        _stderr = Console(stderr=True, highlight=False)
        if not _stderr.is_terminal:
            _stderr.width = 200
    return _stderr


def safe(value: object) -> str:
    """Escape a value (often attacker-controlled log text) for rich markup."""
    return escape(str(value))


# C0 and C1 control characters (ESC starts terminal escape sequences) and DEL, except newline.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def printable(value: object) -> str:
    """Log text made safe for a terminal: control characters shown as \\xNN, rich markup escaped.

    A log value can hold terminal escape sequences or `[bold]` markup; either would otherwise
    change what the analyst sees.
    """
    text = "" if value is None else str(value)
    return escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))
