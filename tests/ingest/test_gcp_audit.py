"""GCP audit log entries land in GCPAuditLogs as the Sentinel connector stores them."""

from __future__ import annotations

import json
from datetime import datetime

from revertguard.ingest import ingest
from tests.ingest.records import gcp_entry, rows, write_json, write_lines


def test_entry_columns(store, tmp_path):
    entry = gcp_entry(2)
    report = ingest([str(write_lines(tmp_path / "activity.jsonl", [entry, gcp_entry(3)]))], store)
    assert report.rejected == 0 and report.added == 2
    row = rows(store, "GCPAuditLogs")[0]
    payload = entry["protoPayload"]
    assert row["TimeGenerated"] == datetime(2026, 11, 20, 14, 2, 1, 987654)  # receiveTimestamp
    assert row["Timestamp"] == datetime(2026, 11, 20, 14, 2, 0, 123456)  # when it happened
    assert row["InsertId"] == "-abc2"
    assert row["LogName"] == entry["logName"]
    assert row["MethodName"] == "v1.compute.disks.insert"
    assert row["ServiceName"] == "compute.googleapis.com"
    assert row["GCPResourceName"] == payload["resourceName"]
    assert row["GCPResourceType"] == "gce_disk"
    assert row["PrincipalEmail"] == "carol@example.com"
    assert row["ProjectId"] == "prod-project"
    assert row["Severity"] == "NOTICE"
    assert row["NumResponseItems"] == "3"
    assert row["StatusMessage"] == "ok"
    for column, key in (("Request", "request"), ("Response", "response"), ("RequestMetadata", "requestMetadata"),
                        ("AuthenticationInfo", "authenticationInfo"), ("AuthorizationInfo", "authorizationInfo"),
                        ("ResourceLocation", "resourceLocation"), ("Status", "status"), ("Metadata", "metadata")):
        assert json.loads(row[column]) == payload[key], column
    assert row["ServiceData"] is None and row["ResourceOriginalState"] is None
    assert row["Type"] == "GCPAuditLogs"


def test_caller_ip_is_only_in_request_metadata(store, tmp_path):
    ingest([str(write_lines(tmp_path / "a.jsonl", [gcp_entry()]))], store)
    value = store.con.execute("SELECT RequestMetadata->>'callerIp' FROM GCPAuditLogs").fetchone()[0]
    assert value == "203.0.113.10"


def test_single_entry_documents_arrays_and_logging_exports_load(store, tmp_path):
    single = write_json(tmp_path / "one.json", gcp_entry(1), pretty=True)
    array = write_json(tmp_path / "many.json", [gcp_entry(2), gcp_entry(3)])
    export = write_json(tmp_path / "entries.json", {"entries": [gcp_entry(4)], "nextPageToken": "t"})
    report = ingest([str(single), str(array), str(export)], store)
    assert report.rejected == 0 and report.added == 4


def test_time_generated_falls_back_to_the_event_time(store, tmp_path):
    entry = gcp_entry()
    del entry["receiveTimestamp"]
    ingest([str(write_lines(tmp_path / "a.jsonl", [entry]))], store)
    (row,) = rows(store, "GCPAuditLogs")
    assert row["TimeGenerated"] == row["Timestamp"]


def test_entries_without_an_audit_payload_are_rejected(store, tmp_path):
    text_entry = {"insertId": "t1", "logName": "projects/p/logs/syslog", "timestamp": "2026-11-20T00:00:00Z",
                  "receiveTimestamp": "2026-11-20T00:00:00Z", "textPayload": "hello"}
    report = ingest([str(write_lines(tmp_path / "a.jsonl", [gcp_entry(), text_entry]))], store)
    assert report.added == 1 and report.rejected == 1
    assert "no protoPayload" in report.rejections[0].reason and report.rejections[0].position == "line 2"
