"""geocode_csv: the body of `oss-miner geocode IN.csv --column location --out OUT.csv`."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from oss_miner import sheets
from oss_miner.errors import UserError
from oss_miner.geo.locate import locate

OUTPUT_COLUMNS = ("country_iso2", "region", "city", "confidence", "method")


def geocode_csv(in_path: str | Path, column: str, out_path: str | Path) -> int:
    """Copy IN to OUT with the geolocation of `column` added to every row; returns the rows written.

    OUT is written beside itself then renamed, so a failure never leaves half a file (nor clobbers an old one).
    """
    in_path, out_path = Path(in_path), Path(out_path)
    rows, fieldnames = _read(in_path, column)
    added = [name for name in OUTPUT_COLUMNS if name not in fieldnames]
    partial = out_path.with_name(f".{out_path.name}.partial")
    try:
        # written like the exports (oss_miner.sheets): a byte-order mark for Excel, input cells that a
        # spreadsheet would run as a formula neutralised, no line break inside a cell
        with partial.open("w", encoding=sheets.CSV_ENCODING, newline="") as handle:
            writer = sheets.dict_writer(handle, fieldnames + added)
            writer.writeheader()
            for row in rows:
                found = locate(row.get(column))
                writer.writerow(sheets.csv_row({
                    **row, "country_iso2": found.country_iso2 or "", "region": found.region or "",
                    "city": found.city or "", "confidence": found.confidence, "method": found.method}))
        os.replace(partial, out_path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write {out_path}: {error.strerror or error}; choose a writable --out path")
    return len(rows)


def _read(in_path: Path, column: str) -> tuple[list[dict[str, str]], list[str]]:
    if not in_path.is_file():
        raise UserError(f"input file {in_path} does not exist; pass the path of a CSV file with a header row")
    try:
        with in_path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fieldnames = list(reader.fieldnames or [])
            if column not in fieldnames:
                existing = ", ".join(fieldnames) if fieldnames else "none (the file is empty)"
                raise UserError(f"{in_path} has no column {column!r}; its columns are: {existing}")
            rows = [_complete(row, fieldnames, reader.line_num) for row in reader]
    except UnicodeDecodeError:
        raise UserError(f"{in_path} is not UTF-8 text; save it as UTF-8 CSV and retry") from None
    except csv.Error as error:
        raise UserError(f"{in_path} is not readable CSV ({error}); check its quoting") from None
    except OSError as error:
        raise UserError(f"cannot read {in_path}: {error.strerror or error}") from None
    return rows, fieldnames


def _complete(row: dict, fieldnames: list[str], line: int) -> dict[str, str]:
    """A short row gets empty cells; cells beyond the header are an error worth naming."""
    if None in row:
        raise csv.Error(f"line {line} has more cells than the header")
    return {name: row.get(name) or "" for name in fieldnames}
