"""`export_tables`: a store's tables and watchlists as Parquet that reads back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revertguard.errors import UsageError
from revertguard.ingest import ingest
from revertguard.kql import DuckDBEngine
from revertguard.parquet import export_tables
from revertguard.parquet.layout import MANIFEST, read_local_manifest
from revertguard.samples import sample_logs_dir
from revertguard.store import Store, Watchlist
from revertguard.tables import TABLES

WATCHLIST = Watchlist("RevertGuardApprovedIdentities", "Identity", ["Identity", "Cloud"],
                      [{"Identity": "arn:aws:iam::1:role/dr", "Cloud": "aws"}], "approved")


@pytest.fixture(scope="module")
def sample_store():
    with Store() as store:
        assert ingest([str(sample_logs_dir())], store).ok
        store.put_watchlist(WATCHLIST)
        yield store


@pytest.fixture(scope="module")
def exported(sample_store, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export")
    export_tables(sample_store, root)
    return root


def all_rows(engine, table: str) -> list[tuple]:
    columns = ", ".join(f"['{c.name}']" for c in TABLES[table].columns)
    return sorted(engine.run(f"{table} | project {columns}").rows, key=repr)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_row_and_column_reads_back_unchanged(sample_store, exported, table):
    from_files = DuckDBEngine.over_parquet(exported)
    assert all_rows(from_files, table) == all_rows(DuckDBEngine(sample_store), table)


def test_layout_is_one_folder_per_table_and_utc_day(exported):
    days = sorted(p.name for p in (exported / "AWSCloudTrail").iterdir())
    assert days == ["day=2026-11-20", "day=2026-11-21"]
    assert all(f.suffix == ".parquet" for f in (exported / "AWSCloudTrail" / days[0]).iterdir())
    manifest = json.loads((exported / MANIFEST).read_text())
    assert manifest["format"] == "revertguard-parquet" and manifest["dynamic_columns"].startswith("JSON text")
    assert manifest["watchlists"]["RevertGuardApprovedIdentities"]["search_key"] == "Identity"


def test_watchlists_read_back_with_their_columns(exported):
    engine = DuckDBEngine.over_parquet(exported)
    rows = engine.run("_GetWatchlist('RevertGuardApprovedIdentities') | project SearchKey, Identity, Cloud").rows
    assert rows == [("arn:aws:iam::1:role/dr", "arn:aws:iam::1:role/dr", "aws")]
    assert read_local_manifest(exported).watchlists["RevertGuardApprovedIdentities"].description == "approved"


def test_dynamic_columns_are_json_text_in_the_files(exported):
    import pyarrow.parquet as pq

    files = sorted((exported / "AzureActivity").rglob("*.parquet"))
    table = pq.read_table(files[0])
    assert table.schema.field("Properties_d").type == "string"
    assert str(table.schema.field("TimeGenerated").type) == "timestamp[us, tz=UTC]"
    assert json.loads(table.column("Properties_d")[0].as_py())  # JSON text, as stored


def test_exporting_again_replaces_the_tables(sample_store, tmp_path):
    export_tables(sample_store, tmp_path)
    export_tables(sample_store, tmp_path)
    engine = DuckDBEngine.over_parquet(tmp_path)
    assert engine.run("AWSCloudTrail | count").rows == DuckDBEngine(sample_store).run("AWSCloudTrail | count").rows


def test_an_empty_table_has_no_folder_and_reads_as_empty(tmp_path):
    with Store() as store:
        export_tables(store, tmp_path)
    assert not (tmp_path / "AWSCloudTrail").exists()
    assert DuckDBEngine.over_parquet(tmp_path).run("AWSCloudTrail | count").rows == [(0,)]


def test_a_folder_holding_other_things_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with Store() as store, pytest.raises(UsageError, match="not empty"):
        export_tables(store, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
