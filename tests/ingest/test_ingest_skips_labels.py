"""A folder written by `revertguard simulate` holds its labels file; ingest skips it, not rejects it."""

from revertguard.ingest import ingest


def test_labels_file_beside_logs_is_skipped_not_rejected(store, tmp_path):
    (tmp_path / "revertguard-labels.json").write_text('{"schema_version": 1, "scenarios": []}')
    (tmp_path / "events.jsonl").write_text(
        '{"eventVersion":"1.09","eventTime":"2026-11-20T10:00:00Z","eventSource":"ec2.amazonaws.com",'
        '"eventName":"DescribeInstances","eventID":"e1"}\n')
    report = ingest([str(tmp_path)], store)
    assert report.rejected == 0
    assert report.added == 1
    assert [s.reason for s in report.skipped] == ["not a log file"]
