"""Loading landed runs into DuckDB: bulk, one transaction, idempotent, with a ledger and comments."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb
import pytest

from oss_miner import load, records
from oss_miner.errors import RunFailed, UserError
from oss_miner.landing import Landing
from oss_miner.records import Column, Entity

from . import scenario
from .builder import catalogue, new_run


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [f"raw_{e}" for e in records.ENTITIES] + list(load.LEDGER) + list(load.CATALOGUE)
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_loading_the_same_run_twice_changes_nothing(con, landing_root):
    run = scenario.first_run(landing_root)
    first = load.load_run(con, run.landing, catalogue(), run.run)
    before = table_counts(con)
    again = load.load_run(con, run.landing, catalogue(), run.run)
    assert again == first
    assert table_counts(con) == before
    assert first["commits"] == 6 + 6 + 4 + 4 + 3
    assert before["raw_repositories"] == 5
    assert before["runs"] == 1


def test_a_second_run_adds_a_second_observation_of_every_repository(con, landing_root):
    for run in (scenario.first_run(landing_root), scenario.second_run(landing_root)):
        load.load_run(con, run.landing, catalogue(), run.run)
    per_repo = con.execute(
        "SELECT platform, repo, count(*), list(stars ORDER BY observed_at) FROM raw_repositories GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [row[2] for row in per_repo] == [2] * 5
    assert ["github", scenario.PADDLE, 2, [1000, 1100]] in [list(row) for row in per_repo]
    assert con.execute("SELECT list(run_id ORDER BY run_id) FROM runs").fetchone()[0] == ["run-1", "run-2"]


def test_a_run_killed_after_loading_and_never_resumed_is_marked_abandoned(con, landing_root):
    first, second = scenario.first_run(landing_root), scenario.second_run(landing_root)
    load.load_run(con, first.landing, catalogue(), first.run)  # then killed: no models, no outcome
    load.load_run(con, second.landing, catalogue(), second.run)  # a later run, asked something else
    assert con.execute("SELECT list(outcome ORDER BY run_id) FROM runs").fetchone()[0] == ["abandoned", "loaded"]
    load.load_run(con, second.landing, catalogue(), second.run)  # reloading itself keeps it as it is
    load.finish_run(con, "run-2", "succeeded")
    assert con.execute("SELECT list(outcome ORDER BY run_id) FROM runs").fetchone()[0] == ["abandoned", "succeeded"]


def test_a_failure_mid_load_leaves_the_database_as_it_was(con, landing_root, monkeypatch):
    run = scenario.first_run(landing_root)
    load.load_run(con, run.landing, catalogue(), run.run)
    before = table_counts(con)
    second = scenario.second_run(landing_root)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "_reload_catalogue", broken)  # runs after every raw table was written
    with pytest.raises(RunFailed, match="run-2.*nothing was changed.*disk full"):
        load.load_run(con, second.landing, catalogue(), second.run)
    assert table_counts(con) == before
    # and the same holds when a run is re-loaded: its earlier rows survive the failed attempt
    with pytest.raises(RunFailed):
        load.load_run(con, run.landing, catalogue(), run.run)
    assert table_counts(con) == before


def test_a_corrupt_page_fails_the_load_with_one_line_and_keeps_earlier_runs(con, landing_root):
    run = scenario.first_run(landing_root)
    load.load_run(con, run.landing, catalogue(), run.run)
    before = table_counts(con)
    bad = new_run(landing_root, "run-bad", day=20)
    bad.put("forks", "github", [scenario.F4], repo=scenario.PADDLE)
    path = bad.landing.record_files("forks")[0]
    Path(path).write_text('{"platform": "github", "fork_id": 1\n', encoding="utf-8")  # truncated JSON
    with pytest.raises(RunFailed) as failure:
        load.load_run(con, bad.landing, catalogue(), bad.run)
    assert "\n" not in str(failure.value) and "forks" in str(failure.value)
    assert table_counts(con) == before


def test_values_of_the_wrong_type_become_null_and_a_finding(con, landing_root):
    run = new_run(landing_root, "run-types")
    run.put("forks", "github", [{**scenario.F1, "stars": "many", "created_at": "yesterday"}], repo=scenario.PADDLE)
    load.load_run(con, run.landing, catalogue(), run.run)
    assert con.execute("SELECT fork_id, stars, created_at FROM raw_forks").fetchall() == [("11", None, None)]
    details = [row[0] for row in con.execute(
        "SELECT detail FROM raw_findings WHERE kind = 'bad_payload' ORDER BY detail").fetchall()]
    assert len(details) == 2 and "forks.created_at" in details[0] and "forks.stars" in details[1]
    assert json.loads(con.execute("SELECT findings_by_kind FROM runs").fetchone()[0]) == {"bad_payload": 2}


def test_an_fsspec_memory_landing_area_loads(con):
    root = f"memory://landing-{uuid.uuid4().hex}"
    run = scenario.first_run(root)
    assert run.landing.record_files("forks")[0].startswith("memory://")
    rows = load.load_run(con, Landing(root, "run-1"), catalogue(), run.run)
    assert rows["forks"] == 4 and rows["accounts"] == 11
    assert con.execute("SELECT count(*) FROM raw_commits").fetchone()[0] == 23


def test_every_table_and_column_has_a_comment(con):
    tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    for entity in records.ENTITIES:
        assert tables[f"raw_{entity}"] == records.ENTITIES[entity].comment
    for name in [*load.LEDGER, *load.CATALOGUE]:
        assert tables[name]
    missing = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert missing == []
    assert con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'raw_forks' AND column_name = 'observed_at'"
    ).fetchone()[0] == "when the page holding the row was fetched"


def test_a_column_added_to_records_keeps_stored_rows(tmp_path, landing_root, monkeypatch):
    db = tmp_path / "evolve.duckdb"
    con = load.connect(db)
    run = scenario.first_run(landing_root)
    load.load_run(con, run.landing, catalogue(), run.run)
    con.close()

    forks = records.ENTITIES["forks"]
    grown = Entity(forks.name, forks.comment, (*forks.columns, Column("default_branch", "VARCHAR", "fork's default branch")))
    monkeypatch.setitem(records.ENTITIES, "forks", grown)
    con = load.connect(db)
    later = new_run(landing_root, "run-later", day=30)
    later.put("forks", "github", [{**scenario.F4, "default_branch": "dev"}], repo=scenario.PADDLE)
    load.load_run(con, later.landing, catalogue(), later.run)
    rows = con.execute("SELECT run_id, fork_id, default_branch FROM raw_forks ORDER BY run_id, fork_id").fetchall()
    assert rows == [("run-1", "11", None), ("run-1", "12", None), ("run-1", "13", None), ("run-1", "21", None),
                    ("run-later", "14", "dev")]
    assert con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'raw_forks' AND column_name = 'default_branch'"
    ).fetchone()[0] == "fork's default branch"
    con.close()


def test_the_runs_ledger_records_parameters_requests_findings_and_outcome(con, landing_root):
    run = scenario.first_run(landing_root)
    run.landing.write_json("run.json", {"parameters": {"frameworks": ["Paddle"], "platforms": ["github"]}})
    for name, platform, requests, waits in (("github-a", "github", 10, 1), ("github-b", "github", 5, 0), ("gitee", "gitee", 7, 2)):
        run.landing.write_json(f"_stats/{name}.json", {
            "platform": platform, "requests": requests, "rate_limited_requests": requests - 1, "not_modified": 1,
            "replayed_pages": 0, "bytes": 100, "graphql_points": 2 if platform == "github" else 0, "retries": 0,
            "rate_limit_waits": waits, "rate_limit_wait_s": 1.5 * waits,
            "by_endpoint": [{"endpoint": "/repos/{owner}/{repo}", "status": 200, "count": requests - 1},
                            {"endpoint": "/repos/{owner}/{repo}", "status": 304, "count": 1}],
        })
    started = {"run_id": "run-1", "started_at": "2024-03-11T00:00:00+00:00"}
    load.load_run(con, run.landing, catalogue(), started)
    row = con.execute(
        "SELECT outcome, parameters, requests, rate_limited_requests, not_modified, graphql_points, rate_limit_waits, "
        "rate_limit_wait_s, findings, findings_by_kind, rows_by_entity, started_at IS NOT NULL, finished_at FROM runs"
    ).fetchone()
    assert row[0] == "loaded"
    assert json.loads(row[1]) == {"frameworks": ["Paddle"], "platforms": ["github"]}
    assert row[2:8] == (22, 19, 3, 4, 3, 4.5)
    assert row[8] == 1 and json.loads(row[9]) == {"renamed": 1}
    assert json.loads(row[10])["commits"] == 23 and row[11] is True and row[12] is None
    per_platform = con.execute("SELECT platform, requests, rate_limit_waits FROM run_platforms ORDER BY platform").fetchall()
    assert per_platform == [("gitee", 7, 2), ("github", 15, 1)]
    assert con.execute("SELECT sum(count) FROM run_requests WHERE platform = 'github' AND status = 304").fetchone()[0] == 2

    load.finish_run(con, "run-1", "succeeded")
    load.finish_run(con, "run-9", "failed", "github: every token was rejected (401)")
    ended = con.execute("SELECT run_id, outcome, error, finished_at IS NOT NULL FROM runs ORDER BY run_id").fetchall()
    assert ended == [("run-1", "succeeded", None, True), ("run-9", "failed", "github: every token was rejected (401)", True)]


def test_the_catalogue_tables_follow_the_configuration(con, landing_root):
    run = scenario.first_run(landing_root)
    load.load_run(con, run.landing, catalogue(), run.run)
    assert con.execute("SELECT framework, platform, repo, role FROM catalogue_repositories ORDER BY ALL").fetchall() == [
        ("Paddle", "gitee", "paddlepaddle/Paddle", "mirror"), ("Paddle", "github", "PaddlePaddle/Paddle", "primary"),
        ("Spore", "gitee", "spore/spore", "primary"), ("Spore", "github", "spore-ai/spore", "mirror"),
        ("Spore", "gitlab", "mirrors/spore", "mirror"),
    ]
    assert con.execute("SELECT * FROM catalogue_vendor_domains ORDER BY ALL").fetchall() == [
        ("Paddle", "baidu.com"), ("Spore", "huawei.com")]
    assert con.execute("SELECT count(*) FROM catalogue_bot_patterns").fetchone()[0] == 3
    smaller = catalogue(frameworks={"Paddle": scenario_framework("Paddle")})
    load.load_run(con, run.landing, smaller, run.run)
    assert con.execute("SELECT list(framework) FROM catalogue_frameworks").fetchone()[0] == ["Paddle"]


def scenario_framework(name: str) -> dict:
    from .builder import CATALOGUE
    return CATALOGUE["frameworks"][name]


def test_a_bot_pattern_duckdb_cannot_run_is_a_clear_error(con, landing_root):
    run = scenario.first_run(landing_root)
    lookaround = catalogue(bots={"patterns": [r"^(?!human).*-ci$"]})
    with pytest.raises(UserError, match=r"bots.patterns .*RE2"):
        load.load_run(con, run.landing, lookaround, run.run)
    assert con.execute("SELECT count(*) FROM raw_commits").fetchone()[0] == 0


def test_a_run_id_that_does_not_match_the_landing_area_is_refused(con, landing_root):
    run = scenario.first_run(landing_root)
    with pytest.raises(UserError, match="does not match"):
        load.load_run(con, run.landing, catalogue(), {"run_id": "other"})


def test_forget_removes_the_person_and_their_linked_identities(con, landing_root, fake_geo):
    from oss_miner import models

    for run in (scenario.first_run(landing_root), scenario.second_run(landing_root)):
        load.load_run(con, run.landing, catalogue(), run.run)
    models.run_models(con)
    # alice: GitHub 1, whose profile email kA is her commit address on both frameworks
    forgotten = load.forget(con, "github", "ALICE")
    assert forgotten.accounts == [("github", "1")] and forgotten.author_keys == ["kA"]
    assert forgotten.rows["raw_commits"] == 2 * 2 + 2  # c1, c2 on both Paddle copies; s4 on two of the Spore copies
    models.run_models(con)
    assert con.execute("SELECT count(*) FROM raw_commits WHERE author_key = 'kA'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM raw_accounts WHERE account_id = 1").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM raw_contributors WHERE account_id = 1 OR author_key = 'kA'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM mart_identities WHERE identity IN ('github:1', 'email:kA')").fetchone()[0] == 0
    assert con.execute("SELECT commits FROM mart_vendor_share WHERE framework = 'Paddle'").fetchone()[0] == 3
    # eve is two accounts linked by evidence: forgetting her Gitee login removes her GitHub account too
    eve = load.forget(con, "gitee", "eve")
    assert eve.accounts == [("gitee", "201"), ("github", "5")]
    assert con.execute("SELECT count(*) FROM raw_forks WHERE owner_id IN (5, 201)").fetchone()[0] == 0
    with pytest.raises(UserError, match="no account github:nobody"):
        load.forget(con, "github", "nobody")
