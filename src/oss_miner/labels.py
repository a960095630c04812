"""What the data in a database is: real observations of the forges, or the sandbox's synthetic world.

Every chart, page, export README and brief asks `data_label` and stamps what it returns, so that synthetic
figures can never be mistaken for findings about the real ecosystems.
"""

from __future__ import annotations

import json

import duckdb

SYNTHETIC_LABEL = "SYNTHETIC DATA"


def data_label(con: duckdb.DuckDBPyConnection) -> str | None:
    """SYNTHETIC_LABEL when any run in the ledger mined the sandbox, else None (real data carries no stamp)."""
    try:
        rows = con.execute("SELECT parameters FROM runs").fetchall()
    except duckdb.Error:
        return None
    for (parameters,) in rows:
        try:
            if json.loads(parameters or "{}").get("sandbox"):
                return SYNTHETIC_LABEL
        except ValueError:
            continue
    return None
