"""AWS CloudTrail record -> `AWSCloudTrail` row, mapped in SQL by DuckDB.

CloudTrail is by far the largest source, so its records are parsed and mapped by DuckDB's JSON
reader rather than in Python: S3 delivery files (`{"Records": [...]}`) are read by DuckDB
straight from disk, and records from every other container (JSON Lines, arrays, EventBridge,
LookupEvents) are split by Python and handed over as JSON text. Both go through the same
projection, built from `MAPPING`: one declarative list, in table column order, that says where
each column comes from. A record that cannot become a row gets a rejection reason computed in
the same query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import msgspec
import pyarrow as pa

from revertguard.ingest.report import RecordError, Rejection
from revertguard.store import KEY_COLUMN, Store, quote_ident
from revertguard.tables import AWS_CLOUDTRAIL

TABLE = AWS_CLOUDTRAIL.name
MAX_OBJECT_BYTES = 64 << 20  # one S3 delivery file is one JSON object; larger ones take the record path


@dataclass(frozen=True)
class Field:
    """Where one column comes from: a dotted path in the raw record, and how it is converted.

    Kinds: `string` ("" when absent; non-strings become their JSON text), `json` (compact JSON
    text, "" when absent or null), `bool` ("true"/"false" strings too), `datetime` (ISO 8601 in
    any offset, stored as UTC), `constant` (the same value on every row).
    """

    column: str
    source: str | None
    kind: str
    note: str = ""


# In AWS_CLOUDTRAIL column order (a test checks the two agree).
MAPPING: tuple[Field, ...] = (
    Field("TimeGenerated", "eventTime", "datetime", "required; a record without it is rejected"),
    Field("AwsEventId", "eventID", "string", "also the deduplication key"),
    Field("EventVersion", "eventVersion", "string"),
    Field("EventSource", "eventSource", "string"),
    Field("EventTypeName", "eventType", "string"),
    Field("EventName", "eventName", "string"),
    Field("UserIdentityType", "userIdentity.type", "string"),
    Field("UserIdentityPrincipalid", "userIdentity.principalId", "string"),
    Field("UserIdentityArn", "userIdentity.arn", "string"),
    Field("UserIdentityAccountId", "userIdentity.accountId", "string"),
    Field("UserIdentityInvokedBy", "userIdentity.invokedBy", "string"),
    Field("UserIdentityAccessKeyId", "userIdentity.accessKeyId", "string"),
    Field("UserIdentityUserName", "userIdentity.userName", "string"),
    Field("SessionMfaAuthenticated", "userIdentity.sessionContext.attributes.mfaAuthenticated", "bool",
          "the raw value is the string \"true\"/\"false\""),
    Field("SessionCreationDate", "userIdentity.sessionContext.attributes.creationDate", "datetime"),
    Field("SessionIssuerType", "userIdentity.sessionContext.sessionIssuer.type", "string"),
    Field("SessionIssuerPrincipalId", "userIdentity.sessionContext.sessionIssuer.principalId", "string"),
    Field("SessionIssuerArn", "userIdentity.sessionContext.sessionIssuer.arn", "string"),
    Field("SessionIssuerAccountId", "userIdentity.sessionContext.sessionIssuer.accountId", "string"),
    Field("SessionIssuerUserName", "userIdentity.sessionContext.sessionIssuer.userName", "string"),
    Field("AWSRegion", "awsRegion", "string"),
    Field("SourceIpAddress", "sourceIPAddress", "string", "can be a service name or \"AWS Internal\""),
    Field("UserAgent", "userAgent", "string"),
    Field("ErrorCode", "errorCode", "string"),
    Field("ErrorMessage", "errorMessage", "string"),
    Field("RequestParameters", "requestParameters", "json", "a string column holding compact JSON, as in Sentinel"),
    Field("ResponseElements", "responseElements", "json"),
    Field("AdditionalEventData", "additionalEventData", "json"),
    Field("AwsRequestId", "requestID", "string", "the deprecated column; filled like AwsRequestId_"),
    Field("AwsRequestId_", "requestID", "string"),
    Field("Resources", "resources", "json"),
    Field("APIVersion", "apiVersion", "string"),
    Field("ReadOnly", "readOnly", "bool"),
    Field("RecipientAccountId", "recipientAccountId", "string"),
    Field("ServiceEventDetails", "serviceEventDetails", "json"),
    Field("SharedEventId", "sharedEventID", "string"),
    Field("VpcEndpointId", "vpcEndpointId", "string"),
    Field("ManagementEvent", "managementEvent", "bool"),
    Field("TenantId", "", "constant", "the Log Analytics workspace id; a local store has none"),
    Field("SourceSystem", "", "constant", "empty in real exports"),
    Field("OperationName", "", "constant", "empty in real exports"),
    Field("Category", "", "constant", "empty in real exports (eventCategory is not copied)"),
    Field("EC2RoleDelivery", "userIdentity.sessionContext.ec2RoleDelivery", "string"),
    Field("TlsVersion", "tlsDetails.tlsVersion", "string"),
    Field("CipherSuite", "tlsDetails.cipherSuite", "string"),
    Field("ClientProvidedHostHeader", "tlsDetails.clientProvidedHostHeader", "string"),
    Field("IpProtocol", "requestParameters.ipPermissions.items[0].ipProtocol", "string",
          "first rule of a security-group call (the connector's exact path is undocumented)"),
    Field("SourcePort", "requestParameters.ipPermissions.items[0].fromPort", "string", "as IpProtocol"),
    Field("DestinationPort", "requestParameters.ipPermissions.items[0].toPort", "string", "as IpProtocol"),
    Field("CidrIp", "requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp", "string",
          "as IpProtocol"),
    Field("UserIdentityUserId", "userIdentity.onBehalfOf.userId", "string"),
    Field("UserIdentityStoreArn", "userIdentity.onBehalfOf.identityStoreArn", "string"),
    Field("Type", "AWSCloudTrail", "constant"),
    Field("_BilledSize", None, "constant", "not computed locally (null)"),
    Field("_IsBillable", "True", "constant"),
)

_BLOBS = {f.source for f in MAPPING if f.kind == "json"}
# Keys that name other kinds of record, so a rejection can say what the record looks like.
_MARKERS = {"protoPayload": "a GCP audit log entry", "eventDataId": "an Azure Activity Log event",
            "operationName": "an Azure Activity Log record", "CloudTrailEvent": "a LookupEvents item"}


def _transform_spec() -> dict:
    """The json_transform structure: every path used, scalars as VARCHAR, blobs as JSON."""
    spec: dict = {}
    for f in MAPPING:
        if f.kind == "constant" or not f.source:
            continue
        top = f.source.split(".", 1)[0]
        if top in _BLOBS:
            spec[top] = "JSON"
            continue
        node = spec
        parts = f.source.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = "VARCHAR"
    for marker in _MARKERS:
        spec[marker] = "JSON"
    return spec


def _blob_paths() -> dict[str, list[str]]:
    """The paths read inside each JSON blob (`requestParameters.ipPermissions...`), by blob."""
    paths: dict[str, list[str]] = {}
    for f in MAPPING:
        top, _, rest = (f.source or "").partition(".")
        if top in _BLOBS and rest and rest not in paths.setdefault(top, []):
            paths[top].append(rest)
    return paths


_BLOB_PATHS = _blob_paths()


def _path(source: str) -> str:
    """SQL for the raw value at `source` (VARCHAR or JSON), relative to the record struct `r`."""
    top, _, rest = source.partition(".")
    if top in _BLOBS and rest:
        # Every path of the blob in one call, so DuckDB parses the blob once for all of them
        # (the same expression in several columns is computed once).
        paths = _BLOB_PATHS[top]
        listed = ", ".join(_sql_string("$." + p) for p in paths)
        return f"json_extract_string(r.{quote_ident(top)}, [{listed}])[{paths.index(rest) + 1}]"
    return "r." + ".".join(quote_ident(p) for p in source.split("."))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _column_sql(f: Field) -> str:
    if f.kind == "constant":
        return "NULL::DOUBLE" if f.source is None else _sql_string(f.source)
    raw = _path(f.source or "")
    if f.kind == "string":
        return f"coalesce({raw}, '')"
    if f.kind == "json":
        return f"coalesce(CAST({raw} AS VARCHAR), '')"
    if f.kind == "bool":
        return (f"CASE lower(trim({raw})) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true "
                f"WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false END")
    if f.kind == "datetime":
        return f"(TRY_CAST({raw} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
    raise ValueError(f"unknown field kind {f.kind}")


def _reason_sql() -> str:
    """Why a record cannot become a row (NULL when it can), checked in this order."""
    cases = []
    looks_like = " ".join(
        f"WHEN r.{quote_ident(k)} IS NOT NULL THEN 'looks like {label}, not an AWS CloudTrail record'"
        for k, label in _MARKERS.items())
    cases.append("WHEN pos = 'file' THEN '`Records` is not a list in this CloudTrail delivery file'")
    cases.append("WHEN r IS NULL THEN 'expected a JSON object, got null'")
    cases.append(f"WHEN r.eventName IS NULL AND r.eventSource IS NULL THEN CASE {looks_like} "
                 "ELSE 'not a CloudTrail record: it has no eventName or eventSource' END")
    for f in MAPPING:
        raw = _path(f.source or "") if f.kind in ("bool", "datetime") else ""
        if f.kind == "datetime":
            if f.column == "TimeGenerated":
                cases.append(f"WHEN {raw} IS NULL THEN '{f.source}: missing timestamp'")
            cases.append(f"WHEN {raw} IS NOT NULL AND {_column_sql(f)} IS NULL THEN "
                         f"'{f.source}: not an ISO 8601 timestamp: ' || left({raw}, 60)")
        elif f.kind == "bool":
            cases.append(f"WHEN nullif(trim({raw}), '') IS NOT NULL AND {_column_sql(f)} IS NULL THEN "
                         f"'{f.source}: not a boolean: ' || left({raw}, 60)")
    return "CASE " + " ".join(cases) + " END"


_TABLE_COLUMNS = ", ".join(quote_ident(c) for c in AWS_CLOUDTRAIL.column_names)
_SPEC = msgspec.json.encode(_transform_spec()).decode()
_COLUMNS = ",\n    ".join(f"{_column_sql(f)} AS {quote_ident(f.column)}" for f in MAPPING)
_KEY = (f"coalesce(nullif(r.eventID, ''), 'sha:' || md5(CAST(r AS VARCHAR))) AS {KEY_COLUMN}")
_MAPPED = f"SELECT\n    {_COLUMNS},\n    {_KEY},\n    {_reason_sql()} AS _rg_reason,\n    src, pos, ord\nFROM records"

# Records from S3 delivery files read by DuckDB; `pos` names the record as the Python path does.
# Both file queries below end in this CTE, from `files` (src, l = the file's `Records` list); a
# file whose `Records` is not a list yields one row at position 'file', to be rejected. `files`
# is read in parallel, file by file, before any list is unnested (it is materialized).
_RECORDS_OF_FILES = """records AS (
    SELECT src, unnest(l) AS r, generate_subscripts(l, 1) - 1 AS ord, 'Records[' || ord || ']' AS pos
    FROM files WHERE l IS NOT NULL
    UNION ALL
    SELECT src, NULL, 0, 'file' FROM files WHERE l IS NULL
)
"""
_FROM_FILES = f"""
WITH files AS MATERIALIZED (
    SELECT filename AS src, json_transform(json, {_sql_string('{"Records":[' + _SPEC + ']}')}).Records AS l
    FROM read_json_objects($files, filename = true, compression = $compression,
                           maximum_object_size = {MAX_OBJECT_BYTES})
),
{_RECORDS_OF_FILES}"""


def _duckdb_type(spec: dict | str) -> str:
    """The DuckDB type of a json_transform structure (nested objects become STRUCTs)."""
    if isinstance(spec, str):
        return spec
    return "STRUCT(" + ", ".join(f"{quote_ident(k)} {_duckdb_type(v)}" for k, v in spec.items()) + ")"


# The same, parsed once: `read_json` turns each file straight into the records' structs (the
# query above parses every file twice, once to split objects and once to transform them), which
# is faster for large files but costs about a millisecond more per file. It is strict where
# json_transform is lenient: a value of the wrong shape fails the query, and the group is then
# read by `_FROM_FILES`, so both give the same rows whenever this one runs. (A `Records` that
# is not a list fails it too: `_FROM_FILES` reports it.)
_RECORDS_COLUMNS = "{'Records': " + _sql_string(_duckdb_type(_transform_spec()) + "[]") + "}"
_FROM_FILES_PARSED_ONCE = f"""
WITH files AS (
    SELECT filename AS src, Records AS l
    FROM read_json($files, columns = {_RECORDS_COLUMNS}, format = 'unstructured', records = true,
                   filename = true, compression = $compression, maximum_object_size = {MAX_OBJECT_BYTES})
),
{_RECORDS_OF_FILES}"""
# Records split by Python: a registered Arrow table `_rg_cloudtrail_raw` (`RAW_SCHEMA`).
_FROM_SPLIT = f"""
WITH records AS (
    SELECT src, pos, ord, json_transform(json, {_sql_string(_SPEC)}) AS r FROM _rg_cloudtrail_raw
)
"""

RAW_SCHEMA = pa.schema([("src", pa.string()), ("pos", pa.string()), ("ord", pa.int64()), ("json", pa.string())])


@dataclass
class Loaded:
    """What one load did: rows appended, their time range, and the rejected records."""

    rows: int = 0
    first: datetime | None = None
    last: datetime | None = None
    rejections: list[Rejection] | None = None


def load_files(store: Store, paths: Sequence[str], *, gzip: bool, parse_once: bool = False) -> Loaded:
    """Load S3 delivery files (`{"Records":[...]}`, all gzip or all plain) with DuckDB's own reader.

    A value of an unexpected shape is read as NULL, as from any other container; with
    `parse_once` (faster for large files) it fails the query instead. Raises `duckdb.Error` when
    a file cannot be read (malformed JSON, a truncated gzip); a failed query aborts the store's
    open chunk, and `check_files` then finds the file.
    """
    return _append(store, _FROM_FILES_PARSED_ONCE if parse_once else _FROM_FILES, _file_params(paths, gzip))


def check_files(con: duckdb.DuckDBPyConnection, paths: Sequence[str], *, gzip: bool) -> None:
    """Read delivery files as `load_files` does (without `parse_once`), storing nothing; raises
    `duckdb.Error` when it would. Meant for a connection of its own (`Store.con.cursor()`), so a
    file that fails aborts nothing of the store's open chunk."""
    con.execute(f"{_FROM_FILES} SELECT count(*) FROM ({_MAPPED})", _file_params(paths, gzip)).fetchall()


