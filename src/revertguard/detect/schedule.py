"""When a rule runs and what it sees: query windows, as Sentinel's scheduler would set them.

Sentinel runs a scheduled rule every `queryFrequency`; each run reads the last `queryPeriod` of
every table (an implicit `TimeGenerated` filter) and starts 5 minutes late so that late events
have arrived. revertguard reproduces that in two ways:

* **single pass** (the default): one window over the whole data, `now()` pinned to the last
  event's time. An alert's `fired_at` is estimated as the first scheduled run whose window holds
  its last event.
* **replay**: the runs Sentinel would have made across the data's time span, on a grid of
  `queryFrequency` from the Unix epoch, each over its `queryPeriod` ending 5 minutes before the
  run, with `now()` pinned to the window's end. `fired_at` is the run's time.

`WindowedCatalog` applies a window to every table a query reads (watchlists are not windowed),
through the engine's catalog, so any engine applies it the same way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlglot import exp

from revertguard.kql import Catalog, Engine, TableSource
from revertguard.rules import Rule

SENTINEL_DELAY = timedelta(minutes=5)  # scheduled rules run 5 minutes after their window ends
_EPOCH = datetime(1970, 1, 1)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class QueryWindow:
    """One run of a rule: the events it reads are those with `start < TimeGenerated <= end`.

    `start` None means no lower bound. `end` is also the run's `now()`; `fired_at` is when the run
    happens (None in a single pass, where it is estimated per alert).
    """

    start: datetime | None
    end: datetime
    fired_at: datetime | None = None


class WindowedCatalog:
    """A catalog whose tables only hold the events of one window (watchlists are unchanged)."""

    def __init__(self, inner: Catalog, start: datetime | None, end: datetime | None) -> None:
        self.inner = inner
        self.start = start
        self.end = end

    def table(self, name: str) -> TableSource | None:
        source = self.inner.table(name)
        if source is None or (self.start is None and self.end is None):
            return source
        if "TimeGenerated" not in source.schema.column_names:
            return source
        column = exp.column("TimeGenerated", quoted=True)
        conditions = []
        if self.start is not None:
            conditions.append(exp.GT(this=column.copy(), expression=_timestamp(self.start)))
        if self.end is not None:
            conditions.append(exp.LTE(this=column.copy(), expression=_timestamp(self.end)))
        windowed = exp.select("*").from_(source.relation.copy()).where(exp.and_(*conditions))
        return TableSource(source.schema, windowed.subquery(alias="_rg_window"))

    def table_names(self) -> Iterable[str]:
        return self.inner.table_names()

    def watchlist(self, alias: str) -> TableSource | None:
        return self.inner.watchlist(alias)

    def watchlist_names(self) -> Iterable[str]:
        return self.inner.watchlist_names()


def _timestamp(value: datetime) -> exp.Expression:
    return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("timestamp"))


def data_span(engine: Engine, tables: Iterable[str] = ("AWSCloudTrail", "AzureActivity", "GCPAuditLogs"),
              since: datetime | None = None, until: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The first and last event time over some tables (within `since`/`until` when given)."""
    catalog = WindowedCatalog(engine.catalog(), since, until)
    legs = [name for name in tables if catalog.table(name) is not None]
    if not legs:
        return None, None
    query = f"union {', '.join(legs)} | summarize First = min(TimeGenerated), Last = max(TimeGenerated)"
    row = engine.run(query, catalog=catalog).rows[0]
    return row[0], row[1]


def single_pass_window(first: datetime, last: datetime) -> QueryWindow:
    """The one window of a single pass: every event from `first` to `last`, `now()` = `last`."""
    return QueryWindow(first - _TICK, last, None)


def replay_windows(rule: Rule, first: datetime, last: datetime,
                   delay: timedelta = SENTINEL_DELAY) -> list[QueryWindow]:
    """The runs Sentinel would make from the first event until a window has seen the last one."""
    frequency, period = rule.query_frequency, rule.query_period
    run = grid_time_at_or_after(first + delay, frequency)
    windows = []
    while True:
        end = run - delay
        windows.append(QueryWindow(end - period, end, run))
        if end >= last:
            return windows
        run += frequency


def grid_time_at_or_after(moment: datetime, step: timedelta) -> datetime:
    """The first multiple of `step` (counted from the Unix epoch) at or after `moment`."""
    steps = -((_EPOCH - moment) // step)  # ceiling division on timedeltas
    return _EPOCH + steps * step


def estimated_fire_time(rule: Rule, last_event: datetime, delay: timedelta = SENTINEL_DELAY) -> datetime:
    """The first scheduled run of `rule` whose window holds an event at `last_event`."""
    return grid_time_at_or_after(last_event + delay, rule.query_frequency)


class EventPresence:
    """Which minutes hold events, per table: a replayed run whose window holds no event of the
    tables its rule reads returns nothing, so it need not be executed."""

    def __init__(self, engine: Engine, tables: Iterable[str]) -> None:
        self._minutes: dict[str, list[datetime]] = {}
        catalog = engine.catalog()
        for name in tables:
            if catalog.table(name) is None:
                continue
            result = engine.run(f"{name} | summarize by Minute = bin(TimeGenerated, 1m) | sort by Minute asc")
            self._minutes[name] = [row[0] for row in result.rows if row[0] is not None]

    def any_between(self, tables: Iterable[str], start: datetime | None, end: datetime) -> bool:
        """Whether any of `tables` may hold an event with `start < TimeGenerated <= end`."""
        for name in tables:
            minutes = self._minutes.get(name, [])
            # A minute bin [m, m + 1m) overlaps the window when m <= end and m + 1m > start.
            low = 0 if start is None else bisect_right(minutes, start - timedelta(minutes=1))
            if low < len(minutes) and minutes[low] <= end:
                return True
        return False
