"""A rule's test cases (`<stem>.tests.yaml` beside the rule): raw events in, expected rows out.

    now: 2026-11-20T12:00:00Z        # the query clock of every case (a case may set its own)
    defaults:                        # optional: merged (deeply) into every event of that kind
      cloudtrail: {awsRegion: eu-west-1, recipientAccountId: "111122223333"}
      azure: {...}
      gcp: {...}
    cases:
      - name: root volume replaced from a snapshot
        watchlists:                  # optional: rows per watchlist alias (the rest stay empty)
          RevertGuardApprovedIdentities:
            - {Identity: "arn:aws:iam::111122223333:role/DR", Cloud: aws, Scope: "*"}
        events:                      # records exactly as ingest reads them, under their kind
          - cloudtrail: {eventName: CreateReplaceRootVolumeTask, ...}
          - azure: {...}             # REST or diagnostic-settings form
          - gcp: {...}               # a LogEntry
        expect:
          rows:                      # every row the rule returns, each given by some of its columns
            - {Severity: High, InstanceId: i-0abc}
          suppressed:                # rows a watchlist suppressed (kept, with SuppressionReason)
            - {SuppressionReason: {contains: approved identity}}

A case passes when the rule returns exactly as many rows as listed and each listed row matches a
different returned row on every column it names. A value matches when it is equal; `{contains:
x}` matches text holding `x` or a list holding `x` (`{contains: [x, y]}`: both); `{set: [...]}`
matches a list in any order.
Each case runs alone, in a fresh in-memory store, with the shipped watchlists (empty) plus its
own rows, like a single pass whose `now()` is the case's clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from revertguard.detect.alerts import split_suppressed
from revertguard.detect.findings import iso
from revertguard.detect.runner import prepare_query
from revertguard.detect.schedule import WindowedCatalog
from revertguard.errors import RevertguardError
from revertguard.ingest import RawRecord, ingest_records
from revertguard.ingest.timestamps import TimestampError, parse_iso
from revertguard.kql import DuckDBEngine, Engine, KqlError
from revertguard.rules import Rule, load_rule_tests
from revertguard.rules.watchlist import shipped_watchlists
from revertguard.store import Store

EVENT_KINDS = ("cloudtrail", "azure", "gcp")


class RuleTestError(RevertguardError):
    """A test-cases file that cannot be used: its shape is wrong, or its events do not ingest."""


@dataclass
class CaseResult:
    """One case: passed or not, why not (each problem a readable line), and the rows returned."""

    rule: Rule
    name: str
    problems: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


EngineFactory = Callable[[Store], Engine]


def run_rule_tests(rule: Rule, only: Sequence[str] = (), engine: EngineFactory = DuckDBEngine) -> list[CaseResult]:
    """Run a rule's test cases (all, or those whose name contains one of `only`), each on the
    engine `engine` makes of the case's store (DuckDB on the store itself, by default)."""
    spec = load_rule_tests(rule)
    if spec is None:
        return []
    where = str(rule.tests_path)
    if not isinstance(spec, dict) or not isinstance(spec.get("cases"), list):
        raise RuleTestError(f"{where}: a tests file is a mapping with a 'cases' list")
    defaults = spec.get("defaults") or {}
    results = []
    for index, case in enumerate(spec["cases"]):
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            raise RuleTestError(f"{where}: case {index + 1} needs a 'name'")
        if only and not any(o.lower() in case["name"].lower() for o in only):
            continue
        now = _clock(case.get("now", spec.get("now")), f"{where}: case {case['name']!r}")
        results.append(run_case(rule, case, defaults, now, engine))
    return results


def run_case(rule: Rule, case: dict[str, Any], defaults: dict[str, Any], now: datetime,
             engine_for: EngineFactory = DuckDBEngine) -> CaseResult:
    """Ingest a case's events into a fresh store, run the rule at `now` on the engine
    `engine_for` makes of that store, and compare the rows."""
    result = CaseResult(rule, case["name"])
    label = f"{rule.tests_path}: case {case['name']!r}"
    with Store() as store:
        _load_watchlists(store, case.get("watchlists") or {}, label)
        by_kind: dict[str, list[RawRecord]] = {}
        for i, event in enumerate(case.get("events") or []):
            kind, record = _record(event, defaults, label, i)
            by_kind.setdefault(kind, []).append(record)
        for records in by_kind.values():  # one "file" per kind of record, as ingest expects
            report = ingest_records(records, store)
            if report.rejected:
                raise RuleTestError(f"{label}: events did not ingest: "
                                    + "; ".join(str(r) for r in report.rejections))
        engine = engine_for(store)
        try:
            rows = engine.run(prepare_query(rule), now=now,
                              catalog=WindowedCatalog(engine.catalog(), None, now)).to_dicts()
        except KqlError as exc:
            result.problems.append(f"the query failed: {exc}")
            return result
    result.rows, result.suppressed = split_suppressed(rows)
    expect = case.get("expect") or {}
    result.problems += compare_rows("row", expect.get("rows") or [], result.rows)
    result.problems += compare_rows("suppressed row", expect.get("suppressed") or [], result.suppressed)
    return result


