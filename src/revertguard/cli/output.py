"""Terminal output helpers shared by the subcommands."""

from __future__ import annotations

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
