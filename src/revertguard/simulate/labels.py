"""Ground truth: the labels file written beside the logs.

`revertguard-labels.json` names every scenario run with its kind and cloud, the source event ids of all its
events (`events`: AwsEventId, EventDataId or InsertId values, exactly as ingest stores them),
the subset that is intrusion context (`context_events`), and the entities involved. Every
event not listed under a scenario is background noise.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from revertguard.simulate.model import Cloud, Simulation

LABELS_FILE = "revertguard-labels.json"  # ingest skips it by this name when reading a folder
SCHEMA_VERSION = 1


def _iso(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_labels(sim: Simulation, layout: dict[str, str]) -> dict:
    """The labels document for a simulation whose formats were written to `layout` (format -> folder)."""
    scenarios = []
    for run in sim.runs:
        events = run.all_events
        scenarios.append({
            "id": run.run_id,
            "name": run.spec.name,
            "kind": run.spec.kind.value,
            "cloud": run.spec.cloud.value,
            "description": run.spec.description,
            "start": _iso(events[0].time),
            "end": _iso(events[-1].time),
            "intrusion_context": run.outcome.context_kind,
            "events": [e.event_id for e in events],
            "context_events": [e.event_id for e in sorted(run.outcome.context_events, key=lambda e: e.time)],
            "entities": dict(run.outcome.entities),
        })
    counts = {cloud.value: len(sim.events(cloud)) for cloud in Cloud}
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "revertguard simulate",
        "seed": sim.seed,
        "start": _iso(sim.start),
        "end": _iso(sim.end),
        "noise_per_day": sim.noise_per_day,
        "intrusion_context": sim.intrusion_context,
        "formats": layout,
        "watchlists": "revertguard-watchlists",
        "event_counts": counts,
        "scenarios": scenarios,
        "tricky_values": sim.tricky,
    }


def write_labels(labels: dict, out_dir: Path) -> Path:
    path = out_dir / LABELS_FILE
    path.write_bytes(msgspec.json.format(msgspec.json.encode(labels), indent=2) + b"\n")
    return path


def read_labels(path: Path) -> dict:
    """Read a labels file (a folder holding `revertguard-labels.json`, or the file itself)."""
    if path.is_dir():
        path = path / LABELS_FILE
    return msgspec.json.decode(path.read_bytes())
