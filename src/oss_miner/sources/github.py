"""GitHub: repositories, contributors, releases, activity, forks, stargazers, org repositories,
dependents (code search), profiles and, where cloning is impossible, commits.

One `GitHubSource` is shared by the pipeline's threads. Requests go through `GitHubTransport` (token
pool grouped by account, one request at a time per account, PyGithub's requester and retry); pages go
through `PageStore` (replayed when this run already landed them, revalidated with `If-None-Match`
when fetched before, landed atomically). What each entity costs:

- Repository: one conditional GET. Its ETag decides the rest: when it answers 304, activity counts,
  releases and the newest stargazers and forks are replayed from the cache without a request.
- When the repository changed: one GraphQL HEAD query (one point) brings the pull request and issue
  counts and the newest 100 stargazers, forks and releases; further pages follow by cursor.
- Stargazers and forks are listed newest first and stop at the first item already known; they are
  listed in full when the known count drifts from the repository's count by more than
  `refresh.reconcile_drift` or the last full listing is older than `refresh.reconcile_days`; known
  forks' pushed_at is refreshed in `nodes` batches after `refresh.fork_activity_max_age_days`.
- Slow-moving REST lists (contributors with `anon=1`, org repositories, code search) follow `Link`
  pages of 100 and are replayed from the cache for `refresh.lists_max_age_days`, then revalidated.
- Code search stays within its own budget (10 a minute, read from the rate-limit headers); a query
  with more than 1,000 results is split by `size:` ranges.
- Profiles: GraphQL batches of 100 `user(login:)`/`organization(login:)`, kept in the cache for
  `refresh.profile_max_age_days`. `fetch_accounts` takes logins from this run's landed records
  (contributors, forks, stargazers, dependents), falling back to the cached profile's login.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oss_miner.config import Instance, RepoRef
from oss_miner.errors import HostKeptFailing
from oss_miner.landing import Landing, Page, page_key
from oss_miner.records import empty_record
from oss_miner.sources import github_graphql as gql
from oss_miner.sources.base import ExtractContext, Fetched, PageStore, RequestStats, instance_name, parse_link_header
from oss_miner.sources.github_transport import CODE_SEARCH, CORE, GitHubTransport, Response, check_endpoints
from oss_miner.sources.http import as_dict

log = logging.getLogger("oss_miner.extract.github")

DIALECT = "github"
MANIFESTS = ("requirements.txt", "setup.py", "pyproject.toml")
SEARCH_CAP = 1000  # GitHub returns at most 1,000 results per search query
MAX_FILE_SIZE = 393_216  # GitHub's code search does not index larger files (384 kB)


class _Failed(Exception):
    """A request whose answer becomes a finding, not a page."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


@dataclass
class _RepoState:
    """What this run learnt from a repository's GET, for the calls that follow it."""

    record: dict[str, Any]
    etag: str | None
    not_modified: bool  # the GET answered 304 (nothing about the repository changed)
    head: dict[str, Any] | None = None  # this run's answer to the GraphQL HEAD query

    @property
    def full_name(self) -> str:
        """OWNER/NAME as GitHub gave it (the configured path when the answer had none)."""
        return str(self.record.get("full_name") or self.record["repo"])


# -- REST payloads -> records ---------------------------------------------------------------
# A value of the wrong type lands as it is and becomes NULL (and a bad_payload finding) when loaded; a
# nested object of the wrong type is read as empty; a payload of another shape altogether is a
# bad_payload finding of its page (see GitHubSource._rest_page).
def repository_record(platform: str, repo: str, d: dict[str, Any]) -> dict[str, Any]:
    owner = as_dict(d.get("owner"))
    parent = as_dict(d.get("parent"))
    licence = as_dict(d.get("license"))
    spdx = licence.get("spdx_id")
    return empty_record(
        "repositories", platform=platform, repo=repo, repo_id=d.get("id"), full_name=d.get("full_name"),
        description=d.get("description"), html_url=d.get("html_url"), clone_url=d.get("clone_url"),
        default_branch=d.get("default_branch"), is_fork=d.get("fork"), parent_full_name=parent.get("full_name"),
        is_mirror=bool(d.get("mirror_url")), mirror_url=d.get("mirror_url"), stars=d.get("stargazers_count"),
        forks=d.get("forks_count"), watchers=d.get("subscribers_count", d.get("watchers_count")),
        open_issues=d.get("open_issues_count"), size_kb=d.get("size"), created_at=d.get("created_at"),
        updated_at=d.get("updated_at"), pushed_at=d.get("pushed_at"), archived=d.get("archived"),
        owner_id=owner.get("id"), owner_login=owner.get("login"), owner_type=owner.get("type"),
        language=d.get("language"), license=spdx if spdx and spdx != "NOASSERTION" else licence.get("name"),
    )


