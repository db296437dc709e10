"""KQL literal values: type names, reading `datetime(...)` / `time(...)` / `guid(...)` contents,
and writing values in Kusto's text forms (the .NET forms `tostring()` and JSON output use).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from revertguard.kql.tokens import TIMESPAN_UNITS
from revertguard.tables import KqlType

# Every spelling of a type name KQL accepts, in declarations and in `typeof(...)`.
TYPE_NAMES: dict[str, KqlType] = {
    "string": KqlType.STRING,
    "int": KqlType.INT,
    "long": KqlType.LONG,
    "real": KqlType.REAL,
    "double": KqlType.REAL,
    "decimal": KqlType.DECIMAL,
    "bool": KqlType.BOOL,
    "boolean": KqlType.BOOL,
    "datetime": KqlType.DATETIME,
    "date": KqlType.DATETIME,
    "timespan": KqlType.TIMESPAN,
    "time": KqlType.TIMESPAN,
    "dynamic": KqlType.DYNAMIC,
    "guid": KqlType.GUID,
    "uniqueid": KqlType.GUID,
}

_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CLOCK = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$")
_UNIT_SPAN = re.compile(r"^(-)?(\d+(?:\.\d+)?)\s*([A-Za-z]+)$")
_FRACTION = re.compile(r"\.(\d+)")


def parse_datetime_text(text: str) -> datetime:
    """The contents of `datetime(...)`: ISO 8601 (date, `T` or space, optional zone), RFC 822, or
    `y, m, d[, h, m, s]`. Returns a naive UTC datetime (microsecond precision)."""
    text = text.strip()
    if re.fullmatch(r"\d+(\s*,\s*\d+){2,5}", text):
        return datetime(*(int(p) for p in text.split(",")))
    if text and text[0].isalpha():
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError("not a date and time Kusto understands") from None
        return _to_naive_utc(value)
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    iso = re.sub(r"[Zz]$", "+00:00", iso)
    # Python keeps microseconds; Kusto allows 7 fractional digits (100 ns ticks).
    iso = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], iso, count=1)
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError("expected a date such as 2026-11-25 or 2026-11-25T12:00:00Z") from None
    return _to_naive_utc(value)


def _to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_timespan_text(text: str) -> timedelta:
    """The contents of `time(...)`: `1.5h`, `15 seconds`, `[d.]hh:mm[:ss[.fffffff]]` or a number of days."""
    text = text.strip()
    clock = _CLOCK.match(text)
    if clock:
        sign, days, hours, minutes, seconds, fraction = clock.groups()
        span = timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                         microseconds=int((fraction or "0").ljust(7, "0")[:7]) // 10)
        return -span if sign else span
    unit = _UNIT_SPAN.match(text)
    if unit and unit.group(3) in TIMESPAN_UNITS:
        span = timedelta(microseconds=round(float(unit.group(2)) * TIMESPAN_UNITS[unit.group(3)]))
        return -span if unit.group(1) else span
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return timedelta(days=float(text))
    raise ValueError("expected a timespan such as 1d, 2h, 30m or 01:30:00")


def parse_guid_text(text: str) -> str:
    """The contents of `guid(...)`, validated and lower-cased."""
    text = text.strip()
    if not _GUID.match(text):
        raise ValueError("expected a GUID such as 74be27de-1e4e-49d9-b579-fe0b331d3642")
    return text.lower()


def typed_literal_value(type_name: str, token_kind: str, value: Any, sign: str) -> Any:
    """The value of `long(12)`, `int(null)`, `real(nan)`, `real(-inf)`, `bool(true)`, `string('x')`."""
    kql_type = TYPE_NAMES[type_name]
    if token_kind == "IDENT" and value == "null" and not sign:
        return None
    negate = sign == "-"
    if kql_type in (KqlType.LONG, KqlType.INT) and token_kind == "LONG":
        result = -value if negate else value
        low, high = _INT_RANGE if kql_type is KqlType.INT else _LONG_RANGE
        if not low <= result <= high:
            raise ValueError(f"{result} is out of range for {type_name}")
        return result
    if kql_type in (KqlType.REAL, KqlType.DECIMAL):
        if token_kind in ("LONG", "REAL"):
            return -float(value) if negate else float(value)
        if token_kind == "IDENT" and value in ("nan", "inf"):
            return math.nan if value == "nan" else (-math.inf if negate else math.inf)
    if kql_type is KqlType.BOOL and token_kind == "IDENT" and value in ("true", "false") and not sign:
        return value == "true"
    if kql_type is KqlType.BOOL and token_kind == "LONG" and not sign:
        return bool(value)
    if kql_type is KqlType.STRING and token_kind == "STRING" and not sign:
        return value
    raise ValueError(f"{sign}{value} is not a {type_name} value")


# -- Kusto's text forms ----------------------------------------------------------------------

def format_datetime(value: datetime) -> str:
    """`2026-11-25T12:00:00.0000000Z`: the form `tostring(datetime)` and dynamic values use."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def format_timespan(value: timedelta) -> str:
    """The .NET form: `[-][d.]hh:mm:ss[.fffffff]`."""
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, rest = divmod(micros, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    text = f"{sign}{f'{days}.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:06d}0" if fraction else "")


def json_ready(value: Any) -> Any:
    """A Python value made JSON-serialisable the way Kusto writes it inside `dynamic`."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def dynamic_json(value: Any) -> str:
    """Compact JSON text for a dynamic value (what `tostring(dynamic)` shows)."""
    return json.dumps(json_ready(value), separators=(",", ":"), ensure_ascii=False)
