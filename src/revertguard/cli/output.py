"""Terminal output helpers shared by the subcommands."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from revertguard.errors import InputError

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


def check_writable(path: str | None) -> None:
    """Refuse an output file that cannot be written before any work is done for it."""
    if path is None or path == "-":
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(f"{path}: cannot write it (no such folder {target.parent})")
    if target.is_dir() or (target.exists() and not os.access(target, os.W_OK)):
        raise InputError(f"{path}: cannot write it (a folder, or not writable)")


@contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """Standard output (no path, or `-`), or FILE written as UTF-8 (created or replaced)."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InputError(f"{path}: cannot write it ({exc.strerror})") from None
    with handle:
        yield handle


def file_console(stream: TextIO) -> Console:
    """A console printing to `stream`: the results console for stdout, a plain 200-column one for a file."""
    if stream is sys.stdout:
        return console()
    return Console(file=stream, highlight=False, soft_wrap=False, width=200, color_system=None)


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
