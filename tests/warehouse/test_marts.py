"""Every mart's figures on the hand-made scenario of scenario.py, computed by hand here."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from oss_miner import load, models

from . import scenario
from .builder import catalogue, new_run
from .scenario import PADDLE, PADDLE_MIRROR, SPORE, SPORE_GH


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    found = rows(con, sql, params)
    assert len(found) == 1, found
    return found[0]


# -- staging ------------------------------------------------------------------------------------


def test_staging_keeps_the_latest_observation_and_each_platforms_semantics(marts):
    github_repo = "SELECT {} FROM stg_repositories WHERE platform = 'github' AND repo = ?"
    assert one(marts, github_repo.format("stars, run_id"), [PADDLE]) == {"stars": 1100, "run_id": "run-2"}
    assert one(marts, github_repo.format("is_mirror"), [SPORE_GH])["is_mirror"] is True
    assert one(marts, github_repo.format("is_mirror"), [PADDLE])["is_mirror"] is False
    assert one(marts, "SELECT type FROM stg_accounts WHERE platform = 'github' AND account_id = 99")["type"] == "Bot"
    # Gitee and GitLab contributors are email identities; GitHub's anonymous entries too
    assert {r["kind"] for r in rows(marts, "SELECT kind FROM stg_contributors WHERE platform = 'gitee'")} == {"email"}
    assert one(marts, "SELECT identity FROM int_contributors WHERE platform = 'github' AND kind = 'anonymous' "
                      "AND repo = ?", [PADDLE])["identity"] == "email:kG"
    # the second run listed no contributors: the first run's lists stay current
    assert one(marts, "SELECT count(*) AS n FROM stg_contributors WHERE platform = 'github' AND repo = ?", [PADDLE])["n"] == 5


def test_company_strings_become_organisation_handles(marts):
    assert one(marts, "SELECT organisation FROM int_accounts WHERE platform = 'github' AND account_id = 1")[
        "organisation"] == "baidu"
    con = duckdb.connect()
    got = con.execute(
        "SELECT CASE WHEN trim(c) LIKE '@%' THEN nullif(lower(regexp_extract(trim(c), '^@+([^\\s,;/@()]+)', 1)), '') END "
        "FROM (VALUES ('@Baidu, Inc.'), (' @PaddlePaddle @baidu')) t(c)").fetchall()
    assert got == [("baidu",), ("paddlepaddle",)]


def test_forks_are_the_latest_full_listing_plus_later_incremental_finds(marts):
    forks = "SELECT fork_id FROM stg_forks WHERE platform = ? ORDER BY fork_id"
    assert [r["fork_id"] for r in rows(marts, forks, ["github"])] == ["11", "12", "13", "14"]  # ids are text
    assert [r["fork_id"] for r in rows(marts, forks, ["gitee"])] == ["21"]  # listing unchanged
    window = one(marts, "SELECT full_run_id, latest_mode, latest_reported_total FROM int_listing_windows "
                        "WHERE platform = 'github' AND listing = 'forks'")
    assert window == {"full_run_id": "run-1", "latest_mode": "incremental", "latest_reported_total": 4}


def test_a_new_full_listing_drops_forks_that_are_gone(con, landing_root, fake_geo):
    for run in (scenario.first_run(landing_root), scenario.second_run(landing_root)):
        load.load_run(con, run.landing, catalogue(), run.run)
    third = new_run(landing_root, "run-3", day=40)
    third.put("forks", "github", [scenario.F2, scenario.F3, {**scenario.F4, "pushed_at": scenario.ts("2024-04-01T00:00:00+00:00")}],
              repo=PADDLE)
    third.listing("github", PADDLE, "forks", "full", 3)
    load.load_run(con, third.landing, catalogue(), third.run)
    models.run_models(con, select=["+int_forks"])
    current = rows(con, "SELECT fork_id, is_active FROM int_forks WHERE platform = 'github' ORDER BY fork_id")
    assert current == [{"fork_id": "12", "is_active": True}, {"fork_id": "13", "is_active": True},
                       {"fork_id": "14", "is_active": True}]  # 11 deleted; 14 pushed since: now active


# -- commits, people, bots ------------------------------------------------------------------------


def test_commits_count_once_per_framework_across_mirror_copies(marts):
    paddle = rows(marts, "SELECT sha, platforms, home_platform FROM int_framework_commits WHERE framework = 'Paddle' ORDER BY sha")
    assert [r["sha"] for r in paddle] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert all(r["platforms"] == ["gitee", "github"] and r["home_platform"] == "github" for r in paddle)
    spore = {r["sha"]: r for r in rows(marts, "SELECT sha, platforms, home_platform FROM int_framework_commits WHERE framework = 'Spore'")}
    assert spore["s1"]["platforms"] == ["gitee", "github", "gitlab"] and spore["s4"]["platforms"] == ["gitee", "github"]
    assert {r["home_platform"] for r in spore.values()} == {"gitee"}


def test_people_are_counted_from_commits_without_bots_and_mirrors_get_no_credit(marts):
    people = rows(marts, "SELECT framework, platform, count(*) AS people, sum(contributions) AS commits "
                         "FROM int_framework_people GROUP BY ALL ORDER BY ALL")
    # Paddle: Alice 2, Bob 1, Dan 1, George 1 (the bot's c5 is out); Spore: Carol 2, Frank 1, Alice 1 on Gitee only,
    # although the GitHub mirror's contributor list names alice and carol
    assert people == [{"framework": "Paddle", "platform": "github", "people": 4, "commits": 5},
                      {"framework": "Spore", "platform": "gitee", "people": 3, "commits": 4}]


def test_vendor_share_by_authors_and_commits(marts):
    paddle = one(marts, "SELECT * FROM mart_vendor_share WHERE framework = 'Paddle'")
    assert (paddle["authors"], paddle["vendor_authors"], paddle["vendor_author_share"]) == (4, 1, 0.25)
    assert (paddle["commits"], paddle["vendor_commits"], paddle["vendor_commit_share"]) == (5, 2, 0.4)
    assert (paddle["noreply_commits"], paddle["noreply_commit_share"]) == (1, 0.2)
    assert paddle["basis"] == "commits" and paddle["vendor_domains"] == ["baidu.com"]
    spore = one(marts, "SELECT * FROM mart_vendor_share WHERE framework = 'Spore'")
    assert (spore["authors"], spore["vendor_authors"], spore["commits"], spore["vendor_commits"]) == (3, 1, 4, 1)
    assert spore["vendor_commit_share"] == 0.25 and spore["vendor_commit_share_by_email_domain"] == 0.25
    assert (paddle["author_emails"], paddle["vendor_author_emails"], paddle["vendor_author_email_share"]) == (4, 1, 0.25)


def test_vendor_staff_are_found_by_company_too(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("commits", "github", [scenario.commit("x1", "kX", "gmail.com", "2024-01-01T00:00:00+08:00", 480, "nX"),
                                  scenario.commit("x2", "kY", "gmail.com", "2024-01-02T00:00:00+08:00", 480, "nY")],
            repo=PADDLE)
    run.put("accounts", "github", [scenario.account(31, "xu", company="@Baidu Research", email_key="kX")])
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_vendor_share"])
    share = one(con, "SELECT * FROM mart_vendor_share WHERE framework = 'Paddle'")
    assert (share["vendor_authors"], share["vendor_commits"], share["vendor_commits_by_email_domain"]) == (1, 1, 0)
    assert share["vendor_commit_share"] == 0.5 and share["vendor_commit_share_by_email_domain"] == 0.0


def test_contributor_lists_are_the_second_source_where_no_history_was_mined(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("contributors", "gitee", [
        {"kind": "email", "author_key": "k1", "email_domain": "huawei.com", "name_key": "n1", "contributions": 30},
        {"kind": "email", "author_key": "k2", "email_domain": "qq.com", "name_key": "n2", "contributions": 10},
    ], repo=SPORE)
    run.put("contributors", "github", [  # a mirror's list: never credited
        {"kind": "anonymous", "author_key": "k3", "email_domain": "gmail.com", "name_key": "n3", "contributions": 99},
    ], repo=SPORE_GH)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con)
    assert rows(con, "SELECT platform, contributions, source FROM int_framework_people ORDER BY contributions") == [
        {"platform": "gitee", "contributions": 10, "source": "contributor_list"},
        {"platform": "gitee", "contributions": 30, "source": "contributor_list"}]
    share = one(con, "SELECT basis, authors, commits, vendor_commit_share FROM mart_vendor_share WHERE framework = 'Spore'")
    assert share == {"basis": "contributor_lists", "authors": 2, "commits": 40, "vendor_commit_share": 0.75}


# -- identities and accounts ----------------------------------------------------------------------


def test_identities_are_linked_by_evidence_and_the_evidence_is_recorded(marts):
    ident = {r["identity"]: r for r in rows(marts, "SELECT * FROM mart_identities")}
    assert ident["github:1"]["evidence"] == ["name_in_contributor_list", "profile_email"]
    assert ident["github:1"]["person_key"] == ident["email:kA"]["person_key"]
    assert ident["email:kB"]["evidence"] == ["name_in_contributor_list", "noreply_commit"]
    assert ident["email:kD"]["linked_to"] == ["github:4"] and ident["email:kD"]["evidence"] == ["name_in_contributor_list"]
    assert ident["gitee:201"]["evidence"] == ["same_login_and_name"]
    assert ident["gitee:201"]["person_key"] == ident["github:5"]["person_key"]
    assert ident["gitee:201"]["person_platforms"] == ["gitee", "github"]
    # the same keyed email in commits and in contributor lists of two platforms is one identity
    assert ident["email:kA"]["seen_in"] == ["gitee:commits", "gitee:contributors", "github:commits"]
    # no evidence, no link: Carol's Gitee account and her commit email stay apart; bots are never linked
    assert ident["gitee:101"]["person_key"] != ident["email:kC"]["person_key"]
    assert ident["email:kBot"]["evidence"] == [] and ident["email:kBot"]["is_bot"] is True
    assert ident["github:1"]["person_identities"] == 2


def test_a_shared_address_links_nobody(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("accounts", "github", [scenario.account(i, f"member{i}", email_key="kTeam") for i in range(60, 65)])
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_identities"])
    assert one(con, "SELECT count(DISTINCT person_key) AS n FROM mart_identities WHERE kind = 'account'")["n"] == 5


def test_accounts_carry_place_person_bot_flag_and_roles(marts):
    acc = {(r["platform"], int(r["account_id"])): r for r in rows(marts, "SELECT * FROM mart_accounts")}
    alice = acc[("github", 1)]
    assert (alice["country_iso2"], alice["region"], alice["city"], alice["method"]) == ("CN", "CN-BJ", "Beijing", "location")
    assert alice["contributor_of"] == ["Paddle", "Spore"] and alice["organisation"] == "baidu"
    # Gitee has no location: eve's Gitee account is placed through her linked GitHub account
    eve = acc[("gitee", 201)]
    assert (eve["country_iso2"], eve["city"], eve["person_key"]) == ("CN", "Shanghai", acc[("github", 5)]["person_key"])
    assert eve["fork_owner_of"] == ["Paddle"] and eve["stargazer_of"] == ["Spore"]
    assert acc[("github", 50)]["dependent_owner_of"] == ["Paddle"] and acc[("github", 50)]["type"] == "Organization"
    bot = acc[("github", 99)]
    assert bot["is_bot"] is True and bot["method"] == "none" and bot["country_iso2"] is None
    assert acc[("github", 7)]["has_profile"] is True and acc[("github", 7)]["method"] == "none"
    assert len(acc) == 11  # every profiled or referenced account, once


# -- geography ----------------------------------------------------------------------------------------


def test_contributor_geography_states_denominators_and_the_unknown_share(marts):
    cells = rows(marts, "SELECT country_iso2, region, city, is_unknown, people, people_total, people_share, "
                        "people_located, located_people_share, contributions, contributions_total, people_by_location "
                        "FROM mart_contributor_geography WHERE framework = 'Paddle' AND platform = 'all' "
                        "ORDER BY country_iso2 NULLS LAST, city")
    assert [(c["country_iso2"], c["region"], c["city"], c["people"], c["contributions"]) for c in cells] == [
        ("CN", "CN-BJ", "Beijing", 1, 2), ("CN", "CN-ZJ", "Hangzhou", 1, 1), ("DE", None, None, 1, 1), (None, None, None, 1, 1)]
    assert {(c["people_total"], c["people_located"], c["contributions_total"]) for c in cells} == {(4, 3, 5)}
    assert [c["people_share"] for c in cells] == [0.25] * 4
    assert cells[-1]["is_unknown"] is True and cells[-1]["located_people_share"] is None
    assert sum(c["people_by_location"] for c in cells) == 3
    spore = rows(marts, "SELECT platform, country_iso2, city, people, people_by_email_domain FROM mart_contributor_geography "
                        "WHERE framework = 'Spore' ORDER BY platform, city NULLS LAST")
    assert {r["platform"] for r in spore} == {"all", "gitee"}  # the GitHub and GitLab mirrors are credited nobody
    assert [(r["city"], r["people"], r["people_by_email_domain"]) for r in spore if r["platform"] == "gitee"] == [
        ("Beijing", 1, 0), (None, 2, 2)]


def test_china_hubs_top_three_cities_and_province_hhi(con, landing_root, fake_geo):
    places = ["Beijing"] * 4 + ["Shanghai"] * 3 + ["Hangzhou, Zhejiang"] * 2 + ["Chengdu", "China", "Hong Kong", "Berlin"]
    run = new_run(landing_root, "run-1")
    run.put("accounts", "github", [scenario.account(100 + i, f"dev{i}", location=place, email_key=f"k{i}")
                                   for i, place in enumerate(places)])
    run.put("commits", "github", [scenario.commit(f"h{i}", f"k{i}", "gmail.com", f"{2022 + i % 2}-05-01T00:00:00+00:00", 0)
                                  for i in range(len(places))], repo=PADDLE)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_china_hubs"])
    hubs = one(con, "SELECT * FROM mart_china_hubs WHERE framework = 'Paddle' AND period = 'all'")
    # CN: Beijing 4, Shanghai 3, Hangzhou 2, Chengdu 1, and one placed only to the country; HK is not CN
    assert (hubs["people_located"], hubs["people_cn"], hubs["people_cn_with_city"]) == (13, 11, 10)
    assert hubs["top_cities"] == ["Beijing", "Shanghai", "Hangzhou"]
    assert (hubs["top3_city_people"], hubs["top3_city_share"]) == (9, 0.9)
    assert hubs["provinces"] == 4 and hubs["hhi_provinces"] == pytest.approx(0.4 ** 2 + 0.3 ** 2 + 0.2 ** 2 + 0.1 ** 2)
    assert (hubs["top_province"], hubs["top_province_share"]) == ("CN-BJ", 0.4)
    years = {r["period"]: r for r in rows(con, "SELECT * FROM mart_china_hubs WHERE framework = 'Paddle' AND period <> 'all'")}
    assert set(years) == {"2022", "2023"} and years["2022"]["people_cn"] + years["2023"]["people_cn"] == 11


# -- adoption and platform dependence -------------------------------------------------------------------


def test_downstream_adoption_per_month(marts):
    months = {str(r["month"]): r for r in rows(marts, "SELECT * FROM mart_downstream_adoption WHERE framework = 'Paddle'")}
    assert sorted(months) == ["2024-01-01", "2024-02-01", "2024-03-01"]
    jan, feb, mar = months["2024-01-01"], months["2024-02-01"], months["2024-03-01"]
    # January: eve's GitHub fork (dead in an hour), acme's fork (active, starred), eve's Gitee fork (active)
    assert (jan["new_forks"], jan["new_active_forks"], jan["new_forks_with_stars"]) == (3, 2, 1)
    assert jan["active_share"] == pytest.approx(2 / 3)
    by_platform = {(str(r["month"]), r["platform"]): (r["new_forks"], r["new_active_forks"], r["forks_with_stars"])
                   for r in rows(marts, "SELECT * FROM mart_adoption_by_platform WHERE framework = 'Paddle'")}
    assert by_platform[("2024-01-01", "github")] == (2, 1, 1) and by_platform[("2024-01-01", "gitee")] == (1, 1, 0)
    assert sum(n for n, _, _ in by_platform.values()) == sum(m["new_forks"] for m in months.values())
    v1 = one(marts, "SELECT * FROM mart_downstream_adoption_v1 WHERE framework = 'Paddle' AND month = '2024-01-01'")
    assert (v1["new_forks_github"], v1["new_forks_gitee"], v1["new_forks_gitlab"]) == (2, 1, 0)
    assert {k: v for k, v in v1.items() if not k.startswith("new_forks_git")} == jan
    # eve adopts twice (two platforms, one person): two adopters, one of them an organisation, both in CN
    assert (jan["new_adopters"], jan["new_adopter_organisations"], jan["adopter_organisations"]) == (2, 1, ["acme"])
    assert (jan["new_adopters_located"], jan["new_adopters_cn"], jan["adopter_countries"]) == (2, 2, "CN 2")
    assert (feb["new_forks"], feb["new_active_forks"], feb["adopter_countries"]) == (1, 1, "US 1")
    # March: ivan's fork found by the incremental listing (not active: pushed 12 h after creation), two dependents
    # first found by the March runs; acme adopted already in January, judy (TW) is new
    assert (mar["new_forks"], mar["new_active_forks"], mar["forks_to_date"], mar["active_forks_to_date"]) == (1, 0, 5, 3)
    assert (mar["new_dependents"], mar["dependents_to_date"], mar["dependents_search_incomplete"]) == (2, 2, True)
    assert (mar["new_adopters"], mar["new_adopters_located"], mar["adopter_countries"]) == (2, 1, "TW 1")


def test_platform_dependence_shares_and_index(marts):
    paddle = one(marts, "SELECT * FROM mart_platform_dependence WHERE framework = 'Paddle'")
    assert (paddle["primary_platform"], paddle["primary_repo"], paddle["mirrors"]) == (
        "github", f"github:{PADDLE}", [f"gitee:{PADDLE_MIRROR}"])
    assert paddle["mirror_evidence"] == [
        f"gitee:{PADDLE_MIRROR}: configured as a mirror; no pull requests; last push 2 hours after the primary"]
    assert paddle["development_platform"] == "github" and paddle["development_share_github"] == pytest.approx(150 / 152)
    assert (paddle["contributors_total"], paddle["contributor_share_github"]) == (4, 1)
    # engaged people: Alice, Bob, Dan, George (commits), eve (forks on both platforms: one person), henry, ivan
    # (forks), judy (dependent); acme is an organisation, the bot is a bot
    assert (paddle["people_total"], paddle["people_only_github"], paddle["people_on_several_platforms"],
            paddle["overlap_share"]) == (8, 7, 1, 0.125)
    assert (paddle["stars_total"], paddle["forks_total"], paddle["dependents"]) == (1200, 330, 2)
    expected = 0.4 * 150 / 152 + 0.2 * 4 / 4 + 0.2 * 1100 / 1200 + 0.2 * 300 / 330
    assert paddle["github_dependence_index"] == pytest.approx(expected)
    # GitHub is Paddle's only copy operated outside mainland China: the two indexes agree
    assert paddle["foreign_platform_dependence_index"] == pytest.approx(expected)
    assert paddle["people_only_foreign_operated_share"] == pytest.approx(7 / 8)

    presence = {r["platform"]: r for r in rows(marts, "SELECT * FROM mart_platform_presence WHERE framework = 'Paddle'")}
    assert set(presence) == {"github", "gitee", "gitlab"}  # every configured platform, with or without a copy
    github, gitee, gitlab = presence["github"], presence["gitee"], presence["gitlab"]
    assert (github["api"], github["operator_country"], github["role"], gitee["role"], gitlab["role"]) == (
        "github", "US", "primary", "mirror", None)
    assert (github["people"], gitee["people"], github["people_total"], github["people_only"]) == (8, 1, 8, 7)
    assert (github["contributors"], github["contributors_total"], github["stars"], github["stars_share"]) == (
        4, 4, 1100, pytest.approx(1100 / 1200))
    assert (github["forks"], gitee["forks"], github["dependents"], github["dependents_share"]) == (300, 30, 2, 1)
    assert (gitlab["people"], gitlab["stars"], gitlab["pull_requests"], gitlab["development_share"]) == (0, 0, None, 0)
    assert github["development_share"] == pytest.approx(150 / 152) and github["last_push_at"] is not None

    v1 = one(marts, "SELECT * FROM mart_platform_dependence_v1 WHERE framework = 'Paddle'")
    assert (v1["contributors_github"], v1["people_github"], v1["people_gitee"], v1["people_share_gitee"]) == (4, 8, 1, 1 / 8)
    assert (v1["stars_github"], v1["forks_github"], v1["dependents_github"]) == (1100, 300, 2)
    assert v1["github_dependence_index"] == paddle["github_dependence_index"]

    spore = one(marts, "SELECT * FROM mart_platform_dependence WHERE framework = 'Spore'")
    assert (spore["primary_platform"], spore["development_platform"], spore["mirrors_confirmed"]) == ("gitee", "gitee", 2)
    assert "the platform marks it a mirror" in spore["mirror_evidence"][0]
    assert (spore["contributors_total"], spore["contributor_share_github"]) == (3, 0)
    assert one(marts, "SELECT contributors_gitee FROM mart_platform_dependence_v1 WHERE framework = 'Spore'") == {
        "contributors_gitee": 3}
    expected = 0.4 * 0 + 0.2 * 0 + 0.2 * 200 / 710 + 0.2 * 20 / 101
    assert spore["github_dependence_index"] == pytest.approx(expected)
    # Spore's GitLab mirror is on gitlab.com (US): foreign-operated like GitHub, unlike its Gitee primary
    copies = {r["platform"]: r for r in rows(marts, "SELECT * FROM mart_platform_presence WHERE framework = 'Spore'")}
    foreign = [copies["github"], copies["gitlab"]]
    expected = (0.4 * sum(r["development_share"] for r in foreign) + 0.2 * sum(r["contributor_share"] for r in foreign)
                + 0.2 * sum(r["stars_share"] for r in foreign) + 0.2 * sum(r["forks_share"] for r in foreign))
    assert copies["gitlab"]["stars"] > 0 and spore["foreign_platform_dependence_index"] == pytest.approx(expected)
    assert spore["foreign_platform_dependence_index"] > spore["github_dependence_index"]


def test_the_index_leaves_out_shares_without_a_denominator(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("repositories", "github", [scenario.repository(PADDLE, 10, 0, "2024-01-01T00:00:00+00:00")], repo=PADDLE)
    run.put("repositories", "gitee", [scenario.repository(PADDLE_MIRROR, 30, 0, "2024-01-01T00:00:00+00:00")], repo=PADDLE_MIRROR)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_platform_dependence"])
    paddle = one(con, "SELECT stars_share_github, forks_share_github, github_dependence_index FROM mart_platform_dependence "
                      "WHERE framework = 'Paddle'")
    assert paddle == {"stars_share_github": 0.25, "forks_share_github": None, "github_dependence_index": 0.25}


@pytest.mark.parametrize("mirror_pushed, wording", [
    ("2020-09-13T12:00:00+00:00", "last push 3.3 years before the primary"),
    ("2024-01-06T00:00:00+00:00", "last push 5 days after the primary"),
    ("2024-01-02T12:00:00+00:00", "last push 36 hours after the primary"),
    ("2023-12-31T23:00:00+00:00", "last push 1 hour before the primary"),
    ("2023-10-03T00:00:00+00:00", "last push 3 months before the primary"),
    ("2024-01-01T00:00:00+00:00", "last push at the same time as the primary"),
])
def test_mirror_push_lags_read_in_humane_units(con, landing_root, fake_geo, mirror_pushed, wording):
    run = new_run(landing_root, "run-1")
    run.put("repositories", "github", [scenario.repository(PADDLE, 10, 0, "2024-01-01T00:00:00+00:00")], repo=PADDLE)
    run.put("repositories", "gitee", [scenario.repository(PADDLE_MIRROR, 30, 0, mirror_pushed)], repo=PADDLE_MIRROR)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+mart_platform_dependence"])
    evidence = one(con, "SELECT mirror_evidence FROM mart_platform_dependence WHERE framework = 'Paddle'")
    assert evidence["mirror_evidence"] == [f"gitee:{PADDLE_MIRROR}: configured as a mirror; {wording}"]


def test_country_geography_is_the_sum_of_the_place_rows(marts):
    per_country = rows(marts, "SELECT framework, platform, country_iso2, people, contributions, people_by_location, "
                              "people_by_company, people_by_email_domain, people_by_timezone FROM mart_country_geography "
                              "ORDER BY ALL")
    summed = rows(marts, "SELECT framework, platform, country_iso2, sum(people) AS people, sum(contributions) AS contributions, "
                         "sum(people_by_location) AS people_by_location, sum(people_by_company) AS people_by_company, "
                         "sum(people_by_email_domain) AS people_by_email_domain, sum(people_by_timezone) AS people_by_timezone "
                         "FROM mart_contributor_geography GROUP BY ALL ORDER BY ALL")
    assert per_country == summed and len({(r["framework"], r["platform"]) for r in per_country}) > 1
    cn = one(marts, "SELECT * FROM mart_country_geography WHERE framework = 'Paddle' AND platform = 'all' "
                    "AND country_iso2 = 'CN'")
    place_rows = rows(marts, "SELECT people FROM mart_contributor_geography WHERE framework = 'Paddle' "
                             "AND platform = 'all' AND country_iso2 = 'CN'")
    assert len(place_rows) > 1  # China is split by city there, so no single row gives its total
    assert cn["people"] == sum(r["people"] for r in place_rows)
    assert cn["people_share"] == pytest.approx(cn["people"] / cn["people_total"])
    assert cn["located_people_share"] == pytest.approx(cn["people"] / cn["people_located"])
    shares = rows(marts, "SELECT sum(people_share) AS total, count(*) FILTER (WHERE is_unknown) AS unknown_rows "
                         "FROM mart_country_geography GROUP BY framework, platform")
    assert all(r["total"] == pytest.approx(1.0) and r["unknown_rows"] <= 1 for r in shares)


def test_the_example_queries_run_and_the_readme_prints_the_same(marts):
    from pathlib import Path

    from oss_miner.cli import EXAMPLE_QUERIES

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for query in EXAMPLE_QUERIES:
        assert f'oss-miner sql "{query}"' in readme
        marts.execute(query).fetchall()  # every table and column it names exists (the scenario has no 'PaddlePaddle')


def test_repository_history_has_a_row_per_repository_and_run(marts):
    history = rows(marts, "SELECT run_id, stars, contributors_listed, pull_requests, issues, forks_landed, commits_landed "
                          "FROM mart_repository_history WHERE platform = 'github' AND repo = ? ORDER BY run_id", [PADDLE])
    assert history == [
        {"run_id": "run-1", "stars": 1000, "contributors_listed": 5, "pull_requests": 100, "issues": 50,
         "forks_landed": 3, "commits_landed": 6},
        {"run_id": "run-2", "stars": 1100, "contributors_listed": None, "pull_requests": 100, "issues": 50,
         "forks_landed": 1, "commits_landed": 0},
    ]
    assert one(marts, "SELECT count(*) AS n, count(DISTINCT (platform, repo)) AS repos FROM mart_repository_history") == {
        "n": 10, "repos": 5}


# -- geo enrichment ------------------------------------------------------------------------------------


def test_geo_enrichment_asks_once_per_distinct_text_and_profiles_time_zones(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("accounts", "github", [scenario.account(1, "a", location="Beijing"), scenario.account(2, "b", location="Beijing"),
                                   scenario.account(3, "c", location="  "), scenario.account(4, "d", company="huawei")])
    commits = [scenario.commit(f"t{i}", "kT", "163.com", "2024-01-01T00:00:00+08:00", 480 if i < 3 else 60) for i in range(4)]
    run.put("commits", "github", commits, repo=PADDLE)
    run.put("commits", "gitee", commits[:1], repo=PADDLE_MIRROR)  # the same commit on a mirror counts once
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con, select=["+geo_enrichment"])
    assert [c for c in fake_geo.calls if c[0] == "locate"] == [("locate", "Beijing")]
    assert ("timezone", {480: 3, 60: 1}) in fake_geo.calls
    assert one(con, "SELECT * FROM geo_author_timezones") == {
        "author_key": "kT", "commits": 4, "main_offset_minutes": 480, "main_offset_share": 0.75,
        "country_iso2": "CN", "region": None, "city": None, "confidence": 0.3, "method": "timezone"}
    assert one(con, "SELECT country_iso2, method FROM geo_companies") == {"country_iso2": "CN", "method": "company"}
    assert one(con, "SELECT * FROM geo_email_domains")["email_domain"] == "163.com"


def test_weaker_evidence_places_a_country_but_no_city_in_the_aggregates(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    # no location: the company names Baidu's head office (Beijing); the commits' time zone says +08:00, which
    # is no country on its own: kT, known only by it, stays unknown
    run.put("accounts", "github", [scenario.account(41, "li", company="@baidu", email_key="kL"),
                                   scenario.account(42, "wu", location="Shanghai", email_key="kW")])
    run.put("commits", "github", [scenario.commit("w1", "kL", "gmail.com", "2024-01-01T00:00:00+08:00", 480),
                                  scenario.commit("w2", "kW", "gmail.com", "2024-01-01T00:00:00+08:00", 480),
                                  scenario.commit("w3", "kT", "gmail.com", "2024-01-01T00:00:00+08:00", 480)],
            repo=PADDLE)
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con)
    li = one(con, "SELECT city, method, confidence FROM mart_accounts WHERE account_id = 41")
    assert li == {"city": "Beijing", "method": "company", "confidence": 0.6}  # the account keeps what the evidence says
    cells = rows(con, "SELECT country_iso2, region, city, people, people_by_location, people_by_company, people_by_timezone "
                      "FROM mart_contributor_geography WHERE framework = 'Paddle' AND platform = 'all' "
                      "ORDER BY city NULLS LAST, country_iso2 NULLS LAST")
    assert cells == [
        {"country_iso2": "CN", "region": "CN-SH", "city": "Shanghai", "people": 1, "people_by_location": 1,
         "people_by_company": 0, "people_by_timezone": 0},
        {"country_iso2": "CN", "region": None, "city": None, "people": 1, "people_by_location": 0,
         "people_by_company": 1, "people_by_timezone": 0},
        {"country_iso2": None, "region": None, "city": None, "people": 1, "people_by_location": 0,
         "people_by_company": 0, "people_by_timezone": 1},
    ]
    assert one(con, "SELECT country_iso2, utc_offset_region, tier FROM int_person_geography WHERE person_key = "
                    "(SELECT person_key FROM int_identities WHERE author_key = 'kT')") == {
        "country_iso2": None, "utc_offset_region": "UTC+08:00", "tier": 4}
    hubs = one(con, "SELECT people_cn, people_cn_profiled, people_cn_with_city, top_cities, hhi_provinces "
                    "FROM mart_china_hubs WHERE framework = 'Paddle' AND period = 'all'")
    assert hubs == {"people_cn": 2, "people_cn_profiled": 1, "people_cn_with_city": 1, "top_cities": ["Shanghai"],
                    "hhi_provinces": 1.0}


def test_china_hubs_take_cities_from_listed_accounts_that_no_evidence_links_to_their_commits(con, landing_root, fake_geo):
    run = new_run(landing_root, "run-1")
    run.put("commits", "github", [scenario.commit("z1", "kZ", "gmail.com", "2024-05-01T10:00:00+08:00", 480, "nZ")],
            repo=PADDLE)
    run.put("contributors", "github", [{"kind": "account", "account_id": 77, "login": "zhou", "contributions": 1}],
            repo=PADDLE)
    run.put("accounts", "github", [scenario.account(77, "zhou", location="Chengdu", name_key="nOther")])
    load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con)
    hubs = one(con, "SELECT people_located, people_cn, people_cn_profiled, top_cities, hhi_provinces "
                    "FROM mart_china_hubs WHERE framework = 'Paddle' AND period = 'all'")
    # one person by commits (a time zone, +08:00, places nobody in CN), whose listed account alone names a city
    assert hubs == {"people_located": 0, "people_cn": 0, "people_cn_profiled": 1, "top_cities": ["Chengdu"],
                    "hhi_provinces": 1.0}
    year = one(con, "SELECT people_cn, people_cn_profiled, top_cities FROM mart_china_hubs WHERE period = '2024'")
    assert year == {"people_cn": 0, "people_cn_profiled": 0, "top_cities": []}
