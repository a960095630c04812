"""The sandbox marks every answer as synthetic, and a run that mined it says so in the runs ledger, even when
it was pointed at the sandbox through environment URLs alone (no --sandbox)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
import requests
import responses
from fixtures import AS_OF

from oss_miner import labels, pipeline, runstate
from oss_miner.sandbox.server import SandboxOptions, SandboxServer, environment_applied
from oss_miner.sources.base import RequestStats
from oss_miner.sources.http import HostPinnedSession, TransportPolicy

HEADER = (labels.SYNTHETIC_HEADER, labels.SYNTHETIC_HEADER_VALUE)
GITEE = "gitee:mindspore/mindspore"
GITHUB = "github:mindspore-ai/mindspore"


@pytest.fixture(scope="module")
def small() -> SandboxServer:  # type: ignore[misc]
    with SandboxServer(SandboxOptions(seed=3, scale=0.02, as_of=AS_OF, code_search_limit=None)) as server:
        yield server


def mine(db: Path, repos: tuple[str, ...], environment: dict[str, str]) -> duckdb.DuckDBPyConnection:
    """Extract these repositories and load the run, as `mine` does, without --sandbox; the work database."""
    with environment_applied({**environment, "OSS_MINER_HASH_KEY": "synthetic-flag-test"}):
        spec = pipeline.RunSpec(db=str(db), repos=repos)
        run_id, _ = runstate.start_or_resume(spec.paths, spec.parameters())
        spec = pipeline.with_run_id(spec, run_id)
        for task in pipeline.plan(spec).repos:
            pipeline.extract_repository(spec, task)
        pipeline.seal(spec)
        pipeline.load(spec, datetime.now(timezone.utc).isoformat())
        runstate.finish(spec.paths)
    return duckdb.connect(str(spec.paths.work_db), read_only=True)


def test_every_answer_of_the_sandbox_carries_the_header(small):
    urls = small.urls
    answers = [requests.get(f"{urls['github']}/repos/mindspore-ai/mindspore", timeout=10),
               requests.get(f"{urls['github']}/repos/nobody/nothing", timeout=10),  # 404
               requests.get(f"{urls['gitee']}/repos/mindspore/mindspore", params={"access_token": "t"}, timeout=10),
               requests.get(f"{urls['gitlab']}/api/v4/projects/jihu-mirrors%2Fpaddle", timeout=10)]
    assert [a.status_code for a in answers] == [200, 404, 200, 200]
    assert all(a.headers.get(HEADER[0]) == HEADER[1] for a in answers)


def test_a_refused_token_is_marked_too():
    with SandboxServer(SandboxOptions(seed=3, scale=0.02, as_of=AS_OF, tokens={"good": "acct"})) as server:
        refused = requests.get(f"{server.urls['github']}/user", headers={"Authorization": "token bad"}, timeout=10)
    assert refused.status_code == 401 and refused.headers.get(HEADER[0]) == HEADER[1]


def session(base: str) -> HostPinnedSession:
    policy = TransportPolicy(timeout_s=5, retries=0, truncated_retries=0, backoff_s=0.0, default_limit_wait_s=1)
    return HostPinnedSession(base, platform="gitee", token_param="access_token", policy=policy,
                             stats=RequestStats("gitee"), tokens=["t"])


def test_request_stats_notice_the_sandbox_and_only_the_sandbox(small):
    sandbox = session(small.urls["gitee"])
    sandbox.get(f"{small.urls['gitee']}/repos/mindspore/mindspore")
    assert sandbox.stats.synthetic and sandbox.stats.as_dict()["synthetic"] is True
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, "https://gitee.example/api/v5/repos/a/b", json={"id": 1}, headers={"X-Other": "1"})
        real = session("https://gitee.example/api/v5")
        real.get("https://gitee.example/api/v5/repos/a/b")
    assert real.stats.total == 1 and not real.stats.synthetic and real.stats.as_dict()["synthetic"] is False
    lower = RequestStats("github")
    lower.answered_by({"x-synthetic-data": "oss-miner sandbox"})  # PyGithub hands headers over lower-cased
    assert lower.synthetic


def test_a_run_pointed_at_the_sandbox_by_environment_alone_is_recorded_as_synthetic(small, tmp_path):
    con = mine(tmp_path / "db" / "oss.duckdb", (GITEE, GITHUB), small.environment())
    try:
        rows = con.execute("SELECT synthetic, parameters ->> 'sandbox' FROM runs").fetchall()
        assert rows == [(True, "false")]  # not asked for the sandbox: the answers said so
        assert con.execute("SELECT count(*) FROM raw_repositories").fetchone()[0] == 2
        assert labels.data_label(con) == labels.SYNTHETIC_LABEL
    finally:
        con.close()


@responses.activate
def test_a_run_against_a_real_looking_service_is_not_synthetic(tmp_path):
    responses.add_callback(responses.GET, re.compile(r"https://gitee\.example/.*"),
                           callback=lambda request: (404, {}, '{"message": "Not Found Project"}'))
    environment = {"OSS_MINER_GITEE_URL": "https://gitee.example/api/v5", "GITEE_TOKEN": "real-looking"}
    con = mine(tmp_path / "db" / "oss.duckdb", (GITEE,), environment)
    try:
        assert con.execute("SELECT synthetic, requests > 0 FROM runs").fetchall() == [(False, True)]
        assert labels.data_label(con) is None
    finally:
        con.close()
