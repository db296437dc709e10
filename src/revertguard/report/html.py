"""The HTML investigation report: one self-contained page an analyst opens during an incident.

A summary (data span, rules run, incidents by severity, alerts, suppressed matches), then one
section per incident: what happened and why it matters, the revert chain drawn as inline SVG,
a timeline of its events (time, operation, what changed on which resource, by whom, from which
address and client, status) and each alert with the raw events behind it. Then alerts outside
any incident and the suppressed matches with their reasons.

Every value in findings and events comes from logs an attacker can write to. The page is
rendered by Jinja2 with autoescaping on for every value, holds no script at all, and carries a
Content-Security-Policy that forbids scripts, remote loads and any style but its own stylesheet
(allowed by hash), so even a value that slipped through could not run or call out.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from revertguard import __version__
from revertguard.detect.findings import SEVERITIES, Alert, Findings, Incident, severity_rank
from revertguard.report.attack import ATTACK_VERSION, AttackLabel, attack_labels
from revertguard.report.chain import NODE_HEIGHT, NODE_WIDTH, ChainDiagram, layout_chain
from revertguard.report.entities import addresses, identities
from revertguard.report.events import (
    SourceEvent,
    cited_event_ids,
    events_of,
    pretty_json,
    resource_label,
    short_name,
)

TITLE = "Investigation report"
_OPEN_ALERTS = 3  # an incident with more alerts than this lists them folded


@dataclass
class TimelineEntry:
    """A row of an incident's timeline: one event, or a run of alike events (bulk reads) shown once.

    `revert_step` marks the calls the revert chain was built from (its links' operations).
    """

    events: list[SourceEvent]
    alert_numbers: list[int]
    revert_step: bool

    @property
    def first(self) -> SourceEvent:
        return self.events[0]

    @property
    def last(self) -> SourceEvent:
        return self.events[-1]

    @property
    def resources(self) -> list[str]:
        return list(dict.fromkeys(e.facts.resource for e in self.events if e.facts.resource))


@dataclass
class AlertView:
    alert: Alert
    number: int  # position in the report, for cross-references from the timeline
    events: list[SourceEvent]
    missing_event_ids: list[str]


@dataclass
class IncidentView:
    incident: Incident
    anchor: str
    alerts: list[AlertView]
    timeline: list[TimelineEntry]
    diagram: ChainDiagram | None
    attacks: list[AttackLabel]
    identities: list[str]
    addresses: list[str]
    reasons: list[tuple[str, list[int]]]  # each distinct reason, with the alerts that give it
    missing_event_ids: list[str] = field(default_factory=list)

    @property
    def alerts_open(self) -> bool:
        return len(self.alerts) <= _OPEN_ALERTS


def render_html(findings: Findings, events: Mapping[str, SourceEvent], *, title: str = TITLE,
                generated_at: datetime | None = None) -> str:
    """The report as one HTML document. `events` are the source events by id (`load_events`)."""
    numbers = _alert_numbers(findings)
    by_id = {a.id: a for a in findings.alerts}
    views = [_incident_view(i, index, by_id, events, numbers) for index, i in enumerate(findings.incidents, 1)]
    grouped = {a.id for view in views for a in (v.alert for v in view.alerts)}
    loose = [_alert_view(a, events, numbers) for a in findings.alerts if a.id not in grouped]
    suppressed = [_alert_view(a, events, numbers) for a in findings.suppressed]
    css = _stylesheet()
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        version=__version__,
        attack_version=ATTACK_VERSION,
        generated_at=generated_at or datetime.now(UTC),
        findings=findings,
        incidents=views,
        loose_alerts=loose,
        suppressed=suppressed,
        severity_counts=_severity_counts(findings.incidents),
        alert_severity_counts=_severity_counts(findings.alerts),
        event_count=len(cited_event_ids(findings)),
        # Our own stylesheet, not log data: it goes in as is, and the CSP allows exactly it by hash.
        stylesheet=Markup(css),
        style_hash=_csp_hash(css),
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
    )


def write_html(findings: Findings, events: Mapping[str, SourceEvent], path: str | Path, **options: object) -> Path:
    """Render the report and write it (UTF-8); returns the path written."""
    target = Path(path)
    target.write_text(render_html(findings, events, **options), encoding="utf-8")  # type: ignore[arg-type]
    return target


def _alert_numbers(findings: Findings) -> dict[str, int]:
    """Alerts numbered in reading order: by incident, then the others, then suppressed matches."""
    ordered = [i for incident in findings.incidents for i in incident.alert_ids]
    ordered += [a.id for a in [*findings.alerts, *findings.suppressed]]
    return {alert_id: n for n, alert_id in enumerate(dict.fromkeys(ordered), 1)}


def _alert_view(alert: Alert, events: Mapping[str, SourceEvent], numbers: dict[str, int]) -> AlertView:
    return AlertView(alert, numbers[alert.id], events_of(alert.source_event_ids, events),
                     [i for i in alert.source_event_ids if i not in events])


def _incident_view(incident: Incident, index: int, alerts_by_id: Mapping[str, Alert],
                   events: Mapping[str, SourceEvent], numbers: dict[str, int]) -> IncidentView:
    alerts = [_alert_view(alerts_by_id[i], events, numbers) for i in incident.alert_ids if i in alerts_by_id]
    cited: dict[str, list[int]] = {}
    for view in alerts:
        for event_id in view.alert.source_event_ids:
            cited.setdefault(event_id, []).append(view.number)
    steps = {link.relation.split(" ", 1)[0].lower() for link in incident.chain if link.relation}
    timeline = _timeline(events_of(incident.source_event_ids, events), cited, steps)
    return IncidentView(
        incident=incident,
        anchor=f"incident-{index}",
        alerts=alerts,
        timeline=timeline,
        diagram=layout_chain(incident.resources, incident.chain),
        attacks=attack_labels(incident.tactics, incident.techniques),
        identities=identities(incident.entities),
        addresses=addresses(incident.entities),
        reasons=_reasons(alerts),
        missing_event_ids=[i for i in incident.source_event_ids if i not in events],
    )


def _reasons(alerts: list[AlertView]) -> list[tuple[str, list[int]]]:
    """Why each alert fired, said once per distinct reason (many seed alerts share one)."""
    reasons: dict[str, list[int]] = {}
    for view in alerts:
        reasons.setdefault(view.alert.why or view.alert.title, []).append(view.number)
    return list(reasons.items())


def _timeline(ordered: list[SourceEvent], cited: dict[str, list[int]], steps: set[str]) -> list[TimelineEntry]:
    """Timeline rows: consecutive events alike in every column but time and resource share a row."""
    entries: list[TimelineEntry] = []
    previous_key = None
    for event in ordered:
        facts = event.facts
        numbers = cited.get(event.event_id, [])
        step = facts.operation.lower() in steps
        key = (facts.operation, facts.actor, facts.ip, facts.user_agent, facts.status, tuple(numbers), step)
        if entries and key == previous_key and not step:
            entries[-1].events.append(event)
        else:
            entries.append(TimelineEntry([event], numbers, step))
        previous_key = key
    return entries


def _severity_counts(items: Sequence[Alert] | Sequence[Incident]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for item in items:
        counts[item.severity] = counts.get(item.severity, 0) + 1
    return sorted(counts.items(), key=lambda pair: -severity_rank(pair[0]))


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def _span(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "—"
    seconds = int((end - start).total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("revertguard.report", "templates"),
        # Every template is HTML: escape every value, whatever the file name says.
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["pretty_json"] = pretty_json
    environment.filters["resource_label"] = resource_label
    environment.filters["short_name"] = short_name
    environment.globals["span"] = _span
    return environment


@cache
def _stylesheet() -> str:
    return resources.files("revertguard.report").joinpath("templates/report.css").read_text("utf-8")


def _csp_hash(css: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
