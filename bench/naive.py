"""The straightforward scripts oss-miner is measured against: the same entities, collected the way the
clients' documentation shows, one plain loop per platform, no caching between runs.

- GitHub with PyGithub: each repository, its contributors (anon), forks, stargazers with dates, releases,
  pull and issue counts (`totalCount`), the organisations' repositories, code search for the packages'
  manifests (the first 1,000 results a query, PyGithub's cap), and every profile with its own
  `g.get_user(login)`. `seconds_between_requests=0`: PyGithub's default 0.25 s pause would make the script
  take hours at scale 10 without changing how many requests it sends.
- GitLab with python-gitlab: `gl.projects.get`, the documented list calls with `get_all=True`, starrers
  through `gl.http_list` (python-gitlab has no manager for them), counts from `iterator=True` lists' `total`,
  and every fork owner's and starrer's profile with `gl.users.get(id)` (a fork without `owner` is looked up by
  its namespace path with `gl.users.list(username=...)`, as oss-miner does).
- Gitee with requests: `page`/`per_page` loops until a short page, counts from `total_count`, and
  `GET /users/{login}` per account.

Each profile is read once per script (logins are de-duplicated), which is the fair reading of "every
profile with its own request". The scripts return how many items they collected, to show they did the work.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

from oss_miner.config import Catalogue

MANIFESTS = ("requirements.txt", "setup.py", "pyproject.toml")
PER_PAGE = 100


def _repos(catalogue: Catalogue, platform: str) -> list[str]:
    return [repo.path for _, repo in catalogue.tracked_repos() if repo.platform == platform]


def _orgs(catalogue: Catalogue, platform: str) -> list[str]:
    return sorted({o.name for fw in catalogue.frameworks.values() for o in fw.orgs if o.platform == platform})


def _packages(catalogue: Catalogue) -> list[str]:
    return [p for fw in catalogue.frameworks.values() for p in fw.pypi]


# -- GitHub ---------------------------------------------------------------------------------------

def github(catalogue: Catalogue, base_url: str, token: str) -> Counter:
    from github import Auth, Github, GithubException

    g = Github(auth=Auth.Token(token), base_url=base_url, per_page=PER_PAGE, seconds_between_requests=0,
               seconds_between_writes=0)
    got: Counter = Counter()
    logins: set[str] = set()
    for path in _repos(catalogue, "github"):
        try:
            repo = g.get_repo(path)
        except GithubException:
            got["missing repositories"] += 1
            continue
        got["repositories"] += 1
        listings = {
            "contributors": lambda: [c.login for c in repo.get_contributors(anon="true") if c.type != "Anonymous"],
            "forks": lambda: [f.owner.login for f in repo.get_forks()],
            "stargazers": lambda: [s.user.login for s in repo.get_stargazers_with_dates()],
            "releases": lambda: [r.tag_name for r in repo.get_releases()],
        }
        for name, listing in listings.items():
            try:
                items = listing()
            except GithubException:  # a contributor list too large to list, an empty repository
                got[f"{name} refused"] += 1
                continue
            got[name] += len(items)
            if name != "releases":
                logins.update(items)
        got["pulls"] += repo.get_pulls(state="all").totalCount
        got["issues"] += repo.get_issues(state="all").totalCount
    for org in _orgs(catalogue, "github"):
        got["org repositories"] += len(list(g.get_organization(org).get_repos()))
    for package in _packages(catalogue):
        for manifest in MANIFESTS:
            for hit in g.search_code(f"{package} in:file filename:{manifest}"):
                got["dependents"] += 1
                logins.add(hit.repository.owner.login)
    for login in sorted(logins):
        try:
            g.get_user(login).location
            got["profiles"] += 1
        except GithubException:
            got["profiles missing"] += 1
    return got


# -- GitLab ---------------------------------------------------------------------------------------

def gitlab(catalogue: Catalogue, url: str, token: str) -> Counter:
    import gitlab as python_gitlab

    gl = python_gitlab.Gitlab(url, private_token=token, per_page=PER_PAGE)
    got: Counter = Counter()
    user_ids: set[int] = set()
    for path in _repos(catalogue, "gitlab"):
        try:
            project = gl.projects.get(path)
        except python_gitlab.GitlabError:
            got["missing projects"] += 1
            continue
        got["repositories"] += 1
        try:
            got["contributors"] += len(project.repository_contributors(get_all=True, per_page=PER_PAGE))
        except python_gitlab.GitlabError:
            got["contributors refused"] += 1
        forks = project.forks.list(get_all=True)
        got["forks"] += len(forks)
        user_ids |= {_fork_owner(gl, f) for f in forks if f.namespace.get("kind") == "user"} - {None}
        starrers = gl.http_list(f"/projects/{project.id}/starrers", get_all=True)
        got["stargazers"] += len(starrers)
        user_ids |= {s["user"]["id"] for s in starrers}
        got["releases"] += len(project.releases.list(get_all=True))
        got["merge requests"] += project.mergerequests.list(state="all", iterator=True).total or 0
        got["issues"] += project.issues.list(state="all", iterator=True).total or 0
    for group in _orgs(catalogue, "gitlab"):
        got["org repositories"] += len(gl.groups.get(group).projects.list(get_all=True))
    for user_id in sorted(user_ids):
        try:
            gl.users.get(user_id)
            got["profiles"] += 1
        except python_gitlab.GitlabError:
            got["profiles missing"] += 1
    return got


def _fork_owner(gl: Any, fork: Any) -> int | None:
    """A personal fork's owner: `owner`, which GitLab includes for projects in a user namespace, else the
    user of that namespace's path (a namespace id is not a user id)."""
    owner = getattr(fork, "owner", None)
    if owner:
        return owner["id"]
    found = gl.users.list(username=fork.namespace["path"])
    return found[0].id if found else None


