"""A real scan for the output tests: simulated attacks and noise, hostile records, the shipped rules.

The store holds simulated AWS, Azure and GCP telemetry (attack scenarios with intrusion context,
a benign look-alike, background noise with the simulator's hostile user agent) plus three
CloudTrail records written here: a root-volume replacement whose user agent, user name and
request carry script and event-handler markup, and one by a disaster-recovery operator an
approval watchlist suppresses (with markup in the reason too). Every rule runs over
it as `detect` runs them; the findings and the events behind them are what the tests render.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from revertguard.detect import Findings, detect
from revertguard.ingest import RawRecord, ingest, ingest_records
from revertguard.kql import DuckDBEngine
from revertguard.report import SourceEvent, cited_event_ids, load_events
from revertguard.rules import load_rules
from revertguard.rules.watchlist import shipped_watchlists
from revertguard.simulate import generate
from revertguard.store import Store

SCENARIOS = ["aws-replace-root-to-snapshot-delete-replaced", "aws-manual-root-swap", "aws-replace-root-to-image",
             "azure-disk-from-snapshot-os-swap", "gcp-disk-from-snapshot-boot-swap", "aws-failed-revert-attempt",
             "aws-dr-restore-with-change-ticket"]
ACCOUNT = "111122223333"
HOSTILE_INSTANCE = "i-0badc0ffee0000001"
DR_OPERATOR = f"arn:aws:iam::{ACCOUNT}:user/dr-operator"
# Markup in every place an analyst reads: the user agent, the user name, request values, a watchlist reason.
HOSTILE_SUFFIX = '"><img src=x onerror="document.title=\'pwned\'"><svg onload=alert(2)>'
HOSTILE_USER = "mallory<b>bold</b>"
HOSTILE_REASON = "DR runbook <i>RB-12</i> <script>alert(3)</script>"


@dataclass
class Scan:
    store: Store
    engine: DuckDBEngine
    findings: Findings
    events: dict[str, SourceEvent]
    labels: dict
    hostile_user_agent: str
    hostile_event_id: str


def _cloudtrail(event_id: str, time: str, *, arn: str, user: str, user_agent: str, snapshot: str) -> RawRecord:
    record = {
        "eventVersion": "1.09", "eventTime": time, "eventSource": "ec2.amazonaws.com",
        "eventName": "CreateReplaceRootVolumeTask", "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.23",
        "userAgent": user_agent, "eventID": event_id, "requestID": event_id[::-1], "readOnly": False,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE0000000001", "arn": arn,
                         "accountId": ACCOUNT, "userName": user},
        "requestParameters": {"CreateReplaceRootVolumeTaskRequest": {
            "InstanceId": HOSTILE_INSTANCE, "SnapshotId": snapshot, "TagSpecification": {
                "Tag": [{"Key": "note", "Value": "<script>alert(1)</script>"}]}}},
        "responseElements": {"CreateReplaceRootVolumeTaskResponse": {"replaceRootVolumeTask": {
            "replaceRootVolumeTaskId": "replacevol-0badc0ffee0000001", "instanceId": HOSTILE_INSTANCE,
            "snapshotId": snapshot, "taskState": "pending"}}},
    }
    return RawRecord("<test>", event_id, json.dumps(record).encode())


def _tricky_user_agent(engine: DuckDBEngine, labels: dict) -> str:
    """The simulator's own hostile user agent, read back from the store."""
    tricky = labels["tricky_values"][0]
    events = load_events(engine, [tricky["event"]])
    return str(events[tricky["event"]].row["UserAgent"])


@pytest.fixture(scope="session")
def scan(tmp_path_factory) -> Scan:
    folder: Path = tmp_path_factory.mktemp("simulated")
    labels = generate(SCENARIOS, folder, seed=11, intrusion_context=True)
    store = Store()
    approvals = shipped_watchlists()
    approved = approvals["RevertGuardApprovedIdentities"].with_rows([{
        "Identity": DR_OPERATOR, "Cloud": "aws", "Scope": "*", "Operations": "*", "Reason": HOSTILE_REASON,
        "Owner": "cloud-platform@example.com", "Expires": ""}])
    for definition in [*approvals.values(), approved]:
        store.put_watchlist(definition.to_store())
    ingest([str(folder)], store)
    engine = DuckDBEngine(store)
    user_agent = _tricky_user_agent(engine, labels) + " " + HOSTILE_SUFFIX
    hostile_id = "7e1c0de0-0000-4bad-8bad-000000000001"
    report = ingest_records([
        _cloudtrail(hostile_id, "2026-11-20T15:00:00Z", arn=f"arn:aws:iam::{ACCOUNT}:user/{HOSTILE_USER}",
                    user=HOSTILE_USER, user_agent=user_agent, snapshot="snap-0badc0ffee0000001"),
        _cloudtrail("7e1c0de0-0000-4bad-8bad-000000000002", "2026-11-20T15:05:00Z", arn=DR_OPERATOR,
                    user="dr-operator", user_agent="aws-cli/2.15.0", snapshot="snap-0badc0ffee0000002"),
    ], store)
    assert not report.rejected, report.rejections
    findings = detect(engine, load_rules("all"))
    return Scan(store, engine, findings, load_events(engine, cited_event_ids(findings)), labels, user_agent,
                hostile_id)
