"""The ground truth: its files and columns, and summary.json recomputed here from the world by other code."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest

from fixtures import AS_OF

from oss_miner.config import load_config
from oss_miner.sandbox.truth import truth_command, write_truth
from oss_miner.sandbox.world import advance, build_world

SEED, SCALE = 21, 0.15


@pytest.fixture(scope="module")
def catalogue():
    return load_config(sandbox=True, environ={})


@pytest.fixture(scope="module")
def advanced(catalogue, tmp_path_factory):
    """A world moved on once, and its truth."""
    world = build_world(SEED, SCALE, catalogue, tmp_path_factory.mktemp("truth-world"), as_of=AS_OF)
    advance(world, 0.02)
    out = tmp_path_factory.mktemp("truth")
    write_truth(world, out)
    return world, out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def test_required_files_have_exactly_the_issue_columns(advanced):
    _, out = advanced
    assert header(out / "accounts.csv") == ["platform", "account_id", "login", "country_iso2", "region", "city",
                                            "person_id", "is_bot"]
    assert header(out / "repositories.csv") == ["platform", "full_name", "framework", "role", "kind", "contributors",
                                                "people", "forks", "stargazers", "releases", "commits_default_branch"]
    assert header(out / "frameworks.csv") == ["framework", "forks", "active_forks", "dependents_findable",
                                              "dependents_total", "vendor_commit_share"]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {"min_requests", "min_graphql_points"}
    assert set(summary["min_requests"]) == {"github", "gitee", "gitlab"}
    for platform in summary["min_requests"].values():
        assert set(platform) == {"total", "by_endpoint"} and platform["total"] == sum(platform["by_endpoint"].values())


def test_repositories_mark_the_edge_cases(advanced):
    world, out = advanced
    by_path = {(r["platform"], r["full_name"]): r for r in rows(out / "repositories.csv")}
    assert by_path[("github", "pytorch/pytorch")]["kind"] == "huge"
    assert by_path[("github", "pytorch/pytorch")]["contributors"] == ""
    empty = by_path[("gitlab", "jihu-mirrors/jittor")]
    assert (empty["kind"], empty["contributors"], empty["commits_default_branch"], empty["people"]) == ("empty", "0", "0", "0")
    assert by_path[("github", "Angel-ML/angel")]["kind"] == "renamed"
    assert sum(r["kind"] == "renamed" for r in by_path.values()) == 2  # one more after advance
    assert {r["role"] for r in by_path.values()} == {"primary", "mirror"}
    for row in by_path.values():
        repo = next(r for r in world.repos.values() if r.tracked and r.catalogue_path == row["full_name"]
                    and r.platform == row["platform"])
        assert int(row["stargazers"]) == len(repo.stars) and int(row["forks"]) == len(repo.forks)
        assert int(row["releases"]) == len(repo.releases)
        humans = {c.author_person_id for c in repo.commits if c.on_default_branch
                  and not world.people[c.author_person_id].is_bot}
        assert int(row["people"]) == len(humans)
        if row["platform"] != "github" and row["contributors"]:
            emails = {c.author_email.lower() for c in repo.commits if c.on_default_branch}
            assert int(row["contributors"]) == len(emails)


def test_accounts_say_where_people_are(advanced):
    world, out = advanced
    table = rows(out / "accounts.csv")
    live = [a for a in world.accounts.values() if not a.deleted]
    assert len(table) == len(live)
    deleted = world.deleted_accounts[0]
    assert not any((r["platform"], int(r["account_id"])) == deleted for r in table)
    for row in table:
        account = world.accounts[(row["platform"], int(row["account_id"]))]
        assert row["login"] == account.login
        if account.person_id is None:
            assert row["person_id"] == "" and row["is_bot"] == "false"
            continue
        person = world.people[account.person_id]
        assert (row["country_iso2"] or None, row["region"] or None, row["city"] or None) == \
            (person.country_iso2, person.region, person.city)
        assert row["is_bot"] == ("true" if person.is_bot else "false")
    gitee_located = [r for r in table if r["platform"] == "gitee" and r["country_iso2"]]
    assert gitee_located, "Gitee accounts carry their person's place though Gitee shows none"
    assert any(re.fullmatch(r"CN-[A-Z]{2}", r["region"]) for r in table)


def test_frameworks_figures(advanced):
    world, out = advanced
    table = {r["framework"]: r for r in rows(out / "frameworks.csv")}
    assert set(table) == set(world.catalogue.frameworks)
    for name, row in table.items():
        assert 0 <= int(row["active_forks"]) < int(row["forks"])
        assert int(row["dependents_findable"]) <= int(row["dependents_total"])
        assert 0 <= float(row["vendor_commit_share"]) <= 1
    assert int(table["Angel"]["dependents_total"]) == 0  # no PyPI package configured
    assert float(table["MegEngine"]["vendor_commit_share"]) > 0.6  # one export account writes nearly everything


def test_truth_command_replays_build_and_advances(catalogue, advanced, tmp_path):
    _, out = advanced
    truth_command(SEED, SCALE, tmp_path / "replayed", [0.02], catalogue, as_of=AS_OF)
    for path in sorted(out.iterdir()):
        assert (tmp_path / "replayed" / path.name).read_bytes() == path.read_bytes(), path.name
    truth_command(SEED, SCALE, tmp_path / "cold", [], catalogue, as_of=AS_OF)
    assert (tmp_path / "cold" / "repositories.csv").read_bytes() != (out / "repositories.csv").read_bytes()
    assert json.loads((tmp_path / "cold" / "world.json").read_text())["advances"] == []


# ----- summary.json, recomputed independently -----

def _pages(n: int) -> int:
    return max(1, math.ceil(n / 100))


def _default_commits(repo):
    return sorted((c for c in repo.commits if c.on_default_branch), key=lambda c: c.committed_at)


def _github_entries(world, repo) -> tuple[int, set[int]]:
    verified = {}
    for key in sorted(world.accounts):
        account = world.accounts[key]
        if key[0] == "github" and not account.deleted:
            for email in account.verified_emails:
                verified.setdefault(email.lower(), account.account_id)
    emails: list[str] = []
    for commit in _default_commits(repo):
        if commit.author_email.lower() not in emails:
            emails.append(commit.author_email.lower())
    linked = {verified[e] for e in emails[:500] if e in verified}
    anonymous = [e for i, e in enumerate(emails) if i >= 500 or e not in verified]
    return len(linked) + len(anonymous), linked


def _declares(text: str, package: str) -> bool:
    wanted = re.sub(r"[-_.]+", "-", package).lower()
    for candidate in re.findall(r"^([A-Za-z0-9][\w.-]*)|\"([A-Za-z0-9][\w.-]*)", text, re.M):
        name = next(c for c in candidate if c)
        if re.sub(r"[-_.]+", "-", name).lower() == wanted and name.lower() not in ("name", "version", "description"):
            return True
    return False


def test_summary_minimum_requests_recomputed(advanced):
    world, out = advanced
    summary = json.loads((out / "summary.json").read_text())
    expected = {p: {} for p in ("github", "gitee", "gitlab")}
    profiles = {p: set() for p in expected}

    def add(platform: str, endpoint: str, n: int) -> None:
        expected[platform][endpoint] = expected[platform].get(endpoint, 0) + n

    for repo in (r for r in world.repos.values() if r.tracked):
        p = repo.platform
        stars = [s.account_id for s in repo.stars if not world.accounts[(p, s.account_id)].deleted]
        forks = [f.owner_id for f in repo.forks if not world.accounts[(p, f.owner_id)].deleted]
        profiles[p] |= set(stars) | set(forks)
        commits = _default_commits(repo)
        if p == "github":
            entries, linked = _github_entries(world, repo) if repo.kind != "huge" and commits else (0, set())
            profiles[p] |= linked
            add(p, "/repos/{owner}/{repo}", 2 if repo.former_names and repo.catalogue_path in repo.former_names else 1)
            add(p, "/repos/{owner}/{repo}/contributors", _pages(entries))
            for endpoint, n in (("forks", len(forks)), ("stargazers", len(stars)), ("releases", len(repo.releases))):
                add(p, "/repos/{owner}/{repo}/" + endpoint, _pages(n))
            add(p, "/graphql", 1)
        elif p == "gitee":
            for endpoint, n in (("", 1), ("/contributors", 1), ("/forks", _pages(len(forks))),
                                ("/stargazers", _pages(len(stars))), ("/releases", _pages(len(repo.releases))),
                                ("/pulls", 1), ("/issues", 1)):
                add(p, "/repos/{owner}/{repo}" + endpoint, n)
        else:
            entries = len({c.author_email.lower() for c in commits})
            for endpoint, n in (("", 1), ("/repository/contributors", _pages(entries)), ("/forks", _pages(len(forks))),
                                ("/starrers", _pages(len(stars))), ("/releases", _pages(len(repo.releases))),
                                ("/merge_requests", 1), ("/issues", 1)):
                add(p, "/projects/{id}" + endpoint, n)
    orgs = {(o.platform, o.name.lower()) for fw in world.catalogue.frameworks.values() for o in fw.orgs}
    for (platform, login), ids in world.orgs.items():
        if (platform, login.lower()) in orgs:
            add(platform, "/orgs/{org}/repos" if platform != "gitlab" else "/groups/{id}/projects", _pages(len(ids)))
    github_repos = sorted((r for r in world.repos.values() if r.platform == "github" and r.files),
                          key=lambda r: (r.created_at, r.repo_id))
    for fw in world.catalogue.frameworks.values():
        for package in fw.pypi:
            for file_name in ("requirements.txt", "setup.py", "pyproject.toml"):
                found = [r for r in github_repos if file_name in r.files and _declares(r.files[file_name], package)]
                add("github", "/search/code", _pages(min(len(found), 1000)))
                profiles["github"] |= {r.owner_id for r in found[:1000]}
    add("github", "/graphql", math.ceil(len(profiles["github"]) / 100))
    add("gitee", "/users/{username}", len(profiles["gitee"]))
    add("gitlab", "/users/{id}", len(profiles["gitlab"]))
    for platform, endpoints in expected.items():
        assert summary["min_requests"][platform]["by_endpoint"] == endpoints, platform
        assert summary["min_requests"][platform]["total"] == sum(endpoints.values())
    assert summary["min_graphql_points"] == expected["github"]["/graphql"]
    assert expected["github"]["/repos/{owner}/{repo}"] == sum(1 for r in world.repos.values()
                                                              if r.tracked and r.platform == "github") + 2


def test_extra_files_are_consistent(advanced):
    world, out = advanced
    people = {int(r["person_id"]): r for r in rows(out / "people.csv")}
    assert len(people) == len(world.people)
    geography = rows(out / "contributor_geography.csv")
    vendor = {r["framework"]: r for r in rows(out / "vendor_share.csv")}
    for name in world.catalogue.frameworks:
        mine = [r for r in geography if r["framework"] == name]
        assert sum(int(r["commits"]) for r in mine) == int(vendor[name]["commits"])
        authors = {p for p, r in people.items() if name in r["frameworks"].split(";") and r["is_bot"] == "false"}
        assert sum(int(r["people"]) for r in mine) == len(authors) == int(vendor[name]["people"])
    hubs = {r["framework"]: r for r in rows(out / "china_hubs.csv")}
    assert 0 < float(hubs["PaddlePaddle"]["top3_share"]) <= 1 and 0 < float(hubs["PaddlePaddle"]["province_hhi"]) <= 1
    identities = rows(out / "identities.csv")
    assert {r["kind"] for r in identities} >= {"noreply_github", "vendor", "other"}
    for row in identities:
        if row["kind"] == "noreply_github" and row["github_account_id"]:
            assert row["email"].startswith(row["github_account_id"] + "+")
    names = {(r["platform"], r["catalogue_path"]): r for r in rows(out / "repository_names.csv")}
    assert names[("github", "Angel-ML/angel")]["full_name"] != "Angel-ML/angel"
    assert names[("github", "mindspore-ai/mindspore")]["mirror_of"] == "gitee:mindspore/mindspore"
    activity = rows(out / "activity.csv")
    assert {r["kind"] for r in activity} == {"pulls", "issues"}
    dependents = rows(out / "dependents.csv")
    assert all(r["findable"] == "true" for r in dependents)  # below the 1,000 cap at this scale
    monthly = rows(out / "adoption_monthly.csv")
    assert sum(int(r["new_forks"]) for r in monthly) == sum(
        int(r["forks"]) for r in rows(out / "frameworks.csv"))
