"""Rules and watchlists as Microsoft.SecurityInsights resources: REST bodies and ARM templates.

The REST body of a scheduled rule (`{"kind": "Scheduled", "properties": {...}}`) and the ARM
resource share one property mapping from the YAML:

- id -> the resource name (a GUID); name -> displayName; description -> description (the
  repository's `'...'` wrapping removed);
- queryFrequency, queryPeriod -> ISO 8601 durations (`PT1H`, `P1D`);
- triggerOperator gt/lt/eq/ne -> GreaterThan/LessThan/Equal/NotEqual;
- relevantTechniques -> techniques as parent ids (`T1578.004` -> `T1578`): sub-techniques exist
  only in preview API versions;
- severity, query, triggerThreshold, tactics, entityMappings, customDetails,
  alertDetailsOverride, eventGroupingSettings -> the same names;
- suppressionEnabled/suppressionDuration -> the same, default false/PT5H (the API requires both);
- incidentConfiguration -> as given, else `default_incident_configuration`;
- version -> not sent: the API rejects `templateVersion` without a gallery
  `alertRuleTemplateName`; it becomes the template's contentVersion instead;
- requiredDataConnectors, status, tags, metadata, kind -> dropped (`kind` is the resource's).

ARM evaluates any string that starts with `[` and ends with `]` as an expression, so such values
(a query, a description, a watchlist value) are escaped with a doubled `[[`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from revertguard.rules.model import Rule
from revertguard.rules.timespans import iso_duration, parse_timespan
from revertguard.rules.watchlist import WatchlistDefinition

API_VERSION = "2025-09-01"
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
WORKSPACE_SCOPE = "[concat('Microsoft.OperationalInsights/workspaces/', parameters('workspace'))]"
WATCHLIST_PROVIDER = "revertguard"
DEFAULT_SUPPRESSION = timedelta(hours=5)
_OPERATORS = {"gt": "GreaterThan", "lt": "LessThan", "eq": "Equal", "ne": "NotEqual"}
# Entities that tie alerts of one attack together: who did it and what it was done to. IP and
# the rest vary within one intrusion, so they do not split incidents.
_GROUPING_ENTITIES = ("Account", "Host", "AzureResource", "CloudApplication")
# Watchlist item ids must be stable across exports and deploys: a UUID5 of alias and row content.
_ITEM_NAMESPACE = uuid.UUID("3b0f8d1e-7a52-5c44-9a6e-2f1c0b8e4d71")


def rule_properties(rule: Rule) -> dict[str, Any]:
    """The `properties` of a scheduled alert rule for API version `API_VERSION`."""
    data = rule.data
    properties: dict[str, Any] = {
        "displayName": rule.name,
        "description": rule.description,
        "severity": rule.severity,
        "enabled": True,
        "query": rule.query,
        "queryFrequency": iso_duration(rule.query_frequency),
        "queryPeriod": iso_duration(rule.query_period),
        "triggerOperator": _OPERATORS[rule.trigger_operator],
        "triggerThreshold": rule.trigger_threshold,
        "suppressionEnabled": bool(data.get("suppressionEnabled", False)),
        "suppressionDuration": iso_duration(parse_timespan(data["suppressionDuration"])
                                            if "suppressionDuration" in data else DEFAULT_SUPPRESSION),
        "tactics": list(rule.tactics),
        "techniques": sorted({t.split(".")[0] for t in rule.techniques}),
        "incidentConfiguration": _incident_configuration(rule),
        "eventGroupingSettings": {"aggregationKind": rule.aggregation_kind},
    }
    if data.get("alertDetailsOverride"):
        properties["alertDetailsOverride"] = {k: v for k, v in data["alertDetailsOverride"].items() if v is not None}
    if rule.custom_details:
        properties["customDetails"] = dict(rule.custom_details)
    if rule.entity_mappings:
        properties["entityMappings"] = [
            {"entityType": m.entity_type,
             "fieldMappings": [{"identifier": f.identifier, "columnName": f.column} for f in m.fields]}
            for m in rule.entity_mappings]
    return properties


def rule_body(rule: Rule) -> dict[str, Any]:
    """The REST request body that creates or updates the rule."""
    return {"kind": "Scheduled", "properties": rule_properties(rule)}


def default_incident_configuration(rule: Rule) -> dict[str, Any]:
    """Create incidents, grouping a rule's alerts that share who and what within the query period.

    Grouping is on the mapped Account/Host/AzureResource/CloudApplication entities (one identity
    reverting one machine is one incident), looking back over the query period (5 minutes to
    7 days). A rule that maps none of them groups alerts whose entities all match.
    """
    grouping_entities = [t for t in _GROUPING_ENTITIES if any(m.entity_type == t for m in rule.entity_mappings)]
    lookback = min(max(rule.query_period, timedelta(minutes=5)), timedelta(days=7))
    grouping: dict[str, Any] = {
        "enabled": True,
        "reopenClosedIncident": False,
        "lookbackDuration": iso_duration(lookback),
        "matchingMethod": "Selected" if grouping_entities else "AllEntities",
        "groupByEntities": grouping_entities,
        "groupByAlertDetails": [],
        "groupByCustomDetails": [],
    }
    return {"createIncident": True, "groupingConfiguration": grouping}


def _incident_configuration(rule: Rule) -> dict[str, Any]:
    given = rule.data.get("incidentConfiguration")
    if not given:
        return default_incident_configuration(rule)
    config = {"createIncident": given.get("createIncident", True)}
    grouping = given.get("groupingConfiguration")
    if grouping:
        config["groupingConfiguration"] = {
            "enabled": grouping.get("enabled", True),
            "reopenClosedIncident": grouping.get("reopenClosedIncident", False),
            "lookbackDuration": iso_duration(parse_timespan(grouping.get("lookbackDuration", "5h"))),
            "matchingMethod": grouping.get("matchingMethod", "AllEntities"),
            "groupByEntities": list(grouping.get("groupByEntities") or []),
            "groupByAlertDetails": list(grouping.get("groupByAlertDetails") or []),
            "groupByCustomDetails": list(grouping.get("groupByCustomDetails") or []),
        }
    return config


# -- watchlists ------------------------------------------------------------------------------
def watchlist_body(watchlist: WatchlistDefinition) -> dict[str, Any]:
    """The REST body that creates or updates a watchlist (its items are separate resources)."""
    return {"properties": {
        "displayName": watchlist.display_name,
        "description": watchlist.description,
        "provider": WATCHLIST_PROVIDER,
        "source": f"{watchlist.alias}.csv",
        "sourceType": "Local",
        "itemsSearchKey": watchlist.search_key,
        "labels": ["revertguard"],
    }}


def watchlist_items(watchlist: WatchlistDefinition) -> list[tuple[str, dict[str, Any]]]:
    """(item id, REST body) for every row; ids are stable for the same alias and row content."""
    items = []
    seen: set[str] = set()
    for row in watchlist.rows:
        values = {c: row.get(c, "") for c in watchlist.column_names}
        key = "\x1f".join([watchlist.alias, *(f"{c}\x1e{v}" for c, v in values.items())])
        item_id = str(uuid.uuid5(_ITEM_NAMESPACE, key))
        if item_id in seen:  # the same row twice is one item
            continue
        seen.add(item_id)
        items.append((item_id, {"properties": {"itemsKeyValue": values}}))
    return items


# -- ARM templates ---------------------------------------------------------------------------
def arm_escape(value: Any) -> Any:
    """Escape strings ARM would evaluate as expressions (`[...]` becomes `[[...]`), recursively."""
    if isinstance(value, str):
        return "[" + value if value.startswith("[") and value.endswith("]") else value
    if isinstance(value, list):
        return [arm_escape(v) for v in value]
    if isinstance(value, dict):
        return {k: arm_escape(v) for k, v in value.items()}
    return value


def rule_resource(rule: Rule, depends_on: Iterable[str] = ()) -> dict[str, Any]:
    """The ARM resource of a rule: an extension resource scoped to the workspace parameter."""
    resource: dict[str, Any] = {
        "type": "Microsoft.SecurityInsights/alertRules",
        "apiVersion": API_VERSION,
        "scope": WORKSPACE_SCOPE,
        "name": rule.id,
        "kind": "Scheduled",
        "properties": arm_escape(rule_properties(rule)),
    }
    depends = list(depends_on)
    if depends:
        resource["dependsOn"] = depends
    return resource


def watchlist_resource_id(alias: str) -> str:
    """The ARM expression for a watchlist's resource id, for `dependsOn`."""
    return ("[extensionResourceId(resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace')), "
            f"'Microsoft.SecurityInsights/watchlists', '{_arm_quote(alias)}')]")


