"""Starting and stopping the sandbox, its stats, and a world that moves on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from fixtures import AS_OF

from oss_miner.sandbox.server import SandboxOptions, SandboxServer

GH = {"Authorization": "token t1"}
CATALOGUE = Path(__file__).resolve().parents[2] / "config" / "sandbox.toml"


def test_stats_rows_and_reset(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(tokens={"t1": "a1"})
    for _ in range(2):
        requests.get(f"{server.urls['github']}/repos/PaddlePaddle/Paddle/forks", params={"per_page": 100}, headers=GH)
    requests.get(f"{server.urls['github']}/repos/nobody/nothing/forks", headers=GH)
    requests.post(server.urls["github_graphql"], json={"query": "{ viewer { login } }"}, headers=GH)
    requests.get(f"{server.urls['gitee']}/users/gitee-dev1", params={"access_token": "t1"})
    stats = requests.get(server.urls["stats"]).json()
    forks = [r for r in stats["requests"] if r["endpoint"] == "/repos/{owner}/{repo}/forks"]
    assert {(r["platform"], r["account"], r["status"], r["fault"], r["count"]) for r in forks} == {
        ("github", "a1", 200, None, 2), ("github", "a1", 404, None, 1)}
    ok = next(r for r in forks if r["status"] == 200)
    assert ok["bytes"] > 100_000  # two pages of full repository payloads
    assert any(r["endpoint"] == "/graphql" and r["count"] == 1 for r in stats["requests"])
    assert any(r["platform"] == "gitee" and r["endpoint"] == "/users/{username}" for r in stats["requests"])
    assert stats["graphql_points"] == {"a1": 1}
    assert requests.post(f"{server.urls['stats']}/reset").status_code == 200
    assert requests.get(server.urls["stats"]).json() == {"requests": [], "graphql_points": {}}


@pytest.fixture(scope="module")
def built() -> SandboxServer:  # type: ignore[misc]
    """A sandbox that builds its own (small) world, as the CLI and benchmarks use it."""
    with SandboxServer(SandboxOptions(seed=7, scale=0.05, as_of=AS_OF)) as server:
        yield server


def _totals(server: SandboxServer) -> tuple[int, int]:
    stars = forks = 0
    for repo in server.world.repos.values():
        if repo.tracked and repo.platform == "github":
            body = requests.get(f"{server.urls['github']}/repos/{repo.full_name}", headers=GH).json()
            stars += body["stargazers_count"]
            forks += body["forks_count"]
    return stars, forks


def test_a_built_world_serves_its_tracked_repositories(built) -> None:  # type: ignore[no-untyped-def]
    tracked = [r for r in built.world.repos.values() if r.tracked]
    assert {r.platform for r in tracked} == {"github", "gitee", "gitlab"}
    paddle = requests.get(f"{built.urls['github']}/repos/PaddlePaddle/Paddle", headers=GH).json()
    assert "synthetic" in paddle["description"].lower()
    gitlab = requests.get(f"{built.urls['gitlab']}/api/v4/projects/jihu-mirrors%2Fpaddle",
                          headers={"PRIVATE-TOKEN": "t1"}).json()
    assert gitlab["mirror"] is True


def test_advance_moves_the_world_on(built) -> None:  # type: ignore[no-untyped-def]
    before = _totals(built)
    etag = requests.get(f"{built.urls['github']}/repos/PaddlePaddle/Paddle", headers=GH).headers["ETag"]
    moved = requests.post(f"{built.urls['stats']}/advance", params={"fraction": 0.05})
    assert moved.status_code == 200 and moved.json()["advances"] == [0.05]
    after = _totals(built)
    assert after != before and after[0] > before[0]
    again = requests.get(f"{built.urls['github']}/repos/PaddlePaddle/Paddle", headers={**GH, "If-None-Match": etag})
    assert again.status_code == 200  # the repository changed, so its ETag did
    assert requests.post(f"{built.urls['stats']}/advance", params={"fraction": "lots"}).status_code == 400


def test_serve_prints_one_json_line_and_stops_on_sigterm(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = ("import datetime; from oss_miner.sandbox.server import SandboxOptions, serve; "
            f"serve(SandboxOptions(seed=3, scale=0.02, as_of=datetime.date.fromisoformat({AS_OF.isoformat()!r}), "
            f"catalogue_path={str(CATALOGUE)!r}), port=0)")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=tmp_path, env=env, text=True)
    try:
        line = process.stdout.readline()
        urls = json.loads(line)
        assert set(urls) == {"github", "github_graphql", "gitee", "gitlab", "huggingface", "modelscope", "stats"}
        assert requests.get(urls["stats"], timeout=5).status_code == 200
        assert requests.get(f"{urls['github']}/repos/PaddlePaddle/Paddle", headers=GH, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out == ""  # exactly one line, already read
    assert "Traceback" not in err
