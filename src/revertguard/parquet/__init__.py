"""Tables as Parquet: the layout both engines read, `export-tables`, and `ingest --parquet`.

* `export_tables(store, root)`: write a store's tables and watchlists under a folder.
* `ingest_to_parquet(paths, root, ...)`: ingest raw logs straight into such a folder.
* `layout`: the folder layout, the manifest, and how each type is stored (dynamic as JSON text).
"""

from revertguard.parquet.ingest import ingest_to_parquet
from revertguard.parquet.layout import Manifest, WatchlistEntry
from revertguard.parquet.write import export_tables

__all__ = ["Manifest", "WatchlistEntry", "export_tables", "ingest_to_parquet"]
