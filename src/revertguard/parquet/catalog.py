"""A KQL catalog over a Parquet folder: each table is registered with the engine on first use.

`ParquetCatalog` knows the layout (which folder holds which table, where the manifest lists
the watchlists); an engine subclass says how to make a folder of files into something a query
can read (a DuckDB view, a Spark temporary view). A query that reads one table registers one.
Every Sentinel table exists, empty when its folder does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
from sqlglot import exp

from revertguard.kql.catalog import TableSource, physical_table
from revertguard.parquet.layout import Manifest, parquet_files, read_local_manifest, table_path, watchlist_path
from revertguard.store import Store, TableStats, Watchlist
from revertguard.tables import DUCKDB_TYPES, TABLES, KqlType, TableSchema


class ParquetCatalog(ABC):
    """The tables (default: the Sentinel tables) and watchlists of the Parquet folder `root`
    (a local path or a URL)."""

    def __init__(self, root: str, tables: Mapping[str, TableSchema] | None = None) -> None:
        self.root = root
        self.tables = dict(TABLES if tables is None else tables)
        self._sources: dict[str, TableSource] = {}
        self._manifest: Manifest | None = None
        self._given: dict[str, TableSource] = {}  # watchlists put here, ahead of the folder's

    @abstractmethod
    def register(self, path: str, schema: TableSchema) -> exp.Expression:
        """Make the Parquet files under `path` readable with `schema`; return the relation to put in FROM.

        A folder with no files must read as an empty table.
        """

    @abstractmethod
    def read_manifest(self) -> Manifest | None:
        """The folder's manifest, or None when it has none."""

    @abstractmethod
    def load_watchlist(self, watchlist: Watchlist) -> TableSource:
        """Make a watchlist held in memory readable (checked as `store.check_watchlist` does)."""

    def put_watchlist(self, watchlist: Watchlist) -> None:
        """Have `_GetWatchlist(alias)` read these rows (instead of the folder's, if it has the alias),
        without writing them into the folder (which may be someone's object store)."""
        self._given[watchlist.alias] = self.load_watchlist(watchlist)

    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = self.read_manifest() or Manifest()
        return self._manifest

    def _source(self, key: str, path: str, schema: TableSchema) -> TableSource:
        source = self._sources.get(key)
        if source is None:
            source = TableSource(schema, self.register(path, schema))
            self._sources[key] = source
        return source

    def table(self, name: str) -> TableSource | None:
        schema = self.tables.get(name)
        return self._source(name, table_path(self.root, name), schema) if schema else None

    def table_names(self) -> Iterable[str]:
        return list(self.tables)

    def watchlist(self, alias: str) -> TableSource | None:
        if alias in self._given:
            return self._given[alias]
        entry = self.manifest().watchlists.get(alias)
        if entry is None:
            return None
        return self._source(f"watchlist {alias}", watchlist_path(self.root, alias), entry.schema)

    def watchlist_names(self) -> Iterable[str]:
        return list(dict.fromkeys([*self._given, *self.manifest().watchlists]))


class DuckDBParquetCatalog(ParquetCatalog):
    """A local Parquet folder read by DuckDB: one view per table, types as the store has them;
    watchlists put here are stored in `store` (an in-memory one: the folder is never written)."""

    def __init__(self, root: Path, store: Store, tables: Mapping[str, TableSchema] | None = None) -> None:
        super().__init__(str(root), tables)
        self.store = store
        self.con = store.con

    def register(self, path: str, schema: TableSchema) -> exp.Expression:
        view = f"_rg_parquet_{len(self._sources)}"
        files = parquet_files(Path(path))
        if files:
            columns = [exp.alias_(_as_stored_in_duckdb(exp.column(c.name, quoted=True), c.type), c.name, quoted=True)
                       for c in schema.columns]
            projection = ", ".join(c.sql(dialect="duckdb") for c in columns)
            self.con.read_parquet(files).project(projection).create_view(view)
        else:
            empty = exp.select(*[exp.alias_(exp.cast(exp.null(), _duckdb_type(c.type)), c.name, quoted=True)
                                 for c in schema.columns]).where(exp.false())
            self.con.sql(empty.sql(dialect="duckdb")).create_view(view)
        return physical_table(view)

    def read_manifest(self) -> Manifest | None:
        return read_local_manifest(Path(self.root))

    def load_watchlist(self, watchlist: Watchlist) -> TableSource:
        physical, schema = self.store.temporary_watchlist(watchlist)
        return TableSource(schema, physical_table(physical))


def _duckdb_type(kql_type: KqlType) -> exp.DataType:
    return exp.DataType.build(DUCKDB_TYPES[kql_type], dialect="duckdb")


def _as_stored_in_duckdb(value: exp.Expression, kql_type: KqlType) -> exp.Expression:
    """A file's column as the DuckDB store holds it: naive UTC timestamps, JSON for dynamic."""
    if kql_type is KqlType.DATETIME:
        value = exp.AtTimeZone(this=value, zone=exp.Literal.string("UTC"))
    return exp.cast(value, _duckdb_type(kql_type))


def parquet_stats(root: Path) -> list[TableStats]:
    """Row count and time range of each Sentinel table in a local Parquet folder."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        stats = []
        for name in TABLES:
            files = parquet_files(root / name)
            if not files:
                stats.append(TableStats(name, 0, None, None))
                continue
            time = exp.AtTimeZone(this=exp.column("TimeGenerated", quoted=True), zone=exp.Literal.string("UTC"))
            aggregates = ", ".join(e.sql(dialect="duckdb") for e in (
                exp.Count(this=exp.Star()), exp.Min(this=time), exp.Max(this=time.copy())))
            rows, first, last = con.read_parquet(files).aggregate(aggregates).fetchall()[0]
            stats.append(TableStats(name, rows, first, last))
        return stats
    finally:
        con.close()
