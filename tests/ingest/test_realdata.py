"""The real public samples in ../shared/realdata load with no unexpected rejections."""

from __future__ import annotations

import json
from datetime import datetime

from revertguard.ingest import ingest
from revertguard.ingest.timestamps import TimestampError, parse_iso
from tests.ingest.records import rows, write_lines


def test_stratus_detonation_logs_load_completely(store, realdata):
    folder = realdata / "stratus-red-team" / "docs" / "detonation-logs"
    expected = sum(len(json.loads(p.read_text())) for p in folder.glob("*.json"))
    report = ingest([str(folder)], store)
    assert report.rejected == 0, [str(r) for r in report.rejections[:5]]
    assert report.counts("AWSCloudTrail").read == expected == 310
    assert report.added + report.duplicates == expected


def test_stratus_stop_modify_start_sequence_is_intact(store, realdata):
    ingest([str(realdata / "stratus-red-team" / "docs" / "detonation-logs" / "aws.execution.ec2-user-data.json")],
           store)
    events = [(r["EventName"], json.loads(r["RequestParameters"]) if r["RequestParameters"] else {})
              for r in rows(store, "AWSCloudTrail")
              if r["EventName"] in ("StopInstances", "ModifyInstanceAttribute", "StartInstances")]
    assert [name for name, _ in events] == ["StopInstances", "ModifyInstanceAttribute", "StartInstances"]
    assert events[0][1]["instancesSet"]["items"][0]["instanceId"] == "i-DDd6c7B0e18F0E35f"
    assert events[0][1]["force"] is True


def test_sentinel_training_lab_exports_load(store, realdata):
    folder = realdata / "sentinel-training-lab" / "Artifacts" / "Telemetry"
    report = ingest([str(folder / "azureActivity_adele.csv"), str(folder / "azure_activity.csv")], store)
    assert report.rejected == 0, [str(r) for r in report.rejections[:5]]
    assert report.counts("AzureActivity").read == 23 + 325
    stored = rows(store, "AzureActivity")
    deletes = [r for r in stored if r["OperationNameValue"] == "MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE"]
    assert len(deletes) == 3
    assert {r["ActivityStatusValue"] for r in deletes} <= {"Start", "Accept", "Success"}
    assert json.loads(deletes[0]["Properties_d"])["resourceProviderValue"] == "MICROSOFT.COMPUTE"
    legacy = [r for r in stored if r["OperationName"] == "Start Virtual Machine"]
    assert len(legacy) == 3 and legacy[0]["OperationNameValue"] == ""
    assert min(r["TimeGenerated"] for r in stored) >= datetime(2021, 4, 26)


def test_panther_fixtures_are_rejected_only_for_the_reasons_they_deserve(store, realdata, tmp_path):
    logs = [json.loads(line)["log"]
            for line in (realdata / "panther-analysis" / "aws_cloudtrail_rule_tests.derived.jsonl").open()]
    path = write_lines(tmp_path / "panther.jsonl", logs)
    report = ingest([str(path)], store)

    def expected_reason(log: dict) -> str | None:
        if "eventName" not in log:  # normalised to lower-case keys: not CloudTrail's own shape
            return "not a record revertguard knows"
        if "eventTime" not in log:
            return "eventTime: missing timestamp"
        try:
            parse_iso(log["eventTime"])
        except TimestampError:
            return "eventTime: not an ISO 8601 timestamp"
        return None

    expected = {f"line {i}": reason for i, log in enumerate(logs, 1) if (reason := expected_reason(log))}
    got = {r.position: r.reason for r in report.rejections}
    assert set(got) == set(expected)
    for position, reason in got.items():
        assert reason.startswith(expected[position]), (position, reason)
    assert report.records_read == len(logs) == report.added + report.duplicates + report.rejected
