"""`validate`: how the rules do on simulated attacks, benign look-alikes and background noise.

Every scenario runs once, with intrusion context, in one simulated estate with background
noise; the simulated organisation's watchlists (inventory, approvals, change tickets) are
loaded as a real one would load its own. The seed rule and the selected rules run over the
same store, and findings are matched to scenarios through the event ids the labels list:

* an alert or incident belongs to a scenario when its events include one of the scenario's own
  events (intrusion-context events alone do not count: an intruder's context precedes several
  of its reverts);
* it is background noise when none of its events belongs to any scenario.

Targets (the issue's): every attack caught as exactly one incident, no incident from a benign
scenario, and at least 100x fewer alerts than the seed rule on the same background noise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from revertguard.detect.findings import Alert, Findings, Incident
from revertguard.detect.runner import detect
from revertguard.ingest import RawRecord, ingest_records
from revertguard.kql import DuckDBEngine
from revertguard.rules import load_rules
from revertguard.rules.watchlist import shipped_watchlists
from revertguard.simulate import organisation_watchlists, simulate
from revertguard.simulate.model import Cloud, Simulation
from revertguard.store import Store

NOISE_RATIO_TARGET = 100


@dataclass
class ScenarioCoverage:
    """One scenario run: alerts per rule, incidents and suppressed matches that involve its events."""

    run_id: str
    name: str
    kind: str
    cloud: str
    seed_alerts: int = 0
    seed_incidents: int = 0
    rule_alerts: dict[str, int] = field(default_factory=dict)
    incidents: int = 0
    incident_ids: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.run_id, "name": self.name, "kind": self.kind, "cloud": self.cloud,
                "seed_alerts": self.seed_alerts, "seed_incidents": self.seed_incidents,
                "rule_alerts": self.rule_alerts, "incidents": self.incidents, "incident_ids": self.incident_ids,
                "suppressed": self.suppressed}


@dataclass
class Figures:
    """The headline numbers of one rule set."""

    caught: int = 0  # attack scenarios with at least one incident
    exactly_one: int = 0  # attack scenarios with exactly one incident
    benign_incidents: int = 0
    noise_incidents: int = 0
    noise_alerts: int = 0
    alerts: int = 0
    incidents: int = 0
    suppressed: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ValidationResult:
    """Coverage per scenario, figures for the seed rule and the improved rules, and the verdict."""

    seed: int
    days: float
    noise: int
    events: int
    noise_events: int
    rule_names: list[str]
    scenarios: list[ScenarioCoverage]
    seed_figures: Figures
    improved: Figures
    failures: list[str]

    @property
    def attack_count(self) -> int:
        return sum(1 for s in self.scenarios if s.kind == "attack")

    @property
    def targets_met(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "days": self.days, "noise_per_day": self.noise, "events": self.events,
                "noise_events": self.noise_events, "rules": self.rule_names,
                "scenarios": [s.to_dict() for s in self.scenarios],
                "figures": {"seed_rule": self.seed_figures.to_dict(), "improved_rules": self.improved.to_dict()},
                "targets_met": self.targets_met, "failures": self.failures}


def validate(*, seed: int = 1578, days: float = 1.0, noise: int = 200,
             rules: str | Iterable[str] = "default") -> ValidationResult:
    """Simulate every scenario, run the seed and the selected rules, and measure them."""
    sim = simulate(None, seed=seed, noise=noise, days=days, intrusion_context=True)
    improved_rules = load_rules(rules)
    with Store() as store:
        load_simulation(sim, store)
        engine = DuckDBEngine(store)
        seed_findings = detect(engine, load_rules("seed"))
        improved_findings = detect(engine, improved_rules)
    scenarios = [ScenarioCoverage(r.run_id, r.spec.name, r.spec.kind.value, r.spec.cloud.value) for r in sim.runs]
    own = {r.run_id: {e.event_id for e in r.outcome.events} for r in sim.runs}
    everything = {e.event_id for r in sim.runs for e in r.all_events}
    seed_figures = _measure(seed_findings, scenarios, own, everything, seed_rule=True)
    improved = _measure(improved_findings, scenarios, own, everything, seed_rule=False)
    rule_names = [r.name for r in improved_rules]
    failures = _failures(scenarios, seed_figures, improved)
    return ValidationResult(seed, days, noise, len(sim.events()), len(sim.noise), rule_names, scenarios,
                            seed_figures, improved, failures)


def load_simulation(sim: Simulation, store: Store) -> None:
    """Ingest a simulation's records (Azure in the diagnostic-settings form) and its organisation's watchlists."""
    by_cloud: dict[Cloud, list[RawRecord]] = {}
    for i, event in enumerate(sim.events()):
        record = event.record.to_diagnostic() if event.cloud is Cloud.AZURE else event.record
        by_cloud.setdefault(event.cloud, []).append(RawRecord(f"<simulated {event.cloud.value}>", str(i + 1),
                                                              json.dumps(record).encode()))
    for records in by_cloud.values():  # one "file" per kind of record, as ingest expects
        ingest_records(records, store)
    definitions = shipped_watchlists()
    rows = organisation_watchlists(sim)
    for alias, definition in definitions.items():
        store.put_watchlist(definition.with_rows(rows.get(alias, [])).to_store())


def _touches(finding: Alert | Incident, events: set[str]) -> bool:
    return not events.isdisjoint(finding.source_event_ids)


def _measure(findings: Findings, scenarios: list[ScenarioCoverage], own: dict[str, set[str]], everything: set[str],
             *, seed_rule: bool) -> Figures:
    figures = Figures(alerts=len(findings.alerts), incidents=len(findings.incidents),
                      suppressed=len(findings.suppressed))
    for coverage in scenarios:
        events = own[coverage.run_id]
        hits = [a for a in findings.alerts if _touches(a, events)]
        incidents = [i for i in findings.incidents if _touches(i, events)]
        if seed_rule:
            coverage.seed_alerts, coverage.seed_incidents = len(hits), len(incidents)
        else:
            for alert in hits:
                coverage.rule_alerts[alert.rule_name] = coverage.rule_alerts.get(alert.rule_name, 0) + 1
            coverage.incidents = len(incidents)
            coverage.incident_ids = [i.id for i in incidents]
            coverage.suppressed = [f"{a.rule_name}: {a.suppression_reason}" for a in findings.suppressed
                                   if _touches(a, events)]
        if coverage.kind == "attack":
            figures.caught += bool(incidents)
            figures.exactly_one += len(incidents) == 1
        else:
            figures.benign_incidents += len(incidents)
    figures.noise_alerts = sum(1 for a in findings.alerts if everything.isdisjoint(a.source_event_ids))
    figures.noise_incidents = sum(1 for i in findings.incidents if everything.isdisjoint(i.source_event_ids))
    return figures


def _failures(scenarios: list[ScenarioCoverage], seed: Figures, improved: Figures) -> list[str]:
    failures = []
    for coverage in scenarios:
        if coverage.kind == "attack" and coverage.incidents != 1:
            failures.append(f"attack {coverage.run_id} raised {coverage.incidents} incidents (expected exactly one)")
        if coverage.kind == "benign" and coverage.incidents:
            failures.append(f"benign {coverage.run_id} raised {coverage.incidents} incident(s)")
    if improved.noise_alerts * NOISE_RATIO_TARGET > seed.noise_alerts:
        failures.append(f"{improved.noise_alerts} alert(s) on background noise, not {NOISE_RATIO_TARGET}x fewer than "
                        f"the seed rule's {seed.noise_alerts}")
    return failures
