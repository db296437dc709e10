"""The `revertguard` command. Each subcommand parses its options and calls one library function."""

from __future__ import annotations

import importlib
import os
import sys

import click

from revertguard import __version__
from revertguard.cli.output import error_console, safe
from revertguard.errors import RevertguardError

# Every subcommand: its name, then the module and object that define it. A command's module is
# imported only when that command runs (or help lists it), so `ingest` does not pay for the KQL
# engine, the rules and sqlglot at start-up.
SUBCOMMANDS = {
    "ingest": ("revertguard.cli.ingest", "ingest_command"),
    "tables": ("revertguard.cli.ingest", "tables_command"),
    "export-tables": ("revertguard.cli.parquet", "export_tables_command"),
    "scan": ("revertguard.cli.detect", "scan_command"),
    "report": ("revertguard.cli.detect", "report_command"),
    "validate": ("revertguard.cli.detect", "validate_command"),
    "simulate": ("revertguard.cli.simulate", "simulate_command"),
    "rules": ("revertguard.cli.rules", "rules_group"),
    "sentinel": ("revertguard.cli.sentinel", "sentinel_group"),
    "kql": ("revertguard.cli.kql", "kql_command"),
}


class _LazyGroup(click.Group):
    """A group whose subcommands are imported from `SUBCOMMANDS` when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module, name = SUBCOMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command) and command.name == cmd_name
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="revertguard")
def cli() -> None:
    """Detect T1578.004 (Revert Cloud Instance) in AWS, Azure and GCP logs with Sentinel KQL rules, offline."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one clear message and never a traceback."""
    try:
        result = cli.main(args=argv, prog_name="revertguard", standalone_mode=False)
    except click.exceptions.Abort:
        error_console().print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except RevertguardError as exc:
        # Messages quote rule text and log values: escape them so they print as they are.
        # soft_wrap keeps long lines whole, so a caret under a query line stays under its spot.
        error_console().print(f"[bold red]error:[/] {safe(exc)}", highlight=False, markup=True, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`revertguard ... | head`): not an error worth a message.
        sys.stderr.close()
        return 0
    except Exception as exc:
        if os.environ.get("REVERTGUARD_DEBUG"):
            raise
        error_console().print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {safe(exc)}\n"
            "This is a bug in revertguard; run again with REVERTGUARD_DEBUG=1 to see where it happened.",
            highlight=False, markup=True,
        )
        return 3
    return result if isinstance(result, int) else 0
