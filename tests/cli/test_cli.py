"""The oss-miner command: --help everywhere, exit codes 0/2/1, one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from oss_miner.cli import main
from oss_miner.runstate import StatePaths, publish

VERBS = ["run", "serve", "status", "sql", "export", "report", "geocode", "forget", "sandbox", "sandbox serve",
         "sandbox truth"]


def call(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(capsys, verb):
    code, out, _ = call(capsys, *verb.split(), "--help")
    assert code == 0 and "Usage:" in out


@pytest.fixture()
def snapshot(tmp_path: Path) -> Path:
    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    paths.state.mkdir(parents=True)
    con = duckdb.connect(str(paths.work_db))
    con.execute("CREATE TABLE mart_x AS SELECT 1 AS a")
    con.close()
    publish(paths)
    return paths.db


@pytest.mark.parametrize("argv, message", [
    (["frob"], "No such command 'frob'"),
    (["sql"], "Missing argument 'query'. (see `oss-miner sql --help`)"),
    (["run", "--platform", "gitub"], "unknown platform 'gitub'; choose from github, gitee, gitlab"),
    (["run", "--framework", "Nope"], "unknown framework 'Nope'; choose from PaddlePaddle"),
    (["run", "--repo", "svn:foo"], "--repo 'svn:foo': use PLATFORM:OWNER/NAME"),
    (["run", "--framework", "MegEngine", "--platform", "gitee"],
     "--framework MegEngine --platform gitee selects no repository: MegEngine is tracked on github only"),
    (["run", "--repo", "github:no-slash"], "must look like OWNER/NAME"),
    (["run", "--config", "/nonexistent/c.toml"], "config file /nonexistent/c.toml not found"),
    (["sql", "select 1", "--db", "/nonexistent/x.duckdb"], "no database at /nonexistent/x.duckdb"),
    (["status", "--db", "/nonexistent/x.duckdb"], "no database at"),
    (["export", "--format", "xls"], "--format 'xls': choose csv, parquet or xlsx"),
    (["geocode", "/nonexistent/in.csv"], "/nonexistent/in.csv"),
    (["sandbox", "serve", "--token", "nosep"], "use ACCOUNT=TOKEN"),
])
def test_bad_usage_is_one_line_and_exit_code_2(capsys, argv, message):
    code, _, err = call(capsys, *argv)
    assert code == 2, err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


def test_sql_is_read_only(capsys, snapshot):
    code, out, _ = call(capsys, "sql", "select a from mart_x", "--db", str(snapshot), "--csv")
    assert code == 0 and out.splitlines() == ["a", "1"]
    code, _, err = call(capsys, "sql", "drop table mart_x", "--db", str(snapshot))
    assert code == 2 and "read-only" in err and err.count("\n") == 1
    assert duckdb.connect(str(snapshot), read_only=True).execute("select count(*) from mart_x").fetchone() == (1,)


@pytest.fixture()
def wide_snapshot(tmp_path: Path) -> Path:
    paths = StatePaths.for_db(tmp_path / "wide.duckdb")
    paths.state.mkdir(parents=True)
    con = duckdb.connect(str(paths.work_db))
    con.execute("""CREATE TABLE mart_y AS SELECT * FROM (VALUES
        ('CN', NULL, 10::BIGINT, 0.62, ['MNN', 'OneFlow'], repeat('长', 100)),
        ('US', 'US-WA', 5::BIGINT, NULL, [], 'a' || chr(10) || 'b')
      ) t(country, region, people, share, frameworks, note)""")
    con.close()
    publish(paths)
    return paths.db


def test_sql_prints_null_empty_integers_as_integers_and_cuts_wide_text(capsys, wide_snapshot):
    query = "select country, region, sum(people) as people, share, frameworks, note from mart_y group by all order by 1"
    code, out, _ = call(capsys, "sql", query, "--db", str(wide_snapshot))
    assert code == 0
    header, cn, us = out.splitlines()
    assert header.split() == ["country", "region", "people", "share", "frameworks", "note"]
    assert "NaN" not in out and "None" not in out and "<NA>" not in out and "10.0" not in out
    assert cn.split()[:3] == ["CN", "10", "0.62"]  # the NULL region is an empty cell; sum() is an integer
    assert '["MNN", "OneFlow"]' in cn and "长" * 59 + "…" in cn and "长" * 60 not in cn
    assert us.split()[:3] == ["US", "US-WA", "5"] and "a b" in us  # a line break in a cell stays on its line
    code, out, _ = call(capsys, "sql", query, "--db", str(wide_snapshot), "--wide")
    assert code == 0 and "长" * 100 in out and "…" not in out


def test_sql_csv_is_written_like_the_exports(capsys, wide_snapshot):
    code, out, _ = call(capsys, "sql", "select * from mart_y order by country", "--db", str(wide_snapshot), "--csv")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0] == "country,region,people,share,frameworks,note"
    assert lines[1].startswith('CN,,10,0.62,"[""MNN"", ""OneFlow""]",') and lines[2] == "US,US-WA,5,,[],a b"


def test_the_run_summary_names_the_command_as_it_was_started(capsys, tmp_path, monkeypatch):
    from oss_miner import cli

    program = tmp_path / "venv" / "bin" / "oss-miner"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(program), "run"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the virtual environment is not on PATH after `make run`
    cli._print_run_summary({"run_id": "r1", "requests": {}}, Path("data/x.duckdb"), None)
    hints = [line.strip() for line in capsys.readouterr().out.splitlines() if " sql --db " in line]
    assert len(hints) == len(cli.EXAMPLE_QUERIES) and all(h.startswith("venv/bin/oss-miner sql") for h in hints)
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin:/bin")
    cli._print_run_summary({"run_id": "r1", "requests": {}}, Path("data/x.duckdb"), None)
    assert all(line.strip().startswith("oss-miner sql") for line in capsys.readouterr().out.splitlines()
               if " sql --db " in line)


def test_a_bad_query_is_one_line(capsys, snapshot):
    code, _, err = call(capsys, "sql", "select nope from mart_x", "--db", str(snapshot))
    assert code == 2 and err.startswith("error: query failed:") and err.count("\n") == 1


def _cli_run(tmp_path: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OSS_MINER_HTTP_TIMEOUT_S": "2",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180", **env}  # (20 s by default: short on a busy machine)
    return subprocess.run([sys.executable, "-m", "oss_miner.cli", "run", *argv], env=env, capture_output=True,
                          text=True, timeout=600)


def test_rejected_tokens_fail_the_run_with_exit_1_and_one_line(tmp_path, capsys):
    from oss_miner.sandbox.server import SandboxOptions, SandboxServer

    with SandboxServer(SandboxOptions(seed=3, scale=0.05, tokens={"the-only-good-token": "acct"})) as sandbox:
        result = _cli_run(tmp_path, {"OSS_MINER_GITEE_URL": sandbox.urls["gitee"], "GITEE_TOKEN": "canary-token-4711"},
                          "--platform", "gitee", "--framework", "MindSpore", "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: run failed: gitee: the token was rejected (401); check GITEE_TOKEN"]
    assert "Traceback" not in result.stderr and "canary-token-4711" not in result.stderr + result.stdout
    assert not (tmp_path / "x.duckdb").exists()  # nothing published
    code, out, _ = call(capsys, "status", "--db", str(tmp_path / "x.duckdb"))  # the failed run is in the ledger
    assert code == 0 and out.splitlines()[1].split()[-1] == "failed", out
    assert "no snapshot has been published yet" in out


def test_the_served_deployment_runs_mine_on_the_catalogue_cron():
    from flows.mine import deployment

    served = deployment("0 3 * * *", {"db": "data/x.duckdb"})
    assert served.name == "oss-miner-scheduled" and served.parameters == {"db": "data/x.duckdb"}
    assert [s.schedule.cron for s in served.schedules] == ["0 3 * * *"]


def test_status_lists_recent_runs(capsys, tmp_path):
    from oss_miner import load

    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    paths.state.mkdir(parents=True)
    con = load.connect(paths.work_db)
    con.execute("""INSERT INTO runs (run_id, started_at, finished_at, outcome, parameters, requests, rate_limited_requests,
                                     not_modified, rate_limit_waits, findings)
                   VALUES ('r1', TIMESTAMPTZ '2026-01-02 03:04:00+00', TIMESTAMPTZ '2026-01-02 03:06:00+00', 'succeeded',
                           '{"frameworks": ["MindSpore"], "platforms": ["gitee"], "sandbox": true}', 120, 100, 20, 1, 3)""")
    con.close()
    publish(paths)
    code, out, _ = call(capsys, "status", "--db", str(paths.db))
    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.split() == ["run_id", "started", "seconds", "what", "synthetic", "requests", "rate_limited",
                              "answered_304", "waits", "findings", "outcome"]
    assert "2026-01-02 03:04" in row and "MindSpore on gitee (sandbox)" in row and row.split()[-1] == "succeeded"
    assert row.split()[-7] == "True"  # six columns follow; a ledger row without the flag takes it from parameters


def test_version(capsys):
    from importlib.metadata import version

    code, out, _ = call(capsys, "--version")
    assert code == 0 and out == f"oss-miner {version('oss-miner')}\n"


def _ledger_row(paths: StatePaths, run_id: str, outcome: str, started: str | None) -> None:
    from oss_miner import load

    con = load.connect(paths.work_db)
    try:
        con.execute("INSERT INTO runs (run_id, started_at, outcome, parameters) VALUES (?, ?::TIMESTAMPTZ, ?, ?)",
                    [run_id, started, outcome, '{"frameworks": ["MegEngine"]}'])
    finally:
        con.close()


def test_status_shows_failed_and_unfinished_runs_after_the_last_snapshot(capsys, tmp_path):
    """The snapshot knows only the runs up to its publication; later failed, abandoned and unfinished runs are
    in the state folder, and status shows them; while a run holds the working database, the snapshot's."""
    from oss_miner import load

    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    _ledger_row(paths, "r1", "succeeded", "2026-01-01 00:00:00+00")
    publish(paths)
    _ledger_row(paths, "r2", "abandoned", "2026-01-02 00:00:00+00")
    con = load.connect(paths.work_db)
    load.finish_run(con, "r3", "failed")  # failed before it loaded anything: no start time, no parameters
    con.close()
    paths.current_run.write_text(json.dumps({"run_id": "r4", "parameters": {"platforms": ["gitee"]}}))
    code, out, _ = call(capsys, "status", "--db", str(paths.db))
    outcomes = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert code == 0 and outcomes == {"r4": "unfinished", "r3": "failed", "r2": "abandoned", "r1": "succeeded"}, out
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["r4", "r3", "r2", "r1"] and "no snapshot" not in out

    holder = duckdb.connect(str(paths.work_db))  # a run writing it: DuckDB lets no reader beside it
    try:
        code, out, _ = call(capsys, "status", "--db", str(paths.db))
    finally:
        holder.close()
    assert code == 0 and "r1" in out and "r2" not in out and f"a run is using {paths.work_db}" in out, out


def test_status_without_any_snapshot_reads_the_state_folder(capsys, tmp_path):
    paths = StatePaths.for_db(tmp_path / "never.duckdb")
    _ledger_row(paths, "r1", "failed", "2026-01-01 00:00:00+00")
    code, out, err = call(capsys, "status", "--db", str(paths.db))
    assert code == 0 and out.splitlines()[1].split()[-1] == "failed", err
    assert f"no snapshot has been published yet at {paths.db}" in out
