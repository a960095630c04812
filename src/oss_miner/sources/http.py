"""What the requests-based sources share (Gitee directly, GitLab through python-gitlab): the transport, and
`RestSource`, the paging, listing and profile logic above it.

`HostPinnedSession` is a `requests.Session` that:

- sends credentials only to the host it was configured for. requests itself strips `Authorization` on a
  redirect to another host, but not GitLab's `PRIVATE-TOKEN`/`JOB-TOKEN` headers nor Gitee's
  `access_token` query parameter; here every credential header and credential query parameter is
  removed from any request whose scheme, host or port differ from the configured base URL (redirect hops
  and absolute URLs alike, e.g. a `Link` header pointing at a misconfigured `external_url`);
- attaches the token itself, from a pool (GITEE_TOKEN / GITLAB_TOKEN may list several): a token answered
  with 401 is dropped and the next one tried, and when all are rejected `TokenRejected` is raised;
- retries 5xx answers, timeouts and connection resets with exponential backoff and jitter (urllib3 `Retry`
  mounted on the adapters, obeying `Retry-After`), and truncated bodies (a body shorter than announced, or
  JSON that does not parse) with its own loop;
- handles rate limits, also where a service sends no rate-limit headers until it refuses: any 429, and a
  403 whose body talks about a limit (Gitee's answer is undocumented), pause the token until the reset
  (`Retry-After`, `RateLimit-Reset`, `X-RateLimit-Reset`, else a default), with a log line saying until
  when; other threads sharing the session wait for the same pause instead of hammering the service;
- counts every exchange in `RequestStats` under the endpoint template the caller names with
  `session.endpoint(template)`.

`RestSource` lands every page through `PageStore.fetch_or_replay` (pages this run already landed are not
asked again; pages fetched before are asked with If-None-Match and a 304 replays them), turns non-200
answers into findings (404 not_found, 301 renamed, 204 empty, 403 forbidden, 422 unprocessable) and 5xx
that survive every retry into `TransportFailed`, lists forks and stargazers in full, incrementally or not
at all (see `_listing`), and keeps profiles for `refresh.profile_max_age_days`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError
from urllib3.util.retry import Retry

from oss_miner.config import RepoRef, url_env
from oss_miner.errors import HostKeptFailing, HostUnreachable, RunFailed
from oss_miner.landing import Page, page_key
from oss_miner.privacy import RedactingFilter, Redactor
from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext, Fetched, PageStore, RequestStats, instance_name

log = logging.getLogger("oss_miner.extract")

CREDENTIAL_HEADERS = ("Authorization", "Proxy-Authorization", "PRIVATE-TOKEN", "JOB-TOKEN", "Cookie")
CREDENTIAL_PARAMS = ("access_token", "private_token", "job_token", "token", "client_secret")
TRANSIENT_STATUSES = (500, 502, 503, 504)
_LIMIT_WORDS = ("rate limit", "ratelimit", "rate_limit", "too many", "limit exceeded", "exceeded",
                "频率", "次数", "上限", "限流", "超过")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The IETF draft form (draft-ietf-httpapi-ratelimit-headers, as Hugging Face sends it):
#   RateLimit: "api";r=998;t=160   RateLimit-Policy: "fixed window";"api";q=1000;w=300
_IETF_LIMIT = re.compile(r'"[^"]*"\s*;\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)')
_RETRY_IN = re.compile(r"(?i)(?:retry|try again)\D{0,12}?(\d{1,5})\s*(?:s\b|sec|seconds?|秒)")


class TokenRejected(RunFailed):
    """Every configured token was answered with 401."""


class TransportFailed(HostKeptFailing):
    """A request kept failing after every retry (the run can be resumed later)."""


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def ietf_ratelimit(headers: Any) -> tuple[int, int] | None:
    """(remaining, seconds until the reset) from an IETF-draft `RateLimit` header, else None."""
    value = headers.get("RateLimit") if headers is not None else None
    match = _IETF_LIMIT.search(value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def strip_credential_params(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in CREDENTIAL_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode([*pairs, (name, value)])))


@dataclass
class _Token:
    value: str | None  # None: anonymous
    rejected: bool = False
    paused_until: float = 0.0  # time.time() before which this token is rate limited


@dataclass
class TokenPool:
    """The tokens of one platform; anonymous when empty."""

    tokens: list[_Token]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, values: Sequence[str]) -> "TokenPool":
        return cls([_Token(v) for v in values] or [_Token(None)])

    def pick(self) -> _Token:
        """The usable token that is free soonest; raises TokenRejected when none is left."""
        with self._lock:
            usable = [t for t in self.tokens if not t.rejected]
            if not usable:
                raise TokenRejected("every token was rejected")
            return min(usable, key=lambda t: t.paused_until)

    def reject(self, token: _Token) -> bool:
        """Drop a token; True if another one is left to try."""
        with self._lock:
            token.rejected = True
            return any(not t.rejected for t in self.tokens)

    def pause(self, token: _Token, until: float) -> bool:
        """Pause a token; True if this extends its pause (so the caller logs it once)."""
        with self._lock:
            if until <= token.paused_until:
                return False
            token.paused_until = until
            return True


# -- hosts that cannot be reached at all ------------------------------------------------------------

RESOLVE, REFUSED = "resolve", "refused"


def connection_cause(exc: BaseException) -> str | None:
    """RESOLVE when the host name did not resolve, REFUSED when the port refused the connection, None for
    anything else (timeouts, resets, 5xx). The cause sits deep in the chain: requests' ConnectionError wraps
    urllib3's MaxRetryError, whose `reason` is a NameResolutionError or NewConnectionError raised from a
    socket.gaierror or ConnectionRefusedError."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (socket.gaierror, NameResolutionError)):
            return RESOLVE
        if isinstance(current, ConnectionRefusedError):
            return REFUSED
        linked = [current.__cause__, getattr(current, "reason", None), *current.args]
        pending += [e for e in linked if isinstance(e, BaseException)]
    return None


