"""Query results as text, JSON and CSV: datetimes as ISO 8601 in UTC with `Z`, timespans in
Kusto's `[d.]hh:mm:ss` form, dynamic values as JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from revertguard.kql.engine import QueryResult
from revertguard.kql.literals import format_timespan
from revertguard.tables import KqlType


def iso_datetime(value: datetime) -> str:
    """`2026-11-25T12:00:00Z` (fractional seconds only when there are some)."""
    text = value.replace(tzinfo=None).isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text + "Z"


def json_value(value: Any) -> Any:
    """A result cell as a JSON-serialisable value."""
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def text_value(value: Any, kql_type: KqlType) -> str:
    """A result cell as text (tables and CSV): dynamic values as compact JSON, null as ""."""
    if value is None:
        return ""
    if kql_type is KqlType.DYNAMIC:
        return value if isinstance(value, str) else json.dumps(json_value(value), ensure_ascii=False,
                                                                separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | timedelta | Decimal):
        return str(json_value(value))
    return str(value)


def to_json(result: QueryResult) -> str:
    """A JSON array with one object per row (column name -> value)."""
    rows = [{c.name: json_value(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_csv(result: QueryResult) -> str:
    """CSV with a header row; every field is quoted as the CSV rules require."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.names)
    for row in result.rows:
        writer.writerow([text_value(v, c.type) for c, v in zip(result.columns, row, strict=True)])
    return buffer.getvalue()
