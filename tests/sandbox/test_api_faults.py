"""Each injected fault kind is observable as a client sees it, recorded in the stats, and reproducible."""

from __future__ import annotations

import gitlab
import pytest
import requests

from fixtures import GITLAB_STARS

GH = {"Authorization": "token t1"}


def repo_url(server) -> str:  # type: ignore[no-untyped-def]
    return f"{server.urls['github']}/repos/PaddlePaddle/Paddle"


def faults(server) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out: dict[str, int] = {}
    for row in requests.get(server.urls["stats"]).json()["requests"]:
        if row["fault"]:
            out[row["fault"]] = out.get(row["fault"], 0) + row["count"]
    return out


def test_5xx(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=1.0, fault_kinds=("5xx",))
    statuses = {requests.get(f"{repo_url(server)}?n={i}", headers=GH).status_code for i in range(12)}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    assert faults(server) == {"5xx": 12}


def test_timeout(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=1.0, fault_kinds=("timeout",), timeout_delay_s=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(repo_url(server), headers=GH, timeout=0.05)
    late = requests.get(repo_url(server), headers=GH, timeout=5)
    assert late.status_code == 504
    assert faults(server)["timeout"] >= 1


def test_reset(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=1.0, fault_kinds=("reset",))
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(repo_url(server), headers=GH)
    assert faults(server) == {"reset": 1}
    rows = requests.get(server.urls["stats"]).json()["requests"]
    assert rows[0]["status"] is None  # nothing was answered


def test_truncated(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=1.0, fault_kinds=("truncated",))
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(repo_url(server), headers=GH)
    gitlab_url = f"{server.urls['gitlab']}/api/v4/projects/900000"
    answer = requests.get(gitlab_url, headers={"PRIVATE-TOKEN": "t1"}, stream=True)
    assert answer.status_code == 200 and int(answer.headers["Content-Length"]) > 0
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        answer.content  # noqa: B018 - reading the body is what fails
    assert faults(server) == {"truncated": 2}


def test_ratelimit_on_each_platform(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=1.0, fault_kinds=("ratelimit",), rate_window_s=30)
    github = requests.get(repo_url(server), headers=GH)
    assert github.status_code == 403 and github.headers["X-RateLimit-Remaining"] == "0"
    assert 25 <= int(github.headers["X-RateLimit-Reset"]) - int(__import__("time").time()) <= 31
    gitlab_answer = requests.get(f"{server.urls['gitlab']}/api/v4/projects/900000", headers={"PRIVATE-TOKEN": "t1"})
    assert gitlab_answer.status_code == 429 and gitlab_answer.headers["Retry-After"] == "30"
    gitee = requests.get(f"{server.urls['gitee']}/repos/paddlepaddle/Paddle", params={"access_token": "t1"})
    assert gitee.status_code == 403 and "rate limit" in gitee.json()["message"].lower()
    graphql = requests.post(server.urls["github_graphql"], json={"query": "{ viewer { login } }"}, headers=GH)
    assert graphql.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert faults(server) == {"ratelimit": 4}


def _sequence(server) -> list[int | str]:  # type: ignore[no-untyped-def]
    seen: list[int | str] = []
    for i in range(30):
        url = f"{repo_url(server)}/stargazers?page={i % 4 + 1}"
        try:
            seen.append(requests.get(url, headers=GH, timeout=5).status_code)
        except requests.exceptions.RequestException as exc:
            seen.append(type(exc).__name__)
    return seen


def test_faults_are_reproducible_and_a_retry_gets_a_fresh_draw(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    options = {"seed": 11, "fault_rate": 0.4, "fault_kinds": ("5xx", "reset", "truncated", "ratelimit")}
    first = _sequence(make_sandbox(**options))
    second = _sequence(make_sandbox(**options))
    other = _sequence(make_sandbox(**{**options, "seed": 12}))
    assert first == second
    assert first != other
    assert 200 in first and any(s != 200 for s in first)
    server = make_sandbox(**options)
    requests.post(f"{server.urls['stats']}/reset")
    assert _sequence(server) == first  # a stats reset also restarts the fault sequence


def test_a_retrying_client_reads_everything_despite_faults(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(fault_rate=0.3, fault_kinds=("5xx",))
    client = gitlab.Gitlab(url=server.urls["gitlab"], private_token="t1", per_page=5, retry_transient_errors=True)
    starrers = client.http_list("/projects/900000/starrers", get_all=True, max_retries=20)
    assert len(starrers) == GITLAB_STARS
    assert faults(server).get("5xx", 0) > 0