def _clock(value: Any, label: str) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        try:
            return parse_iso(value)
        except TimestampError:
            pass
    raise RuleTestError(f"{label}: 'now' must be an ISO 8601 time such as 2026-11-20T12:00:00Z")


def _load_watchlists(store: Store, rows_by_alias: dict[str, Any], label: str) -> None:
    definitions = shipped_watchlists()
    for alias in rows_by_alias:
        if alias not in definitions:
            raise RuleTestError(f"{label}: no watchlist {alias!r} (known: {', '.join(definitions)})")
    for alias, definition in definitions.items():
        rows = rows_by_alias.get(alias) or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RuleTestError(f"{label}: watchlist {alias} rows must be a list of mappings")
        store.put_watchlist(definition.with_rows([{k: str(v) for k, v in r.items()} for r in rows]).to_store())


def _record(event: Any, defaults: dict[str, Any], label: str, index: int) -> tuple[str, RawRecord]:
    if not isinstance(event, dict) or len(event) != 1 or next(iter(event)) not in EVENT_KINDS:
        raise RuleTestError(f"{label}: event {index + 1} must be one of {', '.join(EVENT_KINDS)}: {{record}}")
    kind, record = next(iter(event.items()))
    merged = _merge(defaults.get(kind) or {}, record)
    return kind, RawRecord(f"{label} {kind} events", f"event {index + 1}",
                           json.dumps(merged, default=_json_time).encode())


def _json_time(value: Any) -> str:
    if isinstance(value, datetime):
        return iso(value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value) or ""
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return override


def compare_rows(what: str, expected: list[Any], actual: list[dict[str, Any]]) -> list[str]:
    """Problems (readable lines) when `actual` rows do not match the `expected` partial rows one to one."""
    problems = []
    unmatched = list(range(len(actual)))
    for n, want in enumerate(expected, 1):
        if not isinstance(want, dict):
            problems.append(f"expected {what} {n} must be a mapping of column: value")
            continue
        hit = next((i for i in unmatched if _row_matches(want, actual[i])), None)
        if hit is not None:
            unmatched.remove(hit)
            continue
        closest = min(unmatched, key=lambda i: len(_differences(want, actual[i])), default=None)
        if closest is None:
            problems.append(f"expected {what} {n} {_show(want)} was not returned")
        else:
            diffs = "; ".join(_differences(want, actual[closest]))
            problems.append(f"expected {what} {n} was not returned; the closest differs: {diffs}")
    for i in unmatched:
        brief = {k: v for k, v in actual[i].items() if not k.endswith("EventIds") and k != "RevertChain"}
        problems.append(f"unexpected {what}: {_show(brief)}")
    return problems


def _row_matches(want: dict[str, Any], row: dict[str, Any]) -> bool:
    return not _differences(want, row)


def _differences(want: dict[str, Any], row: dict[str, Any]) -> list[str]:
    diffs = []
    for column, value in want.items():
        if column not in row:
            diffs.append(f"no column {column!r}")
        elif not _value_matches(value, row[column]):
            diffs.append(f"{column}: expected {_show(value)}, got {_show(row[column])}")
    return diffs


def _value_matches(want: Any, got: Any) -> bool:
    if isinstance(want, dict) and set(want) == {"contains"}:
        needles = want["contains"] if isinstance(want["contains"], list) else [want["contains"]]
        if isinstance(got, list):
            return all(n in got for n in needles)
        return isinstance(got, str) and all(str(n) in got for n in needles)
    if isinstance(want, dict) and set(want) == {"set"}:
        return isinstance(got, list) and sorted(map(str, got)) == sorted(map(str, want["set"] or []))
    if isinstance(got, datetime):
        try:
            return _clock(want, "expected value") == got
        except RuleTestError:
            return False
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got or str(want).lower() == str(got).lower()
    if isinstance(want, int | float) and isinstance(got, int | float):
        return float(want) == float(got)
    return want == got


def _show(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 300 else text[:297] + "..."
