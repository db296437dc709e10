"""`revertguard ingest` and `revertguard tables`."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from revertguard.cli.output import console, error_console, safe
from revertguard.errors import UsageError
from revertguard.ingest import IngestReport, ingest
from revertguard.ingest.mappings import MAPPINGS
from revertguard.ingest.pipeline import ProgressCallback
from revertguard.ingest.sources import discover
from revertguard.samples import sample_logs_dir
from revertguard.store import Store, TableStats, check_store_exists, quote_ident
from revertguard.tables import TABLES

db_option = click.option("--db", "db", metavar="PATH", help="Store file (DuckDB). Default: in memory.")


@click.command("ingest")
@click.argument("paths", nargs=-1)
@db_option
@click.option("--parquet", "parquet", metavar="DIR",
              help="Write the tables as Parquet in DIR (for --engine spark, or large inputs) instead of a store.")
@click.option("--strict", is_flag=True, help="Stop at the first problem and store nothing.")
@click.option("--sample", is_flag=True, help="Ingest the sample logs bundled with revertguard.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="one per core",
              help="Worker processes reading large inputs.")
def ingest_command(paths: tuple[str, ...], db: str | None, parquet: str | None, strict: bool, sample: bool,
                   jobs: int) -> int:
    """Load raw logs (files, folders, or - for stdin) into the store, or into Parquet tables.

    Reads AWS CloudTrail (S3 delivery files, JSON Lines, arrays, EventBridge, LookupEvents),
    Azure Activity Log (REST/CLI JSON, diagnostic-settings storage and Event Hub) and GCP audit
    logs (LogEntry JSON / JSON Lines), plus Sentinel exports (CSV or JSON) of the three tables.
    Exit status: 0 when everything loaded, 1 when records were rejected, 2 on usage errors.
    """
    inputs = list(paths) + ([str(sample_logs_dir())] if sample else [])
    if not inputs:
        raise UsageError("give at least one file or folder to ingest (or - for stdin, or --sample)")
    if parquet is not None:
        if db is not None:
            raise UsageError("ingest into a store (--db) or into Parquet (--parquet), not both")
        from revertguard.parquet import ingest_to_parquet, parquet_stats  # it brings the KQL engine

        report = _run_with_progress(inputs, lambda progress: ingest_to_parquet(
            inputs, Path(parquet), strict=strict, jobs=jobs, progress=progress))
        print_report(report)
        print_stats(parquet_stats(Path(parquet)), f"parquet {parquet}")
        return 0 if report.ok else 1
    with Store(db) as store:
        report = _run_with_progress(inputs, lambda progress: ingest(
            inputs, store, strict=strict, jobs=jobs, progress=progress))
        print_report(report)
        print_tables(store)
    return 0 if report.ok else 1


def _run_with_progress(inputs: list[str], run: Callable[[ProgressCallback | None], IngestReport]) -> IngestReport:
    err = error_console()
    sources, _ = discover(inputs)
    if not err.is_terminal or len(sources) < 2:
        return run(None)
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("ingest", total=len(sources))
        return run(lambda _done: progress.advance(task))


def print_report(report: IngestReport) -> None:
    """Print what an ingest run did: per-table counts, skipped files, rejections."""
    out = console()
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    out.print(f"Read {report.files} file(s){skipped}.")
    table = Table(title=None, show_edge=False, header_style="bold")
    for heading in ("table", "read", "added", "duplicates", "rejected", "first event", "last event"):
        table.add_column(heading, justify="right" if heading in ("read", "added", "duplicates", "rejected")
                         else "left")
    for name, counts in sorted(report.tables.items()):
        table.add_row(name, str(counts.read + counts.rejected), str(counts.added), str(counts.duplicates),
                      str(counts.rejected), _time(counts.first), _time(counts.last))
    unattributed = report.rejected - sum(c.rejected for c in report.tables.values())
    if unattributed:
        table.add_row("(unrecognised input)", str(unattributed), "0", "0", str(unattributed), "", "")
    out.print(table)
    if not report.stopped_early:
        out.print(f"records read {report.records_read} = added {report.added} + duplicates "
                  f"{report.duplicates} + rejected {report.rejected}")
    reasons: dict[str, int] = {}
    for item in report.skipped:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        out.print(f"skipped {count} file(s): {reason}")
    for note in report.notes:
        out.print(f"note: {safe(note)}")
    if report.rejected:
        err = error_console()
        err.print(f"[bold red]{report.rejected} record(s) rejected:[/]")
        for rejection in report.rejections:
            err.print(f"  {safe(rejection)}", markup=True)
        hidden = report.rejected - len(report.rejections)
        if hidden:
            err.print(f"  ... and {hidden} more")
    if report.stopped_early:
        error_console().print("stopped at the first problem (--strict); nothing was stored")


def print_tables(store: Store) -> None:
    """Print the row count and time range of each table in the store, and its watchlists."""
    watchlists = []
    for alias, (physical, _schema) in sorted(store.watchlists().items()):
        watchlists.append((alias, store.con.execute(f"SELECT count(*) FROM {quote_ident(physical)}").fetchone()[0]))
    print_stats(store.stats(), "store" + (f" {store.path}" if store.path != ":memory:" else ""), watchlists)


def print_stats(stats: list[TableStats], title: str, watchlists: list[tuple[str, int]] = ()) -> None:
    """Print the row count and time range of each table, then each watchlist's rows."""
    table = Table(show_edge=False, header_style="bold", title=safe(title))
    for heading in ("table", "rows", "first event", "last event"):
        table.add_column(heading, justify="right" if heading == "rows" else "left")
    for entry in stats:
        table.add_row(entry.table, str(entry.rows), _time(entry.first), _time(entry.last))
    for alias, rows in watchlists:
        table.add_row(f"watchlist {safe(alias)}", str(rows), "", "")
    console().print(table)


@click.command("tables")
@db_option
@click.option("--schema", "schema_of", metavar="TABLE", help="Print the columns and KQL types of TABLE.")
def tables_command(db: str | None, schema_of: str | None) -> int:
    """Show what a store holds (rows and time range per table), or a table's schema."""
    if schema_of:
        print_schema(schema_of)
        return 0
    if db:
        check_store_exists(db)
    with Store(db, read_only=bool(db)) as store:
        print_tables(store)
    return 0


def print_schema(name: str) -> None:
    """Print a table's columns, KQL types, and where ingest fills each from."""
    schema = TABLES.get(name)
    if schema is None:
        close = difflib.get_close_matches(name, TABLES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]}?" if close else f"; the tables are {', '.join(TABLES)}"
        raise UsageError(f"no table {name!r}{hint}")
    sources = {entry.column: entry for entry in MAPPINGS[schema.name]}
    grid = Table(show_edge=False, header_style="bold", title=schema.name)
    for heading in ("column", "type", "from", "note"):
        grid.add_column(heading)
    for column in schema.columns:
        entry = sources[column.name]
        note = "; ".join(n for n in ("hidden from *" if column.hidden else "", entry.note) if n)
        grid.add_row(column.name, column.type.value, safe(entry.source), safe(note))
    console().print(grid)


def _time(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""