def unreachable(platform: str, url: str, exc: BaseException) -> HostUnreachable | None:
    """The one-line failure for a host of `url` that does not resolve or refuses the connection; None when
    `exc` says neither (what may pass is left to the retries)."""
    cause = connection_cause(exc)
    if cause is None:
        return None
    _, host, port = origin(url)
    setting = f"{url_env(platform)} or the catalogue's [platforms.{platform}] url"
    if cause == RESOLVE:
        return HostUnreachable(f"{platform}: cannot resolve {host}: is there a network? If there is, check {setting}")
    return HostUnreachable(f"{platform}: {host} refused the connection (port {port}): is the server up? Check {setting}")


PROBE_TIMEOUT_S = 10.0  # a host slower than this to accept a connection is left to the transports' retries


def probe_hosts(urls: dict[str, str]) -> None:
    """Before a run, for each platform's URL: raise the HostUnreachable of the first whose host does not
    resolve or refuses a TCP connection. Only a connection, no request: nothing is counted against a limit.
    A host reached through a proxy is the proxy's to resolve, so it is not probed."""
    direct = [(platform, url) for platform, url in urls.items() if not requests.utils.get_environ_proxies(url)]
    if not direct:
        return
    with ThreadPoolExecutor(max_workers=len(direct), thread_name_prefix="probe") as pool:
        probed = list(pool.map(lambda item: _probe(*item), direct))  # at once: each may wait for a resolver
    failed = [(platform, failure) for (platform, _), failure in zip(direct, probed) if failure is not None]
    if len(failed) == 1:
        raise failed[0][1]
    if failed:  # no network, most likely: one line still, naming the others
        raise HostUnreachable(f"{failed[0][1]} ({' and '.join(p for p, _ in failed[1:])} cannot be reached either)")


