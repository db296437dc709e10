"""`revertguard rules list|show|test`: the detection rules revertguard ships, or the user's,
and their test cases. `rules_option` is the shared `--rules SELECTION` option.
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from revertguard.cli.output import console, printable, safe
from revertguard.rules import DETECTIONS_DIR, SELECTIONS, Rule, find_rule, load_rules
from revertguard.rules.timespans import short_timespan


def rules_option(default: str) -> click.Option:
    """`--rules SELECTION` (repeatable): seed, default, all, or rule files and folders."""
    return click.option(
        "--rules", "selection", multiple=True, metavar="SELECTION", default=(default,), show_default=True,
        help=f"Rules to use: {', '.join(SELECTIONS)}, or rule files and folders (repeatable).")


@click.group("rules")
def rules_group() -> None:
    """List and show detection rules (Sentinel analytics rules in YAML)."""


@rules_group.command("list")
@rules_option("all")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_command(selection: tuple[str, ...], output: str) -> int:
    """List rules: id, name, severity, schedule, tables, how many watchlists they read, test cases."""
    rules = load_rules(list(selection))
    if output == "json":
        click.echo(json.dumps([{
            "id": r.id, "name": r.name, "set": _shipped_set(r), "severity": r.severity,
            "queryFrequency": short_timespan(r.query_frequency), "queryPeriod": short_timespan(r.query_period),
            "tactics": list(r.tactics), "techniques": list(r.techniques), "tables": list(r.tables),
            "watchlists": list(r.watchlists), "version": r.version, "path": str(r.path),
            "tests": str(r.tests_path) if r.tests_path else None,
        } for r in rules], indent=2, ensure_ascii=False))
        return 0
    if not rules:
        console().print("No rules in this selection.")
        return 0
    table = Table(show_edge=False, header_style="bold")
    for heading in ("id", "name", "set", "severity", "every / over", "tables", "watchlists", "tests", "file"):
        # Ids and names stay whole (people copy them); the watchlists are counted (`--format json` lists them).
        table.add_column(heading, overflow="fold", no_wrap=heading in ("id", "name", "file"),
                         justify="right" if heading == "watchlists" else "left")
    for rule in rules:
        schedule = f"{short_timespan(rule.query_frequency)} / {short_timespan(rule.query_period)}"
        table.add_row(safe(rule.id), safe(rule.name), _shipped_set(rule), safe(rule.severity), schedule,
                      ", ".join(rule.tables), str(len(rule.watchlists)), "yes" if rule.tests_path else "",
                      safe(rule.path.name))
    console().print(table)
    return 0


def _shipped_set(rule: Rule) -> str:
    """Which named selection a shipped rule belongs to (empty for the user's own files)."""
    if rule.baseline:
        return "seed"
    return "default" if rule.path.resolve().is_relative_to(DETECTIONS_DIR) else ""


@rules_group.command("show")
@click.argument("rule")
@rules_option("all")
def show_command(rule: str, selection: tuple[str, ...]) -> int:
    """Print a rule's YAML file as it is. RULE is its id, name or file name."""
    found = find_rule(rule, load_rules(list(selection)))
    click.echo(found.text, nl=not found.text.endswith("\n"))
    return 0


@rules_group.command("test")
@click.argument("names", nargs=-1, metavar="[RULE]...")
@rules_option("all")
@click.option("--case", "cases", multiple=True, metavar="TEXT", help="Only cases whose name contains TEXT.")
def test_command(names: tuple[str, ...], selection: tuple[str, ...], cases: tuple[str, ...]) -> int:
    """Run rules' test cases (`<rule>.tests.yaml`): PASS/FAIL per case, with what differed.

    RULE is an id, name or file name (default: every selected rule). Exit status 1 when a case fails.
    """
    rules = load_rules(list(selection))
    if names:
        rules = [find_rule(name, rules) for name in names]
    from revertguard.detect.ruletests import run_rule_tests  # the KQL engine: only `rules test` needs it

    out = console()
    passed = failed = 0
    for rule in rules:
        if rule.tests_path is None:
            out.print(f"[dim]no tests[/]  {printable(rule.name)}")
            continue
        for case in run_rule_tests(rule, cases):
            if case.passed:
                passed += 1
                out.print(f"[green]PASS[/]  {printable(rule.stem)} :: {printable(case.name)}")
                continue
            failed += 1
            out.print(f"[bold red]FAIL[/]  {printable(rule.stem)} :: {printable(case.name)}")
            for problem in case.problems:
                out.print(f"        {printable(problem)}")
    out.print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
