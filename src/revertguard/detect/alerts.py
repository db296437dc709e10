"""From query rows to alerts, the way Sentinel turns a scheduled rule's results into alerts.

* the trigger (`triggerOperator`/`triggerThreshold`) is checked on the number of rows a run
  returned (suppressed rows are not counted: in Sentinel the query never returns them);
* `eventGroupingSettings`: `AlertPerResult` makes one alert per row, `SingleAlert` one per run;
* `alertDetailsOverride`: the display name and description with `{{Column}}` placeholders
  filled, the severity and tactics from a column when the rule names one;
* `entityMappings` build the entities, `customDetails` the custom details.

revertguard adds what its rules output by convention: the source event ids (`*EventIds`
columns), the revert chain (`RevertChain`: a list of `{from, fromType, to, toType, via}`), the
reasons (`Why`) and the suppression reason (`SuppressionReason`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from revertguard.detect.findings import SEVERITIES, Alert, ChainLink, Entity, Resource, max_severity, stable_id
from revertguard.rules import Rule

SUPPRESSION_COLUMN = "SuppressionReason"
CHAIN_COLUMN = "RevertChain"
WHY_COLUMN = "Why"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# Sentinel entity types as SecurityAlert.Entities names them.
ENTITY_TYPES = {
    "Account": "account", "Host": "host", "IP": "ip", "AzureResource": "azure-resource",
    "CloudApplication": "cloud-application", "File": "file", "FileHash": "filehash", "Process": "process",
    "URL": "url", "DNS": "dns", "Malware": "malware", "RegistryKey": "registry-key",
    "RegistryValue": "registry-value", "SecurityGroup": "security-group", "Mailbox": "mailbox",
    "MailCluster": "mail-cluster", "MailMessage": "mail-message", "SubmissionMail": "submission-mail",
}
# Entity identifiers that name a machine or resource: alerts sharing one belong to one chain.
RESOURCE_IDENTIFIERS = {"host": ("AzureID", "HostName", "FullName"), "azure-resource": ("ResourceId",)}


@dataclass(frozen=True)
class RunContext:
    """Where a batch of rows came from: the query window and when the run fired (None: estimate)."""

    window_start: datetime
    window_end: datetime
    fired_at: datetime | None


def split_suppressed(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows that alert, and rows a watchlist suppressed (their `SuppressionReason` is not empty)."""
    alerting, suppressed = [], []
    for row in rows:
        (suppressed if str(row.get(SUPPRESSION_COLUMN) or "").strip() else alerting).append(row)
    return alerting, suppressed


def build_alerts(rule: Rule, rows: Sequence[dict[str, Any]], event_ids: Sequence[list[str]], inferred: bool,
                 run: RunContext) -> list[Alert]:
    """The alerts one run raises from its (unsuppressed or suppressed) rows, per the rule's grouping."""
    if not rows:
        return []
    if rule.aggregation_kind == "SingleAlert":
        merged = [i for ids in event_ids for i in ids]
        return [_alert(rule, list(rows), list(dict.fromkeys(merged)), inferred, run)]
    return [_alert(rule, [row], ids, inferred, run) for row, ids in zip(rows, event_ids, strict=True)]


