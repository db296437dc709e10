"""Which source events are behind a query row.

revertguard's rules say it themselves: every column whose name ends in `EventIds` holds the
event ids (`AwsEventId`, `EventDataId`, `InsertId`) of the events the row correlates, as a list
or a single id. A rule that outputs no such column (the seed, or a user's rule) gets its events
matched back from the tables: the events of the rule's tables with the row's exact
`TimeGenerated` that share the most values with the row. Those ids are marked inferred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from revertguard.kql import Catalog, Engine, kql_literal
from revertguard.tables import TABLES

EVENT_IDS_SUFFIX = "EventIds"
_MIN_MATCH_LENGTH = 3  # shorter row values ("AWS", "1") say nothing about which event it was
_TIMES_PER_QUERY = 200


def declared_event_ids(row: dict[str, Any]) -> list[str] | None:
    """The ids in a row's `*EventIds` columns (in order, without repeats), or None if it has none."""
    columns = [name for name in row if name.endswith(EVENT_IDS_SUFFIX)]
    if not columns:
        return None
    ids: dict[str, None] = {}
    for name in columns:
        for value in _flatten(row[name]):
            if isinstance(value, str) and value:
                ids.setdefault(value, None)
    return list(ids)


def _flatten(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    elif value is not None:
        yield value


def match_event_ids(engine: Engine, catalog: Catalog, tables: Sequence[str],
                    rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """For rows without `*EventIds` columns: the ids of the events each row most likely came from."""
    times = sorted({row["TimeGenerated"] for row in rows if isinstance(row.get("TimeGenerated"), datetime)})
    if not times:
        return [[] for _ in rows]
    candidates: dict[datetime, list[tuple[str, set[str]]]] = {}
    for name in tables:
        schema = TABLES.get(name)
        if schema is None or schema.id_column is None:
            continue
        for start in range(0, len(times), _TIMES_PER_QUERY):
            chunk = ", ".join(kql_literal(t) for t in times[start:start + _TIMES_PER_QUERY])
            result = engine.run(f"{name} | where TimeGenerated in ({chunk})", catalog=catalog)
            for event in result.to_dicts():
                values = {str(v) for v in event.values() if v is not None and v != ""}
                candidates.setdefault(event["TimeGenerated"], []).append((str(event[schema.id_column]), values))
    return [_best_matches(row, candidates.get(row.get("TimeGenerated"), [])) for row in rows]


def _best_matches(row: dict[str, Any], events: list[tuple[str, set[str]]]) -> list[str]:
    wanted = {str(v) for k, v in row.items()
              if k != "TimeGenerated" and isinstance(v, str) and len(v) >= _MIN_MATCH_LENGTH}
    scored = [(len(wanted & values), event_id) for event_id, values in events]
    best = max((score for score, _ in scored), default=0)
    return [event_id for score, event_id in scored if best and score == best]
