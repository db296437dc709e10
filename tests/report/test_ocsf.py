"""OCSF output: Detection Finding (class 2004) records with the required fields, enums and evidence.

The checks are the OCSF v1.8.0 facts (research/sentinel-and-formats.md section 4.2) written as
code. (py-ocsf-models was tried as a second opinion and does not fit: it models OCSF 1.5 with
requirements OCSF does not have, such as `api.service.uid`, and an incomplete observable enum.)
"""

from __future__ import annotations

import io
import json

import pytest

from revertguard.report import OCSF_VERSION, to_ocsf
from revertguard.report.ocsf import write_ocsf

REQUIRED = {"activity_id", "category_uid", "class_uid", "finding_info", "metadata", "severity_id", "time", "type_uid"}
SEVERITY_IDS = {0, 1, 2, 3, 4, 5, 6, 99}
STATUS_IDS = {1, 2, 3, 4, 5, 6}
# evidences[] constraint: at least one of these.
EVIDENCE_AT_LEAST_ONE = {"actor", "api", "connection_info", "data", "database", "databucket", "device", "dst_endpoint",
                         "email", "file", "process", "query", "resources", "src_endpoint", "url", "user", "job",
                         "script"}


def check_detection_finding(finding: dict) -> None:
    """The OCSF v1.8.0 requirements of a Detection Finding with the cloud profile."""
    assert finding.keys() >= REQUIRED, REQUIRED - finding.keys()
    assert (finding["class_uid"], finding["category_uid"], finding["activity_id"]) == (2004, 2, 1)
    assert finding["type_uid"] == finding["class_uid"] * 100 + finding["activity_id"] == 200401
    assert finding["severity_id"] in SEVERITY_IDS
    assert finding.get("status_id", 1) in STATUS_IDS
    assert isinstance(finding["time"], int) and finding["time"] > 1_600_000_000_000  # milliseconds
    for key in ("start_time", "end_time"):
        assert isinstance(finding.get(key, 0), int)
    metadata = finding["metadata"]
    assert metadata["version"] == OCSF_VERSION == "1.8.0"
    assert metadata["product"]["name"] and metadata["product"]["vendor_name"] and metadata["product"]["version"]
    assert "cloud" in metadata["profiles"]
    assert finding["cloud"]["provider"] in {"AWS", "Azure", "GCP"}
    info = finding["finding_info"]
    assert info["uid"] and info["title"] and info["analytic"]["type_id"] == 1 and info["analytic"]["uid"]
    for attack in info.get("attacks", []):
        assert {"tactic", "technique", "sub_technique"} & attack.keys()
        assert attack["version"]
    for evidence in finding.get("evidences", []):
        assert EVIDENCE_AT_LEAST_ONE & evidence.keys(), evidence
        if "api" in evidence:
            assert evidence["api"]["operation"]
    for observable in finding.get("observables", []):
        assert {"name", "type_id", "value"} <= observable.keys() and observable["type_id"] in {1, 2, 4, 10}
    json.dumps(finding)  # plain JSON all the way down


def test_every_alert_is_a_valid_detection_finding(scan):
    findings = to_ocsf(scan.findings, scan.events)
    assert len(findings) == len(scan.findings.alerts) + len(scan.findings.suppressed)
    for finding in findings:
        check_detection_finding(finding)


def test_attack_labels_name_the_sub_technique_its_tactic_and_the_attack_version(scan):
    finding = to_ocsf(scan.findings, scan.events)[0]
    assert finding["finding_info"]["attacks"] == [{
        "version": "18.1",
        "tactic": {"uid": "TA0005", "name": "Defense Evasion", "src_url": "https://attack.mitre.org/tactics/TA0005/"},
        "technique": {"uid": "T1578", "name": "Modify Cloud Compute Infrastructure",
                      "src_url": "https://attack.mitre.org/techniques/T1578/"},
        "sub_technique": {"uid": "T1578.004", "name": "Revert Cloud Instance",
                          "src_url": "https://attack.mitre.org/techniques/T1578/004/"},
    }]


