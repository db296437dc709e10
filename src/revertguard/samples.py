"""The sample logs bundled with the package (used by the README's first command and the tests)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_logs_dir() -> Path:
    """The folder of bundled sample logs (raw CloudTrail, Azure Activity and GCP audit logs)."""
    return Path(str(resources.files("revertguard") / "data" / "sample"))
