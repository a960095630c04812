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
