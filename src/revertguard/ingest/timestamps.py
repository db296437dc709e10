"""Timestamp parsing for every shape the inputs use. All results are naive datetimes in UTC.

Raw logs use ISO 8601 (`2024-08-01T12:03:30Z`, up to 9 fractional digits, or an offset);
some normalisers write `2022-09-29 22:25:17`. Sentinel portal CSV exports use the browser's
locale: `4/28/2021, 2:36:53.042 PM` (month first, 12-hour) or `21/04/2025, 09:45:54.000`
(day first, 24-hour). Which of month or day comes first is decided once per file from all its
values (`LocaleDateOrder`), because a single value such as `4/5/2021` cannot tell.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1)
_fromisoformat = datetime.fromisoformat


class TimestampError(ValueError):
    """A value that is not a timestamp in any accepted form."""


def parse_iso(value: object) -> datetime:
    """Parse an ISO 8601 timestamp (or epoch milliseconds) into a naive UTC datetime."""
    if isinstance(value, str):
        if value[-1:] == "Z":  # the common case, and the fast path: already UTC
            try:
                return _fromisoformat(value[:-1])
            except ValueError:
                pass
        text = value.strip()
        if not text:
            raise TimestampError("empty timestamp")
        try:
            parsed = _fromisoformat(text)
        except ValueError:
            raise TimestampError(f"not an ISO 8601 timestamp: {_clip(text)}") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Epoch milliseconds, as CloudTrail writes inside responseElements.
        try:
            return _EPOCH + timedelta(milliseconds=value)
        except OverflowError:
            raise TimestampError(f"epoch milliseconds out of range: {value}") from None
    if value is None:
        raise TimestampError("missing timestamp")
    raise TimestampError(f"not a timestamp: {_clip(repr(value))}")


def parse_optional_iso(value: object) -> datetime | None:
    """Like `parse_iso`, but None or "" give None (for columns that may be empty)."""
    if value is None or value == "":
        return None
    return parse_iso(value)


_LOCALE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?"
    r"\s*([AaPp][Mm])?\s*$"
)


class LocaleDateOrder:
    """Decides, from a file's values, whether locale dates are month/day or day/month.

    Feed every value with `observe`, then `parse` each. A first part above 12 means day first;
    a second part above 12 means month first; with no evidence, 12-hour clocks (AM/PM) mean
    month first (US locale) and 24-hour clocks mean day first.
    """

    def __init__(self) -> None:
        self.day_first_votes = 0
        self.month_first_votes = 0
        self.twelve_hour = 0
        self.twenty_four_hour = 0

    def observe(self, value: str) -> None:
        m = _LOCALE.match(value)
        if not m:
            return
        a, b = int(m.group(1)), int(m.group(2))
        if len(m.group(1)) == 4:  # year first: not ambiguous
            return
        if a > 12:
            self.day_first_votes += 1
        elif b > 12:
            self.month_first_votes += 1
        if m.group(8):
            self.twelve_hour += 1
        else:
            self.twenty_four_hour += 1

    @property
    def day_first(self) -> bool:
        if self.day_first_votes and self.month_first_votes:
            raise TimestampError("locale dates in this file are both day-first and month-first")
        if self.day_first_votes or self.month_first_votes:
            return self.day_first_votes > 0
        return self.twenty_four_hour > self.twelve_hour

    def parse(self, value: str) -> datetime:
        """Parse a locale timestamp, or fall back to ISO 8601."""
        m = _LOCALE.match(value)
        if not m:
            return parse_iso(value)
        p1, p2, p3 = m.group(1), m.group(2), m.group(3)
        if len(p1) == 4:
            year, month, day = int(p1), int(p2), int(p3)
        elif self.day_first:
            day, month, year = int(p1), int(p2), int(p3)
        else:
            month, day, year = int(p1), int(p2), int(p3)
        if year < 100:
            year += 2000
        hour, minute = int(m.group(4)), int(m.group(5))
        second = int(m.group(6) or 0)
        fraction = (m.group(7) or "").ljust(6, "0")[:6]
        ampm = (m.group(8) or "").upper()
        if ampm:
            if not 1 <= hour <= 12:
                raise TimestampError(f"hour {hour} is not valid with {ampm}: {_clip(value)}")
            hour = hour % 12 + (12 if ampm == "PM" else 0)
        try:
            return datetime(year, month, day, hour, minute, second, int(fraction))
        except ValueError as exc:
            raise TimestampError(f"not a valid date ({exc}): {_clip(value)}") from None


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
