"""Row tuples -> Arrow batches in a table's column order, ready for the store."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from revertguard.store import arrow_schema
from revertguard.tables import TableSchema

DEFAULT_BATCH_ROWS = 20_000


class BatchBuilder:
    """Collects rows of one table and hands back an Arrow table every `size` rows."""

    def __init__(self, schema: TableSchema, size: int = DEFAULT_BATCH_ROWS) -> None:
        self.schema = schema
        self.arrow_schema = arrow_schema(schema)
        self.size = size
        self.rows: list[tuple] = []
        self.keys: list[str] = []

    def add(self, row: tuple, key: str) -> pa.Table | None:
        self.rows.append(row)
        self.keys.append(key)
        if len(self.rows) >= self.size:
            return self.flush()
        return None

    def flush(self) -> pa.Table | None:
        if not self.rows:
            return None
        columns = list(zip(*self.rows, strict=True))
        columns.append(tuple(self.keys))
        arrays = [pa.array(col, type=f.type) for col, f in zip(columns, self.arrow_schema, strict=True)]
        self.rows, self.keys = [], []
        return pa.Table.from_arrays(arrays, schema=self.arrow_schema)


def time_range(batch: pa.Table) -> tuple[datetime | None, datetime | None]:
    """Earliest and latest TimeGenerated of a batch."""
    bounds = pc.min_max(batch.column("TimeGenerated"))
    return bounds["min"].as_py(), bounds["max"].as_py()
