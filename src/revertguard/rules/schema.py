"""The shape of a rule file: which keys it has and what type each value is.

These are the checks without which a file cannot become a `Rule` (a missing query, a list where a
mapping belongs, a timespan that does not parse). Sentinel's own limits (lengths, enums, ranges,
entity identifiers) are checked by `revertguard.sentinel.validate`, on top of these.
"""

from __future__ import annotations

from typing import Any

from revertguard.rules.problems import Problem
from revertguard.rules.timespans import TimespanError, parse_timespan
from revertguard.rules.yamldoc import Key, YamlDocument

# Keys Sentinel's validator requires (`Required.Always`) for a Scheduled template.
REQUIRED_KEYS = (
    "id", "name", "description", "severity", "requiredDataConnectors", "queryFrequency", "queryPeriod",
    "triggerOperator", "triggerThreshold", "query", "kind",
)

# Every key a rule file may carry, in the order exports write them. The last four are properties of
# a deployed rule (ARM/REST) that revertguard reads from the YAML when present, rather than
# Azure-Sentinel template keys; the repository's validator ignores unknown keys.
KNOWN_KEYS = (
    "id", "name", "description", "severity", "status", "requiredDataConnectors", "queryFrequency", "queryPeriod",
    "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques", "tags", "query", "entityMappings",
    "customDetails", "alertDetailsOverride", "eventGroupingSettings", "suppressionEnabled", "suppressionDuration",
    "incidentConfiguration", "metadata", "version", "kind",
)

TRIGGER_OPERATORS = {
    "gt": "gt", "lt": "lt", "eq": "eq", "ne": "ne",
    "greaterthan": "gt", "lessthan": "lt", "equal": "eq", "notequal": "ne",
}

ALERT_DETAILS_KEYS = (
    "alertDisplayNameFormat", "alertDescriptionFormat", "alertTacticsColumnName", "alertSeverityColumnName",
    "alertDynamicProperties",
)

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}


def check_shape(doc: YamlDocument) -> list[Problem]:
    """Every shape problem in a parsed rule file (errors, plus warnings for unknown keys)."""
    problems = [doc.problem(key, "defined more than once (Sentinel rejects duplicate keys)")
                for key, _ in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), "a rule file must be a YAML mapping of fields (id, name, query, ...)"))
        return problems
    for key in REQUIRED_KEYS:
        if key not in data or data[key] is None:
            problems.append(doc.problem((), f"required field '{key}' is missing"))
    for key in data:
        if key not in KNOWN_KEYS:
            problems.append(doc.problem((str(key),), "not a Sentinel analytics rule field (a typo?)", "warning"))

    def expect(keys: Key, value: Any, kind: type) -> bool:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            hint = " (quote it)" if kind is str and isinstance(value, int | float) else ""
            problems.append(doc.problem(keys, f"must be {_TYPE_NAMES[kind]}, not {_describe(value)}{hint}"))
        return ok

    for key in ("id", "name", "description", "severity", "query", "kind", "status", "version"):
        if data.get(key) is not None:
            expect((key,), data[key], str)
    for key in ("queryFrequency", "queryPeriod", "suppressionDuration"):
        if data.get(key) is not None:
            try:
                parse_timespan(data[key])
            except TimespanError as exc:
                problems.append(doc.problem((key,), str(exc)))
    operator = data.get("triggerOperator")
    if operator is not None and expect(("triggerOperator",), operator, str) and (
            operator.lower() not in TRIGGER_OPERATORS):
        problems.append(doc.problem(("triggerOperator",), f"{operator!r} is not one of gt, lt, eq, ne (or "
                                    "GreaterThan, LessThan, Equal, NotEqual)"))
    if data.get("triggerThreshold") is not None:
        expect(("triggerThreshold",), data["triggerThreshold"], int)
    if data.get("suppressionEnabled") is not None:
        expect(("suppressionEnabled",), data["suppressionEnabled"], bool)
    for key in ("tactics", "relevantTechniques"):
        if data.get(key) is not None and expect((key,), data[key], list):
            for i, item in enumerate(data[key]):
                expect((key, i), item, str)
    if data.get("tags") is not None:
        expect(("tags",), data["tags"], list)
    if data.get("requiredDataConnectors") is not None and expect(
            ("requiredDataConnectors",), data["requiredDataConnectors"], list):
        for i, connector in enumerate(data["requiredDataConnectors"]):
            where = ("requiredDataConnectors", i)
            if expect(where, connector, dict):
                _expect_keys(doc, where, connector, {"connectorId": str, "dataTypes": list}, problems)
                for j, item in enumerate(connector.get("dataTypes") or []):
                    expect((*where, "dataTypes", j), item, str)
    if data.get("entityMappings") is not None and expect(("entityMappings",), data["entityMappings"], list):
        for i, mapping in enumerate(data["entityMappings"]):
            where = ("entityMappings", i)
            if expect(where, mapping, dict):
                _expect_keys(doc, where, mapping, {"entityType": str, "fieldMappings": list}, problems)
                for j, fm in enumerate(mapping.get("fieldMappings") or []):
                    if expect((*where, "fieldMappings", j), fm, dict):
                        _expect_keys(doc, (*where, "fieldMappings", j), fm, {"identifier": str, "columnName": str},
                                     problems)
    if data.get("customDetails") is not None and expect(("customDetails",), data["customDetails"], dict):
        for key, value in data["customDetails"].items():
            expect(("customDetails", str(key)), value, str)
    if data.get("alertDetailsOverride") is not None and expect(
            ("alertDetailsOverride",), data["alertDetailsOverride"], dict):
        _check_alert_details(doc, data["alertDetailsOverride"], problems, expect)
    if data.get("eventGroupingSettings") is not None and expect(
            ("eventGroupingSettings",), data["eventGroupingSettings"], dict):
        _expect_keys(doc, ("eventGroupingSettings",), data["eventGroupingSettings"], {"aggregationKind": str},
                     problems)
    if data.get("incidentConfiguration") is not None:
        expect(("incidentConfiguration",), data["incidentConfiguration"], dict)
    return problems


def _check_alert_details(doc: YamlDocument, override: dict, problems: list[Problem], expect: Any) -> None:
    base = ("alertDetailsOverride",)
    for key, value in override.items():
        if key not in ALERT_DETAILS_KEYS:
            problems.append(doc.problem((*base, str(key)), "not an alertDetailsOverride field; use one of "
                                        + ", ".join(ALERT_DETAILS_KEYS)))
        elif key == "alertDynamicProperties":
            if expect((*base, key), value, list):
                for i, item in enumerate(value):
                    if expect((*base, key, i), item, dict):
                        _expect_keys(doc, (*base, key, i), item, {"alertProperty": str, "value": str}, problems)
        elif value is not None:
            expect((*base, key), value, str)


def _expect_keys(doc: YamlDocument, where: Key, mapping: dict, spec: dict[str, type], problems: list[Problem]) -> None:
    for key, kind in spec.items():
        value = mapping.get(key)
        if value is None:
            problems.append(doc.problem(where, f"'{key}' is missing"))
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(doc.problem((*where, key), f"must be {_TYPE_NAMES[kind]}, not {_describe(value)}"))
    for key in mapping:
        if key not in spec:
            problems.append(doc.problem((*where, str(key)), f"unexpected field; expected {', '.join(spec)}"))


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"{type(value).__name__} {value!r}"
