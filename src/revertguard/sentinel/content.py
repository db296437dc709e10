"""Rules and watchlists ready for Sentinel: loaded, and valid by Sentinel's constraints."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from revertguard.errors import RevertguardError, UsageError
from revertguard.rules.catalog import load_rule, rule_files
from revertguard.rules.model import Rule
from revertguard.rules.watchlist import WatchlistDefinition, load_watchlists
from revertguard.sentinel.validate import ValidationReport, validate_rule_files


class ValidationFailed(RevertguardError):
    """Rules that Sentinel would reject; nothing was exported or deployed."""

    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        errors = report.errors
        super().__init__(f"{len(errors)} problem(s) in the rules; nothing was written or sent:\n"
                         + "\n".join(str(p) for p in errors))


def load_valid_content(selection: str | Path | Iterable[str | Path],
                       watchlist_paths: Iterable[str | Path] = ()) -> tuple[list[Rule], dict[str, WatchlistDefinition]]:
    """Load the selected rules and the watchlists (shipped, then the user's files over them).

    Raises `ValidationFailed` when any rule breaks a Sentinel constraint (warnings pass).
    """
    watchlists = load_watchlists(watchlist_paths)
    files = rule_files(selection)
    if not files:
        raise UsageError(f"the selection {_describe(selection)} names no rules (--rules seed, default, all, or "
                         "rule files and folders)")
    report = validate_rule_files(files, watchlists)
    if not report.ok:
        raise ValidationFailed(report)
    return [load_rule(path) for path in files], watchlists


def _describe(selection: str | Path | Iterable[str | Path]) -> str:
    items = [selection] if isinstance(selection, str | Path) else list(selection)
    return ", ".join(repr(str(i)) for i in items)
