"""The marts against the sandbox's ground truth: a small sandbox world mined by the pipeline's stages
(without Prefect), loaded, modelled, and compared with the files `oss-miner sandbox truth` writes.

Exact where the mart and the truth measure the same thing (lists, forks, adoption per month, vendor
share by email domain, activity); within stated bounds where the pipeline can only estimate (people
behind several addresses, identity links, places).
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from oss_miner.privacy import Hasher

SEED, SCALE = 7, 0.3
AS_OF = date(2026, 6, 1)  # the sandbox's clock, fixed so that the run repeats
HASH_KEY = "warehouse-truth-test"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_stages(spec):
    """Run the pipeline's stages for `spec` without Prefect (extract, land, load, models); returns the spec
    with its run id. The caller has pointed the environment at a sandbox."""
    from oss_miner import pipeline, runstate

    run_id, _ = runstate.start_or_resume(spec.paths, spec.parameters())
    spec = pipeline.with_run_id(spec, run_id)
    plan = pipeline.plan(spec)
    with ThreadPoolExecutor(4) as pool:
        jobs = [pool.submit(pipeline.extract_repository, spec, task) for task in plan.repos]
        jobs += [pool.submit(pipeline.extract_org, spec, platform, org) for platform, org in plan.orgs]
        jobs += [pool.submit(pipeline.extract_dependents, spec, p, fw, packages) for p, fw, packages in plan.dependents]
        [job.result() for job in jobs]
        [job.result() for job in [pool.submit(pipeline.extract_accounts, spec, p) for p in plan.platforms]]
    pipeline.seal(spec)
    pipeline.load(spec, datetime.now(timezone.utc).isoformat())
    pipeline.build_models(spec)
    return spec


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """(connection to the modelled work database, truth folder) for one sandbox run."""
    from oss_miner import pipeline, runstate
    from oss_miner.sandbox.server import SandboxOptions, SandboxServer
    from oss_miner.sandbox.truth import write_truth

    folder = tmp_path_factory.mktemp("truth-run")
    with SandboxServer(SandboxOptions(seed=SEED, scale=SCALE, as_of=AS_OF, code_search_limit=None)) as server, \
            pytest.MonkeyPatch.context() as env:
        for name, value in {**server.environment(), "OSS_MINER_HASH_KEY": HASH_KEY}.items():
            env.setenv(name, value)
        spec = run_stages(pipeline.RunSpec(db=str(folder / "oss.duckdb"), sandbox=True))
        runstate.finish(spec.paths)
        write_truth(server.world, folder / "truth")
    con = duckdb.connect(str(spec.paths.work_db), read_only=True)
    yield con, folder / "truth"
    con.close()


def test_repository_lists_match_the_truth(mined):
    con, truth = mined
    listed = {(r[0], r[1]): r[2:] for r in con.execute("""
        SELECT r.platform, r.repo,
            (SELECT count(*) FROM int_contributors c WHERE c.platform = r.platform AND c.repo = r.repo),
            (SELECT count(*) FROM int_forks f WHERE f.platform = r.platform AND f.repo = r.repo),
            (SELECT count(*) FROM int_stargazers s WHERE s.platform = r.platform AND s.repo = r.repo),
            (SELECT count(*) FROM stg_commits m WHERE m.platform = r.platform AND m.repo = r.repo AND m.on_default_branch)
        FROM catalogue_repositories r""").fetchall()}
    for row in read(truth / "repositories.csv"):
        contributors, forks, stars, commits = listed[(row["platform"], row["full_name"])]
        assert (forks, stars, commits) == (int(row["forks"]), int(row["stargazers"]), int(row["commits_default_branch"])), row
        if row["contributors"]:  # blank: a list too large to list
            assert contributors == int(row["contributors"]), row


def test_framework_figures_match_the_truth(mined):
    con, truth = mined
    ours = {r[0]: r[1:] for r in con.execute("""
        SELECT d.framework, a.forks, a.active, d.dependents, v.vendor_commit_share_by_email_domain
        FROM mart_platform_dependence d
        JOIN mart_vendor_share v USING (framework)
        LEFT JOIN (SELECT framework, max(forks_to_date) AS forks, max(active_forks_to_date) AS active
                   FROM mart_downstream_adoption GROUP BY framework) a USING (framework)""").fetchall()}
    for row in read(truth / "frameworks.csv"):
        forks, active, dependents, vendor_share = ours[row["framework"]]
        assert (forks, active, dependents) == (int(row["forks"]), int(row["active_forks"]), int(row["dependents_findable"]))
        assert vendor_share == pytest.approx(float(row["vendor_commit_share"]), abs=1e-6)


def test_adoption_per_month_matches_the_truth(mined):
    con, truth = mined
    ours = {(r[0], r[1]): r[2:] for r in con.execute(
        "SELECT framework, strftime(month, '%Y-%m'), new_forks, new_active_forks, new_forks_with_stars "
        "FROM mart_downstream_adoption WHERE new_forks > 0").fetchall()}
    expected = {(r["framework"], r["month"]): (int(r["new_forks"]), int(r["active_forks"]), int(r["forks_with_stars"]))
                for r in read(truth / "adoption_monthly.csv")}
    assert ours == expected


def test_development_activity_matches_the_truth(mined):
    con, truth = mined
    totals: dict[tuple[str, str, str], int] = {}
    for row in read(truth / "activity.csv"):
        key = (row["platform"], row["full_name"], row["kind"])
        totals[key] = totals.get(key, 0) + int(row["count"])
    ours = con.execute("SELECT platform, repo, pull_requests, issues FROM int_activity").fetchall()
    assert {(p, r, "pulls"): n for p, r, n, _ in ours} | {(p, r, "issues"): n for p, r, _, n in ours} == totals


def test_people_lie_between_persons_and_addresses(mined):
    """Addresses of one person are linked only by evidence, so the count of people is at least the true
    number of persons and at most the number of addresses; links are almost never wrong."""
    con, truth = mined
    ours = dict(con.execute("SELECT framework, authors FROM mart_vendor_share").fetchall())
    for row in read(truth / "vendor_share.csv"):
        assert int(row["people"]) <= ours[row["framework"]] <= int(row["authors"]), row
    hasher = Hasher(HASH_KEY.encode())
    person_of = {f"email:{hasher.email(r['email'])[1]}": r["person_id"] for r in read(truth / "identities.csv")}
    person_of |= {f"{r['platform']}:{r['account_id']}": r["person_id"] for r in read(truth / "accounts.csv")}
    members: dict[str, set[str]] = {}
    for identity, person_key in con.execute("SELECT identity, person_key FROM int_identities").fetchall():
        if identity in person_of:
            members.setdefault(person_key, set()).add(person_of[identity])
    merged_wrongly = sum(1 for people in members.values() if len(people) > 1)
    assert merged_wrongly <= 0.01 * len(members)


def test_profile_locations_place_accounts_where_the_truth_does(mined):
    con, truth = mined
    ours = {(r[0], str(r[1])): r[2:] for r in con.execute(
        "SELECT platform, account_id, country_iso2, region, method FROM mart_accounts").fetchall()}
    by_location = right = cn_with_region = cn_region_right = 0
    for row in read(truth / "accounts.csv"):  # every live account; the run meets those around the frameworks
        country, region, method = ours.get((row["platform"], row["account_id"]), (None, None, "none"))
        if method.startswith("location") and row["country_iso2"]:
            by_location += 1
            right += country == row["country_iso2"]
            if country == row["country_iso2"] == "CN" and row["region"] and region:
                cn_with_region += 1
                cn_region_right += region == row["region"]
    assert by_location > 300 and right / by_location >= 0.97
    assert cn_with_region > 100 and cn_region_right / cn_with_region >= 0.9


def test_china_hubs_come_close_to_the_truth(mined):
    """Hubs are measured on the people whose profiles name a Chinese city, a sample of the truth's."""
    con, truth = mined
    ours = {r[0]: r[1:] for r in con.execute(
        "SELECT framework, people_cn_with_city, top3_city_share, hhi_provinces FROM mart_china_hubs WHERE period = 'all'"
    ).fetchall()}
    for row in read(truth / "china_hubs.csv"):
        with_city, top3, hhi = ours[row["framework"]]
        if with_city >= 30:
            assert top3 == pytest.approx(float(row["top3_share"]), abs=0.12), row
            assert hhi == pytest.approx(float(row["province_hhi"]), abs=0.08), row
