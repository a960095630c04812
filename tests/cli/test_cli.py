"""The oss-miner command: --help everywhere, exit codes 0/2/1, one-line errors without tracebacks."""

from __future__ import annotations

import socket
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
    (["run", "--repo", "github:no-slash"], "must look like OWNER/NAME"),
    (["run", "--config", "/nonexistent/c.toml"], "config file /nonexistent/c.toml not found"),
    (["sql", "select 1", "--db", "/nonexistent/x.duckdb"], "no database at /nonexistent/x.duckdb"),
    (["status", "--db", "/nonexistent/x.duckdb"], "no database at"),
    (["export", "--format", "xls"], "--format 'xls': choose csv or parquet"),
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


def test_a_bad_query_is_one_line(capsys, snapshot):
    code, _, err = call(capsys, "sql", "select nope from mart_x", "--db", str(snapshot))
    assert code == 2 and err.startswith("error: query failed:") and err.count("\n") == 1


def _cli_run(tmp_path: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OSS_MINER_HTTP_TIMEOUT_S": "2", **env}
    return subprocess.run([sys.executable, "-m", "oss_miner.cli", "run", *argv], env=env, capture_output=True,
                          text=True, timeout=600)


def test_rejected_tokens_fail_the_run_with_exit_1_and_one_line(tmp_path):
    from oss_miner.sandbox.server import SandboxOptions, SandboxServer

    with SandboxServer(SandboxOptions(seed=3, scale=0.05, tokens={"the-only-good-token": "acct"})) as sandbox:
        result = _cli_run(tmp_path, {"OSS_MINER_GITEE_URL": sandbox.urls["gitee"], "GITEE_TOKEN": "canary-token-4711"},
                          "--platform", "gitee", "--framework", "MindSpore", "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: run failed: gitee: the token was rejected (401); check GITEE_TOKEN"]
    assert "Traceback" not in result.stderr and "canary-token-4711" not in result.stderr + result.stdout
    assert not (tmp_path / "x.duckdb").exists()  # nothing published


@pytest.mark.heavy
def test_an_unreachable_host_fails_the_run_with_exit_1(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _cli_run(tmp_path, {"OSS_MINER_GITEE_URL": f"http://127.0.0.1:{port}/api/v5", "GITEE_TOKEN": "canary-token-4711"},
                      "--platform", "gitee", "--framework", "MindSpore", "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: run failed: gitee: GET") and "ConnectionError" in errors[0]
    assert "has not answered once in this run; check OSS_MINER_GITEE_URL" in errors[0]
    assert "Traceback" not in result.stderr and "canary-token-4711" not in result.stderr + result.stdout
    assert not (tmp_path / "x.duckdb").exists()


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
    assert header.split() == ["run_id", "started", "seconds", "what", "requests", "rate_limited", "answered_304",
                              "waits", "findings", "outcome"]
    assert "2026-01-02 03:04" in row and "MindSpore on gitee (sandbox)" in row and row.split()[-1] == "succeeded"
