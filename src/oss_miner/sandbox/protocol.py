"""What the three forges' HTTP layers share: request context, paging, ETags, time formats, world lookups.

The API modules (`github_api`, `gitee_api`, `gitlab_api`, `graphql_api`) turn a `Ctx` into a `Reply`;
`render` makes it an HTTP response (JSON, ETag, 304). `WorldView` gives O(1) lookups into the world and
caches the sorted lists the endpoints page through, keyed by what changes when the world moves on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import quote, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from oss_miner.sandbox import derive
from oss_miner.sandbox.model import Account, Commit, Fork, Repo, Star, World

UTC = timezone.utc
CHINA = timezone(timedelta(hours=8))
SECRET_PARAMS = frozenset({"access_token", "private_token"})


# --------------------------------------------------------------------------------------------- time

def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def github_time(moment: datetime | None) -> str | None:
    """GitHub REST and GraphQL DateTime: UTC with a Z."""
    return None if moment is None else _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gitee_time(moment: datetime | None) -> str | None:
    """Gitee answers in Beijing time with its offset, e.g. 2021-09-30T18:10:23+08:00."""
    return None if moment is None else _aware(moment).astimezone(CHINA).isoformat(timespec="seconds")


def gitlab_time(moment: datetime | None) -> str | None:
    """GitLab: UTC with milliseconds and a Z, e.g. 2015-03-03T18:37:05.387Z."""
    if moment is None:
        return None
    return _aware(moment).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def git_time(moment: datetime) -> str:
    """A git timestamp keeps the author's own UTC offset (GitHub's GitTimestamp)."""
    return _aware(moment).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------ request/reply

@dataclass
class Reply:
    """What an endpoint answers; `render` turns it into bytes, an ETag and maybe a 304."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Ctx:
    """One request as the endpoints see it."""

    request: Request
    platform: str
    account: str | None  # None: unauthenticated
    origin: str  # scheme://host:port as the client addressed us

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def headers(self) -> Any:
        return self.request.headers

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def int_arg(self, name: str, default: int, low: int = 1, high: int | None = None) -> int:
        raw = self.request.query_params.get(name)
        try:
            value = int(raw) if raw not in (None, "") else default
        except ValueError:
            value = default
        value = max(low, value)
        return min(high, value) if high is not None else value

    def flag(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes")

    def url_with(self, **params: Any) -> str:
        """This request's URL with some query parameters replaced (secrets never echoed)."""
        pairs = [(k, v) for k, v in self.request.query_params.multi_items() if k not in params and k not in SECRET_PARAMS]
        pairs += [(k, str(v)) for k, v in params.items()]
        path = quote(self.request.scope.get("raw_path", b"").decode("latin-1") or self.request.url.path, safe="/%:@")
        return f"{self.origin}{path}?{urlencode(pairs)}"


def origin_of(request: Request) -> str:
    """Where links point: the server, below the prefix of the instance it serves (root_path, see instances.py)."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}{request.scope.get('root_path', '')}"


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in header.split(","))


def dumps(body: Any) -> bytes:
    return orjson.dumps(body)


def render(ctx: Ctx, reply: Reply) -> Response:
    """JSON bytes; on a GET that succeeded, an ETag and a 304 when If-None-Match matches it."""
    headers = dict(reply.headers)
    if reply.status == 204:
        return Response(status_code=204, headers=headers)
    if isinstance(reply.body, bytes):
        body = reply.body
    elif isinstance(reply.body, str):
        body = reply.body.encode()
    else:
        body = dumps(reply.body)
    if ctx.method == "GET" and reply.status == 200:
        etag = etag_of(body)
        headers["ETag"] = etag
        if etag_matches(ctx.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
    return Response(body, status_code=reply.status, headers=headers, media_type=reply.content_type)


# ------------------------------------------------------------------------------------------- paging

@dataclass(frozen=True)
class Window:
    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    def cut(self, items: list) -> list:
        return items[self.start:self.start + self.per_page]

    def last_page(self, total: int) -> int:
        return max(1, -(-total // self.per_page))


def window(ctx: Ctx, default_per_page: int, max_per_page: int = 100) -> Window:
    return Window(ctx.int_arg("page", 1), ctx.int_arg("per_page", default_per_page, 1, max_per_page))


def github_links(ctx: Ctx, win: Window, total: int, last_cap: int | None = None) -> dict[str, str]:
    """GitHub's Link header: next and last ahead, first and prev behind."""
    last = win.last_page(total)
    if last_cap is not None:
        last = min(last, last_cap)
    rels = []
    if win.page < last:
        rels += [("next", win.page + 1), ("last", last)]
    if win.page > 1:
        rels += [("first", 1), ("prev", min(win.page - 1, last))]
    if not rels:
        return {}
    return {"Link": ", ".join(f'<{ctx.url_with(page=p, per_page=win.per_page)}>; rel="{rel}"' for rel, p in rels)}


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 query parameter (since/until); None when absent or unreadable."""
    if not text:
        return None
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def commits_between(commits: list[Commit], since: str | None, until: str | None) -> list[Commit]:
    low, high = parse_time(since), parse_time(until)
    return [c for c in commits if (low is None or c.committed_at >= low) and (high is None or c.committed_at <= high)]


def commit_sha(commit: Commit) -> str:
    """The commit's git sha (written to its bare repository), or a stable stand-in for unwritten commits."""
    if commit.sha:
        return commit.sha
    return hashlib.sha1(f"{commit.author_email}{commit.authored_at.isoformat()}{commit.message}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------- node ids

NODE_PREFIX = {"User": "04:User", "Organization": "012:Organization", "Bot": "03:Bot", "Repository": "010:Repository",
               "Release": "07:Release", "Issue": "05:Issue", "PullRequest": "011:PullRequest"}


def node_id(kind: str, number: int) -> str:
    """GitHub's legacy global ids: base64 of '04:User123' and the like."""
    return base64.b64encode(f"{NODE_PREFIX[kind]}{number}".encode()).decode()


def parse_node_id(value: str) -> tuple[str, int] | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = re.fullmatch(r"\d+:([A-Za-z]+)(\d+)", text)
    return (match.group(1), int(match.group(2))) if match else None


# ---------------------------------------------------------------------------------------- activity

@dataclass(frozen=True)
class ActivityItem:
    """One synthetic issue or pull/merge request: the world keeps only counts per state."""

    number: int
    kind: str  # issue | pull
    state: str  # open | closed | merged
    created_at: datetime
    closed_at: datetime | None
    author_id: int | None


class Activity:
    """Issues and pull requests laid out from a repository's counts, oldest number first.

    Closed items take the low numbers and open ones the high numbers, so that filtering by state is a
    union of number ranges and a page never needs more than its own items built.
    """

    ORDER = (("issue", "closed"), ("pull", "merged"), ("pull", "closed"), ("issue", "open"), ("pull", "open"))

    def __init__(self, repo: Repo, now: datetime, authors: list[int]):
        self.repo = repo
        self.now = _aware(now)
        self.authors = authors or [repo.owner_id]
        counts = {("issue", s): int(repo.issues.get(s, 0)) for s in ("open", "closed")}
        counts |= {("pull", s): int(repo.pulls.get(s, 0)) for s in ("open", "closed", "merged")}
        self.blocks: list[tuple[str, str, int, int]] = []  # kind, state, first number, count
        number = 1
        for kind, state in self.ORDER:
            n = counts[(kind, state)]
            self.blocks.append((kind, state, number, n))
            number += n
        self.total = number - 1

    def count(self, kinds: set[str], states: set[str]) -> int:
        return sum(n for k, s, _, n in self.blocks if k in kinds and s in states)

    def numbers_desc(self, kinds: set[str], states: set[str], start: int, size: int) -> list[int]:
        """Numbers of the matching items, newest first, from position `start`."""
        ranges = sorted(((first, n) for k, s, first, n in self.blocks if k in kinds and s in states and n),
                        reverse=True)
        out: list[int] = []
        skip = start
        for first, n in ranges:
            if skip >= n:
                skip -= n
                continue
            top = first + n - 1 - skip
            skip = 0
            while top >= first and len(out) < size:
                out.append(top)
                top -= 1
            if len(out) >= size:
                break
        return out

    def item(self, number: int) -> ActivityItem:
        for kind, state, first, n in self.blocks:
            if first <= number < first + n:
                break
        else:
            raise KeyError(number)
        created = _aware(self.repo.created_at)
        span = max((self.now - created).total_seconds(), 1.0)
        created_at = created + timedelta(seconds=span * number / (self.total + 1))
        closed_at = None
        if state != "open":
            closed_at = min(created_at + timedelta(hours=1 + (number * 7919) % 500), self.now)
        author = self.authors[(number * 2654435761) % len(self.authors)]
        return ActivityItem(number, kind, state, created_at, closed_at, author)


# ------------------------------------------------------------------------------------- world view

class KeyedList:
    """Items in a fixed order with their sort keys, for cursor pagination that survives inserts."""

    def __init__(self, items: list, key: Callable[[Any], tuple], descending: bool):
        self.items = items
        self.descending = descending
        self.keys = [self._k(key(i)) for i in items]

    def _k(self, key: tuple) -> tuple:
        return tuple(-x for x in key) if self.descending else key

    def after(self, key: tuple | None) -> int:
        return 0 if key is None else bisect_right(self.keys, self._k(key))


def _stamp(moment: datetime) -> float:
    return _aware(moment).timestamp()


class WorldView:
    """O(1) lookups and cached orderings over a World that may move on (advance) between requests."""

    def __init__(self, world: World):
        self.world = world
        self._shape: tuple | None = None
        self._cache: dict[tuple, tuple[tuple, Any]] = {}
        self._payloads: dict[tuple, Any] = {}
        self.refresh()

    # -- indices, rebuilt when the world has changed shape
    def _world_signature(self) -> tuple:
        w = self.world
        return (len(w.advances), len(w.repos), len(w.accounts), len(w.people))

    def refresh(self, force: bool = False) -> None:
        signature = self._world_signature()
        if not force and signature == self._shape:
            return
        w = self.world
        self.by_login: dict[tuple[str, str], Account] = {}
        for account in w.accounts.values():
            if not account.deleted:
                self.by_login[(account.platform, account.login.lower())] = account
        self.by_name: dict[tuple[str, str], Repo] = {}
        self.by_old_name: dict[tuple[str, str], Repo] = {}
        self.forks_by_name: dict[tuple[str, str], tuple[Repo, Fork]] = {}
        self.forks_by_id: dict[tuple[str, int], tuple[Repo, Fork]] = {}
        self.by_owner: dict[tuple[str, int], list[Repo]] = {}
        for repo in w.repos.values():
            self.by_name[(repo.platform, repo.full_name.lower())] = repo
            for old in {*getattr(repo, "former_names", ()), *([repo.old_full_name] if repo.old_full_name else [])}:
                self.by_old_name[(repo.platform, old.lower())] = repo
            self.by_owner.setdefault((repo.platform, repo.owner_id), []).append(repo)
            for fork in repo.forks:
                if not fork.deleted:
                    self.forks_by_name[(repo.platform, fork.full_name.lower())] = (repo, fork)
                    self.forks_by_id[(repo.platform, fork.fork_id)] = (repo, fork)
        for repos in self.by_owner.values():
            repos.sort(key=lambda r: r.repo_id)
        self._cache.clear()
        self._payloads.clear()
        self._shape = signature

    # -- lookups
    def account(self, platform: str, account_id: int | None) -> Account | None:
        if account_id is None:
            return None
        account = self.world.accounts.get((platform, account_id))
        return None if account is None or account.deleted else account

    def account_by_login(self, platform: str, login: str) -> Account | None:
        return self.by_login.get((platform, login.lower()))

    def repo(self, platform: str, full_name: str) -> Repo | None:
        return self.by_name.get((platform, full_name.lower()))

    def repo_by_id(self, platform: str, repo_id: int) -> Repo | None:
        return self.world.repos.get((platform, repo_id))

    def renamed(self, platform: str, old_name: str) -> Repo | None:
        repo = self.by_old_name.get((platform, old_name.lower()))
        return repo if repo is not None and repo.full_name.lower() != old_name.lower() else None

    def fork(self, platform: str, full_name: str) -> tuple[Repo, Fork] | None:
        return self.forks_by_name.get((platform, full_name.lower()))

    def fork_by_id(self, platform: str, fork_id: int) -> tuple[Repo, Fork] | None:
        return self.forks_by_id.get((platform, fork_id))

    def repos_of(self, platform: str, owner_id: int) -> list[Repo]:
        return self.by_owner.get((platform, owner_id), [])

    def org_repos(self, platform: str, org: Account) -> list[Repo]:
        """An organisation's (GitLab: group's) repositories, oldest first."""
        return derive.org_repos(self.world, platform, org.login)

    # -- cached, per repository
    def _signature(self, repo: Repo) -> tuple:
        return (repo.version, len(repo.stars), len(repo.forks), len(repo.commits), len(repo.releases),
                len(self.world.advances))

    def payload(self, key: tuple, repo: Repo, build: Callable[[], Any]) -> Any:
        """A rendered payload about `repo` (or one of its forks), rebuilt when the repository changes."""
        full_key = (key, repo.platform, repo.repo_id, self._signature(repo))
        hit = self._payloads.get(full_key)
        if hit is None:
            if len(self._payloads) > 200_000:
                self._payloads.clear()
            hit = self._payloads[full_key] = build()
        return hit

    def _cached(self, name: str, repo: Repo, build: Callable[[], Any]) -> Any:
        key = (name, repo.platform, repo.repo_id)
        signature = self._signature(repo)
        hit = self._cache.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1]
        value = build()
        self._cache[key] = (signature, value)
        return value

    def stars(self, repo: Repo) -> list[Star]:
        """Stars of live accounts, oldest first (GitHub's REST order)."""
        return self._cached("stars", repo, lambda: derive.visible_stars(self.world, repo))

    def forks(self, repo: Repo, sort: str = "oldest") -> list[Fork]:
        """Forks that still exist and whose owner does, in GitHub's `sort` order."""
        return self._cached(f"forks-{sort}", repo, lambda: derive.visible_forks(self.world, repo, sort))

    def keyed_stars(self, repo: Repo, descending: bool) -> KeyedList:
        def key(star: Star) -> tuple:
            return (_stamp(star.starred_at), star.account_id)
        return self._cached(f"kstars{descending}", repo, lambda: KeyedList(
            sorted(self.stars(repo), key=key, reverse=descending), key, descending))

    def keyed_forks(self, repo: Repo, field_name: str, descending: bool) -> KeyedList:
        def key(f: Fork) -> tuple:
            if field_name == "STARGAZERS":
                return (f.stars, f.fork_id)
            if field_name in ("PUSHED_AT", "UPDATED_AT"):
                return (_stamp(f.pushed_at), f.fork_id)
            return (_stamp(f.created_at), f.fork_id)

        def build() -> KeyedList:
            ordered = sorted(self.forks(repo), key=key, reverse=descending)
            return KeyedList(ordered, key, descending)
        return self._cached(f"kforks{field_name}{descending}", repo, build)

    def contributors(self, repo: Repo, anon: bool = True) -> list[derive.ContributorEntry]:
        """What the platform's contributors endpoint lists (GitHub: accounts, and with anon also emails)."""
        return derive.contributors(self.world, repo, anon)

    def contributors_status(self, repo: Repo) -> str:
        """ok, empty (204 on GitHub) or too_large (GitHub's 403)."""
        return derive.contributors_status(repo)

    def commits(self, repo: Repo) -> list[Commit]:
        """Default-branch commits, newest first (git log order)."""
        return self._cached("commits", repo, lambda: derive.default_branch_commits(repo)[::-1])

    def account_of_email(self, email: str) -> Account | None:
        """The live GitHub account a commit email links to (GitHub links commits by verified email)."""
        return derive.github_email_accounts(self.world).get((email or "").lower())

    def releases(self, repo: Repo) -> list:
        return self._cached("releases", repo, lambda: sorted(
            repo.releases, key=lambda r: (_stamp(r.created_at), r.release_id), reverse=True))

    def activity(self, repo: Repo) -> Activity:
        def build() -> Activity:
            authors = [c.account_id for c in self.contributors(repo, anon=False)[:50]]
            return Activity(repo, self.world.now, authors)
        return self._cached("activity", repo, build)

    def is_empty(self, repo: Repo) -> bool:
        return derive.contributors_status(repo) == "empty" or repo.kind == "empty"
