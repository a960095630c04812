"""Exports of every mart: one CSV (or Parquet) file per mart plus a data dictionary.

Files open cleanly in Excel, pandas and R: UTF-8 with a header, a stable column order, ISO 8601 dates.
They are also safe to hand on:
- logins are pseudonymised unless `identify` is set (for users with a legal basis);
- geography cells with fewer than `min_cell` people are suppressed (counts blanked, flagged);
- text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
  neutralised with a leading apostrophe (OWASP CSV injection); numbers stay numbers.
The database itself is never changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import pandas as pd

from oss_miner import sheets
from oss_miner.config import default_config_path, load_config
from oss_miner.errors import UserError
from oss_miner.privacy import load_hash_key
from oss_miner.queries import connect_read_only
from oss_miner.runstate import StatePaths

FORMULA_PREFIXES = sheets.FORMULA_PREFIXES
GEO_COLUMNS = ("country_iso2", "region", "city")
PEOPLE_COLUMNS = ("people", "authors", "accounts")


def mart_tables(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'mart\\_%' ESCAPE '\\' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def neutralise(value: object) -> object:
    return sheets.neutralise(value)


def _pseudonymiser(db: Path):
    paths = StatePaths.for_db(db)
    key = load_hash_key(paths.state) if paths.state.exists() else secrets.token_bytes(32)

    def pseudonym(value: object) -> object:
        if not isinstance(value, str) or not value:
            return value
        return "user-" + hmac.new(key, value.lower().encode("utf-8"), hashlib.sha256).hexdigest()[:12]

    return pseudonym


def _suppress_small_cells(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    geo = [c for c in GEO_COLUMNS if c in frame.columns]
    if not geo:
        return frame
    counts = [c for c in PEOPLE_COLUMNS if c in frame.columns]
    frame = frame.copy()
    if counts:  # aggregated table: blank the counts of small cells
        small = frame[counts[0]].fillna(0) < min_cell
        count_like = [c for c in frame.columns if c in PEOPLE_COLUMNS or c in ("contributions", "commits")
                      or c.endswith("_share") or c.startswith("share")]
        for column in count_like:
            values = frame[column]
            if pd.api.types.is_integer_dtype(values):
                values = values.astype("Int64")  # keeps integers integers once cells are blanked
            frame[column] = values.mask(small)
        frame["suppressed"] = small
        return frame
    # one row per account: coarsen places shared by fewer than min_cell accounts
    for depth in range(len(geo), 0, -1):
        keys = geo[:depth]
        sizes = frame.groupby(keys, dropna=False)[keys[0]].transform("size")
        for column in geo[depth - 1:]:
            frame[column] = frame[column].where(sizes >= min_cell, None)
    return frame


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    # dates stay typed here: sheets writes them as ISO 8601 text in CSV and as DATE/TIMESTAMP in Parquet
    return sheets.typed(frame)


def prepare(frame: pd.DataFrame, *, identify: bool, min_cell: int, pseudonym) -> pd.DataFrame:
    if not identify:
        for column in frame.columns:
            if column == "login" or column.endswith("_login"):
                frame[column] = frame[column].map(pseudonym)
    frame = _suppress_small_cells(frame, min_cell)
    frame = _iso_dates(frame)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise)
    return frame


def data_dictionary(con, tables: list[str]) -> pd.DataFrame:
    rows = con.execute(
        """
        SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS type,
               coalesce(c.comment, '') AS description, coalesce(t.comment, '') AS table_description
        FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
        WHERE c.table_name IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY c.table_name, c.column_index
        """,
        [tables],
    ).df()
    return rows


def export(db: Path | str, out: Path | str, *, fmt: str = "csv", identify: bool = False,
           min_cell: int | None = None) -> list[Path]:
    db, out = Path(db), Path(out)
    if min_cell is None:
        min_cell = load_config(default_config_path()).privacy.min_cell_people
    if min_cell < 1:
        raise UserError("--min-cell must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    pseudonym = _pseudonymiser(db)
    con = connect_read_only(db)
    written: list[Path] = []
    try:
        tables = mart_tables(con)
        if not tables:
            raise UserError(f"{db} holds no mart tables; run `oss-miner run` first")
        for table in tables:
            frame = prepare(sheets.query(con, f'SELECT * FROM "{table}"'), identify=identify,
                            min_cell=min_cell, pseudonym=pseudonym)
            written.append(_write(frame, out / f"{table}.{fmt}", fmt))
        dictionary = data_dictionary(con, tables)
        dictionary["description"] = dictionary["description"].map(neutralise)
        written.append(_write(dictionary, out / f"README.{fmt}", fmt))
    finally:
        con.close()
    return written


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    return sheets.write(frame, path, fmt)
