"""GCP Cloud Audit Log `LogEntry` -> `GCPAuditLogs` row, as the Sentinel GCP connector maps it.

The AuditLog payload (`protoPayload`) is spread over dynamic columns; `TimeGenerated` is the
receive time and `Timestamp` the event time. Decisions are listed in `revertguard.ingest.mappings`.
"""

from __future__ import annotations

from revertguard.ingest.report import RecordError
from revertguard.ingest.timestamps import TimestampError, parse_iso, parse_optional_iso
from revertguard.ingest.values import content_key, dynamic, obj, text
from revertguard.tables import GCP_AUDIT_LOGS

_TEMPLATE = dict.fromkeys(GCP_AUDIT_LOGS.column_names, "")
for _name in GCP_AUDIT_LOGS.column_names:
    if GCP_AUDIT_LOGS.type_of(_name) != "string":
        _TEMPLATE[_name] = None
_TEMPLATE["Type"] = "GCPAuditLogs"
_TEMPLATE["_IsBillable"] = "True"

# protoPayload key -> dynamic column.
_DYNAMIC_PARTS = {
    "authenticationInfo": "AuthenticationInfo",
    "authorizationInfo": "AuthorizationInfo",
    "metadata": "Metadata",
    "request": "Request",
    "requestMetadata": "RequestMetadata",
    "resourceLocation": "ResourceLocation",
    "resourceOriginalState": "ResourceOriginalState",
    "response": "Response",
    "serviceData": "ServiceData",
    "status": "Status",
}


def map_entry(entry: dict) -> tuple[tuple, str]:
    """Map one LogEntry whose payload is an AuditLog."""
    payload = entry.get("protoPayload")
    if not isinstance(payload, dict):
        kinds = [k for k in ("textPayload", "jsonPayload") if k in entry]
        raise RecordError("not an audit log entry: it has no protoPayload"
                          + (f" (it has {kinds[0]})" if kinds else ""))
    received = entry.get("receiveTimestamp") or entry.get("timestamp")
    try:
        time_generated = parse_iso(received)
        timestamp = parse_optional_iso(entry.get("timestamp"))
    except TimestampError as exc:
        raise RecordError(f"receiveTimestamp/timestamp: {exc}") from None
    resource = obj(entry, "resource")
    labels = obj(resource, "labels")
    log_name = text(entry.get("logName"))
    project = text(labels.get("project_id"))
    if not project and log_name.startswith("projects/"):
        project = log_name.split("/")[1]
    authentication = obj(payload, "authenticationInfo")
    status = obj(payload, "status")

    row = _TEMPLATE.copy()
    row["TimeGenerated"] = time_generated
    row["Timestamp"] = timestamp
    for key, column in _DYNAMIC_PARTS.items():
        row[column] = dynamic(payload.get(key))
    row["GCPResourceName"] = text(payload.get("resourceName"))
    row["GCPResourceType"] = text(resource.get("type"))
    row["InsertId"] = text(entry.get("insertId"))
    row["LogName"] = log_name
    row["MethodName"] = text(payload.get("methodName"))
    row["NumResponseItems"] = text(payload.get("numResponseItems"))
    row["PrincipalEmail"] = text(authentication.get("principalEmail"))
    row["ProjectId"] = project
    row["ServiceName"] = text(payload.get("serviceName"))
    row["Severity"] = text(entry.get("severity"))
    row["StatusMessage"] = text(status.get("message"))
    values = tuple(row.values())
    return values, row["InsertId"] or content_key(values)
