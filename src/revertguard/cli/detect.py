"""`revertguard scan`, `revertguard report`, `revertguard validate` and `revertguard rules test`.

Each command calls one library function (`detect.scan.scan`, `detect.validate.validate`,
`detect.ruletests.run_rule_tests`) and prints or writes its result through `revertguard.report`
(JSONL, OCSF, HTML); every log value is escaped before it reaches the terminal (rich markup and
control characters), since logs are attacker-controlled.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

import click
from rich.console import Console
from rich.table import Table

from revertguard.cli.engine import engine_options
from revertguard.cli.ingest import print_report
from revertguard.cli.output import (
    check_writable,
    console,
    error_console,
    file_console,
    output_stream,
    printable,
    safe,
)
from revertguard.cli.rules import rules_option
from revertguard.cli.times import parse_time
from revertguard.detect.findings import Alert, Findings, Incident
from revertguard.detect.scan import ScanResult, scan
from revertguard.detect.validate import ValidationResult, validate
from revertguard.errors import UsageError
from revertguard.kql.engines import EngineOptions
from revertguard.report import write_html, write_jsonl, write_ocsf
from revertguard.report.entities import identities
from revertguard.report.events import short_name
from revertguard.store import check_store_exists

EXIT_CLEAN, EXIT_INCIDENTS = 0, 1
_SEVERITY_STYLE = {"High": "bold red", "Medium": "yellow", "Low": "cyan", "Informational": "dim"}


def _time_option(name: str, help_text: str) -> click.Option:
    return click.option(name, metavar="TIME", help=help_text + " ISO 8601; a time without a zone is UTC.")


# Options scan and report share.
_watchlist_option = click.option("--watchlist", "--watchlists", "watchlists", multiple=True, metavar="FILE",
                                 help="Watchlist file or folder (YAML definition, or <alias>.csv rows); repeatable.")
_replay_option = click.option("--replay", is_flag=True,
                              help="Replay Sentinel's scheduled runs (every queryFrequency over queryPeriod).")


@click.command("scan")
@click.argument("paths", nargs=-1)
@click.option("--db", metavar="PATH", help="Store file (DuckDB) to ingest into and keep. Default: in memory.")
@rules_option("default")
@_time_option("--since", "Only events at or after this time.")
@_time_option("--until", "Only events at or before this time.")
@_watchlist_option
@click.option("--format", "output", type=click.Choice(["table", "jsonl", "json", "ocsf"]), default="table",
              show_default=True, help="table: a summary to read; jsonl: one incident or alert per line "
              "(docs/findings-schema.md); json: the whole scan; ocsf: OCSF 1.8.0 Detection Findings, one per line.")
@click.option("--out", "out_path", metavar="FILE", help="Write the --format output to FILE instead of standard output.")
@click.option("--html", "html_path", metavar="FILE", help="Also write the HTML investigation report to FILE.")
@_replay_option
@click.option("--show-suppressed", is_flag=True, help="List the matches watchlists suppressed, with their reasons.")
@click.option("--sample", is_flag=True, help="Scan the sample logs bundled with revertguard (with their watchlists).")
@click.option("--strict", is_flag=True, help="Stop at the first record that cannot be read (exit status 2).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when incidents are found (errors still exit 2).")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="one per core",
              help="Worker processes reading large inputs.")
@engine_options
def scan_command(paths: tuple[str, ...], db: str | None, selection: tuple[str, ...], since: str | None,
                 until: str | None, watchlists: tuple[str, ...], output: str, out_path: str | None,
                 html_path: str | None, replay: bool, show_suppressed: bool, sample: bool, strict: bool,
                 exit_zero: bool, jobs: int, engine_options: EngineOptions) -> int:
    """Ingest logs and run the detection rules on them, like Sentinel would.

    PATH is a log file or folder (as for `ingest`); with --db and no PATH, the rules run over
    what the store already holds. With --engine spark (or --parquet DIR) the logs go into Parquet
    (DIR, else a temporary folder) and the rules run there; --parquet DIR without PATH scans DIR.
    Exit status: 0 when no incident is found, 1 when incidents are found (0 with --exit-zero), 2
    on usage or input errors (like a linter).
    """
    check_writable(out_path)
    check_writable(html_path)
    result = scan(list(paths), db=db, rules=list(selection), watchlists=list(watchlists),
                  since=parse_time(since, "--since"), until=parse_time(until, "--until"), replay=replay,
                  sample=sample, strict=strict, jobs=jobs, with_events=output == "ocsf" or html_path is not None,
                  engine=engine_options)
    if result.ingest.stopped_early:
        print_report(result.ingest)
        raise UsageError("a record could not be read (--strict): nothing was scanned")
    with output_stream(out_path) as stream:
        if output == "jsonl":
            write_jsonl(result.findings, stream)
        elif output == "ocsf":
            write_ocsf(result.findings, stream, result.events)
        elif output == "json":
            stream.write(json.dumps(scan_document(result), ensure_ascii=False, indent=2) + "\n")
        else:
            print_scan(result, show_suppressed, file_console(stream))
    if html_path:
        write_html(result.findings, result.events, html_path)
        error_console().print(f"HTML report written to {printable(html_path)}", highlight=False)
    if result.ingest.rejected and output != "table":
        error_console().print(f"warning: {result.ingest.rejected} record(s) could not be read "
                              "(run `revertguard ingest` on the same input to see which)")
    return EXIT_INCIDENTS if result.findings.incidents and not exit_zero else EXIT_CLEAN


@click.command("report")
@click.option("--db", required=True, metavar="PATH", help="Store file (DuckDB) to run the rules over.")
@click.option("--out", "out_path", required=True, metavar="FILE", help="Where to write the HTML report.")
@rules_option("default")
@_time_option("--since", "Only events at or after this time.")
@_time_option("--until", "Only events at or before this time.")
@_watchlist_option
@_replay_option
def report_command(db: str, out_path: str, selection: tuple[str, ...], since: str | None, until: str | None,
                   watchlists: tuple[str, ...], replay: bool) -> int:
    """Run the detection rules over a store and write the HTML investigation report.

    The report is one self-contained file (no network, no scripts): a summary, each incident
    with its revert chain and timeline, the raw events behind every alert, and the suppressed
    matches with their reasons. Watchlists are those given with --watchlist, as for scan (they
    are not read back from the store). Exit status 0 when it is written, 2 on usage or input errors.
    """
    check_store_exists(db)
    check_writable(out_path)
    result = scan([], db=db, rules=list(selection), watchlists=list(watchlists), since=parse_time(since, "--since"),
                  until=parse_time(until, "--until"), replay=replay, with_events=True)
    write_html(result.findings, result.events, out_path)
    findings = result.findings
    console().print(f"Wrote {printable(out_path)}: {len(findings.incidents)} incident(s), {len(findings.alerts)} "
                    f"alert(s), {len(findings.suppressed)} suppressed match(es); {len(result.rules)} rule(s), "
                    f"{result.watchlist_rows} watchlist row(s).")
    return EXIT_CLEAN


def scan_document(result: ScanResult) -> dict:
    """The whole scan as one JSON document: inputs, rules, findings."""
    report = result.ingest
    return {
        "inputs": result.inputs,
        "ingest": {"files": report.files, "records": report.records_read, "added": report.added,
                   "duplicates": report.duplicates, "rejected": report.rejected},
        "watchlist_rows": {alias: len(w.rows) for alias, w in result.watchlists.items()},
        **result.findings.to_dict(),
    }


def print_scan(result: ScanResult, show_suppressed: bool, out: Console | None = None) -> None:
    """The terminal summary: what was read, the incidents, alerts outside incidents, suppressed matches."""
    out = out or console()
    findings = result.findings
    report = result.ingest
    span = (f" from {_when(findings.data_start)} to {_when(findings.data_end)}" if findings.data_start else "")
    mode = "replaying Sentinel's scheduled runs" if findings.mode == "replay" else "one pass over the data"
    out.print(f"Scanned {report.added + report.duplicates} event(s){span} with {len(result.rules)} rule(s), {mode}; "
              f"{result.watchlist_rows} watchlist row(s).")
    if report.rejected:
        out.print(f"[yellow]warning:[/] {report.rejected} record(s) could not be read; "
                  "`revertguard ingest` on the same input lists them.")
    if not findings.incidents:
        out.print("[green]No incidents.[/]")
    else:
        out.print(f"\n[bold]{len(findings.incidents)} incident(s)[/]")
        out.print(_incident_table(findings))
    loose = [a for a in findings.alerts if a.incident_id is None]
    if loose:
        out.print(f"\n[bold]{len(loose)} alert(s) outside incidents[/] (rules that open no incident by themselves)")
        out.print(_alert_table(loose, reason=False))
    if findings.suppressed:
        if show_suppressed:
            out.print(f"\n[bold]{len(findings.suppressed)} suppressed match(es)[/] (kept, with the watchlist reason)")
            out.print(_alert_table(findings.suppressed, reason=True))
        else:
            out.print(f"\n{len(findings.suppressed)} match(es) suppressed by watchlists "
                      "(--show-suppressed lists them).")


def _incident_table(findings: Findings) -> Table:
    alerts = {a.id: a for a in findings.alerts}
    table = Table(show_edge=False, header_style="bold", expand=False)
    for heading in ("#", "severity", "what happened", "identity", "resource", "time (UTC)", "why"):
        table.add_column(heading, overflow="fold", no_wrap=heading in ("#", "severity"))
    for n, incident in enumerate(findings.incidents, 1):
        members = [alerts[i] for i in incident.alert_ids if i in alerts]
        why = printable(members[0].why) if members else ""
        # The incident's other alerts, by rule: what else was seen on the same chain.
        why += "".join(f"\n+ {printable(a.rule_name)}" for a in members[1:])
        table.add_row(str(n), _severity(incident.severity), printable(incident.title), printable(_identity(incident)),
                      printable(_resource(incident)), _span(incident.first_event_time, incident.last_event_time), why)
    return table


def _alert_table(alerts: list[Alert], *, reason: bool) -> Table:
    table = Table(show_edge=False, header_style="bold")
    headings = ("severity", "what happened", "identity", "time (UTC)", "suppressed because" if reason else "why")
    for heading in headings:
        table.add_column(heading, overflow="fold", no_wrap=heading == "severity")
    for alert in alerts:
        table.add_row(_severity(alert.severity), printable(alert.title), printable(_identity(alert)),
                      _span(alert.first_event_time, alert.last_event_time),
                      printable(alert.suppression_reason if reason else alert.why))
    return table


def _severity(severity: str) -> str:
    style = _SEVERITY_STYLE.get(severity)
    return f"[{style}]{safe(severity)}[/]" if style else safe(severity)


def _identity(finding: Alert | Incident) -> str:
    return ", ".join(identities(finding.entities))


def _resource(incident: Incident) -> str:
    machines = [r for r in incident.resources if r.type in ("instance", "vm")]
    chosen = machines or incident.resources
    return ", ".join(short_name(r.id) for r in chosen[:3]) + (" ..." if len(chosen) > 3 else "")


def _span(first: datetime | None, last: datetime | None) -> str:
    if first is None:
        return ""
    if last is None or last == first:
        return _when(first)
    end = last.strftime("%H:%M") if last.date() == first.date() else _when(last)
    return f"{_when(first)} - {end}"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@click.command("validate")
@click.option("--seed", type=int, default=1578, show_default=True, help="Simulation seed.")
@click.option("--days", type=click.FloatRange(min=0.1, max=1.0), default=1.0, show_default=True,
              help="Length of the simulated window (at most the seed rule's own 24-hour look-back).")
@click.option("--noise", type=click.IntRange(min=0), default=200, show_default=True,
              help="Background activities per cloud per day.")
@rules_option("default")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def validate_command(seed: int, days: float, noise: int, selection: tuple[str, ...], output: str) -> int:
    """Measure the rules on every simulated scenario: coverage, recall, benign and noise incidents.

    Simulates every attack and benign scenario once (with intrusion context) in one estate with
    background noise, runs the seed rule and the selected rules, and matches incidents to
    scenarios through the labels' event ids. Exit status 1 when a target is missed.
    """
    result = validate(seed=seed, days=days, noise=noise, rules=list(selection))
    if output == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_validation(result)
    return EXIT_CLEAN if result.targets_met else EXIT_INCIDENTS


def print_validation(result: ValidationResult) -> None:
    """The coverage matrix (scenario x rule) and the figures, seed and improved rules side by side."""
    out = console()
    out.print(f"Simulated every scenario once (seed {result.seed}, {result.days:g} day(s), noise {result.noise}"
              f"/cloud/day, intrusion context): {result.events} events, {result.noise_events} of them noise.")
    matrix = Table(show_edge=False, header_style="bold", title="alerts per scenario: seed rule, improved rules R1..")
    for heading in ("scenario", "kind", "seed", *(f"R{n}" for n in range(1, len(result.rule_names) + 1)), "incidents"):
        matrix.add_column(heading, no_wrap=heading == "scenario", justify="left" if heading in ("scenario", "kind")
                          else "right")
    for row in result.scenarios:
        cells = [str(row.seed_alerts or ".")] + [str(row.rule_alerts.get(name, 0) or ".") for name in result.rule_names]
        wrong = row.incidents != 1 if row.kind == "attack" else row.incidents > 0
        matrix.add_row(row.name, row.kind, *cells, f"[red]{row.incidents}[/]" if wrong else str(row.incidents))
    out.print(matrix)
    for n, name in enumerate(result.rule_names, 1):
        out.print(f"  R{n} {safe(name)}")
    seed, improved, attacks = result.seed_figures, result.improved, result.attack_count
    figures = Table(show_edge=False, header_style="bold", title="figures")
    for heading in ("", "seed rule", "improved rules", "target"):
        figures.add_column(heading, justify="right" if heading in ("seed rule", "improved rules") else "left")
    for label, field, target, of_attacks in (
            ("attack scenarios caught", "caught", "all", True),
            ("... as exactly one incident", "exactly_one", "all", True),
            ("incidents from benign scenarios", "benign_incidents", "0", False),
            ("incidents from background noise", "noise_incidents", "", False),
            ("alerts on background noise", "noise_alerts", "100x fewer than the seed", False),
            ("suppressed matches, shown with reasons", "suppressed", "", False)):
        suffix = f"/{attacks}" if of_attacks else ""
        figures.add_row(label, f"{getattr(seed, field)}{suffix}", f"{getattr(improved, field)}{suffix}", target)
    out.print(figures)
    for line in result.failures:
        out.print(f"[red]missed:[/] {safe(line)}")
    out.print("[green]All targets met.[/]" if result.targets_met else "[red]Targets missed.[/]")

