"""Reference tables shipped with the package (not configuration, not observations), as a Python model.

`ref_indicators`: every indicator of mart_policy_indicators with its method, evidence and known biases
(`brief_data/indicators.csv`): the mart's method and confidence note and the brief's method appendix both come
from it, so they cannot disagree.
`ref_pilot_zones`: the 18 national new-generation AI innovation and development pilot zones the Ministry of
Science and Technology designated in 2019-2021, each with its designation year and its source
(`brief_data/pilot_zones.csv`). Deqing is a county of Huzhou: its row names the prefecture (city) and the
county, so that a person placed in Huzhou counts for the zone only when their location names Deqing.
"""

from __future__ import annotations

import csv
from importlib import resources

import duckdb
import pyarrow as pa

from oss_miner.enrich import PythonModel

PILOT_ZONES_FILE = "pilot_zones.csv"
INDICATORS_FILE = "indicators.csv"  # the brief's indicator definitions: mart_policy_indicators and the method appendix
_SCHEMA = pa.schema([("zone", pa.string()), ("city", pa.string()), ("region", pa.string()), ("county", pa.string()),
                     ("designated_year", pa.int32()), ("designated_on", pa.string()), ("source", pa.string())])


INDICATOR_COLUMNS = ("indicator", "question", "title", "unit", "method", "evidence", "biases")


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("oss_miner").joinpath("brief_data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def pilot_zones() -> list[dict[str, object]]:
    """The zones as package data says, one dict per zone (county None for a whole city)."""
    return [{**r, "county": r["county"] or None, "designated_year": int(r["designated_year"])}
            for r in _rows(PILOT_ZONES_FILE)]


def indicators() -> list[dict[str, str]]:
    """Every indicator of mart_policy_indicators: its question, title, unit, method, evidence and biases."""
    return _rows(INDICATORS_FILE)


def _table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> int:
    con.register("reference_rows", table)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM reference_rows')
    finally:
        con.unregister("reference_rows")
    return table.num_rows


def run(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    schema = pa.schema([(c, pa.string()) for c in INDICATOR_COLUMNS])
    return {"ref_pilot_zones": _table(con, "ref_pilot_zones", pa.Table.from_pylist(pilot_zones(), schema=_SCHEMA)),
            "ref_indicators": _table(con, "ref_indicators", pa.Table.from_pylist(indicators(), schema=schema))}


MODELS = [
    PythonModel(
        name="reference_tables",
        description=("Reference data shipped with the package: the national new-generation AI innovation and "
                     "development pilot zones (Ministry of Science and Technology, 2019-2021) with their designation "
                     "years and sources, and the definitions of the brief's indicators"),
        inputs=(),
        outputs=("ref_pilot_zones", "ref_indicators"),
        columns={
            "zone": "the pilot zone as designated (a city, or Deqing County)",
            "city": "the prefecture-level city as the geolocator names it (Deqing: Huzhou)",
            "region": "ISO 3166-2 province of the city",
            "county": "the county a zone is limited to (Deqing), NULL for a whole city",
            "designated_year": "calendar year of the designation",
            "designated_on": "date (or month) of the designation letter",
            "source": "where the designation is published",
            "indicator": "indicator id of mart_policy_indicators",
            "question": "the policy question it answers: vendor_dominance, hub_concentration, platform_dependence or adoption",
            "title": "what the brief calls it",
            "unit": "share (0..1), count, index (0..1) or flag (0 or 1)",
            "method": "what the figure counts and over what",
            "evidence": "the evidence it rests on (its tiers)",
            "biases": "its known biases and what its coverage measures",
        },
        run=run,
    )
]
