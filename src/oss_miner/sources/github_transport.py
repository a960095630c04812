"""How oss-miner talks to GitHub: tokens grouped by account, one request at a time per account.

GitHub counts its limits per *account* (5,000 REST requests and 5,000 GraphQL points an hour, 10 code
searches a minute), however many tokens the account has, and asks clients to send one account's
requests serially. So the pool asks `GET /user` once per token, keeps one PyGithub client per account
(the account's other tokens are spares, used if the first one is revoked), and lends each account to
one request at a time. Threads that share the source therefore run one request per account at once,
and N accounts go about N times as fast.

PyGithub (`Github(...).requester`) sends every request: REST GETs with `If-None-Match`, and GraphQL
POSTs to the configured GraphQL URL (PyGithub's requester keeps only the path of an absolute URL and
sends it to the host of `base_url`, so the GraphQL endpoint must live on the same host, as it does on
api.github.com and GitHub Enterprise). Its `GithubRetry` (a urllib3 `Retry`) retries 5xx answers,
timeouts and connection resets with exponential backoff and jitter, and obeys `Retry-After`; a
subclass here only reports those retries and waits to the run's statistics. What urllib3 cannot
see is handled in `GitHubTransport.send`: bodies that do not parse (truncated), GraphQL errors,
primary rate limits (the account is set aside until `X-RateLimit-Reset`, another account takes
over, and when every account is spent the thread sleeps with a log line saying until when) and 401s
(the token is dropped; when no token is left the run fails with one line).

`seconds_between_requests` and `seconds_between_writes` are set to None on purpose: PyGithub's
defaults (0.25 s and 1 s) would cap an account at 4 GETs and 1 GraphQL query a second, yet GitHub's
guidance asks only for serial requests per account (done here by the lease) and a pause between
*mutations*, which oss-miner never sends (its GraphQL POSTs are queries).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import requests
import urllib3
from github import Auth, Github, GithubException, GithubRetry

from oss_miner.cache import Cache
from oss_miner.config import url_env
from oss_miner.errors import RunFailed, UserError
from oss_miner.privacy import Redactor
from oss_miner.sources.base import RequestStats
from oss_miner.sources.http import stop_at_dead_host, transport_policy, unreachable

log = logging.getLogger("oss_miner.extract.github")
# PyGithub writes to stderr through a handler of its own, which bypasses the application's handlers
# (and their redaction and levels); its records go through those instead.
for _handler in list(logging.getLogger("github").handlers):
    if isinstance(_handler, logging.StreamHandler):
        logging.getLogger("github").removeHandler(_handler)

Sleep = Callable[[float], None]
Clock = Callable[[], float]

# Budgets GitHub keeps apart (X-RateLimit-Resource): REST, GraphQL points, code search.
CORE, GRAPHQL, CODE_SEARCH = "core", "graphql", "code_search"
BUDGET_NAMES = {CORE: "REST", GRAPHQL: "GraphQL", CODE_SEARCH: "code-search"}  # as a log line says them
MAX_ATTEMPTS = 6  # of our own loop (truncated bodies, failures urllib3 gave up on)
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
SECONDARY_WAIT_S = 60.0  # GitHub's advice when a secondary limit comes without Retry-After


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    data: Any  # parsed JSON body, None when empty
    account: str
    size: int = 0

    @property
    def message(self) -> str:
        return str(self.data.get("message", "")) if isinstance(self.data, dict) else ""


class _Hooks:
    """What the urllib3 retry of one account reports back (it only knows the URL)."""

    def __init__(self, transport: "GitHubTransport"):
        self.transport = transport
        self.endpoint = ""
        self.login = ""

    def retried(self, status: int) -> None:
        self.transport.stats.request(self.endpoint, status)
        self.transport.stats.retried()

    def waited(self, seconds: float) -> None:
        log.warning("%s: account %s was asked to wait (Retry-After); sleeping until %s", self.transport.stats.platform,
                    self.login, iso(self.transport.clock() + seconds))
        self.transport.stats.waited(seconds)

    def sleep(self, seconds: float) -> None:
        self.transport.sleep(seconds)


class ReportingRetry(GithubRetry):
    """GithubRetry whose retries and waits reach the run's statistics and whose sleep is injectable."""

    def __init__(self, hooks: _Hooks | None = None, **kwargs: Any):
        self.hooks = hooks
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> "ReportingRetry":
        kw["hooks"] = self.hooks
        return super().new(**kw)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[override]
        stop_at_dead_host(self.hooks is None or self.hooks.transport.answered, error, url, _pool)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.hooks is not None:
            self.hooks.retried(getattr(response, "status", 0) or 0)
        return retry

    def sleep(self, response=None) -> None:  # type: ignore[override]
        seconds = self.get_retry_after(response) if (response is not None and self.respect_retry_after_header) else None
        if seconds:
            if self.hooks is not None:
                self.hooks.waited(seconds)
        else:
            seconds = self.get_backoff_time()
        if seconds > 0:
            (self.hooks.sleep if self.hooks is not None else time.sleep)(seconds)


