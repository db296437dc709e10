"""`revertguard simulate`: write realistic raw logs of revert scenarios, with ground-truth labels."""

from __future__ import annotations

from datetime import datetime

import click
import msgspec
from rich.table import Table

from revertguard.cli.output import console, safe
from revertguard.errors import UsageError
from revertguard.ingest.timestamps import TimestampError, parse_iso
from revertguard.simulate import (
    DEFAULT_FORMATS,
    DEFAULT_NOISE,
    FORMATS,
    LABELS_FILE,
    UnknownFormatError,
    UnknownScenarioError,
    generate,
    list_scenarios,
)


def _start(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except TimestampError as exc:
        raise UsageError(f"--start: {exc} (use ISO 8601, e.g. 2026-11-20T00:00:00Z)") from None


@click.command("simulate")
@click.argument("scenarios", nargs=-1)
@click.option("--out", "out_dir", metavar="DIR", help="Folder to write the logs and revertguard-labels.json to.")
@click.option("--all", "all_scenarios", is_flag=True, help="Run every scenario once.")
@click.option("--list", "list_only", is_flag=True, help="List the scenarios instead of running them.")
@click.option("--seed", default=0, show_default=True, help="Random seed; the same seed gives the same output.")
@click.option("--noise", default=DEFAULT_NOISE, show_default=True,
              help="Background activities per cloud per simulated day (0 for none).")
@click.option("--days", default=1.0, show_default=True, help="Length of the simulated window in days.")
@click.option("--start", "start", metavar="TIME", help="Start of the window (ISO 8601, UTC). Default 2026-11-20.")
@click.option("--format", "formats", multiple=True, metavar="NAME",
              help=f"Log format to write (repeatable; default: {', '.join(DEFAULT_FORMATS)}). "
                   f"One of: {', '.join(FORMATS)}. With --list: text or json.")
@click.option("--intrusion-context", is_flag=True,
              help="Precede every attack with exfiltration or lateral movement by the same identity.")
def simulate_command(scenarios: tuple[str, ...], out_dir: str | None, all_scenarios: bool, list_only: bool,
                     seed: int, noise: int, days: float, start: str | None, formats: tuple[str, ...],
                     intrusion_context: bool) -> int:
    """Write raw AWS, Azure and GCP logs of revert scenarios and benign look-alikes, with labels.

    Example: revertguard simulate aws-manual-root-swap azure-patch-rollback --out sim --intrusion-context
    """
    if list_only:
        return _print_list(formats)
    if all_scenarios and scenarios:
        raise UsageError("give scenario names or --all, not both")
    if not all_scenarios and not scenarios:
        raise UsageError("name at least one scenario, or use --all (--list shows them)")
    if not out_dir:
        raise UsageError("--out DIR is required")
    if noise < 0 or days <= 0:
        raise UsageError("--noise must be 0 or more and --days more than 0")
    try:
        labels = generate(None if all_scenarios else list(scenarios), out_dir, seed=seed, noise=noise, days=days,
                          start=_start(start), formats=list(formats) or None, intrusion_context=intrusion_context)
    except (UnknownScenarioError, UnknownFormatError) as exc:
        raise UsageError(str(exc)) from None
    out = console()
    runs = labels["scenarios"]
    attacks = sum(1 for r in runs if r["kind"] == "attack")
    counts = ", ".join(f"{cloud} {n}" for cloud, n in labels["event_counts"].items())
    out.print(f"Wrote {len(runs)} scenario run(s) ({attacks} attack, {len(runs) - attacks} benign) and noise "
              f"from {labels['start']} to {labels['end']}: {counts} records.")
    for name, folder in labels["formats"].items():
        out.print(f"  {name:<17} {safe(out_dir)}/{folder}")
    out.print(f"  watchlists        {safe(out_dir)}/{labels['watchlists']}  (scan --watchlist)")
    out.print(f"  labels            {safe(out_dir)}/{LABELS_FILE}")
    return 0


def _print_list(formats: tuple[str, ...]) -> int:
    choice = formats[-1] if formats else "text"
    if choice not in ("text", "json"):
        raise UsageError("with --list, --format is text or json")
    items = list_scenarios()
    if choice == "json":
        click.echo(msgspec.json.format(msgspec.json.encode(items), indent=2).decode())
        return 0
    table = Table(show_edge=False, header_style="bold")
    for heading in ("name", "kind", "cloud", "description"):
        table.add_column(heading, overflow="fold")
    for item in items:
        table.add_row(item["name"], item["kind"], item["cloud"], item["description"])
    console().print(table)
    return 0