def _probe(platform: str, url: str) -> HostUnreachable | None:
    _, host, port = origin(url)
    try:
        socket.create_connection((host, port or 443), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        return unreachable(platform, url, exc)
    return None


def stop_at_dead_host(answered: bool, error: BaseException | None, url: str | None, pool: Any) -> None:
    """For a urllib3 Retry's `increment`: give up at once (as when the retries run out) on a host that has not
    answered once in this run and whose name does not resolve or that refuses the connection. Five retries
    with backoff would only repeat the answer; once a host has answered, the same errors are a blip and
    are retried."""
    if error is not None and not answered and connection_cause(error) is not None:
        raise MaxRetryError(pool, url, error) from error


class _RetryHook(Retry):
    """urllib3 Retry that reports each retried attempt, gives up at once on a dead host, and leaves 429 to the
    session's own handling."""

    RETRY_AFTER_STATUS_CODES = frozenset({503})
    on_retry: Callable[[int, BaseException | None], None] | None = None
    answered: Callable[[], bool] = staticmethod(lambda: True)  # whether the session's host has answered

    def new(self, **kw: Any) -> "_RetryHook":
        fresh = super().new(**kw)
        fresh.on_retry = self.on_retry
        fresh.answered = self.answered
        return fresh

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[override]
        stop_at_dead_host(self.answered(), error, url, _pool)
        if self.on_retry is not None:
            self.on_retry(response.status if response is not None else 0, error)
        return super().increment(method, url, response, error, _pool, _stacktrace)


@dataclass(frozen=True)
class TransportPolicy:
    timeout_s: float = 30.0
    retries: int = 5  # urllib3 retries of 5xx, timeouts, resets
    truncated_retries: int = 5  # our own retries of truncated bodies
    backoff_s: float = 0.5  # first backoff; doubles each attempt, with jitter
    backoff_max_s: float = 30.0
    default_limit_wait_s: float = 60.0  # when a limited answer says nothing about the reset
    max_limit_waits: int = 20  # consecutive rate-limit answers to one request before giving up


TIMEOUT_ENV = "OSS_MINER_HTTP_TIMEOUT_S"


def transport_policy(timeout_s: float | None = None) -> TransportPolicy:
    """The transport settings, with the request timeout from the argument or OSS_MINER_HTTP_TIMEOUT_S."""
    if timeout_s is None:
        try:
            timeout_s = float(os.environ.get(TIMEOUT_ENV) or 30)
        except ValueError:
            timeout_s = 30.0
    return TransportPolicy(timeout_s=timeout_s)


class HostPinnedSession(requests.Session):
    """A session whose credentials never leave the configured host. See the module docstring."""

    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        tokens: Sequence[str] = (),
        token_header: str | None = None,
        token_param: str | None = None,
        token_prefix: str = "",
        stats: RequestStats | None = None,
        redactor: Redactor | None = None,
        policy: TransportPolicy = TransportPolicy(),
        follow_other_hosts: bool = True,
    ):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.pinned = origin(self.base_url)
        self.platform = platform
        self.pool = TokenPool.of(tokens)
        self.token_header = token_header
        self.token_param = token_param
        self.token_prefix = token_prefix
        self.stats = stats or RequestStats(platform)
        self.answered = False  # whether the host has answered anything in this run
        self.redactor = redactor or Redactor()
        for token in tokens:
            self.redactor.add(token)
        self.policy = policy
        self.follow_other_hosts = follow_other_hosts
        _redact_library_logs(self.redactor)
        self._local = threading.local()
        retry = _RetryHook(
            total=policy.retries, connect=policy.retries, read=policy.retries, status=policy.retries,
            status_forcelist=TRANSIENT_STATUSES, allowed_methods=frozenset({"GET", "HEAD", "PUT"}),  # ModelScope lists by PUT
            backoff_factor=policy.backoff_s, backoff_max=policy.backoff_max_s, backoff_jitter=policy.backoff_s,
            respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
        )
        retry.on_retry = self._on_urllib3_retry
        retry.answered = lambda: self.answered
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    # -- endpoint labels and the last response (per thread) -------------------------------------
    @contextmanager
    def endpoint(self, template: str) -> Iterator[None]:
        """Count the requests made inside the block under this endpoint template."""
        previous = getattr(self._local, "label", None)
        self._local.label = template
        try:
            yield
        finally:
            self._local.label = previous

    @property
    def last_response(self) -> requests.Response | None:
        """The last response this thread received (python-gitlab hides it behind exceptions)."""
        return getattr(self._local, "last", None)

    def _label(self, url: str) -> str:
        label = getattr(self._local, "label", None)
        if label:
            return label
        path = urlsplit(url).path
        base_path = urlsplit(self.base_url).path
        return path[len(base_path):] if path.startswith(base_path) else path

    # -- credentials --------------------------------------------------------------------------
    def _pinned(self, url: str) -> bool:
        return origin(url) == self.pinned

    def _strip(self, request: requests.PreparedRequest) -> None:
        for name in CREDENTIAL_HEADERS:
            request.headers.pop(name, None)
        request.url = strip_credential_params(request.url or "")

    def _attach(self, request: requests.PreparedRequest) -> None:
        token: _Token | None = getattr(self._local, "token", None)
        if token is None or token.value is None:
            return
        if self.token_header:
            request.headers[self.token_header] = f"{self.token_prefix}{token.value}"
        if self.token_param:
            request.url = _with_param(request.url or "", self.token_param, token.value)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        # Every hop passes here: credentials are (re)attached only for the pinned origin.
        if self._pinned(request.url or ""):
            self._attach(request)
        else:
            self._strip(request)
        return super().send(request, **kwargs)

    def should_strip_auth(self, old_url: str, new_url: str) -> bool:
        return origin(old_url) != origin(new_url) or super().should_strip_auth(old_url, new_url)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        # Unlike requests, strip every credential (not only Authorization) and never pick up .netrc.
        if not self._pinned(prepared_request.url or "") or self.should_strip_auth(response.request.url or "", prepared_request.url or ""):
            self._strip(prepared_request)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target and not self.follow_other_hosts and not self._pinned(urljoin(resp.url, target)):
            return None  # hand the 3xx to the caller, which records it instead of following it
        return target

    # -- requests with retries, rate limits and accounting -----------------------------------
    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout_s
        streamed = bool(kwargs.pop("stream", False))
        truncated = 0
        limited = 0
        while True:
            token = self._wait_for_token()
            self._local.token = token
            try:
                # The body is read below, outside requests, so that a broken body can be told apart
                # from a request that failed after every urllib3 retry.
                response = super().request(method, url, *args, stream=True, **kwargs)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                self.stats.request(self._label(url), 0, 0)
                truncated = self._retry_truncated(url, truncated)
                continue
            except requests.RequestException as exc:
                raise self._unreachable(method, url, exc) from None
            finally:
                self._local.token = None
            self._local.last = response
            self.answered = True
            complete = streamed or _read_body(response)
            self._account(url, response)
            if not complete or (200 <= response.status_code < 300 and _is_json(response) and not _parses(response.content)):
                truncated = self._retry_truncated(url, truncated)
                continue
            if response.status_code == 401 and token.value is not None:
                self._reject(token)
                continue
            if self.is_rate_limited(response):
                limited += 1
                if limited > self.policy.max_limit_waits:
                    raise TransportFailed(self._failure(method, url, f"still rate limited after {limited - 1} waits"))
                self._pause(token, response)
                continue
            self._pause_if_exhausted(token, response)
            return response

    def _unreachable(self, method: str, url: str, exc: requests.RequestException) -> RunFailed:
        """After every retry. A host that has answered before may be back soon (Prefect retries the task); one
        that never answered in this run is most likely a wrong URL, so say so now instead of retrying."""
        if self.answered or not isinstance(exc, requests.exceptions.ConnectionError):
            return TransportFailed(self._failure(method, url, type(exc).__name__))
        dead = unreachable(self.platform, self.base_url, exc)
        if dead is not None:
            return dead
        where = "{}://{}:{}".format(*self.pinned)
        return RunFailed(self.redactor(
            f"{self.platform}: {method} {strip_credential_params(url)} failed ({type(exc).__name__}): {where} has not "
            f"answered once in this run; check {url_env(self.platform)} or the catalogue's "
            f"[platforms.{self.platform}] url, then re-run to resume"))

    def _failure(self, method: str, url: str, reason: str) -> str:
        return self.redactor(f"{self.platform}: {method} {strip_credential_params(url)} failed ({reason}); re-run to resume")

    def _account(self, url: str, response: requests.Response) -> None:
        label = self._label(url)
        for hop in [*response.history, response]:
            size = len(hop._content) if isinstance(getattr(hop, "_content", None), bytes) else 0
            self.stats.request(label, hop.status_code, size)
            self.stats.answered_by(hop.headers)

    def _on_urllib3_retry(self, status: int, error: BaseException | None) -> None:
        self.stats.retried()
        self.stats.request(getattr(self._local, "label", None) or "(retried)", status, 0)
        log.debug("%s: retrying after %s", self.platform, self.redactor(error or status))

    def _retry_truncated(self, url: str, attempt: int) -> int:
        if attempt >= self.policy.truncated_retries:
            raise TransportFailed(self._failure("GET", url, f"truncated body after {attempt + 1} attempts"))
        self.stats.retried()
        delay = random.uniform(0, min(self.policy.backoff_max_s, self.policy.backoff_s * 2 ** attempt))
        log.info("%s: truncated answer from %s; retrying in %.1f s", self.platform,
                 self.redactor(strip_credential_params(url)), delay)
        time.sleep(delay)
        return attempt + 1

    def _reject(self, token: _Token) -> None:
        if not self.pool.reject(token):
            var = f"{self.platform.upper()}_TOKEN"
            raise TokenRejected(f"{self.platform}: the token was rejected (401); check {var}")
        log.warning("%s: a token was rejected (401); trying the next one", self.platform)

    # -- rate limits --------------------------------------------------------------------------
    @staticmethod
    def is_rate_limited(response: requests.Response) -> bool:
        if response.status_code == 429:
            return True
        if response.status_code != 403:
            return False
        headers = response.headers
        if headers.get("X-RateLimit-Remaining") == "0" or headers.get("RateLimit-Remaining") == "0":
            return True
        body = (response.text or "")[:2000].lower()
        return any(word in body for word in _LIMIT_WORDS)

    def _reset_at(self, response: requests.Response) -> float:
        """When the limit lifts (time.time()), from whatever the answer says."""
        headers = response.headers
        now = time.time()
        retry_after = headers.get("Retry-After")
        if retry_after:
            try:
                return now + max(0.0, float(retry_after))
            except ValueError:
                parsed = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
                if parsed is not None:
                    return max(now, parsed.timestamp())
        ietf = ietf_ratelimit(headers)
        if ietf is not None:
            return now + ietf[1]
        for name in ("RateLimit-Reset", "X-RateLimit-Reset"):
            value = headers.get(name)
            if value and value.strip().isdigit():
                number = float(value)
                return number if number > 1e9 else now + number  # epoch seconds, or seconds from now
        said = _RETRY_IN.search((response.text or "")[:2000])  # no header: maybe the message says (Gitee)
        if said:
            return now + float(said.group(1))
        return now + self.policy.default_limit_wait_s

    def _pause(self, token: _Token, response: requests.Response) -> None:
        until = self._reset_at(response) + 0.5  # a little past the reset, so the first retry is not early
        if self.pool.pause(token, until):
            others = len([t for t in self.pool.tokens if not t.rejected and t.paused_until <= time.time()])
            stamp = datetime.fromtimestamp(until, timezone.utc).isoformat(timespec="seconds")
            if others:
                log.warning("%s: rate limit reached (HTTP %s); token paused until %s, switching to another token",
                            self.platform, response.status_code, stamp)
            else:
                log.warning("%s: rate limit reached (HTTP %s); waiting %.0f s until %s",
                            self.platform, response.status_code, until - time.time(), stamp)

    def _pause_if_exhausted(self, token: _Token, response: requests.Response) -> None:
        """A success that says the budget is spent: pause before the next request is refused."""
        headers = response.headers
        ietf = ietf_ratelimit(headers)
        if ietf is not None:
            if ietf[0] == 0:
                self._pause(token, response)
            return
        remaining = headers.get("RateLimit-Remaining", headers.get("X-RateLimit-Remaining"))
        if remaining == "0" and (headers.get("RateLimit-Reset") or headers.get("X-RateLimit-Reset")):
            self._pause(token, response)

    def _wait_for_token(self) -> _Token:
        token = self.pool.pick()
        delay = token.paused_until - time.time()
        if delay > 0:
            self.stats.waited(delay)
            time.sleep(delay)
        return token


