"""`ingest --parquet DIR`: the ingest pipeline, with Parquet files as the destination.

The run goes through the ordinary pipeline into a staging store: a temporary DuckDB file
inside DIR, memory-capped and committed in chunks as any store is, so memory stays flat
however large the input. The staging store first receives the deduplication keys of the rows
already in DIR, so a record stored before counts as a duplicate, exactly as in a DuckDB store.
When the run ends, its rows are appended to DIR's tables as new files and the staging file is
deleted; a run that stores nothing (`--strict` stopping at a problem) writes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from sqlglot import exp

from revertguard.errors import InputError
from revertguard.ingest import IngestReport, ingest
from revertguard.ingest.pipeline import INGEST_MEMORY_LIMIT, ProgressCallback
from revertguard.kql.catalog import physical_table
from revertguard.parquet.layout import parquet_files
from revertguard.parquet.write import append_run, prepare_folder
from revertguard.store import KEY_COLUMN, RUN_COLUMN, Store
from revertguard.tables import TABLES

_EXISTING_KEYS = "_rg_existing_keys"


def ingest_to_parquet(paths: list[str], root: Path, *, strict: bool = False, jobs: int = 1,
                      progress: ProgressCallback | None = None) -> IngestReport:
    """Ingest `paths` and append what they add to the Parquet tables under `root`."""
    manifest = prepare_folder(root)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".revertguard-staging-") as staging, \
            Store(Path(staging) / "staging.duckdb") as store:
        _load_existing_keys(store, root)
        report = ingest(paths, store, strict=strict, jobs=jobs, progress=progress)
        if not report.stopped_early:
            append_run(store, root, manifest)
    return report


def _load_existing_keys(store: Store, root: Path) -> None:
    """Key-only rows (run 0) for every row already under `root`: ingest keeps the first copy of a
    key, so records stored before come out as duplicates."""
    with store.memory_limit(INGEST_MEMORY_LIMIT):
        for name in TABLES:
            files = parquet_files(root / name)
            if not files:
                continue
            try:
                store.con.read_parquet(files).create_view(_EXISTING_KEYS, replace=True)
                insert = exp.insert(
                    exp.select(exp.column(KEY_COLUMN, quoted=True), exp.Literal.number(0)).from_(_EXISTING_KEYS),
                    exp.Schema(this=physical_table(name),
                               expressions=[exp.to_identifier(KEY_COLUMN, quoted=True),
                                            exp.to_identifier(RUN_COLUMN, quoted=True)]))
                store.con.execute(insert.sql(dialect="duckdb"))
            except duckdb.Error as exc:  # unreadable files, or files without the key column
                raise InputError(f"cannot read the deduplication keys of {root / name}: "
                                 f"{str(exc).splitlines()[0]}") from None
            finally:
                store.con.execute(f"DROP VIEW IF EXISTS {_EXISTING_KEYS}")