def contributor_record(platform: str, repo: str, d: dict[str, Any], hasher: Any) -> dict[str, Any]:
    if d.get("type") == "Anonymous" or d.get("id") is None:
        domain, key = hasher.email(d.get("email"))
        return empty_record("contributors", platform=platform, repo=repo, kind="anonymous", email_domain=domain,
                            author_key=key, name_key=hasher.name(d.get("name")), contributions=d.get("contributions"))
    return empty_record("contributors", platform=platform, repo=repo, kind="account", account_id=d["id"],
                        login=d.get("login"), contributions=d.get("contributions"))


def org_repo_record(platform: str, org: str, d: dict[str, Any]) -> dict[str, Any]:
    return empty_record("org_repos", platform=platform, org=org, repo_id=d.get("id"), full_name=d.get("full_name"),
                        is_fork=d.get("fork"), is_mirror=bool(d.get("mirror_url")), archived=d.get("archived"),
                        stars=d.get("stargazers_count"), forks=d.get("forks_count"), created_at=d.get("created_at"),
                        pushed_at=d.get("pushed_at"))


def rest_account_record(platform: str, d: dict[str, Any], hasher: Any) -> dict[str, Any]:
    """An `accounts` record from a REST user object (GET /users/{login} or /user/{id})."""
    domain, key = hasher.email(d.get("email"))
    return empty_record(
        "accounts", platform=platform, account_id=d.get("id"), login=d.get("login"), type=d.get("type"),
        name_key=hasher.name(d.get("name")), location=d.get("location") or None, company=d.get("company") or None,
        website_host=gql.website_host(d.get("blog")), email_domain=domain, email_key=key,
        created_at=d.get("created_at"), followers=d.get("followers"), public_repos=d.get("public_repos"),
    )


def dependent_records(platform: str, framework: str, package: str, file_name: str, query: str, data: dict[str, Any],
                      incomplete: bool) -> list[dict[str, Any]]:
    records, seen = [], set()
    items = data.get("items") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        repository = as_dict(as_dict(item).get("repository"))
        owner = as_dict(repository.get("owner"))
        if not isinstance(repository.get("id"), (int, str)) or repository["id"] in seen:
            continue
        seen.add(repository["id"])
        records.append(empty_record(
            "dependents", platform=platform, framework=framework, package=package, file_name=file_name,
            repo_id=repository["id"], full_name=repository.get("full_name"), owner_id=owner.get("id"),
            owner_login=owner.get("login"), owner_type=owner.get("type"), query=query, incomplete=incomplete,
        ))
    return records


def finding_kind(response: Response) -> str:
    message = response.message.lower()
    if response.status == 404:
        return "not_found"
    if response.status in (301, 302, 307, 308):
        return "renamed"
    if response.status == 204:
        return "empty"
    if response.status == 403 and "too large" in message:
        return "too_large"
    if response.status in (401, 403):
        return "forbidden"
    if response.status == 422:
        return "unprocessable"
    return "bad_payload"


def _split_url(url: str) -> tuple[str, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), dict(
        urllib.parse.parse_qsl(parts.query, keep_blank_values=True))


def _next_cursor(connection: dict[str, Any]) -> str | None:
    info = connection.get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None


def _unchanged(state: _RepoState, cached_etag: str | None) -> bool:
    """The repository answered 304 and the cached page was made from that same version of it.

    Activity counts, releases and the newest stargazers and forks are re-read only when the repository
    itself changed: its ETag covers open_issues_count, pushed_at (a release pushes a tag) and the star
    and fork counts."""
    return state.not_modified and cached_etag is not None and cached_etag == state.etag


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _size_split(low: int, high: int) -> list[tuple[int, int]]:
    """Two halves of a byte range, split geometrically (most manifests are small)."""
    if high - low < 1:
        return []
    mid = (low + high) // 2 if low > 0 and high < 4 * low else int(math.sqrt((low + 1) * (high + 1)))
    mid = min(max(mid, low), high - 1)
    return [(low, mid), (mid + 1, high)]


