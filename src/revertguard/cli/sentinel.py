"""`revertguard sentinel export|validate|deploy`: rules into Microsoft Sentinel."""

from __future__ import annotations

import click

from revertguard.cli.output import console, error_console, safe
from revertguard.cli.rules import rules_option
from revertguard.sentinel import API_VERSION
from revertguard.sentinel.deploy import ARM_ENDPOINT, Workspace, deploy, format_plan
from revertguard.sentinel.export import FORMATS, export_rules
from revertguard.sentinel.validate import validate_rule_files

watchlists_option = click.option(
    "--watchlists", "watchlist_paths", multiple=True, metavar="PATH",
    help="Watchlist files or folders (YAML definitions, or <alias>.csv rows) over the shipped ones (repeatable).")


@click.group("sentinel")
def sentinel_group() -> None:
    """Validate, export and deploy the rules for Microsoft Sentinel."""


@sentinel_group.command("validate")
@click.argument("paths", nargs=-1)
@watchlists_option
def validate_command(paths: tuple[str, ...], watchlist_paths: tuple[str, ...]) -> int:
    """Check rules against Sentinel's constraints (default: every shipped rule).

    PATH is a rule file or folder, or seed / default / all. Checks fields and types, lengths,
    enums, frequency and period limits, trigger values, tactics and techniques, entity mappings,
    custom details, alert-details placeholders, versions, unique ids, and that every watchlist a
    query reads is defined. The KQL itself is not parsed. Exit status 1 when anything fails.
    """
    from revertguard.rules.watchlist import load_watchlists

    report = validate_rule_files(list(paths) or None, load_watchlists(watchlist_paths))
    out = console()
    for problem in report.problems:
        style = "red" if problem.level == "error" else "yellow"
        out.print(f"[{style}]{safe(problem)}[/]")
    out.print(f"{len(report.files)} rule file(s) checked: {len(report.errors)} error(s), "
              f"{len(report.warnings)} warning(s).")
    return 0 if report.ok else 1


@sentinel_group.command("export")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="yaml (Sentinel rule YAML + watchlist CSV) or arm (ARM templates); default both.")
@click.option("--out", "out_dir", default="sentinel-export", show_default=True, metavar="DIR",
              help="Folder to write to (created if missing; files of the same name are replaced).")
@rules_option("all")
@watchlists_option
@click.option("--all-watchlists", is_flag=True,
              help="Export every watchlist definition, not only those the rules read.")
def export_command(formats: tuple[str, ...], out_dir: str, selection: tuple[str, ...],
                   watchlist_paths: tuple[str, ...], all_watchlists: bool) -> int:
    """Write the rules as Sentinel YAML and ARM templates, with the watchlists they read."""
    result = export_rules(list(selection), out_dir, formats=formats or FORMATS, watchlist_paths=watchlist_paths,
                          all_watchlists=all_watchlists)
    out = console()
    out.print(f"Wrote {len(result.files)} file(s) to {safe(result.out_dir)} (ARM API version {API_VERSION}):")
    for path in result.files:
        out.print(f"  {safe(path.as_posix())}")
    return 0


@sentinel_group.command("deploy")
@click.option("--subscription", required=True, metavar="ID", help="Azure subscription id of the workspace.")
@click.option("--resource-group", required=True, metavar="RG", help="Resource group of the workspace.")
@click.option("--workspace", required=True, metavar="NAME", help="Log Analytics workspace with Sentinel enabled.")
@rules_option("default")
@watchlists_option
@click.option("--dry-run", is_flag=True, help="Print the requests instead of sending them (no credentials needed).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How --dry-run prints the requests.")
@click.option("--arm-endpoint", default=ARM_ENDPOINT, show_default=True, metavar="URL",
              help="Azure Resource Manager endpoint (for sovereign clouds).")
def deploy_command(subscription: str, resource_group: str, workspace: str, selection: tuple[str, ...],
                   watchlist_paths: tuple[str, ...], dry_run: bool, output: str, arm_endpoint: str) -> int:
    """Create or update the rules, and the watchlists they read, in a Sentinel workspace.

    Signs in with DefaultAzureCredential (az login, environment, managed identity...) and needs
    pip install 'revertguard[azure]'. Rules are validated first; nothing is sent if any fails.
    """
    target = Workspace(subscription, resource_group, workspace, arm_endpoint)
    progress = (lambda message: error_console().print(safe(message))) if not dry_run else None
    plan, result = deploy(list(selection), target, watchlist_paths=watchlist_paths, dry_run=dry_run,
                          progress=progress)
    if result is None:
        click.echo(format_plan(plan, output), nl=False)
        return 0
    deleted = f", {len(result.deleted_items)} stale watchlist item(s) deleted" if result.deleted_items else ""
    console().print(f"Deployed to {safe(workspace)}: {len(result.sent)} request(s) sent{deleted}.")
    return 0

