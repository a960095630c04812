"""Models: the time of every SQL (and Python) model at 10k, 100k and 1M accounts, and how it grows.

Raw tables are generated directly in SQL (bench/raw_tables.py): accounts on three platforms with their
stars, forks, contributor entries, commits and dependents, two runs of repository observations. Each size
gets a fresh database; all models run in dependency order as `oss-miner` runs them (`run_models`, one
transaction, the real geolocator). The machine is shared and noisy, so each model's time is the best of
several builds of the whole model set.
"""

from __future__ import annotations

import contextlib
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench import raw_tables
from bench.common import Section, ratio, target
from oss_miner import load, models

TARGET_GROWTH = 12  # from 100k to 1M accounts
NOISE_FLOOR_S = 0.05  # below this at the larger size, a growth factor is mostly timer noise


def run(smoke: bool) -> list[Section]:
    sizes = [2_000, 20_000] if smoke else [10_000, 100_000, 1_000_000]
    repetitions = {size: 2 if smoke else (5 if size < 1_000_000 else 3) for size in sizes}
    timings: dict[int, dict[str, float]] = {}
    cpu: dict[int, dict[str, float]] = {}
    rows_out: dict[int, int] = {}
    fill_s: dict[int, float] = {}
    for size in sizes:
        timings[size], cpu[size], rows_out[size], fill_s[size] = measure(size, repetitions[size])
    return [section(sizes, timings, cpu, rows_out, fill_s, repetitions)]


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


def measure(accounts: int, repetitions: int) -> tuple[dict[str, float], dict[str, float], int, float]:
    """Best wall and CPU seconds per model over `repetitions` builds, the rows the models hold, and the
    fill time."""
    with tempfile.TemporaryDirectory(prefix="oss-miner-bench-models-") as tmp:
        con = load.connect(Path(tmp) / "models.duckdb")
        try:
            raw_tables.load_catalogue(con)
            started = time.perf_counter()
            raw_tables.fill_raw(con, accounts)
            fill = time.perf_counter() - started
            best: dict[str, float] = {}
            best_cpu: dict[str, float] = {}
            rows = 0
            for _ in range(repetitions):
                _forget_located()
                with _cpu_per_model() as spent:
                    results = models.run_models(con)
                for result in results:
                    best[result.name] = min(best.get(result.name, float("inf")), result.seconds)
                    best_cpu[result.name] = min(best_cpu.get(result.name, float("inf")), spent[result.name])
                rows = sum(sum(r.rows.values()) for r in results)
        finally:
            con.close()
    return best, best_cpu, rows, fill


def _forget_located() -> None:
    """Empty the geolocator's memos: a run is a fresh process, and a memo kept from the previous build
    would time geo_enrichment on lookups it never makes (more so at small sizes, where all texts fit)."""
    from oss_miner.geo.evidence import _locate_company, _locate_email_domain
    from oss_miner.geo.locate import _locate

    for memo in (_locate, _locate_company, _locate_email_domain):
        memo.cache_clear()


def section(sizes: list[int], timings: dict[int, dict[str, float]], cpu: dict[int, dict[str, float]], rows_out: dict[int, int],
            fill_s: dict[int, float], repetitions: dict[int, int]) -> Section:
    names = list(timings[sizes[0]])
    growth_columns = [(a, b) for a, b in zip(sizes, sizes[1:])]
    table = []
    for name in sorted(names, key=lambda n: -timings[sizes[-1]][n]):
        row: dict[str, object] = {"model": name}
        row.update({f"s at {_size(s)}": timings[s][name] for s in sizes})
        row.update({f"x {_size(a)}->{_size(b)}": ratio(timings[b][name], timings[a][name]) for a, b in growth_columns})
        row[f"CPU x {_size(sizes[-2])}->{_size(sizes[-1])}"] = ratio(cpu[sizes[-1]][name], cpu[sizes[-2]][name])
        table.append(row)
    total = {"model": "all models"}
    total.update({f"s at {_size(s)}": sum(timings[s].values()) for s in sizes})
    total.update({f"x {_size(a)}->{_size(b)}": ratio(sum(timings[b].values()), sum(timings[a].values()))
                  for a, b in growth_columns})
    total[f"CPU x {_size(sizes[-2])}->{_size(sizes[-1])}"] = ratio(sum(cpu[sizes[-1]].values()), sum(cpu[sizes[-2]].values()))
    table.insert(0, total)
    a, b = sizes[-2], sizes[-1]
    factor = b / a
    worst = max(names, key=lambda n: ratio(timings[b][n], timings[a][n]) if timings[b][n] >= NOISE_FLOOR_S else 0)
    worst_ratio = ratio(timings[b][worst], timings[a][worst])
    worst_cpu = max(names, key=lambda n: ratio(cpu[b][n], cpu[a][n]) if timings[b][n] >= NOISE_FLOOR_S else 0)
    targets = [
        target(worst_ratio <= TARGET_GROWTH,
               f"no model slower than {TARGET_GROWTH}x from {_size(a)} to {_size(b)} accounts "
               f"(worst wall time: {worst} {worst_ratio:.1f}x, {timings[a][worst]:.2f} s -> {timings[b][worst]:.2f} s; "
               f"worst CPU time: {worst_cpu} {ratio(cpu[b][worst_cpu], cpu[a][worst_cpu]):.1f}x)"),
        target(ratio(sum(timings[b].values()), sum(timings[a].values())) <= factor * 1.2,
               f"all models together close to linear ({ratio(sum(timings[b].values()), sum(timings[a].values())):.1f}x "
               f"for {factor:.0f}x the accounts)"),
    ]
    notes = [
        "raw tables generated in SQL (bench/raw_tables.py), one fresh database per size; fill time "
        + ", ".join(f"{_size(s)} {fill_s[s]:.1f} s" for s in sizes),
        "each model's time is the best of " + ", ".join(f"{repetitions[s]} builds at {_size(s)}" for s in sizes)
        + " of all models (run_models, one transaction, the real geolocator with its memos emptied before each build); "
        "CPU = this process's CPU seconds while the model was built (DuckDB's threads included), also the best of the builds",
        f"growth factors of models under {NOISE_FLOOR_S} s at the larger size are timer noise and not judged",
        "rows in all model tables: " + ", ".join(f"{_size(s)} accounts {rows_out[s]:,}" for s in sizes),
    ]
    return Section("SQL models at growing sizes", table, notes, targets)


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"
