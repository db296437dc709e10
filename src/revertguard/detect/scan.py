"""`scan`: ingest logs and run the detection rules on them in one call.

    from revertguard.detect.scan import scan
    result = scan(["logs/"], rules="default", watchlists=["tuning/"])
    result.findings.incidents, result.ingest.rejected

The store is in memory unless `db` names a file (ingesting again appends, as `ingest` does);
with a `db` and no paths, the rules run over what the store already holds. With `with_events`,
the raw rows of every event the findings cite are read back before the store closes (`events`,
for the OCSF evidences and the HTML report).
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
from revertguard.report.events import SourceEvent, cited_event_ids, load_events
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
    events: dict[str, SourceEvent] = field(default_factory=dict)  # by event id, when asked for

    @property
    def watchlist_rows(self) -> int:
        return sum(len(w.rows) for w in self.watchlists.values())


def scan(paths: Sequence[str], *, db: str | Path | None = None, rules: str | Iterable[str] = "default",
         watchlists: Sequence[str | Path] = (), since: datetime | None = None, until: datetime | None = None,
         replay: bool = False, sample: bool = False, strict: bool = False, jobs: int = 1,
         with_events: bool = False) -> ScanResult:
    """Ingest `paths` (and the bundled sample with `sample`), then run `rules` like Sentinel would.

    `sample` also loads the sample's own watchlists (its organisation's tuning and inventory).
    Raises `UsageError` when there is nothing to read, `RuleFileError`/`RuleRunError` for broken rules.
    """
    inputs = [str(p) for p in paths]
    tuning = [Path(p) for p in watchlists]
    if sample:
        inputs.append(str(sample_logs_dir()))
        tuning.insert(0, sample_watchlists_dir())
    if not inputs and db is None:
        raise UsageError("give at least one log file or folder to scan (or --sample, or a --db to scan as it is)")
    if since and until and since > until:
        raise UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    selected = load_rules(rules)
    definitions = load_watchlists(tuning)
    with Store(db) as store:
        report = ingest(inputs, store, strict=strict, jobs=jobs)
        for definition in definitions.values():
            store.put_watchlist(definition.to_store())
        engine = DuckDBEngine(store)
        findings = detect(engine, selected, DetectOptions(replay=replay, since=since, until=until))
        events = load_events(engine, cited_event_ids(findings)) if with_events else {}
    return ScanResult(report, selected, definitions, findings, inputs, events)
