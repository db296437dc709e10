"""Source events: looked up by id in every table, and read alike for AWS, Azure and GCP."""

from __future__ import annotations

from revertguard.report import load_events
from revertguard.report.events import events_of


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
