"""A database written by the release before platforms became configuration (fixture: migration/, made with
commit bcbf4fd) is upgraded in place after a backup whose path is printed; its figures and README's queries
still answer; a database of a newer release is refused with one line."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import duckdb
import pytest

from oss_miner import enrich, load, migrate
from oss_miner.errors import UserError
from oss_miner.queries import connect_read_only, read_only_query
from oss_miner.runstate import StatePaths

from .fake_geo import FakeGeo

FIXTURE = Path(__file__).parent / "migration" / "bcbf4fd.tar.gz"
README_QUERIES = (
    "select * from mart_platform_dependence",
    "select framework, primary_platform, github_dependence_index from mart_platform_dependence order by 3 desc",
)


@pytest.fixture
def old_state(tmp_path: Path) -> StatePaths:
    with tarfile.open(FIXTURE) as archive:
        archive.extractall(tmp_path, filter="data")
    paths = StatePaths.for_db(tmp_path / "oss_miner.duckdb")
    shutil.copyfile(paths.work_db, paths.db)  # its published snapshot, as `publish` makes it
    return paths


@pytest.fixture(autouse=True)
def fake_geolocator():
    enrich.use_geolocator(FakeGeo())
    yield
    enrich.use_geolocator(None)


def figures(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    return {row[0]: row[1:] for row in con.execute(sql).fetchall()}


def test_an_old_database_is_upgraded_in_place_after_a_backup(old_state: StatePaths, capsys):
    index = "SELECT framework, github_dependence_index, people_only_github_share, stars_total FROM mart_platform_dependence"
    wide = "SELECT framework, people_share_gitee, stars_github, dependents_github FROM mart_platform_dependence"
    with duckdb.connect(str(old_state.work_db), read_only=True) as before:
        assert migrate.stored_version(before) == 1
        old_index, old_wide = figures(before, index), figures(before, wide)
    con = load.connect(old_state.work_db)
    try:
        backup = old_state.work_db.with_name("work.duckdb.schema1.bak")
        assert f"upgraded {old_state.work_db} from schema 1 to {migrate.SCHEMA_VERSION}; the database as it was is at {backup}" \
            in capsys.readouterr().err
        assert migrate.stored_version(con) == migrate.SCHEMA_VERSION
        with duckdb.connect(str(backup), read_only=True) as kept:
            assert migrate.stored_version(kept) == 1 and figures(kept, index) == old_index
        # the same figures, from the models this release builds
        assert figures(con, index) == old_index and old_index
        assert figures(con, wide.replace("mart_platform_dependence", "mart_platform_dependence_v1")) == old_wide
        id_types = con.execute("SELECT DISTINCT data_type FROM duckdb_columns() WHERE table_name LIKE 'raw_%' "
                               "AND column_name IN ('account_id', 'owner_id', 'repo_id', 'fork_id')").fetchall()
        assert id_types == [("VARCHAR",)]  # ids are text, numeric ones their decimal text
        stale = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stg_git%'").fetchone()
        assert stale == (0,)
        assert con.execute("SELECT count(DISTINCT platform) FROM mart_platform_presence").fetchone() == (3,)
        # who operates the old catalogue's platforms is unknown until a run reloads the configuration: not 0
        assert con.execute("SELECT DISTINCT foreign_platform_dependence_index FROM mart_platform_dependence").fetchall() == [
            (None,)]
    finally:
        con.close()
    load.connect(old_state.work_db).close()  # upgraded once: no second backup, nothing printed
    assert capsys.readouterr().err == ""


def test_readme_queries_answer_on_the_old_snapshot_and_on_the_upgraded_one(old_state: StatePaths):
    for query in README_QUERIES:
        assert len(read_only_query(old_state.db, query)) > 0
    load.connect(old_state.work_db).close()
    shutil.copyfile(old_state.work_db, old_state.db)
    for query in README_QUERIES:
        assert len(read_only_query(old_state.db, query)) > 0


def test_a_database_of_a_newer_release_is_refused_with_one_line(old_state: StatePaths):
    load.connect(old_state.work_db).close()
    with duckdb.connect(str(old_state.work_db)) as con:
        con.execute("UPDATE schema_version SET version = 99")
    shutil.copyfile(old_state.work_db, old_state.db)
    for opening in (lambda: load.connect(old_state.work_db), lambda: connect_read_only(old_state.db)):
        with pytest.raises(UserError) as info:
            opening()
        message = str(info.value)
        assert "written by a newer oss-miner (schema 99" in message and "\n" not in message


def test_a_new_database_records_its_version(tmp_path: Path):
    con = load.connect(tmp_path / "new.duckdb")
    try:
        assert migrate.stored_version(con) == migrate.SCHEMA_VERSION
    finally:
        con.close()
    assert not list(tmp_path.glob("*.bak"))
