"""`revertguard sentinel export`: rules and their watchlists as files Sentinel takes.

Layout under the output folder (every file rewritten on each run; nothing else is touched):

    rules/<stem>.yaml                Sentinel YAML, the Azure-Sentinel repository's format
    watchlists/<alias>.csv           watchlist rows, for the portal's upload
    arm/rules/<stem>.json            one ARM template per rule
    arm/watchlists/<alias>.json      one ARM template per watchlist (the watchlist and its items)
    arm/revertguard-sentinel.json    every watchlist the rules read, then every rule

Output is deterministic: files and resources in a fixed order, JSON and YAML through their
serialisers, no timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revertguard.errors import UsageError
from revertguard.rules.model import Rule
from revertguard.rules.schema import KNOWN_KEYS
from revertguard.rules.watchlist import WatchlistDefinition
from revertguard.rules.yamldoc import dump_yaml
from revertguard.sentinel import arm
from revertguard.sentinel.content import load_valid_content

FORMATS = ("yaml", "arm")
COMBINED_TEMPLATE = "revertguard-sentinel.json"


@dataclass
class ExportResult:
    """The files an export wrote, relative to its output folder, in the order written."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)


def rule_yaml(rule: Rule) -> str:
    """The rule as Sentinel YAML: the repository's key order, the query as a literal block.

    Keys revertguard does not know are kept, after the known ones and before `version`/`kind`.
    """
    data = rule.data
    ordered = {k: data[k] for k in KNOWN_KEYS if k in data and k not in ("version", "kind")}
    ordered.update({k: v for k, v in data.items() if k not in KNOWN_KEYS})
    ordered.update({k: data[k] for k in ("version", "kind") if k in data})
    return dump_yaml(ordered)


def watchlists_for(rules: Iterable[Rule], definitions: Mapping[str, WatchlistDefinition]) -> list[WatchlistDefinition]:
    """The definitions of every watchlist the rules read, by alias; an undefined one is an error."""
    aliases = sorted({a for r in rules for a in r.watchlists})
    missing = [a for a in aliases if a not in definitions]
    if missing:
        users = {a: [r.name for r in rules if a in r.watchlists] for a in missing}
        detail = "; ".join(f"'{a}' (read by {', '.join(users[a])})" for a in missing)
        raise UsageError(f"no watchlist definition for {detail}: add a definition file or pass --watchlists")
    return [definitions[a] for a in aliases]


def export(rules: Sequence[Rule], out_dir: str | Path, *, formats: Iterable[str] = FORMATS,
           watchlists: Mapping[str, WatchlistDefinition], all_watchlists: bool = False) -> ExportResult:
    """Write the rules (and the watchlists they read, or every one with `all_watchlists`)."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown export format {unknown[0]!r}; use {' or '.join(FORMATS)}")
    if not rules:
        raise UsageError("no rules to export")
    _check_unique_stems(rules)
    used = watchlists_for(rules, watchlists)
    chosen = [watchlists[a] for a in sorted(watchlists)] if all_watchlists else used
    result = ExportResult(Path(out_dir))
    ordered_rules = sorted(rules, key=lambda r: r.stem)
    if "yaml" in formats:
        for rule in ordered_rules:
            _write(result, Path("rules") / f"{rule.stem}.yaml", rule_yaml(rule))
        for watchlist in chosen:
            _write(result, Path("watchlists") / f"{watchlist.alias}.csv", watchlist.csv_text())
    if "arm" in formats:
        for rule in ordered_rules:
            _write(result, Path("arm") / "rules" / f"{rule.stem}.json", _json(arm.rule_template(rule)))
        for watchlist in chosen:
            _write(result, Path("arm") / "watchlists" / f"{watchlist.alias}.json",
                   _json(arm.watchlist_template(watchlist)))
        _write(result, Path("arm") / COMBINED_TEMPLATE,
               _json(arm.combined_template(ordered_rules, {w.alias: w for w in chosen})))
    return result


def _check_unique_stems(rules: Sequence[Rule]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        other = seen.setdefault(rule.stem.lower(), rule)
        if other is not rule:
            raise UsageError(f"{rule.path} and {other.path} have the same file name; exports name files after "
                             "rules, so rename one")


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _write(result: ExportResult, relative: Path, text: str) -> None:
    target = result.out_dir / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # newline="" keeps the CSV's CRLF and the YAML/JSON LF exactly as generated.
        with target.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    result.files.append(relative)


def export_rules(selection: str | Path | Iterable[str | Path], out_dir: str | Path, *,
                 formats: Iterable[str] = FORMATS, watchlist_paths: Iterable[str | Path] = (),
                 all_watchlists: bool = False) -> ExportResult:
    """Validate the selected rules, then export them (see `export`); invalid rules stop it."""
    rules, watchlists = load_valid_content(selection, watchlist_paths)
    return export(rules, out_dir, formats=formats, watchlists=watchlists, all_watchlists=all_watchlists)
