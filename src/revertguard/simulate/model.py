"""The simulator's data model: events, scenario definitions, scenario runs and a whole simulation.

An `Event` is one raw record of one cloud. AWS and GCP records are kept as the final JSON
objects; an Azure record is kept neutral (`AzureRecord`) because the REST and the
diagnostic-settings formats lay the same facts out differently, so each writer renders it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from revertguard.simulate.ids import Ids

if TYPE_CHECKING:
    from revertguard.simulate.estate import Estate


class Cloud(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class ScenarioKind(StrEnum):
    ATTACK = "attack"
    BENIGN = "benign"


@dataclass(frozen=True)
class Event:
    """One raw record: its cloud, when it happened, the record itself and its source event id.

    `event_id` is what ingest stores as AwsEventId, EventDataId or InsertId.
    `partition` says where the record is delivered: (account, region) for CloudTrail,
    subscription id for Azure, project id for GCP.
    """

    cloud: Cloud
    time: datetime
    record: Any
    event_id: str
    partition: tuple[str, ...]


class Clock:
    """A scenario's time: starts at a moment and moves forward by realistic gaps."""

    def __init__(self, start: datetime, rng: random.Random) -> None:
        self.now = start
        self.rng = rng

    def advance(self, low: float, high: float) -> datetime:
        """Move on by a random number of seconds in [low, high] and return the new time."""
        self.now += timedelta(seconds=self.rng.uniform(low, high))
        return self.now


@dataclass
class Context:
    """What a scenario generator gets: seeded randomness, ids, the estate and its clock."""

    rng: random.Random
    ids: Ids
    estate: Estate
    clock: Clock
    # Machines earlier scenario runs of the same simulation acted on (shared by those runs).
    taken: list[Any] = field(default_factory=list)

    @classmethod
    def seeded(cls, key: str, estate: Estate, start: datetime, taken: list[Any] | None = None) -> Context:
        # A string seed is hashed by `random` (SHA-512), so every scenario run has its own
        # stream: adding noise or another scenario never changes this one's ids.
        rng = random.Random(key)
        return cls(rng, Ids(rng), estate, Clock(start, rng), taken if taken is not None else [])

    def pick(self, candidates: list[Any]) -> Any:
        """One of `candidates`, preferring a machine no earlier run of this simulation acted on.

        So the scenario runs of one simulation are separate stories on separate machines, as
        long as the estate has unused ones; a repeated run falls back to any candidate.
        """
        fresh = [c for c in candidates if not any(c is t for t in self.taken)]
        chosen = self.rng.choice(fresh or candidates)
        self.taken.append(chosen)
        return chosen

    def pick_many(self, candidates: list[Any], count: int) -> list[Any]:
        """`count` different candidates, each preferring an unused machine (see `pick`)."""
        chosen: list[Any] = []
        for _ in range(count):
            chosen.append(self.pick([c for c in candidates if not any(c is x for x in chosen)]))
        return chosen


@dataclass
class Outcome:
    """What a scenario generator returns: its events (in order) and the entities involved."""

    events: list[Event] = field(default_factory=list)
    entities: dict[str, str] = field(default_factory=dict)
    context_events: list[Event] = field(default_factory=list)
    context_kind: str | None = None
    # Who acted and on what; the intrusion context reuses them (the same identity, shortly before).
    actor: Any = None
    target: Any = None

    def add(self, *items: Event | list[Event]) -> None:
        for item in items:
            if isinstance(item, list):
                self.events.extend(item)
            else:
                self.events.append(item)


Generator = Callable[[Context], Outcome]


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario as data: who it is, what it shows, and the generator that emits its events."""

    name: str
    kind: ScenarioKind
    cloud: Cloud
    description: str
    events_summary: str
    generate: Generator = field(repr=False, compare=False)
    # How long the scenario needs, so it can be placed inside the simulated window.
    duration: timedelta = timedelta(hours=1)

    def describe(self) -> dict[str, str]:
        """The public listing entry (what `simulate --list --format json` prints)."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "cloud": self.cloud.value,
            "description": self.description,
            "events": self.events_summary,
        }


@dataclass
class ScenarioRun:
    """One placed instance of a scenario in a simulation, with its ground truth."""

    run_id: str
    spec: ScenarioSpec
    outcome: Outcome

    @property
    def all_events(self) -> list[Event]:
        return sorted([*self.outcome.context_events, *self.outcome.events], key=lambda e: e.time)


@dataclass
class Simulation:
    """Everything one `generate()` call produced before it is written out."""

    seed: int
    start: datetime
    end: datetime
    noise_per_day: int
    intrusion_context: bool
    runs: list[ScenarioRun]
    noise: list[Event]
    tricky: list[dict] = field(default_factory=list)  # events carrying hostile text on purpose
    estate: Estate | None = None  # the organisation the events happened in

    def events(self, cloud: Cloud | None = None) -> list[Event]:
        """Every event (scenario and noise), in time order, optionally of one cloud."""
        items = [e for run in self.runs for e in run.all_events] + self.noise
        if cloud is not None:
            items = [e for e in items if e.cloud is cloud]
        return sorted(items, key=lambda e: (e.time, e.event_id))


# -- time formats --------------------------------------------------------------------------

def utc(value: datetime) -> datetime:
    """A naive UTC datetime from an aware or naive one (naive means UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def cloudtrail_time(value: datetime) -> str:
    """CloudTrail `eventTime`: whole seconds, `Z`."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(value: datetime) -> int:
    """Epoch milliseconds, as CloudTrail writes times inside responseElements."""
    return round((value - datetime(1970, 1, 1)).total_seconds() * 1000)


def azure_time(value: datetime) -> str:
    """Azure Activity Log timestamps: seven fractional digits, `Z`."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{value.microsecond % 10}Z"


def gcp_time(value: datetime, nanos: bool = False) -> str:
    """GCP LogEntry timestamps: microseconds (`timestamp`) or nanoseconds (`receiveTimestamp`)."""
    text = value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    # Logging stores nanoseconds; the extra digits are derived from the time so they stay stable.
    return text + (f"{(value.microsecond * 7) % 1000:03d}" if nanos else "") + "Z"
