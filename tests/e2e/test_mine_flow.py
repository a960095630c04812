"""The `mine` flow end to end on the sandbox, under Prefect: complete, correct against the truth."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest




def truth_rows(mined, name: str) -> list[dict[str, str]]:
    with (mined.truth / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def query(mined, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(mined.db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_flow_publishes_a_snapshot_with_a_succeeded_run(mined):
    assert Path(mined.cold["database"]) == mined.db and mined.db.is_file()
    outcome = query(mined, "SELECT outcome FROM runs WHERE run_id = ?", [mined.cold["run_id"]])
    assert outcome == [("succeeded",)]
    report = Path(mined.cold["report"][-1])
    assert report.name == "report.html" and report.stat().st_size > 10_000
    exported = {Path(p).name for p in mined.cold["exports"]}
    assert {"mart_accounts.csv", "mart_platform_dependence.csv", "README.csv"} <= exported


def test_flow_publishes_its_summary_as_a_prefect_artifact(mined):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    import anyio

    async def latest():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mine-run-summary"])))

    artifacts = anyio.run(latest)
    assert any(mined.cold["run_id"] in (a.description or "") for a in artifacts)
    assert "| github |" in artifacts[0].data


def test_every_tracked_repository_is_complete(mined):
    counts = {
        (platform, repo): (forks, stars, releases, commits)
        for platform, repo, forks, stars, releases, commits in query(mined, """
            WITH forks AS (SELECT platform, repo, count(*) AS n FROM int_forks GROUP BY ALL),
                 stars AS (SELECT platform, repo, count(*) AS n FROM int_stargazers GROUP BY ALL),
                 commits AS (SELECT platform, repo, count(*) FILTER (WHERE on_default_branch) AS n
                             FROM stg_commits GROUP BY ALL)
            SELECT h.platform, h.repo, coalesce(f.n, 0), coalesce(s.n, 0), coalesce(h.releases_listed, 0), coalesce(c.n, 0)
            FROM mart_repository_history h
            LEFT JOIN forks f USING (platform, repo) LEFT JOIN stars s USING (platform, repo)
            LEFT JOIN commits c USING (platform, repo)
            WHERE h.run_id = (SELECT max(run_id) FROM mart_repository_history)""")
    }
    for row in truth_rows(mined, "repositories.csv"):
        key = (row["platform"], row["full_name"])
        assert key in counts, f"{key} missing"
        expected = tuple(int(row[c]) for c in ("forks", "stargazers", "releases", "commits_default_branch"))
        assert counts[key] == expected, key


def test_contributor_lists_match_what_the_endpoints_list(mined):
    counted = dict(((p, r), n) for p, r, n in query(mined, """
        SELECT platform, repo, count(*) FROM raw_contributors GROUP BY ALL"""))
    for row in truth_rows(mined, "repositories.csv"):
        if row["contributors"] == "":  # huge: the platform cannot list them
            continue
        assert counted.get((row["platform"], row["full_name"]), 0) == int(row["contributors"]), row["full_name"]


def test_findings_name_the_edge_cases(mined):
    kinds = {row["kind"]: row["full_name"] for row in truth_rows(mined, "repositories.csv") if row["kind"] != "normal"}
    found = {(kind, repo) for repo, kind in query(mined, "SELECT repo, kind FROM raw_findings")}
    assert ("too_large", kinds["huge"]) in found
    assert ("empty", kinds["empty"]) in found
    assert ("renamed", kinds["renamed"]) in found


def test_every_referenced_account_has_a_profile(mined):
    needed = json.loads((mined.truth / "world.json").read_text())["profiles_needed"]
    have = Counter(p for (p,) in query(mined, "SELECT platform FROM mart_accounts WHERE has_profile"))
    for platform, count in needed.items():
        assert have[platform] >= count, platform


def test_geography_of_accounts_matches_the_truth(mined):
    truth = {(r["platform"], r["account_id"]): r["country_iso2"] for r in truth_rows(mined, "accounts.csv")}  # ids are text
    rows = query(mined, "SELECT platform, account_id, country_iso2, method FROM mart_accounts WHERE NOT is_bot")
    by_location = [(truth.get((p, a)), c) for p, a, c, m in rows if m in ("location", "location_first") and (p, a) in truth]
    right = sum(1 for t, c in by_location if t == c)
    assert len(by_location) > 100
    assert right / len(by_location) >= 0.95


def test_vendor_share_matches_the_truth(mined):
    truth = {r["framework"]: float(r["vendor_commit_share"] or 0) for r in truth_rows(mined, "frameworks.csv")}
    mart = dict(query(mined, "SELECT framework, vendor_commit_share_by_email_domain FROM mart_vendor_share"))
    for framework, share in truth.items():
        assert mart[framework] == pytest.approx(share, abs=0.01), framework


def test_china_hubs_match_the_truth(mined):
    mart = {f: (list(cities), hhi) for f, cities, hhi in query(mined, """
        SELECT framework, top_cities, hhi_provinces FROM mart_china_hubs WHERE period = 'all'""")}
    for row in truth_rows(mined, "china_hubs.csv"):
        if int(row["cn_people_with_city"] or 0) < 30:
            continue  # too few located people for the top three to be stable
        cities, hhi = mart[row["framework"]]
        assert set(cities[:3]) & set(row["top3_cities"].split(";")), row["framework"]
        assert hhi == pytest.approx(float(row["province_hhi"]), abs=0.08), row["framework"]


def test_forks_and_active_forks_match_the_truth(mined):
    mart = {f: (forks, active) for f, forks, active in query(mined, """
        SELECT framework, max(forks_to_date), max(active_forks_to_date) FROM mart_downstream_adoption GROUP BY 1""")}
    for row in truth_rows(mined, "frameworks.csv"):
        assert mart[row["framework"]] == (int(row["forks"]), int(row["active_forks"])), row["framework"]


def test_platform_dependence_knows_primaries_and_mirrors(mined):
    rows = {f: (primary, development, index) for f, primary, development, index in query(mined, """
        SELECT framework, primary_platform, development_platform, github_dependence_index FROM mart_platform_dependence""")}
    assert rows["MindSpore"][:2] == ("gitee", "gitee")
    assert rows["PaddlePaddle"][:2] == ("github", "github")
    assert rows["MindSpore"][2] < 0.5 < rows["PaddlePaddle"][2] <= rows["TensorFlow"][2]


def test_serve_sets_the_catalogues_task_limits_on_the_prefect_server(prefect_api):
    from prefect import get_client

    from flows.mine import apply_task_limits
    from oss_miner.config import load_config

    try:
        assert apply_task_limits(load_config(environ={}).task_limits()) == {"github": 6, "gitee": 3, "gitlab": 3, "huggingface": 2, "modelscope": 2}
        assert apply_task_limits({"github": 2}) == {"github": 2}  # an existing limit is updated, not duplicated
    finally:  # the server is shared: later flows in this session must not queue behind these limits
        with get_client(sync_client=True) as client:
            for platform in ("github", "gitee", "gitlab"):
                client.delete_concurrency_limit_by_tag(f"platform:{platform}")
