"""Problems found in rule and watchlist files: where (file, line, field) and what is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from revertguard.errors import RevertguardError

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about one file. `field` is a dotted path such as `entityMappings[0].entityType`."""

    path: Path | None
    field: str
    message: str
    line: int | None = None
    level: Level = "error"

    def __str__(self) -> str:
        where = str(self.path) if self.path else "<rule>"
        if self.line:
            where += f":{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {self.level}: {what}"


def field_path(keys: Iterable[str | int]) -> str:
    """`("entityMappings", 0, "entityType")` -> `entityMappings[0].entityType`."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


class RuleFileError(RevertguardError):
    """A rule or watchlist file that cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
