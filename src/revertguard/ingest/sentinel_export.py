"""Rows exported from Sentinel (portal CSV, JSON, Log Analytics API results) -> table rows.

Exports already hold Sentinel's columns, so each value only needs its type back: portal CSVs
write every value as text, with `[UTC]` appended to datetime headers and dates in the browser's
locale; dynamic values arrive as JSON text. Columns of other tables (an export of a `union`)
are ignored and reported once per file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

import msgspec

from revertguard.ingest.report import RecordError
from revertguard.ingest.timestamps import LocaleDateOrder, TimestampError, parse_iso
from revertguard.ingest.values import boolean, content_key, text
from revertguard.tables import TABLES, KqlType, TableSchema

_UTC_SUFFIX = " [UTC]"
# A column found only in one table tells which table an export without `Type` came from.
_TELLTALE_COLUMNS = {
    "AwsEventId": "AWSCloudTrail",
    "EventName": "AWSCloudTrail",
    "OperationNameValue": "AzureActivity",
    "ActivityStatus": "AzureActivity",
    "EventDataId": "AzureActivity",
    "InsertId": "GCPAuditLogs",
    "MethodName": "GCPAuditLogs",
}
_decode = msgspec.json.decode
_encode = msgspec.json.encode


@dataclass(frozen=True)
class _Layout:
    """How one header maps onto a table: (column index in the schema, key in the row) pairs."""

    schema: TableSchema
    keys: tuple[str | None, ...]
    ignored: tuple[str, ...]


def table_of(row: dict) -> str:
    """Which Sentinel table a row belongs to (raises RecordError when it cannot tell)."""
    named = row.get("$table") or row.get("Type")
    if named:
        if named in TABLES:
            return named
        raise RecordError(f"a row of table {named!r}; revertguard stores only {', '.join(TABLES)}")
    for column, table in _TELLTALE_COLUMNS.items():
        if column in row:
            return table
    raise RecordError("cannot tell which table this row belongs to (no Type column)")


class SentinelRowMapper:
    """Maps export rows of one file; remembers each header's layout and the file's date order."""

    def __init__(self, dates: LocaleDateOrder | None = None) -> None:
        self.dates = dates
        self._layouts: dict[tuple[str, tuple[str, ...]], _Layout] = {}
        self.notes: list[str] = []

    def map(self, row: dict) -> tuple[str, tuple, str]:
        """(table name, row tuple, deduplication key) for one exported row."""
        table = table_of(row)
        layout = self._layout(table, tuple(row))
        values = []
        for column, key in zip(layout.schema.columns, layout.keys, strict=True):
            raw = row.get(key) if key is not None else None
            try:
                values.append(self._convert(column.type, raw))
            except (ValueError, TimestampError, msgspec.DecodeError) as exc:
                raise RecordError(f"{key}: {exc}") from None
        out = dict(zip(layout.schema.column_names, values, strict=True))
        if out["TimeGenerated"] is None:
            raise RecordError("no TimeGenerated value")
        if out["Type"] in ("", None):
            out["Type"] = table
        if "_IsBillable" in out and not out["_IsBillable"]:
            out["_IsBillable"] = "True"
        if table == "AzureActivity" and not out["_SubscriptionId"]:
            out["_SubscriptionId"] = out["SubscriptionId"]
        result = tuple(out.values())
        id_value = out[layout.schema.id_column] if layout.schema.id_column else ""
        return table, result, id_value or content_key(result)

    def _layout(self, table: str, header: tuple[str, ...]) -> _Layout:
        cached = self._layouts.get((table, header))
        if cached:
            return cached
        schema = TABLES[table]
        by_name: dict[str, str] = {}
        for key in header:
            name = key[: -len(_UTC_SUFFIX)] if key.endswith(_UTC_SUFFIX) else key
            if name.endswith("]") and " [" in name:
                raise RecordError(f"column {key!r} is not in UTC; export with UTC timestamps")
            by_name[name] = key
        keys = tuple(by_name.get(c.name) for c in schema.columns)
        ignored = tuple(sorted(k for n, k in by_name.items() if schema.column(n) is None and n not in
                               ("$table", "TableName")))
        layout = _Layout(schema, keys, ignored)
        self._layouts[(table, header)] = layout
        if ignored:
            self.notes.append(f"{len(ignored)} column(s) not in {table} were ignored: {', '.join(ignored)}")
        return layout

    def _convert(self, kql_type: KqlType, value: object) -> object:
        if kql_type is KqlType.STRING or kql_type is KqlType.GUID:
            return text(value)
        if value is None or value == "":
            return None
        if kql_type is KqlType.DATETIME:
            if isinstance(value, str) and self.dates is not None:
                return self.dates.parse(value)
            return parse_iso(value)
        if kql_type is KqlType.BOOL:
            return boolean(value)
        if kql_type in (KqlType.REAL, KqlType.DECIMAL):
            return float(value)  # type: ignore[arg-type]
        if kql_type in (KqlType.INT, KqlType.LONG):
            return int(value)  # type: ignore[call-overload]
        if kql_type is KqlType.DYNAMIC:
            if isinstance(value, str):
                with contextlib.suppress(msgspec.DecodeError):  # else: a dynamic holding a plain string
                    value = _decode(value)
            return _encode(value).decode()
        return text(value)


def observe_dates(rows: Iterable[dict], dates: LocaleDateOrder) -> None:
    """Feed every datetime-looking value of a CSV export to the file's date-order detector."""
    for row in rows:
        for key, value in row.items():
            if key.endswith(_UTC_SUFFIX) and value:
                dates.observe(value)
