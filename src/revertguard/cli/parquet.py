"""`revertguard export-tables`: a store's tables as Parquet, for Spark (or DuckDB) to read."""

from __future__ import annotations

from pathlib import Path

import click

from revertguard.cli.ingest import db_option, print_stats
from revertguard.errors import UsageError
from revertguard.parquet import export_tables
from revertguard.store import Store, check_store_exists


@click.command("export-tables")
@db_option
@click.option("--out", "out", metavar="DIR", required=True, help="The folder to write (new, empty, or written "
                                                                   "by revertguard before).")
@click.option("--format", "output_format", type=click.Choice(["parquet"]), default="parquet", show_default=True,
              help="The file format.")
def export_tables_command(db: str | None, out: str, output_format: str) -> int:
    """Write the store's tables and watchlists as Parquet, one folder per table and UTC day.

    Both engines read the folder: `revertguard kql --parquet DIR [--engine spark]`. Dynamic
    columns are JSON text; a folder written before is replaced table by table.
    """
    if db is None:
        raise UsageError("give the store to export with --db PATH")
    check_store_exists(db)
    with Store(db, read_only=True) as store:
        stats = export_tables(store, Path(out))
    print_stats(stats, f"{output_format} {out}")
    return 0

