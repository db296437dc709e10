"""The store: an embedded DuckDB database holding the Sentinel tables and watchlists.

In memory by default, or a file that later runs append to. Rows arrive in batches; each chunk
of a run is committed keeping one row per deduplication key (the event id, or a content hash
for records without one), so ingesting the same record twice stores it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import msgspec
import pyarrow as pa

from revertguard.errors import InputError, UsageError
from revertguard.tables import DUCKDB_TYPES, TABLES, Column, KqlType, TableSchema

KEY_COLUMN = "_rg_key"  # deduplication key; physical only, never part of a table's schema
RUN_COLUMN = "_rg_run"  # which ingest run stored the row; physical only
PHYSICAL_COLUMNS = (KEY_COLUMN, RUN_COLUMN)  # stored after a table's own columns, never shown by queries
# Rows per transaction while ingesting: bounds memory. Two of DuckDB's row groups (122,880 rows):
# a commit compresses the rows that do not fill a whole row group on one core, so a chunk of
# whole row groups leaves little for it.
CHUNK_ROWS = 2 * 122_880
# ...or this much Arrow data from the record path, whichever comes first: Azure and GCP rows are
# several times wider than CloudTrail's, and an open chunk is held in memory until it commits.
CHUNK_BYTES = 64 << 20
_WATCHLIST_REGISTRY = "_rg_watchlists"
_WATCHLIST_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")

# Columns `_GetWatchlist()` returns before the watchlist's own columns, as in Sentinel.
WATCHLIST_SYSTEM_COLUMNS = (
    Column("_DTItemId", KqlType.STRING),
    Column("LastUpdatedTimeUTC", KqlType.DATETIME),
    Column("SearchKey", KqlType.STRING),
    Column("WatchlistItem", KqlType.DYNAMIC),
)


def quote_ident(name: str) -> str:
    """Quote a SQL identifier for DuckDB (doubling embedded quotes)."""
    return '"' + name.replace('"', '""') + '"'


def arrow_schema(table: TableSchema) -> pa.Schema:
    """The Arrow schema of a staged batch: the table's columns, then the deduplication key."""
    fields = [pa.field(c.name, _ARROW_TYPES[c.type]) for c in table.columns]
    fields.append(pa.field(KEY_COLUMN, pa.string()))
    return pa.schema(fields)


_ARROW_TYPES: dict[KqlType, pa.DataType] = {
    KqlType.STRING: pa.string(),
    KqlType.DATETIME: pa.timestamp("us"),
    KqlType.BOOL: pa.bool_(),
    KqlType.INT: pa.int32(),
    KqlType.LONG: pa.int64(),
    KqlType.REAL: pa.float64(),
    KqlType.DYNAMIC: pa.string(),  # JSON text; DuckDB casts it to JSON on insert
    KqlType.GUID: pa.string(),
    KqlType.TIMESPAN: pa.duration("us"),
    KqlType.DECIMAL: pa.float64(),
}


@dataclass
class CommitResult:
    """What one commit did to one table."""

    table: str
    added: int
    duplicates: int


@dataclass
class TableStats:
    """What a table holds: its row count and time range."""

    table: str
    rows: int
    first: datetime | None
    last: datetime | None


@dataclass
class Watchlist:
    """A Sentinel watchlist: an alias, the column used as SearchKey, and rows of strings."""

    alias: str
    search_key: str
    columns: list[str]
    rows: list[dict[str, str]]
    description: str = ""


