"""The adversarial part: per-account budgets, GitHub's secondary limit, seeded fault injection.

Budgets are fixed windows per (platform, account, resource) that start with the account's first
request; the answers when one is spent are each platform's own (GitHub 403 + X-RateLimit-*, GitLab 429 +
Retry-After, Gitee 403 with a message). Faults are decided by a hash of (seed, platform, account, request
target, how many times this account asked for it before), so that the same sequence of requests meets
the same faults and a retried request gets a fresh draw.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

FAULT_KINDS = ("5xx", "timeout", "reset", "truncated", "ratelimit")
UNLIMITED = 1_000_000  # what the headers report when no --rate-limit is set
CODE_SEARCH_LIMIT = 10  # GitHub: 10 code-search requests a minute
CODE_SEARCH_WINDOW_S = 60.0


@dataclass
class Budget:
    limit: int
    used: int
    reset_at: float  # epoch seconds

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


class Limiter:
    """Fixed-window budgets. `limit=None` never refuses (and reports a very large limit)."""

    def __init__(self, limit: int | None, window_s: float, clock: Callable[[], float] = time.time):
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._budgets: dict[tuple, Budget] = {}

    def budget(self, key: tuple) -> Budget:
        now = self.clock()
        budget = self._budgets.get(key)
        if budget is None or now >= budget.reset_at:
            budget = Budget(self.limit if self.limit is not None else UNLIMITED, 0, now + self.window_s)
            self._budgets[key] = budget
        return budget

    def spend(self, key: tuple, amount: int = 1) -> bool:
        """Take `amount` from the budget; False (and nothing taken) when it does not hold that much."""
        budget = self.budget(key)
        if self.limit is not None and budget.used + amount > budget.limit:
            return False
        budget.used += amount
        return True

    def refund(self, key: tuple, amount: int = 1) -> None:
        budget = self.budget(key)
        budget.used = max(0, budget.used - amount)

    def reset(self) -> None:
        self._budgets.clear()


class InFlight:
    """Requests in progress per account, for GitHub's secondary limit."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._count: dict[str, int] = defaultdict(int)

    def enter(self, account: str) -> bool:
        if self.limit is not None and self._count[account] >= self.limit:
            return False
        self._count[account] += 1
        return True

    def leave(self, account: str) -> None:
        self._count[account] = max(0, self._count[account] - 1)


class FaultPlan:
    """Seeded, reproducible decisions about which requests fail and how."""

    def __init__(self, seed: int, rate: float, kinds: tuple[str, ...]):
        unknown = [k for k in kinds if k not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kind {unknown[0]!r}; choose from {', '.join(FAULT_KINDS)}")
        if not 0 <= rate <= 1:
            raise ValueError(f"fault rate must be between 0 and 1 (got {rate})")
        if rate > 0 and not kinds:
            raise ValueError("a fault rate needs at least one fault kind")
        self.seed = seed
        self.rate = rate
        self.kinds = tuple(kinds)
        self._seen: dict[tuple[str, str, str], int] = defaultdict(int)

    def decide(self, platform: str, account: str, target: str) -> tuple[str, int] | None:
        """(kind, variant) for this request, or None; `variant` picks e.g. which 5xx status."""
        if self.rate <= 0:
            return None
        key = (platform, account, target)
        occurrence = self._seen[key]
        self._seen[key] = occurrence + 1
        digest = hashlib.blake2b(f"{self.seed}\0{platform}\0{account}\0{target}\0{occurrence}".encode(),
                                 digest_size=16).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.kinds[digest[8] % len(self.kinds)], digest[9]

    def reset(self) -> None:
        self._seen.clear()


# ------------------------------------------------------------------------------ platform answers

def github_rate_headers(budget: Budget, resource: str) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(budget.limit),
        "X-RateLimit-Remaining": str(budget.remaining),
        "X-RateLimit-Reset": str(math.ceil(budget.reset_at)),
        "X-RateLimit-Used": str(min(budget.used, budget.limit)),
        "X-RateLimit-Resource": resource,
    }


GITHUB_RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


def limit_exceeded(platform: str, account: str, budget: Budget, resource: str, now: float) -> tuple[int, dict, dict | str]:
    """The answer when an account's budget is spent: (status, headers, body)."""
    wait = max(1, math.ceil(budget.reset_at - now))
    if platform == "github":
        headers = github_rate_headers(Budget(budget.limit, budget.limit, budget.reset_at), resource)
        return 403, headers, {"message": f"API rate limit exceeded for user {account}.",
                              "documentation_url": GITHUB_RATE_DOCS}
    if platform == "gitlab":
        reset = math.ceil(budget.reset_at)
        headers = {
            "Retry-After": str(wait),
            "RateLimit-Name": "throttle_authenticated_api",
            "RateLimit-Limit": str(budget.limit),
            "RateLimit-Observed": str(budget.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-ResetTime": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(reset)),
        }
        return 429, headers, "Retry later\n"
    if platform == "huggingface":
        return 429, {"RateLimit": f'"api";r=0;t={wait}', "RateLimit-Policy": f'"fixed window";"api";q={budget.limit};w={wait}'}, {
            "error": "You have exceeded our hourly quotas for action: api. We invite you to retry later."}
    if platform == "modelscope":
        return 429, {"Retry-After": str(wait)}, {"Code": 429, "Message": "Too Many Requests", "Success": False}
    return 403, {}, {"message": f"Rate Limit Exceeded: 超出 API 请求频率限制 (rate limit exceeded), retry in {wait}s"}


def ietf_rate_headers(budget: Budget, now: float, window_s: float) -> dict[str, str]:
    """Hugging Face's rate-limit headers (IETF draft form): requests left in the window and seconds to its end."""
    return {"RateLimit": f'"api";r={budget.remaining};t={max(0, math.ceil(budget.reset_at - now))}',
            "RateLimit-Policy": f'"fixed window";"api";q={budget.limit};w={math.ceil(window_s)}'}


def secondary_exceeded(window_s: float) -> tuple[int, dict, dict]:
    wait = max(1, math.ceil(min(60.0, window_s)))
    return 403, {"Retry-After": str(wait)}, {
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    }


def server_error(platform: str, variant: int) -> tuple[int, dict, dict | str]:
    status = (500, 502, 503)[variant % 3]
    if platform == "gitlab" and status == 502:
        return status, {}, "<html><body><h1>502 Bad Gateway</h1>GitLab is not responding.</body></html>"
    messages = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}
    return status, {}, {"message": messages[status]}


def injected_rate_limit(platform: str, account: str, limit: int, window_s: float, now: float, resource: str) -> tuple[int, dict, dict | str]:
    """An injected rate-limit answer whose reset is one window away."""
    return limit_exceeded(platform, account, Budget(limit, limit, now + window_s), resource, now)
