"""The findings model: alerts, incidents and the revert chain, as plain serialisable data.

An `Alert` is what one analytics rule raised (or would have raised, for a suppressed match);
an `Incident` groups the alerts of one attack chain. Both carry the source event ids
(`AwsEventId`, `EventDataId`, `InsertId`) of every event behind them, their entities in
Sentinel's entity shape, and the resources of the chain (snapshot -> volume/disk/image ->
instance/VM) with how they connect, so reports can draw it.

`to_dict()` gives the stable JSON form: field names never change meaning; new fields may be
added. Datetimes are ISO 8601 UTC with a `Z`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1
SEVERITIES = ("Informational", "Low", "Medium", "High")
# Namespace of the deterministic ids: the same findings always get the same ids.
_ID_NAMESPACE = uuid.UUID("6f1c2a3e-58b4-4d0e-9f57-1578004a1e57")


def severity_rank(severity: str) -> int:
    """Informational 0 < Low 1 < Medium 2 < High 3 (unknown values rank lowest)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def max_severity(severities: Iterable[str]) -> str:
    """The highest of some severities (Informational when there are none)."""
    return max(severities, key=severity_rank, default="Informational")


def stable_id(*parts: str) -> str:
    """A GUID derived from the parts, as Sentinel's ids are GUIDs."""
    return str(uuid.uuid5(_ID_NAMESPACE, "\x1f".join(parts)))


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with `Z` (naive datetimes are UTC); microseconds only when present."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None) - value.utcoffset()
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"


@dataclass(frozen=True)
class Entity:
    """An alert entity in Sentinel's shape: a type (`account`, `ip`, `host`, `azure-resource`,
    `cloud-application`, ...) and its identifiers (`Name`, `UPNSuffix`, `Address`, `HostName`, ...)."""

    type: str
    properties: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, entity_type: str, properties: dict[str, Any]) -> Entity:
        return cls(entity_type, tuple(properties.items()))

    def get(self, identifier: str, default: Any = None) -> Any:
        return dict(self.properties).get(identifier, default)

    @property
    def label(self) -> str:
        """A short readable form: the identifiers' values joined."""
        return " ".join(str(v) for _, v in self.properties)

    def to_dict(self) -> dict[str, Any]:
        return {"Type": self.type, **dict(self.properties)}


@dataclass(frozen=True, order=True)
class Resource:
    """A cloud resource of a revert chain: `type` (instance, volume, snapshot, image, vm, disk,
    restore-point, recovery-point, ...) and its id as the logs name it."""

    type: str
    id: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id}


@dataclass(frozen=True)
class ChainLink:
    """How one resource led to another: `source` -> `target` by `relation` (the API call, e.g.
    `CreateVolume`, `AttachVolume /dev/xvda`)."""

    source: Resource
    target: Resource
    relation: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.to_dict(), "target": self.target.to_dict(), "relation": self.relation}