class Store:
    """An open revertguard store. Use as a context manager, or call `close()`."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 memory_limit: str | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise InputError(f"cannot open store {self.path}: {exc}") from None
        self._memory_limit = memory_limit  # the store's own cap; None is DuckDB's default
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        self.con.execute("SET TimeZone = 'UTC'")
        self._run: int | None = None  # the id of the ingest run in progress
        self._chunk: dict[str, int] = {}  # rows appended per table in the open transaction
        self._chunk_bytes = 0  # Arrow bytes appended in the open transaction
        self._results: dict[str, CommitResult] = {}  # what the run's committed chunks did
        if not read_only:
            self._create_tables()

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- schema ----------------------------------------------------------------------------
    def _create_tables(self) -> None:
        for table in TABLES.values():
            cols = ", ".join(f"{quote_ident(c.name)} {DUCKDB_TYPES[c.type]}" for c in table.columns)
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {quote_ident(table.name)} ({cols}, {KEY_COLUMN} VARCHAR, "
                f"{RUN_COLUMN} BIGINT)"
            )
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {_WATCHLIST_REGISTRY} (alias VARCHAR PRIMARY KEY, "
            "physical VARCHAR, search_key VARCHAR, columns VARCHAR[], description VARCHAR)"
        )

    def schema(self, name: str) -> TableSchema | None:
        """The schema of a built-in table, or None."""
        return TABLES.get(name)

    @contextlib.contextmanager
    def memory_limit(self, limit: str) -> Iterator[None]:
        """Cap DuckDB's memory for a while (DuckDB spills to disk beyond it where it can)."""
        self.con.execute("SET memory_limit = ?", [limit])
        try:
            yield
        finally:
            # Restored from what was asked for, not from current_setting(), which prints it rounded.
            if self._memory_limit:
                self.con.execute("SET memory_limit = ?", [self._memory_limit])
            else:
                self.con.execute("RESET memory_limit")

    @contextlib.contextmanager
    def without_vacuum(self) -> Iterator[None]:
        """Checkpoint without merging partly filled row groups for a while (during an ingest run).

        DuckDB writes a chunk of more than one row group (122,880 rows) straight to the file,
        leaving its last row group partly filled. Vacuuming would rewrite that row group with
        the next chunk's first at every checkpoint, recompressing a row group's worth of rows
        per chunk (a quarter of the ingest time at a million CloudTrail records). Without it,
        the table keeps one partly filled row group per such chunk; the rows are the same.
        """
        previous = self.con.execute("SELECT current_setting('max_vacuum_tasks')").fetchall()[0][0]
        self.con.execute("SET max_vacuum_tasks = 0")
        try:
            yield
        finally:
            self.con.execute("SET max_vacuum_tasks = ?", [previous])

    # -- ingestion ---------------------------------------------------------------------------
    # A run (one ingest) appends rows in chunks of about CHUNK_ROWS, each committed on its own
    # so memory stays flat; every row carries the run's id, so `rollback()` can still undo all.

    def append(self, table: str, batch: pa.Table) -> None:
        """Append a batch of rows (columns as `arrow_schema(table)`) to the current run."""
        self._begin(table)
        self.con.register("_rg_batch", batch)
        try:
            self.con.execute(f"INSERT INTO {quote_ident(table)} SELECT *, ? FROM _rg_batch", [self._run])
            self.con.execute(f"INSERT INTO {_run_keys(table)} SELECT {KEY_COLUMN} FROM _rg_batch")
        finally:
            self.con.unregister("_rg_batch")
        self._chunk_bytes += batch.nbytes
        self._appended(table, batch.num_rows)

    def append_select(self, table: str, select_sql: str, params: dict) -> tuple[int, int, datetime | None,
                                                                                datetime | None]:
        """Append the rows of a SELECT (the table's columns, then the key), run once with `params`.

        A row whose key is NULL is not kept (the caller reports it). Returns the rows selected,
        the rows kept, and the earliest and latest TimeGenerated of those kept. The chunk is not
        committed here, so the caller can still read what it needs inside it; call
        `commit_if_full()` afterwards.
        """
        self._begin(table)
        target = quote_ident(table)
        result = self.con.execute(
            f"INSERT INTO {target} SELECT *, $_rg_run FROM ({select_sql}) RETURNING {KEY_COLUMN}, TimeGenerated",
            {**params, "_rg_run": self._run})
        with warnings.catch_warnings():  # that Arrow output copies the two returned columns once more
            warnings.simplefilter("ignore", UserWarning)
            returned = result.to_arrow_table()
        if returned.column(KEY_COLUMN).null_count:
            self.con.execute(f"DELETE FROM {target} WHERE {RUN_COLUMN} = ? AND {KEY_COLUMN} IS NULL", [self._run])
        self.con.register("_rg_returned", returned)
        try:
            self.con.execute(f"INSERT INTO {_run_keys(table)} SELECT {KEY_COLUMN} FROM _rg_returned "
                             f"WHERE {KEY_COLUMN} IS NOT NULL")
            selected, kept, first, last = self.con.execute(
                f"SELECT count(*), count({KEY_COLUMN}), min(TimeGenerated) FILTER ({KEY_COLUMN} IS NOT NULL), "
                f"max(TimeGenerated) FILTER ({KEY_COLUMN} IS NOT NULL) FROM _rg_returned").fetchall()[0]
        finally:
            self.con.unregister("_rg_returned")
        self._chunk[table] += kept
        return selected, kept, first, last

    @property
    def chunk_open(self) -> bool:
        """Whether rows of the run wait in an uncommitted chunk."""
        return bool(self._chunk)

    def commit_if_full(self) -> None:
        """Commit the open chunk once it holds CHUNK_ROWS rows or CHUNK_BYTES of Arrow data."""
        if sum(self._chunk.values()) >= CHUNK_ROWS or self._chunk_bytes >= CHUNK_BYTES:
            self._commit_chunk()

    def rollback_chunk(self) -> None:
        """Undo the open chunk only; the run's committed chunks stay.

        A statement that fails inside a DuckDB transaction aborts it, so after such a failure
        the caller rolls the chunk back and appends what it held again.
        """
        if self._chunk:
            self.con.execute("ROLLBACK")
            for table in self._chunk:
                self.con.execute(f"DROP TABLE IF EXISTS {_run_keys(table)}")
        self._chunk, self._chunk_bytes = {}, 0

    def _begin(self, table: str) -> None:
        if self._run is None:
            latest = self.con.execute(
                "SELECT max(r) FROM (" + " UNION ALL ".join(
                    f"SELECT max({RUN_COLUMN}) AS r FROM {quote_ident(t)}" for t in TABLES) + ")"
            ).fetchone()[0]
            self._run = (latest or 0) + 1
        if not self._chunk:
            self.con.execute("BEGIN TRANSACTION")
        if table not in self._chunk:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_run_keys(table)} (k VARCHAR)")
            self._chunk[table] = 0

    def _appended(self, table: str, rows: int) -> None:
        self._chunk[table] += rows
        self.commit_if_full()

    def _commit_chunk(self) -> None:
        """Keep the first copy of every key (stored rows first, then arrival order), then commit."""
        for table, appended in self._chunk.items():
            target, run_keys = quote_ident(table), _run_keys(table)
            # Rows appended later have larger rowids, so `n > 1` marks exactly the later copies.
            deleted = self.con.execute(
                f"""
                DELETE FROM {target} WHERE rowid IN (
                    SELECT rowid FROM (
                        SELECT rowid, row_number() OVER (PARTITION BY {KEY_COLUMN} ORDER BY rowid) AS n
                        FROM {target}
                        WHERE {KEY_COLUMN} IN (
                            SELECT {KEY_COLUMN} FROM {target}
                            WHERE {KEY_COLUMN} IN (SELECT k FROM {run_keys})
                            GROUP BY {KEY_COLUMN} HAVING count(*) > 1
                        )
                    ) WHERE n > 1
                )
                """
            ).fetchone()[0]
            self.con.execute(f"DROP TABLE {run_keys}")
            totals = self._results.setdefault(table, CommitResult(table, 0, 0))
            totals.added += appended - deleted
            totals.duplicates += deleted
        if self._chunk:
            self.con.execute("COMMIT")
            # Write the chunk out now: committed rows otherwise stay in memory until the next
            # automatic checkpoint, and memory would grow with the input.
            self.con.execute("CHECKPOINT")
        self._chunk, self._chunk_bytes = {}, 0

    def commit(self) -> list[CommitResult]:
        """End the run, keeping what it stored; return what it did to each table."""
        self._commit_chunk()
        results = list(self._results.values())
        self._results, self._run = {}, None
        return results

    def rollback(self) -> None:
        """End the run storing nothing, undoing chunks it already committed."""
        self.rollback_chunk()
        if self._results and self._run is not None:
            for table in self._results:
                self.con.execute(f"DELETE FROM {quote_ident(table)} WHERE {RUN_COLUMN} = ?", [self._run])
        self._results, self._run = {}, None

    def _count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0]

    # -- inspection ------------------------------------------------------------------------
    def stats(self) -> list[TableStats]:
        """Row count and time range of every built-in table."""
        out = []
        for name in TABLES:
            rows, first, last = self.con.execute(
                f"SELECT count(*), min(TimeGenerated), max(TimeGenerated) FROM {quote_ident(name)}"
            ).fetchone()
            out.append(TableStats(name, rows, first, last))
        return out

    # -- watchlists ------------------------------------------------------------------------
    def put_watchlist(self, watchlist: Watchlist) -> None:
        """Store (or replace) a watchlist so `_GetWatchlist(alias)` can read it."""
        check_watchlist(watchlist)
        physical = _watchlist_table(watchlist.alias)
        previous = self.con.execute(f"SELECT physical FROM {_WATCHLIST_REGISTRY} WHERE alias = ?",
                                    [watchlist.alias]).fetchone()
        if previous and previous[0] != physical:  # a store written before names carried the hash
            self.con.execute(f"DROP TABLE IF EXISTS {quote_ident(previous[0])}")
        self._fill_watchlist_table(physical, watchlist, temporary=False)
        self.con.execute(f"DELETE FROM {_WATCHLIST_REGISTRY} WHERE alias = ?", [watchlist.alias])
        self.con.execute(
            f"INSERT INTO {_WATCHLIST_REGISTRY} VALUES (?, ?, ?, ?, ?)",
            [watchlist.alias, physical, watchlist.search_key, watchlist.columns, watchlist.description],
        )

    def temporary_watchlist(self, watchlist: Watchlist) -> tuple[str, TableSchema]:
        """Make a watchlist readable on this connection only, without storing it (the store may be
        read-only, or the rows only wanted for a lookup): its temporary table and schema."""
        check_watchlist(watchlist)
        physical = f"_rg_temporary{_watchlist_table(watchlist.alias)}"
        return physical, self._fill_watchlist_table(physical, watchlist, temporary=True)

    def _fill_watchlist_table(self, physical: str, watchlist: Watchlist, *, temporary: bool) -> TableSchema:
        """(Re)create the table `physical` holding the watchlist's rows, bound as parameters."""
        schema = watchlist_schema(watchlist.alias, watchlist.columns)
        cols = ", ".join(f"{quote_ident(c.name)} {DUCKDB_TYPES[c.type]}" for c in schema.columns)
        kind = "TEMPORARY TABLE" if temporary else "TABLE"
        self.con.execute(f"CREATE OR REPLACE {kind} {quote_ident(physical)} ({cols})")
        records = watchlist_records(watchlist, datetime.now(UTC).replace(microsecond=0, tzinfo=None))
        if records:  # as one Arrow table: row-by-row inserts take about a millisecond a row
            columns = list(zip(*records, strict=True))
            rows = pa.Table.from_arrays([pa.array(values, type=_ARROW_TYPES[c.type])
                                         for values, c in zip(columns, schema.columns, strict=True)],
                                        names=[c.name for c in schema.columns])
            self.con.register("_rg_watchlist_rows", rows)
            try:
                self.con.execute(f"INSERT INTO {quote_ident(physical)} SELECT * FROM _rg_watchlist_rows")
            finally:
                self.con.unregister("_rg_watchlist_rows")
        return schema

    def watchlist_definition(self, alias: str) -> tuple[str, list[str], str]:
        """A stored watchlist's SearchKey column, its own columns and its description."""
        row = self.con.execute(f"SELECT search_key, columns, description FROM {_WATCHLIST_REGISTRY} "
                               "WHERE alias = ?", [alias]).fetchone()
        if row is None:
            raise KeyError(alias)
        return row[0], list(row[1]), row[2] or ""

    def watchlists(self) -> dict[str, tuple[str, TableSchema]]:
        """Every stored watchlist: alias -> (physical table name, schema)."""
        rows = self.con.execute(f"SELECT alias, physical, columns FROM {_WATCHLIST_REGISTRY}").fetchall()
        return {alias: (physical, watchlist_schema(alias, list(cols))) for alias, physical, cols in rows}


