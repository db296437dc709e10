"""Shared fixtures: stores, every engine over a store, and paths to the real public samples
(skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revertguard.store import Store

from .engines import ENGINES, engine_for, start_spark

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.fixture
def store():
    with Store() as s:
        yield s


@pytest.fixture(scope="session")
def spark():
    """The one SparkSession of the test run (Spark starts once: it takes seconds)."""
    return start_spark()


@pytest.fixture(params=ENGINES)
def engine(request, store):
    """Each engine (DuckDB, then Spark) over the test's store: a test using it runs once per engine."""
    made = engine_for(request.param, store, request)
    yield made
    if hasattr(made, "close"):
        made.close()


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA
