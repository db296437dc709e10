"""The scenario simulator: realistic raw cloud telemetry with known answers.

No public dataset holds a real instance revert, so tests, detection rules, the `validate`
command and users without a cloud account get their telemetry here: attack scenarios (every
way to revert an instance on AWS, Azure and GCP), benign look-alikes, background noise, one
writer per raw format ingest reads, and a labels file naming which events belong to which
scenario. The same seed always gives byte-identical output.

    from revertguard.simulate import generate, list_scenarios
    labels = generate(["aws-manual-root-swap"], "out", seed=7, intrusion_context=True)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from revertguard.rules.watchlist import shipped_watchlists
from revertguard.simulate.engine import DEFAULT_NOISE, DEFAULT_START, UnknownScenarioError, build, resolve
from revertguard.simulate.labels import LABELS_FILE, build_labels, read_labels, write_labels
from revertguard.simulate.model import Simulation
from revertguard.simulate.scenarios import REGISTRY
from revertguard.simulate.tuning import WATCHLISTS_FOLDER, organisation_watchlists
from revertguard.simulate.writers import DEFAULT_FORMATS, FORMATS

__all__ = [
    "DEFAULT_FORMATS",
    "DEFAULT_NOISE",
    "DEFAULT_START",
    "FORMATS",
    "LABELS_FILE",
    "WATCHLISTS_FOLDER",
    "UnknownFormatError",
    "UnknownScenarioError",
    "generate",
    "list_scenarios",
    "organisation_watchlists",
    "read_labels",
    "scenario_names",
    "simulate",
    "write",
    "write_watchlists",
]


class UnknownFormatError(ValueError):
    """A log format name the simulator has no writer for."""


def list_scenarios() -> list[dict[str, str]]:
    """Every scenario: `name`, `kind` (attack|benign), `cloud` (aws|azure|gcp), `description`, `events`."""
    return [spec.describe() for spec in REGISTRY.values()]


def scenario_names(kind: str | None = None, cloud: str | None = None) -> list[str]:
    """Scenario names, optionally only one kind and/or one cloud."""
    return [s.name for s in REGISTRY.values()
            if (kind is None or s.kind.value == kind) and (cloud is None or s.cloud.value == cloud)]


def simulate(scenarios: Iterable[str] | None = None, *, seed: int = 0, noise: int = DEFAULT_NOISE,
             days: float = 1.0, start: datetime | None = None, intrusion_context: bool = False) -> Simulation:
    """Build a simulation in memory. `scenarios=None` means every scenario once; names may repeat."""
    names = list(REGISTRY) if scenarios is None else list(scenarios)
    return build(resolve(names), seed=seed, noise=noise, days=days, start=start,
                 intrusion_context=intrusion_context)


def write(sim: Simulation, out_dir: str | Path, formats: Iterable[str] | None = None) -> dict:
    """Write a simulation in the given formats (default: one raw format per cloud) plus labels.

    Each format goes to its own folder under `out_dir` (replacing what a previous run left
    there), the organisation's watchlists to `out_dir/revertguard-watchlists/` (`tuning`);
    returns the labels document, also written to `out_dir/revertguard-labels.json`.
    """
    chosen = list(DEFAULT_FORMATS if formats is None else dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise UnknownFormatError(f"no log format {', '.join(map(repr, unknown))}; the formats are "
                                 f"{', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layout = {}
    for name in chosen:
        log_format = FORMATS[name]
        folder = out / log_format.folder
        if folder.exists():
            shutil.rmtree(folder)  # stale files from another seed would otherwise mix in
        log_format.write(sim, folder)
        layout[name] = log_format.folder
    write_watchlists(sim, out)
    labels = build_labels(sim, layout)
    write_labels(labels, out)
    return labels


def write_watchlists(sim: Simulation, out_dir: str | Path) -> Path:
    """Write the organisation's inventory and approvals as watchlist CSVs (`revertguard-watchlists/`)."""
    folder = Path(out_dir) / WATCHLISTS_FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    definitions = shipped_watchlists()
    for alias, rows in organisation_watchlists(sim).items():
        (folder / f"{alias}.csv").write_bytes(definitions[alias].with_rows(rows).csv_text().encode())
    return folder


def generate(scenarios: Iterable[str] | None, out_dir: str | Path, *, seed: int = 0, noise: int = DEFAULT_NOISE,
             days: float = 1.0, start: datetime | None = None, formats: Iterable[str] | None = None,
             intrusion_context: bool = False) -> dict:
    """Simulate `scenarios` (None: all) and write logs and `revertguard-labels.json` to `out_dir`; return the labels."""
    sim = simulate(scenarios, seed=seed, noise=noise, days=days, start=start, intrusion_context=intrusion_context)
    return write(sim, out_dir, formats)
