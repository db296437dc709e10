"""Findings as JSON Lines: one `incident` or `alert` record per line, with a stable, documented schema.

Every record is its finding's `to_dict()` form (`revertguard.detect.findings`) with two fields
in front: `type` (`incident` or `alert`) and `schema_version`. Incidents come first, then alerts,
then suppressed matches (kept, never dropped silently; left out only when asked), which are
`alert` records with `suppressed: true` and their `suppression_reason`. The schema is
`docs/findings-schema.md`, and as JSON Schema `findings_schema()` (shipped in the package as
`schemas/findings.schema.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any, TextIO

from revertguard.detect.findings import SCHEMA_VERSION, Findings

RECORD_TYPES = ("incident", "alert")
# Line breaks that JSON leaves unescaped but some line splitters (Python's splitlines) honour.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def finding_records(findings: Findings, *, include_suppressed: bool = True) -> Iterator[dict[str, Any]]:
    """The records of a scan: incidents, then alerts, then suppressed matches (unless left out)."""
    for incident in findings.incidents:
        yield {"type": "incident", "schema_version": SCHEMA_VERSION, **incident.to_dict()}
    for alert in findings.alerts:
        yield {"type": "alert", "schema_version": SCHEMA_VERSION, **alert.to_dict()}
    if include_suppressed:
        for match in findings.suppressed:
            yield {"type": "alert", "schema_version": SCHEMA_VERSION, **match.to_dict()}


def json_line(record: Any) -> str:
    """One JSON document on one line, whatever line breaks its strings hold."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def write_json_lines(records: Iterator[dict[str, Any]] | list[dict[str, Any]], out: TextIO) -> int:
    """Write records one per line; returns how many were written."""
    count = 0
    for record in records:
        out.write(json_line(record) + "\n")
        count += 1
    return count


def write_jsonl(findings: Findings, out: TextIO, *, include_suppressed: bool = True) -> int:
    """Write a scan's findings as JSON Lines; returns the number of records."""
    return write_json_lines(finding_records(findings, include_suppressed=include_suppressed), out)


@cache
def findings_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one JSONL record; `$defs/document` is the `json` format."""
    text = resources.files("revertguard.report").joinpath("schemas/findings.schema.json").read_text("utf-8")
    return json.loads(text)
