"""Bad input is rejected with file, position and reason; everything else still loads; counts add up."""

from __future__ import annotations

import gzip
import json

import pytest

from revertguard.ingest import ingest
from revertguard.store import Store
from tests.ingest.records import (
    azure_diagnostic_record,
    azure_rest_event,
    cloudtrail_record,
    delivery_path,
    gcp_entry,
    without,
    write_json,
    write_lines,
)


def _run(store, *paths, **options):
    report = ingest([str(p) for p in paths], store, **options)
    if not report.stopped_early:
        assert report.records_read == report.added + report.duplicates + report.rejected
    return report


def _reasons(report):
    return [(r.source.rsplit("/", 1)[-1], r.position, r.reason) for r in report.rejections]


def test_malformed_delivery_file_is_pinpointed_and_the_other_files_still_load(store, tmp_path):
    good = write_json(delivery_path(tmp_path), {"Records": [cloudtrail_record(1), cloudtrail_record(2)]}, gz=True)
    bad = tmp_path / "AWSLogs" / "bad.json.gz"
    bad.write_bytes(gzip.compress(b'{"Records": [\n  {"eventName": "X",\n   "eventTime": }\n]}'))
    report = _run(store, good, bad)
    assert report.added == 2
    assert _reasons(report) == [("bad.json.gz", "line 3, column 17", "malformed JSON: invalid character")]


