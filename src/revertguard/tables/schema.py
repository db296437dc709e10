"""Table schemas: Sentinel column names with their KQL types, and how each type is stored.

Every layer (ingest, the KQL compiler, exports) reads column lists from here, so a table has
exactly one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class KqlType(StrEnum):
    """The scalar types of Kusto, spelled as KQL spells them."""

    STRING = "string"
    DATETIME = "datetime"
    BOOL = "bool"
    INT = "int"
    LONG = "long"
    REAL = "real"
    DYNAMIC = "dynamic"
    GUID = "guid"
    TIMESPAN = "timespan"
    DECIMAL = "decimal"


# How each KQL type is stored in DuckDB. Datetimes are UTC and held as naive TIMESTAMP
# (microseconds); dynamic values are JSON text in DuckDB's JSON type.
DUCKDB_TYPES: dict[KqlType, str] = {
    KqlType.STRING: "VARCHAR",
    KqlType.DATETIME: "TIMESTAMP",
    KqlType.BOOL: "BOOLEAN",
    KqlType.INT: "INTEGER",
    KqlType.LONG: "BIGINT",
    KqlType.REAL: "DOUBLE",
    KqlType.DYNAMIC: "JSON",
    KqlType.GUID: "VARCHAR",
    KqlType.TIMESPAN: "INTERVAL",
    KqlType.DECIMAL: "DECIMAL(38, 10)",
}


@dataclass(frozen=True)
class Column:
    """One column: its Sentinel name, its KQL type, and whether `*` shows it.

    Hidden columns (such as `_BilledSize`) exist and can be named in a query, but Log Analytics
    leaves them out of `T | take 10` and of portal exports, so the engine does too.
    """

    name: str
    type: KqlType
    hidden: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSchema:
    """A table as Sentinel defines it, plus the column ingestion deduplicates on."""

    name: str
    columns: tuple[Column, ...]
    id_column: str | None = None
    description: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"table {self.name}: duplicate columns {dupes}")
        self._by_name.update({c.name: c for c in self.columns})
        if self.id_column is not None and self.id_column not in self._by_name:
            raise ValueError(f"table {self.name}: id column {self.id_column} is not a column")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def visible_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.hidden]

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    def type_of(self, name: str) -> KqlType:
        return self._by_name[name].type


def columns(spec: str, hidden: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """Build columns from a compact `Name:type` list, one per line; `#` starts a comment."""
    out = []
    for line in spec.strip().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, kql_type = line.partition(":")
        out.append(Column(name.strip(), KqlType(kql_type.strip()), hidden=name.strip() in hidden))
    return tuple(out)