_LIBRARY_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.connection", "requests", "gitlab")


def _redact_library_logs(redactor: Redactor) -> None:
    """urllib3 logs retried URLs at WARNING, Gitee's access_token included: redact at those loggers
    themselves, whatever handlers the application configures."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) and f.redactor is redactor for f in logger.filters):
            logger.addFilter(RedactingFilter(redactor))


def _read_body(response: requests.Response) -> bool:
    """Read the whole body; False when it broke off (shorter than announced, reset, stalled)."""
    try:
        response.content
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
            requests.exceptions.ConnectionError):
        response._content = b""
        return False
    return True


def _is_json(response: requests.Response) -> bool:
    return "json" in (response.headers.get("Content-Type") or "").lower()


def _parses(body: bytes) -> bool:
    if not body:
        return True  # an empty 2xx body is a different problem (e.g. 204), not a truncation
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


# ================================================================================================
# What the Gitee and GitLab sources share above the transport: one JSON answer, paging through the
# PageStore (replay, If-None-Match, landing), findings for non-200 answers, listings that skip or stop
# early, profiles kept in the cache, and the parsing helpers that never trust a payload's types.
# ================================================================================================

@dataclass
class Answer:
    """One JSON answer, whichever client fetched it."""

    status: int
    data: Any = None
    headers: Any = field(default_factory=dict)  # case-insensitive mapping
    moved_from: str | None = None  # a followed redirect (same host): the path first asked for
    moved_to: str | None = None  # a redirect not followed (another host) or followed: where to
    note: str | None = None  # something a parser noticed that deserves a finding (e.g. an estimate)
    unreadable: str | None = None  # why a 200 answer could not be parsed

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag") if self.headers else None


class BadPayload(ValueError):
    """A 200 answer whose JSON does not have the shape the endpoint documents."""


FINDING_BY_STATUS = {404: "not_found", 410: "not_found", 204: "empty", 403: "forbidden", 422: "unprocessable",
                     400: "unprocessable", 409: "unprocessable", 451: "forbidden"}


def answer_of(response: requests.Response, base_path: str = "") -> Answer:
    """An Answer from a requests response (JSON body parsed; history turned into moved_from/moved_to)."""
    data = None
    if response.status_code == 200 and response.content:
        try:
            data = response.json()
        except ValueError:
            data = None
    moved_from = moved_to = None
    redirects = [hop for hop in response.history if hop.is_redirect]
    if redirects:
        moved_from = urlsplit(redirects[0].url).path.removeprefix(base_path)
        moved_to = urlsplit(response.url).path.removeprefix(base_path)
    elif response.is_redirect:
        moved_to = strip_credential_params(urljoin(response.url, response.headers.get("Location", "")))
    return Answer(response.status_code, data, response.headers, moved_from, moved_to)


# -- defensive payload reading --------------------------------------------------------------------

def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise BadPayload(f"expected a JSON list, got {type(value).__name__}")
    return [item for item in value if isinstance(item, dict)]


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def as_str(value: Any, limit: int = 2000) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text[:limit] if text else None


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_time(value: Any) -> str | None:
    """An ISO 8601 timestamp as given (its offset kept), or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def utc_and_offset(value: Any) -> tuple[str | None, int | None]:
    """(UTC ISO timestamp, UTC offset in minutes) of an ISO timestamp that carries its offset."""
    if not isinstance(value, str) or not value:
        return None, None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc).isoformat(), None
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return moment.astimezone(timezone.utc).isoformat(), minutes


