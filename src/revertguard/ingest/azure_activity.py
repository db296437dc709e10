"""Azure Activity Log record -> `AzureActivity` row, as the current Sentinel connector maps it.

Two raw shapes: the REST / `az monitor activity-log list` event (camelCase, `{value,
localizedValue}` objects, statuses Started/Accepted/Succeeded/Failed) and the
diagnostic-settings record (storage `PT1H.json` or Event Hub; `time`, `resultType`
Start/Accept/Success/Failure, `identity`). Both become current-connector rows: the legacy
columns stay empty, statuses use the Start/Accept/Success/Failure vocabulary, and
`Properties_d` gets Sentinel's enrichment keys. Decisions are listed in `revertguard.ingest.mappings`.
"""

from __future__ import annotations

from revertguard.ingest.report import RecordError
from revertguard.ingest.timestamps import TimestampError, parse_iso, parse_optional_iso
from revertguard.ingest.values import content_key, dynamic, json_text, obj, text
from revertguard.tables import AZURE_ACTIVITY

_TEMPLATE = dict.fromkeys(AZURE_ACTIVITY.column_names, "")
for _name in ("Authorization_d", "Claims_d", "Properties_d", "EventSubmissionTimestamp", "TimeGenerated",
              "_BilledSize"):
    _TEMPLATE[_name] = None
_TEMPLATE["SourceSystem"] = "Azure"
_TEMPLATE["Type"] = "AzureActivity"
_TEMPLATE["_IsBillable"] = "True"

# The REST API's status words -> the words the current Sentinel connector stores.
STATUS_VOCABULARY = {"started": "Start", "accepted": "Accept", "succeeded": "Success", "failed": "Failure"}

_UPN_CLAIMS = ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "upn")
_OBJECT_ID_CLAIMS = ("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid")
# Diagnostic-settings `category` sometimes holds the kind of operation; Sentinel's CategoryValue
# is the event category, which for those is Administrative.
_OPERATION_KINDS = {"write", "delete", "action"}


def normalize_status(value: str) -> str:
    """Map Started/Accepted/Succeeded/Failed to Start/Accept/Success/Failure; keep anything else."""
    return STATUS_VOCABULARY.get(value.lower(), value)


def _value(field: object) -> str:
    """The `value` of a REST `{value, localizedValue}` object (or the field itself if it is a string)."""
    if isinstance(field, dict):
        return text(field.get("value"))
    return text(field)


def caller_from_claims(claims: dict) -> str:
    """Caller for a diagnostic-settings record: the UPN claim, else the object id (service principals)."""
    for name in (*_UPN_CLAIMS, *_OBJECT_ID_CLAIMS):
        value = claims.get(name)
        if value:
            return text(value)
    return ""


def parse_resource_id(resource_id: str) -> tuple[str, str, str]:
    """(subscription id, resource group, resource name) from an ARM resource id, any case."""
    parts = [p for p in resource_id.split("/") if p]
    lower = [p.lower() for p in parts]
    subscription = group = ""
    if "subscriptions" in lower:
        i = lower.index("subscriptions")
        subscription = parts[i + 1] if i + 1 < len(parts) else ""
    if "resourcegroups" in lower:
        i = lower.index("resourcegroups")
        group = parts[i + 1] if i + 1 < len(parts) else ""
    name = parts[-1] if parts else ""
    return subscription, group, name


def _provider_of(operation: str) -> str:
    return operation.split("/", 1)[0].upper() if "/" in operation else ""


def map_rest(event: dict) -> tuple[tuple, str]:
    """Map one REST-format Activity Log event."""
    try:
        time_generated = parse_iso(event.get("eventTimestamp"))
        submitted = parse_optional_iso(event.get("submissionTimestamp"))
    except TimestampError as exc:
        raise RecordError(f"eventTimestamp: {exc}") from None
    resource_id = text(event.get("resourceId"))
    subscription, group, name = parse_resource_id(resource_id)
    http = obj(event, "httpRequest")
    operation = _value(event.get("operationName"))
    provider = _value(event.get("resourceProviderName")).upper() or _provider_of(operation)
    return _build(
        time_generated=time_generated,
        submitted=submitted,
        operation=operation,
        status=normalize_status(_value(event.get("status"))),
        substatus=_value(event.get("subStatus")),
        category=_value(event.get("category")),
        caller=text(event.get("caller")),
        caller_ip=text(http.get("clientIpAddress")),
        http_request=json_text(http) if http else "",
        correlation_id=text(event.get("correlationId")),
        event_data_id=text(event.get("eventDataId")),
        authorization=event.get("authorization"),
        claims=event.get("claims"),
        properties=event.get("properties"),
        resource_id=resource_id,
        subscription=text(event.get("subscriptionId")) or subscription,
        group=text(event.get("resourceGroupName")) or group,
        provider=provider,
        resource_name=name,
    )


