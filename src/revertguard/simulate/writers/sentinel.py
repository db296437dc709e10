"""Sentinel table exports (`AWSCloudTrail`, `AzureActivity`, `GCPAuditLogs`) as CSV and JSON.

Rows come from revertguard's own ingest mappers (raw record -> table row), so an export holds
exactly what ingesting the raw logs would store; only `TenantId`, which Log Analytics sets to
the workspace id, is added. Azure records are mapped from the diagnostic-settings form, the
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

from revertguard.ingest import azure_activity, cloudtrail, gcp_audit
from revertguard.simulate.model import Cloud, Event, Simulation
from revertguard.simulate.writers.common import json_bytes, pretty_json_bytes, write_file
from revertguard.tables import AWS_CLOUDTRAIL, AZURE_ACTIVITY, GCP_AUDIT_LOGS, KqlType, TableSchema

_TABLE_OF = {Cloud.AWS: AWS_CLOUDTRAIL, Cloud.AZURE: AZURE_ACTIVITY, Cloud.GCP: GCP_AUDIT_LOGS}


def _row(event: Event) -> tuple:
    """The table row ingest would store for this raw record."""
    if event.cloud is Cloud.AWS:
        row, _ = cloudtrail.map_record(json_bytes(event.record))
    elif event.cloud is Cloud.AZURE:
        record = event.record.to_diagnostic()
        row, _ = azure_activity.map_diagnostic(record, len(json_bytes(record)))
    else:
        row, _ = gcp_audit.map_entry(event.record, len(json_bytes(event.record)))
    return row


def _rows(sim: Simulation, cloud: Cloud) -> tuple[TableSchema, list[dict]]:
    schema = _TABLE_OF[cloud]
    workspace = str(uuid.UUID(int=random.Random(f"{sim.seed}/workspace").getrandbits(128), version=4))
    visible = [c.name for c in schema.visible_columns]
    rows = []
    for event in sim.events(cloud):
        values = dict(zip(schema.column_names, _row(event), strict=True))
        values["TenantId"] = workspace
        rows.append({name: values[name] for name in visible})
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
