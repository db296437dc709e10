"""The command tree: every subcommand is listed, loads, and has its own subcommands."""

from __future__ import annotations

import pytest

from revertguard.cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert f"\n  {name} " in listed


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_each_subcommand_loads_and_shows_its_help(name, capsys):
    assert main([name, "--help"]) == 0
    assert f"Usage: revertguard {name}" in capsys.readouterr().out


def test_rules_has_list_show_and_test(capsys):
    assert main(["rules", "--help"]) == 0
    commands = capsys.readouterr().out.split("Commands:")[1].split()
    assert {"list", "show", "test"} <= set(commands)


def test_an_unknown_command_is_a_usage_error(capsys):
    assert main(["revert"]) == 2
    assert "No such command 'revert'" in capsys.readouterr().err
