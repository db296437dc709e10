"""Azure Activity Log writers: REST/CLI JSON, diagnostic-settings storage export, and Event Hub.

- REST: what `az monitor activity-log list` prints for a subscription, newest first.
- Storage: the `insights-activity-logs` container, one JSON-Lines `PT1H.json` blob per
  subscription and hour under `resourceId=/SUBSCRIPTIONS/<ID>/y=/m=/d=/h=/m=00/`.
- Event Hub: messages `{"records": [...]}` as a consumer receives them, one message per line,
  each batching the records of up to a minute.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from revertguard.simulate.model import Cloud, Event, Simulation
from revertguard.simulate.writers.common import json_bytes, json_lines, pretty_json_bytes, write_file

EVENT_HUB_BATCH = 20
EVENT_HUB_WINDOW = timedelta(minutes=1)


def write_rest(sim: Simulation, root: Path) -> None:
    by_subscription: dict[str, list[Event]] = defaultdict(list)
    for event in sim.events(Cloud.AZURE):
        by_subscription[event.partition[0]].append(event)
    for subscription, events in sorted(by_subscription.items()):
        newest_first = [e.record.to_rest() for e in reversed(events)]
        write_file(root / f"{subscription}.json", pretty_json_bytes(newest_first))


def write_storage(sim: Simulation, root: Path) -> None:
    blobs: dict[tuple[str, datetime], list[Event]] = defaultdict(list)
    for event in sim.events(Cloud.AZURE):
        hour = event.time.replace(minute=0, second=0, microsecond=0)
        blobs[(event.partition[0], hour)].append(event)
    for (subscription, hour), events in sorted(blobs.items()):
        path = (root / "insights-activity-logs" / "resourceId=" / "SUBSCRIPTIONS" / subscription.upper()
                / f"y={hour:%Y}" / f"m={hour:%m}" / f"d={hour:%d}" / f"h={hour:%H}" / "m=00" / "PT1H.json")
        write_file(path, json_lines([e.record.to_diagnostic() for e in events]))


def write_event_hub(sim: Simulation, root: Path) -> None:
    messages: list[bytes] = []
    batch: list[dict] = []
    opened: datetime | None = None
    for event in sim.events(Cloud.AZURE):
        if batch and (len(batch) >= EVENT_HUB_BATCH or event.time - opened > EVENT_HUB_WINDOW):
            messages.append(json_bytes({"records": batch}) + b"\n")
            batch = []
        if not batch:
            opened = event.time
        batch.append(event.record.to_diagnostic())
    if batch:
        messages.append(json_bytes({"records": batch}) + b"\n")
    write_file(root / "insights-activity-logs.jsonl", b"".join(messages))
