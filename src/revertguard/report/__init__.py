"""Findings people and tools can use: JSON Lines, OCSF Detection Findings and the HTML report.

    from revertguard.report import cited_event_ids, load_events, render_html, to_ocsf, write_jsonl
    events = load_events(engine, cited_event_ids(findings))  # the raw rows behind the alerts
    write_jsonl(findings, sys.stdout)                         # docs/findings-schema.md
    records = to_ocsf(findings, events)                       # OCSF 1.8.0 Detection Findings (2004)
    page = render_html(findings, events)                      # one self-contained HTML file

Modules: `jsonl` (records and their JSON Schema), `ocsf` (the OCSF mapping), `events` (source
events from the store, read alike for every cloud), `entities` (who and from where), `attack`
(ATT&CK ids and names), `chain` (the revert chain's layout), `html` (the report; templates in
`templates/`).
"""

from revertguard.report.events import EventFacts, SourceEvent, cited_event_ids, load_events
from revertguard.report.html import render_html, write_html
from revertguard.report.jsonl import finding_records, findings_schema, json_line, write_jsonl
from revertguard.report.ocsf import OCSF_VERSION, to_ocsf, write_ocsf

__all__ = [
    "OCSF_VERSION",
    "EventFacts",
    "SourceEvent",
    "cited_event_ids",
    "finding_records",
    "findings_schema",
    "json_line",
    "load_events",
    "render_html",
    "to_ocsf",
    "write_html",
    "write_jsonl",
    "write_ocsf",
]