def test_truncated_gzip_keeps_the_lines_before_the_break(store, tmp_path):
    data = gzip.compress(b"".join(json.dumps(cloudtrail_record(n)).encode() + b"\n" for n in range(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    report = _run(store, path)
    assert 0 < report.added < 200
    (rejection,) = report.rejections
    assert rejection.position.startswith("after line ") and "truncated" in rejection.reason


def test_truncated_delivery_file_is_rejected_whole(store, tmp_path):
    data = gzip.compress(json.dumps({"Records": [cloudtrail_record(n) for n in range(50)]}).encode())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(data[:-30])
    report = _run(store, path)
    assert report.added == 0
    assert _reasons(report) == [("cut.json.gz", "file", "cannot decompress: the gzip stream is truncated")]


def test_unknown_format_and_wrong_encoding(store, tmp_path):
    (tmp_path / "notes.log").write_text("Nov 20 12:00:01 host sshd[1]: Accepted publickey\n")
    (tmp_path / "latin1.csv").write_bytes(
        "TimeGenerated [UTC],Type,AwsEventId,UserAgent\n2026-11-20T00:00:00Z,AWSCloudTrail,e1,caf\xe9\n"
        .encode("latin-1"))
    report = _run(store, tmp_path / "notes.log", tmp_path / "latin1.csv")
    reasons = _reasons(report)
    assert reasons[0][:2] == ("notes.log", "file") and reasons[0][2].startswith("unknown format")
    assert reasons[1][0] == "latin1.csv" and "not UTF-8" in reasons[1][2]


def test_records_of_the_wrong_source_are_rejected(store, tmp_path):
    delivery = write_json(delivery_path(tmp_path), {"Records": [cloudtrail_record(), gcp_entry()]}, gz=True)
    lines = write_lines(tmp_path / "ct.jsonl", [cloudtrail_record(2), azure_rest_event()])
    report = _run(store, delivery, lines)
    assert report.added == 2
    assert _reasons(report) == [
        (delivery.name, "Records[1]", "looks like a GCP audit log entry, not an AWS CloudTrail record"),
        ("ct.jsonl", "line 2", "a record for AzureActivity in a file of AWSCloudTrail records"),
    ]


@pytest.mark.parametrize("record, field, name", [
    (without(cloudtrail_record(), "eventTime"), "eventTime", "ct.json"),
    (without(azure_rest_event(), "eventTimestamp"), "eventTimestamp", "az.json"),
    (without(azure_diagnostic_record(), "time"), "time", "az.json"),
    (without(gcp_entry(), "receiveTimestamp", "timestamp"), "receiveTimestamp", "gcp.json"),
])
def test_records_without_a_timestamp_are_rejected(store, tmp_path, record, field, name):
    path = write_json(tmp_path / name, [record])
    report = _run(store, path)
    (rejection,) = report.rejections
    assert rejection.position == "record 1"
    assert rejection.reason.startswith(field) and "missing timestamp" in rejection.reason
    assert rejection.table is not None


def test_bad_values_are_rejected_with_the_field_and_value(store, tmp_path):
    bad_time = cloudtrail_record(1, eventTime="yesterday")
    bad_bool = cloudtrail_record(2)
    bad_bool["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = "maybe"
    report = _run(store, write_json(tmp_path / "a.json", [bad_time, bad_bool, cloudtrail_record(3)]))
    assert report.added == 1
    assert [r.reason for r in report.rejections] == [
        "eventTime: not an ISO 8601 timestamp: yesterday",
        "userIdentity.sessionContext.attributes.mfaAuthenticated: not a boolean: maybe",
    ]


def test_non_objects_and_unknown_records(store, tmp_path):
    path = write_json(tmp_path / "odd.json", [cloudtrail_record(), 42, {"hello": "world"}, None])
    report = _run(store, path)
    assert report.added == 1
    assert [(r.position, r.reason) for r in report.rejections] == [
        ("record 2", "expected a JSON object"),
        ("record 3", "not a record revertguard knows (keys: hello)"),
        ("record 4", "expected a JSON object"),
    ]


def test_records_that_is_not_a_list(store, tmp_path):
    report = _run(store, write_json(tmp_path / "odd.json.gz", {"Records": {"eventName": "x"}}, gz=True))
    assert [(r.position, r.reason) for r in report.rejections] == [
        ("file", "`Records` is not a list in this CloudTrail delivery file")]


def test_empty_and_blank_files(store, tmp_path):
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "blank.json").write_bytes(b"\n \n")
    report = _run(store, tmp_path / "empty.json", tmp_path / "blank.json")
    assert report.added == 0
    assert _reasons(report) == [("blank.json", "file", "no records (the file is blank)")]


def test_strict_stops_at_the_first_problem_and_stores_nothing(store, tmp_path):
    before = write_json(tmp_path / "before.json", [cloudtrail_record(9)])
    assert _run(store, before).added == 1
    first = write_json(tmp_path / "a.json", [cloudtrail_record(1)])
    broken = write_json(tmp_path / "b.json", [without(cloudtrail_record(2), "eventTime")])
    later = write_json(tmp_path / "c.json", [cloudtrail_record(3)])
    report = _run(store, first, broken, later, strict=True)
    assert report.stopped_early and not report.ok
    assert report.rejected == 1 and report.added == 0
    assert store.con.execute("SELECT count(*) FROM AWSCloudTrail").fetchone()[0] == 1  # only the earlier run


def test_stdin_is_read_like_a_file(store, tmp_path, monkeypatch):
    import io
    import sys

    data = b"".join(json.dumps(azure_diagnostic_record(n)).encode() + b"\n" for n in range(3))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    report = _run(store, "-")
    assert report.added == 3 and report.rejected == 0


def test_wide_rows_commit_by_size_so_memory_stays_bounded(store, tmp_path, monkeypatch):
    # Azure and GCP rows are wide: an open chunk is held in memory, so it commits by bytes too.
    commits = []
    original = Store._commit_chunk

    def counted(self):
        commits.append(dict(self._chunk))
        original(self)

    monkeypatch.setattr(Store, "_commit_chunk", counted)
    monkeypatch.setattr("revertguard.store.CHUNK_BYTES", 1)
    records = [azure_diagnostic_record(n) for n in range(7)]
    report = _run(store, write_lines(tmp_path / "a.jsonl", records + records[:2]), batch_rows=3)
    assert (report.added, report.duplicates) == (7, 2)
    assert [c.get("AzureActivity") for c in commits if c] == [3, 3, 3]


def test_runs_commit_in_chunks_yet_deduplicate_and_roll_back_as_a_whole(store, tmp_path, monkeypatch):
    monkeypatch.setattr("revertguard.store.CHUNK_ROWS", 2)
    records = [cloudtrail_record(n) for n in range(7)]
    report = _run(store, write_json(tmp_path / "a.json", records + records[:3]),
                  write_lines(tmp_path / "b.jsonl", records[2:5]))
    assert (report.added, report.duplicates) == (7, 6)
    count = "SELECT count(*) FROM AWSCloudTrail"
    assert store.con.execute(count).fetchone()[0] == 7
    later = write_json(tmp_path / "c.json", [cloudtrail_record(n) for n in range(10, 15)])
    broken = write_json(tmp_path / "d.json", [without(cloudtrail_record(20), "eventTime")])
    report = _run(store, later, broken, strict=True)
    assert report.stopped_early
    assert store.con.execute(count).fetchone()[0] == 7  # the chunks of the failed run were undone
