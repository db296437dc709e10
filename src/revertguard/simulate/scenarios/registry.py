"""The scenario registry: each scenario module declares its scenarios with `@scenario`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from revertguard.simulate.model import Cloud, Generator, ScenarioKind, ScenarioSpec

REGISTRY: dict[str, ScenarioSpec] = {}


def scenario(name: str, kind: ScenarioKind, cloud: Cloud, *, description: str, events: str,
             duration: timedelta = timedelta(hours=1)) -> Callable[[Generator], Generator]:
    """Register a generator as a scenario; `events` summarises what it emits, in order."""

    def register(generate: Generator) -> Generator:
        if name in REGISTRY:
            raise ValueError(f"scenario {name} is declared twice")
        REGISTRY[name] = ScenarioSpec(name, kind, cloud, description, events, generate, duration)
        return generate

    return register
