"""Over a built world, what the unmodified clients read equals what the truth files say."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import gitlab
import pytest
import requests
from fixtures import AS_OF
from github import Auth, Github

from oss_miner.sandbox import derive
from oss_miner.sandbox.protocol import node_id
from oss_miner.sandbox.server import PREFIX, SandboxOptions, SandboxServer
from oss_miner.sandbox.truth import write_truth

GH = {"Authorization": "token truth"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with SandboxServer(SandboxOptions(seed=5, scale=0.05, as_of=AS_OF, code_search_limit=None)) as server:
        out = tmp_path_factory.mktemp("truth")
        write_truth(server.world, out)
        yield server, out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def gitee_all(url: str) -> list[dict]:
    rows, page = [], 1
    while True:
        answer = requests.get(url, params={"access_token": "truth", "per_page": 100, "page": page})
        assert answer.status_code == 200, answer.text
        rows += answer.json()
        if page >= int(answer.headers.get("total_page", 1)):
            return rows
        page += 1


def github_counts(gh: Github, base: str, name: str) -> tuple[int | None, int, int, int]:
    repo = gh.get_repo(name)  # the catalogue's (possibly old) name: PyGithub follows the 301
    answer = requests.get(f"{base}/repos/{repo.full_name}/contributors", params={"anon": 1, "per_page": 100}, headers=GH)
    if answer.status_code == 403:
        contributors = None
    elif answer.status_code == 204:
        contributors = 0
    else:
        contributors = len(list(repo.get_contributors(anon="true")))
    return (contributors, len(list(repo.get_forks())), len(list(repo.get_stargazers_with_dates())),
            len(list(repo.get_releases())))


def test_repositories_read_over_http_equal_the_truth(built) -> None:  # type: ignore[no-untyped-def]
    server, out = built
    gh = Github(base_url=server.urls["github"], auth=Auth.Token("truth"), per_page=100, seconds_between_requests=0,
                retry=None)
    gl = gitlab.Gitlab(url=server.urls["gitlab"], private_token="truth", per_page=100)
    for row in read_csv(out / "repositories.csv"):
        expected = (int(row["contributors"]) if row["contributors"] else None, int(row["forks"]),
                    int(row["stargazers"]), int(row["releases"]))
        name = row["full_name"]
        if row["platform"] == "github":
            got = github_counts(gh, server.urls["github"], name)
        elif row["platform"] == "gitee":
            base = f"{server.urls['gitee']}/repos/{name}"
            contributors = requests.get(f"{base}/contributors", params={"access_token": "truth"}).json()
            got = (len(contributors), len(gitee_all(f"{base}/forks")), len(gitee_all(f"{base}/stargazers")),
                   len(gitee_all(f"{base}/releases")))
        else:
            project = gl.projects.get(name)
            got = (len(project.repository_contributors(get_all=True)), len(project.forks.list(get_all=True)),
                   len(gl.http_list(f"/projects/{project.id}/starrers", get_all=True)),
                   len(project.releases.list(get_all=True)))
        assert got == expected, (row["platform"], name)


def test_every_live_account_has_a_profile(built) -> None:  # type: ignore[no-untyped-def]
    server, out = built
    accounts = read_csv(out / "accounts.csv")
    world = server.world
    github = [a for a in accounts if a["platform"] == "github"]
    kinds = {a["account_id"]: world.accounts[("github", int(a["account_id"]))].type for a in github}
    for start in range(0, len(github), 100):
        batch = github[start:start + 100]
        ids = [node_id(kinds[a["account_id"]], int(a["account_id"])) for a in batch]
        answer = requests.post(server.urls["github_graphql"], headers=GH, json={
            "query": "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Actor { login } } }", "variables": {"ids": ids}})
        assert [n["login"] for n in answer.json()["data"]["nodes"]] == [a["login"] for a in batch]
    for account in (a for a in accounts if a["platform"] == "gitee"):
        answer = requests.get(f"{server.urls['gitee']}/users/{account['login']}", params={"access_token": "truth"})
        assert answer.status_code == 200 and answer.json()["id"] == int(account["account_id"])
    for account in (a for a in accounts if a["platform"] == "gitlab"):
        kind = "groups" if world.accounts[("gitlab", int(account["account_id"]))].type == "Organization" else "users"
        answer = requests.get(f"{server.urls['gitlab']}/api/v4/{kind}/{account['account_id']}",
                              headers={"PRIVATE-TOKEN": "truth"})
        assert answer.status_code == 200 and answer.json()["id"] == int(account["account_id"])
    deleted = [a for a in world.accounts.values() if a.deleted]
    assert all(requests.get(f"{server.urls['github']}/users/{a.login}", headers=GH).status_code == 404
               for a in deleted if a.platform == "github")


def test_code_search_reaches_the_findable_dependents(built) -> None:  # type: ignore[no-untyped-def]
    server, out = built
    findable = {row["framework"]: int(row["dependents_findable"]) for row in read_csv(out / "frameworks.csv")}
    reached: dict[str, set[int]] = {}
    for framework, package, path in derive.search_queries(server.world):
        url = f"{server.urls['github']}/search/code"
        params = {"q": f"{package} filename:{path}", "per_page": 100}
        while url:
            answer = requests.get(url, params=params, headers=GH)
            assert answer.status_code == 200, answer.text
            reached.setdefault(framework, set()).update(i["repository"]["id"] for i in answer.json()["items"])
            url, params = answer.links.get("next", {}).get("url"), None
    assert sum(findable.values()) > 0
    assert {f: len(ids) for f, ids in reached.items() if ids} == {f: n for f, n in findable.items() if n}


def test_the_truth_counts_requests_under_the_templates_the_stats_use(built) -> None:  # type: ignore[no-untyped-def]
    server, out = built
    summary = json.loads((out / "summary.json").read_text())
    templates = {platform: {route.path[len(prefix):] for route in server.app.platform_routes[platform]}
                 for platform, prefix in PREFIX.items()}
    for platform, part in summary["min_requests"].items():
        assert set(part["by_endpoint"]) <= templates[platform], platform
