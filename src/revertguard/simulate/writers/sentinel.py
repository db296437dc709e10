"""Sentinel table exports (`AWSCloudTrail`, `AzureActivity`, `GCPAuditLogs`) as CSV and JSON.

Rows come from ingesting the raw records into an in-memory store, so an export holds exactly
what ingesting the raw logs would store; only `TenantId`, which Log Analytics sets to the
workspace id, is added. Azure records are mapped from the diagnostic-settings form, the
one the current Sentinel connector reads.

- CSV as the portal writes it: UTF-8 BOM, CRLF, `Column [UTC]` headers on datetime columns,
  US-locale timestamps (`11/20/2026, 2:36:53.042 PM`), `true`/`false`, dynamic values as JSON.
- JSON as the Log Analytics query API returns a result: `{"tables": [{"name", "columns", "rows"}]}`.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import datetime
from pathlib import Path

from revertguard.ingest import Kind, RawRecord, ingest_records
from revertguard.simulate.model import Cloud, Simulation
from revertguard.simulate.writers.common import json_bytes, pretty_json_bytes, write_file
from revertguard.store import KEY_COLUMN, Store, quote_ident
from revertguard.tables import AWS_CLOUDTRAIL, AZURE_ACTIVITY, GCP_AUDIT_LOGS, KqlType, TableSchema

_TABLE_OF = {Cloud.AWS: AWS_CLOUDTRAIL, Cloud.AZURE: AZURE_ACTIVITY, Cloud.GCP: GCP_AUDIT_LOGS}


_KIND_OF = {Cloud.AWS: Kind.CLOUDTRAIL, Cloud.AZURE: Kind.AZURE_DIAG, Cloud.GCP: Kind.GCP}


def _rows(sim: Simulation, cloud: Cloud) -> tuple[TableSchema, list[dict]]:
    """The rows ingest stores for this cloud's raw records (Azure in diagnostic-settings form)."""
    schema = _TABLE_OF[cloud]
    workspace = str(uuid.UUID(int=random.Random(f"{sim.seed}/workspace").getrandbits(128), version=4))
    records = [
        RawRecord("simulation", f"event {i}",
                  json_bytes(event.record.to_diagnostic() if cloud is Cloud.AZURE else event.record), _KIND_OF[cloud])
        for i, event in enumerate(sim.events(cloud))
    ]
    visible = [c.name for c in schema.visible_columns]
    with Store() as store:
        ingest_records(records, store)
        cursor = store.con.execute(
            f"SELECT {', '.join(quote_ident(c) for c in visible)} FROM {quote_ident(schema.name)} "
            f"ORDER BY TimeGenerated, {KEY_COLUMN}")
        rows = [dict(zip(visible, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row["TenantId"] = workspace
    return schema, rows


def portal_time(value: datetime) -> str:
    """A datetime as the portal's CSV export writes it in a US-English browser."""
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{value.month}/{value.day}/{value.year}, {hour}:{value:%M:%S}.{value.microsecond // 1000:03d} {suffix}"


def _csv_value(kql_type: KqlType, value: object) -> str:
    if value is None:
        return ""
    if kql_type is KqlType.DATETIME:
        return portal_time(value)  # type: ignore[arg-type]
    if kql_type is KqlType.BOOL:
        return "true" if value else "false"
    return str(value)


def write_csv(sim: Simulation, root: Path) -> None:
    for cloud in Cloud:
        schema, rows = _rows(sim, cloud)
        columns = schema.visible_columns
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c.name + (" [UTC]" if c.type is KqlType.DATETIME else "") for c in columns])
        for row in rows:
            writer.writerow([_csv_value(c.type, row[c.name]) for c in columns])
        write_file(root / f"{schema.name}.csv", b"\xef\xbb\xbf" + text.getvalue().encode())


def _api_value(kql_type: KqlType, value: object) -> object:
    if value is None:
        return None
    if kql_type is KqlType.DATETIME:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # type: ignore[union-attr]
    return value


def write_json(sim: Simulation, root: Path) -> None:
    for cloud in Cloud:
        schema, rows = _rows(sim, cloud)
        columns = schema.visible_columns
        result = {"tables": [{
            "name": "PrimaryResult",
            "columns": [{"name": c.name, "type": c.type.value} for c in columns],
            "rows": [[_api_value(c.type, row[c.name]) for c in columns] for row in rows],
        }]}
        write_file(root / f"{schema.name}.json", pretty_json_bytes(result))
