"""Loading: landing -> DuckDB rows per second and peak memory, against a row-by-row `executemany`.

The landed pages (forks and profiles, pages of 100) are made up directly by bench/landed.py. The loader
(`oss_miner.load.load_run`) runs in a child process so that its peak resident memory (VmHWM, DuckDB's
native allocations included) is its own. The baseline parses the same landed JSONL lines and inserts them
one row at a time with `executemany` into the same raw tables of a fresh database; it is measured on a
sample of the rows (it would take hours on all of them) and its rate applied to the whole.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import landed
from bench.common import Section, ratio, target
from oss_miner import load
from oss_miner.config import load_config
from oss_miner.landing import Landing
from oss_miner.records import ENTITIES, LANDING_COLUMNS

RUN_ID = "bench-load"
ROOT = Path(__file__).resolve().parents[1]
TARGET_SPEEDUP = 50
TARGET_MEMORY = 2 * 2**30


def run(smoke: bool) -> list[Section]:
    forks, accounts, sample = (20_000, 10_000, 2_000) if smoke else (1_000_000, 500_000, 10_000)
    with tempfile.TemporaryDirectory(prefix="oss-miner-bench-load-") as tmp:
        root = Path(tmp)
        catalogue = load_config(sandbox=True, environ={})
        started = time.perf_counter()
        landing = landed.land(root / "landing", RUN_ID, catalogue, forks, accounts)
        generated = time.perf_counter() - started
        bulk = _load_in_child(root / "landing", root / "bulk.duckdb")
        rowwise = row_by_row(landing, root / "rowwise.duckdb", sample)
        files = sum(1 for _ in (root / "landing").rglob("*.jsonl"))
        size = sum(p.stat().st_size for p in (root / "landing").rglob("*.jsonl"))
    rows = bulk["rows"]
    bulk_rate = rows / bulk["seconds"]
    table = [
        {"method": "oss-miner load_run (DuckDB read_json, one transaction)", "rows": rows, "s": bulk["seconds"],
         "rows/s": bulk_rate, "peak RSS MB": bulk["max_rss"] / 2**20, "x row-by-row": ratio(bulk_rate, rowwise["rate"])},
        {"method": f"row-by-row executemany (sample of {rowwise['rows']:,} rows)", "rows": rowwise["rows"],
         "s": rowwise["seconds"], "rows/s": rowwise["rate"], "peak RSS MB": "", "x row-by-row": 1.0},
    ]
    targets = [
        target(bulk_rate >= TARGET_SPEEDUP * rowwise["rate"],
               f">= {TARGET_SPEEDUP}x the row-by-row rate ({ratio(bulk_rate, rowwise['rate']):,.0f}x)"),
        target(bulk["max_rss"] < TARGET_MEMORY, f"peak memory under 2 GB ({bulk['max_rss'] / 2**30:.2f} GiB)"),
    ]
    notes = [
        f"{forks:,} forks and {accounts:,} account profiles landed directly through Landing.put in pages of 100 "
        f"({files:,} JSONL files, {size / 2**20:,.0f} MB) in {generated:.0f} s",
        "load_run in a child process; peak RSS = its VmHWM (Python and DuckDB's native memory alike)",
        f"row-by-row: the same landed lines parsed with json.loads and inserted with executemany, {rowwise['rows']:,} "
        "rows sampled from both entities (forks and accounts in their landed proportion), its rate applied to all",
        f"load_run loaded {json.dumps(bulk['by_entity'])}",
    ]
    return [Section("Loading landed pages into DuckDB", table, notes, targets)]


def _load_in_child(landing_root: Path, db: Path) -> dict:
    answer = subprocess.run([sys.executable, "-m", "bench.load_bench", str(landing_root), str(db)],
                            cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def _child(landing_root: str, db: str) -> None:
    catalogue = load_config(sandbox=True, environ={})
    con = load.connect(db)
    landing = Landing(landing_root, RUN_ID)
    started = time.perf_counter()
    by_entity = load.load_run(con, landing, catalogue, {"run_id": RUN_ID, "started_at": "2026-01-01T00:00:00+00:00"})
    seconds = time.perf_counter() - started
    con.close()
    max_rss = _peak_rss()
    print(json.dumps({"rows": sum(by_entity.values()), "by_entity": {k: v for k, v in by_entity.items() if v},
                      "seconds": seconds, "max_rss": max_rss}))


def _peak_rss() -> int:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts afresh at exec;
    ru_maxrss would also count the parent's memory copied by the fork that started us."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def row_by_row(landing: Landing, db: Path, sample: int) -> dict:
    """Parse landed lines and insert them one by one, entity by entity, up to `sample` rows in all."""
    con = load.connect(db)
    per_entity = {"forks": sample * 2 // 3, "accounts": sample - sample * 2 // 3}
    rows = 0
    seconds = 0.0
    for entity, wanted in per_entity.items():
        columns = [c.name for c in (*ENTITIES[entity].columns, *LANDING_COLUMNS)]
        statement = (f"INSERT INTO {load.raw_table(entity)} ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' for _ in columns)})")
        lines: list[str] = []
        for path in landing.record_files(entity):
            lines += Path(path).read_text(encoding="utf-8").splitlines()
            if len(lines) >= wanted:
                break
        lines = lines[:wanted]
        started = time.perf_counter()
        values = [[record.get(c) for c in columns] for record in map(json.loads, lines)]
        con.execute("BEGIN TRANSACTION")
        con.executemany(statement, values)
        con.execute("COMMIT")
        seconds += time.perf_counter() - started
        rows += len(values)
    con.close()
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds}


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
