"""`revertguard scan`: exit codes, formats, suppressed matches with reasons, escaping of log text."""

from __future__ import annotations

import json

import pytest

from revertguard.cli import main
from revertguard.detect.scan import scan
from revertguard.kql.engines import EngineOptions
from revertguard.report.events import cited_event_ids
from revertguard.rules import DETECTIONS_DIR
from revertguard.store import Store

HOSTILE_NAME = "[bold red]pwned[/]\x1b[31m"
HOSTILE_AGENT = "Mozilla/5.0 <script>alert(1)</script> [link=http://x]y[/link]"
# One rule is enough where the point is the command's behaviour, not the rule pack's.
ROOT_RULE = str(DETECTIONS_DIR / "AwsRootVolumeReplaced.yaml")


@pytest.fixture(scope="module")
def sample_jsonl():
    """`scan --sample --format jsonl`, run once: (exit status, records)."""
    import io
    from contextlib import redirect_stdout
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["scan", "--sample", "--format", "jsonl"])
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def write_trail(path, *records):
    path.write_text(json.dumps({"Records": list(records)}))
    return path


def event(event_id, name, **fields):
    record = {"eventVersion": "1.09", "eventTime": "2026-11-20T10:00:00Z", "eventSource": "ec2.amazonaws.com",
              "eventName": name, "eventID": event_id, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
              "userAgent": HOSTILE_AGENT, "recipientAccountId": "111122223333",
              "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::111122223333:user/{HOSTILE_NAME}",
                               "userName": HOSTILE_NAME}}
    record.update(fields)
    return record


def test_sample_has_incidents_exit_1_and_every_record_carries_its_events(sample_jsonl):
    status, records = sample_jsonl
    assert status == 1
    types = {r["type"] for r in records}
    assert types == {"incident", "alert"}
    incidents = [r for r in records if r["type"] == "incident"]
    assert len(incidents) == 15  # the sample's 15 attack scenarios
    assert all(r["source_event_ids"] for r in records)
    alerts = {r["id"]: r for r in records if r["type"] == "alert"}
    for incident in incidents:
        assert incident["chain"]["nodes"] and incident["severity"] in ("Medium", "High")
        members = [alerts[i] for i in incident["alert_ids"]]
        assert set(incident["source_event_ids"]) == {e for a in members for e in a["source_event_ids"]}
        assert all(a["incident_id"] == incident["id"] for a in members)


def test_suppressed_matches_are_in_the_machine_output_with_their_reason(sample_jsonl):
    _, records = sample_jsonl
    suppressed = [r for r in records if r["type"] == "alert" and r["suppressed"]]
    assert suppressed and all(r["suppression_reason"] for r in suppressed)
    assert any("CI/CD principal: acme/web deploy-staging" in r["suppression_reason"] for r in suppressed)
    assert all(r["incident_id"] is None for r in suppressed)


def test_table_lists_incidents_and_shows_suppressed_reasons_on_request(capsys):
    assert main(["scan", "--sample"]) == 1
    out = capsys.readouterr().out
    assert "15 incident(s)" in out and "suppressed by watchlists (--show-suppressed lists them)" in out
    assert "CI/CD principal" not in out
    assert main(["scan", "--sample", "--show-suppressed", "--rules", ROOT_RULE]) == 1
    out = capsys.readouterr().out
    assert "suppressed match(es)" in out and "CI/CD principal: acme/web deploy-staging" in out


def test_exit_zero_keeps_the_findings_but_exits_0(capsys):
    assert main(["scan", "--sample", "--exit-zero", "--rules", ROOT_RULE]) == 0
    assert "incident(s)" in capsys.readouterr().out
    assert main(["scan", "--exit-zero"]) == 2  # usage errors still fail


def test_clean_logs_exit_0(tmp_path, capsys):
    trail = write_trail(tmp_path / "trail.json", event("e1", "DescribeInstances"))
    assert main(["scan", str(trail)]) == 0
    assert "No incidents." in capsys.readouterr().out


