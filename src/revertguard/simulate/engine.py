"""Building a simulation: place each scenario run in the time window, add context and noise."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from revertguard.simulate.context import add_intrusion_context
from revertguard.simulate.estate import build_estate
from revertguard.simulate.model import Context, ScenarioKind, ScenarioRun, ScenarioSpec, Simulation, utc
from revertguard.simulate.noise import background_noise
from revertguard.simulate.scenarios import REGISTRY

DEFAULT_START = datetime(2026, 11, 20)
DEFAULT_NOISE = 200  # background activities per cloud per simulated day
# How long before a revert the intrusion context begins: the seed's "shortly before".
CONTEXT_LEAD = (timedelta(minutes=40), timedelta(minutes=90))


class UnknownScenarioError(ValueError):
    """A scenario name the library does not have."""


def resolve(names: Iterable[str]) -> list[ScenarioSpec]:
    """The specs for scenario names, in the order given (a name may repeat)."""
    specs = []
    for name in names:
        spec = REGISTRY.get(name)
        if spec is None:
            raise UnknownScenarioError(f"no scenario {name!r}; `revertguard simulate --list` shows them all")
        specs.append(spec)
    return specs


def build(specs: list[ScenarioSpec], *, seed: int, noise: int = DEFAULT_NOISE, days: float = 1.0,
          start: datetime | None = None, intrusion_context: bool = False) -> Simulation:
    """Run every scenario once per time it is listed, in a window of `days` from `start`, plus noise."""
    if days <= 0:
        raise ValueError("days must be positive")
    if noise < 0:
        raise ValueError("noise must be zero or more")
    begin = utc(start) if start is not None else DEFAULT_START
    end = begin + timedelta(days=days)
    estate = build_estate(seed)
    seen: Counter[str] = Counter()
    runs = []
    taken: list = []  # machines acted on so far: each run prefers machines no earlier run used
    for spec in specs:
        seen[spec.name] += 1
        run_id = f"{spec.name}#{seen[spec.name]}"
        with_context = intrusion_context and spec.kind is ScenarioKind.ATTACK
        moment = _place(seed, run_id, begin, end, spec.duration, with_context)
        ctx = Context.seeded(f"{seed}/scenario/{run_id}", estate, moment, taken)
        outcome = spec.generate(ctx)
        if with_context:
            lead_rng = random.Random(f"{seed}/context-lead/{run_id}")
            lead = timedelta(seconds=lead_rng.uniform(*(x.total_seconds() for x in CONTEXT_LEAD)))
            context_ctx = Context.seeded(f"{seed}/context/{run_id}", estate, moment - lead)
            add_intrusion_context(context_ctx, spec.cloud, outcome)
        runs.append(ScenarioRun(run_id, spec, outcome))
    background = background_noise(estate, seed, begin, end, noise)
    return Simulation(seed=seed, start=begin, end=end, noise_per_day=noise, intrusion_context=intrusion_context,
                      runs=runs, noise=background.events, tricky=background.tricky, estate=estate)


def _place(seed: int, run_id: str, begin: datetime, end: datetime, duration: timedelta,
           with_context: bool) -> datetime:
    """When a run starts: anywhere its whole story (context, then the revert) fits in the window."""
    rng = random.Random(f"{seed}/place/{run_id}")
    earliest = begin + (CONTEXT_LEAD[1] if with_context else timedelta(minutes=5))
    latest = end - duration - timedelta(minutes=5)
    if latest <= earliest:
        return earliest  # a window shorter than the story: start as early as the context allows
    return earliest + timedelta(seconds=rng.uniform(0, (latest - earliest).total_seconds()))
