"""Unmodified PyGithub, requests and git against the sandbox's GitHub: every page, counts as the world says."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
import requests
from github import Auth, Github, GithubException

from oss_miner.sandbox import derive
from oss_miner.sandbox.protocol import WorldView

from fixtures import GITHUB_FORKS, GITHUB_STARS

TOKEN = {"Authorization": "token reader"}


@pytest.fixture(scope="module")
def gh(sandbox):  # type: ignore[no-untyped-def]
    return Github(base_url=sandbox.urls["github"], auth=Auth.Token("reader"), per_page=100,
                  seconds_between_requests=0, retry=None)


@pytest.fixture(scope="module")
def view(shared_world) -> WorldView:  # type: ignore[no-untyped-def]
    return WorldView(shared_world)


def test_repository_metadata(gh, shared_world, view) -> None:  # type: ignore[no-untyped-def]
    repo = gh.get_repo("PaddlePaddle/Paddle")
    truth = shared_world.repos[("github", 100)]
    assert repo.id == 100 and repo.full_name == "PaddlePaddle/Paddle"
    assert repo.stargazers_count == len(view.stars(truth)) == GITHUB_STARS  # the deleted account's star is gone
    assert repo.forks_count == len(view.forks(truth)) == GITHUB_FORKS  # deleted fork and deleted owner's fork are gone
    assert repo.default_branch == truth.default_branch
    assert "synthetic" in repo.description
    assert repo.owner.login == "PaddlePaddle" and repo.organization.login == "PaddlePaddle"
    assert repo.clone_url.startswith("file://")


def test_every_contributor_with_and_without_anonymous(gh, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("github", 100)]
    entries = derive.contributors(shared_world, truth)
    linked = [e for e in entries if e.account_id is not None]
    repo = gh.get_repo("PaddlePaddle/Paddle")
    everyone = list(repo.get_contributors(anon="true"))
    accounts = list(repo.get_contributors())
    assert len(everyone) == len(entries)
    assert len(accounts) == len(linked) > 0
    assert {u.login for u in accounts} == {shared_world.accounts[("github", e.account_id)].login for e in linked}
    assert len(entries) - len(linked) > 0  # more than 500 author emails: the rest are anonymous
    assert sum(u.contributions for u in everyone) == sum(e.contributions for e in entries)
    counts = [u.contributions for u in everyone]
    assert counts == sorted(counts, reverse=True)


def test_anonymous_contributor_shape(sandbox) -> None:  # type: ignore[no-untyped-def]
    url = f"{sandbox.urls['github']}/repos/PaddlePaddle/Paddle/contributors?anon=1&per_page=100"
    rows: list[dict] = []
    while url:
        answer = requests.get(url, headers=TOKEN)
        rows += answer.json()
        url = answer.links.get("next", {}).get("url")
    anonymous = [r for r in rows if r.get("type") == "Anonymous"]
    assert anonymous and set(anonymous[0]) == {"email", "name", "type", "contributions"}


def test_every_stargazer_with_dates_and_every_fork(gh, shared_world, view) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("github", 100)]
    repo = gh.get_repo("PaddlePaddle/Paddle")
    stars = list(repo.get_stargazers_with_dates())
    assert [s.user.id for s in stars] == [s.account_id for s in view.stars(truth)]
    assert all(s.starred_at is not None for s in stars)
    plain = list(repo.get_stargazers())
    assert len(plain) == GITHUB_STARS
    newest = list(repo.get_forks())
    assert [f.id for f in newest] == [f.fork_id for f in view.forks(truth)][::-1]
    oldest = requests.get(f"{sandbox_url(gh)}/repos/PaddlePaddle/Paddle/forks", params={"sort": "oldest", "per_page": 5},
                          headers=TOKEN).json()
    assert [f["id"] for f in oldest] == [f.fork_id for f in view.forks(truth)][:5]
    assert all(f["fork"] for f in oldest)
    by_stars = requests.get(f"{sandbox_url(gh)}/repos/PaddlePaddle/Paddle/forks",
                            params={"sort": "stargazers", "per_page": 100}, headers=TOKEN).json()
    assert [f["stargazers_count"] for f in by_stars] == sorted((f["stargazers_count"] for f in by_stars), reverse=True)


def sandbox_url(gh: Github) -> str:
    return gh.requester.base_url


def test_releases_pulls_issues(gh, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("github", 100)]
    repo = gh.get_repo("PaddlePaddle/Paddle")
    assert [r.tag_name for r in repo.get_releases()] == ["v2.2.0", "v2.1.0", "v2.0.0"]
    pulls = list(repo.get_pulls(state="all"))
    assert len(pulls) == sum(truth.pulls.values())
    assert sum(1 for p in pulls if p.merged) == truth.pulls["merged"]
    assert repo.get_pulls(state="open").totalCount == truth.pulls["open"]
    issues = list(repo.get_issues(state="all"))  # GitHub's issues list includes pull requests
    assert len(issues) == sum(truth.pulls.values()) + sum(truth.issues.values())
    assert sum(1 for i in issues if "/pull/" not in i.html_url) == sum(truth.issues.values())
    single = repo.get_issue(issues[-1].number)  # GET /issues/{number}, as lazy PyGithub objects complete
    assert single.title == issues[-1].title
    assert repo.get_pull(pulls[0].number).merged == pulls[0].merged


def test_commits_of_the_default_branch(gh, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = derive.default_branch_commits(shared_world.repos[("github", 100)])
    commits = list(gh.get_repo("PaddlePaddle/Paddle").get_commits())
    assert [c.sha for c in commits] == [c.sha for c in truth][::-1]
    assert commits[-1].commit.author.email == truth[0].author_email
    assert commits[0].author is not None  # linked by verified email
    empty = requests.get(f"{sandbox_url(gh)}/repos/PaddlePaddle/PaddleEmpty/commits", headers=TOKEN)
    assert empty.status_code == 409


def test_profiles_orgs_and_the_authenticated_account(gh, shared_world) -> None:  # type: ignore[no-untyped-def]
    user = gh.get_user("gh-dev3")
    assert user.location == "北京市海淀区" and user.company == "@baidu" and user.type == "User"
    assert gh.get_user("gh-dev4").bio.startswith("<script>")
    org = gh.get_organization("PaddlePaddle")
    assert {r.full_name for r in org.get_repos()} == {"PaddlePaddle/Paddle", "PaddlePaddle/PaddleHuge",
                                                       "PaddlePaddle/PaddleEmpty", "PaddlePaddle/PaddleNew"}
    assert gh.get_user().login.startswith("token-")
    with pytest.raises(GithubException) as gone:
        gh.get_user("gone-dev")
    assert gone.value.status == 404
    assert gh.get_user("paddle-bot[bot]").type == "Bot"


def test_renamed_empty_huge_and_page_limits(gh, sandbox) -> None:  # type: ignore[no-untyped-def]
    base = sandbox.urls["github"]
    moved = requests.get(f"{base}/repos/PaddlePaddle/PaddleOld/stargazers?per_page=3", headers=TOKEN,
                         allow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"{base}/repos/PaddlePaddle/PaddleNew/stargazers?per_page=3"
    assert requests.get(f"{base}/repositories/103", headers=TOKEN).json()["full_name"] == "PaddlePaddle/PaddleNew"
    followed = requests.get(f"{base}/repos/PaddlePaddle/PaddleOld/stargazers?per_page=3", headers=TOKEN)
    assert followed.status_code == 200 and len(followed.json()) == 3
    assert gh.get_repo("PaddlePaddle/PaddleOld").full_name == "PaddlePaddle/PaddleNew"  # PyGithub follows 301
    empty = requests.get(f"{base}/repos/PaddlePaddle/PaddleEmpty/contributors", headers=TOKEN)
    assert empty.status_code == 204 and empty.content == b""
    huge = requests.get(f"{base}/repos/PaddlePaddle/PaddleHuge/contributors", headers=TOKEN)
    assert huge.status_code == 403 and "too large" in huge.json()["message"]
    too_far = requests.get(f"{base}/repos/PaddlePaddle/Paddle/stargazers?page=401&per_page=1", headers=TOKEN)
    assert too_far.status_code == 422
    last_page = requests.get(f"{base}/repos/PaddlePaddle/Paddle/stargazers?page=1&per_page=1", headers=TOKEN)
    assert 'page=400&per_page=1>; rel="last"' in last_page.headers["Link"]
    assert requests.get(f"{base}/repos/nobody/nothing", headers=TOKEN).status_code == 404


def test_code_search(gh, shared_world) -> None:  # type: ignore[no-untyped-def]
    found = gh.search_code('"paddlepaddle" filename:requirements.txt')
    items = list(found)
    truth = derive.code_search(shared_world, "paddlepaddle", "requirements.txt")
    assert found.totalCount == len(items) == truth.total_count == 8  # PEP 503 names: paddlepaddle-gpu is another
    assert [(i.repository.full_name, i.path) for i in items] == [(r.full_name, p) for r, p in truth.items]
    assert gh.search_code("paddlepaddle-gpu filename:requirements.txt").totalCount == 4
    setup = list(gh.search_code("paddlepaddle filename:setup.py"))
    assert {i.path for i in setup} == {"setup.py"} and len(setup) == 3
    assert gh.search_code("paddlepaddle").totalCount == 8 + 3  # every manifest file
    assert gh.search_code("paddlepaddle user:gh-dev1").totalCount == 1
    assert gh.search_code("torch filename:requirements.txt").totalCount == 1
    assert gh.search_code("paddlepaddle size:<0").totalCount == 0


def test_code_search_needs_a_token(sandbox) -> None:  # type: ignore[no-untyped-def]
    answer = requests.get(f"{sandbox.urls['github']}/search/code", params={"q": "paddlepaddle"})
    assert answer.status_code == 401


def test_git_clone_of_a_tracked_repository(gh, shared_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clone_url = gh.get_repo("PaddlePaddle/Paddle").clone_url
    target = tmp_path / "paddle.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", "--filter=tree:0", clone_url, str(target)], check=True,
                   capture_output=True)
    log = subprocess.run(["git", "-C", str(target), "log", "--format=%ae %ad", "--date=iso-strict"],
                         capture_output=True, check=True, text=True).stdout.splitlines()
    truth = derive.default_branch_commits(shared_world.repos[("github", 100)])
    assert len(log) == len(truth)
    assert log[-1].endswith("+08:00")  # the first author's UTC offset survives


# ------------------------------------------------------------------------------------------ GraphQL

def graphql(sandbox, query: str, variables: dict | None = None, token: str = "reader") -> dict:  # type: ignore[no-untyped-def]
    answer = requests.post(sandbox.urls["github_graphql"], json={"query": query, "variables": variables or {}},
                           headers={"Authorization": f"bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_graphql_user_batches(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    logins = [f"driveby{i}" for i in range(100)]
    fields = "databaseId login name location company websiteUrl createdAt"
    query = "query {" + " ".join(f'u{i}: user(login: "{login}") {{ {fields} }}' for i, login in enumerate(logins))
    query += " rateLimit { cost remaining } }"
    body = graphql(sandbox, query)
    assert "errors" not in body
    assert [body["data"][f"u{i}"]["login"] for i in range(100)] == logins
    assert body["data"]["rateLimit"]["cost"] == 1
    missing = graphql(sandbox, '{ a: user(login: "gh-dev1") { login } b: user(login: "nobody-here") { login } '
                               'c: user(login: "PaddlePaddle") { login } }')
    assert missing["data"] == {"a": {"login": "gh-dev1"}, "b": None, "c": None}
    assert {e["type"] for e in missing["errors"]} == {"NOT_FOUND"}
    scoped = graphql(sandbox, '{ user(login: "gh-dev1") { login email } }')
    assert scoped["data"]["user"] is None and scoped["errors"][0]["type"] == "INSUFFICIENT_SCOPES"


def test_graphql_stargazers_and_forks_newest_first_with_cursors(sandbox, shared_world, view) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("github", 100)]
    query = """query($after: String) { repository(owner: "PaddlePaddle", name: "Paddle") {
      stargazers(first: 100, after: $after, orderBy: {field: STARRED_AT, direction: DESC}) {
        totalCount pageInfo { hasNextPage endCursor } edges { starredAt node { databaseId } } } } }"""
    seen, after = [], None
    while True:
        page = graphql(sandbox, query, {"after": after})["data"]["repository"]["stargazers"]
        seen += [e["node"]["databaseId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [s.account_id for s in view.stars(truth)][::-1]
    forks_query = """query($after: String) { repository(owner: "PaddlePaddle", name: "Paddle") {
      forkCount forks(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
        pageInfo { hasNextPage endCursor } nodes { id databaseId pushedAt owner { login ... on User { databaseId } } } } } }"""
    forks, after = [], None
    while True:
        page = graphql(sandbox, forks_query, {"after": after})["data"]["repository"]["forks"]
        forks += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [f["databaseId"] for f in forks] == [f.fork_id for f in view.forks(truth)][::-1]
    # refreshing forks' activity by global id, 100 at a time
    ids = [f["id"] for f in forks[:100]]
    nodes = graphql(sandbox, "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { databaseId pushedAt } } }",
                    {"ids": ids})["data"]["nodes"]
    assert [n["pushedAt"] for n in nodes] == [f["pushedAt"] for f in forks[:100]]
    assert base64.b64decode(ids[0]).decode().startswith("010:Repository")


def test_graphql_counts_history_and_errors(sandbox, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("github", 100)]
    body = graphql(sandbox, """{ repository(owner: "PaddlePaddle", name: "Paddle") {
        databaseId stargazerCount forkCount owner { login ... on Organization { databaseId } }
        open: pullRequests(states: OPEN) { totalCount } merged: pullRequests(states: [MERGED]) { totalCount }
        allPulls: pullRequests { totalCount } issues(states: [OPEN, CLOSED]) { totalCount }
        releases { totalCount }
        defaultBranchRef { name target { ... on Commit { history(first: 5) { totalCount
          nodes { oid authoredDate author { email user { login } } } } } } } } }""")["data"]["repository"]
    assert body["open"]["totalCount"] == truth.pulls["open"] and body["merged"]["totalCount"] == truth.pulls["merged"]
    assert body["allPulls"]["totalCount"] == sum(truth.pulls.values())
    assert body["issues"]["totalCount"] == sum(truth.issues.values())
    assert body["releases"]["totalCount"] == 3 and body["owner"]["databaseId"] == 900
    history = body["defaultBranchRef"]["target"]["history"]
    assert history["totalCount"] == len(derive.default_branch_commits(truth))
    assert history["nodes"][0]["authoredDate"].endswith("-05:00")  # newest: a drive-by committer in UTC-5
    no_first = graphql(sandbox, '{ repository(owner: "PaddlePaddle", name: "Paddle") { stargazers { nodes { login } } } }')
    assert no_first["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    too_many = graphql(sandbox, '{ repository(owner: "PaddlePaddle", name: "Paddle") { stargazers(first: 101) { totalCount } } }')
    assert too_many["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    renamed = graphql(sandbox, '{ repository(owner: "PaddlePaddle", name: "PaddleOld") { nameWithOwner } }')
    assert renamed["data"]["repository"]["nameWithOwner"] == "PaddlePaddle/PaddleNew"


def test_graphql_cost_follows_connection_sizes(sandbox) -> None:  # type: ignore[no-untyped-def]
    nested = graphql(sandbox, """{ repository(owner: "PaddlePaddle", name: "Paddle") {
        forks(first: 100) { nodes { stargazers(first: 100) { totalCount } } } } rateLimit { cost } }""")
    assert nested["data"]["rateLimit"]["cost"] == 1  # (1 + 100) / 100, rounded
    heavy = graphql(sandbox, """{ repository(owner: "PaddlePaddle", name: "Paddle") {
        forks(first: 100) { nodes { forks(first: 100) { nodes { stargazers(first: 10) { totalCount } } } } } }
        rateLimit { cost } }""")
    assert heavy["data"]["rateLimit"]["cost"] == round((1 + 100 + 100 * 100) / 100)


def test_graphql_needs_a_token(sandbox) -> None:  # type: ignore[no-untyped-def]
    assert requests.post(sandbox.urls["github_graphql"], json={"query": "{ viewer { login } }"}).status_code == 401
    viewer = graphql(sandbox, "{ viewer { login } }", token="someone")
    assert viewer["data"]["viewer"]["login"].startswith("token-")
