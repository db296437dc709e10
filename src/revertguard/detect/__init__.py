"""Detection: run Sentinel analytics rules over the store like Sentinel's scheduler, and report.

    from revertguard.detect import detect, DetectOptions
    from revertguard.kql import DuckDBEngine
    findings = detect(DuckDBEngine(store), load_rules("default"))
    for incident in findings.incidents:
        print(incident.severity, incident.title, incident.source_event_ids)

Modules: `schedule` (query windows: one pass or Sentinel's replayed runs), `runner` (run rules,
merge alerts found again by overlapping windows), `alerts` (rows -> alerts: trigger, grouping,
entities, details), `provenance` (the events behind a row), `incidents` (alerts -> one incident
per chain), `findings` (the serialisable model), `scan` (ingest + detect in one call),
`ruletests` (a rule's test cases), `validate` (recall and noise on simulated scenarios).
"""

from revertguard.detect.findings import (
    SCHEMA_VERSION,
    Alert,
    ChainLink,
    Entity,
    Findings,
    Incident,
    Resource,
    RuleRun,
)
from revertguard.detect.runner import DetectOptions, RuleRunError, detect

__all__ = [
    "SCHEMA_VERSION",
    "Alert",
    "ChainLink",
    "DetectOptions",
    "Entity",
    "Findings",
    "Incident",
    "Resource",
    "RuleRun",
    "RuleRunError",
    "detect",
]
