from __future__ import annotations

from pathlib import Path

import pytest

from oss_miner import enrich, load

from .fake_geo import FakeGeo


@pytest.fixture
def fake_geo():
    geo = FakeGeo()
    enrich.use_geolocator(geo)
    yield geo
    enrich.use_geolocator(None)


@pytest.fixture
def landing_root(tmp_path: Path) -> str:
    return str(tmp_path / "landing")


@pytest.fixture
def con(tmp_path: Path):
    connection = load.connect(tmp_path / "work.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    """The hand-made scenario (scenario.py), both runs loaded and every model built; read-only for tests."""
    from . import scenario
    from .builder import catalogue
    from oss_miner import models

    folder = tmp_path_factory.mktemp("scenario")
    connection = load.connect(folder / "work.duckdb")
    for run in (scenario.first_run(str(folder / "landing")), scenario.second_run(str(folder / "landing"))):
        load.load_run(connection, run.landing, catalogue(), run.run)
    enrich.use_geolocator(FakeGeo())
    try:
        models.run_models(connection)
    finally:
        enrich.use_geolocator(None)
    yield connection
    connection.close()
