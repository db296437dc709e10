"""Running rules like Sentinel: windows, replay, triggers, grouping, entities, provenance, dedup."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from revertguard.detect import DetectOptions, detect
from revertguard.detect.findings import Alert, Entity, Resource, stable_id
from revertguard.detect.incidents import group_incidents
from revertguard.detect.runner import AlertLedger
from revertguard.detect.schedule import (
    WindowedCatalog,
    estimated_fire_time,
    grid_time_at_or_after,
    replay_windows,
)
from revertguard.ingest import RawRecord, ingest_records
from revertguard.kql import DuckDBEngine
from revertguard.rules import load_rules
from tests.rules.files import small_rule, write_rule

T0 = datetime(2026, 11, 20, 10, 0)


def cloudtrail(event_id: str, when: datetime, name: str, **fields) -> dict:
    record = {"eventVersion": "1.09", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "eventSource": "ec2.amazonaws.com", "eventName": name, "eventID": event_id, "awsRegion": "us-east-1",
              "sourceIPAddress": "203.0.113.9",
              "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/intruder",
                               "userName": "intruder"}, "recipientAccountId": "111122223333"}
    record.update(fields)
    return record


def load(store, *records: dict) -> None:
    report = ingest_records([RawRecord("<test>", str(i), json.dumps(r).encode()) for i, r in enumerate(records)], store)
    assert not report.rejected


def replace_root(event_id: str, when: datetime, instance: str = "i-0a1b2c3d4e5f60718") -> dict:
    return cloudtrail(event_id, when, "CreateReplaceRootVolumeTask",
                      requestParameters={"CreateReplaceRootVolumeTaskRequest": {"InstanceId": instance}})


@pytest.fixture
def engine(store):
    from revertguard.rules.watchlist import shipped_watchlists
    for definition in shipped_watchlists().values():
        store.put_watchlist(definition.to_store())
    return DuckDBEngine(store)


def test_replay_runs_on_sentinels_grid_with_its_delay():
    rule = load_rules("default")[0]  # hourly over a day
    windows = replay_windows(rule, T0 + timedelta(minutes=12), T0 + timedelta(hours=2, minutes=1))
    assert [w.fired_at for w in windows] == [T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=3)]
    assert windows[0].end == T0 + timedelta(minutes=55) and windows[0].start == windows[0].end - timedelta(days=1)
    assert grid_time_at_or_after(T0, timedelta(hours=1)) == T0
    assert estimated_fire_time(rule, T0 + timedelta(minutes=56)) == T0 + timedelta(hours=2)


def test_windowed_catalog_shows_each_run_only_its_window(engine, store):
    load(store, replace_root("e1", T0), replace_root("e2", T0 + timedelta(hours=3)))
    windowed = WindowedCatalog(engine.catalog(), T0, T0 + timedelta(hours=3))
    assert engine.run("AWSCloudTrail | project AwsEventId", catalog=windowed).column("AwsEventId") == ["e2"]


def test_single_pass_and_replay_find_the_same_alert_once_with_its_fire_time(engine, store):
    load(store, replace_root("e1", T0 + timedelta(minutes=2)),
         cloudtrail("e2", T0 + timedelta(hours=5), "DescribeInstances"))
    rules = [r for r in load_rules("default") if r.stem == "AwsRootVolumeReplaced"]
    single = detect(engine, rules)
    replay = detect(engine, rules, DetectOptions(replay=True))
    assert [a.source_event_ids for a in single.alerts] == [["e1"]] == [a.source_event_ids for a in replay.alerts]
    assert single.alerts[0].fired_at == replay.alerts[0].fired_at == T0 + timedelta(hours=1)
    [run] = replay.rule_runs
    assert run.runs == 6 and run.duplicates == 5 and run.alerts == 1  # every later window finds it again
    assert replay.mode == "replay" and single.mode == "single-pass"
    since = detect(engine, rules, DetectOptions(since=T0 + timedelta(hours=1)))
    assert since.alerts == [] and since.data_start == T0 + timedelta(hours=5)


def test_a_later_window_seeing_more_of_a_chain_replaces_the_alert_keeping_its_first_fire_time():
    def alert(ids, fired, severity="Medium"):
        return Alert(stable_id(*ids), "r", "rule", "1.0.0", severity, "t", "d", [], [], fired, fired, fired, None, None,
                     source_event_ids=list(ids))
    ledger = AlertLedger()
    ledger.add(alert(["a"], T0))
    ledger.add(alert(["a", "b"], T0 + timedelta(hours=1), "High"))
    ledger.add(alert(["b"], T0 + timedelta(hours=2)))
    ledger.add(alert(["c"], T0 + timedelta(hours=3)))
    assert [(a.source_event_ids, a.fired_at, a.severity) for a in ledger.alerts] == [
        (["a", "b"], T0, "High"), (["c"], T0 + timedelta(hours=3), "Medium")]
    assert ledger.duplicates == 2


def test_trigger_threshold_entities_details_and_single_alert_grouping(engine, store, tmp_path):
    load(store, replace_root("e1", T0), replace_root("e2", T0 + timedelta(minutes=5), "i-0bbbbbbbbbbbbbbb2"))
    query = ("AWSCloudTrail | where EventName == 'CreateReplaceRootVolumeTask' "
             "| extend Instance = extract(@'(i-\\w+)', 1, RequestParameters), EventIds = pack_array(AwsEventId), "
             "Sev = iff(AwsEventId == 'e2', 'High', 'bogus')")
    host = {"entityType": "Host", "fieldMappings": [{"identifier": "HostName", "columnName": "Instance"}]}
    extra = {"entityMappings": [host],
             "customDetails": {"Instance": "Instance"},
             "alertDetailsOverride": {"alertDisplayNameFormat": "Root of {{Instance}} replaced",
                                      "alertSeverityColumnName": "Sev"}}
    per_row = write_rule(tmp_path, "per_row", small_rule(
        query=query, triggerThreshold=1, severity="Medium", **extra,
        eventGroupingSettings={"aggregationKind": "AlertPerResult"}))
    findings = detect(engine, load_rules(str(per_row)))
    assert sorted(a.title for a in findings.alerts) == ["Root of i-0a1b2c3d4e5f60718 replaced",
                                                        "Root of i-0bbbbbbbbbbbbbbb2 replaced"]
    # An invalid severity value falls back to the rule's severity, as in Sentinel.
    assert sorted(a.severity for a in findings.alerts) == ["High", "Medium"]
    assert findings.alerts[0].entities[0].type == "host"
    assert [i.title for i in findings.incidents] == ["Root of i-0bbbbbbbbbbbbbbb2 replaced",
                                                     "Root of i-0a1b2c3d4e5f60718 replaced"]
    single = write_rule(tmp_path, "single", small_rule(
        query=query, triggerThreshold=1, severity="Medium", **extra,
        eventGroupingSettings={"aggregationKind": "SingleAlert"}))
    [alert] = detect(engine, load_rules(str(single))).alerts
    assert alert.source_event_ids == ["e1", "e2"] and len(alert.rows) == 2
    assert alert.custom_details == {"Instance": ["i-0a1b2c3d4e5f60718", "i-0bbbbbbbbbbbbbbb2"]}
    # Two rows do not pass "gt 2": no alert.
    strict = write_rule(tmp_path, "strict", small_rule(query=query, triggerThreshold=2, **extra))
    assert detect(engine, load_rules(str(strict))).alerts == []


def test_rows_without_event_ids_are_matched_back_to_their_events(engine, store):
    stop = cloudtrail("e1", T0, "StopInstances", requestParameters={"instancesSet": {"items": [{"instanceId": "i-1"}]}})
    load(store, stop, cloudtrail("e2", T0, "DescribeInstances"))
    [alert] = detect(engine, load_rules("seed")).alerts
    assert alert.source_event_ids == ["e1"] and alert.event_ids_inferred


def _alert(name, first, resources=(), account="intruder", creates=True, severity="High"):
    return Alert(name, "rule-" + name, name, None, severity, name, "", [], [], first, first, first, first,
                 first + timedelta(minutes=5), entities=[Entity.of("account", {"Name": account})],
                 resources=[Resource("instance", r) for r in resources], creates_incident=creates)


def test_incidents_group_alerts_sharing_a_resource_within_the_window_and_not_by_identity():
    alerts = [_alert("a", T0, ["i-1", "vol-1"]), _alert("b", T0 + timedelta(hours=2), ["vol-1"]),
              _alert("c", T0 + timedelta(hours=1), ["i-2"]), _alert("d", T0 + timedelta(days=3), ["i-1"]),
              _alert("e", T0, ["i-3"], creates=False, severity="Low"), _alert("f", T0, ["i-2"], creates=False)]
    incidents = group_incidents(alerts, timedelta(hours=24))
    assert sorted(sorted(i.alert_ids) for i in incidents) == [["a", "b"], ["c", "f"], ["d"]]
    assert alerts[4].incident_id is None  # an attempt alone opens no incident
    seed_like = [_alert("x", T0), _alert("y", T0 + timedelta(hours=1)), _alert("z", T0, account="other")]
    assert sorted(sorted(i.alert_ids) for i in group_incidents(seed_like)) == [["x", "y"], ["z"]]


def test_replay_skips_runs_whose_window_holds_no_event_of_the_rules_tables(engine, store, tmp_path):
    load(store, replace_root("e1", T0 + timedelta(minutes=2)), replace_root("e2", T0 + timedelta(hours=5)))
    hourly = write_rule(tmp_path, "hourly", small_rule())  # every hour over the last hour
    [run] = detect(engine, load_rules(str(hourly)), DetectOptions(replay=True)).rule_runs
    assert (run.runs, run.skipped, run.alerts) == (6, 4, 2)
