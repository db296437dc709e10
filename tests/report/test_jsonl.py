"""JSON Lines findings: one record per line, every field documented, valid against the shipped schema."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from revertguard.detect import SCHEMA_VERSION
from revertguard.report import finding_records, findings_schema, json_line, write_jsonl

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "findings-schema.md"


def _strict(schema):
    """The schema with every object closed: a field the schema does not name is an error.

    The shipped schema lets consumers meet new fields; the test holds our output to the fields
    the schema (and so the docs) describe, except where values are open by design.
    """
    schema = copy.deepcopy(schema)
    open_by_design = {"entity", "custom_details", "rows"}

    def close(node, name=None):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node and name not in open_by_design:
                node["additionalProperties"] = False
            for key, value in node.items():
                close(value, key)
        elif isinstance(node, list):
            for item in node:
                close(item)

    for name, definition in schema["$defs"].items():
        close(definition, name)
    return schema


def _lines(findings, **options):
    out = io.StringIO()
    count = write_jsonl(findings, out, **options)
    lines = out.getvalue().splitlines()
    assert len(lines) == count
    return [json.loads(line) for line in lines]


def test_records_are_incidents_then_alerts_and_carry_their_event_ids(scan):
    records = _lines(scan.findings, include_suppressed=False)
    types = [r["type"] for r in records]
    assert types == ["incident"] * len(scan.findings.incidents) + ["alert"] * len(scan.findings.alerts)
    assert all(r["schema_version"] == SCHEMA_VERSION for r in records)
    alerts = {r["id"]: r for r in records if r["type"] == "alert"}
    for record in records:
        assert record["source_event_ids"], record["id"]
        # Every cited event is a real row of the store.
        assert set(record["source_event_ids"]) <= set(scan.events)
    for incident in (r for r in records if r["type"] == "incident"):
        members = [alerts[i] for i in incident["alert_ids"]]
        assert all(m["incident_id"] == incident["id"] for m in members)
        assert set(incident["source_event_ids"]) == {e for m in members for e in m["source_event_ids"]}


def test_suppressed_matches_come_last_with_their_reason_unless_left_out(scan):
    assert not any(r["suppressed"] for r in _lines(scan.findings, include_suppressed=False) if r["type"] == "alert")
    records = _lines(scan.findings)
    shown = [r for r in records if r["type"] == "alert" and r["suppressed"]]
    assert len(shown) == len(scan.findings.suppressed) == 1
    assert records[-1] == shown[0]
    assert shown[0]["suppression_reason"].startswith("approved identity: DR runbook")
    assert shown[0]["incident_id"] is None


def test_every_record_is_valid_against_the_shipped_schema_and_uses_only_its_fields(scan):
    schema = findings_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    strict = jsonschema.Draft202012Validator(_strict(schema))
    records = _lines(scan.findings)
    assert {r["type"] for r in records} == {"incident", "alert"}
    for record in records:
        errors = sorted(strict.iter_errors(record), key=str)
        assert not errors, f"{record['type']} {record['id']}: {errors[0].message} at {list(errors[0].path)}"


def test_the_json_document_is_valid_against_the_schema(scan):
    schema = _strict(findings_schema())
    document_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/document"}
    jsonschema.Draft202012Validator(document_schema).validate(json.loads(json.dumps(scan.findings.to_dict())))


def test_the_schema_rejects_what_consumers_rely_on_being_there(scan):
    validator = jsonschema.Draft202012Validator(findings_schema())
    record = next(finding_records(scan.findings))
    for broken in ({**record, "type": "finding"}, {k: v for k, v in record.items() if k != "source_event_ids"},
                   {**record, "severity": "Critical"}, {**record, "created_at": "2026-11-20 10:00"}):
        assert not validator.is_valid(json.loads(json.dumps(broken)))


def test_line_breaks_inside_values_never_split_a_record():
    record = {"why": "a\nb\r\u2028c\u2029d\x85e", "title": "<script>"}
    line = json_line(record)
    assert line.splitlines() == [line]
    assert json.loads(line) == record


def test_the_schema_doc_describes_every_field_of_the_schema():
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    fields = set()

    def collect(node):
        if isinstance(node, dict):
            fields.update(node.get("properties", {}))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(findings_schema())
    undocumented = sorted(f for f in fields if not re.search(rf"`{re.escape(f)}`", text))
    assert not undocumented, f"docs/findings-schema.md does not describe {undocumented}"


@pytest.mark.parametrize("kind", ["incident", "alert"])
def test_the_schema_doc_example_of_each_record_is_valid(kind):
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.S)]
    chosen = [e for e in examples if e.get("type") == kind]
    assert chosen, f"docs/findings-schema.md has no {kind} example"
    jsonschema.Draft202012Validator(_strict(findings_schema())).validate(chosen[0])
