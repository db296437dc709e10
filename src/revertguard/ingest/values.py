"""Small value conversions shared by every mapper, so each raw field lands the way Sentinel stores it.

Sentinel string columns are never null (an absent value is ""), JSON blobs kept in string
columns are compact JSON text, and dynamic columns hold JSON.
"""

from __future__ import annotations

import hashlib

import msgspec

_encode = msgspec.json.encode


def obj(container: object, key: str) -> dict:
    """`container[key]` when both are JSON objects, else an empty dict (for lenient nested access)."""
    if isinstance(container, dict):
        value = container.get(key)
        if isinstance(value, dict):
            return value
    return {}


def text(value: object) -> str:
    """A string column's value: "" for null, the string itself, or the JSON text of anything else."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value  # type: ignore[return-value]
    return _encode(value).decode()


def boolean(value: object) -> bool | None:
    """A bool column's value from a JSON bool or a "true"/"false" string; None when absent."""
    if value is None or value == "":
        return None
    if value is True or value is False:
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    raise ValueError(f"not a boolean: {value!r}")


def json_text(value: object) -> str:
    """Compact JSON text of a decoded value ("" for None)."""
    if value is None:
        return ""
    return _encode(value).decode()


def dynamic(value: object) -> str | None:
    """A dynamic column's value: JSON text, or None (null) when absent."""
    if value is None:
        return None
    return _encode(value).decode()


def content_key(row: tuple) -> str:
    """Deduplication key for a record without an event id: a hash of everything it holds."""
    digest = hashlib.blake2b(repr(row).encode(), digest_size=16).hexdigest()
    return "sha:" + digest
