"""How tables are written for people: the one place that decides what a CSV or Parquet file looks like.

Analysts open these files in Excel, pandas and R, so a file must read the same everywhere:
- CSV is UTF-8 **with a byte-order mark** (Excel on Windows reads a file without one as the local code
  page and shows 阿里巴巴 as mojibake; pandas, R and Python's csv module with utf-8-sig skip the mark);
- a list (or struct) cell is a JSON array (object) in CSV, `["MNN", "OneFlow"]`, and a real list in Parquet;
- a CSV cell never holds a raw line break: CR, LF and the other Unicode line separators become one
  space each (a line break inside a quoted cell splits the row in many tools and in Excel's preview);
- dates and timestamps are ISO 8601 text in CSV (`2024-05-01`, `2024-05-01T02:00:00Z` in UTC) and typed
  DATE / TIMESTAMP columns in Parquet;
- a text cell that a spreadsheet would run as a formula (starting with = + - @ tab or CR) gets a leading
  apostrophe (OWASP CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"  # writes the byte-order mark; reading with it skips one if present
LINE_TERMINATOR = "\n"
# What str.splitlines() splits on, so no tool finds a second line inside a cell.
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def neutralise(value: object) -> object:
    """A text that a spreadsheet would evaluate, made inert with a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def text_cell(value: object) -> object:
    """A CSV cell: neutralised first (so a leading CR is still seen), then on one line."""
    value = neutralise(value)
    return one_line(value) if isinstance(value, str) else value


def _plain(value: object) -> object:
    """numpy and pandas containers and scalars as the JSON-serialisable Python values they hold."""
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return iso(value)
    return value


def _is_container(value: object) -> bool:
    return isinstance(value, (list, tuple, np.ndarray, Mapping))


def iso(value: object) -> object:
    """ISO 8601 text: a timestamp with a time zone in UTC with a Z, a naive one as is, a date as a date."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if value.tzinfo is not None:
            return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_column(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        return series.map(iso).astype(object)
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return series  # numbers and booleans: the CSV writer prints them as numbers
    return series.map(csv_cell)


def readable(value: object) -> object:
    """A list or struct as JSON text, a date or timestamp as ISO 8601 text, anything else as is."""
    if _is_container(value):
        return json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return iso(value)
    return value


def csv_cell(value: object) -> object:
    """One value as a person should see it in a CSV cell."""
    return text_cell(readable(value))


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every cell as it goes into a CSV file (see the module's rules)."""
    return pd.DataFrame({column: _csv_column(frame[column]) for column in frame.columns}, index=frame.index)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV of the frame without a byte-order mark (for a terminal or a pipe; files get one)."""
    return csv_frame(frame).to_csv(index=False, lineterminator=LINE_TERMINATOR)


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates and timestamps kept typed (not text): timestamps with a time zone in UTC; see `query` for DATE."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC")
    return frame


# DuckDB hands these to pandas as float64 (HUGEINT is what sum() of integers returns): 15.0, not 15.
_WIDE_INTEGERS = ("HUGEINT", "UHUGEINT")


def query(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> pd.DataFrame:
    """A query's rows as a frame whose columns keep their SQL types: DATE columns hold dates (not midnight
    timestamps) and integer sums stay integers (nullable Int64, not float64).

    DuckDB's pandas conversion loses both (a DATE becomes datetime64 and would reach a CSV as
    2024-05-01T00:00:00 and Parquet as a TIMESTAMP; a HUGEINT becomes a float); its cursor still knows.
    """
    cursor = con.execute(sql, parameters)
    types = {name: str(type_code) for name, type_code, *_ in cursor.description}
    frame = cursor.df()
    for column, type_name in types.items():
        if type_name == "DATE":
            frame[column] = pd.Series([None if pd.isna(v) else v.date() for v in frame[column]],
                                      index=frame.index, dtype=object)
        elif type_name in _WIDE_INTEGERS:
            try:
                frame[column] = frame[column].astype("Int64")
            except (OverflowError, TypeError, ValueError):  # beyond 64 bits: no count of people gets there
                pass
    return frame


def write(frame: pd.DataFrame, path: Path, fmt: str, metadata: Mapping[str, str] | None = None) -> Path:
    """Write the frame to `path` as "csv" or "parquet", atomically (beside itself, then renamed); `metadata`
    goes into a Parquet file's key-value metadata (CSV has nowhere to keep it)."""
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        _write_parquet(typed(frame), tmp, metadata or {})
    else:
        csv_frame(frame).to_csv(tmp, index=False, encoding=CSV_ENCODING, lineterminator=LINE_TERMINATOR)
    tmp.replace(path)
    return path


EXCEL_MAX_ROWS = 1_048_576  # rows of an Excel sheet, the header included
EXCEL_SHEET_NAME = 31  # characters of a sheet name


def sheet_names(table: str, rows: int, max_rows: int = EXCEL_MAX_ROWS) -> list[str]:
    """The sheet(s) a table of `rows` rows takes: its name, then name_2, name_3... past Excel's row limit."""
    parts = max(1, -(-rows // (max_rows - 1)))
    base = table[:EXCEL_SHEET_NAME]
    return [base] + [f"{base[:EXCEL_SHEET_NAME - len(str(n)) - 1]}_{n}" for n in range(2, parts + 1)]


def excel_cell(value: object) -> object:
    """One value as an Excel cell: numbers stay numbers, text is neutralised (a leading = would be a formula
    to Excel), lists are JSON text, timestamps are naive UTC (Excel has no time zones)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
    if _is_container(value):
        value = json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, str):
        return text_cell(value)
    if value is pd.NA:
        return None
    return value


def write_workbook(frames: Mapping[str, pd.DataFrame], path: Path, metadata: Mapping[str, str] | None = None,
                   max_rows: int = EXCEL_MAX_ROWS) -> Path:
    """One .xlsx workbook, a sheet per frame (split across numbered sheets past Excel's row limit), atomically;
    `metadata` (the data label) goes into the workbook's title and description."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    if metadata:
        book.properties.title = book.properties.description = "; ".join(metadata.values())
    for table, frame in frames.items():
        names = sheet_names(table, len(frame), max_rows)
        for index, name in enumerate(names):
            sheet = book.create_sheet(name)
            sheet.append([str(c) for c in frame.columns])
            chunk = frame.iloc[index * (max_rows - 1):(index + 1) * (max_rows - 1)]
            for row in chunk.itertuples(index=False, name=None):
                sheet.append([excel_cell(v) for v in row])
    tmp = path.with_name(f".{path.name}.tmp")
    book.save(tmp)
    tmp.replace(path)
    return path


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: Mapping[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    extra = {key.encode(): value.encode() for key, value in metadata.items()}
    pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **extra}), path)


def csv_row(row: Mapping[str, object]) -> dict[str, object]:
    """One row of a csv.DictWriter, cleaned like a frame's cells (for writers that stream rows)."""
    return {name: csv_cell(value) for name, value in row.items()}


def dict_writer(handle: io.TextIOBase, fieldnames: Iterable[str]) -> csv.DictWriter:
    """A csv.DictWriter with the line ending of every other CSV oss-miner writes; open the handle with
    `encoding=CSV_ENCODING, newline=""`."""
    return csv.DictWriter(handle, fieldnames=list(fieldnames), lineterminator=LINE_TERMINATOR)