def test_usage_and_input_errors_exit_2(tmp_path, capsys):
    assert main(["scan"]) == 2
    assert "give at least one log file or folder" in capsys.readouterr().err
    assert main(["scan", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    trail = write_trail(tmp_path / "trail.json", event("e1", "DescribeInstances"))
    assert main(["scan", str(trail), "--since", "yesterday"]) == 2
    assert "is not an ISO 8601 time" in capsys.readouterr().err
    assert main(["scan", str(trail), "--rules", "no-such-rules"]) == 2
    (tmp_path / "bad.json").write_text("{not json")
    assert main(["scan", str(tmp_path / "bad.json"), "--strict"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_scanning_a_store_that_is_not_there_says_so_and_makes_none(tmp_path, capsys):
    missing = tmp_path / "typo.duckdb"
    assert main(["scan", "--db", str(missing)]) == 2
    assert f"no store at {missing}" in capsys.readouterr().err and not missing.exists()


def test_scan_gives_watchlists_to_the_engine_without_writing_them_into_the_store(tmp_path, capsys):
    db = tmp_path / "store.duckdb"
    assert main(["scan", "--sample", "--db", str(db), "--format", "jsonl", "--exit-zero"]) == 0
    with Store(db, read_only=True) as store:
        assert store.watchlists() == {}


def test_attacker_controlled_text_is_shown_as_text(tmp_path, capsys):
    trail = write_trail(tmp_path / "trail.json", event(
        "e1", "CreateReplaceRootVolumeTask",
        requestParameters={"CreateReplaceRootVolumeTaskRequest": {"InstanceId": "i-0a1b2c3d4e5f60718"}}))
    assert main(["scan", str(trail), "--rules", ROOT_RULE]) == 1
    out = capsys.readouterr().out
    assert "[bold red]pwned[/]" in out  # the markup is printed, not applied
    assert "\x1b" not in out and "\\x1b[31m" in out  # the escape sequence is shown, not sent to the terminal
    assert main(["scan", str(trail), "--format", "jsonl", "--rules", ROOT_RULE]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    alert = next(r for r in records if r["type"] == "alert")
    assert alert["custom_details"]["UserAgent"] == [HOSTILE_AGENT]  # data stays exact in JSON
    assert alert["rows"][0]["AccountName"] == HOSTILE_NAME


def test_json_document_and_library_call_agree(tmp_path, capsys):
    trail = write_trail(tmp_path / "trail.json", event(
        "e1", "CreateReplaceRootVolumeTask",
        requestParameters={"CreateReplaceRootVolumeTaskRequest": {"InstanceId": "i-0a1b2c3d4e5f60718"}}))
    assert main(["scan", str(trail), "--format", "json", "--replay", "--rules", ROOT_RULE]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["schema_version"] == 1 and document["mode"] == "replay"
    assert document["ingest"]["added"] == 1
    assert [a["fired_at"] for a in document["alerts"]] == ["2026-11-20T11:00:00Z"]
    result = scan([str(trail)], rules=ROOT_RULE)
    assert [i.source_event_ids for i in result.findings.incidents] == [["e1"]]


# -- engines -----------------------------------------------------------------------------------------

@pytest.mark.spark
def test_scan_on_spark_finds_exactly_what_scan_on_duckdb_finds(sample_jsonl, spark, capsys):
    capsys.readouterr()
    status = main(["scan", "--sample", "--format", "jsonl", "--engine", "spark"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (status, records) == sample_jsonl


def test_scan_into_a_parquet_folder_then_again_from_it(tmp_path, capsys):
    trail = write_trail(tmp_path / "trail.json", event(
        "e1", "CreateReplaceRootVolumeTask",
        requestParameters={"CreateReplaceRootVolumeTaskRequest": {"InstanceId": "i-0a1b2c3d4e5f60718"}}))
    lake = str(tmp_path / "lake")
    first = scan([str(trail)], rules=ROOT_RULE, engine=EngineOptions(parquet=lake))
    assert first.ingest.added == 1 and [i.source_event_ids for i in first.findings.incidents] == [["e1"]]
    again = scan([], rules=ROOT_RULE, engine=EngineOptions(parquet=lake))  # what the folder holds
    assert [i.source_event_ids for i in again.findings.incidents] == [["e1"]]
    assert main(["scan", "--engine", "spark", "--db", str(tmp_path / "s.duckdb"), str(trail)]) == 2
    assert "scan into --parquet DIR instead of --db" in capsys.readouterr().err


def test_scan_on_a_parquet_folder_reads_back_every_cited_event_and_writes_no_watchlist_there(tmp_path):
    lake = tmp_path / "lake"
    on_store = scan([], sample=True, with_events=True)
    on_parquet = scan([], sample=True, with_events=True, engine=EngineOptions(parquet=str(lake)))
    cited = set(cited_event_ids(on_parquet.findings))
    assert cited and set(on_parquet.events) == cited == set(on_store.events)
    assert {k: e.row for k, e in on_parquet.events.items()} == {k: e.row for k, e in on_store.events.items()}
    assert not (lake / "_watchlists").exists()
