"""Live progress of a run, per platform and repository, for the terminal.

Extraction reports events here (pages landed, the rate-limit budget left, waits for a reset); the CLI
renders them with Rich while the flow runs. Events from other processes (Dask workers) are not seen:
their progress is in the Prefect UI instead.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class PlatformProgress:
    pages: int = 0
    records: int = 0
    remaining: int | None = None  # requests left in the current rate-limit window
    waiting_until: float | None = None  # monotonic deadline of a rate-limit wait
    repos: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # repo -> pages


class Progress:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.platforms: dict[str, PlatformProgress] = defaultdict(PlatformProgress)

    def page(self, platform: str, repo: str | None, records: int) -> None:
        with self._lock:
            state = self.platforms[platform]
            state.pages += 1
            state.records += records
            state.repos[repo or "(accounts, orgs, search)"] += 1
            state.waiting_until = None

    def budget(self, platform: str, remaining: int | None) -> None:
        with self._lock:
            self.platforms[platform].remaining = remaining

    def waiting(self, platform: str, seconds: float) -> None:
        with self._lock:
            self.platforms[platform].waiting_until = time.monotonic() + seconds

    def snapshot(self) -> dict[str, PlatformProgress]:
        with self._lock:
            return {k: PlatformProgress(v.pages, v.records, v.remaining, v.waiting_until, dict(v.repos))
                    for k, v in self.platforms.items()}


PROGRESS = Progress()


def _table(snapshot: dict[str, PlatformProgress]):
    from rich.table import Table

    table = Table(title="oss-miner: extracting", expand=False)
    for column in ("platform", "pages", "records", "requests left", "busiest repository", "status"):
        table.add_column(column, justify="right" if column in ("pages", "records", "requests left") else "left")
    for platform, state in sorted(snapshot.items()):
        busiest = max(state.repos.items(), key=lambda kv: kv[1])[0] if state.repos else ""
        status = "fetching"
        if state.waiting_until is not None:
            left = max(0, int(state.waiting_until - time.monotonic()))
            status = f"rate limit: waiting {left // 60}:{left % 60:02d}"
        table.add_row(platform, str(state.pages), str(state.records),
                      "" if state.remaining is None else str(state.remaining), busiest, status)
    return table


@contextmanager
def live(enabled: bool) -> Iterator[None]:
    """Render PROGRESS on the terminal while the block runs (when enabled and stdout is a terminal)."""
    import sys

    if not enabled or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.live import Live

    with Live(_table(PROGRESS.snapshot()), console=Console(stderr=True), refresh_per_second=2) as display:
        stop = threading.Event()

        def refresh() -> None:
            while not stop.wait(0.5):
                display.update(_table(PROGRESS.snapshot()))

        worker = threading.Thread(target=refresh, daemon=True)
        worker.start()
        try:
            yield
        finally:
            stop.set()
            worker.join()