def _alert(rule: Rule, rows: list[dict[str, Any]], event_ids: list[str], inferred: bool, run: RunContext) -> Alert:
    first = rows[0]
    override = rule.alert_details_override
    severities = [_severity(rule, row) for row in rows]
    times = [t for row in rows for t in (row.get("StartTime"), row.get("EndTime"), row.get("TimeGenerated"))
             if isinstance(t, datetime)]
    reasons = [str(row.get(SUPPRESSION_COLUMN) or "").strip() for row in rows]
    key = event_ids or [json.dumps(rows, sort_keys=True, default=str)]
    chain = _chain(rows)
    entities = _entities(rule, rows)
    return Alert(
        id=stable_id("alert", rule.id, *sorted(key)),
        rule_id=rule.id,
        rule_name=rule.name,
        rule_version=rule.version,
        severity=max_severity(severities),
        title=_format(override.display_name_format, first) if override and override.display_name_format
        else rule.name,
        description=_format(override.description_format, first) if override and override.description_format
        else rule.description,
        tactics=_tactics(rule, first),
        techniques=list(rule.techniques),
        fired_at=run.fired_at or run.window_end,
        window_start=run.window_start,
        window_end=run.window_end,
        first_event_time=min(times, default=None),
        last_event_time=max(times, default=None),
        entities=entities,
        custom_details=_custom_details(rule, rows),
        source_event_ids=list(event_ids),
        event_ids_inferred=inferred,
        resources=_resources(chain, entities),
        chain=[link for link in chain if link.source.id and link.target.id],
        why="; ".join(dict.fromkeys(str(r[WHY_COLUMN]) for r in rows if r.get(WHY_COLUMN))),
        rows=rows,
        suppression_reason="; ".join(dict.fromkeys(r for r in reasons if r)) or None,
        creates_incident=bool((rule.data.get("incidentConfiguration") or {}).get("createIncident", True)),
    )


def _severity(rule: Rule, row: dict[str, Any]) -> str:
    column = rule.alert_details_override.severity_column if rule.alert_details_override else None
    value = str(row.get(column) or "").strip() if column else ""
    # Sentinel falls back to the rule's severity when the column holds no valid value.
    matches = [s for s in SEVERITIES if s.lower() == value.lower()]
    return matches[0] if matches else rule.severity


def _tactics(rule: Rule, row: dict[str, Any]) -> list[str]:
    column = rule.alert_details_override.tactics_column if rule.alert_details_override else None
    value = row.get(column) if column else None
    if isinstance(value, list) and value:
        return [str(v) for v in value]
    if isinstance(value, str) and value.strip():
        return [t.strip() for t in value.split(",") if t.strip()]
    return list(rule.tactics)


def _format(template: str, row: dict[str, Any]) -> str:
    """A `{{Column}}` template filled with the row's values (as Sentinel does: the value's text)."""
    return _PLACEHOLDER.sub(lambda m: _text(row.get(m.group(1))), template)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    return str(value)


def _entities(rule: Rule, rows: list[dict[str, Any]]) -> list[Entity]:
    found: dict[Entity, None] = {}
    for row in rows:
        for mapping in rule.entity_mappings:
            properties = {f.identifier: row.get(f.column) for f in mapping.fields}
            properties = {k: v for k, v in properties.items() if v not in (None, "", [])}
            if properties:  # Sentinel drops an entity none of whose identifiers has a value
                found.setdefault(Entity.of(ENTITY_TYPES.get(mapping.entity_type, mapping.entity_type.lower()),
                                           properties), None)
    return list(found)


def _custom_details(rule: Rule, rows: list[dict[str, Any]]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for key, column in rule.custom_details.items():
        values = list(dict.fromkeys(_text(row.get(column)) for row in rows if row.get(column) not in (None, "")))
        # Sentinel's ExtendedProperties hold a list of the values per custom detail.
        details[key] = values
    return details


def _chain(rows: list[dict[str, Any]]) -> list[ChainLink]:
    links: dict[ChainLink, None] = {}
    for row in rows:
        value = row.get(CHAIN_COLUMN)
        for item in value if isinstance(value, list) else []:
            if not isinstance(item, dict):
                continue
            source = Resource(str(item.get("fromType") or "resource"), str(item.get("from") or ""))
            target = Resource(str(item.get("toType") or "resource"), str(item.get("to") or ""))
            if source.id or target.id:
                links.setdefault(ChainLink(source, target, str(item.get("via") or "")), None)
    return list(links)


def _resources(chain: list[ChainLink], entities: list[Entity]) -> list[Resource]:
    found: dict[Resource, None] = {}
    for link in chain:
        for resource in (link.source, link.target):
            if resource.id:
                found.setdefault(resource, None)
    if not found:
        # Rules without a chain: the machines and resources their entities name.
        for entity in entities:
            for identifier in RESOURCE_IDENTIFIERS.get(entity.type, ()):
                value = entity.get(identifier)
                if value:
                    found.setdefault(Resource("instance" if entity.type == "host" else "resource", str(value)), None)
                    break
    return list(found)
