"""The source events behind findings: looked up from the store by id, and read the same way for every cloud.

Findings carry only event ids (`AwsEventId`, `EventDataId`, `InsertId`). Reports need the
events themselves: `load_events(engine, ids)` fetches their rows from the Sentinel tables, and
`SourceEvent.facts` reads what an analyst asks of each one (when, which operation, on which
resource, by whom, from which address and client, and whether it worked) from the columns of
its table, so the HTML timeline and the OCSF evidences agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from revertguard.detect.findings import Findings, iso
from revertguard.kql import Engine
from revertguard.store import Watchlist
from revertguard.tables import TABLES

# The watchlist the wanted ids are given to the engine as: ids come from the logs, so they are
# data the engine loads, never text of a query.
_WANTED_IDS = "RevertGuardWantedEventIds"
# Request keys that say nothing about what changed.
_NOISE_KEYS = {"clienttoken", "requestid", "xmlns", "@type", "dryrun", "requestbody"}
_MAX_CHANGES = 6
_MAX_VALUE = 120
# Resource ids as CloudTrail writes them, most specific first.
_AWS_RESOURCE_KEYS = ("instanceId", "volumeId", "snapshotId", "imageId", "recoveryPointArn", "resourceArn",
                      "bucketName", "name")


@dataclass(frozen=True)
class EventFacts:
    """One event, read the same way for every cloud. Every text comes from the log: escape it on output."""

    time: datetime | None
    provider: str  # AWS, Azure or GCP
    operation: str
    service: str
    actor: str  # who: the principal's most specific name (ARN, caller, principal email)
    actor_name: str  # a short name for the person or workload
    account: str  # AWS account, Azure subscription or GCP project
    region: str
    ip: str
    user_agent: str
    succeeded: bool
    status: str  # "Succeeded", or the error code/message
    resource: str  # the resource acted on
    changes: str  # the request's notable values, `key=value` joined
    created: tuple[str, ...]  # resource ids the response names that the request did not
    request_id: str

    @property
    def operation_label(self) -> str:
        """The operation without its service prefix (`MICROSOFT.COMPUTE/DISKS/WRITE` -> `DISKS/WRITE`)."""
        prefix = self.service.lower() + "/"
        return self.operation[len(prefix):] if self.service and self.operation.lower().startswith(prefix) else \
            self.operation

    @property
    def resource_label(self) -> str:
        return resource_label(self.resource)


def short_name(resource_id: str) -> str:
    """The last segment of an ARM or GCP path (`.../disks/web-1` -> `web-1`); other ids as they are."""
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def resource_label(resource_id: str) -> str:
    """A path-like id (ARM, GCP) as its last type and name (`.../disks/web-1` -> `disks/web-1`); others as they are."""
    parts = [p for p in resource_id.split("/") if p]
    return "/".join(parts[-2:]) if len(parts) > 2 else resource_id


@dataclass(frozen=True)
class SourceEvent:
    """One raw row of a Sentinel table, with the table it came from and its event id."""

    table: str
    event_id: str
    row: Mapping[str, Any]

    @cached_property
    def facts(self) -> EventFacts:
        reader = _READERS.get(self.table)
        if reader is None:
            return _unknown_facts(self)
        return reader(self.row)

    def to_json(self) -> str:
        """The row as indented JSON text (datetimes in ISO 8601 UTC), for showing it whole."""
        return pretty_json(dict(self.row))


def load_events(engine: Engine, event_ids: Iterable[str]) -> dict[str, SourceEvent]:
    """The rows of the given events from every Sentinel table that has them, keyed by event id.

    Ids not found in any table are simply absent from the result (the store may have been
    pruned, or the finding may come from elsewhere). One query per table, however many ids.
    """
    wanted = sorted({i for i in event_ids if isinstance(i, str) and i})
    found: dict[str, SourceEvent] = {}
    if not wanted:
        return found
    catalog = engine.catalog()
    catalog.put_watchlist(Watchlist(_WANTED_IDS, "EventId", ["EventId"], [{"EventId": i} for i in wanted]))
    for name, schema in TABLES.items():
        if schema.id_column is None:
            continue
        query = f"{name} | where {schema.id_column} in ((_GetWatchlist('{_WANTED_IDS}') | project SearchKey))"
        for row in engine.run(query, catalog=catalog).to_dicts():
            event_id = str(row.get(schema.id_column) or "")
            found.setdefault(event_id, SourceEvent(name, event_id, row))
    return found


def cited_event_ids(findings: Findings) -> list[str]:
    """Every source event id the alerts and suppressed matches cite, without repeats."""
    return list(dict.fromkeys(i for a in [*findings.alerts, *findings.suppressed] for i in a.source_event_ids))


def events_of(event_ids: Iterable[str], events: Mapping[str, SourceEvent]) -> list[SourceEvent]:
    """The known events among some ids, oldest first (ties keep the ids' order)."""
    known = [events[i] for i in dict.fromkeys(event_ids) if i in events]
    return sorted(known, key=lambda e: e.facts.time or datetime.min)


def pretty_json(value: Any) -> str:
    """Indented JSON of query values (datetimes as ISO 8601 UTC, timespans as seconds). Text, not markup."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# --- per-table readers -------------------------------------------------------------------------


def _aws_facts(row: Mapping[str, Any]) -> EventFacts:
    request = _parse(row.get("RequestParameters"))
    response = _parse(row.get("ResponseElements"))
    error = _text(row.get("ErrorCode"))
    message = _text(row.get("ErrorMessage"))
    arn = _text(row.get("UserIdentityArn"))
    name = _text(row.get("UserIdentityUserName")) or arn.rsplit("/", 1)[-1] or _text(row.get("UserIdentityType"))
    request_ids = set(_resource_ids(request))
    return EventFacts(
        time=_time(row.get("TimeGenerated")),
        provider="AWS",
        operation=_text(row.get("EventName")),
        service=_text(row.get("EventSource")),
        actor=arn or _text(row.get("UserIdentityInvokedBy")) or _text(row.get("UserIdentityPrincipalid")),
        actor_name=name,
        account=_text(row.get("RecipientAccountId")) or _text(row.get("UserIdentityAccountId")),
        region=_text(row.get("AWSRegion")),
        ip=_text(row.get("SourceIpAddress")),
        user_agent=_text(row.get("UserAgent")),
        succeeded=not error,
        status=f"{error}: {message}" if error and message else error or "Succeeded",
        resource=_first_aws_resource(request) or _first_aws_resource(response),
        changes=_changes(request),
        created=tuple(i for i in _resource_ids(response) if i not in request_ids),
        request_id=_text(row.get("AwsRequestId")),
    )


def _azure_facts(row: Mapping[str, Any]) -> EventFacts:
    properties = _parse(row.get("Properties_d")) or _parse(row.get("Properties"))
    claims = _parse(row.get("Claims_d")) or _parse(row.get("Claims"))
    body = _parse(properties.get("requestbody")) if isinstance(properties, dict) else {}
    status = _text(row.get("ActivityStatusValue")) or _text(row.get("ActivityStatus"))
    substatus = _text(row.get("ActivitySubstatusValue"))
    failed = status.lower() == "failure"
    app = _text(claims.get("appid")) if isinstance(claims, dict) else ""
    caller = _text(row.get("Caller"))
    return EventFacts(
        time=_time(row.get("TimeGenerated")),
        provider="Azure",
        operation=_text(row.get("OperationNameValue")),
        service=_text(row.get("ResourceProviderValue")),
        actor=caller,
        actor_name=caller.split("@", 1)[0],
        account=_text(row.get("SubscriptionId")),
        region=_text(body.get("location")) if isinstance(body, dict) else "",
        ip=_text(row.get("CallerIpAddress")),
        # Azure Activity records no user agent; the client application id is the nearest thing.
        user_agent=f"client app {app}" if app else "",
        succeeded=not failed,
        status=f"{status} ({substatus})" if substatus and substatus != status else status or "Succeeded",
        resource=_text(row.get("_ResourceId")) or _text(row.get("ResourceId")),
        changes=_changes(body),
        created=(),
        request_id=_text(row.get("CorrelationId")),
    )


def _gcp_facts(row: Mapping[str, Any]) -> EventFacts:
    metadata = _parse(row.get("RequestMetadata"))
    status = _parse(row.get("Status"))
    location = _parse(row.get("ResourceLocation"))
    code = status.get("code") if isinstance(status, dict) else None
    message = _text(status.get("message")) if isinstance(status, dict) else ""
    failed = bool(code) or _text(row.get("Severity")).upper() == "ERROR"
    principal = _text(row.get("PrincipalEmail"))
    locations = location.get("currentLocations") if isinstance(location, dict) else None
    return EventFacts(
        time=_time(row.get("TimeGenerated")),
        provider="GCP",
        operation=_text(row.get("MethodName")),
        service=_text(row.get("ServiceName")),
        actor=principal,
        actor_name=principal.split("@", 1)[0],
        account=_text(row.get("ProjectId")),
        region=_text(locations[0]) if isinstance(locations, list) and locations else "",
        ip=_text(metadata.get("callerIp")) if isinstance(metadata, dict) else "",
        user_agent=_text(metadata.get("callerSuppliedUserAgent")) if isinstance(metadata, dict) else "",
        succeeded=not failed,
        status=(f"error {code}: {message}" if code else message or "Failed") if failed else "Succeeded",
        resource=_text(row.get("GCPResourceName")),
        changes=_changes(_parse(row.get("Request"))),
        created=(),
        request_id="",
    )


def _unknown_facts(event: SourceEvent) -> EventFacts:
    row = event.row
    return EventFacts(_time(row.get("TimeGenerated")), "Unknown", "", "", "", "", "", "", "", "", True, "", "", "",
                      (), "")


_READERS = {"AWSCloudTrail": _aws_facts, "AzureActivity": _azure_facts, "GCPAuditLogs": _gcp_facts}


def _parse(value: Any) -> Any:
    """A JSON column's value: parsed already (dynamic columns) or JSON text (string columns)."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict | list) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _leaves(value: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    """Scalar values of a JSON document with their dotted paths (list items share their list's path)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in _NOISE_KEYS:
                continue
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    elif value not in (None, ""):
        yield path, value


