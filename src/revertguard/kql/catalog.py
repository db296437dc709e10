"""Where the compiler finds tables: a name -> (schema, how to read it) lookup.

The compiler only needs a `Catalog`: for a table name or a watchlist alias, the schema
(column names and KQL types, hidden columns marked) and a sqlglot expression to put in
`FROM`. The two catalogs here cover the Sentinel tables and the store's watchlists; another
table source (Parquet files read by Spark, say) only has to provide the same two methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlglot import exp

from revertguard.tables import TABLES, TableSchema

if TYPE_CHECKING:
    from revertguard.store import Store, Watchlist


@dataclass(frozen=True)
class TableSource:
    """A readable table: its KQL schema and the SQL relation that holds its rows.

    `relation` is what goes in `FROM`. It may have more physical columns than the schema
    (the store's `_rg_key`): the compiler only ever selects schema columns by name.
    """

    schema: TableSchema
    relation: exp.Expression


class Catalog(Protocol):
    """The tables and watchlists a query can read."""

    def table(self, name: str) -> TableSource | None:
        """The table called `name` (case-sensitive, as in KQL), or None."""

    def table_names(self) -> Iterable[str]:
        """Every table name, for wildcards (`union AWS*`) and "did you mean" suggestions."""

    def watchlist(self, alias: str) -> TableSource | None:
        """What `_GetWatchlist(alias)` reads, or None."""

    def watchlist_names(self) -> Iterable[str]:
        """Every watchlist alias, for suggestions."""


class EngineCatalog(Catalog, Protocol):
    """The catalog of an engine, which can also be given watchlists held in memory."""

    def put_watchlist(self, watchlist: Watchlist) -> None:
        """Have `_GetWatchlist(alias)` read these rows (ahead of any stored under the alias),
        without writing them where the tables are kept."""


def physical_table(name: str) -> exp.Table:
    """A quoted table reference (never string formatting: the name may be anything)."""
    return exp.Table(this=exp.to_identifier(name, quoted=True))


class SchemaCatalog:
    """Tables from schemas, each read from the SQL table of the same name.

    The default for `compile()`: the Sentinel tables of `revertguard.tables.TABLES`, plus any
    watchlists given as alias -> (physical table, schema).
    """

    def __init__(self, tables: Mapping[str, TableSchema] | None = None,
                 watchlists: Mapping[str, tuple[str, TableSchema]] | None = None) -> None:
        self._tables = dict(TABLES if tables is None else tables)
        self._watchlists = dict(watchlists or {})

    def table(self, name: str) -> TableSource | None:
        schema = self._tables.get(name)
        return TableSource(schema, physical_table(name)) if schema else None

    def table_names(self) -> Iterable[str]:
        return list(self._tables)

    def watchlist(self, alias: str) -> TableSource | None:
        found = self._watchlists.get(alias)
        if found is None:
            return None
        physical, schema = found
        return TableSource(schema, physical_table(physical))

    def watchlist_names(self) -> Iterable[str]:
        return list(self._watchlists)


class StoreCatalog(SchemaCatalog):
    """The Sentinel tables and the watchlists held by a `Store` (looked up as each query is
    compiled, so watchlists stored later are seen), behind any given with `put_watchlist`."""

    def __init__(self, store: Store) -> None:
        super().__init__(TABLES)
        self._store = store

    def put_watchlist(self, watchlist: Watchlist) -> None:
        """Have this catalog's `_GetWatchlist(alias)` read these rows: a temporary table of the
        store's connection (the store may be read-only, and is not written)."""
        self._watchlists[watchlist.alias] = self._store.temporary_watchlist(watchlist)

    def watchlist(self, alias: str) -> TableSource | None:
        found = self._watchlists.get(alias) or self._store.watchlists().get(alias)
        return TableSource(found[1], physical_table(found[0])) if found else None

    def watchlist_names(self) -> Iterable[str]:
        return list({**self._store.watchlists(), **self._watchlists})
