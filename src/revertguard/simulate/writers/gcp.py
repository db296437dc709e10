"""GCP audit log writers: LogEntry JSON Lines per project, and the Cloud Storage sink layout.

A Cloud Storage sink writes hourly JSON-Lines objects named
`<log id>/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json` (`cloudaudit.googleapis.com/activity`, ...).
Those names hold colons, which some file systems reject, so the JSON Lines writer (one file
per project, as a Pub/Sub or `gcloud logging read` dump) is the default.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from revertguard.simulate.model import Cloud, Event, Simulation
from revertguard.simulate.writers.common import json_lines, write_file


def write_json_lines(sim: Simulation, root: Path) -> None:
    by_project: dict[str, list[Event]] = defaultdict(list)
    for event in sim.events(Cloud.GCP):
        by_project[event.partition[0]].append(event)
    for project, events in sorted(by_project.items()):
        write_file(root / f"{project}.jsonl", json_lines([e.record for e in events]))


def write_storage_sink(sim: Simulation, root: Path) -> None:
    objects: dict[tuple[str, str, datetime], list[Event]] = defaultdict(list)
    for event in sim.events(Cloud.GCP):
        log_id = event.record["logName"].split("/logs/", 1)[1].replace("%2F", "/")
        hour = event.time.replace(minute=0, second=0, microsecond=0)
        objects[(event.partition[0], log_id, hour)].append(event)
    for (project, log_id, hour), events in sorted(objects.items()):
        name = f"{hour:%H}:00:00_{hour:%H}:59:59_S0.json"
        write_file(root / project / log_id / f"{hour:%Y/%m/%d}" / name, json_lines([e.record for e in events]))
