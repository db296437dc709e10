"""Choosing an engine: one set of options (`EngineOptions`) and one function that opens the
engine they describe (`open_engine`), for every command that runs queries.

* DuckDB (the default) runs on a store (`db`, or an empty one in memory) or, with `parquet`,
  on a local Parquet folder.
* Spark runs on a Parquet folder (local, or a URL such as `s3a://bucket/prefix` that the
  session's Hadoop configuration can read), with `spark_master` and `spark_conf` passed to the
  SparkSession as they are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from revertguard.errors import InputError, UsageError
from revertguard.kql.engine import DuckDBEngine, Engine

ENGINE_NAMES = ("duckdb", "spark")
# A command prints results: no console progress bars or warnings from Spark mixed in (both can
# be had back with --conf).
CLI_SPARK_DEFAULTS = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}


@dataclass(frozen=True)
class EngineOptions:
    """Which engine runs the queries, and where it reads the tables."""

    engine: str = "duckdb"
    db: str | None = None  # a store file (DuckDB only)
    parquet: str | None = None  # a Parquet folder written by revertguard
    spark_master: str | None = None  # None: spark-submit's or spark-defaults.conf's, else local[*]
    spark_conf: Mapping[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def open_engine(options: EngineOptions) -> Iterator[Engine]:
    """The engine `options` describe, closed (store or temporary views) when the block ends."""
    if options.engine not in ENGINE_NAMES:
        raise UsageError(f"unknown engine {options.engine!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if options.db is not None and options.parquet is not None:
        raise UsageError("give the tables as a store (--db) or as Parquet (--parquet), not both")
    if options.engine == "spark":
        yield from _spark(options)
    elif options.parquet is not None:
        yield from _duckdb_parquet(options.parquet)
    else:
        yield from _duckdb_store(options.db)


def _duckdb_store(db: str | None) -> Iterator[Engine]:
    from revertguard.store import Store, check_store_exists

    if db is not None:
        check_store_exists(db)
    with Store(db, read_only=db is not None) as store:
        yield DuckDBEngine(store)


def _duckdb_parquet(parquet: str) -> Iterator[Engine]:
    if "://" in parquet:
        raise UsageError(f"DuckDB reads local Parquet folders; for {parquet} use --engine spark")
    if not Path(parquet).is_dir():
        raise InputError(f"no Parquet folder at {parquet} (write one with `revertguard export-tables`)")
    engine = DuckDBEngine.over_parquet(parquet)
    try:
        yield engine
    finally:
        engine.store.close()


def _spark(options: EngineOptions) -> Iterator[Engine]:
    from revertguard.kql.spark_engine import SparkEngine

    if options.parquet is None:
        raise UsageError("Spark reads the tables from Parquet: give --parquet DIR (write one from a store with "
                         "`revertguard export-tables`, or ingest with `revertguard ingest ... --parquet DIR`)")
    if "://" not in options.parquet and not Path(options.parquet).is_dir():
        raise InputError(f"no Parquet folder at {options.parquet} (write one with `revertguard export-tables`)")
    engine = SparkEngine(options.parquet, master=options.spark_master,
                         conf={**CLI_SPARK_DEFAULTS, **options.spark_conf})
    try:
        yield engine
    finally:
        engine.close()


def parse_conf(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--conf KEY=VALUE` options (as spark-submit takes them) as a mapping."""
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--conf {item!r} is not KEY=VALUE (for example spark.executor.memory=4g)")
        conf[key.strip()] = value
    return conf