def map_diagnostic(record: dict) -> tuple[tuple, str]:
    """Map one diagnostic-settings (storage / Event Hub) Activity Log record."""
    properties = obj(record, "properties")
    try:
        time_generated = parse_iso(record.get("time"))
        submitted = parse_optional_iso(properties.get("eventSubmissionTimestamp"))
    except TimestampError as exc:
        raise RecordError(f"time: {exc}") from None
    identity = obj(record, "identity")
    claims = identity.get("claims") if isinstance(identity.get("claims"), dict) else None
    resource_id = text(record.get("resourceId"))
    subscription, group, name = parse_resource_id(resource_id)
    operation = text(record.get("operationName"))
    caller_ip = text(record.get("callerIpAddress"))
    category = text(properties.get("eventCategory")) or text(record.get("category"))
    if category.lower() in _OPERATION_KINDS:
        category = "Administrative"
    http_request = properties.get("httpRequest")
    if not isinstance(http_request, str):
        http_request = json_text(http_request) if http_request else (
            json_text({"clientIpAddress": caller_ip}) if caller_ip else "")
    return _build(
        time_generated=time_generated,
        submitted=submitted,
        operation=operation,
        status=normalize_status(text(record.get("resultType"))),
        substatus=text(properties.get("statusCode")),
        category=category,
        caller=caller_from_claims(claims) if claims else text(properties.get("caller")),
        caller_ip=caller_ip,
        http_request=http_request,
        correlation_id=text(record.get("correlationId")),
        event_data_id=text(properties.get("eventDataId")),
        authorization=identity.get("authorization"),
        claims=claims,
        properties=properties,
        resource_id=resource_id,
        subscription=subscription,
        group=group,
        provider=_provider_of(operation),
        resource_name=name,
    )


def _build(*, time_generated, submitted, operation: str, status: str, substatus: str, category: str,
           caller: str, caller_ip: str, http_request: str, correlation_id: str, event_data_id: str,
           authorization, claims, properties, resource_id: str, subscription: str, group: str,
           provider: str, resource_name: str) -> tuple[tuple, str]:
    props = dict(properties) if isinstance(properties, dict) else {}
    # Sentinel's enrichment keys, added the way the connector adds them (existing values win).
    enrichment = {
        "eventCategory": category,
        "entity": resource_id,
        "message": operation,
        "hierarchy": props.get("hierarchy", ""),
        "caller": caller,
        "eventDataId": event_data_id,
        "eventSubmissionTimestamp": props.get("eventSubmissionTimestamp")
        or (submitted.isoformat() + "Z" if submitted else ""),
        "httpRequest": http_request,
        "resource": resource_name.lower(),
        "resourceGroup": group,
        "resourceProviderValue": provider,
        "subscriptionId": subscription,
        "activityStatusValue": status,
    }
    if substatus:
        enrichment["activitySubstatusValue"] = substatus
    for key, value in enrichment.items():
        if value and not props.get(key):
            props[key] = value
    row = _TEMPLATE.copy()
    row["TimeGenerated"] = time_generated
    row["EventSubmissionTimestamp"] = submitted
    row["CallerIpAddress"] = caller_ip
    row["CategoryValue"] = category
    row["CorrelationId"] = correlation_id
    row["Authorization"] = json_text(authorization)
    row["Authorization_d"] = dynamic(authorization)
    row["Claims"] = json_text(claims)
    row["Claims_d"] = dynamic(claims)
    row["OperationNameValue"] = operation
    row["Properties"] = json_text(props)
    row["Properties_d"] = dynamic(props)
    row["Caller"] = caller
    row["EventDataId"] = event_data_id
    row["HTTPRequest"] = http_request
    row["ResourceGroup"] = group
    row["ResourceProviderValue"] = provider
    row["ActivityStatusValue"] = status
    row["ActivitySubstatusValue"] = substatus
    row["Hierarchy"] = text(props.get("hierarchy"))
    row["SubscriptionId"] = row["_SubscriptionId"] = subscription
    row["_ResourceId"] = resource_id.lower()
    values = tuple(row.values())
    return values, event_data_id or content_key(values)
