"""Shared fixtures: stores and paths to the real public samples (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revertguard.store import Store

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.fixture
def store():
    with Store() as s:
        yield s


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA
