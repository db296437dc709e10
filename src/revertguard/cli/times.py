"""Time options (`--since`, `--until`, `--now`): ISO 8601 text to a naive UTC datetime."""

from __future__ import annotations

from datetime import datetime

from revertguard.errors import UsageError
from revertguard.ingest.timestamps import TimestampError, parse_iso


def parse_time(value: str | None, option: str) -> datetime | None:
    """A naive UTC datetime from ISO 8601 text (`Z` or an offset allowed, none means UTC)."""
    if value is None:
        return None
    try:
        return parse_iso(value)
    except TimestampError:
        raise UsageError(f"{option} {value!r} is not an ISO 8601 time such as 2026-11-20T12:00:00Z") from None
