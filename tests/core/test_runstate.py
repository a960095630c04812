import os
import subprocess
import sys

import duckdb
import pytest

from oss_miner.errors import UserError
from oss_miner.runstate import StatePaths, exclusive_run, finish, publish, start_or_resume


def test_state_folder_sits_beside_the_database(tmp_path):
    paths = StatePaths.for_db(tmp_path / "data" / "x.duckdb")
    assert paths.state == tmp_path / "data" / "x.state"
    assert paths.work_db.parent == paths.state and paths.landing_root == str(paths.state / "landing")
    assert StatePaths.for_db(tmp_path / "y.duckdb", tmp_path / "s").state == tmp_path / "s"


def test_second_run_is_refused_with_a_clear_message(tmp_path):
    paths = StatePaths.for_db(tmp_path / "x.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time,sys; from oss_miner.runstate import StatePaths, exclusive_run\n"
        f"with exclusive_run(StatePaths.for_db({str(tmp_path / 'x.duckdb')!r})):\n"
        "    print('held', flush=True); time.sleep(30)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError, match="another run is using .*--wait"):
            with exclusive_run(paths):
                pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive_run(paths):  # released when the holder died
        pass


def test_an_unfinished_run_is_resumed_only_when_asked_the_same(tmp_path):
    paths = StatePaths.for_db(tmp_path / "x.duckdb")
    first, resumed = start_or_resume(paths, {"a": 1})
    assert not resumed
    again, resumed = start_or_resume(paths, {"a": 1})
    assert (again, resumed) == (first, True)
    other, resumed = start_or_resume(paths, {"a": 2})
    assert other != first and not resumed
    finish(paths)
    fresh, resumed = start_or_resume(paths, {"a": 2})
    assert fresh != other and not resumed


def test_publish_replaces_the_snapshot_atomically_and_read_only(tmp_path):
    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    paths.state.mkdir(parents=True)
    for value in (1, 2):
        con = duckdb.connect(str(paths.work_db))
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
        con.close()
        reader = duckdb.connect(str(paths.db), read_only=True) if paths.db.exists() else None
        publish(paths)
        if reader is not None:  # a reader of the old snapshot keeps reading it
            assert reader.execute("SELECT v FROM t").fetchone() == (value - 1,)
            reader.close()
        assert duckdb.connect(str(paths.db), read_only=True).execute("SELECT v FROM t").fetchone() == (value,)
    assert not os.access(paths.db, os.W_OK) or os.geteuid() == 0
    assert oct(paths.db.stat().st_mode & 0o777) == "0o444"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
