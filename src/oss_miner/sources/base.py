"""What every platform source shares: the context it runs in, page landing, request accounting.

A source (one module per platform, in the spirit of Perceval's backends) is a class with one fetch
method per entity kind; each method is a generator of `Page`s whose records follow `records.py`.
Sources call `PageStore.fetch_or_replay` for every page so that:

- a page this run already landed is replayed from the landing area without a request (resumption);
- a page fetched before is requested with `If-None-Match`, and a 304 replays the cached records;
- every page is landed atomically and remembered in the HTTP cache.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from oss_miner.cache import Cache, CachedPage
from oss_miner.config import Catalogue, Credentials, RepoRef
from oss_miner.labels import SYNTHETIC_HEADER
from oss_miner.landing import Landing, Page, page_key
from oss_miner.privacy import Hasher, Redactor
from oss_miner.progress import PROGRESS

log = logging.getLogger("oss_miner.extract")


@dataclass
class RequestStats:
    """Requests of one extraction task, by endpoint template and status; thread-safe."""

    platform: str
    free_not_modified: bool = False  # the service does not count 304s against the rate limit (GitHub)
    requests: Counter = field(default_factory=Counter)  # (endpoint, status) -> count
    bytes: int = 0
    graphql_points: int = 0
    not_modified: int = 0  # 304 answers
    replayed_pages: int = 0  # pages taken from this run's landing area (resumption)
    retries: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_s: float = 0.0
    synthetic: bool = False  # some answer came from the oss-miner sandbox (it marks every answer; real forges never do)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def request(self, endpoint: str, status: int, size: int = 0) -> None:
        with self._lock:
            self.requests[(endpoint, status)] += 1
            self.bytes += size
            if status == 304:
                self.not_modified += 1

    def answered_by(self, headers: Mapping[str, str]) -> None:
        """Note whether an answer's headers say it is the sandbox's synthetic data (header names are
        case-insensitive; some clients lower-case them, some do not)."""
        if not self.synthetic and any(name.lower() == SYNTHETIC_HEADER.lower() for name in headers):
            self.synthetic = True

    def waited(self, seconds: float) -> None:
        """Call before sleeping for a rate-limit reset (it also starts the terminal countdown)."""
        PROGRESS.waiting(self.platform, seconds)
        with self._lock:
            self.rate_limit_waits += 1
            self.rate_limit_wait_s += seconds

    def budget(self, remaining: int | None) -> None:
        """Requests left in the current rate-limit window, as the service last reported it."""
        PROGRESS.budget(self.platform, remaining)

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def points(self, n: int) -> None:
        with self._lock:
            self.graphql_points += n

    def replayed(self) -> None:
        with self._lock:
            self.replayed_pages += 1

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def rate_limited(self) -> int:
        """Requests that count against a rate limit (GitHub does not count 304s)."""
        free = self.not_modified if self.free_not_modified else 0
        return self.total - free

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "requests": self.total,
            "rate_limited_requests": self.rate_limited,
            "not_modified": self.not_modified,
            "replayed_pages": self.replayed_pages,
            "bytes": self.bytes,
            "graphql_points": self.graphql_points,
            "retries": self.retries,
            "rate_limit_waits": self.rate_limit_waits,
            "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
            "synthetic": self.synthetic,
            "by_endpoint": [
                {"endpoint": e, "status": s, "count": n} for (e, s), n in sorted(self.requests.items())
            ],
        }


@dataclass
class ExtractContext:
    """Everything a source needs; built once per run by the pipeline."""

    catalogue: Catalogue
    credentials: Credentials
    landing: Landing
    cache: Cache
    hasher: Hasher
    redactor: Redactor
    state_dir: Path  # run state of this database: clones/ lives here
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    latency_hint_ms: int = 0

    def is_bot(self, *texts: str | None) -> bool:
        return any(t and self.catalogue.bot_regex.search(t) for t in texts)


def instance_name(ctx: ExtractContext, dialect: str, platform: str | None) -> str:
    """The instance a source of `dialect` serves: the one named, else the catalogue's only one of its dialect."""
    if platform is not None:
        return platform
    names = [name for name, instance in ctx.catalogue.platforms.items() if instance.api == dialect]
    if len(names) != 1:
        raise ValueError(f"the catalogue has {len(names)} {dialect} instances; name the one this source serves")
    return names[0]


@dataclass
class Fetched:
    """What a source's transport returns for one request."""

    status: int
    records: list[dict[str, Any]]
    etag: str | None = None
    next: str | None = None