def watchlist_resources(watchlist: WatchlistDefinition) -> list[dict[str, Any]]:
    """The ARM resources of a watchlist: the watchlist, then one resource per item."""
    resources: list[dict[str, Any]] = [{
        "type": "Microsoft.SecurityInsights/watchlists",
        "apiVersion": API_VERSION,
        "scope": WORKSPACE_SCOPE,
        "name": watchlist.alias,
        **arm_escape(watchlist_body(watchlist)),
    }]
    for item_id, body in watchlist_items(watchlist):
        resources.append({
            "type": "Microsoft.SecurityInsights/watchlists/watchlistItems",
            "apiVersion": API_VERSION,
            "scope": WORKSPACE_SCOPE,
            "name": f"{watchlist.alias}/{item_id}",
            "dependsOn": [watchlist_resource_id(watchlist.alias)],
            **arm_escape(body),
        })
    return resources


def template(resources: list[dict[str, Any]], content_version: str = "1.0.0.0",
             description: str | None = None) -> dict[str, Any]:
    """A deployment template taking the workspace name as its one parameter."""
    out: dict[str, Any] = {"$schema": TEMPLATE_SCHEMA, "contentVersion": content_version}
    if description:
        out["metadata"] = {"description": arm_escape(description)}
    out["parameters"] = {"workspace": {
        "type": "string",
        "metadata": {"description": "Name of the Log Analytics workspace where Microsoft Sentinel is enabled"},
    }}
    out["resources"] = resources
    return out


def rule_template(rule: Rule) -> dict[str, Any]:
    """A template deploying one rule (its watchlists are in the combined template)."""
    version = f"{rule.version}.0" if rule.version and rule.version.count(".") == 2 else "1.0.0.0"
    return template([rule_resource(rule)], version, rule.name)


def watchlist_template(watchlist: WatchlistDefinition) -> dict[str, Any]:
    """A template deploying one watchlist and its items."""
    return template(watchlist_resources(watchlist), description=watchlist.display_name)


def combined_template(rules: Iterable[Rule], watchlists: Mapping[str, WatchlistDefinition]) -> dict[str, Any]:
    """One template with every watchlist the rules read, then every rule (after its watchlists)."""
    rules = list(rules)
    resources: list[dict[str, Any]] = []
    for alias in sorted({a for r in rules for a in r.watchlists}):
        resources.extend(watchlist_resources(watchlists[alias]))
    for rule in rules:
        resources.append(rule_resource(rule, [watchlist_resource_id(a) for a in rule.watchlists]))
    return template(resources, description="revertguard T1578.004 detections for Microsoft Sentinel")


def _arm_quote(text: str) -> str:
    # Inside an ARM expression a string literal is single-quoted; a quote is doubled.
    return text.replace("'", "''")
