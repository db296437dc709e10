"""`revertguard sentinel validate`: check rule files against Sentinel's own constraints.

Re-implements what the Azure-Sentinel repository's CI checks on a template (field presence and
types, lengths, enums, timespan ranges, trigger values, ATT&CK tactics and techniques, entity
mappings, custom details, alert-details placeholders, version) and what the REST API needs to
create the rule, plus checks across the set (unique ids and file names, watchlists defined).
KQL itself is not parsed here: columns named by mappings are only looked for in the query text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revertguard.rules.catalog import rule_files
from revertguard.rules.model import watchlist_aliases
from revertguard.rules.problems import Problem, RuleFileError
from revertguard.rules.schema import check_shape
from revertguard.rules.timespans import TimespanError, parse_timespan
from revertguard.rules.watchlist import WatchlistDefinition, shipped_watchlists
from revertguard.rules.yamldoc import Key, YamlDocument, read_yaml
from revertguard.sentinel import constraints as c
from revertguard.tables import TABLES

_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


@dataclass
class ValidationReport:
    """What `validate_rule_files` found: the files checked and every problem, errors first per file."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_rule_files(paths: Sequence[str | Path] | None = None,
                        watchlists: Mapping[str, WatchlistDefinition] | None = None) -> ValidationReport:
    """Validate rule files (default: every shipped rule) as one set.

    `paths` are files or folders (or selection names such as `all`); `watchlists` are the
    definitions `_GetWatchlist()` calls must resolve to (default: the shipped ones).
    """
    files = rule_files("all") if paths is None else (rule_files(list(paths)) if paths else [])
    known_watchlists = shipped_watchlists() if watchlists is None else watchlists
    report = ValidationReport(files=files)
    documents: list[YamlDocument] = []
    for path in files:
        try:
            doc = read_yaml(path)
        except RuleFileError as exc:
            report.problems.extend(exc.problems)
            continue
        documents.append(doc)
        report.problems.extend(validate_document(doc, known_watchlists))
    report.problems.extend(_check_set(documents))
    return report


def validate_document(doc: YamlDocument, watchlists: Mapping[str, WatchlistDefinition] | None = None) -> list[Problem]:
    """Every problem in one parsed rule file: its shape, then Sentinel's constraints."""
    problems = check_shape(doc)
    if isinstance(doc.data, dict):
        problems.extend(_RuleChecks(doc, watchlists).run())
    order = {"error": 0, "warning": 1}
    return sorted(problems, key=lambda p: (order[p.level], p.line or 0))