def test_evidences_are_the_source_events_with_who_where_and_what(scan):
    by_id = {a.id: a for a in [*scan.findings.alerts, *scan.findings.suppressed]}
    for finding in to_ocsf(scan.findings, scan.events):
        alert = by_id[finding["finding_info"]["uid"]]
        assert [e["uid"] for e in finding["evidences"]] == [e.event_id for e in sorted(
            (scan.events[i] for i in alert.source_event_ids), key=lambda e: e.facts.time)]
    hostile = next(f for f in to_ocsf(scan.findings, scan.events)
                   if any(e["uid"] == scan.hostile_event_id for e in f["evidences"]))
    evidence = hostile["evidences"][0]
    assert evidence["api"] == {"operation": "CreateReplaceRootVolumeTask", "service": {"name": "ec2.amazonaws.com"},
                               "request": {"uid": scan.hostile_event_id[::-1]}}
    assert evidence["actor"]["user"]["name"] == "mallory<b>bold</b>"
    assert evidence["actor"]["user"]["account"] == {"uid": "111122223333", "type_id": 10, "type": "AWS Account"}
    assert evidence["src_endpoint"] == {"ip": "198.51.100.23"}
    assert evidence["http_request"] == {"user_agent": scan.hostile_user_agent}  # as logged: escaping is for markup
    assert evidence["resources"][0]["uid"] == "i-0badc0ffee0000001"
    assert hostile["cloud"] == {"provider": "AWS", "region": "eu-west-1",
                                "account": {"uid": "111122223333", "type_id": 10, "type": "AWS Account"}}
    assert {"uid": "snap-0badc0ffee0000001", "type": "snapshot", "name": "snap-0badc0ffee0000001",
            "region": "eu-west-1"} in hostile["resources"]
    assert {"type_id": 2, "type": "IP Address", "name": "evidences.src_endpoint.ip",
            "value": "198.51.100.23"} in hostile["observables"]


def test_incidents_show_as_correlation_uid_and_related_findings(scan):
    findings = {f["finding_info"]["uid"]: f for f in to_ocsf(scan.findings, scan.events)}
    grouped = next(i for i in scan.findings.incidents if len(i.alert_ids) > 2)
    for alert_id in grouped.alert_ids:
        finding = findings[alert_id]
        assert finding["metadata"]["correlation_uid"] == grouped.id
        related = {r["uid"] for r in finding["finding_info"]["related_events"]}
        assert related == set(grouped.alert_ids) - {alert_id}
        assert finding["finding_info"]["related_events_count"] == len(grouped.alert_ids) - 1


def test_suppressed_matches_are_suppressed_findings_unless_left_out(scan):
    assert all(f["status_id"] == 1 and f["is_alert"]
               for f in to_ocsf(scan.findings, scan.events, include_suppressed=False))
    every = to_ocsf(scan.findings, scan.events)
    suppressed = [f for f in every if f["status_id"] == 3]
    assert len(suppressed) == 1
    check_detection_finding(suppressed[0])
    assert suppressed[0]["is_alert"] is False and suppressed[0]["status"] == "Suppressed"
    assert suppressed[0]["status_detail"].startswith("approved identity: DR runbook")


def test_without_the_events_each_evidence_still_names_its_event(scan):
    with_events = {f["finding_info"]["uid"]: f for f in to_ocsf(scan.findings, scan.events)}
    for finding in to_ocsf(scan.findings):
        check_detection_finding(finding)
        assert all(e["data"]["source_event_id"] == e["uid"] for e in finding["evidences"])
        # The cloud is read from the rule's output columns, and agrees with the events.
        expected = with_events[finding["finding_info"]["uid"]]["cloud"]
        assert finding["cloud"]["provider"] == expected["provider"]
        if "account" in finding["cloud"]:
            assert finding["cloud"]["account"] == expected["account"]


def test_write_ocsf_writes_one_finding_per_line(scan):
    out = io.StringIO()
    assert write_ocsf(scan.findings, out, scan.events) == len(scan.findings.alerts) + 1
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["finding_info"]["uid"] for line in lines] == [
        a.id for a in [*scan.findings.alerts, *scan.findings.suppressed]]


@pytest.mark.parametrize(("severity", "severity_id"), [("Informational", 1), ("Low", 2), ("Medium", 3), ("High", 4)])
def test_severities_map_to_ocsf_ids(scan, severity, severity_id):
    alert = scan.findings.alerts[0]
    original = alert.severity
    try:
        alert.severity = severity
        assert to_ocsf(scan.findings, scan.events)[0]["severity_id"] == severity_id
    finally:
        alert.severity = original
