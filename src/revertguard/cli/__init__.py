"""The `revertguard` command. Each subcommand parses its options and calls one library function."""

from __future__ import annotations

import os
import sys

import click

from revertguard import __version__
from revertguard.cli import detect as detect_commands
from revertguard.cli import ingest as ingest_commands
from revertguard.cli import kql as kql_commands
from revertguard.cli import parquet as parquet_commands
from revertguard.cli import rules as rules_commands
from revertguard.cli import sentinel as sentinel_commands
from revertguard.cli import simulate as simulate_commands
from revertguard.cli.output import error_console, safe
from revertguard.errors import RevertguardError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="revertguard")
def cli() -> None:
    """Detect T1578.004 (Revert Cloud Instance) in AWS, Azure and GCP logs with Sentinel KQL rules, offline."""


for _module in (ingest_commands, parquet_commands, detect_commands, simulate_commands, rules_commands,
                sentinel_commands, kql_commands):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


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
