"""Exports of every mart: one CSV (or Parquet) file per mart plus a data dictionary, or one Excel workbook
(`oss_miner.xlsx`: a README sheet with the dictionary, then a sheet per mart, split across numbered sheets
past Excel's 1,048,576 rows).

Files open cleanly in Excel, pandas and R: UTF-8 with a header, a stable column order, ISO 8601 dates.
They are also safe to hand on; what may leave the database is `oss_miner.disclosure`'s to say, under
the policy of the catalogue in use (or `--min-cell`):
- logins, account ids, person keys and identities are keyed pseudonyms unless `identify` is set;
- small geography cells are suppressed, with complementary suppression (counts blanked, flagged);
- `public` exports hold no table with one row per person or account, only suppressed aggregates;
- text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
  neutralised with a leading apostrophe (OWASP CSV injection); numbers stay numbers;
- a database holding sandbox runs is stamped "SYNTHETIC DATA" (see `oss_miner.labels`): in the first
  column of README.csv on every row (a leading row would break every reader of the dictionary) and in each
  Parquet file's key-value metadata (`data_label`), which readers that do not ask for it never see.
The database itself is never changed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oss_miner import disclosure, sheets
from oss_miner.config import Catalogue
from oss_miner.disclosure import Policy
from oss_miner.errors import UserError
from oss_miner.labels import data_label
from oss_miner.queries import connect_read_only

LABEL_KEY = "data_label"  # README column and Parquet metadata key of the data label
WORKBOOK = "oss_miner.xlsx"  # the file of --format xlsx


def mart_tables(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'mart\\_%' ESCAPE '\\' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A protected frame as it is written: dates stay typed (sheets writes them as ISO 8601 text in CSV and
    as DATE/TIMESTAMP in Parquet), formula-looking text neutralised."""
    frame = sheets.typed(frame)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(sheets.neutralise)
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


def exported_dictionary(con, tables: list[str], policy: Policy, label: str | None) -> pd.DataFrame:
    """The dictionary of the files as written: the columns the export adds, pseudonymised ids said so, and
    the data label first (empty for real data, so the dictionary's columns are the same either way)."""
    rows = data_dictionary(con, tables)
    added = [{"table": t, "column": c, "type": kind, "description": text,
              "table_description": rows.loc[rows["table"] == t, "table_description"].iloc[0]}
             for t in tables for c, kind, text in disclosure.added_columns(t)]
    rows = pd.concat([rows, pd.DataFrame(added, columns=rows.columns)], ignore_index=True)
    rows["description"] = [disclosure.exported_description(c, d, policy)
                           for c, d in zip(rows["column"], rows["description"])]
    rows["description"] = rows["description"].map(sheets.neutralise)
    rows.insert(0, LABEL_KEY, label or "")
    return rows


def export(db: Path | str, out: Path | str, *, fmt: str = "csv", identify: bool = False,
           min_cell: int | None = None, public: bool = False, catalogue: Catalogue | None = None) -> list[Path]:
    """Write every mart `policy_for` lets out (a public export: the aggregates only) and README.<fmt>."""
    db, out = Path(db), Path(out)
    policy = disclosure.policy_for(db, catalogue=catalogue, min_cell=min_cell, identify=identify, public=public)
    out.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(db)
    written: list[Path] = []
    try:
        tables = mart_tables(con)
        if not tables:
            raise UserError(f"{db} holds no mart tables; run `oss-miner run` first")
        label = data_label(con)
        frames = {table: sheets.query(con, f'SELECT * FROM "{table}"') for table in tables}
        for table, frame in list(frames.items()):
            if policy.public and disclosure.per_person(frame.columns):
                # an earlier, non-public export into this folder must not ride along with a public one
                (out / f"{table}.{fmt}").unlink(missing_ok=True)
                del frames[table]
        kept = list(frames)
        protected = {table: prepare(frame) for table, frame in disclosure.protect_tables(frames, policy).items()}
        dictionary = exported_dictionary(con, kept, policy, label)
        if fmt == "xlsx":  # one workbook: the README sheet (the data dictionary) first, then a sheet per mart
            workbook = out / WORKBOOK
            written.append(sheets.write_workbook({"README": dictionary, **protected}, workbook,
                                                 metadata={LABEL_KEY: label} if label else None))
            return written
        for table, frame in protected.items():
            written.append(_write(frame, out / f"{table}.{fmt}", fmt, label))
        written.append(_write(dictionary, out / f"README.{fmt}", fmt, label))
    finally:
        con.close()
    return written


def _write(frame: pd.DataFrame, path: Path, fmt: str, label: str | None = None) -> Path:
    return sheets.write(frame, path, fmt, metadata={LABEL_KEY: label} if label else None)
