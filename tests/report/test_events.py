"""Source events: looked up by id in every table, and read alike for AWS, Azure and GCP."""

from __future__ import annotations

from revertguard.ingest import ingest
from revertguard.kql import kql_literal
from revertguard.report import load_events
from revertguard.report.events import events_of
from revertguard.tables import TABLES
from tests.ingest.records import azure_rest_event, cloudtrail_record, gcp_entry, write_json, write_lines


def _scenario_events(scan, name):
    scenario = next(s for s in scan.labels["scenarios"] if s["name"] == name)
    events = load_events(scan.engine, scenario["events"])
    assert set(events) == set(scenario["events"])  # every labelled event is found, in whatever table
    return events_of(scenario["events"], events)


def test_aws_events_say_what_changed_and_what_was_created(scan):
    events = _scenario_events(scan, "aws-manual-root-swap")
    assert {e.table for e in events} == {"AWSCloudTrail"}
    created = next(e.facts for e in events if e.facts.operation == "CreateVolume")
    assert created.provider == "AWS" and created.service == "ec2.amazonaws.com" and created.succeeded
    assert "snapshotId=snap-" in created.changes
    assert created.created and created.created[0].startswith("vol-")
    attach = next(e.facts for e in events if e.facts.operation == "AttachVolume")
    assert attach.resource.startswith("i-") and "device=/dev/" in attach.changes
    assert attach.actor.startswith("arn:aws:") and attach.ip and attach.user_agent and attach.account
    times = [e.facts.time for e in events]
    assert times == sorted(times)


def test_failed_calls_show_their_error(scan):
    events = _scenario_events(scan, "aws-failed-revert-attempt")
    failed = [e.facts for e in events if not e.facts.succeeded]
    assert failed
    assert all(f.status and f.status != "Succeeded" for f in failed)


def test_azure_events(scan):
    events = _scenario_events(scan, "azure-disk-from-snapshot-os-swap")
    assert {e.table for e in events} == {"AzureActivity"}
    for facts in (e.facts for e in events):
        assert facts.provider == "Azure"
        assert facts.operation.upper().startswith("MICROSOFT.COMPUTE/")
        assert facts.resource.lower().startswith("/subscriptions/") and facts.account
        assert facts.actor and facts.ip
    disk = next(e.facts for e in events if "DISKS/WRITE" in e.facts.operation.upper() and e.facts.changes)
    assert "createOption=" in disk.changes


def test_gcp_events(scan):
    events = _scenario_events(scan, "gcp-disk-from-snapshot-boot-swap")
    assert {e.table for e in events} == {"GCPAuditLogs"}
    for facts in (e.facts for e in events):
        assert facts.provider == "GCP" and facts.service == "compute.googleapis.com"
        assert facts.operation.startswith(("v1.compute.", "beta.compute."))
        assert facts.resource.startswith("projects/") and facts.account
        assert "@" in facts.actor and facts.ip and facts.user_agent


def test_unknown_ids_are_left_out(scan):
    assert load_events(scan.engine, ["no-such-event", ""]) == {}


def test_raw_rows_show_as_json_with_iso_times(scan):
    event = next(iter(load_events(scan.engine, [scan.hostile_event_id]).values()))
    text = event.to_json()
    assert '"TimeGenerated": "2026-11-20T15:00:00Z"' in text and "<script>" in text


class QueryLog:
    """An engine that keeps the SQL of every query it runs."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.sql: list[str] = []

    def catalog(self):
        return self.engine.catalog()

    def run(self, query, **options):
        result = self.engine.run(query, **options)
        self.sql.append(result.sql)
        return result


def test_ids_over_several_tables_are_read_with_one_query_per_table(engine, store, tmp_path):
    wanted = {"AWSCloudTrail": ["ct-1", "it's \"quoted\""], "AzureActivity": ["evdata-1", "a']b"],
              "GCPAuditLogs": ["-abc1", "back\\slash"]}
    ingest([str(write_json(tmp_path / "ct.json", {"Records": [cloudtrail_record(n, eventID=i)
                                                              for n, i in enumerate(wanted["AWSCloudTrail"])]})),
            str(write_json(tmp_path / "azure.json", {"value": [azure_rest_event(n, eventDataId=i)
                                                                for n, i in enumerate(wanted["AzureActivity"])]})),
            str(write_lines(tmp_path / "gcp.jsonl", [gcp_entry(n, insertId=i)
                                                       for n, i in enumerate(wanted["GCPAuditLogs"])]))], store)
    missing = [f"missing-{n}" for n in range(450)]  # more ids than one query used to take
    log = QueryLog(engine)

    events = load_events(log, [*missing, *(i for ids in wanted.values() for i in ids), "", "ct-1"])

    assert {i: e.table for i, e in events.items()} == {i: table for table, ids in wanted.items() for i in ids}
    for event_id, event in events.items():  # each the row a query for that one id returns
        column = TABLES[event.table].id_column
        assert [event.row] == engine.run(f"{event.table} | where {column} == {kql_literal(event_id)}").to_dicts()
    assert len(log.sql) == sum(1 for t in TABLES.values() if t.id_column)
    assert not any("missing-" in sql for sql in log.sql)  # ids are data given to the engine, not query text