# -- Gitee ----------------------------------------------------------------------------------------

def _gitee_list(session: requests.Session, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = session.get(url, params={"page": page, "per_page": PER_PAGE}, timeout=60)
        answer.raise_for_status()
        batch = answer.json()
        items += batch
        if len(batch) < PER_PAGE:
            return items
        page += 1


def _gitee_total(session: requests.Session, url: str) -> int:
    answer = session.get(url, params={"state": "all", "page": 1, "per_page": 1}, timeout=60)
    answer.raise_for_status()
    return int(answer.headers.get("total_count", 0))


def gitee(catalogue: Catalogue, base_url: str, token: str) -> Counter:
    session = requests.Session()
    session.params = {"access_token": token}  # type: ignore[assignment]
    got: Counter = Counter()
    logins: set[str] = set()
    for path in _repos(catalogue, "gitee"):
        repo_url = f"{base_url}/repos/{path}"
        if not session.get(repo_url, timeout=60).ok:
            got["missing repositories"] += 1
            continue
        got["repositories"] += 1
        contributors = session.get(f"{repo_url}/contributors", timeout=60)
        got["contributors"] += len(contributors.json()) if contributors.ok else 0
        forks = _gitee_list(session, f"{repo_url}/forks")
        got["forks"] += len(forks)
        logins |= {f["owner"]["login"] for f in forks}
        stars = _gitee_list(session, f"{repo_url}/stargazers")
        got["stargazers"] += len(stars)
        logins |= {s["login"] for s in stars}
        got["releases"] += len(_gitee_list(session, f"{repo_url}/releases"))
        got["pulls"] += _gitee_total(session, f"{repo_url}/pulls")
        got["issues"] += _gitee_total(session, f"{repo_url}/issues")
    for org in _orgs(catalogue, "gitee"):
        got["org repositories"] += len(_gitee_list(session, f"{base_url}/orgs/{org}/repos"))
    for login in sorted(logins):
        ok = session.get(f"{base_url}/users/{login}", timeout=60).ok
        got["profiles" if ok else "profiles missing"] += 1
    return got


SCRIPTS = {"github": github, "gitee": gitee, "gitlab": gitlab}


def run(platform: str, catalogue: Catalogue, urls: dict[str, str], token: str) -> Counter:
    """The straightforward script of one platform against the forge at `urls` (sandbox URL names)."""
    return SCRIPTS[platform](catalogue, urls[platform], token)
