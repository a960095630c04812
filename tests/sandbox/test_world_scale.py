"""The default world at scale 1: sizes, the code-search cap, and proportions like the real ones
(../shared/calibration/real-commit-metadata.md), within loose bounds."""

from __future__ import annotations

from collections import Counter

import pytest

from fixtures import AS_OF

from oss_miner.config import load_config
from oss_miner.sandbox import derive
from oss_miner.sandbox.truth import framework_commits, human_commits
from oss_miner.sandbox.world import build_world

CHINESE = ("PaddlePaddle", "MindSpore", "MegEngine", "OneFlow", "Jittor", "Angel", "Alink", "MNN", "ncnn")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(7, 1.0, load_config(sandbox=True, environ={}), tmp_path_factory.mktemp("scale-1"), as_of=AS_OF)


def test_sizes_at_scale_one(world):
    humans = [p for p in world.people.values() if not p.is_bot]
    assert 2000 <= len(humans) <= 8000
    for repo in derive.tracked_repos(world):
        commits = len(derive.default_branch_commits(repo))
        if repo.role == "primary":
            assert 300 <= commits <= 2500 and 300 <= len(repo.stars) <= 4000 and 30 <= len(repo.forks) <= 1000, repo.full_name
        else:
            assert commits == 0 if repo.kind == "empty" else commits > 300


def test_one_query_passes_the_1000_result_cap(world):
    capped = derive.code_search(world, "torch", "requirements.txt")
    assert capped.total_count > 1000 and len(capped.items) == 1000 and capped.incomplete_results
    assert len(derive.findable_dependents(world, "PyTorch")) < len(derive.all_dependents(world, "PyTorch"))
    others = [derive.code_search(world, package, path) for name, package, path in derive.search_queries(world)
              if name != "PyTorch"]
    assert all(not r.incomplete_results for r in others)


def _plus_eight_share(commits) -> float:
    return sum(c.authored_at.utcoffset().total_seconds() == 8 * 3600 for c in commits) / len(commits)


def test_chinese_frameworks_commit_at_plus_eight_and_baselines_do_not(world):
    for name in CHINESE:
        assert _plus_eight_share(human_commits(world, framework_commits(world, name))) > 0.8, name
    for name in ("TensorFlow", "PyTorch"):
        commits = human_commits(world, framework_commits(world, name))
        assert _plus_eight_share(commits) < 0.45, name
        located = {world.people[c.author_person_id].country_iso2 for c in commits} - {None}
        cn = sum(1 for p in {c.author_person_id for c in commits} if world.people[p].country_iso2 == "CN")
        assert cn / len({c.author_person_id for c in commits}) < 0.25 and len(located) > 5


def test_noreply_bots_and_vendor_concentration(world):
    for name in ("PaddlePaddle", "OneFlow", "ncnn", "MNN", "TensorFlow"):
        commits = framework_commits(world, name)
        emails = {c.author_email.lower() for c in commits}
        noreply = sum(e.endswith("@users.noreply.github.com") for e in emails) / len(emails)
        assert 0.1 <= noreply <= 0.4, (name, noreply)
    oneflow = framework_commits(world, "OneFlow")
    bot_share = sum(world.people[c.author_person_id].is_bot for c in oneflow) / len(oneflow)
    assert 0.1 <= bot_share <= 0.2
    megengine = human_commits(world, framework_commits(world, "MegEngine"))
    top = Counter(c.author_email for c in megengine).most_common(1)[0]
    assert top[0].endswith("@megvii.com") and top[1] / len(megengine) > 0.7
    for name in ("MegEngine", "ncnn"):  # few staff by head count, many commits
        fw = world.catalogue.frameworks[name]
        commits = human_commits(world, framework_commits(world, name))
        staff = {c.author_person_id for c in commits if world.people[c.author_person_id].employer == fw.vendor}
        authors = {c.author_person_id for c in commits}
        staff_commits = sum(c.author_person_id in staff for c in commits) / len(commits)
        assert staff_commits > 1.5 * len(staff) / len(authors), name


def test_contributors_are_heavy_tailed_and_concentrated_in_chinese_hubs(world):
    paddle = derive.contributors(world, world.repo_by_name("github", "PaddlePaddle/Paddle"))
    counts = sorted((e.contributions for e in paddle), reverse=True)
    assert sum(counts[: len(counts) // 10]) > 0.4 * sum(counts) and counts[len(counts) // 2] <= 2
    people = {c.author_person_id for name in CHINESE for c in human_commits(world, framework_commits(world, name))}
    cities = Counter(world.people[p].city for p in people if world.people[p].country_iso2 == "CN" and world.people[p].city)
    hubs = sum(cities[c] for c in ("Beijing", "Shanghai", "Shenzhen", "Hangzhou"))
    assert hubs / sum(cities.values()) > 0.55
    unknown = sum(world.people[p].country_iso2 is None for p in people) / len(people)
    assert 0.1 < unknown < 0.45
    assert {world.people[p].country_iso2 for p in people} >= {"CN", "US", "DE", "IN", "JP", "SG", "TW", "HK"}


def test_some_human_commits_at_utc(world):
    commits = human_commits(world, framework_commits(world, "PaddlePaddle"))
    at_utc = sum(c.authored_at.utcoffset().total_seconds() == 0 for c in commits) / len(commits)
    assert 0.005 < at_utc < 0.1
