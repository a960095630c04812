"""The runs ledger says per run whether it mined the sandbox's synthetic data; older ledgers keep working."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from oss_miner import labels, load, queries
from oss_miner.runstate import StatePaths, publish

from . import scenario
from .builder import catalogue

PLAIN = {"platform": "github", "requests": 3, "by_endpoint": [{"endpoint": "/repos/{owner}/{repo}", "status": 200,
                                                                "count": 3}]}


def loaded(con: duckdb.DuckDBPyConnection, landing_root: str, parameters: dict, *stats: dict) -> bool | None:
    run = scenario.first_run(landing_root)
    run.landing.write_json("run.json", {"parameters": parameters})
    for index, task in enumerate(stats):
        run.landing.write_json(f"_stats/task-{index}.json", task)
    load.load_run(con, run.landing, catalogue(), {"run_id": "run-1"})
    return con.execute("SELECT synthetic FROM runs WHERE run_id = 'run-1'").fetchone()[0]


def test_a_run_of_the_real_forges_is_not_synthetic(con, landing_root):
    assert loaded(con, landing_root, {"frameworks": ["Paddle"]}, PLAIN, {**PLAIN, "synthetic": False}) is False
    assert labels.data_label(con) is None


def test_a_sandbox_run_is_synthetic_whether_asked_for_or_noticed(con, landing_root, tmp_path):
    assert loaded(con, landing_root, {"sandbox": True}, PLAIN) is True
    assert labels.data_label(con) == labels.SYNTHETIC_LABEL
    other = load.connect(tmp_path / "other.duckdb")
    # one task of the run was answered by the sandbox (pointed at it through environment URLs only)
    assert loaded(other, str(tmp_path / "other-landing"), {"sandbox": False}, PLAIN, {**PLAIN, "synthetic": True}) is True
    assert labels.data_label(other) == labels.SYNTHETIC_LABEL
    other.close()


def test_the_column_has_a_comment(con):
    comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'runs' AND column_name = 'synthetic'"
                          ).fetchone()[0]
    assert "X-Synthetic-Data" in comment and "--sandbox" in comment


def old_release_database(path: Path, sandbox: bool) -> None:
    """A database as the release before the column wrote it: a runs ledger without `synthetic`."""
    con = load.connect(path)
    con.execute("ALTER TABLE runs DROP COLUMN synthetic")
    con.execute("INSERT INTO runs (run_id, started_at, outcome, parameters) VALUES "
                f"('old', now(), 'succeeded', '{{\"sandbox\": {str(sandbox).lower()}}}')")
    con.close()


@pytest.mark.parametrize("sandbox", [True, False])
def test_a_database_of_the_previous_release_reads_and_gains_the_column(tmp_path, landing_root, sandbox):
    db = tmp_path / "old.duckdb"
    old_release_database(db, sandbox)
    read_only = duckdb.connect(str(db), read_only=True)
    expected = labels.SYNTHETIC_LABEL if sandbox else None
    assert labels.data_label(read_only) == expected  # the label falls back on the parameters
    read_only.close()
    con = load.connect(db)  # the next run's connection adds the column; the old row keeps NULL
    assert con.execute("SELECT synthetic FROM runs WHERE run_id = 'old'").fetchone() == (None,)
    assert labels.data_label(con) == expected
    assert loaded(con, landing_root, {"frameworks": ["Paddle"]}, PLAIN) is False
    assert labels.data_label(con) == expected  # the old sandbox run still marks the database
    con.close()


def test_status_shows_the_flag_of_each_run_even_in_an_old_ledger(tmp_path):
    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    paths.state.mkdir(parents=True)
    old_release_database(paths.work_db, sandbox=True)
    publish(paths)
    frame, _ = queries.recent_runs(paths)
    assert frame["synthetic"].tolist() == [True]


def test_no_ledger_no_label():
    con = duckdb.connect(":memory:")
    assert labels.data_label(con) is None
    con.execute("CREATE TABLE runs (run_id VARCHAR)")  # a table of that name that is not the ledger
    assert labels.data_label(con) is None
