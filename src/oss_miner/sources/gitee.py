"""Gitee (gitee.com/api/v5, or any server speaking it): one fetch method per entity kind.

Requests go through a `HostPinnedSession` that adds the `access_token` query parameter itself, only for
the configured host, so the token is in no URL this module builds, no landed page and no log line.

What Gitee really returns, and what follows from it:
- contributors are `{name, email, contributions}` with no account and no paging: they land as
  `kind = "email"` contributors (email domain + keyed hash, name hash), never as accounts to fetch;
- users have no `location` field (location stays None; geography comes from other evidence);
- there is no user-by-id endpoint: `fetch_accounts` asks `/users/{login}` with the login that this run's
  landed forks and stargazers carry for the id (or the kept profile); an id with no known login is
  recorded as a `skipped` finding;
- every timestamp is rendered in Beijing time (+08:00), commit dates included: the instant is right but the
  offset is Gitee's, not the author's, so commits from the commits API land their UTC time with NULL
  offsets (a +08:00 for everyone would be invented evidence of China; clones keep the real offsets);
- pagination headers are `total_count` and `total_page`; forks can be sorted newest first (so an
  incremental listing stops at the first known fork), stargazers (with `star_at`) cannot;
- the rate-limit answer is undocumented: a 403 whose body mentions a limit is treated like a 429.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

from oss_miner.config import RepoRef
from oss_miner.landing import Page
from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext
from oss_miner.sources.http import (
    Answer, BadPayload, HostPinnedSession, RestSource, answer_of, as_bool, as_dict, as_int, as_list, as_str,
    as_time, transport_policy, website_host,
)

def _owner(data: dict) -> tuple[int | None, str | None, str | None]:
    """(id, login, type) of the account owning a repository: `owner`, else the namespace."""
    owner = as_dict(data.get("owner"))
    if owner.get("id") is not None:
        kind = as_str(owner.get("type")) or "User"
        return as_int(owner.get("id")), as_str(owner.get("login")), kind
    namespace = as_dict(data.get("namespace"))
    kind = "User" if namespace.get("type") == "personal" else "Organization"
    return as_int(namespace.get("id")), as_str(namespace.get("path")), kind if namespace else None


def _web_url(value: object) -> str | None:
    text = as_str(value, 1000)
    return text[:-4] if text and text.endswith(".git") else text


def _clone_url(data: dict) -> str | None:
    explicit = as_str(data.get("clone_url"), 1000)
    if explicit:
        return explicit
    html = as_str(data.get("html_url"), 1000)
    if not html:
        return None
    return html if html.endswith(".git") else f"{html}.git"


class GiteeSource(RestSource):
    dialect = "gitee"
    ordered_listings = frozenset({"forks"})
    profile_template = "/users/{login}"

    def __init__(self, ctx: ExtractContext, platform: str | None = None, *, timeout_s: float | None = None):
        super().__init__(ctx, platform)
        self.base_url = self.instance.url.rstrip("/")
        self.session = HostPinnedSession(
            self.base_url, platform=self.platform,
            tokens=[t.get_secret_value() for t in ctx.credentials.for_platform(self.platform)],
            token_param="access_token", stats=self.stats, redactor=ctx.redactor,
            policy=transport_policy(timeout_s), follow_other_hosts=False,
        )
        self._logins: dict[int, str] | None = None

    # -- transport ---------------------------------------------------------------------------------
    def _get(self, template: str, path: str, query: dict, etag: str | None) -> Answer:
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        with self.session.endpoint(template):
            response = self.session.get(self.base_url + path, params=query, headers=headers)
        answer = answer_of(response, base_path=_path_of(self.base_url))
        self.stats.budget(as_int(response.headers.get("X-RateLimit-Remaining")))
        return answer

    def _next(self, answer: Answer, query: dict) -> str | None:
        page = as_int(query.get("page")) or 1
        last = as_int(answer.headers.get("total_page"))
        if last is not None:
            return f"page={page + 1}" if page < last else None
        items = answer.data if isinstance(answer.data, list) else []
        return f"page={page + 1}" if len(items) >= int(query.get("per_page") or self.per_page) else None

    def _repo_path(self, repo: RepoRef) -> str:
        """URL path of the repository: its current name once the run has seen it (renamed: no 301 each time)."""
        record = self._repos.get(repo.path)
        full_name = (record or {}).get("full_name") or repo.path
        owner, _, name = full_name.partition("/")
        return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"

    # -- repository --------------------------------------------------------------------------------
    def _repository_page(self, repo: RepoRef) -> Page:
        page = self._page("repositories", "/repos/{owner}/{repo}", {"repo": repo.path}, self._repo_path(repo), {},
                          lambda a: [self._repository_record(repo, as_dict(a.data))], repo=repo.path)
        return self._remember(repo, page)

    def _repository_record(self, repo: RepoRef, data: dict) -> dict:
        if not data.get("id"):
            raise BadPayload("repository answer without an id")
        owner_id, owner_login, owner_type = _owner(data)
        parent = as_dict(data.get("parent"))
        return empty_record(
            "repositories", platform=self.platform, repo=repo.path, repo_id=as_int(data.get("id")),
            full_name=as_str(data.get("full_name")), description=as_str(data.get("description")),
            html_url=_web_url(data.get("html_url")), clone_url=_clone_url(data),
            default_branch=as_str(data.get("default_branch")), is_fork=as_bool(data.get("fork")),
            parent_full_name=as_str(parent.get("full_name")), is_mirror=None, mirror_url=None,
            stars=as_int(data.get("stargazers_count")), forks=as_int(data.get("forks_count")),
            watchers=as_int(data.get("watchers_count")), open_issues=as_int(data.get("open_issues_count")),
            size_kb=as_int(data.get("size")), created_at=as_time(data.get("created_at")),
            updated_at=as_time(data.get("updated_at")), pushed_at=as_time(data.get("pushed_at")),
            archived=as_bool(data.get("archived")), owner_id=owner_id, owner_login=owner_login,
            owner_type=owner_type, language=as_str(data.get("language")), license=_license(data.get("license")),
        )

    # -- lists of one repository ---------------------------------------------------------------------
    def fetch_contributors(self, repo: RepoRef) -> Iterator[Page]:
        if self._repository(repo) is None:
            return
        yield self._page("contributors", "/repos/{owner}/{repo}/contributors", {"repo": repo.path},
                         self._repo_path(repo) + "/contributors", {},
                         lambda a: [self._email_contributor(repo, c.get("name"), c.get("email"), c.get("contributions"))
                                    for c in as_list(a.data)], repo=repo.path, follows_pushes_of=repo)

    def fetch_releases(self, repo: RepoRef) -> Iterator[Page]:
        if self._repository(repo) is None:
            return
        yield from self._walk("releases", "/repos/{owner}/{repo}/releases", {"repo": repo.path},
                              self._repo_path(repo) + "/releases", {}, lambda a: [self._release(repo, r) for r in as_list(a.data)],
                              repo=repo.path)

    def _release(self, repo: RepoRef, data: dict) -> dict:
        return empty_record(
            "releases", platform=self.platform, repo=repo.path, release_id=as_int(data.get("id")),
            tag_name=as_str(data.get("tag_name")), name=as_str(data.get("name")),
            created_at=as_time(data.get("created_at")), published_at=as_time(data.get("published_at")),
            prerelease=as_bool(data.get("prerelease")),
        )

    def fetch_activity(self, repo: RepoRef) -> Iterator[Page]:
        """Pull requests and issues of every state, from the `total_count` header of one-item pages."""
        if self._repository(repo) is None:
            return
        for kind, endpoint in (("pull_requests", "pulls"), ("issues", "issues")):
            template = f"/repos/{{owner}}/{{repo}}/{endpoint}"
            query = {"state": "all", "per_page": 1, "page": 1}
            yield self._page("activity", template, {"repo": repo.path, **query}, f"{self._repo_path(repo)}/{endpoint}",
                             query, lambda a, kind=kind: self._activity(repo, kind, a), repo=repo.path)

    def _activity(self, repo: RepoRef, kind: str, answer: Answer) -> list[dict]:
        count = as_int(answer.headers.get("total_count"))
        if count is None:  # no header: a one-item page says only whether there is any
            count = len(as_list(answer.data))
        return [empty_record("activity", platform=self.platform, repo=repo.path, kind=kind, state="all", count=count)]

    def fetch_forks(self, repo: RepoRef) -> Iterator[Page]:
        record = self._repository(repo)
        if record is None:
            return
        path = self._repo_path(repo) + "/forks"
        yield from self._listing(repo, "forks", record.get("forks"), "fork_id", lambda stop: self._walk(
            "forks", "/repos/{owner}/{repo}/forks", {"repo": repo.path}, path, {"sort": "newest"},
            lambda a: [self._fork(repo, f) for f in as_list(a.data)], repo=repo.path, stop=stop))

    def _fork(self, repo: RepoRef, data: dict) -> dict:
        owner = as_dict(data.get("owner"))
        return empty_record(
            "forks", platform=self.platform, repo=repo.path, fork_id=as_int(data.get("id")),
            full_name=as_str(data.get("full_name")), owner_id=as_int(owner.get("id")),
            owner_login=as_str(owner.get("login")), owner_type=as_str(owner.get("type")) or "User",
            created_at=as_time(data.get("created_at")), pushed_at=as_time(data.get("pushed_at")),
            stars=as_int(data.get("stargazers_count")),
        )

    def fetch_stargazers(self, repo: RepoRef) -> Iterator[Page]:
        record = self._repository(repo)
        if record is None:
            return
        path = self._repo_path(repo) + "/stargazers"
        yield from self._listing(repo, "stargazers", record.get("stars"), "account_id", lambda stop: self._walk(
            "stargazers", "/repos/{owner}/{repo}/stargazers", {"repo": repo.path}, path, {},
            lambda a: [self._stargazer(repo, s) for s in as_list(a.data)], repo=repo.path, stop=stop))

    def _stargazer(self, repo: RepoRef, data: dict) -> dict:
        return empty_record("stargazers", platform=self.platform, repo=repo.path, account_id=as_int(data.get("id")),
                            login=as_str(data.get("login")), starred_at=as_time(data.get("star_at")))

    def fetch_commits(self, repo: RepoRef) -> Iterator[Page]:
        """The commits API, for when the repository cannot be cloned: the default branch, newest first."""
        record = self._repository(repo)
        if record is None:
            return
        query = {"sha": record.get("default_branch")} if record.get("default_branch") else {}
        yield from self._walk("commits", "/repos/{owner}/{repo}/commits", {"repo": repo.path},
                              self._repo_path(repo) + "/commits", query,
                              lambda a: [self._api_commit(repo, c) for c in as_list(a.data)], repo=repo.path,
                              follows_pushes_of=repo)

    def _api_commit(self, repo: RepoRef, data: dict) -> dict:
        commit = as_dict(data.get("commit"))
        author, committer = as_dict(commit.get("author")), as_dict(commit.get("committer"))
        return self._commit(repo, data.get("sha"), author.get("name"), author.get("email"), author.get("date"),
                            committer.get("date"), offsets_kept=False)

    # -- organisations ---------------------------------------------------------------------------------
    def fetch_org_repos(self, org: str) -> Iterator[Page]:
        yield from self._walk("org_repos", "/orgs/{org}/repos", {"org": org}, f"/orgs/{quote(org, safe='')}/repos",
                              {"type": "all"}, lambda a: [self._org_repo(org, r) for r in as_list(a.data)])

    def _org_repo(self, org: str, data: dict) -> dict:
        return empty_record(
            "org_repos", platform=self.platform, org=org, repo_id=as_int(data.get("id")),
            full_name=as_str(data.get("full_name")), is_fork=as_bool(data.get("fork")), is_mirror=None,
            archived=as_bool(data.get("archived")), stars=as_int(data.get("stargazers_count")),
            forks=as_int(data.get("forks_count")), created_at=as_time(data.get("created_at")),
            pushed_at=as_time(data.get("pushed_at")),
        )

    # -- accounts -------------------------------------------------------------------------------------
    def _login_of(self, account_id: int) -> str | None:
        with self._repos_lock:  # profiles are fetched from a few threads
            if self._logins is None:
                self._logins = self._landed_logins()
        login = self._logins.get(account_id)
        if login is None:
            kept = self.ctx.cache.profiles(self.platform, [account_id]).get(account_id)
            login = kept[1].get("login") if kept else None
        return login

    def _landed_logins(self) -> dict[int, str]:
        """id -> login from this run's landed forks, stargazers and contributors (Gitee has no by-id lookup)."""
        landing, logins = self.ctx.landing, {}
        for entity, id_column, login_column in (("forks", "owner_id", "owner_login"),
                                                ("stargazers", "account_id", "login"),
                                                ("contributors", "account_id", "login")):
            for path in landing.record_files(entity):
                if f"/{entity}/{self.platform}/" not in path:
                    continue
                with landing.fs.open(path, "rb") as handle:
                    for line in handle.read().decode("utf-8").splitlines():
                        record = json.loads(line) if line else {}
                        if record.get(id_column) is not None and record.get(login_column):
                            logins[int(record[id_column])] = record[login_column]
        return logins

    def _profile_page(self, account_id: int) -> Page | None:
        login = self._login_of(account_id)
        params = {"account_id": account_id}
        if login is None:
            landed = self.ctx.landing.get(self.platform, "accounts", self.profile_template, params)
            if landed is None:
                self.store.finding(None, "accounts", "skipped",
                                   f"{self.platform} account {account_id}: no login known for it (Gitee has no lookup by id)")
            return landed
        return self._page("accounts", self.profile_template, params, f"/users/{quote(login, safe='')}", {},
                          lambda a: [self._account(account_id, as_dict(a.data))])

    def _account(self, account_id: int, data: dict) -> dict:
        domain, key = self.ctx.hasher.email(as_str(data.get("email"), 320))
        return empty_record(
            "accounts", platform=self.platform, account_id=as_int(data.get("id")) or account_id,
            login=as_str(data.get("login")), type=as_str(data.get("type")) or "User",
            name_key=self.ctx.hasher.name(as_str(data.get("name"), 500)), location=None,
            company=as_str(data.get("company"), 500), website_host=website_host(data.get("blog")),
            email_domain=domain, email_key=key, created_at=as_time(data.get("created_at")),
            followers=as_int(data.get("followers")), public_repos=as_int(data.get("public_repos")),
        )


def _license(value: object) -> str | None:
    if isinstance(value, dict):
        return as_str(value.get("spdx_id") or value.get("key") or value.get("name"))
    return as_str(value)


def _path_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/")
