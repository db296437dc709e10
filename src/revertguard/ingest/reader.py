"""Turning inputs into table rows: one `RowReader` classifies records and fills Arrow batches.

It is the unit of work of the record-by-record path, run in the main process or in worker
processes alike. Azure, GCP and Sentinel-export records are mapped here in Python; CloudTrail
records are only split out and passed on as JSON text, because DuckDB maps them (see
`cloudtrail`). The reader yields events: full batches, rejections, and `SourceDone` after
each input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

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
    Kind.CLOUDTRAIL: cloudtrail.TABLE,
    Kind.AZURE_REST: "AzureActivity",
    Kind.AZURE_DIAG: "AzureActivity",
    Kind.GCP: "GCPAuditLogs",
}
_keys_of = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


@dataclass(frozen=True)
class Batch:
    """A full batch of mapped rows for one table."""

    table: str
    rows: pa.Table


@dataclass(frozen=True)
class CloudTrailBatch:
    """A batch of CloudTrail records as JSON text (`cloudtrail.RAW_SCHEMA`), for DuckDB to map."""

    records: pa.Table


@dataclass(frozen=True)
class SourceDone:
    """One input has been read completely."""

    name: str
    records: int
    notes: list[str] = field(default_factory=list)


Event = Batch | CloudTrailBatch | Rejection | SourceDone


class _CloudTrailBuilder:
    """Collects CloudTrail records as (source, position, JSON text) rows."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.columns: tuple[list[str], list[str], list[int], list[str]] = ([], [], [], [])

    def add(self, source: str, position: str, ordinal: int, data: bytes) -> CloudTrailBatch | None:
        src, pos, ord_, text = self.columns
        src.append(source)
        pos.append(position)
        ord_.append(ordinal)
        text.append(data.decode("utf-8", "replace"))
        return self.flush() if len(src) >= self.size else None

    def flush(self) -> CloudTrailBatch | None:
        if not self.columns[0]:
            return None
        arrays = [pa.array(c, f.type) for c, f in zip(self.columns, cloudtrail.RAW_SCHEMA, strict=True)]
        self.columns = ([], [], [], [])
        return CloudTrailBatch(pa.Table.from_arrays(arrays, schema=cloudtrail.RAW_SCHEMA))


class RowReader:
    """Reads inputs one after another, keeping partly filled batches across them."""

    def __init__(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        self.builders = {name: BatchBuilder(schema, batch_rows) for name, schema in TABLES.items()}
        self.cloudtrail = _CloudTrailBuilder(batch_rows)

    def read(self, source: Source) -> Iterator[Event]:
        """Events for one input file (or stdin)."""
        return self.read_items(source.name, read_records(source))

    def read_items(self, name: str, items: Iterable[RawRecord | Rejection]) -> Iterator[Event]:
        """Events for records already split out of an input called `name`."""
        rows_mapper = SentinelRowMapper()
        expected: str | None = None  # the table this input's records belong to, once known
        seen = 0
        for item in items:
            seen += 1
            if isinstance(item, Rejection):
                yield replace(item, ordinal=seen)
                continue
            try:
                kind, data = _classify(item)
                table = _KIND_TABLE.get(kind) if kind is not Kind.SENTINEL else None
                if table is not None:
                    if expected is None:
                        expected = table
                    elif table != expected:
                        raise RecordError(f"a record for {table} in a file of {expected} records")
                if kind is Kind.CLOUDTRAIL:
                    full = self.cloudtrail.add(item.source, item.position, seen, data)  # type: ignore[arg-type]
                    if full is not None:
                        yield full
                    continue
                table, row, key = _map(kind, item, rows_mapper)
            except RecordError as exc:
                yield Rejection(item.source, item.position, str(exc), expected, seen)
                continue
            full_rows = self.builders[table].add(row, key)
            if full_rows is not None:
                yield Batch(table, full_rows)
        yield SourceDone(name, seen, rows_mapper.notes)

    def flush(self) -> Iterator[Batch | CloudTrailBatch]:
        for name, builder in self.builders.items():
            rows = builder.flush()
            if rows is not None:
                yield Batch(name, rows)
        raw = self.cloudtrail.flush()
        if raw is not None:
            yield raw


def _classify(item: RawRecord) -> tuple[Kind, bytes | dict]:
    """The record's kind (from its container, or from its keys) and its data, unwrapped if needed."""
    data = item.data
    if item.kind is Kind.CLOUDTRAIL and isinstance(data, bytes):
        if data.lstrip()[:1] != b"{":
            raise RecordError("expected a JSON object")
        return Kind.CLOUDTRAIL, data
    if item.kind is not None:
        return item.kind, data
    try:
        keys = _keys_of(data) if isinstance(data, bytes) else data
    except msgspec.ValidationError:
        raise RecordError("expected a JSON object") from None
    except msgspec.DecodeError as exc:
        raise RecordError(f"malformed JSON: {str(exc).removeprefix('JSON is malformed: ')}") from None
    kind = classify(keys.keys())
    if kind is None:
        raise RecordError(f"not a record revertguard knows ({describe_keys(keys.keys())})")
    if kind is Kind.CLOUDTRAIL and "CloudTrailEvent" in keys and isinstance(data, bytes):
        return kind, cloudtrail.unwrap_lookup_event(data)
    return kind, data


def _map(kind: Kind, item: RawRecord, rows_mapper: SentinelRowMapper) -> tuple[str, tuple, str]:
    """Map an Azure, GCP or Sentinel-export record to (table, row, deduplication key)."""
    try:
        obj = decode_object(item)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    if kind is Kind.SENTINEL:
        rows_mapper.dates = item.dates
        return rows_mapper.map(obj)
    if kind is Kind.GCP:
        if "protoPayload" not in obj and classify(obj.keys()) not in (Kind.GCP, None):
            raise RecordError(_looks_like(obj.keys(), Kind.GCP))
        row, key = gcp_audit.map_entry(obj)
    elif kind is Kind.AZURE_REST:
        row, key = azure_activity.map_rest(obj)
    else:
        row, key = azure_activity.map_diagnostic(obj)
    return _KIND_TABLE[kind], row, key


def _looks_like(keys, expected: Kind) -> str:
    """Say what a record looks like when it is not what its container promised."""
    actual = classify(keys)
    if actual is None or actual is expected:
        return f"not a {expected} ({describe_keys(keys)})"
    return f"looks like a {actual}, not a {expected}"