class _RuleChecks:
    """Sentinel's constraints on one rule; each check skips values whose shape is already wrong."""

    def __init__(self, doc: YamlDocument, watchlists: Mapping[str, WatchlistDefinition] | None) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.watchlists = watchlists
        self.problems: list[Problem] = []
        query = self.data.get("query")
        self.query = query if isinstance(query, str) else ""
        self.known_columns = self._known_columns()

    def run(self) -> list[Problem]:
        for check in (self.identity, self.texts, self.enums, self.connectors, self.schedule, self.trigger,
                      self.attack, self.query_text, self.entity_mappings, self.custom_details, self.alert_details,
                      self.grouping, self.incident_configuration, self.watchlist_references):
            check()
        return self.problems

    # -- helpers ---------------------------------------------------------------------------
    def error(self, keys: Key, message: str) -> None:
        self.problems.append(self.doc.problem(keys, message))

    def warn(self, keys: Key, message: str) -> None:
        self.problems.append(self.doc.problem(keys, message, "warning"))

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None

    def _known_columns(self) -> set[str]:
        # Without a KQL parser the query's output columns are not known; a name that appears in
        # the query, or is a column of a table it reads, is the best evidence available offline.
        names = set(_IDENTIFIER.findall(self.query))
        for table in TABLES.values():
            if re.search(rf"\b{table.name}\b", self.query):
                names.update(table.column_names)
        return names

    def column_evidence(self, keys: Key, column: str) -> None:
        if self.query and column not in self.known_columns:
            self.warn(keys, f"column {column!r} does not appear in the query nor in the tables it reads")

    # -- checks ------------------------------------------------------------------------------
    def identity(self) -> None:
        rule_id = self.text("id")
        if rule_id is not None and not re.match(c.GUID_PATTERN, rule_id):
            self.error(("id",), f"{rule_id!r} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
        version = self.text("version")
        if "version" not in self.data:
            self.warn((), "no 'version': Sentinel offers template updates by version (use X.Y.Z, e.g. 1.0.0)")
        elif version is not None and (not re.match(c.VERSION_PATTERN, version) or len(version) > c.VERSION_MAX):
            self.error(("version",), f"{version!r} is not a version of the form X.Y.Z (e.g. 1.0.0)")
        kind = self.text("kind")
        if kind is not None and kind not in c.KINDS:
            hint = " (NRT rules are not supported by revertguard)" if kind.lower() == "nrt" else ""
            self.error(("kind",), f"{kind!r} is not a kind revertguard handles; use Scheduled{hint}")

    def texts(self) -> None:
        name, description = self.text("name"), self.text("description")
        if name is not None:
            if not name.strip():
                self.error(("name",), "must not be empty")
            elif len(name) > c.NAME_MAX:
                self.error(("name",), f"is {len(name)} characters; Sentinel allows at most {c.NAME_MAX}")
            elif len(name) > c.NAME_REVIEW_MAX:
                self.warn(("name",), f"is {len(name)} characters; Azure-Sentinel reviews ask for at most "
                                     f"{c.NAME_REVIEW_MAX}")
            if name.rstrip().endswith("."):
                self.warn(("name",), "ends with a period (Sentinel rule names do not)")
        if description is not None:
            if not description.strip():
                self.error(("description",), "must not be empty")
            elif len(description) > c.DESCRIPTION_MAX:
                self.error(("description",), f"is {len(description)} characters; Sentinel allows at most "
                                             f"{c.DESCRIPTION_MAX}")

    def enums(self) -> None:
        severity = self.text("severity")
        if severity is not None and severity not in c.SEVERITIES:
            self.error(("severity",), f"{severity!r} is not one of {', '.join(c.SEVERITIES)}")
        status = self.text("status")
        if status is not None and status not in c.STATUSES:
            self.error(("status",), f"{status!r} is not one of {', '.join(c.STATUSES)}")

    def connectors(self) -> None:
        connectors = self.data.get("requiredDataConnectors")
        if not isinstance(connectors, list):
            return
        known = {cid for ids in c.CONNECTORS_BY_TABLE.values() for cid in ids}
        declared: set[str] = set()
        for i, connector in enumerate(connectors):
            if not isinstance(connector, dict):
                continue
            cid, types = connector.get("connectorId"), connector.get("dataTypes")
            if isinstance(cid, str) and cid not in known:
                self.warn(("requiredDataConnectors", i, "connectorId"),
                          f"{cid!r} is not a connector revertguard knows; Azure-Sentinel checks it against its "
                          "ValidConnectorIds.json")
            if isinstance(types, list):
                declared.update(t for t in types if isinstance(t, str))
                if isinstance(cid, str):
                    for j, table in enumerate(types):
                        ids = c.CONNECTORS_BY_TABLE.get(table) if isinstance(table, str) else None
                        if ids and cid in known and cid not in ids:
                            self.error(("requiredDataConnectors", i, "dataTypes", j),
                                       f"connector {cid!r} does not bring {table}; use {' or '.join(ids)}")
        for table in TABLES:
            if re.search(rf"\b{table}\b", self.query) and table not in declared:
                self.warn(("requiredDataConnectors",), f"the query reads {table} but no connector lists it in "
                                                       "dataTypes")

    def schedule(self) -> None:
        spans = {}
        for key in ("queryFrequency", "queryPeriod"):
            try:
                spans[key] = parse_timespan(self.data.get(key))
            except TimespanError:
                continue
            if not c.QUERY_SPAN_MIN <= spans[key] <= c.QUERY_SPAN_MAX:
                self.error((key,), f"{self.data[key]} is outside Sentinel's range of 5 minutes to 14 days")
        frequency, period = spans.get("queryFrequency"), spans.get("queryPeriod")
        if frequency and period:
            if period < frequency:
                self.error(("queryPeriod",), f"{self.data['queryPeriod']} is shorter than queryFrequency "
                                             f"{self.data['queryFrequency']}: events between runs would be missed")
            if period >= c.LONG_PERIOD and frequency < c.LONG_PERIOD_MIN_FREQUENCY:
                self.error(("queryFrequency",), f"{self.data['queryFrequency']} is too frequent for a queryPeriod of "
                                                "2 days or more; Sentinel needs at least 1h")
        if "suppressionDuration" in self.data:
            try:
                span = parse_timespan(self.data["suppressionDuration"])
            except TimespanError:
                return
            if not c.QUERY_SPAN_MIN <= span <= c.SUPPRESSION_MAX:
                self.error(("suppressionDuration",), "must be between 5 minutes and 24 hours")

    def trigger(self) -> None:
        threshold = self.data.get("triggerThreshold")
        if isinstance(threshold, int) and not isinstance(threshold, bool) and not (
                c.THRESHOLD_MIN <= threshold <= c.THRESHOLD_MAX):
            self.error(("triggerThreshold",), f"{threshold} is outside Sentinel's range of 0 to 10000")

    def attack(self) -> None:
        tactics = self.data.get("tactics")
        techniques = self.data.get("relevantTechniques")
        listed: set[str] = set()
        if tactics is None:
            self.warn((), "no 'tactics': Azure-Sentinel reviews require the ATT&CK tactics")
        elif isinstance(tactics, list):
            for i, tactic in enumerate(tactics):
                if not isinstance(tactic, str):
                    continue
                if tactic not in c.TACTICS:
                    spaced = tactic.replace(" ", "")
                    hint = f" (write {spaced})" if spaced in c.TACTICS else ""
                    self.error(("tactics", i), f"{tactic!r} is not a Sentinel tactic{hint}")
                elif tactic in listed:
                    self.error(("tactics", i), f"{tactic} is listed twice")
                listed.add(tactic)
            if len(tactics) > c.TACTICS_REVIEW_MAX:
                self.warn(("tactics",), f"{len(tactics)} tactics; Azure-Sentinel reviews allow at most "
                                        f"{c.TACTICS_REVIEW_MAX}")
        if techniques is None:
            self.warn((), "no 'relevantTechniques': Azure-Sentinel reviews require the ATT&CK techniques")
            return
        if not isinstance(techniques, list):
            return
        if len(techniques) > c.TECHNIQUES_REVIEW_MAX:
            self.warn(("relevantTechniques",), f"{len(techniques)} techniques; Azure-Sentinel reviews allow at most "
                                               f"{c.TECHNIQUES_REVIEW_MAX}")
        for i, technique in enumerate(techniques):
            if not isinstance(technique, str):
                continue
            if not re.match(c.TECHNIQUE_PATTERN, technique):
                self.error(("relevantTechniques", i), f"{technique!r} is not a technique id (T1234 or T1234.001)")
                continue
            parent = technique.split(".")[0]
            needed = c.TECHNIQUE_TACTICS.get(parent)
            if needed is None:
                self.warn(("relevantTechniques", i), f"revertguard does not know the tactics of {parent}; "
                                                     "Sentinel's validator requires all of them in 'tactics'")
            elif missing := [t for t in needed if t not in listed]:
                self.error(("relevantTechniques", i), f"{technique} belongs to {', '.join(needed)}; add "
                                                      f"{', '.join(missing)} to 'tactics'")

    def query_text(self) -> None:
        query = self.text("query")
        if query is None:
            return
        if not query.strip():
            self.error(("query",), "must not be empty")
        elif len(query) > c.QUERY_MAX:
            self.error(("query",), f"is {len(query)} characters; Sentinel allows at most {c.QUERY_MAX}")

    def entity_mappings(self) -> None:
        mappings = self.data.get("entityMappings")
        mapped_columns: set[str] = set()
        if mappings is None:
            self.warn((), "no 'entityMappings': alerts would carry no entities, and Azure-Sentinel reviews require "
                          "them")
        elif isinstance(mappings, list):
            if not 1 <= len(mappings) <= c.ENTITY_MAPPINGS_MAX:
                self.error(("entityMappings",), f"has {len(mappings)} entries; Sentinel allows 1 to "
                                                f"{c.ENTITY_MAPPINGS_MAX}")
            elif len(mappings) > c.ENTITY_MAPPINGS_OLD_MAX:
                self.warn(("entityMappings",), f"has {len(mappings)} entries; an older Sentinel validator allows "
                                               f"at most {c.ENTITY_MAPPINGS_OLD_MAX}")
            for i, mapping in enumerate(mappings):
                if isinstance(mapping, dict):
                    mapped_columns.update(self._entity_mapping(("entityMappings", i), mapping))
        for legacy in c.LEGACY_ENTITY_COLUMNS:
            if legacy in self.query and legacy not in mapped_columns:
                self.error(("entityMappings",), f"the query emits the legacy column {legacy}; map it in "
                                                "entityMappings")

    def _entity_mapping(self, where: Key, mapping: dict) -> list[str]:
        entity_type, fields = mapping.get("entityType"), mapping.get("fieldMappings")
        if not isinstance(fields, list):
            return []
        spec = c.ENTITY_IDENTIFIERS.get(entity_type) if isinstance(entity_type, str) else None
        if isinstance(entity_type, str) and spec is None:
            self.error((*where, "entityType"), f"{entity_type!r} is not an entity type; use one of "
                                               + ", ".join(sorted(c.ENTITY_IDENTIFIERS)))
        if not 1 <= len(fields) <= c.FIELD_MAPPINGS_MAX:
            self.error((*where, "fieldMappings"), f"has {len(fields)} entries; Sentinel allows 1 to "
                                                  f"{c.FIELD_MAPPINGS_MAX}")
        used: list[str] = []
        columns: list[str] = []
        for j, fm in enumerate(fields):
            if not isinstance(fm, dict):
                continue
            at = (*where, "fieldMappings", j)
            identifier, column = fm.get("identifier"), fm.get("columnName")
            if isinstance(identifier, str):
                if spec and identifier not in spec[0]:
                    self.error((*at, "identifier"), f"{identifier!r} is not an identifier of {entity_type}; valid: "
                                                    + ", ".join(spec[0]))
                elif identifier in used:
                    self.error((*at, "identifier"), f"{identifier} is mapped twice in this entity")
                used.append(identifier)
            if isinstance(column, str):
                columns.append(column)
                if len(column) > c.COLUMN_NAME_MAX or not re.match(c.COLUMN_PATTERN, column):
                    self.error((*at, "columnName"), f"{column!r} is not a column name (a letter or '_', then "
                                                    "letters, digits or '_', at most 500 characters)")
                else:
                    self.column_evidence((*at, "columnName"), column)
        if spec and used and not any(all(i in used for i in combo) for combo in spec[1]):
            combos = "; ".join(", ".join(combo) for combo in spec[1])
            self.error((*where, "fieldMappings"), f"{entity_type} needs one of these identifier combinations: "
                                                  f"{combos}")
        return columns

    def custom_details(self) -> None:
        details = self.data.get("customDetails")
        if not isinstance(details, dict):
            return
        if len(details) > c.CUSTOM_DETAILS_MAX:
            self.error(("customDetails",), f"has {len(details)} entries; Sentinel allows at most "
                                           f"{c.CUSTOM_DETAILS_MAX}")
        for key, value in details.items():
            at = ("customDetails", str(key))
            if not isinstance(key, str) or len(key) > c.CUSTOM_DETAIL_KEY_MAX or not re.match(
                    c.CUSTOM_DETAIL_KEY_PATTERN, key):
                self.error(at, f"key {key!r} must start with a letter, hold only letters, digits and '_', and be at "
                               f"most {c.CUSTOM_DETAIL_KEY_MAX} characters")
            if isinstance(value, str):
                if len(value) > c.CUSTOM_DETAIL_VALUE_MAX or not re.match(c.COLUMN_PATTERN, value):
                    self.error(at, f"value {value!r} must be a column name (a letter or '_', then letters, digits or "
                                   "'_')")
                else:
                    self.column_evidence(at, value)

    def alert_details(self) -> None:
        override = self.data.get("alertDetailsOverride")
        if not isinstance(override, dict):
            return
        base = ("alertDetailsOverride",)
        for key, limit in (("alertDisplayNameFormat", c.ALERT_NAME_FORMAT_MAX),
                           ("alertDescriptionFormat", c.ALERT_DESCRIPTION_FORMAT_MAX)):
            value = override.get(key)
            if not isinstance(value, str):
                continue
            if not value.strip():
                self.error((*base, key), "must not be empty (leave the field out instead)")
            elif len(value) > limit:
                self.error((*base, key), f"is {len(value)} characters; Sentinel allows at most {limit}")
            placeholders = re.findall(c.PLACEHOLDER_PATTERN, value)
            if len(placeholders) > c.PLACEHOLDERS_MAX:
                self.error((*base, key), f"has {len(placeholders)} {{{{column}}}} placeholders; Sentinel allows at "
                                         f"most {c.PLACEHOLDERS_MAX}")
            for placeholder in placeholders:
                if not re.match(c.COLUMN_PATTERN, placeholder):
                    self.error((*base, key), f"placeholder {{{{{placeholder}}}}} must be a column name exactly, "
                                             "without spaces")
                else:
                    self.column_evidence((*base, key), placeholder)
        for key in ("alertTacticsColumnName", "alertSeverityColumnName"):
            value = override.get(key)
            if isinstance(value, str):
                if not re.match(c.COLUMN_PATTERN, value):
                    self.error((*base, key), f"{value!r} is not a column name")
                else:
                    self.column_evidence((*base, key), value)
        for i, item in enumerate(override.get("alertDynamicProperties") or []):
            if not isinstance(item, dict):
                continue
            prop, value = item.get("alertProperty"), item.get("value")
            if isinstance(prop, str) and prop not in c.ALERT_PROPERTIES:
                self.error((*base, "alertDynamicProperties", i, "alertProperty"),
                           f"{prop!r} is not one of {', '.join(c.ALERT_PROPERTIES)}")
            if isinstance(value, str):
                self.column_evidence((*base, "alertDynamicProperties", i, "value"), value)

    def grouping(self) -> None:
        settings = self.data.get("eventGroupingSettings")
        if isinstance(settings, dict):
            kind = settings.get("aggregationKind")
            if isinstance(kind, str) and kind not in c.AGGREGATION_KINDS:
                self.error(("eventGroupingSettings", "aggregationKind"),
                           f"{kind!r} is not one of {', '.join(c.AGGREGATION_KINDS)}")

    def incident_configuration(self) -> None:
        config = self.data.get("incidentConfiguration")
        if not isinstance(config, dict):
            return
        base = ("incidentConfiguration",)
        for key in config:
            if key not in ("createIncident", "groupingConfiguration"):
                self.error((*base, str(key)), "unexpected field; expected createIncident, groupingConfiguration")
        if not isinstance(config.get("createIncident"), bool):
            self.error((*base, "createIncident"), "must be true or false")
        grouping = config.get("groupingConfiguration")
        if grouping is None:
            return
        if not isinstance(grouping, dict):
            self.error((*base, "groupingConfiguration"), "must be a mapping")
            return
        at = (*base, "groupingConfiguration")
        allowed = ("enabled", "reopenClosedIncident", "lookbackDuration", "matchingMethod", "groupByEntities",
                   "groupByAlertDetails", "groupByCustomDetails")
        for key in grouping:
            if key not in allowed:
                self.error((*at, str(key)), f"unexpected field; expected {', '.join(allowed)}")
        for key in ("enabled", "reopenClosedIncident"):
            if key in grouping and not isinstance(grouping[key], bool):
                self.error((*at, key), "must be true or false")
        if "lookbackDuration" in grouping:
            try:
                span = parse_timespan(grouping["lookbackDuration"])
                if not c.GROUPING_LOOKBACK_MIN <= span <= c.GROUPING_LOOKBACK_MAX:
                    self.error((*at, "lookbackDuration"), "must be between 5 minutes and 7 days")
            except TimespanError as exc:
                self.error((*at, "lookbackDuration"), str(exc))
        method = grouping.get("matchingMethod")
        if method is not None and method not in c.MATCHING_METHODS:
            self.error((*at, "matchingMethod"), f"{method!r} is not one of {', '.join(c.MATCHING_METHODS)}")
        mapped_types = {m.get("entityType") for m in self.data.get("entityMappings") or [] if isinstance(m, dict)}
        entities = grouping.get("groupByEntities") or []
        for entity in entities if isinstance(entities, list) else []:
            if entity not in mapped_types:
                self.error((*at, "groupByEntities"), f"{entity!r} is not an entity type this rule maps")
        details = grouping.get("groupByAlertDetails") or []
        for detail in details if isinstance(details, list) else []:
            if detail not in c.GROUP_BY_ALERT_DETAILS:
                self.error((*at, "groupByAlertDetails"), f"{detail!r} is not one of DisplayName, Severity")
        custom = grouping.get("groupByCustomDetails") or []
        keys = set(self.data.get("customDetails") or {}) if isinstance(self.data.get("customDetails"), dict) else set()
        for key in custom if isinstance(custom, list) else []:
            if key not in keys:
                self.error((*at, "groupByCustomDetails"), f"{key!r} is not a customDetails key of this rule")
        if method == "Selected" and not (entities or details or custom):
            self.error((*at, "matchingMethod"), "Selected needs groupByEntities, groupByAlertDetails or "
                                                "groupByCustomDetails")

    def watchlist_references(self) -> None:
        if self.watchlists is None:
            return
        for alias in watchlist_aliases(self.query):
            if alias not in self.watchlists:
                known = ", ".join(sorted(self.watchlists)) or "none"
                self.error(("query",), f"reads _GetWatchlist('{alias}'), which has no watchlist definition "
                                       f"(known: {known})")


def _check_set(documents: Iterable[YamlDocument]) -> list[Problem]:
    problems = []
    by_id: dict[str, YamlDocument] = {}
    by_stem: dict[str, YamlDocument] = {}
    by_name: dict[str, YamlDocument] = {}
    for doc in documents:
        data = doc.data if isinstance(doc.data, dict) else {}
        rule_id = data.get("id")
        if isinstance(rule_id, str):
            first = by_id.setdefault(rule_id.lower(), doc)
            if first is not doc:
                problems.append(doc.problem(("id",), f"{rule_id} is also the id of {first.path}; ids must be unique"))
        stem = doc.path.name.rsplit(".", 1)[0].lower()
        first = by_stem.setdefault(stem, doc)
        if first is not doc:
            problems.append(Problem(doc.path, "", f"has the same file name as {first.path}; Azure-Sentinel needs "
                                                  "unique file names"))
        name = data.get("name")
        if isinstance(name, str):
            first = by_name.setdefault(name.strip().lower(), doc)
            if first is not doc:
                problems.append(doc.problem(("name",), f"{first.path} has the same name", "warning"))
    return problems