class PageStore:
    """Landing-aware, cache-aware page fetching shared by every source."""

    def __init__(self, ctx: ExtractContext, platform: str, stats: RequestStats):
        self.ctx = ctx
        self.platform = platform
        self.stats = stats

    def fetch_or_replay(
        self,
        entity: str,
        endpoint: str,
        params: dict[str, Any],
        fetch: Callable[[str | None], Fetched],
        *,
        repo: str | None = None,
        conditional: bool = True,
    ) -> Page:
        """The page for (entity, endpoint, params): replayed, revalidated or fetched, and landed.

        `fetch(etag)` performs the request (sending If-None-Match when etag is given) and returns a
        `Fetched`; status 304 means "use the cached records".
        """
        landed = self.ctx.landing.get(self.platform, entity, endpoint, params)
        if landed is not None:
            self.stats.replayed()
            return landed
        key = page_key(self.platform, entity, endpoint, params)
        cached: CachedPage | None = self.ctx.cache.page(key) if conditional else None
        got = fetch(cached.etag if cached and cached.etag else None)
        replayed = got.status == 304 and cached is not None
        if replayed:
            page = Page(self.platform, entity, endpoint, params, cached.records, repo=repo,
                        etag=cached.etag, next=cached.next, status=304)
        else:
            page = Page(self.platform, entity, endpoint, params, got.records, repo=repo,
                        etag=got.etag, next=got.next, status=got.status)
        self.ctx.landing.put(page)  # first: it drops the records of forgotten people, which are not cached either
        if not replayed and conditional and got.etag:
            self.ctx.cache.put_page(key, got.etag, got.next, page.records, page.fetched_at)
        PROGRESS.page(self.platform, repo, len(page.records))
        return page

    def land(self, entity: str, endpoint: str, params: dict[str, Any], records: list[dict[str, Any]],
             *, repo: str | None = None, status: int = 200) -> Page:
        """Land records that did not come from one request (derived records, findings, cache replays)."""
        page = Page(self.platform, entity, endpoint, params, records, repo=repo, status=status)
        self.ctx.landing.put(page)
        PROGRESS.page(self.platform, repo, len(records))
        return page

    def finding(self, repo: str | None, entity: str, kind: str, detail: str, status: int | None = None,
                subject: str | None = None) -> None:
        """Record something the run noticed (404, rename, too-large list...) as a landed finding.

        `subject` tells apart several findings of one kind for one repository and entity (two lost
        profiles, two capped searches), which would otherwise land under the same page key.
        """
        record = {"platform": self.platform, "repo": repo, "entity": entity, "kind": kind,
                  "status": status, "detail": self.ctx.redactor(detail)[:500]}
        params = {"repo": repo, "entity": entity, "kind": kind}
        if subject is not None:
            params["subject"] = subject
        self.land("findings", "finding", params, [record], repo=repo)
        log.info("%s %s %s: %s", self.platform, repo or "", kind, record["detail"])


class Source(Protocol):
    """The shape of a platform source, `Class(ctx, instance_name)`. Each fetch method yields landed pages."""

    platform: str  # the instance NAME
    stats: RequestStats

    @staticmethod
    def check_endpoints(instance: Any) -> None: ...  # what the schema cannot see (UserError)

    def fetch_repository(self, framework: str, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_contributors(self, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_forks(self, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_stargazers(self, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_releases(self, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_activity(self, repo: RepoRef) -> Iterator[Page]: ...
    def fetch_org_repos(self, org: str) -> Iterator[Page]: ...
    def fetch_accounts(self, account_ids: list[int]) -> Iterator[Page]: ...


def referenced_accounts(landing: Landing, platform: str) -> list[int]:
    """Account ids this run's landed pages refer to on one platform (profiles to have)."""
    ids: set[int] = set()
    for entity, column in (("contributors", "account_id"), ("forks", "owner_id"),
                           ("stargazers", "account_id"), ("dependents", "owner_id")):
        for path in landing.record_files(entity):
            if f"/{entity}/{platform}/" not in path:
                continue
            with landing.fs.open(path, "rb") as handle:
                for line in handle.read().decode("utf-8").splitlines():
                    value = json.loads(line).get(column) if line else None
                    if value is not None:
                        ids.add(int(value))
    return sorted(ids)


_LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')


def parse_link_header(value: str | None) -> dict[str, str]:
    """{rel: url} from an RFC 8288 Link header."""
    return {rel: url for url, rel in _LINK.findall(value or "")}
