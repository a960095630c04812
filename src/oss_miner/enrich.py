"""Geo enrichment: the Python model between staging and marts that asks the geolocator about each
distinct profile location, company, email domain and per-author commit time-zone profile, and writes
lookup tables the marts join to.

It reads `int_accounts`, `int_contributors` and `stg_commits` and writes `geo_locations`,
`geo_companies`, `geo_email_domains` and `geo_author_timezones`. Each distinct text is located once;
results go back to DuckDB as Arrow tables, never as SQL text.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from oss_miner.errors import RunFailed

GEO_COLUMNS = {
    "country_iso2": "ISO 3166-1 alpha-2 country code (HK, MO and TW have their own); NULL when not located",
    "region": "ISO 3166-2 subdivision code where known, e.g. CN-ZJ",
    "city": "city name in English where known",
    "confidence": "the geolocator's confidence in the attribution, 0..1",
    "method": "evidence tier: location, location_first (first of several places), company, email_domain, timezone or none",
}


class GeoResultLike(Protocol):
    country_iso2: str | None
    region: str | None
    city: str | None
    confidence: float
    method: str


@dataclass(frozen=True)
class PythonModel:
    name: str
    description: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    columns: dict[str, str]
    run: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]


_override: Any = None


def use_geolocator(geolocator: Any) -> None:
    """Use another object with the oss_miner.geo API (tests pass a small fake); None restores the default."""
    global _override
    _override = geolocator


def geolocator() -> Any:
    if _override is not None:
        return _override
    try:
        return importlib.import_module("oss_miner.geo")
    except ImportError as exc:
        raise RunFailed(f"the geolocator (oss_miner.geo) cannot be imported: {exc}") from None


_GEO_SCHEMA = [
    ("country_iso2", pa.string()), ("region", pa.string()), ("city", pa.string()),
    ("confidence", pa.float64()), ("method", pa.string()),
]


def _geo_values(result: GeoResultLike | None) -> tuple[Any, ...]:
    if result is None or not getattr(result, "country_iso2", None):
        method = getattr(result, "method", None) or "none"
        return (None, None, None, 0.0, method)
    confidence = float(getattr(result, "confidence", 0.0) or 0.0)
    return (result.country_iso2, result.region, result.city, max(0.0, min(1.0, confidence)), result.method)


def _write(con: duckdb.DuckDBPyConnection, table: str, key_fields: list[tuple[str, pa.DataType]],
           rows: list[tuple[Any, ...]]) -> int:
    schema = pa.schema(key_fields + _GEO_SCHEMA)
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrow = pa.Table.from_arrays([pa.array(list(col), type=f.type) for col, f in zip(columns, schema)], schema=schema)
    con.register("geo_rows", arrow)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM geo_rows')
    finally:
        con.unregister("geo_rows")
    return len(rows)


def _locate_texts(texts: Iterable[str], locate: Callable[[str], GeoResultLike]) -> list[tuple[Any, ...]]:
    return [(text, *_geo_values(locate(text))) for text in texts]


def _distinct(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return [row[0] for row in con.execute(sql).fetchall()]


def _timezone_rows(con: duckdb.DuckDBPyConnection, locate: Callable[[dict[int, int]], GeoResultLike]) -> list[tuple[Any, ...]]:
    profiles: dict[str, dict[int, int]] = defaultdict(dict)
    for author_key, offset, commits in con.execute(
        "SELECT author_key, author_utc_offset_minutes, count(DISTINCT sha) FROM stg_commits "
        "WHERE author_key IS NOT NULL AND author_utc_offset_minutes IS NOT NULL AND NOT coalesce(is_bot, false) "
        "GROUP BY ALL ORDER BY author_key, author_utc_offset_minutes"
    ).fetchall():
        profiles[author_key][int(offset)] = int(commits)
    located: dict[tuple[tuple[int, int], ...], tuple[Any, ...]] = {}
    rows = []
    for author_key, profile in profiles.items():
        shape = tuple(sorted(profile.items()))
        if shape not in located:
            located[shape] = _geo_values(locate(dict(profile)))
        total = sum(profile.values())
        main_offset, main_commits = max(profile.items(), key=lambda item: (item[1], -abs(item[0])))
        rows.append((author_key, total, main_offset, main_commits / total, *located[shape]))
    return rows


def run(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    geo = geolocator()
    texts = "SELECT DISTINCT {col} FROM {table} WHERE nullif(trim({col}), '') IS NOT NULL ORDER BY 1"
    # every location a profile ever showed (raw_accounts keeps each run's), so that a past year can be placed
    # by the observation nearest to it (int_person_year_places)
    every_location = "(SELECT location FROM int_accounts UNION ALL SELECT location FROM raw_accounts)"
    locations = _locate_texts(_distinct(con, texts.format(col="location", table=every_location)), geo.locate)
    companies = _locate_texts(_distinct(con, texts.format(col="company", table="int_accounts")), geo.locate_company)
    domains = _distinct(con, (
        "SELECT email_domain FROM int_accounts WHERE email_domain IS NOT NULL "
        "UNION SELECT email_domain FROM int_contributors WHERE email_domain IS NOT NULL "
        "UNION SELECT email_domain FROM stg_commits WHERE email_domain IS NOT NULL ORDER BY 1"
    ))
    return {
        "geo_locations": _write(con, "geo_locations", [("location", pa.string())], locations),
        "geo_companies": _write(con, "geo_companies", [("company", pa.string())], companies),
        "geo_email_domains": _write(con, "geo_email_domains", [("email_domain", pa.string())],
                                    _locate_texts(domains, geo.locate_email_domain)),
        "geo_author_timezones": _write(con, "geo_author_timezones", [
            ("author_key", pa.string()), ("commits", pa.int64()), ("main_offset_minutes", pa.int32()),
            ("main_offset_share", pa.float64()),
        ], _timezone_rows(con, geo.locate_timezone)),
    }


MODELS = [
    PythonModel(
        name="geo_enrichment",
        description=(
            "Geolocator lookups for every distinct profile location, company, email domain and commit "
            "time-zone profile (oss_miner.geo), so that the marts can join places to people"
        ),
        inputs=("int_accounts", "int_contributors", "stg_commits"),
        outputs=("geo_locations", "geo_companies", "geo_email_domains", "geo_author_timezones"),
        columns={
            "location": "profile location text exactly as typed (int_accounts.location)",
            "company": "profile company text exactly as typed (int_accounts.company)",
            "email_domain": "email domain of a profile, contributor entry or commit author",
            "author_key": "keyed hash of a commit author email (stg_commits.author_key)",
            "commits": "non-bot commits of the author that carry a UTC offset (the profile's size)",
            "main_offset_minutes": "the author's most frequent UTC offset in minutes",
            "main_offset_share": "share of the author's commits at that offset (0..1)",
            **GEO_COLUMNS,
        },
        run=run,
    )
]