def _changes(request: Any) -> str:
    """The request's notable values as `key=value` pairs: what the call asked to change."""
    pairs = []
    for path, value in _leaves(request):
        key = path.rsplit(".", 1)[-1]
        # Wrapper keys (`CreateReplaceRootVolumeTaskRequest.InstanceId`) add nothing to the leaf name.
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if len(text) > _MAX_VALUE:
            text = text[:_MAX_VALUE - 1] + "…"
        pairs.append(f"{key}={text}")
        if len(pairs) == _MAX_CHANGES:
            break
    return " ".join(pairs)


_ID_PATTERN = re.compile(r"^(?:i|vol|snap|ami|eni|replacevol|eipalloc)-[0-9a-zA-Z]+$")


def _resource_ids(document: Any) -> list[str]:
    return list(dict.fromkeys(str(v) for _, v in _leaves(document) if isinstance(v, str) and _ID_PATTERN.match(v)))


def _first_aws_resource(document: Any) -> str:
    values: dict[str, Any] = {}
    for path, value in _leaves(document):
        values.setdefault(path.rsplit(".", 1)[-1].lower(), value)
    for key in _AWS_RESOURCE_KEYS:
        value = values.get(key.lower())
        if isinstance(value, str) and value:
            return value
    ids = _resource_ids(document)
    return ids[0] if ids else ""
