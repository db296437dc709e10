"""Where input comes from: files, folders (recursively), and `-` for standard input.

Each input is opened as bytes, gzip or plain as its first bytes say (not its name). CloudTrail
digest and Insights files are recognised by their S3 key and skipped, and every skip is counted.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from revertguard.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"

# CloudTrail writes digests and Insights events next to the logs; neither holds API records.
_SKIPPED_KEYS = (
    (re.compile(r"(^|/)CloudTrail-Digest/|_CloudTrail-Digest_"), "CloudTrail digest file"),
    (re.compile(r"(^|/)CloudTrail-Insight/|_CloudTrail-Insight_"), "CloudTrail Insights file"),
)
# Files in a folder that are clearly not logs: skipped (and counted), not rejected.
# `revertguard-labels.json` is the ground truth `revertguard simulate` writes beside its logs.
_NOT_LOGS = re.compile(r"(^|/)(\.[^/]*|.*\.(md|rst|html|pdf|png|jpg|sha256|sig|asc|py|sh)|revertguard-labels\.json)$",
                       re.I)
# ... and `revertguard-watchlists/` the simulated organisation's watchlists, which `scan --watchlist` reads.
_WATCHLISTS = re.compile(r"(^|/)revertguard-watchlists/[^/]+$")


@dataclass(frozen=True)
class Source:
    """One input: a file, or standard input (path None)."""

    name: str
    path: Path | None = None

    def open(self) -> BinaryIO:
        """Open for reading bytes, transparently decompressing gzip."""
        raw: BinaryIO
        if self.path is None:
            raw = sys.stdin.buffer
        else:
            try:
                raw = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
            except OSError as exc:
                raise InputError(f"{self.name}: cannot open: {exc.strerror or exc}") from None
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
        return buffered


@dataclass(frozen=True)
class Skipped:
    """An input left out on purpose, with the reason."""

    name: str
    reason: str


def discover(paths: list[str]) -> tuple[list[Source], list[Skipped]]:
    """Expand the paths the user gave into sources, in a stable order, and the files skipped."""
    sources: list[Source] = []
    skipped: list[Skipped] = []
    for given in paths:
        if given == "-":
            sources.append(Source("<stdin>"))
            continue
        path = Path(given)
        if path.is_dir():
            for file in sorted(_walk(path, skipped)):
                relative = file.relative_to(path).as_posix()
                if _NOT_LOGS.search(relative):
                    skipped.append(Skipped(str(file), "not a log file"))
                    continue
                if _WATCHLISTS.search(relative):
                    skipped.append(Skipped(str(file), "a watchlist, not a log (pass it with --watchlist)"))
                    continue
                _add(file, str(file), sources, skipped)
        elif path.exists():
            _add(path, given, sources, skipped)
        else:
            raise InputError(f"{given}: no such file or folder")
    return sources, skipped


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        hidden = sorted(d for d in dirnames if d.startswith("."))
        skipped.extend(Skipped(str(Path(dirpath) / d) + "/", "hidden folder") for d in hidden)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            yield Path(dirpath) / name


def _add(path: Path, name: str, sources: list[Source], skipped: list[Skipped]) -> None:
    key = path.as_posix()
    for pattern, reason in _SKIPPED_KEYS:
        if pattern.search(key):
            skipped.append(Skipped(name, reason))
            return
    sources.append(Source(name, path))


# Errors that mean the compressed stream is broken or cut short.
DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (EOFError, gzip.BadGzipFile, zlib.error)
