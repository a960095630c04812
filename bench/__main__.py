"""`python -m bench --smoke | --full [--only NAME ...]`: run the benchmarks, print ratio tables, and append a
dated section to bench/RESULTS.md. Nothing here is a timed test: figures are measured side by side in
one run on whatever machine runs it, and the section records that machine's cores and memory.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.common import Section, render_markdown

BENCHMARKS = ["requests_bench", "concurrency_bench", "load_bench", "models_bench", "geo_bench"]
RESULTS = Path(__file__).with_name("RESULTS.md")
SMOKE_CAVEAT = ("Smoke sizes keep every code path running, not the figures: in worlds this small fixed costs dominate, "
                "so the targets are judged by `make bench` at the sizes the issue names, and a MISSED line here is "
                "informative only.")


def machine() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "unknown memory"
    return f"{os.cpu_count()} cores, {memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--smoke", action="store_true", help="small sizes, a minute or two (run by CI)")
    mode.add_argument("--full", action="store_true", help="the sizes the issues ask for (under 30 minutes)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run just this benchmark (repeatable)")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    smoke = bool(args.smoke)
    sections: list[Section] = []
    started = time.monotonic()
    if smoke:
        print(SMOKE_CAVEAT, flush=True)
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name} ({'smoke' if smoke else 'full'})", flush=True)
        t0 = time.monotonic()
        for section in module.run(smoke=smoke):
            section.notes.append(f"measured in {time.monotonic() - t0:.0f} s")
            print(render_markdown(section), flush=True)
            sections.append(section)
    if not args.no_record:
        record(sections, smoke, time.monotonic() - started)
    return 0


def record(sections: list[Section], smoke: bool, seconds: float) -> None:
    stamp = datetime.now(timezone.utc)
    lines = [f"## {stamp:%Y-%m-%d} {'bench-smoke' if smoke else 'bench'} ({stamp:%H:%M} UTC)", "",
             f"Machine: {machine()}. Total time: {seconds:.0f} s.", ""] + ([SMOKE_CAVEAT, ""] if smoke else [])
    for section in sections:
        lines += [render_markdown(section), ""]
    existing = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nAppended by `make bench` and `make bench-smoke`; newest last.\n\n"
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
