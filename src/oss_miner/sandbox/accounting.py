"""Request accounting: one row per platform, account, endpoint template, status and injected fault.

Benchmarks compare these rows with the truth's minimum number of requests; GraphQL points are kept
beside them, per account, because GitHub budgets them apart from REST requests.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

RowKey = tuple[str, str, str, "int | None", "str | None"]


class Accounting:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[RowKey, list[int]] = defaultdict(lambda: [0, 0])
        self._points: dict[str, int] = defaultdict(int)

    def record(self, platform: str, account: str, endpoint: str, status: int | None, fault: str | None,
               nbytes: int) -> None:
        with self._lock:
            row = self._rows[(platform, account, endpoint, status, fault)]
            row[0] += 1
            row[1] += nbytes

    def add_points(self, account: str, points: int) -> None:
        with self._lock:
            self._points[account] += points

    def reset(self) -> None:
        with self._lock:
            self._rows.clear()
            self._points.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            rows = [
                {"platform": p, "account": a, "endpoint": e, "status": s, "fault": f, "count": c, "bytes": b}
                for (p, a, e, s, f), (c, b) in sorted(self._rows.items(), key=lambda kv: tuple(map(str, kv[0])))
            ]
            return {"requests": rows, "graphql_points": dict(sorted(self._points.items()))}
