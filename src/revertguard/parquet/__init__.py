"""Tables as Parquet: the layout both engines read, `export-tables`, and `ingest --parquet`.

* `export_tables(store, root)`: write a store's tables and watchlists under a folder.
* `ingest_to_parquet(paths, root, ...)`: ingest raw logs straight into such a folder.
* `parquet_stats(root)`: rows and time range of each table in a folder.
* `layout`: the folder layout, the manifest, and how each type is stored (dynamic as JSON text).
* `catalog`: where the KQL engines find the tables (DuckDB views here, Spark's in `kql.spark_engine`).
"""

from revertguard.parquet.catalog import parquet_stats
from revertguard.parquet.ingest import ingest_to_parquet
from revertguard.parquet.layout import Manifest, WatchlistEntry
from revertguard.parquet.write import export_tables

__all__ = ["Manifest", "WatchlistEntry", "export_tables", "ingest_to_parquet", "parquet_stats"]
