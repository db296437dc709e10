"""Byte-level helpers every writer shares: deterministic gzip and compact JSON."""

from __future__ import annotations

import gzip
from pathlib import Path

import msgspec

_encode = msgspec.json.encode


def json_bytes(value: object) -> bytes:
    """Compact JSON, keys in insertion order (so the same data always gives the same bytes)."""
    return _encode(value)


def pretty_json_bytes(value: object) -> bytes:
    return msgspec.json.format(_encode(value), indent=2) + b"\n"


def json_lines(values: list) -> bytes:
    return b"".join(_encode(v) + b"\n" for v in values)


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a zero timestamp and no file name in the header, so output is byte-identical."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def write_file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
