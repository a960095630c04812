"""What every benchmark returns: a titled table of figures measured side by side, with notes."""

from __future__ import annotations

import resource
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    title: str
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # "met: ..." / "missed: ..." lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_markdown(section: Section) -> str:
    lines = [f"### {section.title}", ""]
    if section.rows:
        columns = list(dict.fromkeys(k for row in section.rows for k in row))
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        for row in section.rows:
            lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
        lines.append("")
    lines += [f"- {t}" for t in section.targets]
    lines += [f"- {n}" for n in section.notes]
    return "\n".join(lines).rstrip("\n")


def target(ok: bool, text: str) -> str:
    return f"{'met' if ok else 'MISSED'}: {text}"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


class PeakMemory:
    """Peak resident memory of this process while the block runs (sampled, plus ru_maxrss)."""

    def __init__(self, interval_s: float = 0.05):
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        try:
            with open("/proc/self/statm") as handle:
                import os

                return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._rss())
            time.sleep(self.interval_s)

    def __enter__(self) -> "PeakMemory":
        self.peak_bytes = self._rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._rss())
