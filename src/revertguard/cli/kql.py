"""`revertguard kql`: run a KQL query on the store and print the rows."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from revertguard.cli.engine import engine_options
from revertguard.cli.output import console, safe
from revertguard.cli.times import parse_time
from revertguard.errors import InputError, UsageError
from revertguard.kql.engine import QueryResult
from revertguard.kql.engines import EngineOptions, open_engine
from revertguard.kql.render import text_value, to_csv, to_json


def read_query(query: str | None, file: str | None) -> str:
    if (query is None) == (file is None):
        raise UsageError("give the query as an argument or with -f FILE (one of them)")
    if query is not None:
        return query
    assert file is not None
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{file} is not UTF-8 text") from None


@click.command("kql")
@click.argument("query", required=False)
@click.option("-f", "--file", "file", metavar="FILE", help="Read the query from FILE (- for standard input).")
@click.option("--db", "db", metavar="PATH", help="Store file (DuckDB). Default: an empty store in memory.")
@click.option("--now", "now", metavar="TIME",
              help="The query clock for now() and ago(), ISO 8601 (e.g. 2026-11-25T12:00:00Z). Default: now.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="How to print the rows.")
@engine_options
def kql_command(query: str | None, file: str | None, db: str | None, now: str | None, output_format: str,
                engine_options: EngineOptions) -> int:
    """Run a KQL query (Sentinel syntax) on the store's tables and watchlists.

    The tables are AWSCloudTrail, AzureActivity and GCPAuditLogs; _GetWatchlist('alias')
    reads a watchlist. Errors name the line and column, with a caret under the spot.
    With --parquet the tables come from a Parquet folder, read by DuckDB or (--engine spark) by Spark.
    """
    text = read_query(query, file)
    clock = parse_time(now, "--now")
    with open_engine(engine_options) as engine:
        result = engine.run(text, now=clock)
    out = console()
    if output_format == "json":
        out.file.write(to_json(result) + "\n")
    elif output_format == "csv":
        out.file.write(to_csv(result))
    else:
        print_table(result)
    return 0


def print_table(result: QueryResult) -> None:
    out = console()
    table = Table(show_edge=False, header_style="bold")
    for column in result.columns:
        table.add_column(safe(column.name))
    for row in result.rows:
        table.add_row(*[safe(text_value(v, c.type)) for c, v in zip(result.columns, row, strict=True)])
    out.print(table)
    out.print(f"{len(result.rows)} row(s)", style="dim")