@dataclass
class Alert:
    """One alert of one rule, as Sentinel would raise it (or a suppressed match, kept with its reason).

    `fired_at` is when Sentinel's schedule raises it (in a single pass over the data, the first
    scheduled run after its last event); `window_start`/`window_end` is the query window that
    found it. `source_event_ids` come from the rule's `*EventIds` columns; when a rule outputs
    none (the seed), they are matched back from the tables and `event_ids_inferred` is true.
    `rows` are the query rows behind the alert (one, or all of a run for `SingleAlert` rules).
    """

    id: str
    rule_id: str
    rule_name: str
    rule_version: str | None
    severity: str
    title: str
    description: str
    tactics: list[str]
    techniques: list[str]
    fired_at: datetime
    window_start: datetime
    window_end: datetime
    first_event_time: datetime | None
    last_event_time: datetime | None
    entities: list[Entity] = field(default_factory=list)
    custom_details: dict[str, Any] = field(default_factory=dict)
    source_event_ids: list[str] = field(default_factory=list)
    event_ids_inferred: bool = False
    resources: list[Resource] = field(default_factory=list)
    chain: list[ChainLink] = field(default_factory=list)
    why: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    suppression_reason: str | None = None
    creates_incident: bool = True
    incident_id: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression_reason is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": {"id": self.rule_id, "name": self.rule_name, "version": self.rule_version},
            "severity": self.severity,
            "title": self.title,
            "description": self.description,
            "tactics": list(self.tactics),
            "techniques": list(self.techniques),
            "fired_at": iso(self.fired_at),
            "window": {"start": iso(self.window_start), "end": iso(self.window_end)},
            "first_event_time": iso(self.first_event_time),
            "last_event_time": iso(self.last_event_time),
            "entities": [e.to_dict() for e in self.entities],
            "custom_details": _jsonable(self.custom_details),
            "source_event_ids": list(self.source_event_ids),
            "event_ids_inferred": self.event_ids_inferred,
            "resources": [r.to_dict() for r in self.resources],
            "chain": [link.to_dict() for link in self.chain],
            "why": self.why,
            "suppressed": self.suppressed,
            "suppression_reason": self.suppression_reason,
            "creates_incident": self.creates_incident,
            "incident_id": self.incident_id,
            "rows": [_jsonable(row) for row in self.rows],
        }


@dataclass
class Incident:
    """The alerts of one attack chain: alerts that share a resource (instance, VM, disk, volume,
    snapshot, image, ...) within the grouping window.

    `severity` is the highest of its alerts'; `chain` holds the resources and the links between
    them (snapshot -> volume/disk/image -> instance/VM), merged from every alert.
    """

    id: str
    title: str
    severity: str
    created_at: datetime
    updated_at: datetime
    first_event_time: datetime | None
    last_event_time: datetime | None
    alert_ids: list[str]
    rule_ids: list[str]
    tactics: list[str]
    techniques: list[str]
    entities: list[Entity]
    source_event_ids: list[str]
    resources: list[Resource]
    chain: list[ChainLink]
    status: str = "New"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "first_event_time": iso(self.first_event_time),
            "last_event_time": iso(self.last_event_time),
            "alert_ids": list(self.alert_ids),
            "rule_ids": list(self.rule_ids),
            "tactics": list(self.tactics),
            "techniques": list(self.techniques),
            "entities": [e.to_dict() for e in self.entities],
            "source_event_ids": list(self.source_event_ids),
            "resources": [r.to_dict() for r in self.resources],
            "chain": {"nodes": [r.to_dict() for r in self.resources],
                      "edges": [link.to_dict() for link in self.chain]},
        }


@dataclass
class RuleRun:
    """What one rule did in a scan: scheduled runs (`skipped`: runs whose window held no event of
    the rule's tables, not executed), rows returned, alerts raised and suppressed."""

    rule_id: str
    rule_name: str
    runs: int = 0
    skipped: int = 0
    rows: int = 0
    alerts: int = 0
    suppressed: int = 0
    duplicates: int = 0  # alerts found again by an overlapping window (replay), merged into the first

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "rule_name": self.rule_name, "runs": self.runs, "skipped": self.skipped,
                "rows": self.rows,
                "alerts": self.alerts, "suppressed": self.suppressed, "duplicates": self.duplicates}


@dataclass
class Findings:
    """Everything one detection pass found: alerts, suppressed matches and incidents, plus how it ran."""

    mode: str  # "single-pass" or "replay"
    data_start: datetime | None
    data_end: datetime | None
    alerts: list[Alert] = field(default_factory=list)
    suppressed: list[Alert] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    rule_runs: list[RuleRun] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "mode": self.mode,
            "data_start": iso(self.data_start),
            "data_end": iso(self.data_end),
            "rules": [r.to_dict() for r in self.rule_runs],
            "incidents": [i.to_dict() for i in self.incidents],
            "alerts": [a.to_dict() for a in self.alerts],
            "suppressed": [a.to_dict() for a in self.suppressed],
        }


def _jsonable(value: Any) -> Any:
    """Query values as JSON values: datetimes as ISO text, timespans as seconds, the rest as is."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    return value
