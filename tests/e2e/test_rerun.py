"""Re-runs on the same sandbox: nothing changed, then the world moved on.

This module runs after test_mine_flow.py (pytest runs files in order) because it moves the world on.
"""

from __future__ import annotations

import json
from collections import Counter

import duckdb
import pytest
import requests

from oss_miner import pipeline
from oss_miner.sandbox.truth import write_truth

PLATFORMS = ("github", "gitee", "gitlab")


def spent(stats: dict) -> Counter:
    """Requests per platform that cost budget: everything but GitHub's (free) 304s."""
    out: Counter = Counter()
    for row in stats["requests"]:
        if not (row["platform"] == "github" and row["status"] == 304):
            out[row["platform"]] += row["count"]
    return out


def raw_counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'raw\\_%' ESCAPE '\\' OR table_name = 'runs'").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def warm(mined, rerun):
    return rerun()


@pytest.fixture(scope="module")
def advanced(mined, warm, rerun, tmp_path_factory):
    requests.post(mined.sandbox.urls["stats"] + "/advance", params={"fraction": 0.01}, timeout=120).raise_for_status()
    truth = tmp_path_factory.mktemp("truth-advanced")
    write_truth(mined.sandbox.world, truth)
    result, stats = rerun()
    return result, stats, truth


def test_cold_run_is_close_to_the_minimum(mined):
    minimum = json.loads((mined.truth / "summary.json").read_text())["min_requests"]
    cold = spent(mined.cold_stats)
    for platform in PLATFORMS:
        assert cold[platform] <= 1.15 * minimum[platform]["total"], (platform, cold[platform], minimum[platform]["total"])


def test_warm_run_costs_almost_nothing(mined, warm):
    cold, again = spent(mined.cold_stats), spent(warm[1])
    assert again["github"] < 0.02 * cold["github"], (again, cold)
    assert again["gitee"] < 0.25 * cold["gitee"], (again, cold)
    assert again["gitlab"] < 0.25 * cold["gitlab"], (again, cold)


def test_a_second_run_adds_a_second_observation_of_every_repository(mined, warm):
    con = duckdb.connect(str(mined.db), read_only=True)
    try:
        per_repo = con.execute("SELECT platform, repo, count(DISTINCT run_id) FROM mart_repository_history GROUP BY ALL").fetchall()
        tracked = con.execute("SELECT count(*) FROM catalogue_repositories").fetchone()[0]
    finally:
        con.close()
    assert len(per_repo) == tracked and {n for _, _, n in per_repo} == {2}


def test_reloading_a_run_changes_nothing(mined, warm):
    before = raw_counts(mined.db)
    spec = pipeline.with_run_id(pipeline.RunSpec(db=str(mined.db), sandbox=True), warm[0]["run_id"])
    pipeline.load(spec, "2026-01-01T00:00:00+00:00")
    from oss_miner.runstate import publish

    publish(spec.paths)
    assert raw_counts(mined.db) == before


def test_after_the_world_moves_on_a_rerun_is_cheap_and_complete(mined, advanced):
    _, stats, truth = advanced
    cold, again = spent(mined.cold_stats), spent(stats)
    assert again["github"] < 0.10 * cold["github"], (again, cold)
    con = duckdb.connect(str(mined.db), read_only=True)
    try:
        forks = dict(((p, r), n) for p, r, n in con.execute("SELECT platform, repo, count(*) FROM int_forks GROUP BY ALL").fetchall())
        stars = dict(((p, r), n) for p, r, n in con.execute("SELECT platform, repo, count(*) FROM int_stargazers GROUP BY ALL").fetchall())
        commits = dict(((p, r), n) for p, r, n in con.execute(
            "SELECT platform, repo, count(*) FILTER (WHERE on_default_branch) FROM stg_commits GROUP BY ALL").fetchall())
    finally:
        con.close()
    import csv

    with (truth / "repositories.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["platform"], row["full_name"])
            # unstars and forks of deleted accounts are seen only by a full reconciliation, which an
            # incremental run skips while the drift stays within 1%
            assert forks.get(key, 0) == pytest.approx(int(row["forks"]), rel=0.01, abs=1), key
            assert stars.get(key, 0) == pytest.approx(int(row["stargazers"]), rel=0.01, abs=1), key
            assert commits.get(key, 0) == int(row["commits_default_branch"]), key