class GitHubSource:
    """GitHub through PyGithub's requester (REST) and its GraphQL endpoint."""

    dialect = DIALECT

    def __init__(self, ctx: ExtractContext, platform: str | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time):
        self.ctx = ctx
        self.platform = instance_name(ctx, DIALECT, platform)
        self.stats = RequestStats(self.platform, free_not_modified=True)  # GitHub does not count 304s
        self.pages = PageStore(ctx, self.platform, self.stats)
        endpoint = ctx.catalogue.platforms[self.platform]
        tokens = [t.get_secret_value() for t in ctx.credentials.for_platform(self.platform)]
        for token in tokens:
            ctx.redactor.add(token)
        self.base_url = endpoint.url.rstrip("/")
        self.http = GitHubTransport(self.base_url, endpoint.graphql_url or f"{self.base_url}/graphql", tokens,
                                    ctx.cache, self.stats, ctx.redactor, token_env=endpoint.tokens_from,
                                    sleep=sleep, clock=clock,
                                    identity_max_age_s=ctx.catalogue.refresh.profile_max_age_days * 86400)
        self._repos: dict[str, _RepoState | None] = {}
        self._lock = threading.Lock()

    @staticmethod
    def check_endpoints(instance: Instance) -> None:
        check_endpoints(instance.name, instance.url, instance.graphql_url or f"{instance.url}/graphql")

    # == repositories ========================================================================
    def fetch_repository(self, framework: str, repo: RepoRef) -> Iterator[Page]:
        """The repository's metadata (one conditional GET); notes a rename as a finding.

        A renamed repository is asked for under its new name on later runs (the name is remembered),
        so that only the first run pays for the redirect."""
        remembered = self.ctx.cache.get(f"{self.platform}:canonical:{repo.path}")
        page = None
        for path in dict.fromkeys(p for p in (remembered, repo.path) if p):
            page = self._rest_page("repositories", "/repos/{owner}/{repo}", f"{self.base_url}/repos/{path}", {},
                                   {"repo": repo.path}, repo.path, lambda d: [repository_record(self.platform, repo.path, d)],
                                   record_failure=path == repo.path)
            if page is not None:
                break
        if page is None or not page.records:
            with self._lock:
                self._repos[repo.path] = None
            return
        state = _RepoState(page.records[0], page.etag, page.status == 304)
        with self._lock:
            self._repos[repo.path] = state
        self.ctx.cache.set(f"{self.platform}:canonical:{repo.path}", state.full_name)
        if state.full_name.lower() != repo.path.lower():
            self.pages.finding(repo.path, "repositories", "renamed",
                               f"{repo.path} is now {state.full_name}; followed the redirect on the same host", 301)
        yield page

    def _state(self, repo: RepoRef) -> _RepoState | None:
        with self._lock:
            known = repo.path in self._repos
        if not known:
            for _ in self.fetch_repository("", repo):
                pass
        with self._lock:
            return self._repos.get(repo.path)

    def _name(self, repo: RepoRef) -> str:
        state = self._state(repo)
        return state.full_name if state else repo.path

    # == REST lists ===========================================================================
    def fetch_contributors(self, repo: RepoRef) -> Iterator[Page]:
        """Contributors with `anon=1` (email-only entries become keyed hashes)."""
        yield from self._rest_list("contributors", "/repos/{owner}/{repo}/contributors",
                                   f"/repos/{self._name(repo)}/contributors", {"anon": "1"}, repo.path,
                                   lambda d: [contributor_record(self.platform, repo.path, x, self.ctx.hasher) for x in d])

    def fetch_releases(self, repo: RepoRef) -> Iterator[Page]:
        """Releases, newest first: the first 100 come with the HEAD query, the rest by cursor."""
        state = self._state(repo)
        after: str | None = None
        while state is not None:
            def fetch(cached_etag: str | None, after: str | None = after) -> Fetched:
                if _unchanged(state, cached_etag):
                    return Fetched(304, [], cached_etag)
                node = self._head(repo, state) if after is None else self._repository_node(repo, gql.RELEASES,
                                                                                           {"after": after})
                connection = node.get("releases") or {}
                return Fetched(200, gql.release_records(self.platform, repo.path, connection), state.etag, _next_cursor(connection))

            try:
                page = self.pages.fetch_or_replay("releases", "/graphql", {"query": "releases", "repo": repo.path,
                                                                           "after": after}, fetch, repo=repo.path)
            except _Failed as failed:
                self._record_failure(repo.path, "releases", "/graphql", failed.response)
                return
            yield page
            if not page.next:
                return
            after = page.next

    def fetch_org_repos(self, org: str) -> Iterator[Page]:
        yield from self._rest_list("org_repos", "/orgs/{org}/repos", f"/orgs/{org}/repos", {}, None,
                                   lambda d: [org_repo_record(self.platform, org, x) for x in d], identity={"org": org})

    def _rest_list(self, entity: str, endpoint: str, path: str, query: dict[str, str], repo: str | None,
                   parse: Callable[[Any], list[dict[str, Any]]], identity: dict[str, Any] | None = None) -> Iterator[Page]:
        """A slow-moving REST list, page by page; replayed from the cache while it is fresh."""
        url, query = f"{self.base_url}{path}", {**query, "per_page": "100"}
        identity = identity or {"repo": repo}
        first_key = page_key(self.platform, entity, endpoint, {**identity, **query})
        checked, too_large = f"{self.platform}:list-checked:" + first_key, f"{self.platform}:list-too-large:" + first_key
        fresh = self._fresh(checked)
        if fresh and self.ctx.cache.get(too_large):  # a list too large for the API stays so: do not ask daily
            self.pages.finding(repo, entity, "too_large", f"{endpoint}: {self.ctx.cache.get(too_large)} (as last seen)",
                          403, subject=first_key)
            return

        def failed(response: Response) -> None:
            if finding_kind(response) == "too_large":
                self.ctx.cache.set(too_large, response.message)
                self.ctx.cache.set(checked, self.ctx.now.isoformat())

        total = 0
        while True:
            page = self._rest_page(entity, endpoint, url, query, {**identity, **query}, repo,
                                   lambda d: parse([x for x in d if isinstance(x, dict)] if isinstance(d, list) else []),
                                   fresh=fresh, on_failure=failed)
            if page is None:
                return
            total += len(page.records)
            yield page
            if not page.next:
                break
            url, query = _split_url(page.next)
            if not url.startswith(self.base_url):
                self.pages.finding(repo, entity, "skipped", f"next page on another host or path not followed: {url}")
                return
        if not fresh:
            self.ctx.cache.set(checked, self.ctx.now.isoformat())
        if total == 0 and entity == "contributors":
            self.pages.finding(repo, entity, "empty", "the contributors list is empty", 204)

    def _fresh(self, checked: str) -> bool:
        """The list was revalidated less than `refresh.lists_max_age_days` ago."""
        max_age = self.ctx.catalogue.refresh.lists_max_age_days
        raw = self.ctx.cache.get(checked) if max_age > 0 else None
        return raw is not None and self.ctx.now - datetime.fromisoformat(raw) < timedelta(days=max_age)

    def _rest_page(self, entity: str, endpoint: str, url: str, query: dict[str, str], params: dict[str, Any],
                   repo: str | None, parse: Callable[[Any], list[dict[str, Any]]], resource: str = CORE,
                   fresh: bool = False, record_failure: bool = True,
                   on_failure: Callable[[Response], None] | None = None) -> Page | None:
        """One REST page through the page store; an error answer becomes a finding and None.

        `fresh`: a page in the cache is replayed without asking (see `_fresh`)."""
        key = page_key(self.platform, entity, endpoint, params)

        def fetch(etag: str | None) -> Fetched:
            if fresh and etag:
                return Fetched(304, [], etag)
            prefer = self.ctx.cache.get(f"{self.platform}:etag-owner:" + key) if etag else None
            response = self.http.get(endpoint, url, query, etag=etag, resource=resource, prefer=prefer)
            if response.status == 304:
                return Fetched(304, [], etag)
            if response.status == 204:
                return Fetched(204, [], response.headers.get("etag"))
            if response.status != 200:
                raise _Failed(response)
            try:
                records = parse(response.data)
            except (AttributeError, TypeError, KeyError, ValueError) as exc:  # a payload of another shape
                raise _Failed(Response(200, {}, {"message": f"unreadable payload ({type(exc).__name__}: {exc})"},
                                       response.account)) from None
            if response.headers.get("etag") and len(self.http.pool) > 1:
                self.ctx.cache.set(f"{self.platform}:etag-owner:" + key, response.account)
            return Fetched(200, records, response.headers.get("etag"),
                           parse_link_header(response.headers.get("link")).get("next"))

        try:
            return self.pages.fetch_or_replay(entity, endpoint, params, fetch, repo=repo)
        except _Failed as failed:
            if record_failure or failed.response.status != 404:
                self._record_failure(repo, entity, endpoint, failed.response, subject=key)
            if on_failure is not None:
                on_failure(failed.response)
            return None

    def _record_failure(self, repo: str | None, entity: str, endpoint: str, response: Response,
                        subject: str | None = None) -> None:
        if response.status == 0 or response.status >= 500:
            raise HostKeptFailing(f"{self.platform}: {endpoint} kept failing ({response.status or 'no answer'}) for "
                            f"{repo or entity}; re-run to resume where it stopped")
        detail = response.message or f"HTTP {response.status}"
        self.pages.finding(repo, entity, finding_kind(response), f"{endpoint}: {detail}", response.status,
                      subject=subject or endpoint)

    # == GraphQL ==============================================================================
    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The answer's JSON ({"data", "errors"}); a non-200 answer raises _Failed."""
        response = self.http.graphql(query, variables)
        if response.status != 200 or not isinstance(response.data, dict):
            raise _Failed(response)
        if response.data.get("data") is None and response.data.get("errors"):  # the query as a whole failed
            error = response.data["errors"][0] if isinstance(response.data["errors"][0], dict) else {}
            raise _Failed(Response(422, {}, {"message": f"GraphQL: {error.get('message', 'error')}"}, response.account))
        return response.data

    def _repository_node(self, repo: RepoRef, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        owner, name = self._name(repo).split("/", 1)
        answer = self._graphql(query, {"owner": owner, "name": name, **variables})
        node = (answer.get("data") or {}).get("repository")
        if node is None:
            errors = answer.get("errors") or [{}]
            raise _Failed(Response(404 if errors[0].get("type") == "NOT_FOUND" else 422, {},
                                   {"message": errors[0].get("message", "repository missing from the answer")}, ""))
        return node

    def _head(self, repo: RepoRef, state: _RepoState) -> dict[str, Any]:
        """The HEAD query's answer (activity counts, newest stargazers, forks, releases), once per run."""
        if state.head is None:
            state.head = self._repository_node(repo, gql.HEAD, {})
            forks = (state.head.get("forks") or {}).get("nodes") or []
            self._remember_fork_nodes(repo, [n for n in forks if n and n.get("databaseId") is not None])
        return state.head

    def fetch_activity(self, repo: RepoRef) -> Iterator[Page]:
        """Pull request and issue counts by state (from the HEAD query; none when the repository answered 304)."""
        state = self._state(repo)
        if state is None:
            return

        def fetch(cached_etag: str | None) -> Fetched:
            if _unchanged(state, cached_etag):
                return Fetched(304, [], cached_etag)
            return Fetched(200, gql.activity_records(self.platform, repo.path, self._head(repo, state)), state.etag)

        try:
            yield self.pages.fetch_or_replay("activity", "/graphql", {"query": "activity", "repo": repo.path}, fetch,
                                             repo=repo.path)
        except _Failed as failed:
            self._record_failure(repo.path, "activity", "/graphql", failed.response)

    # -- listings ------------------------------------------------------------------------------
    def fetch_stargazers(self, repo: RepoRef) -> Iterator[Page]:
        yield from self._listing(repo, "stargazers")

    def fetch_forks(self, repo: RepoRef) -> Iterator[Page]:
        yield from self._listing(repo, "forks")

    def _listing(self, repo: RepoRef, listing: str) -> Iterator[Page]:
        state = self._state(repo)
        if state is None:
            return
        done = self.ctx.landing.get(self.platform, "listings", "listing", {"repo": repo.path, "listing": listing})
        if done is not None:  # a resumed run: this listing was finished before the restart
            self.stats.replayed()
            yield done
            return
        cache, refresh, now = self.ctx.cache, self.ctx.catalogue.refresh, self.ctx.now
        reported = int(state.record["stars" if listing == "stargazers" else "forks"] or 0)
        known = cache.known_items(self.platform, repo.path, listing)
        last_full = cache.last_full_listing(self.platform, repo.path, listing)
        stale = last_full is None or now - last_full > timedelta(days=refresh.reconcile_days)

        def drifted(count: int) -> bool:
            return abs(count - reported) > refresh.reconcile_drift * max(reported, 1)

        if state.not_modified and not stale and not drifted(len(known)):
            yield self._listing_record(repo, listing, "unchanged", 0, reported)
            if listing == "forks" and self._fork_activity_due(repo):
                yield from self._refresh_fork_activity(repo, set())
            return
        mode = "full" if stale or reported == 0 else "incremental"
        yielded: set[str] = set()
        new: list[int] = []
        listed: list[int] = []
        try:
            if mode == "incremental":
                for page, ids in self._listing_pages(repo, listing, stop_at=known):
                    yielded.add(page.key)
                    yield page
                    for item in ids:
                        if item in known:
                            break
                        new.append(item)
                if drifted(len(known) + len(new)):
                    mode = "full"
            if mode == "full" and reported > 0:
                for page, ids in self._listing_pages(repo, listing, stop_at=None):
                    if page.key not in yielded:
                        yield page
                    listed.extend(ids)
        except _Failed as failed:
            self._record_failure(repo.path, listing, "/graphql", failed.response)
            return
        if mode == "full":
            cache.add_items(self.platform, repo.path, listing, listed, replace=True)
            cache.mark_full_listing(self.platform, repo.path, listing, now)
        else:
            cache.add_items(self.platform, repo.path, listing, new)
        yield self._listing_record(repo, listing, mode, len(listed) if mode == "full" else len(new), reported)
        if listing == "forks":
            if mode == "full":
                cache.set(f"{self.platform}:fork-activity:{repo.path}", now.isoformat())
            elif self._fork_activity_due(repo):
                yield from self._refresh_fork_activity(repo, set(new))

    def _listing_pages(self, repo: RepoRef, listing: str, stop_at: set[int] | None) -> Iterator[tuple[Page, list[int]]]:
        """Pages of stargazers or forks, newest first; stops after the page holding a known item."""
        query, id_column = (gql.STARGAZERS, "account_id") if listing == "stargazers" else (gql.FORKS, "fork_id")
        state = self._state(repo)
        after: str | None = None
        while state is not None:
            def fetch(_: str | None, after: str | None = after) -> Fetched:
                if after is None:
                    node = self._head(repo, state)
                else:
                    node = self._repository_node(repo, query, {"after": after})
                connection = node.get(listing) or {}
                if listing == "stargazers":
                    records = gql.stargazer_records(self.platform, repo.path, connection)
                else:
                    nodes = [n for n in connection.get("nodes") or [] if n and n.get("databaseId") is not None]
                    records = [gql.fork_record(self.platform, repo.path, n) for n in nodes]
                    self._remember_fork_nodes(repo, nodes)
                return Fetched(200, records, None, _next_cursor(connection))

            page = self.pages.fetch_or_replay(listing, "/graphql", {"query": listing, "repo": repo.path, "after": after},
                                              fetch, repo=repo.path, conditional=False)
            ids = [int(r[id_column]) for r in page.records if r.get(id_column) is not None]
            yield page, ids
            if not page.next or (stop_at is not None and any(i in stop_at for i in ids)):
                return
            after = page.next

    def _listing_record(self, repo: RepoRef, listing: str, mode: str, items: int, reported: int) -> Page:
        record = empty_record("listings", platform=self.platform, repo=repo.path, listing=listing, mode=mode, items=items,
                              reported_total=reported)
        return self.pages.land("listings", "listing", {"repo": repo.path, "listing": listing}, [record], repo=repo.path)

    # -- fork activity -------------------------------------------------------------------------
    def _fork_nodes(self, repo: RepoRef) -> dict[str, str]:
        raw = self.ctx.cache.get(f"{self.platform}:fork-nodes:{repo.path}")
        return json.loads(raw) if raw else {}

    def _remember_fork_nodes(self, repo: RepoRef, nodes: list[dict[str, Any]]) -> None:
        known = self._fork_nodes(repo)
        known.update({str(n["databaseId"]): n["id"] for n in nodes if n.get("id")})
        self.ctx.cache.set(f"{self.platform}:fork-nodes:{repo.path}", json.dumps(known))

    def _fork_activity_due(self, repo: RepoRef) -> bool:
        raw = self.ctx.cache.get(f"{self.platform}:fork-activity:{repo.path}")
        max_age = timedelta(days=self.ctx.catalogue.refresh.fork_activity_max_age_days)
        return raw is None or self.ctx.now - datetime.fromisoformat(raw) > max_age

    def _refresh_fork_activity(self, repo: RepoRef, exclude: set[int]) -> Iterator[Page]:
        """pushed_at of the known forks, in GraphQL `nodes` batches of 100."""
        nodes = self._fork_nodes(repo)
        known = self.ctx.cache.known_items(self.platform, repo.path, "forks")
        ids = sorted(nodes[str(i)] for i in known if i not in exclude and str(i) in nodes)
        for batch in _chunks(ids, gql.BATCH):
            def fetch(_: str | None, batch: list[str] = batch) -> Fetched:
                answer = self._graphql(gql.FORK_NODES, {"ids": batch})
                found = [n for n in (answer.get("data") or {}).get("nodes") or [] if n and n.get("databaseId")]
                return Fetched(200, [gql.fork_record(self.platform, repo.path, n) for n in found])

            try:
                yield self.pages.fetch_or_replay("forks", "/graphql", {"query": "fork_activity", "repo": repo.path,
                                                                       "ids": batch}, fetch, repo=repo.path,
                                                 conditional=False)
            except _Failed as failed:
                self._record_failure(repo.path, "forks", "/graphql", failed.response)
                return
        self.ctx.cache.set(f"{self.platform}:fork-activity:{repo.path}", self.ctx.now.isoformat())

    # == commits (fallback when cloning is impossible) ========================================
    def fetch_commits(self, repo: RepoRef) -> Iterator[Page]:
        """Default-branch history through GraphQL, newest first, down to the newest commit seen before.

        Commits merged from a branch older than that newest commit are found by the next full walk;
        the git source (a clone) has no such gap and is preferred wherever cloning works.
        """
        head_key = f"{self.platform}:commits-head:{repo.path}"
        known_head = self.ctx.cache.get(head_key)
        after: str | None = None
        newest: str | None = None
        try:
            while True:
                def fetch(_: str | None, after: str | None = after) -> Fetched:
                    node = self._repository_node(repo, gql.COMMITS, {"after": after})
                    history = (((node.get("defaultBranchRef") or {}).get("target") or {}).get("history")) or {}
                    records = [gql.commit_record(self.platform, repo.path, n, self.ctx.hasher, self.ctx.is_bot)
                               for n in history.get("nodes") or [] if n and n.get("oid")]
                    return Fetched(200, records, None, _next_cursor(history))

                page = self.pages.fetch_or_replay("commits", "/graphql", {"query": "commits", "repo": repo.path,
                                                                          "after": after}, fetch, repo=repo.path,
                                                  conditional=False)
                newest = newest or (page.records[0]["sha"] if page.records else None)
                yield page
                shas = {r["sha"] for r in page.records}
                if not page.next or (known_head and known_head in shas):
                    break
                after = page.next
        except _Failed as failed:
            self._record_failure(repo.path, "commits", "/graphql", failed.response)
            return
        if newest is None and after is None:
            self.pages.finding(repo.path, "commits", "empty", "the default branch has no commits (or no default branch)")
        elif newest:
            self.ctx.cache.set(head_key, newest)

    # == dependents ===========================================================================
    def fetch_dependents(self, framework: str, packages: list[str]) -> Iterator[Page]:
        """Repositories whose manifests name a package, by code search (a lower bound)."""
        searches = [(package, manifest) for package in packages for manifest in MANIFESTS]
        yield from self._in_parallel(lambda s: list(self._search(framework, *s)), searches)

    def _search(self, framework: str, package: str, manifest: str, size: tuple[int, int] | None = None,
                known_total: int | None = None) -> Iterator[Page]:
        """One code search, page by page; split by `size:` ranges when it holds more than GitHub returns.

        Returns (as the generator's value) the number of results the search reported for its range."""
        low, high = size or (0, MAX_FILE_SIZE)
        if known_total is not None and known_total > SEARCH_CAP and high > low:
            yield from self._split_search(framework, package, manifest, (low, high), known_total, exact=True)
            return known_total
        query = f"{package} in:file filename:{manifest}" + (f" size:{low}..{high}" if size else "")
        url, params = f"{self.base_url}/search/code", {"q": query, "per_page": "100"}
        state: dict[str, Any] = {}
        remembered = f"{self.platform}:search:{query}"  # what the search said, for pages replayed without it

        def parse(data: Any) -> list[dict[str, Any]]:
            data = data if isinstance(data, dict) else {}
            state["total"] = max(state.get("total", 0), int(data.get("total_count") or 0))
            state["incomplete"] = state.get("incomplete", False) or bool(data.get("incomplete_results"))
            self.ctx.cache.set(remembered, json.dumps(state))
            capped = state["total"] > SEARCH_CAP
            return dependent_records(self.platform, framework, package, manifest, query, data, state["incomplete"] or capped)

        checked = f"{self.platform}:list-checked:" + page_key(self.platform, "dependents", "/search/code", params)
        fresh = self._fresh(checked)
        page = self._rest_page("dependents", "/search/code", url, params, params, None, parse, resource=CODE_SEARCH,
                               fresh=fresh)
        if page is None:
            return None
        yield page
        if "total" not in state:
            state.update(json.loads(self.ctx.cache.get(remembered) or '{"total": 0, "incomplete": false}'))
        split = state["total"] > SEARCH_CAP and high > low
        while not split and page is not None and page.next:
            next_url, next_params = _split_url(page.next)
            page = self._rest_page("dependents", "/search/code", next_url, next_params, next_params, None, parse,
                                   resource=CODE_SEARCH, fresh=fresh)
            if page is not None:
                yield page
        if not fresh:
            self.ctx.cache.set(checked, self.ctx.now.isoformat())
        if split:  # over the cap, incomplete_results may only be saying so: the count is taken as exact
            yield from self._split_search(framework, package, manifest, (low, high), state["total"], exact=True)
        elif state["incomplete"] or state["total"] > SEARCH_CAP:
            self.pages.finding(None, "dependents", "incomplete_search",
                          f"{query!r}: {'incomplete_results' if state['incomplete'] else 'more than 1,000 results'}"
                          f" (framework {framework}); the dependents found are a lower bound", None, subject=query)
        return state["total"]

    def _split_search(self, framework: str, package: str, manifest: str, size: tuple[int, int], total: int,
                      exact: bool) -> Iterator[Page]:
        """Both halves of a size range; the second half's count is the whole's minus the first's, so
        an empty half is not asked for and a half still over the cap is split without asking first."""
        first, second = _size_split(*size)
        got = yield from self._search(framework, package, manifest, first)
        rest = total - got if exact and got is not None else None
        if rest is None or rest > 0:
            yield from self._search(framework, package, manifest, second, known_total=rest)

    # == accounts =============================================================================
    def fetch_accounts(self, account_ids: list[int]) -> Iterator[Page]:
        """Profiles of the accounts this run refers to: cached ones landed as they are, the rest (and
        those older than `refresh.profile_max_age_days`) fetched in GraphQL batches of 100."""
        ids = sorted(set(int(i) for i in account_ids))
        if not ids:
            return
        cached = self.ctx.cache.profiles(self.platform, ids)
        max_age = timedelta(days=self.ctx.catalogue.refresh.profile_max_age_days)
        fresh = [record for fetched_at, record in cached.values() if self.ctx.now - fetched_at <= max_age]
        for index, chunk in enumerate(_chunks(sorted(fresh, key=lambda r: r["account_id"]), 1000)):
            yield self.pages.land("accounts", "profile-cache", {"chunk": index, "first": chunk[0]["account_id"]}, chunk)
        fresh_ids = {r["account_id"] for r in fresh}
        wanted = [i for i in ids if i not in fresh_ids]
        names = logins_in_landing(self.ctx.landing, self.platform)
        apps, users, missing = [], [], []
        for account_id in wanted:
            login, type_ = names.get(account_id) or (cached.get(account_id, (None, {}))[1].get("login"), None)
            if not login:
                missing.append(account_id)
            elif login.endswith("[bot]") or type_ == "Bot":  # GitHub Apps have no user(login:) profile
                apps.append(empty_record("accounts", platform=self.platform, account_id=account_id, login=login, type="Bot"))
            else:
                users.append((account_id, login, "Organization" if type_ == "Organization" else "User"))
        if apps:
            yield self.pages.land("accounts", "app-bots", {"first": apps[0]["account_id"], "n": len(apps)}, apps)
        if missing:
            self.pages.finding(None, "accounts", "skipped", f"{len(missing)} account id(s) with no known login, "
                               f"e.g. {missing[:5]}")
        yield from self._in_parallel(self._profile_batch, list(_chunks(users, gql.BATCH)))

    def _profile_batch(self, batch: list[tuple[int, str, str]]) -> list[Page]:
        kinds = [kind for _, _, kind in batch]
        variables = {f"l{i}": login for i, (_, login, _) in enumerate(batch)}
        lost: list[tuple[int, str, str]] = []

        def fetch(_: str | None) -> Fetched:
            answer = self._graphql(gql.profiles_query(kinds), variables)
            data, errors = answer.get("data") or {}, gql.errors_by_alias(answer)
            records = []
            for i, (account_id, login, kind) in enumerate(batch):
                node = data.get(f"a{i}")
                if node and node.get("databaseId") is not None:
                    records.append(gql.account_record(self.platform, node, self.ctx.hasher, kind))
                else:
                    lost.append((account_id, login, (errors.get(f"a{i}") or {}).get("message", "no profile")))
            return Fetched(200, records)

        params = {"query": "profiles", "logins": [login for _, login, _ in batch]}
        try:
            page = self.pages.fetch_or_replay("accounts", "/graphql", params, fetch, conditional=False)
        except _Failed as failed:
            self._record_failure(None, "accounts", "/graphql", failed.response)
            return []
        if page.records:
            self.ctx.cache.put_profiles(self.platform, page.records, self.ctx.now)
        for account_id, login, message in lost:
            self.pages.finding(None, "accounts", "not_found",
                          f"account {account_id} ({login}): {message} (renamed or deleted since it was listed)", 404,
                          subject=str(account_id))
        return [page]

    # == helpers ==============================================================================
    def _in_parallel(self, work: Callable[[Any], list[Page]], items: list[Any]) -> Iterator[Page]:
        """Run independent jobs on as many threads as there are accounts; yield their pages in order."""
        if not items:
            return
        workers = max(1, min(len(self.http.pool), len(items)))
        if workers == 1:
            for item in items:
                yield from work(item)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="github") as pool:
            for pages in pool.map(work, items):
                yield from pages


def logins_in_landing(landing: Landing, platform: str) -> dict[int, tuple[str, str | None]]:
    """{account id: (login, type)} from this run's landed contributors, forks, stargazers and dependents."""
    out: dict[int, tuple[str, str | None]] = {}
    for entity, id_column, login_column, type_column in (
        ("contributors", "account_id", "login", None), ("stargazers", "account_id", "login", None),
        ("forks", "owner_id", "owner_login", "owner_type"), ("dependents", "owner_id", "owner_login", "owner_type"),
    ):
        for path in landing.record_files(entity):
            if f"/{entity}/{platform}/" not in path:
                continue
            with landing.fs.open(path, "rb") as handle:
                for line in handle.read().decode("utf-8").splitlines():
                    record = json.loads(line) if line else {}
                    if record.get(id_column) is not None and record.get(login_column):
                        out[int(record[id_column])] = (record[login_column], record.get(type_column) if type_column else None)
    return out
