"""What an ingest run did: per-table counts, rejections with their positions, skipped files.

The counts always add up: records read = added + duplicates + rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from revertguard.ingest.sources import Skipped

# Keep this many rejection details; beyond it only the count grows, so a file of garbage
# cannot exhaust memory.
MAX_REJECTION_DETAILS = 1000


class RecordError(ValueError):
    """A record that cannot become a row; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Rejection:
    """A record (or an unreadable stretch of input) that was not stored, and why."""

    source: str
    position: str
    reason: str
    table: str | None = None
    ordinal: int = field(default=0, compare=False)  # the record's place in its input, for ordering

    def __str__(self) -> str:
        return f"{self.source}: {self.position}: {self.reason}"


@dataclass
class TableCounts:
    """Per-table counts of one run, and the time range of the records read."""

    read: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def see_times(self, first: datetime | None, last: datetime | None) -> None:
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last


@dataclass
class IngestReport:
    """The outcome of `ingest()`."""

    files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    rejected: int = 0
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)

    def reject(self, rejection: Rejection) -> None:
        self.rejected += 1
        if rejection.table:
            self.counts(rejection.table).rejected += 1
        if len(self.rejections) < MAX_REJECTION_DETAILS:
            self.rejections.append(rejection)

    def counts(self, table: str) -> TableCounts:
        if table not in self.tables:
            self.tables[table] = TableCounts()
        return self.tables[table]

    @property
    def records_read(self) -> int:
        """Every record seen: stored, duplicate or rejected."""
        return sum(c.read for c in self.tables.values()) + self.rejected

    @property
    def added(self) -> int:
        return sum(c.added for c in self.tables.values())

    @property
    def duplicates(self) -> int:
        return sum(c.duplicates for c in self.tables.values())

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and not self.stopped_early
