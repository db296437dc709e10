"""Timespans as Sentinel rule files write them, and as ARM wants them.

Rule YAML says `5m`, `1h`, `1d` or `14d` (what the Azure-Sentinel validator's converter reads),
sometimes a .NET TimeSpan string (`01:00:00`, `1.00:00:00`); ARM and the REST API want ISO 8601
durations (`PT5M`, `PT1H`, `P1D`). Both directions live here.
"""

from __future__ import annotations

import re
from datetime import timedelta

_SHORT = re.compile(r"^(\d+)([mhd])$")
# .NET TimeSpan "[d.]hh:mm[:ss[.fffffff]]"
_DOTNET = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")
# ISO 8601 durations in days and below. Years, months and weeks are refused: their length is
# ambiguous and Sentinel's limits are in days anyway.
_ISO = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class TimespanError(ValueError):
    """A value that is not a timespan revertguard understands."""


def parse_timespan(value: object) -> timedelta:
    """Parse `5m` / `1h` / `14d`, a .NET TimeSpan (`01:00:00`) or ISO 8601 (`PT1H`, `P1DT12H`)."""
    if not isinstance(value, str):
        hint = " (quote it)" if isinstance(value, int) and not isinstance(value, bool) else ""
        raise TimespanError(f"expected a timespan such as 5m, 1h, 1d or PT1H, got {value!r}{hint}")
    text = value.strip()
    if match := _SHORT.match(text):
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if match := _DOTNET.match(text):
        days, hours, minutes, seconds, fraction = match.groups()
        if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
            raise TimespanError(f"{value!r} is not a valid hh:mm:ss timespan")
        return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                         microseconds=int((fraction or "0").ljust(7, "0")) // 10)
    match = _ISO.match(text.upper())
    if match and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        parts = {k: float(v) if k == "seconds" else int(v) for k, v in match.groupdict().items() if v is not None}
        return timedelta(**parts)
    raise TimespanError(
        f"{value!r} is not a timespan: use <number>m, <number>h or <number>d (for example 5m, 1h, 14d), "
        "or an ISO 8601 duration such as PT1H or P1D"
    )


def iso_duration(span: timedelta) -> str:
    """The ISO 8601 duration ARM expects: `PT5M`, `PT1H`, `P1D`, `P1DT12H`, `PT0S` for zero."""
    if span < timedelta(0):
        raise TimespanError("a negative timespan has no ISO 8601 duration here")
    total_us = span // timedelta(microseconds=1)
    days, rest = divmod(total_us, 86_400 * 10**6)
    hours, rest = divmod(rest, 3_600 * 10**6)
    minutes, rest = divmod(rest, 60 * 10**6)
    seconds, micros = divmod(rest, 10**6)
    out = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micros:
        clock += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    if clock:
        out += "T" + clock
    return out if out != "P" else "PT0S"


def short_timespan(span: timedelta) -> str:
    """The shortest Sentinel YAML form: `14d`, `1h`, `5m` (falls back to ISO 8601 for odd spans)."""
    minutes, rest = divmod(span, timedelta(minutes=1))
    if rest or span <= timedelta(0):
        return iso_duration(span)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"
