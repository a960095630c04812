"""Models: the time of every SQL (and Python) model at 10k, 100k and 1M accounts, and how it grows.

Raw tables are generated directly in SQL (bench/raw_tables.py): accounts on three platforms with their
stars, forks, contributor entries, commits and dependents, two runs of repository observations. Each size
gets a fresh database. All models are built as `oss-miner` builds them (`run_models`, one transaction, the
real geolocator), and then each model alone in its own transaction, its COMMIT included: inside one long
transaction DuckDB writes a small new table only at the final COMMIT, so a model's share of that
transaction leaves out writing its table, and it is the model alone that is judged. The machine is
shared and noisy, so every time is the best of several builds.
"""

from __future__ import annotations

import contextlib
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import raw_tables
from bench.common import Section, ratio, target
from oss_miner import load, models

TARGET_GROWTH = 12  # from 100k to 1M accounts
JUDGED = (100_000, 1_000_000)
NOISE_FLOOR_S = 0.05  # below this at the larger size, a growth factor is mostly timer noise


def run(smoke: bool) -> list[Section]:
    sizes = [2_000, 20_000] if smoke else [10_000, 100_000, 1_000_000]
    repetitions = {size: 2 if smoke else (5 if size < 1_000_000 else 3) for size in sizes}
    results = {size: measure(size, repetitions[size]) for size in sizes}
    judged = (2_000, 20_000) if smoke else JUDGED
    return [section(sizes, judged, results, repetitions)]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def _cpu_per_model() -> Iterator[dict[str, float]]:
    """CPU seconds of this process (DuckDB's threads included) while each model is built: less sensitive
    than wall time to other processes sharing the machine."""
    original = models._build
    spent: dict[str, float] = {}

    def timed(con, model, comments):  # type: ignore[no-untyped-def]
        started = _cpu_seconds()
        try:
            return original(con, model, comments)
        finally:
            spent[model.name] = _cpu_seconds() - started

    models._build = timed  # type: ignore[assignment]
    try:
        yield spent
    finally:
        models._build = original  # type: ignore[assignment]


@dataclass
class Sized:
    wall: dict[str, float]  # best seconds per model inside the one-transaction build
    cpu: dict[str, float]  # best CPU seconds per model inside the one-transaction build
    alone: dict[str, float]  # best seconds per model built alone in its own transaction (COMMIT included)
    call: float  # best seconds of the whole run_models call (its COMMIT included)
    rows: int  # rows in all model tables
    fill: float  # seconds to generate the raw tables


def measure(accounts: int, repetitions: int) -> Sized:
    """Best wall and CPU seconds per model over `repetitions` builds of all models."""
    with tempfile.TemporaryDirectory(prefix="oss-miner-bench-models-") as tmp:
        con = load.connect(Path(tmp) / "models.duckdb")
        try:
            raw_tables.load_catalogue(con)
            started = time.perf_counter()
            raw_tables.fill_raw(con, accounts)
            sized = Sized({}, {}, {}, float("inf"), 0, time.perf_counter() - started)
            for _ in range(repetitions):
                _forget_located()
                started = time.perf_counter()
                with _cpu_per_model() as spent:
                    results = models.run_models(con)
                sized.call = min(sized.call, time.perf_counter() - started)
                sized.rows = sum(sum(r.rows.values()) for r in results)
                for result in results:  # dependency order: each model's inputs are already built
                    sized.wall[result.name] = min(sized.wall.get(result.name, float("inf")), result.seconds)
                    sized.cpu[result.name] = min(sized.cpu.get(result.name, float("inf")), spent[result.name])
                    _forget_located()
                    con.execute("CHECKPOINT")  # so that the next one writes this model's table and nothing else
                    started = time.perf_counter()
                    models.run_models(con, select=[result.name])
                    con.execute("CHECKPOINT")
                    sized.alone[result.name] = min(sized.alone.get(result.name, float("inf")),
                                                   time.perf_counter() - started)
        finally:
            con.close()
    return sized


