"""mart_policy_indicators' places on a hand-made world: pilot zones from their designation year, Deqing as a
county of Huzhou, and a past year placed by the profile observation nearest to it."""

from __future__ import annotations

import pytest

from oss_miner import load, models

from . import fake_geo as geo_module
from . import scenario
from .builder import catalogue, new_run
from .scenario import PADDLE


@pytest.fixture
def places(monkeypatch):
    monkeypatch.setitem(geo_module.PLACES, "deqing, huzhou", ("CN", "CN-ZJ", "Huzhou"))
    monkeypatch.setitem(geo_module.PLACES, "huzhou", ("CN", "CN-ZJ", "Huzhou"))


def indicator(con, name: str, year: int | None) -> tuple:
    return con.execute("SELECT value, denominator, coverage FROM mart_policy_indicators WHERE framework = 'Paddle' "
                       "AND indicator = ? AND year IS NOT DISTINCT FROM ?", [name, year]).fetchone()


def test_zones_count_from_their_designation_year_and_deqing_only_where_named(con, landing_root, fake_geo, places):
    # 2020: Shenzhen (2019) and Deqing (2019) are zones, Guangzhou (2021) not yet; one person only in Huzhou
    located = ["Deqing, Huzhou", "Huzhou", "Shenzhen", "Shenzhen", "Guangzhou", "Berlin", "China"]
    run = new_run(landing_root, "run-1")
    run.put("accounts", "github", [scenario.account(100 + i, f"dev{i}", location=place, email_key=f"k{i}")
                                   for i, place in enumerate(located)])
    run.put("commits", "github", [scenario.commit(f"h{i}", f"k{i}", "gmail.com", "2020-05-01T00:00:00+00:00", 0)
                                  for i in range(len(located))], repo=PADDLE)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_policy_indicators"])
    # CN with a city: Huzhou x2, Shenzhen x2, Guangzhou; CN people: those and the one placed only in China
    assert indicator(con, "pilot_zone_share", 2020) == (pytest.approx(3 / 5), 5, pytest.approx(5 / 6))
    assert indicator(con, "pilot_zone_baseline_share", 2020)[0] == pytest.approx(1 / 5)
    assert indicator(con, "pilot_zone_huzhou_only_people", 2020)[0] == 1
    assert indicator(con, "pilot_zone_share", None)[0] == pytest.approx(4 / 5)  # all years: every zone
    assert indicator(con, "top3_city_share", 2020)[0] == pytest.approx(1.0)


def test_a_past_year_is_placed_by_the_profile_observation_nearest_to_it(con, landing_root, fake_geo, places):
    run = new_run(landing_root, "run-1")
    run.put("accounts", "github", [scenario.account(100, "mover", location="Beijing", email_key="k0")])
    run.put("commits", "github", [scenario.commit("h0", "k0", "gmail.com", "2019-05-01T00:00:00+00:00", 0),
                                  scenario.commit("h1", "k0", "gmail.com", "2024-05-01T00:00:00+00:00", 0)], repo=PADDLE)
    load.load_run(con, run.landing, catalogue(), run.run)
    later = new_run(landing_root, "run-2", day=30)
    later.put("accounts", "github", [scenario.account(100, "mover", location="Shanghai", email_key="k0")])
    load.load_run(con, later.landing, catalogue(), later.run)
    # the first observation was made in 2019, the second in 2024 (the loader stamps observations with the clock)
    con.execute("UPDATE raw_accounts SET observed_at = CASE run_id WHEN 'run-1' THEN TIMESTAMPTZ '2019-06-01 00:00:00+00' "
                "ELSE TIMESTAMPTZ '2024-06-01 00:00:00+00' END")
    models.run_models(con, select=["+mart_policy_indicators"])
    years = dict(con.execute("SELECT year, city FROM int_person_year_places").fetchall())
    assert years == {2019: "Beijing", 2024: "Shanghai"}
