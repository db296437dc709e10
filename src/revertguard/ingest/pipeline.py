"""`ingest()`: read inputs, map every record to a table row, stage, deduplicate, commit.

Files are read one at a time and rows flow to the store in Arrow batches, so memory stays flat
however much is ingested. Every record ends up added, a duplicate, or a rejection with file,
position and reason.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pyarrow as pa

from revertguard.ingest import azure_activity, cloudtrail, gcp_audit
from revertguard.ingest.batches import DEFAULT_BATCH_ROWS, BatchBuilder, time_range
from revertguard.ingest.cloudtrail import RecordError
from revertguard.ingest.formats import Kind, RawRecord, classify, decode_object, describe_keys, read_records
from revertguard.ingest.report import IngestReport, Rejection
from revertguard.ingest.sentinel_export import SentinelRowMapper
from revertguard.ingest.sources import Source, discover
from revertguard.store import Store
from revertguard.tables import TABLES

_KIND_TABLE = {
    Kind.CLOUDTRAIL: "AWSCloudTrail",
    Kind.AZURE_REST: "AzureActivity",
    Kind.AZURE_DIAG: "AzureActivity",
    Kind.GCP: "GCPAuditLogs",
}
_keys_of = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode

ProgressCallback = Callable[[Source, int], None]


class _Stop(Exception):
    """Raised in strict mode at the first problem."""


def ingest(paths: list[str], store: Store, *, strict: bool = False,
           progress: ProgressCallback | None = None, batch_rows: int = DEFAULT_BATCH_ROWS) -> IngestReport:
    """Ingest files, folders (recursively) or `-` (stdin) into the store and report what happened."""
    sources, skipped = discover(paths)
    report = IngestReport(skipped=skipped)
    builders = {name: BatchBuilder(schema, batch_rows) for name, schema in TABLES.items()}
    try:
        for source in sources:
            report.files += 1
            records = _ingest_source(source, store, report, builders, strict)
            if progress is not None:
                progress(source, records)
    except _Stop:
        report.stopped_early = True
    for name, builder in builders.items():
        _stage(store, report, name, builder.flush())
    for result in store.commit():
        counts = report.counts(result.table)
        counts.added += result.added
        counts.duplicates += result.duplicates
    return report


def _ingest_source(source: Source, store: Store, report: IngestReport,
                   builders: dict[str, BatchBuilder], strict: bool) -> int:
    """Read one input; return how many records it held."""
    rows_mapper = SentinelRowMapper()
    expected: str | None = None  # the table this file's records belong to, once known
    seen = 0
    for item in read_records(source):
        seen += 1
        if isinstance(item, Rejection):
            _reject(report, item, strict)
            continue
        try:
            table, row, key = _map(item, rows_mapper)
            if expected is None:
                expected = table
            elif table != expected and item.kind is not Kind.SENTINEL:
                raise RecordError(f"a record for {table} in a file of {expected} records")
        except RecordError as exc:
            _reject(report, Rejection(item.source, item.position, str(exc), expected), strict)
            continue
        report.counts(table).read += 1
        _stage(store, report, table, builders[table].add(row, key))
    report.notes.extend(f"{source.name}: {note}" for note in rows_mapper.notes)
    return seen


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


def _reject(report: IngestReport, rejection: Rejection, strict: bool) -> None:
    report.reject(rejection)
    if strict:
        raise _Stop


def _stage(store: Store, report: IngestReport, table: str, batch: pa.Table | None) -> None:
    if batch is None:
        return
    store.stage(table, batch)
    report.counts(table).see_times(*time_range(batch))
