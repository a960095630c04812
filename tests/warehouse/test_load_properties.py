"""Property: whatever values a landed page holds, loading keeps every row, keeps what fits the column's
type, and turns the rest into NULL plus a bad_payload finding that counts them (issue 8: bad input)."""

from __future__ import annotations

import json
import uuid

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss_miner import load
from oss_miner.records import ENTITIES

from .builder import catalogue, new_run

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["2024-01-01T00:00:00+08:00", "12", "true", "=cmd|' /C calc'!A0", "北京", "\u202e\u0000x"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=3))
COLUMNS = [c for c in ENTITIES["forks"].columns if c.name not in ("platform", "repo")]
fork_records = st.lists(st.fixed_dictionaries({c.name: values for c in COLUMNS}), min_size=1, max_size=6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=fork_records)
def test_any_landed_values_load_without_losing_rows(records):
    con = duckdb.connect()
    load.ensure_schema(con)
    run = new_run(f"memory://prop-{uuid.uuid4().hex}", "run-1")
    run.put("forks", "github", records, repo="PaddlePaddle/Paddle")
    rows = load.load_run(con, run.landing, catalogue(), run.run)
    assert rows["forks"] == len(records)
    stored = con.execute(f"SELECT {', '.join(c.name for c in COLUMNS)} FROM raw_forks").fetchall()
    assert len(stored) == len(records)
    nulled = 0
    for column_index, column in enumerate(COLUMNS):
        landed = sorted(json.dumps(r[column.name], ensure_ascii=False) for r in records if r[column.name] is not None)
        kept = [row[column_index] for row in stored if row[column_index] is not None]
        if column.type == "VARCHAR":  # text keeps the text; other JSON values keep their JSON text
            assert len(kept) == len(landed)
            for record in records:
                if isinstance(record[column.name], str):
                    assert any(row[column_index] == record[column.name] for row in stored)
        else:
            nulled += len(landed) - len(kept)
            for record in records:
                value = record[column.name]
                if column.type == "BIGINT" and type(value) is int and abs(value) < 2**63:
                    assert value in [row[column_index] for row in stored]
    findings = con.execute("SELECT detail FROM raw_findings WHERE kind = 'bad_payload'").fetchall()
    assert sum(int(detail.split(" ", 1)[0]) for (detail,) in findings) == nulled
    con.close()
