"""Run rules over the data like Sentinel's scheduler, and collect their alerts.

`detect(engine, rules)` is the whole detection pass: each rule runs over its query windows
(`schedule`), its rows become alerts (`alerts`), an alert found again by an overlapping window
is merged into the first (`AlertLedger`), and the alerts are grouped into incidents
(`incidents`). Suppressed matches are kept, with their reasons, beside the alerts.

A rule that starts with `let IncludeSuppressed = false;` is run with it set to true (through the
KQL syntax tree, `override_lets`), so the rows its watchlists suppress come back and are shown
instead of dropped; deployed to Sentinel the same query simply never returns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from revertguard.detect.alerts import RunContext, build_alerts, split_suppressed
from revertguard.detect.findings import Alert, Findings, RuleRun, max_severity, severity_rank
from revertguard.detect.incidents import DEFAULT_GROUPING_WINDOW, group_incidents
from revertguard.detect.provenance import declared_event_ids, match_event_ids
from revertguard.detect.schedule import (
    SENTINEL_DELAY,
    EventPresence,
    QueryWindow,
    WindowedCatalog,
    data_span,
    estimated_fire_time,
    replay_windows,
    single_pass_window,
)
from revertguard.errors import RevertguardError
from revertguard.kql import Engine, KqlError, override_lets
from revertguard.kql.overrides import literal_lets
from revertguard.rules import Rule
from revertguard.tables import KqlType

SUPPRESSION_SWITCH = "IncludeSuppressed"


class RuleRunError(RevertguardError):
    """A rule's query failed to compile or run; the message names the rule and its file."""


@dataclass
class DetectOptions:
    """How to run: `replay` the scheduled runs (else one pass), the time range, Sentinel's delay,
    and how far apart alerts sharing a resource may be and still form one incident."""

    replay: bool = False
    since: datetime | None = None
    until: datetime | None = None
    delay: timedelta = SENTINEL_DELAY
    grouping_window: timedelta = DEFAULT_GROUPING_WINDOW


@dataclass
class AlertLedger:
    """The alerts of one rule across runs: a window that finds the same events again (or fewer of
    them) adds nothing; one that finds more replaces the earlier alert, keeping its fire time."""

    alerts: list[Alert] = field(default_factory=list)
    duplicates: int = 0

    def add(self, alert: Alert) -> None:
        events = set(alert.source_event_ids) or {alert.id}
        for i, known in enumerate(self.alerts):
            seen = set(known.source_event_ids) or {known.id}
            if events <= seen:
                self.duplicates += 1
                return
            if seen < events:
                alert.fired_at = min(alert.fired_at, known.fired_at)
                alert.severity = max_severity([alert.severity, known.severity])
                self.alerts[i] = alert
                self.duplicates += 1
                return
        self.alerts.append(alert)


def detect(engine: Engine, rules: Sequence[Rule], options: DetectOptions | None = None) -> Findings:
    """Run every rule over the engine's data and return alerts, suppressed matches and incidents."""
    options = options or DetectOptions()
    first, last = data_span(engine, since=options.since, until=options.until)
    findings = Findings(mode="replay" if options.replay else "single-pass", data_start=first, data_end=last)
    if first is None or last is None:
        findings.rule_runs = [RuleRun(r.id, r.name) for r in rules]
        return findings
    presence = EventPresence(engine, {t for r in rules for t in r.tables}) if options.replay else None
    for rule in rules:
        windows = (replay_windows(rule, first, last, options.delay) if options.replay
                   else [single_pass_window(first, last)])
        alerts, suppressed, summary = run_rule(engine, rule, windows, options, presence)
        findings.alerts.extend(alerts)
        findings.suppressed.extend(suppressed)
        findings.rule_runs.append(summary)
    findings.alerts.sort(key=_alert_order)
    findings.suppressed.sort(key=_alert_order)
    findings.incidents = group_incidents(findings.alerts, options.grouping_window)
    return findings


