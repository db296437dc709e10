"""Recognising input formats and unwrapping their containers into single records.

A file is sniffed from its first bytes (after gzip and a UTF-8 BOM): `[` is a JSON array, `{`
a JSON document or JSON Lines, anything else a CSV export. A JSON document or line is then
unwrapped by its shape:

| container                                  | what it is                                   |
|--------------------------------------------|----------------------------------------------|
| `{"Records": [...]}`                       | CloudTrail S3 delivery file                  |
| `{"Events": [{"CloudTrailEvent": "..."}]}` | CloudTrail `LookupEvents` output             |
| `{"detail-type": ..., "detail": {...}}`    | EventBridge envelope of a CloudTrail record  |
| `{"records": [...]}`                       | Azure diagnostic settings via Event Hub      |
| `{"value": [...]}`                         | Azure Activity Log REST API page             |
| `{"entries": [...]}`                       | GCP Logging `entries.list` output            |
| `{"tables": [{"columns", "rows"}]}`        | Log Analytics query API result (a Sentinel export) |
| `[...]` or one object per line             | bare records of any kind                     |

Each record is then classified by its keys (`Kind`). A record that does not match the kind its
container implies (a GCP entry in a CloudTrail `Records` list, say) is rejected.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

import msgspec

from revertguard.ingest.report import Rejection
from revertguard.ingest.sentinel_export import observe_dates
from revertguard.ingest.sources import DECOMPRESSION_ERRORS, GZIP_MAGIC, Source
from revertguard.ingest.timestamps import LocaleDateOrder

SNIFF_BYTES = 64 * 1024
_BOM = codecs.BOM_UTF8
_raw_dict = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_any = msgspec.json.Decoder()


class Kind(StrEnum):
    """The kinds of record the readers understand, named for people."""

    CLOUDTRAIL = "AWS CloudTrail record"
    AZURE_REST = "Azure Activity Log event (REST or CLI format)"
    AZURE_DIAG = "Azure Activity Log record (diagnostic-settings format)"
    GCP = "GCP audit log entry"
    SENTINEL = "Sentinel table row"


@dataclass(frozen=True)
class RawRecord:
    """One record to map: raw JSON bytes, or (for CSV and API exports) a decoded row."""

    source: str
    position: str
    data: bytes | dict
    kind: Kind | None = None  # known from the container, or None to classify by keys
    dates: LocaleDateOrder | None = None  # a CSV export's day/month order


_SENTINEL_MARKERS = frozenset({"TimeGenerated", "TimeGenerated [UTC]", "$table", "TenantId", "Type"})


def classify(keys: Collection[str]) -> Kind | None:
    """Which kind of record has these top-level keys, or None."""
    if "eventVersion" in keys or ("eventName" in keys and ("eventSource" in keys or "awsRegion" in keys)):
        return Kind.CLOUDTRAIL
    if "protoPayload" in keys or ("logName" in keys and ("insertId" in keys or "receiveTimestamp" in keys)):
        return Kind.GCP
    if "eventDataId" in keys or "eventTimestamp" in keys or "submissionTimestamp" in keys:
        return Kind.AZURE_REST
    if "operationName" in keys and ("time" in keys or "resultType" in keys) and "resourceId" in keys:
        return Kind.AZURE_DIAG
    if "CloudTrailEvent" in keys:  # a LookupEvents item
        return Kind.CLOUDTRAIL
    if not _SENTINEL_MARKERS.isdisjoint(keys):
        return Kind.SENTINEL
    return None


def describe_keys(keys: Collection[str], limit: int = 6) -> str:
    names = sorted(keys)
    shown = ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
    return f"keys: {shown}" if names else "an empty object"


_DELIVERY_FILE = re.compile(rb'^\{\s*"Records"\s*:\s*\[')


def delivery_file_compression(source: Source) -> str | None:
    """For a CloudTrail S3 delivery file (`{"Records": [...]}`): "gzip" or "none"; else None.

    Such files are read by DuckDB directly (see `cloudtrail.load_files`); everything else goes
    through `read_records`.
    """
    if source.path is None:
        return None
    try:
        with open(source.path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw) if compressed else raw
            head = stream.read(256)
    except (OSError, *DECOMPRESSION_ERRORS):
        return None
    if not _DELIVERY_FILE.match(head.removeprefix(_BOM).lstrip()):
        return None
    return "gzip" if compressed else "none"


def read_records(source: Source) -> Iterator[RawRecord | Rejection]:
    """Every record of one input, or rejections for the parts that cannot be read."""
    try:
        stream = source.open()
    except OSError as exc:
        yield Rejection(source.name, "file", f"cannot read: {exc}")
        return
    with stream:
        try:
            head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(stream, "peek") else b""
        except DECOMPRESSION_ERRORS as exc:
            yield Rejection(source.name, "file", f"not a readable gzip file ({_decompression_reason(exc)})")
            return
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start:
            if not head:
                return  # an empty file holds no records
            yield Rejection(source.name, "file", "no records (the file is blank)")
            return
        first = start[:1]
        if first in (b"{", b"["):
            if first == b"{" and _looks_like_json_lines(start):
                yield from _json_lines(source, stream)
            else:
                yield from _json_document(source, stream)
        elif _looks_like_csv(start):
            yield from _csv_rows(source, stream)
        else:
            yield Rejection(source.name, "file", f"unknown format (starts with {start[:24]!r}); expected "
                            "CloudTrail, Azure Activity or GCP audit logs as JSON, JSON Lines or a Sentinel CSV export")


def _looks_like_json_lines(start: bytes) -> bool:
    """True when the first line is a whole JSON value and another line follows."""
    line, newline, rest = start.partition(b"\n")
    if not newline or not rest.strip():
        return False
    try:
        _any.decode(line)
    except msgspec.DecodeError:
        return False
    return True


def _looks_like_csv(start: bytes) -> bool:
    header = start.split(b"\n", 1)[0]
    return b"," in header and any(m.encode() in header for m in ("TimeGenerated", "Type", "$table"))


def _json_document(source: Source, stream: BinaryIO) -> Iterator[RawRecord | Rejection]:
    try:
        data = stream.read()
    except DECOMPRESSION_ERRORS as exc:
        yield Rejection(source.name, "file", f"cannot decompress: {_decompression_reason(exc)}")
        return
    data = data.removeprefix(_BOM)
    if _looks_like_json_lines(data.lstrip(b" \t\r\n")):
        # JSON Lines whose first line is longer than the sniffed head (an Event Hub message of
        # many records, say) only shows its line structure once the whole file is read.
        yield from _json_lines(source, io.BytesIO(data))
        return
    yield from _unwrap(source, "", data, _json_error_position)


def _json_lines(source: Source, stream: BinaryIO) -> Iterator[RawRecord | Rejection]:
    lineno = 0
    try:
        for line in stream:
            lineno += 1
            if lineno == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            yield from _unwrap(source, f"line {lineno}", line, lambda exc, _data: "")
    except DECOMPRESSION_ERRORS as exc:
        yield Rejection(source.name, f"after line {lineno}",
                        f"cannot decompress the rest of the file: {_decompression_reason(exc)}")


def _unwrap(source: Source, where: str, data: bytes, locate) -> Iterator[RawRecord | Rejection]:
    """Yield the records inside one JSON document (a file, or one line of JSON Lines)."""
    prefix = f"{where}, " if where else ""
    try:
        if data.lstrip()[:1] == b"[":
            items = _raw_list.decode(data)
            for i, item in enumerate(items):
                yield RawRecord(source.name, f"{prefix}record {i + 1}", bytes(item))
            return
        top = _raw_dict.decode(data)
    except msgspec.DecodeError as exc:
        detail = locate(exc, data)
        yield Rejection(source.name, where or detail or "file", f"malformed JSON: {_json_reason(exc)}"
                        + (f" at {detail}" if where and detail else ""))
        return
    except msgspec.ValidationError:
        yield Rejection(source.name, where or "file", "expected a JSON object or array")
        return

    keys = top.keys()
    container = _CONTAINERS.get(next((k for k in _CONTAINERS if k in keys), ""))
    if container is not None and classify(keys) is None:
        key, kind, label = container
        try:
            items = _raw_list.decode(top[key])
        except msgspec.ValidationError:
            yield Rejection(source.name, where or "file", f"`{key}` is not a list in this {label}")
            return
        for i, item in enumerate(items):
            yield RawRecord(source.name, f"{prefix}{key}[{i}]", bytes(item), kind)
        return
    if "tables" in keys and classify(keys) is None:
        yield from _log_analytics_result(source, prefix, top["tables"])
        return
    if "detail" in keys and "detail-type" in keys:
        detail_type = _any.decode(top["detail-type"])
        if not str(detail_type).endswith("via CloudTrail"):
            yield Rejection(source.name, where or "file",
                            f"an EventBridge event of type {detail_type!r}, not a CloudTrail record")
            return
        yield RawRecord(source.name, where or "record 1", bytes(top["detail"]), Kind.CLOUDTRAIL)
        return
    yield RawRecord(source.name, where or "record 1", data)


# Container key -> (key, the kind of its records, a name for messages).
_CONTAINERS: dict[str, tuple[str, Kind | None, str]] = {
    "Records": ("Records", Kind.CLOUDTRAIL, "CloudTrail delivery file"),
    "records": ("records", None, "Event Hub message"),
    "value": ("value", None, "Azure REST API page"),
    "entries": ("entries", Kind.GCP, "GCP Logging export"),
    "Events": ("Events", None, "LookupEvents result"),  # items wrap a record in CloudTrailEvent
}


def _log_analytics_result(source: Source, prefix: str, raw_tables: msgspec.Raw) -> Iterator[RawRecord | Rejection]:
    try:
        tables = _any.decode(raw_tables)
        for t_index, table in enumerate(tables):
            names = [c["name"] for c in table["columns"]]
            for r_index, row in enumerate(table["rows"]):
                yield RawRecord(source.name, f"{prefix}tables[{t_index}].rows[{r_index}]",
                                dict(zip(names, row, strict=False)), Kind.SENTINEL)
    except (TypeError, KeyError, msgspec.DecodeError):
        yield Rejection(source.name, prefix.rstrip(", ") or "file",
                        "a `tables` result without `columns` and `rows` (not a Log Analytics query result)")


def _csv_rows(source: Source, stream: BinaryIO) -> Iterator[RawRecord | Rejection]:
    """Rows of a CSV export. The whole file is read first: its dates decide day/month order."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    rows: list[tuple[str, dict]] = []
    problem: Rejection | None = None
    row_number = 0
    try:
        header = next(reader, None) or []
        for row in reader:
            row_number += 1
            position = f"row {row_number} (line {reader.line_num})"
            if not row:
                continue
            if len(row) != len(header):
                yield Rejection(source.name, position, f"has {len(row)} fields, the header has {len(header)}")
                continue
            rows.append((position, dict(zip(header, row, strict=True))))
    except UnicodeDecodeError as exc:
        problem = Rejection(source.name, f"after row {row_number}",
                            f"not UTF-8 text ({exc.reason}); the rest of the file was not read")
    except csv.Error as exc:
        problem = Rejection(source.name, f"row {row_number + 1} (line {reader.line_num})", f"bad CSV: {exc}")
    except DECOMPRESSION_ERRORS as exc:
        problem = Rejection(source.name, f"after row {row_number}",
                            f"cannot decompress the rest of the file: {_decompression_reason(exc)}")
    dates = LocaleDateOrder()
    observe_dates((row for _, row in rows), dates)
    for position, row in rows:
        yield RawRecord(source.name, position, row, Kind.SENTINEL, dates)
    if problem is not None:
        yield problem


def decode_object(record: RawRecord) -> dict:
    """The record as a dict (raises ValueError with a reason when it is not a JSON object)."""
    if isinstance(record.data, dict):
        return record.data
    try:
        value = _any.decode(record.data)
    except msgspec.DecodeError as exc:
        raise ValueError(f"malformed JSON: {_json_reason(exc)}") from None
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _json_reason(exc: msgspec.DecodeError) -> str:
    """msgspec's message without its prefix and byte offset (the position is reported separately)."""
    return re.sub(r" \(byte \d+\)$", "", str(exc).removeprefix("JSON is malformed: "))


def _json_error_position(exc: msgspec.DecodeError, data: bytes) -> str:
    """Turn msgspec's byte offset into `line L, column C`."""
    text = str(exc)
    if "(byte " not in text:
        return "end of file" if "truncated" in text else ""
    try:
        offset = int(text.rsplit("(byte ", 1)[1].rstrip(")"))
    except ValueError:
        return ""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _decompression_reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the gzip stream is truncated"
    return str(exc) or type(exc).__name__