def _forget_located() -> None:
    """Empty the geolocator's memos: a run is a fresh process, and a memo kept from the previous build
    would time geo_enrichment on lookups it never makes (more so at small sizes, where all texts fit)."""
    from oss_miner.geo.evidence import _locate_company, _locate_email_domain
    from oss_miner.geo.locate import _locate

    for memo in (_locate, _locate_company, _locate_email_domain):
        memo.cache_clear()


def section(sizes: list[int], judged: tuple[int, int], results: dict[int, Sized],
            repetitions: dict[int, int]) -> Section:
    a, b = judged
    names = sorted(results[b].alone, key=lambda n: -results[b].alone[n])
    steps = list(zip(sizes, sizes[1:]))

    def row(label: str, seconds: Callable[[int], float], inside: Callable[[int], float]) -> dict[str, object]:
        out: dict[str, object] = {"model": label}
        out.update({f"s at {_size(n)}": seconds(n) for n in sizes})
        out.update({f"x {_size(m)}->{_size(n)}": ratio(seconds(n), seconds(m)) for m, n in steps})
        out[f"x {_size(a)}->{_size(b)} in one transaction"] = ratio(inside(b), inside(a))
        return out

    table = [row("all models: run_models call", lambda n: results[n].call, lambda n: results[n].call),
             row("all models, each alone", lambda n: sum(results[n].alone.values()),
                 lambda n: sum(results[n].wall.values()))]
    table += [row(name, lambda n, name=name: results[n].alone[name], lambda n, name=name: results[n].wall[name])
              for name in names]
    judged_names = [n for n in names if results[b].alone[n] >= NOISE_FLOOR_S] or names
    growth = {n: ratio(results[b].alone[n], results[a].alone[n]) for n in judged_names}
    worst = max(judged_names, key=growth.__getitem__)
    over = sorted((n for n in judged_names if growth[n] > TARGET_GROWTH), key=lambda n: -growth[n])
    whole = ratio(results[b].call, results[a].call)
    cpu = ratio(sum(results[b].cpu.values()), sum(results[a].cpu.values()))
    targets = [
        target(not over, f"no model slower than {TARGET_GROWTH}x from {_size(a)} to {_size(b)} accounts, each built "
               f"alone (worst: {worst} {growth[worst]:.1f}x, {results[a].alone[worst]:.2f} s -> "
               f"{results[b].alone[worst]:.2f} s"
               + (f"; over {TARGET_GROWTH}x: " + ", ".join(f"{n} {growth[n]:.1f}x" for n in over) if over else "") + ")"),
        target(whole <= 1.2 * b / a, f"all models together close to linear ({whole:.1f}x for {b / a:.0f}x the accounts, "
               f"the whole run_models call; its CPU seconds {cpu:.1f}x)"),
    ]
    notes = [
        "raw tables generated in SQL (bench/raw_tables.py), one fresh database per size; fill time "
        + ", ".join(f"{_size(n)} {results[n].fill:.1f} s" for n in sizes),
        "a model's time: built alone with run_models(select=[model]), its own transaction, COMMIT and a "
        "CHECKPOINT (which writes its table into the file; the database is checkpointed before, untimed, so "
        "that no model pays for another's), inputs already built; best of " + ", ".join(f"{repetitions[n]} at {_size(n)}" for n in sizes)
        + "; the geolocator's memos are emptied before each build, as in a fresh process",
        "'in one transaction': the model's share of the run_models call; DuckDB keeps a small new table in "
        "memory until the final COMMIT (under one row group, 122,880 rows) and writes larger ones as they fill, "
        "so a table that crosses that size between two sizes jumps there more than its rows do",
        f"growth factors of models under {NOISE_FLOOR_S} s at {_size(b)} are timer noise and not judged",
        "rows in all model tables: " + ", ".join(f"{_size(n)} accounts {results[n].rows:,}" for n in sizes),
    ]
    return Section("SQL models at growing sizes", table, notes, targets)


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"
