"""`ingest --parquet`: the ingest pipeline writing Parquet, deduplicating against what is there."""

from __future__ import annotations

import pytest

from revertguard.ingest import ingest
from revertguard.kql import DuckDBEngine
from revertguard.parquet import ingest_to_parquet
from revertguard.samples import sample_logs_dir
from revertguard.store import Store

SAMPLE = str(sample_logs_dir())


def counts(engine) -> list:
    return [engine.run(f"{t} | count").rows[0][0] for t in ("AWSCloudTrail", "AzureActivity", "GCPAuditLogs")]


def test_ingest_to_parquet_holds_what_a_store_holds(tmp_path):
    report = ingest_to_parquet([SAMPLE], tmp_path / "lake")
    with Store() as store:
        ingest([SAMPLE], store)
        assert counts(DuckDBEngine.over_parquet(tmp_path / "lake")) == counts(DuckDBEngine(store))
        query = "AzureActivity | summarize c = count(), p = dcount(tostring(Properties_d)) by OperationNameValue"
        assert sorted(DuckDBEngine.over_parquet(tmp_path / "lake").run(query).rows) == \
            sorted(DuckDBEngine(store).run(query).rows)
    assert report.ok and report.added == 1475 and report.duplicates == 0
    assert not [p for p in (tmp_path / "lake").iterdir() if p.name.startswith(".")]  # no staging left


def test_ingesting_the_same_logs_again_adds_nothing(tmp_path):
    ingest_to_parquet([SAMPLE], tmp_path)
    files = sorted(tmp_path.rglob("*.parquet"))
    again = ingest_to_parquet([SAMPLE], tmp_path)
    assert (again.added, again.duplicates) == (0, 1475)
    assert sorted(tmp_path.rglob("*.parquet")) == files
    assert counts(DuckDBEngine.over_parquet(tmp_path)) == [453, 578, 444]


def test_new_records_are_appended_as_new_files(tmp_path):
    aws = sample_logs_dir() / "aws"
    ingest_to_parquet([str(aws)], tmp_path)
    report = ingest_to_parquet([SAMPLE], tmp_path)
    assert (report.added, report.duplicates) == (1475 - 453, 453)
    assert counts(DuckDBEngine.over_parquet(tmp_path)) == [453, 578, 444]


def test_a_strict_run_that_stops_writes_nothing(tmp_path):
    bad = tmp_path / "in" / "bad.json"
    bad.parent.mkdir()
    bad.write_text('{"Records": [{"eventTime": "not a time", "eventID": "x"}]}\n')
    report = ingest_to_parquet([SAMPLE, str(bad)], tmp_path / "lake", strict=True)
    assert report.stopped_early
    assert not list((tmp_path / "lake").rglob("*.parquet"))


def test_files_without_deduplication_keys_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from revertguard.errors import InputError
    from revertguard.parquet.layout import Manifest, write_local_manifest

    write_local_manifest(tmp_path, Manifest())
    (tmp_path / "AWSCloudTrail" / "day=2026-01-01").mkdir(parents=True)
    pq.write_table(pa.table({"EventName": ["x"]}), tmp_path / "AWSCloudTrail" / "day=2026-01-01" / "f.parquet")
    with pytest.raises(InputError, match="deduplication keys"):
        ingest_to_parquet([SAMPLE], tmp_path)
