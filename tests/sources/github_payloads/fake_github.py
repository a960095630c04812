"""A small in-memory GitHub for the GitHub source's tests: REST through `responses` callbacks (ETags,
304s, Link pagination, tokens and accounts, rate-limit headers) and a GraphQL responder that answers
the queries `oss_miner.sources.github_graphql` sends, over the same data.

Payload shapes follow api.github.com (see ../shared/api-samples/github for real bodies).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import responses

BASE = "https://api.github.test"
GRAPHQL = f"{BASE}/graphql"


def user_node(account_id: int, login: str, **extra: Any) -> dict[str, Any]:
    node = {"databaseId": account_id, "login": login, "name": f"Name {login}", "location": "Hangzhou, Zhejiang",
            "company": "@baidu", "websiteUrl": f"https://www.{login}.example/blog", "createdAt": "2015-01-01T00:00:00Z",
            "followers": {"totalCount": 3}, "repositories": {"totalCount": 7}}
    node.update(extra)
    return node


def repo_json(full_name: str, repo_id: int, stars: int, forks: int) -> dict[str, Any]:
    owner = full_name.split("/")[0]
    return {
        "id": repo_id, "node_id": f"R_{repo_id}", "name": full_name.split("/")[1], "full_name": full_name,
        "owner": {"login": owner, "id": 9000 + repo_id, "type": "Organization"},
        "description": "synthetic", "fork": False, "html_url": f"https://github.test/{full_name}",
        "clone_url": f"https://github.test/{full_name}.git", "default_branch": "main", "mirror_url": None,
        "stargazers_count": stars, "forks_count": forks, "watchers_count": stars, "subscribers_count": 4,
        "open_issues_count": 2, "size": 1234, "created_at": "2016-08-15T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z", "pushed_at": "2024-01-02T00:00:00Z", "archived": False,
        "language": "Python", "license": {"spdx_id": "Apache-2.0", "name": "Apache License 2.0"},
    }


@dataclass
class FakeRepo:
    full_name: str
    repo_id: int
    contributors: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)  # newest first: GraphQL release nodes
    stars: list[tuple[int, str, str]] = field(default_factory=list)  # newest first: (id, login, starred_at)
    forks: list[dict[str, Any]] = field(default_factory=list)  # newest first: GraphQL fork nodes
    commits: list[dict[str, Any]] = field(default_factory=list)
    activity: dict[str, int] = field(default_factory=lambda: {"openPullRequests": 5, "closedPullRequests": 6,
                                                              "mergedPullRequests": 7, "openIssues": 8, "closedIssues": 9})

    def json(self) -> dict[str, Any]:
        return repo_json(self.full_name, self.repo_id, len(self.stars), len(self.forks))


def fork_node(fork_id: int, owner_id: int, owner: str, owner_type: str = "User",
              pushed_at: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    return {"id": f"R_fork{fork_id}", "databaseId": fork_id, "nameWithOwner": f"{owner}/fork{fork_id}",
            "createdAt": "2023-01-01T00:00:00Z", "pushedAt": pushed_at, "stargazerCount": 0,
            "owner": {"__typename": owner_type, "login": owner, "databaseId": owner_id}}


class FakeGitHub:
    """Register with `fake.install(rsps)` inside a `responses.RequestsMock()` block."""

    def __init__(self, tokens: dict[str, str] | None = None):
        self.tokens = tokens or {"tok-alice": "alice"}  # token -> account login
        self.repos: dict[str, FakeRepo] = {}
        self.renamed: dict[str, str] = {}  # old full name -> new
        self.users: dict[str, dict[str, Any]] = {}  # login -> GraphQL user node
        self.orgs: dict[str, list[dict[str, Any]]] = {}
        self.search: dict[str, dict[str, Any]] = {}  # query -> {"items": [...], "incomplete": bool}
        self.special: dict[str, Callable[[], tuple[int, dict[str, str], str]]] = {}  # path -> canned answer
        self.faults: list[Any] = []  # answers (status, headers, body) or exceptions served before any real one
        self.search_remaining: dict[str, int] = defaultdict(lambda: 10)  # code search: 10 a minute
        self.calls: list[tuple[str, str, int, str]] = []  # (method, path or graphql kind, status, account)
        self.in_flight: Counter = Counter()
        self.max_in_flight: Counter = Counter()
        self.remaining: dict[str, int] = defaultdict(lambda: 5000)
        self._lock = threading.Lock()
        self.hold: Callable[[], None] | None = None  # called while a request is in flight

    # -- plumbing --------------------------------------------------------------------------------
    def install(self, rsps: responses.RequestsMock) -> None:
        # PyGithub writes the default port into the URL (https://host:443/path)
        host = re.escape(BASE) + r"(?::443)?"
        rsps.add_callback(responses.GET, re.compile(host + r"/.*"), callback=self._rest)
        rsps.add_callback(responses.POST, re.compile(host + r"/graphql"), callback=self._graphql)

    def count(self, method: str | None = None, path: str | None = None, status: int | None = None) -> int:
        return sum(1 for m, p, s, _ in self.calls
                   if (method is None or m == method) and (path is None or p == path) and (status is None or s == status))

    def _account(self, request: Any) -> str | None:
        header = request.headers.get("Authorization", "")
        return self.tokens.get(header.split(" ", 1)[-1])

    def _enter(self, account: str) -> None:
        with self._lock:
            self.in_flight[account] += 1
            self.max_in_flight[account] = max(self.max_in_flight[account], self.in_flight[account])
        if self.hold:
            self.hold()

    def _leave(self, account: str) -> None:
        with self._lock:
            self.in_flight[account] -= 1

    def _headers(self, account: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(self.remaining[account]),
                "X-RateLimit-Reset": "4102444800", "Content-Type": "application/json", **(extra or {})}

    @staticmethod
    def etag(body: Any) -> str:
        return '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'

    # -- REST ------------------------------------------------------------------------------------
    def _rest(self, request: Any) -> tuple[int, dict[str, str], str]:
        parts = urllib.parse.urlsplit(request.url)
        path, query = parts.path, dict(urllib.parse.parse_qsl(parts.query))
        account = self._account(request)
        if account is None:
            self.calls.append(("GET", path, 401, ""))
            return 401, {}, json.dumps({"message": "Bad credentials"})
        self._enter(account)
        try:
            status, headers, body = self._route(path, query, request, account)
        finally:
            self._leave(account)
        self.calls.append(("GET", path, status, account))
        return status, headers, body

    def _fault(self) -> tuple[int, dict[str, str], str]:
        fault = self.faults.pop(0)
        if isinstance(fault, Exception):
            raise fault
        return fault

    def _route(self, path: str, query: dict[str, str], request: Any, account: str) -> tuple[int, dict[str, str], str]:
        if self.faults:
            return self._fault()
        if path in self.special:
            return self.special[path]()
        if path == "/user":
            return self._answer(request, account, {"login": account, "id": abs(hash(account)) % 10_000})
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)(/\w+)?", path)
        if match and match.group(1) in self.renamed:
            new = self.renamed[match.group(1)]
            return 301, {"Location": f"{BASE}/repos/{new}{match.group(2) or ''}"}, json.dumps({"message": "Moved Permanently"})
        if match:
            repo = self.repos.get(match.group(1))
            if repo is None:
                return 404, self._headers(account), json.dumps({"message": "Not Found"})
            what = match.group(2)
            if what is None:
                return self._answer(request, account, repo.json())
            if what == "/contributors":
                if not repo.contributors:
                    return 204, self._headers(account), ""
                items = [c for c in repo.contributors if query.get("anon") == "1" or c.get("type") != "Anonymous"]
                return self._list(request, account, path, query, items)
            if what == "/releases":
                return self._list(request, account, path, query, repo.releases)
        match = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if match:
            if match.group(1) not in self.orgs:
                return 404, self._headers(account), json.dumps({"message": "Not Found"})
            return self._list(request, account, path, query, self.orgs[match.group(1)])
        if path == "/search/code":
            if self.search_remaining[account] <= 0:
                return 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}, json.dumps(
                    {"message": "API rate limit exceeded"})
            self.search_remaining[account] -= 1
            found = self._search(query["q"])
            status, headers, body = self._list(request, account, path, query, found["items"], search=found)
            return status, {**headers, "X-RateLimit-Limit": "10",
                            "X-RateLimit-Remaining": str(self.search_remaining[account])}, body
        return 404, self._headers(account), json.dumps({"message": "Not Found"})

    def _search(self, q: str) -> dict[str, Any]:
        """`self.search[base query]` = {"items": [...], "sizes": [bytes per item], "incomplete": bool};
        a `size:LOW..HIGH` qualifier filters by the item's size, as GitHub does."""
        base, _, size = q.partition(" size:")
        found = self.search.get(base, {"items": [], "incomplete": False})
        if not size:
            return found
        low, high = (int(x) for x in size.split(".."))
        sizes = found.get("sizes") or [0] * len(found["items"])
        return {**found, "items": [i for i, n in zip(found["items"], sizes) if low <= n <= high]}

    def _answer(self, request: Any, account: str, body: Any, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        etag = self.etag(body)
        if request.headers.get("If-None-Match") == etag:
            return 304, self._headers(account, {"ETag": etag}), ""
        self.remaining[account] -= 1
        return 200, self._headers(account, {"ETag": etag, **(extra or {})}), json.dumps(body)

    def _list(self, request: Any, account: str, path: str, query: dict[str, str], items: list[Any],
              search: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        reachable = items[:1000] if search is not None else items
        chunk = reachable[(page - 1) * per_page: page * per_page]
        last = max(1, -(-len(reachable) // per_page))
        links = []
        if page < last:
            links.append(f'<{BASE}{path}?{urllib.parse.urlencode({**query, "page": page + 1})}>; rel="next"')
            links.append(f'<{BASE}{path}?{urllib.parse.urlencode({**query, "page": last})}>; rel="last"')
        body: Any = chunk
        if search is not None:
            body = {"total_count": len(items), "incomplete_results": search["incomplete"], "items": chunk}
        return self._answer(request, account, body, {"Link": ", ".join(links)} if links else None)

    # -- GraphQL ---------------------------------------------------------------------------------
    def _graphql(self, request: Any) -> tuple[int, dict[str, str], str]:
        account = self._account(request)
        payload = json.loads(request.body)
        query, variables = payload["query"], payload.get("variables") or {}
        kind = next((k for k in ("pullRequests(", "stargazers(", "forks(", "releases(", "nodes(", "history(", "login:")
                     if k in query), "?").rstrip("(:")
        kind = "head" if kind == "pullRequests" else kind
        if account is None:
            self.calls.append(("POST", kind, 401, ""))
            return 401, {}, json.dumps({"message": "Bad credentials"})
        self._enter(account)
        try:
            if self.faults:
                status, headers, body = self._fault()
            else:
                status, headers, body = 200, self._headers(account), json.dumps(self._resolve(kind, query, variables))
                self.remaining[account] -= 1
        finally:
            self._leave(account)
        self.calls.append(("POST", kind, status, account))
        return status, headers, body

    def _resolve(self, kind: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if kind == "login":
            return self._profiles(query, variables)
        if kind == "nodes":
            by_id = {n["id"]: n for r in self.repos.values() for n in r.forks}
            nodes = [by_id.get(i) for i in variables["ids"]]
            errors = [{"type": "NOT_FOUND", "path": ["nodes", i], "message": f"Could not resolve to a node with the global id of '{x}'"}
                      for i, x in enumerate(variables["ids"]) if x not in by_id]
            return {"data": {"nodes": nodes}, **({"errors": errors} if errors else {})}
        name = f"{variables['owner']}/{variables['name']}"
        repo = self.repos.get(name)
        if repo is None:
            return {"data": {"repository": None}, "errors": [
                {"type": "NOT_FOUND", "path": ["repository"], "message": f"Could not resolve to a Repository with the name '{name}'."}]}
        node: dict[str, Any] = {}
        if "pullRequests(" in query:
            node.update({alias: {"totalCount": n} for alias, n in repo.activity.items()})
        for name, items in (("stargazers", repo.stars), ("forks", repo.forks), ("releases", repo.releases),
                            ("history", repo.commits)):
            if f"{name}(" not in query:
                continue
            start = int(variables.get("after") or 0)
            chunk = items[start:start + 100]
            page = {"totalCount": len(items), "pageInfo": {"hasNextPage": start + 100 < len(items),
                                                           "endCursor": str(start + len(chunk))}}
            if name == "stargazers":
                page["edges"] = [{"starredAt": at, "node": {"databaseId": i, "login": login}} for i, login, at in chunk]
            else:
                page["nodes"] = chunk
            if name == "history":
                node["defaultBranchRef"] = {"name": "main", "target": {"history": page}}
            else:
                node[name] = page
        return {"data": {"repository": node}}

    def _profiles(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        data, errors = {}, []
        for alias, field_name, var in re.findall(r"(a\d+): (user|organization)\(login: \$(l\d+)\)", query):
            login = variables[var]
            node = self.users.get(login)
            data[alias] = node
            if node is None:
                errors.append({"type": "NOT_FOUND", "path": [alias], "locations": [],
                               "message": f"Could not resolve to a User with the login of '{login}'."})
        return {"data": data, **({"errors": errors} if errors else {})}
