"""`scan`: ingest logs and run the detection rules on them in one call.

    from revertguard.detect.scan import scan
    result = scan(["logs/"], rules="default", watchlists=["tuning/"])
    result.findings.incidents, result.ingest.rejected

The store is in memory unless `db` names a file (ingesting again appends, as `ingest` does).
Watchlists are the shipped definitions (empty) overlaid with the user's files, loaded into the
store so the rules' `_GetWatchlist()` calls read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from revertguard.detect.findings import Findings
from revertguard.detect.runner import DetectOptions, detect
from revertguard.errors import UsageError
from revertguard.ingest import IngestReport, ingest
from revertguard.kql import DuckDBEngine
from revertguard.rules import Rule, load_rules
from revertguard.rules.watchlist import WatchlistDefinition, load_watchlists
from revertguard.samples import sample_logs_dir, sample_watchlists_dir
from revertguard.store import Store


@dataclass
class ScanResult:
    """What a scan read and found."""

    ingest: IngestReport
    rules: list[Rule]
    watchlists: dict[str, WatchlistDefinition]
    findings: Findings
    inputs: list[str] = field(default_factory=list)

    @property
    def watchlist_rows(self) -> int:
        return sum(len(w.rows) for w in self.watchlists.values())


def scan(paths: Sequence[str], *, db: str | Path | None = None, rules: str | Iterable[str] = "default",
         watchlists: Sequence[str | Path] = (), since: datetime | None = None, until: datetime | None = None,
         replay: bool = False, sample: bool = False, strict: bool = False, jobs: int = 1) -> ScanResult:
    """Ingest `paths` (and the bundled sample with `sample`), then run `rules` like Sentinel would.

    `sample` also loads the sample's own watchlists (its organisation's tuning and inventory).
    Raises `UsageError` when there is nothing to read, `RuleFileError`/`RuleRunError` for broken rules.
    """
    inputs = [str(p) for p in paths]
    tuning = [Path(p) for p in watchlists]
    if sample:
        inputs.append(str(sample_logs_dir()))
        tuning.insert(0, sample_watchlists_dir())
    if not inputs:
        raise UsageError("give at least one log file or folder to scan (or --sample)")
    if since and until and since > until:
        raise UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    selected = load_rules(rules)
    definitions = load_watchlists(tuning)
    with Store(db) as store:
        report = ingest(inputs, store, strict=strict, jobs=jobs)
        for definition in definitions.values():
            store.put_watchlist(definition.to_store())
        findings = detect(DuckDBEngine(store), selected, DetectOptions(replay=replay, since=since, until=until))
    return ScanResult(report, selected, definitions, findings, inputs)
