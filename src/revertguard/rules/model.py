"""The typed form of a Sentinel scheduled analytics rule, as revertguard uses it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from revertguard.rules.schema import TRIGGER_OPERATORS
from revertguard.rules.timespans import parse_timespan

# `_GetWatchlist('alias')` / `_GetWatchlist("alias")`, as Sentinel queries call watchlists.
_WATCHLIST_CALL = re.compile(r"""_GetWatchlist\s*\(\s*(?:'([^'\n]*)'|"([^"\n]*)")\s*\)""")
# The tables revertguard mirrors; a rule reads one when the name appears as a whole word.
_TABLES = ("AWSCloudTrail", "AzureActivity", "GCPAuditLogs")


@dataclass(frozen=True)
class DataConnector:
    """A `requiredDataConnectors` entry: the connector and the tables (data types) it brings."""

    connector_id: str
    data_types: tuple[str, ...]


@dataclass(frozen=True)
class FieldMapping:
    """One identifier of an entity, taken from one column of the query's output."""

    identifier: str
    column: str


@dataclass(frozen=True)
class EntityMapping:
    """An entity (Account, Host, IP, AzureResource, ...) built from the query's columns."""

    entity_type: str
    fields: tuple[FieldMapping, ...]


@dataclass(frozen=True)
class AlertPropertyMapping:
    """An `alertDynamicProperties` entry: an alert property taken from a column."""

    alert_property: str
    column: str


@dataclass(frozen=True)
class AlertDetailsOverride:
    """Alert name/description templates (`{{Column}}` placeholders) and columns for tactics/severity."""

    display_name_format: str | None = None
    description_format: str | None = None
    tactics_column: str | None = None
    severity_column: str | None = None
    dynamic_properties: tuple[AlertPropertyMapping, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A Sentinel scheduled analytics rule loaded from its YAML file.

    Field names are the YAML's, in snake case; timespans are `timedelta`; `trigger_operator` is
    normalised to `gt`/`lt`/`eq`/`ne`. `data` keeps the parsed mapping whole (every key, in file
    order) and `text` the file's exact text. `baseline` is true for the shipped seed rule, the
    reference every improved rule is measured against. `tests_path` is the `<stem>.tests.yaml`
    file beside the rule, when there is one.
    """

    id: str
    name: str
    description: str
    severity: str
    query: str
    query_frequency: timedelta
    query_period: timedelta
    trigger_operator: str
    trigger_threshold: int
    kind: str
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    required_data_connectors: tuple[DataConnector, ...] = ()
    entity_mappings: tuple[EntityMapping, ...] = ()
    custom_details: dict[str, str] = field(default_factory=dict)
    alert_details_override: AlertDetailsOverride | None = None
    aggregation_kind: str = "SingleAlert"
    version: str | None = None
    status: str | None = None
    tags: tuple[Any, ...] = ()
    path: Path = Path()
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    baseline: bool = False
    tests_path: Path | None = None

    @property
    def stem(self) -> str:
        """The file name without `.yaml`: how exports name their files."""
        return self.path.name.rsplit(".", 1)[0]

    @property
    def watchlists(self) -> tuple[str, ...]:
        """Aliases of the watchlists the query reads with `_GetWatchlist(...)`, in order of first use."""
        return watchlist_aliases(self.query)

    @property
    def tables(self) -> tuple[str, ...]:
        """Which of `AWSCloudTrail`, `AzureActivity`, `GCPAuditLogs` the query reads."""
        return tuple(t for t in _TABLES if re.search(rf"\b{t}\b", self.query))

    def triggers(self, result_count: int) -> bool:
        """Whether a run returning `result_count` rows raises alerts (triggerOperator/threshold)."""
        threshold = self.trigger_threshold
        return {"gt": result_count > threshold, "lt": result_count < threshold,
                "eq": result_count == threshold, "ne": result_count != threshold}[self.trigger_operator]


def watchlist_aliases(query: str) -> tuple[str, ...]:
    """The aliases passed to `_GetWatchlist()` in a query, without repeats."""
    seen: dict[str, None] = {}
    for match in _WATCHLIST_CALL.finditer(query):
        seen.setdefault(match.group(1) if match.group(1) is not None else match.group(2), None)
    return tuple(seen)


def clean_description(value: str) -> str:
    """Strip the `'...'` wrapping Azure-Sentinel files put around descriptions, and outer space."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].strip()
    return text


def rule_from_data(data: dict[str, Any], *, path: Path, text: str, baseline: bool,
                   tests_path: Path | None) -> Rule:
    """Build a `Rule` from a mapping that passed `check_shape` (no shape errors)."""
    override = data.get("alertDetailsOverride")
    return Rule(
        id=data["id"],
        name=data["name"],
        description=clean_description(data["description"]),
        severity=data["severity"],
        query=data["query"],
        query_frequency=parse_timespan(data["queryFrequency"]),
        query_period=parse_timespan(data["queryPeriod"]),
        trigger_operator=TRIGGER_OPERATORS[data["triggerOperator"].lower()],
        trigger_threshold=data["triggerThreshold"],
        kind=data["kind"],
        tactics=tuple(data.get("tactics") or ()),
        techniques=tuple(data.get("relevantTechniques") or ()),
        required_data_connectors=tuple(
            DataConnector(c["connectorId"], tuple(c["dataTypes"])) for c in data["requiredDataConnectors"]),
        entity_mappings=tuple(
            EntityMapping(m["entityType"], tuple(FieldMapping(f["identifier"], f["columnName"])
                                                 for f in m["fieldMappings"]))
            for m in data.get("entityMappings") or ()),
        custom_details=dict(data.get("customDetails") or {}),
        alert_details_override=AlertDetailsOverride(
            display_name_format=override.get("alertDisplayNameFormat"),
            description_format=override.get("alertDescriptionFormat"),
            tactics_column=override.get("alertTacticsColumnName"),
            severity_column=override.get("alertSeverityColumnName"),
            dynamic_properties=tuple(AlertPropertyMapping(p["alertProperty"], p["value"])
                                     for p in override.get("alertDynamicProperties") or ()),
        ) if override else None,
        aggregation_kind=(data.get("eventGroupingSettings") or {}).get("aggregationKind", "SingleAlert"),
        version=data.get("version"),
        status=data.get("status"),
        tags=tuple(data.get("tags") or ()),
        path=path,
        text=text,
        data=data,
        baseline=baseline,
        tests_path=tests_path,
    )
