"""Read-only access to the published snapshot, for `sql`, `export` and `report`, and to the runs ledger for
`status` (the state folder's working database, else the snapshot)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from oss_miner import sheets
from oss_miner.errors import UserError
from oss_miner.labels import synthetic_sql
from oss_miner.migrate import refuse_newer, stored_version
from oss_miner.runstate import StatePaths, require_published


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    require_published(db)
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {db} read-only ({str(exc).splitlines()[0]})") from None
    try:
        refuse_newer(stored_version(con), db)
    except UserError:
        con.close()
        raise
    return con


def read_only_query(db: Path, query: str) -> pd.DataFrame:
    con = connect_read_only(db)
    try:
        return sheets.query(con, query)
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        if "read-only" in message.lower():
            raise UserError(f"the published database is read-only; {message}") from None
        raise UserError(f"query failed: {message}") from None
    finally:
        con.close()


def recent_runs(paths: StatePaths, limit: int = 10) -> tuple[pd.DataFrame, str | None]:
    """One line per recent run: when, what it was asked, requests, rate-limit waits, findings, outcome; and a
    note saying where the runs come from when that is not the published snapshot."""
    con, note = _open_ledger(paths)
    try:
        synthetic = synthetic_sql(con) or "NULL"  # no ledger: the query below says so
        frame = con.execute(
            f"""
            SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M') AS started,
                   round(epoch(finished_at - started_at))::BIGINT AS seconds, parameters, {synthetic} AS synthetic,
                   requests, rate_limited_requests AS rate_limited, not_modified AS answered_304,
                   rate_limit_waits AS waits, findings, outcome
            FROM runs ORDER BY coalesce(started_at, finished_at) DESC LIMIT ?
            """,
            [limit],
        ).df()
    except duckdb.Error as exc:
        raise UserError(f"{paths.db} has no readable runs ledger ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()
    frame = _with_unfinished(frame, paths)
    frame.insert(3, "what", frame.pop("parameters").map(_describe_parameters))
    return frame, note


def _open_ledger(paths: StatePaths) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """The working database in the state folder holds every run: those before the first snapshot and the failed
    or abandoned ones after the last, which the snapshot never sees. It is read when no run holds it open;
    else the snapshot is."""
    published = paths.db.is_file()
    note = None if published else f"no snapshot has been published yet at {paths.db}; runs from {paths.work_db}"
    if paths.work_db.is_file():
        try:
            return duckdb.connect(str(paths.work_db), read_only=True), note
        except duckdb.Error:  # DuckDB lets no reader beside a writer: a run is using it
            if not published:
                raise UserError(f"no snapshot has been published yet at {paths.db}, and a run is using "
                                f"{paths.work_db}; ask again when it ends") from None
            note = f"a run is using {paths.work_db}: runs after the last published snapshot are not shown"
    return connect_read_only(paths.db), note


def _with_unfinished(frame: pd.DataFrame, paths: StatePaths) -> pd.DataFrame:
    """The run that has not finished (running, or killed before it loaded anything: it has no ledger row yet),
    from current_run.json; the next run asked the same resumes it."""
    try:
        unfinished = json.loads(paths.current_run.read_text())
    except (OSError, ValueError):
        return frame
    if not isinstance(unfinished, dict) or unfinished.get("run_id") in set(frame["run_id"]):
        return frame
    row = {"run_id": unfinished.get("run_id"), "parameters": json.dumps(unfinished.get("parameters") or {}),
           "outcome": "unfinished"}
    first = pd.DataFrame([row], columns=frame.columns)
    return pd.concat([first, frame], ignore_index=True) if not frame.empty else first


def _describe_parameters(text: str | None) -> str:
    if not isinstance(text, str):  # a run that failed before it loaded anything has none in the ledger
        return "?"
    try:
        parameters = json.loads(text or "{}")
    except ValueError:
        return "?"
    parts = [", ".join(parameters.get("repos") or []) or ", ".join(parameters.get("frameworks") or []) or "catalogue"]
    if parameters.get("platforms"):
        parts.append("on " + ", ".join(parameters["platforms"]))
    if parameters.get("sandbox"):
        parts.append("(sandbox)")
    return " ".join(parts)


TEXT_WIDTH = 60  # characters of a text cell shown in the terminal, unless wide


def render(frame: pd.DataFrame, max_rows: int = 200, *, wide: bool = False) -> str:
    """A frame as a terminal table: NULL as an empty cell, integers as integers, floats to at most four
    decimals, lists as JSON, text on one line and cut at TEXT_WIDTH characters with an ellipsis unless wide."""
    if frame.empty:
        return "(no rows)"
    shown = frame.head(max_rows)
    cells = pd.DataFrame({column: _terminal_column(shown[column], wide) for column in shown.columns})
    text = cells.to_string(index=False)
    hidden = len(frame) - len(shown)
    return text + (f"\n({hidden} more rows not shown)" if hidden > 0 else "")


def _terminal_column(series: pd.Series, wide: bool) -> list[str]:
    if pd.api.types.is_bool_dtype(series):
        return ["" if pd.isna(v) else str(bool(v)) for v in series]
    if pd.api.types.is_integer_dtype(series):
        return ["" if pd.isna(v) else str(int(v)) for v in series]
    if pd.api.types.is_float_dtype(series):
        return ["" if pd.isna(v) else _decimal(float(v)) for v in series]
    return [_terminal_text(sheets.readable(v), wide) for v in series]


def _decimal(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) < 0.0001:  # four decimals would print a small share as 0
        return f"{value:.2g}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _terminal_text(value: object, wide: bool) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = sheets.one_line(str(value))
    return text if wide or len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH - 1] + "…"
