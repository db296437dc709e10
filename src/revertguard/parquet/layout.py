"""Where revertguard's Parquet tables live inside a folder, and what the files hold.

A Parquet folder is what `export-tables` and `ingest --parquet` write, and what the Spark
engine (and DuckDB, with `--parquet`) read:

```
DIR/revertguard-parquet.json                 manifest: format version, watchlists
DIR/AWSCloudTrail/day=2026-11-20/*.parquet   one folder per table, Hive-partitioned by UTC day
DIR/AzureActivity/day=.../*.parquet
DIR/GCPAuditLogs/day=.../*.parquet
DIR/_watchlists/<alias>/*.parquet            the rows `_GetWatchlist('<alias>')` returns
```

A table's files hold its own columns in schema order, then `_rg_key` (the deduplication key,
so a later `ingest --parquet` into the same folder adds no duplicates); `day` (the UTC date of
`TimeGenerated`) is in the path only. Strings are UTF-8 strings; datetimes are UTC-adjusted
microsecond timestamps; **dynamic columns are JSON text** in a string column: every Parquet
reader reads it, and the text is kept byte for byte, property order included, which neither
DuckDB's nor Spark's native JSON type would promise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from revertguard.errors import InputError
from revertguard.store import watchlist_schema
from revertguard.tables import TABLES, TableSchema

MANIFEST = "revertguard-parquet.json"
FORMAT = "revertguard-parquet"
VERSION = 1
PARTITION_COLUMN = "day"
WATCHLIST_FOLDER = "_watchlists"


@dataclass(frozen=True)
class WatchlistEntry:
    """A watchlist kept in a Parquet folder: its alias, SearchKey column and own columns."""

    alias: str
    search_key: str
    columns: tuple[str, ...]
    description: str = ""

    @property
    def schema(self) -> TableSchema:
        return watchlist_schema(self.alias, self.columns)


@dataclass
class Manifest:
    """What `revertguard-parquet.json` records: the format, its version, and the watchlists."""

    watchlists: dict[str, WatchlistEntry] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT,
            "version": VERSION,
            "partitioning": f"{PARTITION_COLUMN}=YYYY-MM-DD, the UTC date of TimeGenerated",
            "dynamic_columns": "JSON text in a string column",
            "tables": {name: [[c.name, c.type.value] for c in schema.columns] for name, schema in TABLES.items()},
            "watchlists": {w.alias: {"search_key": w.search_key, "columns": list(w.columns),
                                     "description": w.description} for w in self.watchlists.values()},
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        try:
            data = json.loads(text)
        except ValueError:
            raise InputError(f"{where} is not JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(f"{where} is not a revertguard Parquet manifest")
        if data.get("version") != VERSION:
            raise InputError(f"{where} is format version {data.get('version')!r}; this revertguard reads "
                             f"version {VERSION}")
        try:
            watchlists = {alias: WatchlistEntry(alias, entry["search_key"], tuple(entry["columns"]),
                                                entry.get("description", ""))
                          for alias, entry in (data.get("watchlists") or {}).items()}
        except (KeyError, TypeError, AttributeError):
            raise InputError(f"{where}: a watchlist entry lacks search_key or columns") from None
        return cls(watchlists)


def join(root: str, *parts: str) -> str:
    """A path under `root`, a local folder or a URL such as s3a://bucket/prefix."""
    return "/".join([root.rstrip("/"), *parts])


def table_path(root: str, table: str) -> str:
    return join(root, table)


def watchlist_path(root: str, alias: str) -> str:
    return join(root, WATCHLIST_FOLDER, alias)


def manifest_path(root: str) -> str:
    return join(root, MANIFEST)


def read_local_manifest(root: Path) -> Manifest | None:
    """The manifest of a local folder, or None when it has none."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    return Manifest.from_json(path.read_text(encoding="utf-8"), str(path))


def write_local_manifest(root: Path, manifest: Manifest) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")


def parquet_files(folder: Path) -> list[str]:
    """Every Parquet file under a local folder, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.rglob("*.parquet") if p.is_file())
