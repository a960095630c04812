"""GitLab (gitlab.com or any self-hosted instance, e.g. a JiHu GitLab): one fetch method per entity kind.

Requests go through python-gitlab's lower-level API (`Gitlab.http_request`, which adds the `PRIVATE-TOKEN`
header and retries transient errors) over a `HostPinnedSession`, which never lets that header leave the
configured host, handles rate limits (GitLab.com often sends no RateLimit-* headers before its 429) and
lets us read the headers of every answer, 304s and errors included.

What GitLab really returns, and what follows from it:
- `/repository/contributors` are `{name, email, commits, additions, deletions}` with no account: they land
  as `kind = "email"` contributors, never as accounts to fetch;
- users have `location`, `organization`, `website_url` and `public_email` (reduced before landing);
- projects carry `mirror` (NULL when the token may not see it) and `forked_from_project`;
- group-owned forks have no user behind them: their `owner_id` stays NULL (GitLab groups are not users,
  and `/users/{group id}` would be someone else), with `owner_type = "Organization"`; a personal fork's
  owner is the project's `owner`, or, where a server leaves it out, the user `/users?username=` finds for
  the namespace path (asked once per login and kept: a namespace id is not a user id);
- `X-Total` is left out above 10,000 records: activity counts then come from the newest item's `iid` (an
  upper bound: iids count deleted items too), with a `too_large` finding saying so;
- forks are listed newest first (`order_by=created_at&sort=desc`, incremental listings stop at the first
  known fork); starrers (with `starred_since`) have no documented order, so they are listed in full when
  the count changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import gitlab

from oss_miner.config import RepoRef
from oss_miner.landing import Page
from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext, parse_link_header
from oss_miner.sources.http import (
    Answer, BadPayload, HostPinnedSession, RestSource, answer_of, as_bool, as_dict, as_int, as_list, as_str,
    as_time, strip_credential_params, strip_userinfo, transport_policy, website_host,
)

API_PATH = "/api/v4"


class GitLabSource(RestSource):
    dialect = "gitlab"
    ordered_listings = frozenset({"forks"})
    profile_template = "/users/{id}"

    def __init__(self, ctx: ExtractContext, platform: str | None = None, *, timeout_s: float | None = None):
        super().__init__(ctx, platform)
        url = self.instance.url.rstrip("/")
        tokens = [t.get_secret_value() for t in ctx.credentials.for_platform(self.platform)]
        policy = transport_policy(timeout_s)
        self.session = HostPinnedSession(
            url, platform=self.platform, tokens=tokens, token_header="PRIVATE-TOKEN", stats=self.stats,
            redactor=ctx.redactor, policy=policy, follow_other_hosts=False,
        )
        self.gl = gitlab.Gitlab(url, private_token=tokens[0] if tokens else None, per_page=self.per_page,
                                retry_transient_errors=True, timeout=policy.timeout_s, session=self.session)

    # -- transport ---------------------------------------------------------------------------------
    def _get(self, template: str, path: str, query: dict, etag: str | None) -> Answer:
        headers = {"If-None-Match": etag} if etag else None
        with self.session.endpoint(template):
            try:
                self.gl.http_request("get", path, query_data=query, extra_headers=headers,
                                     obey_rate_limit=True, max_retries=3)
            except gitlab.exceptions.GitlabError:
                pass  # 304 and 4xx arrive as exceptions; the session kept the response itself
        response = self.session.last_response
        answer = answer_of(response, base_path=API_PATH)
        self.stats.budget(as_int(response.headers.get("RateLimit-Remaining")))
        return answer

    def _next(self, answer: Answer, query: dict) -> str | None:
        next_page = (answer.headers.get("X-Next-Page") or "").strip()
        if next_page:
            return f"page={next_page}"
        link = parse_link_header(answer.headers.get("Link")).get("next")  # keyset pagination has no X-Next-Page
        return (urlsplit(strip_credential_params(link)).query or None) if link else None

    def _project(self, repo: RepoRef) -> str:
        """URL path of the project: by numeric id once known (stable across renames), else by path."""
        record = self._repos.get(repo.path)
        if record and record.get("repo_id"):
            return f"/projects/{record['repo_id']}"
        return f"/projects/{quote(repo.path, safe='')}"

    # -- repository --------------------------------------------------------------------------------
    def _repository_page(self, repo: RepoRef) -> Page:
        page = self._page("repositories", "/projects/{id}", {"repo": repo.path},
                          f"/projects/{quote(repo.path, safe='')}", {},
                          lambda a: [self._repository_record(repo, as_dict(a.data))], repo=repo.path)
        return self._remember(repo, page)

    def _repository_record(self, repo: RepoRef, data: dict) -> dict:
        if not data.get("id"):
            raise BadPayload("project answer without an id")
        owner_id, owner_login, owner_type = _namespace_owner(data, group_id=True)
        parent = as_dict(data.get("forked_from_project"))
        statistics = as_dict(data.get("statistics"))
        size = as_int(statistics.get("repository_size"))
        return empty_record(
            "repositories", platform=self.platform, repo=repo.path, repo_id=as_int(data.get("id")),
            full_name=as_str(data.get("path_with_namespace")), description=as_str(data.get("description")),
            html_url=as_str(data.get("web_url")), clone_url=as_str(data.get("http_url_to_repo")),
            default_branch=as_str(data.get("default_branch")), is_fork=bool(parent),
            parent_full_name=as_str(parent.get("path_with_namespace")), is_mirror=as_bool(data.get("mirror")),
            mirror_url=strip_userinfo(data.get("import_url")) if data.get("mirror") else None,
            stars=as_int(data.get("star_count")), forks=as_int(data.get("forks_count")), watchers=None,
            open_issues=as_int(data.get("open_issues_count")), size_kb=size // 1024 if size is not None else None,
            created_at=as_time(data.get("created_at")), updated_at=as_time(data.get("updated_at")),
            pushed_at=as_time(data.get("last_activity_at")), archived=as_bool(data.get("archived")),
            owner_id=owner_id, owner_login=owner_login, owner_type=owner_type, language=None,
            license=as_str(as_dict(data.get("license")).get("key")),
        )

    # -- lists of one repository ---------------------------------------------------------------------
    def fetch_contributors(self, repo: RepoRef) -> Iterator[Page]:
        if self._repository(repo) is None:
            return
        yield from self._walk("contributors", "/projects/{id}/repository/contributors", {"repo": repo.path},
                              self._project(repo) + "/repository/contributors", {},
                              lambda a: [self._email_contributor(repo, c.get("name"), c.get("email"), c.get("commits"))
                                         for c in as_list(a.data)], repo=repo.path, follows_pushes_of=repo)

    def fetch_releases(self, repo: RepoRef) -> Iterator[Page]:
        if self._repository(repo) is None:
            return
        yield from self._walk("releases", "/projects/{id}/releases", {"repo": repo.path},
                              self._project(repo) + "/releases", {},
                              lambda a: [self._release(repo, r) for r in as_list(a.data)], repo=repo.path)

    def _release(self, repo: RepoRef, data: dict) -> dict:
        return empty_record(
            "releases", platform=self.platform, repo=repo.path, release_id=None, tag_name=as_str(data.get("tag_name")),
            name=as_str(data.get("name")), created_at=as_time(data.get("created_at")),
            published_at=as_time(data.get("released_at")), prerelease=None,
        )

    def fetch_activity(self, repo: RepoRef) -> Iterator[Page]:
        """Merge requests and issues of every state, from the `X-Total` header of one-item pages."""
        if self._repository(repo) is None:
            return
        for kind, endpoint in (("pull_requests", "merge_requests"), ("issues", "issues")):
            query = {"state": "all", "per_page": 1, "page": 1}
            yield self._page("activity", f"/projects/{{id}}/{endpoint}", {"repo": repo.path, **query},
                             f"{self._project(repo)}/{endpoint}", query,
                             lambda a, kind=kind: self._activity(repo, kind, a), repo=repo.path)

    def _activity(self, repo: RepoRef, kind: str, answer: Answer) -> list[dict]:
        items = as_list(answer.data)
        count = as_int(answer.headers.get("X-Total"))
        if count is None and (answer.headers.get("X-Next-Page") or "").strip():
            newest = max((as_int(item.get("iid")) or 0 for item in items), default=0)
            count = newest or None
            answer.note = (f"X-Total left out (more than 10,000 {kind}); the count is estimated from the newest "
                           f"iid ({newest}), an upper bound that includes deleted items")
        elif count is None:
            count = len(items)  # no next page and no total: this page is everything
        return [empty_record("activity", platform=self.platform, repo=repo.path, kind=kind, state="all", count=count)]

    def fetch_forks(self, repo: RepoRef) -> Iterator[Page]:
        record = self._repository(repo)
        if record is None:
            return
        path = self._project(repo) + "/forks"
        yield from self._listing(repo, "forks", record.get("forks"), "fork_id", lambda stop: self._walk(
            "forks", "/projects/{id}/forks", {"repo": repo.path}, path, {"order_by": "created_at", "sort": "desc"},
            lambda a: [self._fork(repo, f) for f in as_list(a.data)], repo=repo.path, stop=stop))

    def _fork(self, repo: RepoRef, data: dict) -> dict:
        owner_id, owner_login, owner_type = _namespace_owner(data, group_id=False)
        if owner_id is None and owner_type == "User" and owner_login:
            owner_id = self._user_id(owner_login)
        return empty_record(
            "forks", platform=self.platform, repo=repo.path, fork_id=as_int(data.get("id")),
            full_name=as_str(data.get("path_with_namespace")), owner_id=owner_id, owner_login=owner_login,
            owner_type=owner_type, created_at=as_time(data.get("created_at")),
            pushed_at=as_time(data.get("last_activity_at")), stars=as_int(data.get("star_count")),
        )

    def fetch_stargazers(self, repo: RepoRef) -> Iterator[Page]:
        record = self._repository(repo)
        if record is None:
            return
        path = self._project(repo) + "/starrers"
        yield from self._listing(repo, "stargazers", record.get("stars"), "account_id", lambda stop: self._walk(
            "stargazers", "/projects/{id}/starrers", {"repo": repo.path}, path, {},
            lambda a: [self._starrer(repo, s) for s in as_list(a.data)], repo=repo.path, stop=stop))

    def _starrer(self, repo: RepoRef, data: dict) -> dict:
        user = as_dict(data.get("user"))
        return empty_record("stargazers", platform=self.platform, repo=repo.path, account_id=as_int(user.get("id")),
                            login=as_str(user.get("username")), starred_at=as_time(data.get("starred_since")))

    def fetch_commits(self, repo: RepoRef) -> Iterator[Page]:
        """The commits API, for when the repository cannot be cloned: the default branch, newest first."""
        record = self._repository(repo)
        if record is None:
            return
        query = {"ref_name": record["default_branch"]} if record.get("default_branch") else {}
        yield from self._walk("commits", "/projects/{id}/repository/commits", {"repo": repo.path},
                              self._project(repo) + "/repository/commits", query,
                              lambda a: [self._commit(repo, c.get("id"), c.get("author_name"), c.get("author_email"),
                                                      c.get("authored_date"), c.get("committed_date"))
                                         for c in as_list(a.data)], repo=repo.path, follows_pushes_of=repo)

    # -- groups ------------------------------------------------------------------------------------------
    def fetch_org_repos(self, org: str) -> Iterator[Page]:
        yield from self._walk("org_repos", "/groups/{id}/projects", {"org": org},
                              f"/groups/{quote(org, safe='')}/projects", {},
                              lambda a: [self._org_repo(org, p) for p in as_list(a.data)])

    def _org_repo(self, org: str, data: dict) -> dict:
        return empty_record(
            "org_repos", platform=self.platform, org=org, repo_id=as_int(data.get("id")),
            full_name=as_str(data.get("path_with_namespace")), is_fork=bool(as_dict(data.get("forked_from_project"))),
            is_mirror=as_bool(data.get("mirror")), archived=as_bool(data.get("archived")),
            stars=as_int(data.get("star_count")), forks=as_int(data.get("forks_count")),
            created_at=as_time(data.get("created_at")), pushed_at=as_time(data.get("last_activity_at")),
        )

    # -- accounts -------------------------------------------------------------------------------------
    def _user_id(self, username: str) -> int | None:
        """The id of a user known only by the path of their namespace (a project answer without `owner`,
        which GitLab includes for personal projects; a namespace id is not a user id). Asked once, then kept."""
        key = f"{self.platform}:user-id:{username.lower()}"
        kept = self.ctx.cache.get(key)
        if kept is not None:
            return int(kept) if kept.isdigit() else None
        answer = self._get("/users", "/users", {"username": username}, None)
        users = answer.data if answer.status == 200 and isinstance(answer.data, list) else []
        found = next((as_int(u.get("id")) for u in users if isinstance(u, dict)
                      and str(u.get("username", "")).lower() == username.lower()), None)
        if answer.status in (200, 404):
            self.ctx.cache.set(key, str(found) if found is not None else "")
        return found

    def _profile_page(self, account_id: int) -> Page | None:
        return self._page("accounts", self.profile_template, {"account_id": account_id}, f"/users/{account_id}", {},
                          lambda a: [self._account(account_id, as_dict(a.data))])

    def _account(self, account_id: int, data: dict) -> dict:
        domain, key = self.ctx.hasher.email(as_str(data.get("public_email"), 320))
        return empty_record(
            "accounts", platform=self.platform, account_id=as_int(data.get("id")) or account_id,
            login=as_str(data.get("username")), type="Bot" if data.get("bot") is True else "User",
            name_key=self.ctx.hasher.name(as_str(data.get("name"), 500)), location=as_str(data.get("location"), 500),
            company=as_str(data.get("organization"), 500), website_host=website_host(data.get("website_url")),
            email_domain=domain, email_key=key, created_at=as_time(data.get("created_at")),
            followers=as_int(data.get("followers")), public_repos=None,
        )


def _namespace_owner(data: dict, *, group_id: bool) -> tuple[int | None, str | None, str | None]:
    """(id, login, type) of a project's owner: the user for personal namespaces; a group has no account, so
    its id is kept only where the column may hold a group id (`group_id`)."""
    namespace = as_dict(data.get("namespace"))
    owner = as_dict(data.get("owner"))
    if namespace.get("kind") == "group":
        return (as_int(namespace.get("id")) if group_id else None,
                as_str(namespace.get("full_path") or namespace.get("path")), "Organization")
    if owner.get("id") is not None:
        return as_int(owner.get("id")), as_str(owner.get("username")), "User"
    if namespace:
        return None, as_str(namespace.get("path")), "User"
    return None, None, None
