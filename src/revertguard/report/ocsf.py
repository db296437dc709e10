"""Findings as OCSF Detection Finding events (class 2004), OCSF schema v1.8.0, cloud profile.

One Detection Finding per alert (`activity_id` 1 Create, `type_uid` 200401). Incidents are not
a record of their own: every finding names its incident in `metadata.correlation_uid` and lists
the other findings of that incident in `finding_info.related_events`, so a consumer can group
them without a second class. (OCSF's Incident Finding, class 2005, needs an assignee or
assignee group, which a detection tool does not have.) Suppressed matches (unless left out) are
findings with `status_id` 3 (Suppressed), `is_alert: false` and the reason in `status_detail`.

Each source event behind an alert is one entry of `evidences`: its id (`uid`), the API call
(`api.operation`, `api.service.name`, `api.request.uid`), who made it (`actor.user`), from where
(`src_endpoint.ip`), with which client (`http_request.user_agent`) and what it acted on
(`resources`). Without the events (ids not in the store), an evidence still carries the id, and
the alert's own entities fill `actor` and `src_endpoint`.

The mapping, field by field, is in README.md ("Reports and outputs") and docs/findings-schema.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from revertguard import __version__
from revertguard.detect.findings import SCHEMA_VERSION, Alert, Entity, Findings, Resource
from revertguard.report.attack import ATTACK_VERSION, AttackLabel, attack_labels
from revertguard.report.entities import account_name, addresses
from revertguard.report.events import EventFacts, SourceEvent, events_of, short_name
from revertguard.report.jsonl import write_json_lines

OCSF_VERSION = "1.8.0"
PRODUCT = {"name": "revertguard", "vendor_name": "revertguard", "version": __version__}

CATEGORY_FINDINGS = 2
CLASS_DETECTION_FINDING = 2004
ACTIVITY_CREATE = 1
TYPE_DETECTION_FINDING_CREATE = CLASS_DETECTION_FINDING * 100 + ACTIVITY_CREATE  # 200401
SEVERITY_IDS = {"Informational": 1, "Low": 2, "Medium": 3, "High": 4}
STATUS_NEW, STATUS_SUPPRESSED = 1, 3
ANALYTIC_RULE = 1
# The `Cloud` column revertguard's multi-cloud rules output, as OCSF names the provider.
_PROVIDER_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "GCP"}
# account.type_id: the cloud's account container.
ACCOUNT_TYPES = {"AWS": (10, "AWS Account"), "Azure": (13, "Azure Subscription"), "GCP": (11, "GCP Project")}
# observable.type_id of the values we list as observables.
OBSERVABLE_HOSTNAME, OBSERVABLE_IP, OBSERVABLE_USER_NAME, OBSERVABLE_RESOURCE_UID = 1, 2, 4, 10


def to_ocsf(findings: Findings, events: Mapping[str, SourceEvent] | None = None, *,
            include_suppressed: bool = True) -> list[dict[str, Any]]:
    """Every alert and (unless left out) every suppressed match as an OCSF Detection Finding."""
    events = events or {}
    alerts_by_incident: dict[str, list[Alert]] = {}
    for alert in findings.alerts:
        if alert.incident_id:
            alerts_by_incident.setdefault(alert.incident_id, []).append(alert)
    chosen = list(findings.alerts) + (list(findings.suppressed) if include_suppressed else [])
    return [detection_finding(alert, events, alerts_by_incident.get(alert.incident_id or "", [])) for alert in chosen]


def write_ocsf(findings: Findings, out: TextIO, events: Mapping[str, SourceEvent] | None = None, *,
               include_suppressed: bool = True) -> int:
    """Write the findings as OCSF, one JSON object per line; returns how many."""
    return write_json_lines(to_ocsf(findings, events, include_suppressed=include_suppressed), out)


def detection_finding(alert: Alert, events: Mapping[str, SourceEvent],
                      incident_alerts: Iterable[Alert] = ()) -> dict[str, Any]:
    """One alert as a Detection Finding; `incident_alerts` are the alerts of its incident."""
    known = events_of(alert.source_event_ids, events)
    facts = [e.facts for e in known]
    provider, region, account = _cloud(alert, facts)
    status_id = STATUS_SUPPRESSED if alert.suppressed else STATUS_NEW
    finding: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_FINDINGS,
        "category_name": "Findings",
        "class_uid": CLASS_DETECTION_FINDING,
        "class_name": "Detection Finding",
        "type_uid": TYPE_DETECTION_FINDING_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": SEVERITY_IDS.get(alert.severity, 0),
        "severity": alert.severity,
        "time": _ms(alert.fired_at),
        "status_id": status_id,
        "status": "Suppressed" if alert.suppressed else "New",
        "is_alert": not alert.suppressed,
        "message": alert.title,
        "metadata": _metadata(alert),
        "finding_info": _finding_info(alert, known, incident_alerts),
        "cloud": _drop_empty({"provider": provider, "region": region,
                              "account": _account(provider, account)}),
        "resources": [_resource(r, region) for r in alert.resources],
        "evidences": _evidences(alert, known),
        "observables": _observables(alert, facts),
        "unmapped": {"revertguard": _drop_empty({
            "schema_version": SCHEMA_VERSION,
            "incident_id": alert.incident_id,
            "why": alert.why,
            "custom_details": alert.custom_details,
            "chain": [link.to_dict() for link in alert.chain],
            "source_event_ids": list(alert.source_event_ids),
            "event_ids_inferred": alert.event_ids_inferred or None,
        })},
    }
    if alert.first_event_time:
        finding["start_time"] = _ms(alert.first_event_time)
    if alert.last_event_time:
        finding["end_time"] = _ms(alert.last_event_time)
    if alert.suppression_reason:
        finding["status_detail"] = alert.suppression_reason
    return _drop_empty(finding)


def _metadata(alert: Alert) -> dict[str, Any]:
    return _drop_empty({
        "version": OCSF_VERSION,
        "profiles": ["cloud"],
        "product": dict(PRODUCT),
        "uid": alert.id,
        "correlation_uid": alert.incident_id,
        "log_name": "revertguard findings",
    })


def _finding_info(alert: Alert, known: list[SourceEvent], incident_alerts: Iterable[Alert]) -> dict[str, Any]:
    related = [{"uid": other.id, "type_uid": TYPE_DETECTION_FINDING_CREATE, "type": "Detection Finding: Create",
                "title": other.title, "severity_id": SEVERITY_IDS.get(other.severity, 0)}
               for other in incident_alerts if other.id != alert.id]
    return _drop_empty({
        "uid": alert.id,
        "title": alert.title,
        "desc": alert.description,
        "created_time": _ms(alert.fired_at),
        "first_seen_time": _ms(alert.first_event_time),
        "last_seen_time": _ms(alert.last_event_time),
        "analytic": _drop_empty({"uid": alert.rule_id, "name": alert.rule_name, "type_id": ANALYTIC_RULE,
                                 "type": "Rule", "version": alert.rule_version}),
        "attacks": [_attack(label) for label in attack_labels(alert.tactics, alert.techniques)],
        "types": ["Revert Cloud Instance"] if "T1578.004" in alert.techniques else None,
        "data_sources": list(dict.fromkeys(e.table for e in known)) or None,
        "related_events": related or None,
        "related_events_count": len(related) or None,
    })


def _attack(label: AttackLabel) -> dict[str, Any]:
    attack: dict[str, Any] = {"version": ATTACK_VERSION}
    for key, part in (("tactic", label.tactic), ("technique", label.technique),
                      ("sub_technique", label.sub_technique)):
        if part:
            attack[key] = _drop_empty({"uid": part.uid, "name": part.name, "src_url": part.url})
    return attack


def _evidences(alert: Alert, known: list[SourceEvent]) -> list[dict[str, Any]]:
    found = {e.event_id for e in known}
    evidences = [_event_evidence(e) for e in known]
    missing = [i for i in alert.source_event_ids if i not in found]
    if missing:
        # The events are not at hand: the alert's own entities say who and from where.
        user = _entity_user(alert.entities)
        ip = next(iter(addresses(alert.entities)), None)
        for event_id in missing:
            evidences.append(_drop_empty({
                "uid": event_id,
                "actor": {"user": user} if user else None,
                "src_endpoint": {"ip": ip} if ip else None,
                "data": {"source_event_id": event_id},
            }))
    return evidences


def _event_evidence(event: SourceEvent) -> dict[str, Any]:
    facts = event.facts
    return _drop_empty({
        "uid": event.event_id,
        "name": facts.operation,
        "api": _drop_empty({
            "operation": facts.operation,
            "service": {"name": facts.service} if facts.service else None,
            "request": {"uid": facts.request_id} if facts.request_id else None,
            "response": None if facts.succeeded else {"error": facts.status},
        }),
        "actor": {"user": _drop_empty({
            "uid": facts.actor,
            "name": facts.actor_name,
            "account": _account(facts.provider, facts.account),
        })} if facts.actor or facts.actor_name else None,
        "src_endpoint": {"ip": facts.ip} if facts.ip else None,
        "http_request": {"user_agent": facts.user_agent} if facts.user_agent else None,
        "resources": [_drop_empty({"uid": facts.resource, "region": facts.region})] if facts.resource else None,
        "data": _drop_empty({"table": event.table, "time": _ms(facts.time), "status": facts.status,
                             "changes": facts.changes, "created": list(facts.created)}),
    })


def _observables(alert: Alert, facts: list[EventFacts]) -> list[dict[str, Any]]:
    seen: dict[tuple[int, str], dict[str, Any]] = {}

    def add(type_id: int, type_name: str, name: str, value: Any) -> None:
        if value:
            seen.setdefault((type_id, str(value)), {"type_id": type_id, "type": type_name, "name": name,
                                                    "value": str(value)})

    for fact in facts:
        add(OBSERVABLE_IP, "IP Address", "evidences.src_endpoint.ip", fact.ip)
        add(OBSERVABLE_USER_NAME, "User Name", "evidences.actor.user.name", fact.actor_name)
    for entity in alert.entities:
        if entity.type == "ip":
            add(OBSERVABLE_IP, "IP Address", "evidences.src_endpoint.ip", entity.get("Address"))
        elif entity.type == "account":
            add(OBSERVABLE_USER_NAME, "User Name", "evidences.actor.user.name", account_name(entity))
        elif entity.type == "host":
            add(OBSERVABLE_HOSTNAME, "Hostname", "resources.name", entity.get("HostName"))
    for resource in alert.resources:
        add(OBSERVABLE_RESOURCE_UID, "Resource UID", "resources.uid", resource.id)
    return list(seen.values())


def _resource(resource: Resource, region: str) -> dict[str, Any]:
    return _drop_empty({"uid": resource.id, "type": resource.type, "name": short_name(resource.id),
                        "region": region})


def _cloud(alert: Alert, facts: list[EventFacts]) -> tuple[str, str, str]:
    """Provider, region and account of an alert: from its events, else from its rows' columns."""
    for fact in facts:
        if fact.provider != "Unknown":
            return fact.provider, fact.region, fact.account
    row: dict[str, Any] = {k: v for r in alert.rows for k, v in r.items() if v not in (None, "")}
    named = _PROVIDER_NAMES.get(str(row.get("Cloud", "")).lower())
    if named == "AWS" or "AWSRegion" in row or "RecipientAccountId" in row:
        return "AWS", str(row.get("AWSRegion", "")), str(row.get("RecipientAccountId", ""))
    if named == "Azure" or "SubscriptionId" in row or "_ResourceId" in row:
        return "Azure", "", str(row.get("SubscriptionId", ""))
    if named == "GCP" or "ProjectId" in row:
        return "GCP", "", str(row.get("ProjectId", ""))
    return "Unknown", "", ""


def _account(provider: str, uid: str) -> dict[str, Any] | None:
    if not uid:
        return None
    type_id, type_name = ACCOUNT_TYPES.get(provider, (99, "Other"))
    return {"uid": uid, "type_id": type_id, "type": type_name}


def _entity_user(entities: list[Entity]) -> dict[str, Any] | None:
    for entity in entities:
        if entity.type == "account":
            return _drop_empty({"name": account_name(entity),
                                "account": {"uid": entity.get("CloudAppAccountId")}
                                if entity.get("CloudAppAccountId") else None})
    return None


def _ms(value: datetime | None) -> int | None:
    """OCSF timestamps: milliseconds since the Unix epoch (naive datetimes are UTC)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    """OCSF leaves out attributes without a value rather than writing null or empty ones."""
    return {k: v for k, v in mapping.items() if v not in (None, "", [], {})}