def make_retry(hooks: _Hooks | None) -> ReportingRetry:
    # max_rate_limit_wait=0: a *primary* limit is not slept through inside urllib3 (holding the
    # account for up to an hour); it comes back to the pool, which moves to another account.
    return ReportingRetry(
        hooks=hooks, total=5, backoff_factor=0.5, backoff_jitter=0.5, backoff_max=BACKOFF_MAX_S,
        raise_on_status=False, max_rate_limit_wait=0, secondary_rate_wait=SECONDARY_WAIT_S,
    )


@dataclass(eq=False)
class Account:
    """One GitHub account of the pool, with the client of its current token and its budgets."""

    login: str
    tokens: list[str]
    client: Github
    hooks: _Hooks
    busy: bool = False
    remaining: dict[str, int] = field(default_factory=dict)
    spent_until: dict[str, float] = field(default_factory=dict)  # resource -> epoch
    blocked_until: float = 0.0  # secondary limit: the whole account waits

    @property
    def requester(self):  # noqa: ANN201 - PyGithub's Requester
        return self.client.requester

    def ready(self, resource: str, now: float) -> bool:
        return now >= self.blocked_until and now >= self.spent_until.get(resource, 0.0)

    def available_at(self, resource: str) -> float:
        return max(self.blocked_until, self.spent_until.get(resource, 0.0))


class AccountPool:
    """Accounts lent to one request at a time; waits (and says so) when every account is spent."""

    def __init__(self, accounts: list[Account], stats: RequestStats, sleep: Sleep, clock: Clock, token_env: str):
        self.accounts = accounts
        self.stats = stats
        self.token_env = token_env  # the variable the tokens came from, for saying which to fix
        self.sleep = sleep
        self.clock = clock
        self._cond = threading.Condition()
        self._sleeping: set[str] = set()

    def __len__(self) -> int:
        return len(self.accounts)

    @contextmanager
    def lease(self, resource: str, prefer: str | None = None) -> Iterator[Account]:
        account = self._acquire(resource, prefer)
        try:
            yield account
        finally:
            with self._cond:
                account.busy = False
                self._cond.notify_all()

    def _acquire(self, resource: str, prefer: str | None) -> Account:
        while True:
            with self._cond:
                if not self.accounts:
                    raise RunFailed(f"{self.stats.platform}: every token was rejected (401); check {self.token_env}")
                now = self.clock()
                ready = [a for a in self.accounts if a.ready(resource, now)]
                if ready:
                    # An ETag is answered 304 by the account that received it: stay with that account.
                    chosen = [a for a in ready if a.login == prefer] or ready
                    free = [a for a in chosen if not a.busy]
                    if free:
                        account = max(free, key=lambda a: a.remaining.get(resource, 1 << 30))
                        account.busy = True
                        return account
                    self._cond.wait(timeout=1.0)
                    continue
                soonest = min(self.accounts, key=lambda a: a.available_at(resource))
                until = soonest.available_at(resource)
                if resource in self._sleeping:  # another thread is already sleeping on it
                    self._cond.wait(timeout=max(until - now, 0.05))
                    continue
                self._sleeping.add(resource)
            wait = max(until - now, 0.0)
            log.warning("%s: %s rate limit of account %s spent; sleeping until %s", self.stats.platform,
                        BUDGET_NAMES.get(resource, resource), soonest.login, iso(until))
            self.stats.waited(wait)
            try:
                self.sleep(wait)
            finally:
                with self._cond:
                    self._sleeping.discard(resource)
                    # The budget is back (or the sleep was cut short): let the next answer say.
                    soonest.spent_until.pop(resource, None)
                    soonest.blocked_until = min(soonest.blocked_until, self.clock())
                    self._cond.notify_all()

    def observe(self, account: Account, resource: str, headers: dict[str, str]) -> None:
        """Keep the account's budget from the rate-limit headers of an answer."""
        remaining, reset = headers.get("x-ratelimit-remaining"), headers.get("x-ratelimit-reset")
        if remaining is None:
            return
        with self._cond:
            try:
                account.remaining[resource] = int(float(remaining))
                if account.remaining[resource] <= 0 and reset is not None:
                    account.spent_until[resource] = float(reset)
            except ValueError:
                pass

    def spend(self, account: Account, resource: str, until: float) -> None:
        with self._cond:
            account.spent_until[resource] = max(until, self.clock())
            account.remaining[resource] = 0
            self._cond.notify_all()
        log.info("%s: account %s spent its %s budget until %s", self.stats.platform, account.login, resource, iso(until))

    def block(self, account: Account, until: float) -> None:
        with self._cond:
            account.blocked_until = max(account.blocked_until, until)
            self._cond.notify_all()

    def drop_token(self, account: Account) -> bool:
        """The account's current token was rejected: move to a spare one, else drop the account.

        Returns True when the account can go on with another token.
        """
        with self._cond:
            account.tokens.pop(0)
            if account.tokens:
                account.client = _client(account.client.requester.base_url, account.tokens[0], account.hooks)
                return True
            if account in self.accounts:
                self.accounts.remove(account)
            self._cond.notify_all()
            return False