def website_host(value: Any) -> str | None:
    """Host name of a profile website, without path or credentials ('' and junk give None)."""
    text = as_str(value, 500)
    if not text or not text.strip():
        return None
    text = text.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host or len(host) > 253 or not all(c.isalnum() or c in "-._" for c in host):
        return None
    return host.lower().rstrip(".")


def strip_userinfo(url: Any) -> str | None:
    """A URL without user:password@ (GitLab's import_url can carry credentials)."""
    text = as_str(url, 1000)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return strip_credential_params(urlunsplit(parts))


def query_of(next_value: str | None) -> dict[str, str]:
    return dict(parse_qsl(next_value or "", keep_blank_values=True))


# -- the shared source ---------------------------------------------------------------------------

PROFILE_WORKERS = 4  # profiles are one request each on Gitee and GitLab: a few in flight at once


class RestSource:
    """Base of the Gitee and GitLab sources: everything but the endpoints and the payload shapes.

    Subclasses set `dialect`, `ordered_listings` (listings the API returns newest first), implement
    `_get` (one GET through their client) and `_next` (the following page from an answer), and the
    entity parsers.
    """

    dialect = ""
    per_page = 100
    ordered_listings: frozenset[str] = frozenset()

    def __init__(self, ctx: ExtractContext, platform: str | None = None):
        self.ctx = ctx
        self.platform = instance_name(ctx, self.dialect, platform)
        self.instance = ctx.catalogue.platforms[self.platform]
        self.stats = RequestStats(self.platform)
        self.store = PageStore(ctx, self.platform, self.stats)
        self._repos: dict[str, dict[str, Any]] = {}
        self._repo_pages: dict[str, Page] = {}
        self._repos_lock = threading.Lock()

    @staticmethod
    def check_endpoints(instance: Any) -> None:
        """Nothing the schema has not checked."""

    # -- hooks ---------------------------------------------------------------------------------
    def _get(self, template: str, path: str, query: dict[str, Any], etag: str | None) -> Answer:
        raise NotImplementedError

    def _next(self, answer: Answer, query: dict[str, Any]) -> str | None:
        raise NotImplementedError

    # -- pages -----------------------------------------------------------------------------------
    def _page(self, entity: str, template: str, params: dict[str, Any], path: str, query: dict[str, Any],
              parse: Callable[[Answer], list[dict[str, Any]]], *, repo: str | None = None,
              follows_pushes_of: RepoRef | None = None) -> Page:
        """One request's page, landed; findings for whatever was not a plain 200.

        `follows_pushes_of`: the page only changes when commits are pushed to that repository (contributors,
        commits); while the repository's own answer is unchanged (a 304), the cached page is replayed
        without a request, provided it was confirmed after the repository last changed.
        """
        answers: list[Answer] = []
        key = page_key(self.platform, entity, template, params)

        def fetch(etag: str | None) -> Fetched:
            if etag and follows_pushes_of is not None and self._unchanged_since(key, follows_pushes_of):
                return Fetched(304, [], etag)
            answer = self._get(template, path, query, etag)
            answers.append(answer)
            if answer.status in (200, 304):
                self.ctx.cache.set(f"confirmed:{key}", datetime.now(timezone.utc).isoformat())
            if answer.status == 304:
                return Fetched(304, [], etag)
            if answer.status == 401:  # with a token the session raised already: this is an anonymous run
                raise RunFailed(f"{self.platform}: the server asks for a token (401); set {self.instance.tokens_from}")
            if answer.status >= 500:
                raise TransportFailed(self.ctx.redactor(
                    f"{self.platform}: GET {template} {params} kept answering HTTP {answer.status}; re-run to resume"))
            if answer.status != 200:
                return Fetched(answer.status, [])
            try:
                records = parse(answer)
            except BadPayload as exc:
                answer.unreadable = str(exc)  # reported below; an unreadable page is not cached
                return Fetched(200, [])
            return Fetched(200, records, answer.etag, self._next(answer, query))

        page = self.store.fetch_or_replay(entity, template, params, fetch, repo=repo)
        if answers:
            self._report(answers[-1], entity, template, params, repo)
        return page

    def _report(self, answer: Answer, entity: str, template: str, params: dict[str, Any], repo: str | None) -> None:
        where = f"GET {template} {json.dumps(params, sort_keys=True, default=str)}"
        if answer.unreadable:
            self.store.finding(repo, entity, "bad_payload", f"{where}: {answer.unreadable}", answer.status)
        elif answer.moved_from:
            self.store.finding(repo, entity, "renamed", f"{answer.moved_from} moved to {answer.moved_to}", 301)
        elif 300 <= answer.status < 400 and answer.status != 304:
            self.store.finding(repo, entity, "renamed",
                               f"{where}: moved to another host ({answer.moved_to}); not followed", answer.status)
        elif answer.status in FINDING_BY_STATUS:
            self.store.finding(repo, entity, FINDING_BY_STATUS[answer.status], f"{where}: HTTP {answer.status}", answer.status)
        elif answer.status not in (200, 304):
            self.store.finding(repo, entity, "skipped", f"{where}: HTTP {answer.status}", answer.status)
        if answer.note:
            self.store.finding(repo, entity, "too_large", f"{where}: {answer.note}", answer.status)

    def _walk(self, entity: str, template: str, params: dict[str, Any], path: str, query: dict[str, Any],
              parse: Callable[[Answer], list[dict[str, Any]]], *, repo: str | None = None,
              stop: Callable[[Page], bool] | None = None, follows_pushes_of: RepoRef | None = None) -> Iterator[Page]:
        """Every page of a list, following the platform's next-page links; `stop` ends it early."""
        cursor: dict[str, Any] = {"page": 1}
        while True:
            request_query = {**query, "per_page": self.per_page, **cursor}
            page = self._page(entity, template, {**params, **request_query}, path, request_query, parse, repo=repo,
                              follows_pushes_of=follows_pushes_of)
            yield page
            if not page.next or page.status not in (200, 304) or (stop is not None and stop(page)):
                return
            cursor = {k: int(v) if v.isdigit() else v for k, v in query_of(page.next).items()
                      if k not in query and k != "per_page"}

    # -- the repository record of this run (counts for listings, ids, renamed paths) ---------------
    def _repository_page(self, repo: RepoRef) -> Page:
        raise NotImplementedError

    def _repository(self, repo: RepoRef) -> dict[str, Any] | None:
        with self._repos_lock:
            known = self._repos.get(repo.path)
        if known is not None:
            return known
        page = self._repository_page(repo)
        return page.records[0] if page.records else None

    def _remember(self, repo: RepoRef, page: Page) -> Page:
        if page.records:
            with self._repos_lock:
                self._repos[repo.path] = page.records[0]
                self._repo_pages[repo.path] = page
        return page

    def _unchanged_since(self, key: str, repo: RepoRef) -> bool:
        """Whether the page `key` was confirmed after the repository's answer last changed, and that answer is
        unchanged in this run (pushes change `pushed_at`/`last_activity_at`, hence the repository's ETag)."""
        repo_page = self._repo_pages.get(repo.path)
        if repo_page is None or repo_page.status != 304:
            return False
        repo_cached = self.ctx.cache.page(repo_page.key)
        confirmed = self.ctx.cache.get(f"confirmed:{key}")
        return repo_cached is not None and confirmed is not None and datetime.fromisoformat(confirmed) >= repo_cached.fetched_at

    def fetch_repository(self, framework: str, repo: RepoRef) -> Iterator[Page]:
        page = self._remember(repo, self._repository_page(repo))
        current = (page.records[0].get("full_name") or "") if page.records else ""
        if current and current.lower() != repo.path.lower():  # the configuration names an old path
            self.store.finding(repo.path, "repositories", "renamed", f"{repo.path} is now {current}; update the catalogue",
                               page.status)
        yield page

    # -- listings of forks and stargazers ------------------------------------------------------------
    def _listing(self, repo: RepoRef, listing: str, reported: int | None, id_column: str,
                 walk: Callable[[Callable[[Page], bool] | None], Iterator[Page]]) -> Iterator[Page]:
        """List forks or stargazers in full, incrementally (newest first, stopping at a known item) or not
        at all (count unchanged since the last listing), and land a `listings` record saying which."""
        marker = {"repo": repo.path, "listing": listing}
        landed = self.ctx.landing.get(self.platform, "listings", "listing", marker)
        if landed is not None:  # finished earlier in this run
            self.stats.replayed()
            yield landed
            return
        cache, key = self.ctx.cache, f"listing:{self.platform}:{repo.path}:{listing}"
        known = cache.known_items(self.platform, repo.path, listing)
        last = json.loads(cache.get(key) or "{}")
        mode = self._listing_mode(repo, listing, reported, known, last)
        fetched: set[int] = set()
        complete = True
        if mode != "unchanged":
            stop = (lambda page: any(r.get(id_column) in known for r in page.records)) if mode == "incremental" else None
            complete = yield from _collect(walk(stop), id_column, fetched)
            if mode == "incremental" and complete and self._drifted(reported, len(known | fetched), last):
                mode = "full"  # its first pages replay from this run's landing area
                complete = yield from _collect(walk(None), id_column, fetched)
        if complete and mode != "unchanged":
            cache.add_items(self.platform, repo.path, listing, fetched, replace=(mode == "full"))
            if mode == "full":
                cache.mark_full_listing(self.platform, repo.path, listing, self.ctx.now)
            total = len(fetched) if mode == "full" else len(known | fetched)
            cache.set(key, json.dumps({"reported": reported, "known": total}))
        record = empty_record("listings", platform=self.platform, repo=repo.path, listing=listing, mode=mode,
                              items=len(fetched), reported_total=reported)
        yield self.store.land("listings", "listing", marker, [record], repo=repo.path)

    def _listing_mode(self, repo: RepoRef, listing: str, reported: int | None, known: set[int],
                      last: dict[str, Any]) -> str:
        refresh = self.ctx.catalogue.refresh
        last_full = self.ctx.cache.last_full_listing(self.platform, repo.path, listing)
        if reported is None or last_full is None or not last:
            return "full"
        if self.ctx.now - last_full > timedelta(days=refresh.reconcile_days):
            return "full"
        if last.get("reported") == reported and last.get("known") == len(known):
            return "unchanged"
        return "incremental" if listing in self.ordered_listings else "full"

    def _drifted(self, reported: int | None, known_now: int, last: dict[str, Any]) -> bool:
        """After an incremental listing: does what we hold disagree with the platform's count by more than
        the configured share (beyond the gap there already was after the last listing)?"""
        if reported is None:
            return True
        gap_before = (last.get("reported") or 0) - (last.get("known") or 0)
        gap = abs(reported - (known_now + gap_before))
        return gap > self.ctx.catalogue.refresh.reconcile_drift * max(reported, 1)

    # -- profiles ---------------------------------------------------------------------------------------
    profile_template = ""

    def _profile_page(self, account_id: int) -> Page | None:
        """One profile, fetched (conditionally) and landed; None when it cannot be asked for."""
        raise NotImplementedError

    def fetch_accounts(self, account_ids: list[int]) -> Iterator[Page]:
        """Profiles: kept ones landed again without a request, the others fetched one by one."""
        ids = sorted({int(i) for i in account_ids})
        max_age = timedelta(days=self.ctx.catalogue.refresh.profile_max_age_days)
        cached = self.ctx.cache.profiles(self.platform, ids)
        fresh = {i for i in ids if i in cached and self.ctx.now - cached[i][0] < max_age}
        kept = [cached[i][1] for i in sorted(fresh) if not self._profile_landed(i)]
        for index in range(0, len(kept), self.per_page):
            chunk = kept[index:index + self.per_page]
            params = {"cached_profiles": index // self.per_page, "first": chunk[0]["account_id"],
                      "last": chunk[-1]["account_id"]}
            yield self.store.land("accounts", "(profile cache)", params, chunk)
        stale = [i for i in ids if i not in fresh]
        pool = ThreadPoolExecutor(max_workers=PROFILE_WORKERS, thread_name_prefix=f"{self.platform}-profiles")
        try:
            for page in pool.map(self._profile_page, stale):
                if page is None:
                    continue
                if page.records:
                    self.ctx.cache.put_profiles(self.platform, page.records, page.fetched_at)
                yield page
        finally:  # on a failure (or a consumer that stops early) the queued profiles are not asked for
            pool.shutdown(wait=True, cancel_futures=True)

    def _profile_landed(self, account_id: int) -> bool:
        """Whether this run already fetched the profile (a resumed run must not land it twice)."""
        params = {"account_id": account_id}
        return self.ctx.landing.get(self.platform, "accounts", self.profile_template, params) is not None

    # -- records shared by both platforms ---------------------------------------------------------------
    def _email_contributor(self, repo: RepoRef, name: Any, email: Any, contributions: Any) -> dict[str, Any]:
        domain, key = self.ctx.hasher.email(as_str(email, 320))
        return empty_record("contributors", platform=self.platform, repo=repo.path, kind="email",
                            email_domain=domain, author_key=key, name_key=self.ctx.hasher.name(as_str(name, 500)),
                            contributions=as_int(contributions))

    def _commit(self, repo: RepoRef, sha: Any, name: Any, email: Any, authored: Any, committed: Any,
                *, offsets_kept: bool = True) -> dict[str, Any]:
        """A commits-API commit as a `commits` record; `offsets_kept`: whether the API keeps the author's own
        UTC offset in its dates (GitLab does; a service that renders every time in its own zone does not)."""
        domain, key = self.ctx.hasher.email(as_str(email, 320))
        authored_utc, author_offset = utc_and_offset(authored)
        _, committer_offset = utc_and_offset(committed)
        if not offsets_kept:
            author_offset = committer_offset = None
        return empty_record(
            "commits", platform=self.platform, repo=repo.path, sha=as_str(sha, 64), authored_at=authored_utc,
            author_utc_offset_minutes=author_offset, committer_utc_offset_minutes=committer_offset,
            email_domain=domain, author_key=key, name_key=self.ctx.hasher.name(as_str(name, 500)),
            noreply_account_id=None, on_default_branch=True,
            is_bot=bool(self.ctx.is_bot(as_str(name, 500), as_str(email, 320))), source="api",
        )


def _collect(pages: Iterator[Page], id_column: str, into: set[int]) -> Iterator[Page]:
    """Yield the pages, gathering their item ids; returns whether every page was a complete answer."""
    complete = True
    for page in pages:
        into |= {r[id_column] for r in page.records if r.get(id_column) is not None}
        complete = complete and page.status in (200, 304)
        yield page
    return complete
