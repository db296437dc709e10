"""Where every column of every table comes from: the one place the mapping decisions are written down.

CloudTrail's list is the executable mapping itself (`cloudtrail.MAPPING`). Azure and GCP are
mapped in Python (`azure_activity`, `gcp_audit`); their lists here describe that code, and the
tests check each column against raw fields. The README's mapping section is rendered from here
(`revertguard tables --schema TABLE` shows it too).
"""

from __future__ import annotations

from dataclasses import dataclass

from revertguard.ingest import cloudtrail
from revertguard.tables import TABLES


@dataclass(frozen=True)
class ColumnSource:
    """Where one column's value comes from, in each raw format, and why."""

    column: str
    source: str
    note: str = ""


def _cloudtrail() -> tuple[ColumnSource, ...]:
    out = []
    for f in cloudtrail.MAPPING:
        if f.kind == "constant":
            source = "null" if f.source is None else f'"{f.source}"'
        else:
            source = f"`{f.source}`" + {"json": " (compact JSON text)", "bool": " (bool)",
                                        "datetime": " (UTC)"}.get(f.kind, "")
        out.append(ColumnSource(f.column, source, f.note))
    return tuple(out)


_REST = "REST/CLI: "
_DIAG = "diagnostic settings: "

AZURE_ACTIVITY: tuple[ColumnSource, ...] = (
    ColumnSource("TenantId", '""', "the Log Analytics workspace id; a local store has none"),
    ColumnSource("SourceSystem", '"Azure"'),
    ColumnSource("CallerIpAddress", f"{_REST}`httpRequest.clientIpAddress`; {_DIAG}`callerIpAddress`"),
    ColumnSource("CategoryValue", f"{_REST}`category.value`; {_DIAG}`properties.eventCategory`, else `category`",
                 "a diagnostic `category` of Write/Delete/Action means Administrative"),
    ColumnSource("CorrelationId", "`correlationId`", "shared by the Start and Accept/Success records of one call"),
    ColumnSource("Authorization", f"{_REST}`authorization`; {_DIAG}`identity.authorization` (JSON text)"),
    ColumnSource("Authorization_d", "as Authorization, dynamic"),
    ColumnSource("Claims", f"{_REST}`claims`; {_DIAG}`identity.claims` (JSON text)"),
    ColumnSource("Claims_d", "as Claims, dynamic"),
    ColumnSource("Level", '""', "the current connector leaves it empty"),
    ColumnSource("OperationNameValue", f"{_REST}`operationName.value`; {_DIAG}`operationName`",
                 "case kept (diagnostic records are often UPPER CASE); compare with =~"),
    ColumnSource("Properties", "`properties` plus Sentinel's enrichment keys (JSON text)",
                 "`responseBody`/`requestbody` stay JSON strings inside"),
    ColumnSource("Properties_d", "as Properties, dynamic",
                 "enrichment keys added when absent: eventCategory, entity, message, hierarchy, caller, eventDataId, "
                 "eventSubmissionTimestamp, httpRequest, resource, resourceGroup, resourceProviderValue, "
                 "subscriptionId, activityStatusValue, activitySubstatusValue"),
    ColumnSource("Caller", f"{_REST}`caller`; {_DIAG}the UPN claim, else the object-id claim",
                 "service principals and managed identities appear as their object id"),
    ColumnSource("EventDataId", f"{_REST}`eventDataId`; {_DIAG}`properties.eventDataId`",
                 "the deduplication key"),
    ColumnSource("EventSubmissionTimestamp",
                 f"{_REST}`submissionTimestamp`; {_DIAG}`properties.eventSubmissionTimestamp` (UTC)"),
    ColumnSource("HTTPRequest", f"{_REST}`httpRequest` (JSON text); {_DIAG}`properties.httpRequest`, else "
                 "`{\"clientIpAddress\": callerIpAddress}`"),
    ColumnSource("OperationId", '""', "the current connector leaves it empty"),
    ColumnSource("ResourceGroup", f"{_REST}`resourceGroupName`; {_DIAG}parsed from `resourceId`"),
    ColumnSource("ResourceProviderValue", f"{_REST}`resourceProviderName.value`; {_DIAG}the operation's namespace",
                 "upper-cased, as Sentinel stores it"),
    ColumnSource("ActivityStatusValue", f"{_REST}`status.value`; {_DIAG}`resultType`",
                 "Started/Accepted/Succeeded/Failed become Start/Accept/Success/Failure"),
    ColumnSource("ActivitySubstatusValue", f"{_REST}`subStatus.value`; {_DIAG}`properties.statusCode`"),
    ColumnSource("Hierarchy", "`properties.hierarchy`"),
    ColumnSource("TimeGenerated", f"{_REST}`eventTimestamp`; {_DIAG}`time` (UTC)",
                 "required; a record without it is rejected"),
    ColumnSource("SubscriptionId", f"{_REST}`subscriptionId`; {_DIAG}parsed from `resourceId`"),
    ColumnSource("OperationName", '""', "legacy column: filled only by legacy-schema Sentinel exports"),
    ColumnSource("ActivityStatus", '""', "legacy column"),
    ColumnSource("ActivitySubstatus", '""', "legacy column"),
    ColumnSource("Category", '""', "legacy column"),
    ColumnSource("ResourceId", '""', "legacy column"),
    ColumnSource("ResourceProvider", '""', "legacy column"),
    ColumnSource("Resource", '""', "legacy column"),
    ColumnSource("Type", '"AzureActivity"'),
    ColumnSource("_ResourceId", "`resourceId`, lower-cased"),
    ColumnSource("_SubscriptionId", "as SubscriptionId"),
    ColumnSource("_BilledSize", "null", "not computed locally"),
    ColumnSource("_IsBillable", '"True"'),
)

