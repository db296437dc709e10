"""Alerts -> incidents: one incident per attack chain.

Alerts belong to one incident when they share a resource (an instance, VM, disk, volume,
snapshot, image, ... from their revert chain or their Host/AzureResource entities) and are no
further apart in time than the grouping window. Identities and IP addresses do not group: one
intruder reverting two machines makes two chains, and many people share an address. An alert
without any resource (the seed rule's) groups on its Account entities instead.

An incident opens only if one of its alerts comes from a rule that creates incidents
(`incidentConfiguration.createIncident`, true unless a rule says otherwise); alerts of other
rules (failed attempts) join the incident of their chain, or stay alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from revertguard.detect.findings import Alert, Incident, Resource, max_severity, severity_rank, stable_id

DEFAULT_GROUPING_WINDOW = timedelta(hours=24)


def grouping_keys(alert: Alert) -> set[str]:
    """What an alert can share with another: its resources' ids, else its accounts."""
    keys = {r.id.lower() for r in alert.resources if r.id}
    if not keys:
        keys = {"account:" + e.label.lower() for e in alert.entities if e.type == "account"}
    return keys


def group_incidents(alerts: Sequence[Alert], window: timedelta = DEFAULT_GROUPING_WINDOW) -> list[Incident]:
    """Group alerts into incidents; sets `incident_id` on every alert that joins one."""
    parent = list(range(len(alerts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[str, list[int]] = {}
    for i, alert in enumerate(alerts):
        for key in grouping_keys(alert):
            by_key.setdefault(key, []).append(i)
    for members in by_key.values():
        members.sort(key=lambda i: _start(alerts[i]))
        reach = _end(alerts[members[0]])
        for previous, current in pairwise(members):
            if _start(alerts[current]) - reach <= window:
                parent[find(current)] = find(previous)
            reach = max(reach, _end(alerts[current]))
    groups: dict[int, list[Alert]] = {}
    for i, alert in enumerate(alerts):
        groups.setdefault(find(i), []).append(alert)
    incidents = [_incident(group) for group in groups.values() if any(a.creates_incident for a in group)]
    incidents.sort(key=lambda inc: (-severity_rank(inc.severity), inc.first_event_time or inc.created_at, inc.id))
    return incidents


def _start(alert: Alert) -> datetime:
    return alert.first_event_time or alert.fired_at


def _end(alert: Alert) -> datetime:
    return alert.last_event_time or alert.fired_at


def _incident(alerts: list[Alert]) -> Incident:
    alerts = sorted(alerts, key=lambda a: (-severity_rank(a.severity), _start(a), a.id))
    incident_id = stable_id("incident", *sorted(a.id for a in alerts))
    for alert in alerts:
        alert.incident_id = incident_id
    lead = alerts[0]
    more = len(alerts) - 1
    title = lead.title + (f" (and {more} related alert{'s' if more > 1 else ''})" if more else "")
    opening = [a for a in alerts if a.creates_incident]
    return Incident(
        id=incident_id,
        title=title,
        severity=max_severity(a.severity for a in alerts),
        created_at=min(a.fired_at for a in opening),
        updated_at=max(a.fired_at for a in alerts),
        first_event_time=min((t for a in alerts if (t := a.first_event_time)), default=None),
        last_event_time=max((t for a in alerts if (t := a.last_event_time)), default=None),
        alert_ids=[a.id for a in alerts],
        rule_ids=list(dict.fromkeys(a.rule_id for a in alerts)),
        tactics=list(dict.fromkeys(t for a in alerts for t in a.tactics)),
        techniques=list(dict.fromkeys(t for a in alerts for t in a.techniques)),
        entities=list(dict.fromkeys(e for a in alerts for e in a.entities)),
        source_event_ids=list(dict.fromkeys(i for a in alerts for i in a.source_event_ids)),
        resources=_unique_resources(alerts),
        chain=list(dict.fromkeys(link for a in alerts for link in a.chain)),
    )


def _unique_resources(alerts: list[Alert]) -> list[Resource]:
    seen: dict[str, Resource] = {}
    for alert in alerts:
        for resource in alert.resources:
            seen.setdefault(resource.id.lower(), resource)
    return list(seen.values())
