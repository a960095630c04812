"""The geolocator on real and synthetic locations: accuracy, coverage and speed.

Accuracy = right country among located rows; coverage = located among non-empty rows (issue 5). Data:
../shared/geo-dev (real GitHub profile locations; skipped when absent), the held-out sample in tests/geo,
and the sandbox truth (every way the synthetic population writes its places, with the place it means).
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

from bench.common import Section, target
from oss_miner.geo import locate
from oss_miner.geo.gazetteer import index
from oss_miner.geo.locate import _locate

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "geo-dev"
HELD_OUT = ROOT / "tests" / "geo" / "heldout_locations.csv"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sandbox_truth(samples_per_place: int) -> list[dict[str, str]]:
    """Locations rendered the way the sandbox renders its people's profiles, with their truth."""
    from oss_miner.sandbox import pools
    from oss_miner.sandbox.population import render_location

    rng = random.Random(5)
    truths = [("CN", city.region, city.city) for city in pools.CN_CITIES]
    truths += [("CN", code, None) for code in pools.PROVINCES]
    truths += [(place.country, place.region, place.city) for places in pools.FOREIGN.values() for place in places]
    truths += [(country, None, None) for country in pools.COUNTRY_NAMES]
    rows = [{"location": render_location(rng, truth), "country_iso2": truth[0],
             "province_iso": truth[1] if truth[0] == "CN" else ""}
            for truth in truths for _ in range(samples_per_place)]
    rows += [{"location": text, "country_iso2": "", "province_iso": ""} for text in pools.NOISE_LOCATIONS]
    return rows


def measure(name: str, rows: list[dict[str, str]]) -> dict[str, object]:
    places = [row for row in rows if row["location"].strip() and row["country_iso2"]]
    results = [(row, locate(row["location"])) for row in places]
    located = [(row, found) for row, found in results if found.country_iso2]
    right = sum(found.country_iso2 == row["country_iso2"] for row, found in located)
    chinese = [(row, found) for row, found in results if row["country_iso2"] == "CN"]
    provinces = [(row, found) for row, found in chinese if row.get("province_iso")]
    noise = [row for row in rows if row["location"].strip() and not row["country_iso2"]]
    return {
        "data": name, "rows": len(places),
        "coverage": len(located) / len(places),
        "accuracy": right / len(located) if located else 0.0,
        "right of all": right / len(places),
        "CN found": (sum(found.country_iso2 == "CN" for _, found in chinese) / len(chinese)) if chinese else "",
        "province right": (sum(found.region == row["province_iso"] for row, found in provinces) / len(provinces)
                           if provinces else ""),
        "noise located": f"{sum(bool(locate(row['location']).country_iso2) for row in noise)}/{len(noise)}",
    }


def accuracy_section(smoke: bool) -> Section:
    rows, targets, notes = [], [], []
    if (DEV / "locations_dev.csv").is_file():
        dev = measure("geo-dev/locations_dev.csv", _read(DEV / "locations_dev.csv"))
        cn = measure("geo-dev/locations_cn_dev.csv", _read(DEV / "locations_cn_dev.csv"))
        rows += [dev, cn]
        targets.append(target(dev["right of all"] >= 0.90, f"dev: >= 90% of rows right ({dev['right of all']:.1%};"
                                                            " GitGeo 73.6%)"))
        targets.append(target(cn["CN found"] >= 0.97 and cn["province right"] >= 0.90,
                              f"cn dev: >= 97% CN ({cn['CN found']:.1%}), >= 90% provinces "
                              f"({cn['province right']:.1%})"))
    else:
        notes.append("../shared/geo-dev is absent: dev figures skipped")
    held = measure("tests/geo held-out sample", _read(HELD_OUT))
    held_cn = measure("tests/geo held-out Chinese sample",
                      [{**row, "country_iso2": "CN"} for row in _read(HELD_OUT.with_name("heldout_cn_locations.csv"))])
    sandbox = measure("sandbox truth", sandbox_truth(2 if smoke else 20))
    rows += [held, held_cn, sandbox]
    targets.append(target(held_cn["CN found"] >= 0.97 and held_cn["province right"] >= 0.90,
                          f"held-out Chinese: >= 97% CN ({held_cn['CN found']:.1%}), >= 90% provinces "
                          f"({held_cn['province right']:.1%})"))
    for row in (held, sandbox):
        targets.append(target(row["accuracy"] >= 0.97 and row["coverage"] >= 0.95,
                              f"{row['data']}: >= 97% right among located ({row['accuracy']:.1%}), "
                              f">= 95% located ({row['coverage']:.1%})"))
    return Section("Geolocator accuracy and coverage", rows, notes, targets)


def speed_section(smoke: bool) -> Section:
    started = time.perf_counter()
    index.cache_clear()
    index()
    load_seconds = time.perf_counter() - started
    texts = [row["location"] for row in sandbox_truth(3 if smoke else 40)]
    if (DEV / "locations_dev.csv").is_file():
        texts += [row["location"] for row in _read(DEV / "locations_dev.csv")]
    texts += [f"{text} #{number}" for number, text in enumerate(texts)]  # distinct strings: no memo hits
    _locate.cache_clear()
    started = time.perf_counter()
    for text in texts:
        locate(text)
    cold = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in texts:
        locate(text)
    warm = len(texts) / (time.perf_counter() - started)
    rows = [{"measure": "index load (disk cache, or build when absent)", "value": load_seconds, "unit": "s"},
            {"measure": "distinct locations, first sight", "value": cold, "unit": "locations/s"},
            {"measure": "repeated locations (memoised)", "value": warm, "unit": "locations/s"}]
    return Section("Geolocator speed", rows, [f"{len(texts):,} strings"],
                   [target(cold >= 1000, f"thousands of locations a second ({cold:,.0f}/s first sight)")])


def run(smoke: bool) -> list[Section]:
    return [accuracy_section(smoke), speed_section(smoke)]