GCP_AUDIT_LOGS: tuple[ColumnSource, ...] = (
    ColumnSource("TimeGenerated", "`receiveTimestamp`, else `timestamp` (UTC)",
                 "when Cloud Logging received the entry; required"),
    ColumnSource("AuthenticationInfo", "`protoPayload.authenticationInfo` (dynamic)"),
    ColumnSource("AuthorizationInfo", "`protoPayload.authorizationInfo` (dynamic)"),
    ColumnSource("GCPResourceName", "`protoPayload.resourceName`"),
    ColumnSource("GCPResourceType", "`resource.type`"),
    ColumnSource("InsertId", "`insertId`", "the deduplication key"),
    ColumnSource("LogName", "`logName`"),
    ColumnSource("Metadata", "`protoPayload.metadata` (dynamic)"),
    ColumnSource("MethodName", "`protoPayload.methodName`"),
    ColumnSource("NumResponseItems", "`protoPayload.numResponseItems`"),
    ColumnSource("PrincipalEmail", "`protoPayload.authenticationInfo.principalEmail`"),
    ColumnSource("ProjectId", "`resource.labels.project_id`, else the project in `logName`"),
    ColumnSource("Request", "`protoPayload.request` (dynamic)"),
    ColumnSource("RequestMetadata", "`protoPayload.requestMetadata` (dynamic)", "the caller IP lives here"),
    ColumnSource("ResourceLocation", "`protoPayload.resourceLocation` (dynamic)"),
    ColumnSource("ResourceOriginalState", "`protoPayload.resourceOriginalState` (dynamic)"),
    ColumnSource("Response", "`protoPayload.response` (dynamic)"),
    ColumnSource("ServiceData", "`protoPayload.serviceData` (dynamic)"),
    ColumnSource("ServiceName", "`protoPayload.serviceName`"),
    ColumnSource("Severity", "`severity`"),
    ColumnSource("SourceSystem", '""'),
    ColumnSource("Status", "`protoPayload.status` (dynamic)"),
    ColumnSource("StatusMessage", "`protoPayload.status.message`"),
    ColumnSource("Subscription", '""', "the Pub/Sub subscription the connector read; unknown for files"),
    ColumnSource("TenantId", '""', "the Log Analytics workspace id; a local store has none"),
    ColumnSource("Timestamp", "`timestamp` (UTC)", "when the event happened"),
    ColumnSource("Type", '"GCPAuditLogs"'),
    ColumnSource("_BilledSize", "null", "not computed locally"),
    ColumnSource("_IsBillable", '"True"'),
)

MAPPINGS: dict[str, tuple[ColumnSource, ...]] = {
    "AWSCloudTrail": _cloudtrail(),
    "AzureActivity": AZURE_ACTIVITY,
    "GCPAuditLogs": GCP_AUDIT_LOGS,
}

_RAW_FORMATS = {
    "AWSCloudTrail": "a CloudTrail record (the same in every container)",
    "AzureActivity": "a REST / `az monitor activity-log list` event, or a diagnostic-settings record",
    "GCPAuditLogs": "a Cloud Logging `LogEntry` whose `protoPayload` is an AuditLog",
}


def render_markdown() -> str:
    """The mapping tables as Markdown, as they appear in the README."""
    parts = []
    for table, sources in MAPPINGS.items():
        parts.append(f"#### {table}\n\nFrom {_RAW_FORMATS[table]}.\n")
        parts.append("| column | type | source | note |\n|---|---|---|---|")
        schema = TABLES[table]
        for entry in sources:
            source, note = (text.replace("|", "\\|") for text in (entry.source, entry.note))
            parts.append(f"| `{entry.column}` | {schema.type_of(entry.column).value} | {source} | {note} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
