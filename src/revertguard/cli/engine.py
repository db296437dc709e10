"""The engine options every command that runs queries takes (`@engine_options`).

The decorator adds `--engine`, `--parquet`, `--spark-master` and `--conf` and hands the
command one `EngineOptions` argument, `engine_options` (with the command's own `--db`, when it
has one); the command opens the engine with `revertguard.kql.engines.open_engine(engine_options)`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from revertguard.kql.engines import ENGINE_NAMES, EngineOptions, parse_conf


def engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the engine options to a click command; it receives them as `engine_options`."""
    @functools.wraps(command)
    def wrapper(*args: Any, engine: str, parquet: str | None, spark_master: str | None,
                spark_conf: tuple[str, ...], **kwargs: Any) -> Any:
        options = EngineOptions(engine=engine, db=kwargs.get("db"), parquet=parquet, spark_master=spark_master,
                                spark_conf=parse_conf(spark_conf))
        return command(*args, engine_options=options, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


_OPTIONS = (
    click.option("--engine", type=click.Choice(ENGINE_NAMES), default="duckdb", show_default=True,
                 help="The query engine: the embedded DuckDB store, or Apache Spark over Parquet tables."),
    click.option("--parquet", "parquet", metavar="DIR",
                 help="Read the tables from this Parquet folder (from `export-tables` or `ingest --parquet`); "
                      "with --engine spark also a URL such as s3a://bucket/prefix."),
    click.option("--spark-master", "spark_master", metavar="URL",
                 help="Spark master (local[*], spark://host:7077, yarn, k8s://...). Default: spark-submit's, "
                      "or spark.master in spark-defaults.conf, else local[*]."),
    click.option("--conf", "spark_conf", metavar="KEY=VALUE", multiple=True,
                 help="A Spark setting, as spark-submit takes it (repeatable)."),
)
