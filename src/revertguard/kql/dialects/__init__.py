"""SQL targets of the KQL compiler, by name."""

from __future__ import annotations

from revertguard.kql.dialects.base import Dialect
from revertguard.kql.dialects.duckdb import DuckDBDialect
from revertguard.kql.dialects.spark import SparkDialect

DIALECTS: dict[str, type[Dialect]] = {"duckdb": DuckDBDialect, "spark": SparkDialect}


def get_dialect(name: str) -> Dialect:
    """The dialect called `name` ("duckdb" or "spark")."""
    try:
        return DIALECTS[name.lower()]()
    except KeyError:
        from revertguard.kql.errors import KqlError

        raise KqlError(f"unknown SQL dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None


__all__ = ["DIALECTS", "Dialect", "DuckDBDialect", "SparkDialect", "get_dialect"]
