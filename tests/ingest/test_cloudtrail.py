"""CloudTrail in every container lands in AWSCloudTrail exactly as Sentinel's connector puts it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from revertguard.ingest import cloudtrail, ingest
from revertguard.ingest.reader import RowReader
from revertguard.store import Store
from revertguard.tables import AWS_CLOUDTRAIL
from tests.ingest.records import (
    ACCOUNT,
    cloudtrail_record,
    delivery_path,
    rows,
    without,
    write_json,
    write_lines,
)


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def test_mapping_lists_every_column_in_table_order():
    assert [f.column for f in cloudtrail.MAPPING] == AWS_CLOUDTRAIL.column_names


def test_every_column_holds_the_raw_field_sentinel_maps_to_it(store, tmp_path):
    record = cloudtrail_record(7)
    report = ingest([str(write_json(delivery_path(tmp_path), {"Records": [record]}, gz=True))], store)
    assert report.rejected == 0
    (row,) = rows(store, "AWSCloudTrail")
    identity = record["userIdentity"]
    session = identity["sessionContext"]
    assert row == {
        "TimeGenerated": datetime(2026, 11, 20, 12, 7, 7),
        "AwsEventId": record["eventID"],
        "EventVersion": "1.09",
        "EventSource": "ec2.amazonaws.com",
        "EventTypeName": "AwsApiCall",
        "EventName": "StopInstances",
        "UserIdentityType": "AssumedRole",
        "UserIdentityPrincipalid": identity["principalId"],
        "UserIdentityArn": identity["arn"],
        "UserIdentityAccountId": ACCOUNT,
        "UserIdentityInvokedBy": "cloudformation.amazonaws.com",
        "UserIdentityAccessKeyId": identity["accessKeyId"],
        "UserIdentityUserName": "alice7",
        "SessionMfaAuthenticated": True,
        "SessionCreationDate": datetime(2026, 11, 20, 11, 58, 2),
        "SessionIssuerType": "Role",
        "SessionIssuerPrincipalId": "AROAISSUER",
        "SessionIssuerArn": session["sessionIssuer"]["arn"],
        "SessionIssuerAccountId": "444455556666",
        "SessionIssuerUserName": "Admin",
        "AWSRegion": "us-east-1",
        "SourceIpAddress": "198.51.100.23",
        "UserAgent": "aws-cli/2.17.3 Python/3.11.9",
        "ErrorCode": "",
        "ErrorMessage": "",
        "RequestParameters": _compact(record["requestParameters"]),
        "ResponseElements": _compact(record["responseElements"]),
        "AdditionalEventData": '{"x":1}',
        "AwsRequestId": record["requestID"],
        "AwsRequestId_": record["requestID"],
        "Resources": _compact(record["resources"]),
        "APIVersion": "2016-11-15",
        "ReadOnly": False,
        "RecipientAccountId": ACCOUNT,
        "ServiceEventDetails": '{"snapshotId":"snap-1"}',
        "SharedEventId": "shared-1",
        "VpcEndpointId": "vpce-1",
        "ManagementEvent": True,
        "TenantId": "",
        "SourceSystem": "",
        "OperationName": "",
        "Category": "",
        "EC2RoleDelivery": "2.0",
        "TlsVersion": "TLSv1.3",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "ClientProvidedHostHeader": "ec2.us-east-1.amazonaws.com",
        "IpProtocol": "",
        "SourcePort": "",
        "DestinationPort": "",
        "CidrIp": "",
        "UserIdentityUserId": "uid-123",
        "UserIdentityStoreArn": identity["onBehalfOf"]["identityStoreArn"],
        "Type": "AWSCloudTrail",
        "_BilledSize": None,
        "_IsBillable": "True",
    }


def test_absent_fields_are_empty_strings_and_null_blobs_are_empty(store, tmp_path):
    record = without(cloudtrail_record(), "userIdentity", "tlsDetails", "additionalEventData", "resources",
                     "serviceEventDetails", "readOnly")
    record["responseElements"] = None
    ingest([str(write_json(tmp_path / "a.json", [record]))], store)
    (row,) = rows(store, "AWSCloudTrail")
    assert row["UserIdentityArn"] == "" and row["SessionIssuerArn"] == "" and row["TlsVersion"] == ""
    assert row["ResponseElements"] == "" and row["AdditionalEventData"] == "" and row["Resources"] == ""
    assert row["SessionMfaAuthenticated"] is None and row["ReadOnly"] is None and row["SessionCreationDate"] is None


def test_security_group_rule_fields_come_from_the_first_rule(store, tmp_path):
    record = cloudtrail_record(eventName="AuthorizeSecurityGroupIngress", requestParameters={
        "groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                                                        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}})
    ingest([str(write_json(tmp_path / "a.json", [record]))], store)
    (row,) = rows(store, "AWSCloudTrail")
    assert (row["IpProtocol"], row["SourcePort"], row["DestinationPort"], row["CidrIp"]) == ("tcp", "22", "22",
                                                                                           "0.0.0.0/0")


def test_pretty_printed_blobs_are_stored_compact(store, tmp_path):
    record = cloudtrail_record(requestParameters={"a": [1, 2], "b": {"c": "x y"}})
    ingest([str(write_json(delivery_path(tmp_path), {"Records": [record]}, pretty=True))], store)
    assert rows(store, "AWSCloudTrail")[0]["RequestParameters"] == '{"a":[1,2],"b":{"c":"x y"}}'


def test_non_string_values_and_string_booleans_are_coerced(store, tmp_path):
    record = cloudtrail_record(eventVersion=1.08, readOnly="true", managementEvent="false")
    record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
    report = ingest([str(write_json(tmp_path / "a.json", [record]))], store)
    assert report.rejected == 0
    (row,) = rows(store, "AWSCloudTrail")
    assert row["EventVersion"] == "1.08"
    assert row["ReadOnly"] is True and row["ManagementEvent"] is False and row["SessionMfaAuthenticated"] is False


@pytest.mark.parametrize("event_time, expected", [
    ("2026-11-20T12:00:00Z", datetime(2026, 11, 20, 12)),
    ("2026-11-20T12:00:00.1234567Z", datetime(2026, 11, 20, 12, 0, 0, 123456)),
    ("2026-11-20T13:30:00+01:30", datetime(2026, 11, 20, 12)),
    ("2026-11-20 12:00:00", datetime(2026, 11, 20, 12)),  # normalisers such as Panther's
])
def test_event_times_in_any_offset_are_stored_as_utc(store, tmp_path, event_time, expected):
    ingest([str(write_json(tmp_path / "a.json", [cloudtrail_record(eventTime=event_time)]))], store)
    assert rows(store, "AWSCloudTrail")[0]["TimeGenerated"] == expected


def _containers(tmp_path, records):
    """The same records in every container CloudTrail logs arrive in."""
    gz = write_json(delivery_path(tmp_path / "s3gz"), {"Records": records}, gz=True)
    plain = write_json(tmp_path / "s3plain" / "trail.json", {"Records": records})
    org = write_json(delivery_path(tmp_path / "org", org="o-abc123def4"), {"Records": records}, gz=True)
    jsonl = write_lines(tmp_path / "lines.jsonl.gz", records, gz=True)
    array = write_json(tmp_path / "array.json", records)
    bridge = write_lines(tmp_path / "eventbridge.jsonl", [
        {"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
         "account": ACCOUNT, "time": r["eventTime"], "region": "us-east-1", "resources": [], "detail": r}
        for r in records])
    lookup = write_json(tmp_path / "lookup.json", {"Events": [
        {"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": json.dumps(r)} for r in records]})
    return {"s3 gzip": gz, "s3 plain": plain, "organization trail": org, "json lines": jsonl, "array": array,
            "eventbridge": bridge, "lookup events": lookup}


def test_every_container_gives_the_same_rows(tmp_path):
    records = [cloudtrail_record(n) for n in range(1, 6)]
    results = {}
    for name, path in _containers(tmp_path, records).items():
        with Store() as store:
            report = ingest([str(path)], store)
            assert report.rejected == 0, (name, [str(r) for r in report.rejections])
            assert report.added == len(records), name
            results[name] = rows(store, "AWSCloudTrail")
    first = results.pop("s3 gzip")
    for name, got in results.items():
        assert got == first, name


def test_the_same_records_in_several_containers_are_stored_once(store, tmp_path):
    records = [cloudtrail_record(n) for n in range(1, 4)]
    paths = [str(p) for p in _containers(tmp_path, records).values()]
    report = ingest(paths, store)
    assert report.added == 3
    assert report.duplicates == 3 * (len(paths) - 1)
    assert report.records_read == report.added + report.duplicates + report.rejected


def test_records_without_an_event_id_are_deduplicated_by_content(store, tmp_path):
    record = without(cloudtrail_record(), "eventID")
    other = without(cloudtrail_record(2), "eventID")
    path = write_json(tmp_path / "a.json", [record, other, record])
    report = ingest([str(path)], store)
    assert (report.added, report.duplicates) == (2, 1)
    assert all(r["AwsEventId"] == "" for r in rows(store, "AWSCloudTrail"))


def test_digest_and_insight_files_are_skipped_and_counted(store, tmp_path):
    write_json(delivery_path(tmp_path), {"Records": [cloudtrail_record()]}, gz=True)
    digest = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Digest" / "us-east-1" / "2026" / "11" / "20"
    write_json(digest / f"{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T120000Z.json.gz",
               {"digestStartTime": "x"}, gz=True)
    insight = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Insight" / "us-east-1" / "2026" / "11" / "20"
    write_json(insight / f"{ACCOUNT}_CloudTrail-Insight_us-east-1_20261120T1210Z_x.json.gz", {"Records": []},
               gz=True)
    report = ingest([str(tmp_path)], store)
    assert report.added == 1 and report.rejected == 0
    assert sorted(s.reason for s in report.skipped) == ["CloudTrail Insights file", "CloudTrail digest file"]


@pytest.fixture
def read_alone(monkeypatch) -> list[str]:
    """The inputs read record by record (not by DuckDB's file reader), in order."""
    names: list[str] = []
    original = RowReader.read

    def spy(self, source):
        names.append(source.name)
        return original(self, source)

    monkeypatch.setattr(RowReader, "read", spy)
    return names


@pytest.mark.parametrize("limit", [("GROUP_FILES", 3), ("GROUP_BYTES", 1)], ids=["by-files", "by-bytes"])
def test_many_delivery_files_load_in_several_duckdb_queries(store, tmp_path, monkeypatch, read_alone, limit):
    monkeypatch.setattr(f"revertguard.ingest.pipeline.{limit[0]}", limit[1])
    loads = []
    original = cloudtrail.load_files

    def counted(store, paths, **options):
        loads.append(len(paths))
        return original(store, paths, **options)

    monkeypatch.setattr(cloudtrail, "load_files", counted)
    for n in range(10):
        write_json(tmp_path / f"f{n}.json.gz", {"Records": [cloudtrail_record(n * 10 + i) for i in range(4)]},
                   gz=True)
    report = ingest([str(tmp_path)], store)
    assert report.added == 40 and report.rejected == 0
    assert loads == ([3, 3, 3, 1] if limit[0] == "GROUP_FILES" else [1] * 10) and read_alone == []


def test_a_delivery_file_duckdb_cannot_read_falls_back_alone_whichever_query_it_is_in(store, tmp_path, monkeypatch):
    # A failed query aborts DuckDB's open transaction, which holds the groups loaded before it.
    monkeypatch.setattr("revertguard.ingest.pipeline.GROUP_FILES", 2)
    for n in range(3):
        write_json(tmp_path / f"f{n}.json.gz", {"Records": [cloudtrail_record(n * 10 + i) for i in range(4)]},
                   gz=True)
    whole = write_json(tmp_path / "f3.json.gz", {"Records": [cloudtrail_record(90 + i) for i in range(400)]}, gz=True)
    whole.write_bytes(whole.read_bytes()[:len(whole.read_bytes()) // 2])
    report = ingest([str(tmp_path)], store)
    assert report.added == 12 and len(store.con.execute('SELECT * FROM "AWSCloudTrail"').fetchall()) == 12
    ((source, position, reason),) = [(r.source, r.position, r.reason) for r in report.rejections]
    assert (source.endswith("f3.json.gz"), position) == (True, "file") and "truncated" in reason
    assert report.records_read == report.added + report.duplicates + report.rejected


def test_unreadable_delivery_files_in_a_large_group_are_found_and_only_they_are_read_record_by_record(
        store, tmp_path, read_alone):
    for n in range(20):
        write_json(tmp_path / f"f{n:02}.json.gz", {"Records": [cloudtrail_record(n * 10 + i) for i in range(3)]},
                   gz=True)
    truncated = tmp_path / "f03.json.gz"
    truncated.write_bytes(truncated.read_bytes()[:-12])
    (tmp_path / "f17.json").write_text('{"Records": [' + json.dumps(cloudtrail_record(999)) + ", {oops}]}")
    report = ingest([str(tmp_path)], store)
    assert sorted(Path(name).name for name in read_alone) == ["f03.json.gz", "f17.json"]
    stored = {r["AwsEventId"] for r in rows(store, "AWSCloudTrail")}
    intact = {cloudtrail_record(n * 10 + i)["eventID"] for n in range(20) if n != 3 for i in range(3)}
    assert intact <= stored and report.rejected == 2
    assert sorted(Path(r.source).name for r in report.rejections) == ["f03.json.gz", "f17.json"]
    assert report.records_read == report.added + report.duplicates + report.rejected


@pytest.mark.parametrize("parse_once_from", [0, 1 << 30], ids=["parsed-once-first", "lenient"])
def test_values_of_an_unexpected_shape_in_delivery_files_are_read_as_in_other_containers(
        tmp_path, monkeypatch, parse_once_from):
    monkeypatch.setattr("revertguard.ingest.pipeline.GROUP_FILES", 1)
    monkeypatch.setattr("revertguard.ingest.pipeline.PARSE_ONCE_MIN_BYTES", parse_once_from)
    odd = [cloudtrail_record(2, tlsDetails=[1]), cloudtrail_record(3, userIdentity="someone"),
           cloudtrail_record(4, eventName={"a": 1}), cloudtrail_record(5, readOnly=[True])]
    write_json(delivery_path(tmp_path / "s3"), {"Records": [cloudtrail_record(1)]}, gz=True)
    write_json(tmp_path / "s3" / "AWSLogs" / "x.json.gz", {"Records": odd}, gz=True)
    write_lines(tmp_path / "lines" / "all.jsonl", [cloudtrail_record(1), *odd])
    results = []
    for folder in ("s3", "lines"):
        with Store() as store:
            report = ingest([str(tmp_path / folder)], store)
            results.append(([r.reason for r in report.rejections], report.added,
                             rows(store, "AWSCloudTrail", order="AwsEventId")))
    assert results[0][1] == 4 and results[0] == results[1]


def test_ingest_turns_vacuuming_back_on_when_done(store, tmp_path):
    settings = "SELECT current_setting('max_vacuum_tasks')"
    before = store.con.execute(settings).fetchall()
    write_json(delivery_path(tmp_path), {"Records": [cloudtrail_record()]}, gz=True)
    assert ingest([str(tmp_path)], store).added == 1
    assert store.con.execute(settings).fetchall() == before


@pytest.mark.parametrize("cap", [None, "3GB"])
def test_ingest_gives_back_the_stores_memory_limit_exactly(tmp_path, cap):
    # DuckDB prints its limit rounded (18.7 GiB): restoring that text would shrink it a little each run.
    limit = "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'"
    write_json(delivery_path(tmp_path), {"Records": [cloudtrail_record()]}, gz=True)
    with Store(memory_limit=cap) as store, Store(memory_limit=cap) as untouched:
        assert ingest([str(tmp_path)], store).added == 1
        assert store.con.execute(limit).fetchall() == untouched.con.execute(limit).fetchall()
