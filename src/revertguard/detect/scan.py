"""`scan`: ingest logs and run the detection rules on them in one call.

    from revertguard.detect.scan import scan
    result = scan(["logs/"], rules="default", watchlists=["tuning/"])
    result.findings.incidents, result.ingest.rejected

The store is in memory unless `db` names a file (ingesting again appends, as `ingest` does);
with a `db` and no paths, the rules run over what the store already holds. With `with_events`,
the raw rows of every event the findings cite are read back before the store closes (`events`,
for the OCSF evidences and the HTML report).
Watchlists are the shipped definitions (empty) overlaid with the user's files, given to the
engine so the rules' `_GetWatchlist()` calls read them (never written into the store or
folder). With `engine` naming Spark (or a Parquet folder), the logs are ingested into Parquet
instead and the rules run there, on Spark or DuckDB.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from revertguard.detect.findings import Findings
from revertguard.detect.runner import DetectOptions, detect
from revertguard.errors import UsageError
from revertguard.ingest import IngestReport, ingest
from revertguard.kql import DuckDBEngine, Engine
from revertguard.kql.engines import EngineOptions, open_engine
from revertguard.parquet import ingest_to_parquet
from revertguard.report.events import SourceEvent, cited_event_ids, load_events
from revertguard.rules import Rule, load_rules
from revertguard.rules.watchlist import WatchlistDefinition, load_watchlists
from revertguard.samples import sample_logs_dir, sample_watchlists_dir
from revertguard.store import Store, check_store_exists

# What scan runs on: an engine, what ingest did, and how to give the engine a watchlist.
_Tables = tuple[Engine, IngestReport]


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
         with_events: bool = False, engine: EngineOptions | None = None) -> ScanResult:
    """Ingest `paths` (and the bundled sample with `sample`), then run `rules` like Sentinel would.

    `sample` also loads the sample's own watchlists (its organisation's tuning and inventory).
    `engine` chooses the engine: DuckDB on the store (the default), or Parquet tables (its
    `parquet` folder, else a temporary one) read by DuckDB or Spark; `paths` are then ingested
    into that folder. Raises `UsageError` when there is nothing to read,
    `RuleFileError`/`RuleRunError` for broken rules.
    """
    inputs = [str(p) for p in paths]
    tuning = [Path(p) for p in watchlists]
    if sample:
        inputs.append(str(sample_logs_dir()))
        tuning.insert(0, sample_watchlists_dir())
    on_parquet = engine is not None and (engine.engine != "duckdb" or engine.parquet is not None)
    if not inputs and db is None and not (on_parquet and engine.parquet):
        raise UsageError("give at least one log file or folder to scan (or --sample, or a --db or --parquet "
                         "folder to scan as it is)")
    if since and until and since > until:
        raise UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    selected = load_rules(rules)
    definitions = load_watchlists(tuning)
    tables = _parquet_tables(engine, inputs, strict, jobs) if on_parquet else _store_tables(db, inputs, strict, jobs)
    with tables as (runner, report):
        catalog = runner.catalog()  # watchlists are given to the engine, never written where the tables are
        for definition in definitions.values():
            catalog.put_watchlist(definition.to_store())
        findings = detect(runner, selected, DetectOptions(replay=replay, since=since, until=until))
        events = load_events(runner, cited_event_ids(findings)) if with_events else {}
    return ScanResult(report, selected, definitions, findings, inputs, events)


@contextlib.contextmanager
def _store_tables(db: str | Path | None, inputs: list[str], strict: bool, jobs: int) -> Iterator[_Tables]:
    """DuckDB on a store (in memory, or the `db` file) that `inputs` are ingested into."""
    if db is not None and not inputs:
        check_store_exists(str(db))  # scanning a mistyped path would make an empty store
    with Store(db) as store:
        report = ingest(inputs, store, strict=strict, jobs=jobs)
        yield DuckDBEngine(store), report


@contextlib.contextmanager
def _parquet_tables(options: EngineOptions, inputs: list[str], strict: bool, jobs: int) -> Iterator[_Tables]:
    """The options' engine on a Parquet folder (a temporary one unless given) that `inputs` are
    ingested into."""
    if options.db is not None:
        raise UsageError(f"--engine {options.engine} reads Parquet tables: scan into --parquet DIR instead of --db")
    with contextlib.ExitStack() as stack:
        root = options.parquet or stack.enter_context(tempfile.TemporaryDirectory(prefix="revertguard-scan-"))
        report = IngestReport()
        if inputs:
            if "://" in root:
                raise UsageError(f"scan ingests into a local folder, not {root}: ingest with `revertguard ingest "
                                 "--parquet DIR`, copy DIR there, then scan it without PATHs")
            report = ingest_to_parquet(inputs, Path(root), strict=strict, jobs=jobs)
        runner = stack.enter_context(open_engine(dataclasses.replace(options, parquet=str(root))))
        yield runner, report
