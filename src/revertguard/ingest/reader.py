"""Turning inputs into table rows: one `RowReader` maps records and fills Arrow batches.

It is the unit of work of ingestion, run in the main process or in worker processes alike. It
yields events: full batches, rejections, and a `SourceDone` after each input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec
import pyarrow as pa

from revertguard.ingest import azure_activity, cloudtrail, gcp_audit
from revertguard.ingest.batches import DEFAULT_BATCH_ROWS, BatchBuilder
from revertguard.ingest.formats import Kind, RawRecord, classify, decode_object, describe_keys, read_records
from revertguard.ingest.report import RecordError, Rejection
from revertguard.ingest.sentinel_export import SentinelRowMapper
from revertguard.ingest.sources import Source
from revertguard.tables import TABLES

_KIND_TABLE = {
    Kind.CLOUDTRAIL: "AWSCloudTrail",
    Kind.AZURE_REST: "AzureActivity",
    Kind.AZURE_DIAG: "AzureActivity",
    Kind.GCP: "GCPAuditLogs",
}
_keys_of = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


@dataclass(frozen=True)
class Batch:
    """A full batch of rows for one table."""

    table: str
    rows: pa.Table


@dataclass(frozen=True)
class SourceDone:
    """One input has been read completely."""

    name: str
    records: int
    notes: list[str] = field(default_factory=list)


Event = Batch | Rejection | SourceDone


class RowReader:
    """Reads inputs one after another, keeping partly filled batches across them."""

    def __init__(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        self.builders = {name: BatchBuilder(schema, batch_rows) for name, schema in TABLES.items()}

    def read(self, source: Source) -> Iterator[Event]:
        rows_mapper = SentinelRowMapper()
        expected: str | None = None  # the table this file's records belong to, once known
        seen = 0
        for item in read_records(source):
            seen += 1
            if isinstance(item, Rejection):
                yield item
                continue
            try:
                table, row, key = _map(item, rows_mapper)
                if expected is None:
                    expected = table
                elif table != expected and item.kind is not Kind.SENTINEL:
                    raise RecordError(f"a record for {table} in a file of {expected} records")
            except RecordError as exc:
                yield Rejection(item.source, item.position, str(exc), expected)
                continue
            full = self.builders[table].add(row, key)
            if full is not None:
                yield Batch(table, full)
        yield SourceDone(source.name, seen, rows_mapper.notes)

    def flush(self) -> Iterator[Batch]:
        for name, builder in self.builders.items():
            rows = builder.flush()
            if rows is not None:
                yield Batch(name, rows)


def _map(item: RawRecord, rows_mapper: SentinelRowMapper) -> tuple[str, tuple, str]:
    kind = item.kind
    data = item.data
    if kind is Kind.CLOUDTRAIL and isinstance(data, bytes):
        try:
            row, key = cloudtrail.map_record(data)
        except RecordError as exc:
            if str(exc).startswith("not a CloudTrail record"):
                raise RecordError(_wrong_kind(data, Kind.CLOUDTRAIL) or str(exc)) from None
            raise
        return "AWSCloudTrail", row, key
    if kind is None:
        try:
            keys = _keys_of(data) if isinstance(data, bytes) else data
        except msgspec.ValidationError:
            raise RecordError("expected a JSON object") from None
        except msgspec.DecodeError as exc:
            raise RecordError(f"malformed JSON: {str(exc).removeprefix('JSON is malformed: ')}") from None
        kind = classify(keys.keys())
        if kind is None:
            raise RecordError(f"not a record revertguard knows ({describe_keys(keys.keys())})")
        if kind is Kind.CLOUDTRAIL:
            return _map(RawRecord(item.source, item.position, data, kind), rows_mapper)
    size = len(data) if isinstance(data, bytes) else sum(len(str(v)) for v in data.values())
    try:
        obj = decode_object(item)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    if kind is Kind.SENTINEL:
        rows_mapper.dates = item.dates
        return rows_mapper.map(obj, size)
    if kind is Kind.GCP:
        if classify(obj.keys()) not in (Kind.GCP, None) and "protoPayload" not in obj:
            raise RecordError(_wrong_kind(obj, Kind.GCP))
        row, key = gcp_audit.map_entry(obj, size)
    elif kind is Kind.AZURE_REST:
        row, key = azure_activity.map_rest(obj, size)
    else:
        row, key = azure_activity.map_diagnostic(obj, size)
    return _KIND_TABLE[kind], row, key


def _wrong_kind(data: bytes | dict, expected: Kind) -> str:
    """Say what a record looks like when it is not what its container promised."""
    try:
        keys = (_keys_of(data) if isinstance(data, bytes) else data).keys()
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    actual = classify(keys)
    if actual is None or actual is expected:
        return f"not a {expected} ({describe_keys(keys)})"
    return f"looks like a {actual}, not a {expected}"


def _wrong_kind(data: bytes | dict, expected: Kind) -> str:
    """Say what a record looks like when it is not what its container promised."""
    try:
        keys = (_keys_of(data) if isinstance(data, bytes) else data).keys()
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    actual = classify(keys)
    if actual is None or actual is expected:
        return f"not a {expected} ({describe_keys(keys)})"
    return f"looks like a {actual}, not a {expected}"