def _file_params(paths: Sequence[str], gzip: bool) -> dict:
    return {"files": list(paths), "compression": "gzip" if gzip else "none"}


def load_records(store: Store, raw: pa.Table) -> Loaded:
    """Load CloudTrail records given as JSON text (`RAW_SCHEMA`: source, position, ordinal, JSON)."""
    store.con.register("_rg_cloudtrail_raw", raw)
    try:
        return _append(store, _FROM_SPLIT, {})
    finally:
        store.con.unregister("_rg_cloudtrail_raw")


def _append(store: Store, records_sql: str, params: dict) -> Loaded:
    """Map the records of `records_sql` (a `records` CTE) and append them, each parsed once; the
    rejected records are read again (only when there are some) to say why."""
    selected, kept, first, last = store.append_select(
        TABLE, f"{records_sql} SELECT {_TABLE_COLUMNS}, CASE WHEN _rg_reason IS NULL THEN {KEY_COLUMN} END "
               f"FROM ({_MAPPED})", params)
    rejections = []
    if kept < selected:
        rejected = store.con.execute(f"{records_sql} SELECT src, pos, _rg_reason, ord FROM ({_MAPPED}) "
                                     "WHERE _rg_reason IS NOT NULL ORDER BY src, ord", params).fetchall()
        rejections = [Rejection(src, pos, reason, TABLE, ordinal) for src, pos, reason, ordinal in rejected]
    store.commit_if_full()
    return Loaded(kept, first, last, rejections)


_decode_any = msgspec.json.Decoder().decode


def unwrap_lookup_event(data: bytes) -> bytes:
    """The CloudTrail record inside a `LookupEvents` item (`CloudTrailEvent` is a JSON string)."""
    try:
        item = _decode_any(data)
    except msgspec.DecodeError as exc:
        raise RecordError(f"malformed JSON: {exc}") from None
    event = item.get("CloudTrailEvent") if isinstance(item, dict) else None
    if not isinstance(event, str):
        raise RecordError("a LookupEvents item without a CloudTrailEvent string")
    return event.encode()


def mapping_sql() -> str:
    """The SQL projection from a record struct `r` to the table's columns (for docs and tests)."""
    return _MAPPED
