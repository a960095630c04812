"""Read-only access to the published snapshot, for `sql`, `status`, `export` and `report`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from oss_miner.errors import UserError
from oss_miner.runstate import require_published


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    require_published(db)
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {db} read-only ({str(exc).splitlines()[0]})") from None


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
    con = connect_read_only(db)
    try:
        return con.execute(
            """
            SELECT run_id, started_at, finished_at, outcome, parameters, requests, rate_limited_requests,
                   rate_limit_waits, findings
            FROM runs ORDER BY started_at DESC LIMIT ?
            """,
            [limit],
        ).df()
    except duckdb.Error as exc:
        raise UserError(f"{db} has no readable runs ledger ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()


def render(frame: pd.DataFrame, max_rows: int = 200) -> str:
    if frame.empty:
        return "(no rows)"
    with pd.option_context("display.max_rows", max_rows, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        return frame.to_string(index=False)