def _watchlist_table(alias: str) -> str:
    """The table that holds a watchlist. The exact alias's hash is in the name: `a-b` and `a_b`
    (or `A` and `a`, DuckDB names ignore case) are different watchlists and must not share a table."""
    digest = hashlib.sha256(alias.encode()).hexdigest()[:12]
    return f"_watchlist_{re.sub(r'[^A-Za-z0-9_]', '_', alias)}_{digest}"


def check_store_exists(path: str) -> None:
    """Refuse a store path with no file, with the command that makes one: reading it would
    otherwise fail with DuckDB's own error, or give an empty store."""
    if not Path(path).is_file():
        raise InputError(f"no store at {path} (create one with `revertguard ingest PATH --db {path}`)")


def check_watchlist(watchlist: Watchlist) -> None:
    """Refuse a watchlist `_GetWatchlist` could not read: a bad alias, a SearchKey that is not a
    column, or a column named like a system column."""
    if not _WATCHLIST_ALIAS.match(watchlist.alias):
        raise UsageError(
            f"watchlist alias {watchlist.alias!r} is not valid: use letters, digits, '-' and '_' "
            "(at most 64 characters)"
        )
    if watchlist.search_key not in watchlist.columns:
        raise UsageError(
            f"watchlist {watchlist.alias}: SearchKey column {watchlist.search_key!r} is not one of "
            f"its columns {watchlist.columns}"
        )
    system = {c.name for c in WATCHLIST_SYSTEM_COLUMNS}
    clash = [c for c in watchlist.columns if c in system]
    if clash:
        raise UsageError(f"watchlist {watchlist.alias}: column names {clash} are reserved")


def watchlist_records(watchlist: Watchlist, updated: datetime) -> list[list]:
    """The rows `_GetWatchlist(alias)` returns, in `watchlist_schema` order: the system columns
    (item id, update time, SearchKey, the item as JSON text), then the watchlist's own."""
    records = []
    for i, row in enumerate(watchlist.rows):
        values = [str(row.get(c, "") or "") for c in watchlist.columns]
        item = msgspec.json.encode(dict(zip(watchlist.columns, values, strict=True))).decode()
        records.append([f"{watchlist.alias}-{i + 1}", updated, row.get(watchlist.search_key, "") or "", item,
                        *values])
    return records


def watchlist_schema(alias: str, user_columns: Sequence[str]) -> TableSchema:
    """The schema `_GetWatchlist(alias)` returns: system columns, then the watchlist's columns."""
    return TableSchema(
        name=f"_GetWatchlist('{alias}')",
        columns=(*WATCHLIST_SYSTEM_COLUMNS, *(Column(c, KqlType.STRING) for c in user_columns)),
    )


def _run_keys(table: str) -> str:
    return quote_ident(f"_rg_run_keys_{table}")