def _timeout_s() -> int:
    """The request timeout shared with the other sources (OSS_MINER_HTTP_TIMEOUT_S), in the whole seconds
    PyGithub accepts."""
    return max(1, math.ceil(transport_policy().timeout_s))


def _client(base_url: str, token: str, hooks: _Hooks | None) -> Github:
    return Github(
        base_url=base_url, auth=Auth.Token(token), per_page=100, timeout=_timeout_s(),
        retry=make_retry(hooks), seconds_between_requests=None, seconds_between_writes=None,
        user_agent="oss-miner",
    )


def check_endpoints(platform: str, base_url: str, graphql_url: str) -> None:
    """PyGithub sends GraphQL to the host of the REST URL: the two must share it."""
    if not _same_origin(base_url, graphql_url):
        raise UserError(
            f"platforms.{platform}.graphql_url ({graphql_url}) must be on the same host as platforms.{platform}.url "
            f"({base_url}), as it is on api.github.com and GitHub Enterprise"
        )


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


class GitHubTransport:
    """Sends REST GETs and GraphQL queries through the account pool; built lazily on first use."""

    def __init__(self, base_url: str, graphql_url: str, tokens: list[str], cache: Cache, stats: RequestStats,
                 redactor: Redactor, *, token_env: str, sleep: Sleep = time.sleep, clock: Clock = time.time,
                 identity_max_age_s: float = 0.0):
        check_endpoints(stats.platform, base_url, graphql_url)
        self.token_env = token_env
        self.base_url = base_url.rstrip("/")
        self.graphql_url = graphql_url
        self._tokens = tokens
        self.cache = cache
        self.stats = stats
        self.redactor = redactor
        self.sleep = sleep
        self.clock = clock
        self.identity_max_age_s = identity_max_age_s  # how long a token's account (GET /user) is trusted
        self._pool: AccountPool | None = None
        self._pool_lock = threading.Lock()
        self.answered = False  # whether GitHub has answered anything in this run (else a dead host fails at once)

    # -- the pool ----------------------------------------------------------------------------
    @property
    def pool(self) -> AccountPool:
        with self._pool_lock:
            if self._pool is None:
                self._pool = AccountPool(self._discover(), self.stats, self.sleep, self.clock, self.token_env)
            return self._pool

    def _discover(self) -> list[Account]:
        """Group the tokens by the account `GET /user` names (conditional: a 304 is free)."""
        if not self._tokens:
            raise UserError(f"{self.stats.platform}: no token; set {self.token_env} (comma-separated for a pool of tokens)")
        by_login: dict[str, Account] = {}
        for index, token in enumerate(self._tokens, 1):
            hooks = _Hooks(self)
            hooks.endpoint = "/user"
            account = Account(login=f"token-{index}", tokens=[token], client=_client(self.base_url, token, hooks),
                              hooks=hooks)
            login = self._whoami(account, index)
            if login is None:
                continue
            if login in by_login:
                by_login[login].tokens.append(token)
                continue
            account.login = hooks.login = login
            by_login[login] = account
        if not by_login:
            raise RunFailed(f"{self.stats.platform}: every token was rejected (401); check {self.token_env}")
        log.info("%s: %d token(s) belong to %d account(s): %s", self.stats.platform, len(self._tokens), len(by_login),
                 ", ".join(sorted(by_login)))
        return list(by_login.values())

    def _whoami(self, account: Account, index: int) -> str | None:
        key = f"{self.stats.platform}:user:" + _fingerprint(account.tokens[0])
        cached = self.cache.page(key)
        if cached is not None and self.clock() - cached.fetched_at.timestamp() < self.identity_max_age_s:
            return str(cached.records[0]["login"])
        for attempt in range(MAX_ATTEMPTS):
            response = self._once(account, "GET", "/user", f"{self.base_url}/user", None,
                                  {"If-None-Match": cached.etag} if cached and cached.etag else {}, None)
            if response.status == 304 and cached is not None:
                self.cache.put_page(key, cached.etag, None, cached.records, datetime.fromtimestamp(self.clock(), timezone.utc))
                return str(cached.records[0]["login"])
            if response.status == 200 and isinstance(response.data, dict) and response.data.get("login"):
                login = str(response.data["login"])
                self.cache.put_page(key, response.headers.get("etag"), None, [{"login": login}],
                                    datetime.fromtimestamp(self.clock(), timezone.utc))
                return login
            if response.status == 401:
                log.warning("%s: token %d of %d was rejected (401); leaving it out", self.stats.platform, index, len(self._tokens))
                return None
            reset = _limit_reset(response, self.clock()) if response.status in (403, 429) else None
            if reset is not None:
                if cached is not None:  # the account is known; its budget is the pool's business
                    return str(cached.records[0]["login"])
                until = reset
                log.warning("%s: rate limit of token %d spent; sleeping until %s", self.stats.platform, index, iso(until))
                self.stats.waited(max(until - self.clock(), 0.0))
                self.sleep(max(until - self.clock(), 0.0))
                continue
            if not _transient(response):
                raise RunFailed(self.redactor(
                    f"{self.stats.platform}: GET /user answered {response.status} ({response.message or 'no message'}); "
                    f"check platforms.{self.stats.platform}.url ({self.base_url})"))
            self._backoff(attempt)
        platform = self.stats.platform
        raise RunFailed(f"{platform}: GET /user kept failing at {self.base_url}; is the server up? Check "
                        f"{url_env(platform)} or the catalogue's [platforms.{platform}] url, then re-run to resume")

    # -- requests ----------------------------------------------------------------------------
    def get(self, endpoint: str, url: str, params: dict[str, Any] | None = None, *, etag: str | None = None,
            resource: str = CORE, prefer: str | None = None) -> Response:
        headers = {"If-None-Match": etag} if etag else {}
        return self.send("GET", endpoint, url, params, headers, None, resource, prefer)

    def graphql(self, query: str, variables: dict[str, Any]) -> Response:
        """A GraphQL query; `data` is the whole answer ({"data": ..., "errors": [...]})."""
        response = self.send("POST", "/graphql", self.graphql_url, None, {}, {"query": query, "variables": variables},
                             GRAPHQL, None)
        if response.status == 200:
            self.stats.points(1)
        return response

    def send(self, verb: str, endpoint: str, url: str, params: dict[str, Any] | None, headers: dict[str, str],
             body: Any, resource: str, prefer: str | None) -> Response:
        """One request, retried through truncation, rate limits and token rejection.

        Returns the final answer, whatever its status (the caller turns 4xx into findings); a
        transient failure that outlasts every retry is returned as it was last seen.
        """
        if not _same_origin(url, self.base_url):
            return Response(0, {}, {"message": f"refused to send credentials to {urllib.parse.urlsplit(url).hostname}"},
                            "", 0)
        attempt = 0
        while True:
            with self.pool.lease(resource, prefer) as account:
                response = self._once(account, verb, endpoint, url, params, dict(headers), body)
                self.pool.observe(account, resource, response.headers)
            if response.status == 401:
                log.warning("%s: a token of account %s was rejected (401)", self.stats.platform, account.login)
                self.pool.drop_token(account)
                continue
            if self._rate_limited(account, resource, response):
                prefer = None
                continue
            if verb == "POST" and response.status == 200 and _graphql_transient(response.data):
                response.status = 0  # GitHub's "Something went wrong... timeout": ask again
            if not _transient(response):
                return response
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                log.warning("%s: %s %s still failing after %d attempts (status %s)", self.stats.platform, verb, endpoint, attempt,
                            response.status or "no answer")
                return response
            self.stats.retried()
            self._backoff(attempt)

    def _once(self, account: Account, verb: str, endpoint: str, url: str, params: dict[str, Any] | None,
              headers: dict[str, str], body: Any) -> Response:
        """One request through PyGithub; never raises for an HTTP answer."""
        account.hooks.endpoint = endpoint
        try:
            status, response_headers, text = account.requester.requestJson(verb, url, params, headers, body)
        except GithubException as exc:  # GithubRetry raises for 403s it inspected and found not retryable
            status = exc.status
            response_headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
            text = json.dumps(exc.data) if exc.data is not None else ""
        except RuntimeError as exc:  # PyGithub refuses redirects to another host or scheme
            self.stats.request(endpoint, 301)
            return Response(301, {}, {"message": self.redactor(str(exc)), "refused_redirect": True}, account.login)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.stats.request(endpoint, 0)
            dead = None if self.answered else unreachable(self.stats.platform, self.base_url, exc)
            if dead is not None:
                raise dead from None
            log.info("%s: %s %s failed (%s); will retry", self.stats.platform, verb, endpoint, self.redactor(type(exc).__name__))
            return Response(0, {}, None, account.login)
        self.answered = True
        size = len(text.encode("utf-8")) if isinstance(text, str) else 0
        self.stats.request(endpoint, status, size)
        self.stats.answered_by(response_headers or {})
        try:
            data = json.loads(text) if text else None
        except ValueError:  # a truncated body: counted as a failed answer and asked again
            return Response(0, response_headers, None, account.login, size)
        return Response(status, response_headers, data, account.login, size)

    def _rate_limited(self, account: Account, resource: str, response: Response) -> bool:
        """Set the account aside when the answer says its budget is spent or it must wait."""
        if response.status not in (403, 429) and not (response.status == 200 and _graphql_rate_limited(response.data)):
            return False
        headers = response.headers
        retry_after = headers.get("retry-after")
        now = self.clock()
        if retry_after is not None:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = SECONDARY_WAIT_S
            self.pool.block(account, now + seconds)
            log.warning("%s: account %s hit a secondary rate limit; it waits until %s", self.stats.platform, account.login,
                        iso(now + seconds))
            return True
        if headers.get("x-ratelimit-remaining") == "0" or _graphql_rate_limited(response.data) or \
                "rate limit" in response.message.lower():
            reset = headers.get("x-ratelimit-reset")
            until = float(reset) if reset else now + SECONDARY_WAIT_S
            if "secondary" in response.message.lower() and not reset:
                self.pool.block(account, until)
            else:
                self.pool.spend(account, resource, until)
            return True
        return False

    def _backoff(self, attempt: int) -> None:
        delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
        self.sleep(delay)


def _limit_reset(response: Response, now: float) -> float | None:
    """When a rate-limited answer says the budget comes back (epoch), else None."""
    headers = response.headers
    if "retry-after" in headers:
        try:
            return now + float(headers["retry-after"])
        except ValueError:
            return now + SECONDARY_WAIT_S
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        return float(headers["x-ratelimit-reset"])
    return None


def _transient(response: Response) -> bool:
    return response.status == 0 or response.status >= 500


def _graphql_errors(data: Any) -> list[dict[str, Any]]:
    return [e for e in (data.get("errors") or []) if isinstance(e, dict)] if isinstance(data, dict) else []


def _graphql_rate_limited(data: Any) -> bool:
    return any(e.get("type") == "RATE_LIMITED" for e in _graphql_errors(data))


def _graphql_transient(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("data") is not None:
        return False
    return any("something went wrong" in str(e.get("message", "")).lower() or "timeout" in str(e.get("message", "")).lower()
               for e in _graphql_errors(data))


def _fingerprint(token: str) -> str:
    """A stable, irreversible name for a token (SHA-256 prefix of a high-entropy secret)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]
