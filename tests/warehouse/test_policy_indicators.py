"""mart_policy_indicators against values computed independently from the sandbox's truth.

A small sandbox world is mined by the pipeline's stages (as in test_truth.py) and the indicators are
recomputed from the truth files alone: each person's true place (people.csv), their commits per year
(person_years.csv), the pilot zones of the package data, and the truth's vendor figures. Hub figures are
measured on the people whose profiles name a Chinese city, a sample of the truth's, so they agree within the
tolerances of mart_china_hubs' truth test; vendor staff shares are a lower bound.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from oss_miner.reference import pilot_zones

from .test_truth import mined, read  # noqa: F401  (the fixture: one mined sandbox world)

MIN_SAMPLE = 30  # located mainland-China people with a city, below which a comparison says nothing
TOLERANCE = {"top3_city_share": 0.12, "province_hhi": 0.08, "pilot_zone_share": 0.12, "pilot_zone_baseline_share": 0.12}


def indicators(con, indicator: str) -> dict[tuple[str, int | None], tuple[float, int, float]]:
    return {(f, y): (v, d, c) for f, y, v, d, c in con.execute(
        "SELECT framework, year, value, denominator, coverage FROM mart_policy_indicators WHERE indicator = ?",
        [indicator]).fetchall()}


def truth_hubs(truth) -> dict[tuple[str, int | None], dict[str, float]]:
    """(framework or all, year or None) -> the truth's hub figures over its CN people with a city."""
    people = {r["person_id"]: r for r in read(truth / "people.csv")}
    zones = {(z["region"], z["city"]): z["designated_year"] for z in pilot_zones() if z["county"] is None}
    groups: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    for row in read(truth / "person_years.csv"):
        for framework in (row["framework"], "all"):
            groups[(framework, int(row["year"]))].add(row["person_id"])
            groups[(framework, None)].add(row["person_id"])
    figures = {}
    for (framework, year), members in groups.items():
        cn = [people[p] for p in members if people[p]["country_iso2"] == "CN"]
        with_city = [p for p in cn if p["city"]]
        with_region = [p for p in cn if p["region"]]
        if not with_city:
            continue
        cities = Counter((p["region"], p["city"]) for p in with_city)
        top3 = sum(n for _, n in sorted(cities.items(), key=lambda kv: (-kv[1], kv[0][1]))[:3])
        provinces = Counter(p["region"] for p in with_region)
        zoned = [zones.get((p["region"], p["city"])) for p in with_city]
        figures[(framework, year)] = {
            "people": len(with_city),
            "top3_city_share": top3 / len(with_city),
            "province_hhi": sum((n / len(with_region)) ** 2 for n in provinces.values()),
            "pilot_zone_share": sum(1 for z in zoned if z is not None and (year is None or z <= year)) / len(with_city),
            "pilot_zone_baseline_share": (sum(1 for z in zoned if z is not None and year is not None and z > year)
                                          / len(with_city)),
        }
    return figures


@pytest.mark.parametrize("indicator", sorted(TOLERANCE))
def test_hub_indicators_come_close_to_the_truth(mined, indicator):
    con, truth = mined
    ours = indicators(con, indicator)
    compared = 0
    for key, expected in truth_hubs(truth).items():
        if key not in ours or indicator == "pilot_zone_baseline_share" and key[1] is None:
            continue
        value, denominator, coverage = ours[key]
        if denominator < MIN_SAMPLE:
            continue
        compared += 1
        assert value == pytest.approx(expected[indicator], abs=TOLERANCE[indicator]), (key, value, expected)
        assert 0 < coverage <= 1
    assert compared >= 3, f"too few comparisons of {indicator} ({compared}): the world is too small"


def test_pilot_zones_count_only_from_their_designation_year(mined):
    """Shenzhen became a zone in 2019 and Guangzhou in 2021: in 2020 only Shenzhen of the two counts, and the
    designated and not-yet-designated shares add up to the share of the 18 cities."""
    con, _ = mined
    zone, before, cities = (indicators(con, i) for i in ("pilot_zone_share", "pilot_zone_baseline_share",
                                                          "pilot_zone_cities_share"))
    for key, (value, _, _) in zone.items():
        if key in before and key in cities and value is not None:
            assert value + before[key][0] == pytest.approx(cities[key][0])
    assert all(before[k][0] == 0 for k in before if k[1] is not None and k[1] >= 2022 and before[k][0] is not None)


def test_vendor_staff_shares_are_the_vendor_mart_and_a_lower_bound_of_the_truth(mined):
    con, truth = mined
    people, commits = indicators(con, "vendor_staff_people_share"), indicators(con, "vendor_staff_commit_share")
    mart = {r[0]: r[1:] for r in con.execute(
        "SELECT framework, vendor_author_share, authors, vendor_commit_share, commits FROM mart_vendor_share").fetchall()}
    for framework, (author_share, authors, commit_share, n_commits) in mart.items():
        assert people[(framework, None)][:2] == (author_share, authors)
        assert commits[(framework, None)][:2] == (commit_share, n_commits)
    for row in read(truth / "vendor_share.csv"):
        ours = commits[(row["framework"], None)][0]
        if row["commit_share_staff"]:
            # at least the commits from vendor addresses, at most (within 0.02) every staff commit
            assert float(row["commit_share_by_email"]) - 1e-6 <= ours <= float(row["commit_share_staff"]) + 0.02, row


def test_commit_concentration_matches_the_truth_within_identity_splits(mined):
    """Top-10 share and the people for half of the commits, from the truth's persons: a person split across
    unlinked addresses lowers the first and raises the second, by little."""
    con, truth = mined
    top10, half = indicators(con, "top10_commit_share"), indicators(con, "people_for_half_of_commits")
    per_framework: dict[str, Counter] = defaultdict(Counter)
    for row in read(truth / "person_years.csv"):
        per_framework[row["framework"]][row["person_id"]] += int(row["commits"])
    for framework, counts in per_framework.items():
        ranked = sorted(counts.values(), reverse=True)
        total = sum(ranked)
        running, needed = 0, 0
        for needed, n in enumerate(ranked, 1):
            running += n
            if running >= total / 2:
                break
        true_top10 = sum(ranked[:10]) / total
        assert true_top10 - 0.1 <= top10[(framework, None)][0] <= true_top10 + 0.02, framework
        assert needed <= half[(framework, None)][0] <= needed * 1.25 + 1, framework


def test_every_listed_indicator_is_there_with_its_method(mined):
    con, _ = mined
    present = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM mart_policy_indicators").fetchall()}
    required = {"vendor_staff_people_share", "vendor_staff_commit_share", "top10_commit_share",
                "people_for_half_of_commits", "top3_city_share", "province_hhi", "pilot_zone_share",
                "pilot_zone_baseline_share", "foreign_platform_people_share", "foreign_platform_activity_share",
                "foreign_platform_star_share", "primary_is_domestic", "new_forks", "active_forks",
                "dependents_found", "adopter_organisations"}
    assert required <= present
    assert con.execute("SELECT count(*) FROM mart_policy_indicators WHERE method IS NULL OR confidence_note IS NULL"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM mart_policy_indicators WHERE coverage < 0 OR coverage > 1").fetchone()[0] == 0
