"""What the data in a database is: real observations of the forges, or the sandbox's synthetic world.

Every chart, page, export README and brief asks `data_label` and stamps what it returns, so that synthetic
figures can never be mistaken for findings about the real ecosystems. The runs ledger says it per run
(`runs.synthetic`); ledgers written before that column existed say it only in each run's parameters.
"""

from __future__ import annotations

import duckdb

SYNTHETIC_LABEL = "SYNTHETIC DATA"
# The sandbox sends this header with every answer (the real forges never do), so that a run pointed at it only
# through environment URLs still knows, and records in the ledger, that what it mined is synthetic.
SYNTHETIC_HEADER = "X-Synthetic-Data"
SYNTHETIC_HEADER_VALUE = "oss-miner sandbox"

# What a ledger without the column knows: whether the run was started with --sandbox.
_ASKED_FOR_SANDBOX = "CASE WHEN json_valid(parameters) THEN TRY_CAST(parameters ->> 'sandbox' AS BOOLEAN) END"


def synthetic_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """A SQL expression over `runs` that is true for a run of synthetic data, false for real data and NULL when
    the row cannot tell (a run that ended before loading anything); None without a runs ledger.

    Decided from the catalog rather than by trying a query: a failed query would abort a caller's transaction.
    """
    columns = {name for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'runs' AND database_name = current_database() "
        "AND schema_name = current_schema()").fetchall()}
    if "parameters" not in columns:
        return None
    if "synthetic" not in columns:
        return _ASKED_FOR_SANDBOX
    return f"coalesce(synthetic, {_ASKED_FOR_SANDBOX})"  # NULL: loaded before the column existed


def data_label(con: duckdb.DuckDBPyConnection) -> str | None:
    """SYNTHETIC_LABEL when any run in the ledger mined the sandbox, else None (real data carries no stamp)."""
    expression = synthetic_sql(con)
    if expression is None:
        return None
    (synthetic,) = con.execute(f"SELECT coalesce(bool_or({expression}), false) FROM runs").fetchone()
    return SYNTHETIC_LABEL if synthetic else None
