"""Read-only access to the published snapshot, for `sql`, `status`, `export` and `report`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from oss_miner.errors import UserError
from oss_miner.migrate import refuse_newer, stored_version
from oss_miner.runstate import require_published


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
        return con.execute(query).df()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        if "read-only" in message.lower():
            raise UserError(f"the published database is read-only; {message}") from None
        raise UserError(f"query failed: {message}") from None
    finally:
        con.close()


def recent_runs(db: Path, limit: int = 10) -> pd.DataFrame:
    """One line per recent run: when, what it was asked, requests, rate-limit waits, findings, outcome."""
    con = connect_read_only(db)
    try:
        frame = con.execute(
            """
            SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M') AS started,
                   round(epoch(finished_at - started_at))::BIGINT AS seconds, parameters,
                   requests, rate_limited_requests AS rate_limited, not_modified AS answered_304,
                   rate_limit_waits AS waits, findings, outcome
            FROM runs ORDER BY started_at DESC LIMIT ?
            """,
            [limit],
        ).df()
    except duckdb.Error as exc:
        raise UserError(f"{db} has no readable runs ledger ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()
    frame.insert(3, "what", frame.pop("parameters").map(_describe_parameters))
    return frame


def _describe_parameters(text: str | None) -> str:
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


def render(frame: pd.DataFrame, max_rows: int = 200) -> str:
    if frame.empty:
        return "(no rows)"
    with pd.option_context("display.max_rows", max_rows, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        return frame.to_string(index=False)