def _alert_order(alert: Alert) -> tuple:
    return (-severity_rank(alert.severity), alert.first_event_time or alert.fired_at, alert.rule_name, alert.id)


def run_rule(engine: Engine, rule: Rule, windows: Sequence[QueryWindow], options: DetectOptions,
             presence: EventPresence | None = None) -> tuple[list[Alert], list[Alert], RuleRun]:
    """Run one rule over its windows; return its alerts, its suppressed matches and what it did.

    With `presence`, a window holding no event of the tables the rule reads is not executed
    (counted as skipped): its result would be empty.
    """
    query = prepare_query(rule)
    base = engine.catalog()
    summary = RuleRun(rule.id, rule.name)
    alerts, suppressed = AlertLedger(), AlertLedger()
    for window in windows:
        start, end = _clip(window, options)
        summary.runs += 1
        if presence is not None and rule.tables and not presence.any_between(rule.tables, start, end):
            summary.skipped += 1
            continue
        catalog = WindowedCatalog(base, start, end)
        rows = run_query(engine, rule, query, window.end, catalog)
        summary.rows += len(rows)
        alerting, quiet = split_suppressed(rows)
        run = RunContext(window.start or window.end, window.end, window.fired_at)
        raised = _alerts_for(engine, rule, alerting, catalog, run) if rule.triggers(len(alerting)) else []
        for ledger, found in ((alerts, raised), (suppressed, _alerts_for(engine, rule, quiet, catalog, run))):
            for alert in found:
                if window.fired_at is None:
                    alert.fired_at = estimated_fire_time(rule, alert.last_event_time or window.end, options.delay)
                ledger.add(alert)
    summary.alerts = len(alerts.alerts)
    summary.suppressed = len(suppressed.alerts)
    summary.duplicates = alerts.duplicates + suppressed.duplicates
    return alerts.alerts, suppressed.alerts, summary


def _clip(window: QueryWindow, options: DetectOptions) -> tuple[datetime | None, datetime]:
    """A window narrowed to the scan's `since` (inclusive) and `until` (inclusive)."""
    start = window.start
    if options.since is not None:
        floor = options.since - timedelta(microseconds=1)
        start = floor if start is None else max(start, floor)
    end = window.end if options.until is None else min(window.end, options.until)
    return start, end


def prepare_query(rule: Rule) -> str:
    """The rule's query as revertguard runs it: suppressed rows included when the rule has the switch."""
    try:
        switch = literal_lets(rule.query).get(SUPPRESSION_SWITCH)
        if switch is KqlType.BOOL:
            return override_lets(rule.query, {SUPPRESSION_SWITCH: True})
    except KqlError as exc:
        raise RuleRunError(f"rule {rule.name!r} ({rule.path}): {exc}") from None
    return rule.query


def run_query(engine: Engine, rule: Rule, query: str, now: datetime, catalog: WindowedCatalog) -> list[dict[str, Any]]:
    """Run a rule's query over one window; errors name the rule and its file."""
    try:
        return engine.run(query, now=now, catalog=catalog).to_dicts()
    except KqlError as exc:
        raise RuleRunError(f"rule {rule.name!r} ({rule.path}) failed: {exc}") from None


def _alerts_for(engine: Engine, rule: Rule, rows: list[dict[str, Any]], catalog: WindowedCatalog,
                run: RunContext) -> list[Alert]:
    if not rows:
        return []
    declared = [declared_event_ids(row) for row in rows]
    inferred = any(ids is None for ids in declared)
    if inferred:
        matched = match_event_ids(engine, catalog, rule.tables, rows)
        event_ids = [ids if ids is not None else found for ids, found in zip(declared, matched, strict=True)]
    else:
        event_ids = [ids or [] for ids in declared]
    return build_alerts(rule, rows, event_ids, inferred, run)


__all__ = ["AlertLedger", "DetectOptions", "RuleRunError", "detect", "prepare_query", "run_rule"]
