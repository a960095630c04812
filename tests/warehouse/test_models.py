"""The model runner: order from the files, comments from their headers, one transaction, clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from oss_miner import load, models
from oss_miner.errors import UserError


STG_COMMITS_COLUMNS = [
    "platform", "repo", "sha", "authored_at", "author_utc_offset_minutes", "committer_utc_offset_minutes",
    "email_domain", "author_key", "on_default_branch", "is_bot",
]
MARTS = ["mart_accounts", "mart_identities", "mart_contributor_geography", "mart_china_hubs", "mart_vendor_share",
         "mart_downstream_adoption", "mart_adoption_by_platform", "mart_platform_dependence", "mart_platform_presence",
         "mart_repository_history"]
# one staging model per entity, platform a column: a new forge instance needs none of its own
STAGING = [f"stg_{e}" for e in (
    "repositories", "accounts", "contributors", "forks", "stargazers", "releases", "activity", "org_repos", "dependents")]


def write(folder: Path, name: str, sql: str) -> None:
    (folder / f"{name}.sql").write_text(sql, encoding="utf-8")


def test_the_header_documents_the_table_and_its_columns():
    description, columns = models.parse_header(
        "-- What it holds,\n-- over two lines.\n--\n-- Columns:\n--   a: first column\n--     continued here\n"
        "--   b_2: second: with a colon\nSELECT 1 AS a, 2 AS b_2\n"
    )
    assert description == "What it holds, over two lines."
    assert columns == {"a": "first column continued here", "b_2": "second: with a colon"}


def test_references_ignore_comments_and_strings():
    names = models.referenced_names("-- from mart_x\nSELECT 'stg_y' AS s, \"Int_Z\".a FROM int_z /* stg_q */")
    assert {"int_z", "select", "s", "a"} <= names and not {"mart_x", "stg_y", "stg_q"} & names


def test_models_run_after_what_they_reference(tmp_path):
    write(tmp_path, "mart_b", "-- b\nSELECT * FROM int_a JOIN stg_c USING (x)")
    write(tmp_path, "int_a", "-- a\nSELECT x FROM stg_c")
    write(tmp_path, "stg_c", "-- c\n--\n-- Columns:\n--   x: the x\nSELECT 1 AS x")
    ordered = [m.name for m in models.discover(tmp_path) if m.kind == "sql"]
    assert ordered == ["stg_c", "int_a", "mart_b"]
    by_name = {m.name: m for m in models.discover(tmp_path)}
    assert by_name["mart_b"].depends_on == ("int_a", "stg_c")


def test_a_cycle_is_a_clear_error(tmp_path):
    write(tmp_path, "int_a", "-- a\nSELECT * FROM int_b")
    write(tmp_path, "int_b", "-- b\nSELECT * FROM mart_c")
    write(tmp_path, "mart_c", "-- c\nSELECT * FROM int_a")
    write(tmp_path, "stg_ok", "-- fine\nSELECT 1 AS x")
    with pytest.raises(models.ModelCycleError, match=r"cycle: int_a -> int_b -> mart_c -> int_a"):
        models.discover(tmp_path)


def test_a_file_without_a_header_or_with_two_statements_is_refused(tmp_path):
    write(tmp_path, "int_a", "SELECT 1")
    with pytest.raises(UserError, match="comment block"):
        models.discover(tmp_path)
    write(tmp_path, "int_a", "-- a\nSELECT 1; DROP TABLE raw_forks")
    with pytest.raises(UserError, match="one SELECT"):
        models.discover(tmp_path)


def test_a_failing_model_leaves_every_table_as_it_was(tmp_path):
    con = duckdb.connect()
    load.ensure_schema(con)
    write(tmp_path, "stg_one", "-- one\n--\n-- Columns:\n--   x: x\nSELECT 1 AS x")
    models.run_models(con, sql_dir=tmp_path, select=["stg_one"])
    write(tmp_path, "stg_one", "-- one\n--\n-- Columns:\n--   x: x\nSELECT 2 AS x")
    write(tmp_path, "stg_two", "-- two, broken\nSELECT no_such_column FROM stg_one")
    with pytest.raises(models.ModelError, match=r"model stg_two failed: .*no_such_column"):
        models.run_models(con, sql_dir=tmp_path, select=["stg_one", "stg_two"])
    assert con.execute("SELECT x FROM stg_one").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stg_two'").fetchone()[0] == 0


def test_select_with_plus_brings_the_upstream_models(tmp_path):
    write(tmp_path, "stg_c", "-- c\nSELECT 1 AS x")
    write(tmp_path, "int_a", "-- a\nSELECT x FROM stg_c")
    write(tmp_path, "mart_b", "-- b\nSELECT x FROM int_a")
    chosen = models.select_models(models.discover(tmp_path), ["+mart_b"])
    assert [m.name for m in chosen] == ["stg_c", "int_a", "mart_b"]
    assert [m.name for m in models.select_models(models.discover(tmp_path), ["mart_b"])] == ["mart_b"]
    with pytest.raises(UserError, match="unknown model 'mart_z'"):
        models.select_models(models.discover(tmp_path), ["mart_z"])


def test_the_project_models_are_all_there_in_order():
    found = models.discover()
    names = [m.name for m in found]
    for required in [*STAGING, "stg_commits", *MARTS]:
        assert required in names
    position = {name: i for i, name in enumerate(names)}
    for model in found:
        for dependency in model.depends_on:
            assert position[dependency] < position[model.name]
    geo = next(m for m in found if m.name == "geo_enrichment")
    assert {"int_accounts", "stg_commits"} <= set(geo.depends_on)
    assert "geo_enrichment" in next(m for m in found if m.name == "int_person_geography").depends_on


def test_every_model_table_and_column_carries_a_comment(marts, fake_geo):
    con = marts
    results = models.run_models(con)  # the same figures again (see the next test), and the runner's report
    assert [r.undocumented for r in results if r.undocumented] == []
    outputs = [t for r in results for t in r.rows]
    comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() "
                                "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert all(comments[t] for t in outputs)
    missing = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE list_contains(?, table_name) "
        "AND (comment IS NULL OR comment = '')", [outputs]).fetchall()
    assert missing == []


def test_stg_commits_has_exactly_the_ten_columns(marts):
    con = marts
    columns = [row[0] for row in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_commits' ORDER BY column_index").fetchall()]
    assert columns == STG_COMMITS_COLUMNS
    # one row per repository and sha, whatever the runs re-landed
    assert con.execute("SELECT count(*), count(DISTINCT (platform, repo, sha)) FROM stg_commits").fetchone() == (23, 23)


def test_running_the_models_twice_gives_the_same_marts(marts, fake_geo):
    con = marts
    before = {m: con.execute(f"SELECT * FROM {m} ORDER BY ALL").fetchall() for m in MARTS}
    models.run_models(con)
    assert {m: con.execute(f"SELECT * FROM {m} ORDER BY ALL").fetchall() for m in MARTS} == before


def test_deprecated_models_are_views_that_follow_the_models_they_read(marts):
    views = dict(marts.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert set(views) == {"mart_platform_dependence_v1", "mart_downstream_adoption_v1"}
    assert all(comment.startswith("DEPRECATED") for comment in views.values())
    documented = marts.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'mart_platform_dependence_v1' "
                               "AND column_name = 'people_share_gitee' AND comment LIKE 'people_gitee / people_total'").fetchone()
    assert documented == (1,)
