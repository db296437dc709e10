"""Writing a store's rows as Parquet, laid out as `layout` describes.

DuckDB writes the files (its relation API takes the destination as an argument, so no path is
ever spliced into SQL); the SELECT that shapes the rows is built with sqlglot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from sqlglot import exp

from revertguard.errors import UsageError
from revertguard.kql.catalog import physical_table
from revertguard.parquet.layout import (
    MANIFEST,
    PARTITION_COLUMN,
    WATCHLIST_FOLDER,
    Manifest,
    WatchlistEntry,
    read_local_manifest,
    write_local_manifest,
)
from revertguard.store import KEY_COLUMN, RUN_COLUMN, Store, TableStats
from revertguard.tables import TABLES, KqlType, TableSchema

TIME_COLUMN = "TimeGenerated"

def stored_columns(schema: TableSchema) -> list[exp.Expression]:
    """A table's columns as its files hold them, in schema order: datetimes UTC-adjusted (every
    reader sees the same instant, whatever its time zone), dynamic values as JSON text."""
    out = []
    for column in schema.columns:
        value: exp.Expression = exp.column(column.name, quoted=True)
        if column.type is KqlType.DATETIME:
            value = exp.AtTimeZone(this=value, zone=exp.Literal.string("UTC"))
        elif column.type is KqlType.DYNAMIC:
            value = exp.cast(value, exp.DataType.build("VARCHAR"))
        out.append(exp.alias_(value, column.name, quoted=True))
    return out


def _table_select(schema: TableSchema, where: exp.Expression | None = None) -> str:
    day = exp.cast(exp.column(TIME_COLUMN, quoted=True), exp.DataType.build("DATE"))
    select = exp.select(*stored_columns(schema), exp.column(KEY_COLUMN, quoted=True),
                        exp.alias_(day, PARTITION_COLUMN, quoted=True)).from_(physical_table(schema.name))
    if where is not None:
        select = select.where(where)
    return select.sql(dialect="duckdb")


def write_table_rows(store: Store, schema: TableSchema, folder: Path, *, where: exp.Expression | None = None,
                     append: bool = False) -> None:
    """Write a table's rows (those matching `where`) under `folder`, one sub-folder per day."""
    with store.con.cursor() as cursor:  # a cursor of its own: the store may hold an unfinished result
        cursor.sql(_table_select(schema, where)).write_parquet(
            str(folder), partition_by=[PARTITION_COLUMN], append=append or None, filename_pattern="part-{uuid}",
            overwrite=None if append else True)


def write_rows(con: duckdb.DuckDBPyConnection, physical: str, schema: TableSchema, folder: Path) -> None:
    """Write every row of the DuckDB table `physical` (with `schema`) as one file in `folder`."""
    select = exp.select(*stored_columns(schema)).from_(physical_table(physical)).sql(dialect="duckdb")
    folder.mkdir(parents=True, exist_ok=True)
    with con.cursor() as cursor:
        cursor.sql(select).write_parquet(str(folder / "part-0.parquet"))


def prepare_folder(root: Path) -> Manifest:
    """Check that `root` may receive revertguard tables and return its manifest (a new one if none).

    A folder that holds other things is refused, so tables are never mixed into (or their
    folders replaced inside) someone else's data.
    """
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    manifest = read_local_manifest(root) if root.is_dir() else None
    if manifest is None and root.is_dir() and any(root.iterdir()):
        raise UsageError(f"{root} is not empty and holds no {MANIFEST}: give an empty or new folder, or one "
                         "revertguard wrote")
    return manifest or Manifest()


def export_tables(store: Store, root: Path) -> list[TableStats]:
    """Write every table and watchlist of `store` under `root`, replacing what `root` held before.

    Returns the rows and time range of each table written.
    """
    prepare_folder(root)
    root.mkdir(parents=True, exist_ok=True)
    stats = store.stats()
    for table in stats:
        folder = root / table.table
        if folder.exists():
            shutil.rmtree(folder)
        if table.rows:
            write_table_rows(store, TABLES[table.table], folder)
    watchlist_root = root / WATCHLIST_FOLDER
    if watchlist_root.exists():
        shutil.rmtree(watchlist_root)
    manifest = Manifest()
    for alias, (physical, schema) in sorted(store.watchlists().items()):
        write_rows(store.con, physical, schema, watchlist_root / alias)
        search_key, columns, description = store.watchlist_definition(alias)
        manifest.watchlists[alias] = WatchlistEntry(alias, search_key, tuple(columns), description)
    write_local_manifest(root, manifest)
    return stats


def append_run(store: Store, root: Path, manifest: Manifest) -> None:
    """Append the rows ingest stored in this staging store (run > 0) to the tables under `root`."""
    new_rows = exp.GT(this=exp.column(RUN_COLUMN, quoted=True), expression=exp.Literal.number(0))
    for schema in TABLES.values():
        count = store.con.execute(
            exp.select(exp.Count(this=exp.Star())).from_(physical_table(schema.name)).where(new_rows.copy())
            .sql(dialect="duckdb")).fetchone()[0]
        if count:
            write_table_rows(store, schema, root / schema.name, where=new_rows.copy(), append=True)
    write_local_manifest(root, manifest)
