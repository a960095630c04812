"""Plain requests against the sandbox's Gitee v5: every page, Gitee's headers and shapes."""

from __future__ import annotations

import requests

from oss_miner.sandbox import derive
from oss_miner.sandbox.protocol import WorldView

from fixtures import GITEE_FORKS, GITEE_STARS

AUTH = {"access_token": "gitee-reader"}


def read_all(url: str, **params: object) -> tuple[list[dict], list[requests.Response]]:
    """Page through a Gitee list the way Gitee clients do: by total_page."""
    rows: list[dict] = []
    answers = []
    page = 1
    while True:
        answer = requests.get(url, params={**AUTH, "per_page": 10, "page": page, **params})
        assert answer.status_code == 200, answer.text
        answers.append(answer)
        rows += answer.json()
        if page >= int(answer.headers["total_page"]):
            return rows, answers
        page += 1


def test_repository_and_counts(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    repo = requests.get(f"{sandbox.urls['gitee']}/repos/paddlepaddle/Paddle", params=AUTH).json()
    assert repo["full_name"] == "paddlepaddle/Paddle" and repo["namespace"]["type"] == "group"
    assert repo["stargazers_count"] == GITEE_STARS and repo["forks_count"] == GITEE_FORKS
    assert repo["pushed_at"].endswith("+08:00") and repo["fork"] is False


def test_contributors_are_unpaged_identities(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = derive.contributors(shared_world, shared_world.repos[("gitee", 500)])
    answer = requests.get(f"{sandbox.urls['gitee']}/repos/paddlepaddle/Paddle/contributors",
                          params={**AUTH, "per_page": 1, "page": 2})
    rows = answer.json()
    assert len(rows) == len(truth)  # Gitee ignores paging here and sends everything
    assert set(rows[0]) == {"name", "email", "contributions"}
    assert sorted((r["email"], r["contributions"]) for r in rows) == sorted((e.email, e.contributions) for e in truth)


def test_forks_stargazers_releases_across_pages(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    base = f"{sandbox.urls['gitee']}/repos/paddlepaddle/Paddle"
    view = WorldView(shared_world)
    truth = shared_world.repos[("gitee", 500)]
    forks, answers = read_all(f"{base}/forks", sort="newest")
    assert [f["id"] for f in forks] == [f.fork_id for f in view.forks(truth)][::-1]
    assert answers[0].headers["total_count"] == str(GITEE_FORKS) and answers[0].headers["total_page"] == "3"
    assert "Link" not in answers[0].headers
    assert all(f["fork"] and f["parent"]["full_name"] == "paddlepaddle/Paddle" for f in forks)
    stars, _ = read_all(f"{base}/stargazers")
    assert len(stars) == GITEE_STARS and all(s["star_at"].endswith("+08:00") for s in stars)
    assert {s["id"] for s in stars} == {s.account_id for s in truth.stars}
    releases, _ = read_all(f"{base}/releases")
    assert [r["tag_name"] for r in releases] == ["v2.0.0"]


def test_pulls_and_issues_counted_from_one_item_pages(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    base = f"{sandbox.urls['gitee']}/repos/paddlepaddle/Paddle"
    truth = shared_world.repos[("gitee", 500)]
    pulls = requests.get(f"{base}/pulls", params={**AUTH, "state": "all", "per_page": 1})
    issues = requests.get(f"{base}/issues", params={**AUTH, "state": "all", "per_page": 1})
    assert int(pulls.headers["total_count"]) == sum(truth.pulls.values())
    assert int(issues.headers["total_count"]) == sum(truth.issues.values())
    merged = requests.get(f"{base}/pulls", params={**AUTH, "state": "merged", "per_page": 100}).json()
    assert len(merged) == truth.pulls["merged"] and all(p["merged_at"] for p in merged)
    assert issues.json()[0]["number"].startswith("I")


def test_users_have_no_location(sandbox) -> None:  # type: ignore[no-untyped-def]
    user = requests.get(f"{sandbox.urls['gitee']}/users/gitee-dev1", params=AUTH).json()
    assert user["login"] == "gitee-dev1" and "location" not in user and "company" not in user
    assert requests.get(f"{sandbox.urls['gitee']}/users/nobody-here", params=AUTH).status_code == 404
    org_repos = requests.get(f"{sandbox.urls['gitee']}/orgs/paddlepaddle/repos", params=AUTH).json()
    assert [r["full_name"] for r in org_repos] == ["paddlepaddle/Paddle"]
    me = requests.get(f"{sandbox.urls['gitee']}/user", params=AUTH).json()
    assert me["login"].startswith("token-")


def test_unknown_repository(sandbox) -> None:  # type: ignore[no-untyped-def]
    assert requests.get(f"{sandbox.urls['gitee']}/repos/nobody/nothing", params=AUTH).status_code == 404


def test_commits_of_the_default_branch(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = derive.default_branch_commits(shared_world.repos[("gitee", 500)])
    commits, _ = read_all(f"{sandbox.urls['gitee']}/repos/paddlepaddle/Paddle/commits")
    assert [c["sha"] for c in commits] == [c.sha for c in truth][::-1]
    assert commits[0]["commit"]["author"]["date"].endswith("+08:00")
