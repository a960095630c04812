"""ETags and 304s, budgets and their reset, GitHub's secondary limit, tokens and accounts, on each platform."""

from __future__ import annotations

import threading
import time

import requests

GH = {"Authorization": "token t1"}
GL = {"PRIVATE-TOKEN": "t1"}


def github_repo(server, headers=GH, **extra):  # type: ignore[no-untyped-def]
    return requests.get(f"{server.urls['github']}/repos/PaddlePaddle/Paddle", headers={**headers, **extra})


def gitee_repo(server, token="t1", **extra):  # type: ignore[no-untyped-def]
    return requests.get(f"{server.urls['gitee']}/repos/paddlepaddle/Paddle", params={"access_token": token}, headers=extra)


def gitlab_repo(server, headers=GL, **extra):  # type: ignore[no-untyped-def]
    return requests.get(f"{server.urls['gitlab']}/api/v4/projects/jihu-mirrors%2Fpaddle", headers={**headers, **extra})


def rows(server, **match):  # type: ignore[no-untyped-def]
    stats = requests.get(server.urls["stats"]).json()["requests"]
    return [r for r in stats if all(r[k] == v for k, v in match.items())]


def test_github_304_is_free_when_authenticated(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(rate_limit=10)
    first = github_repo(server)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "9"
    again = github_repo(server, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert again.headers["X-RateLimit-Remaining"] == "9"
    anonymous = requests.get(f"{server.urls['github']}/repos/PaddlePaddle/Paddle", headers={"If-None-Match": etag})
    assert anonymous.status_code == 304 and anonymous.headers["X-RateLimit-Remaining"] == "9"  # anonymous's own budget
    assert requests.get(f"{server.urls['github']}/rate_limit", headers=GH).json()["resources"]["core"]["remaining"] == 9
    assert sum(r["count"] for r in rows(server, platform="github", status=304)) == 2


def test_gitee_and_gitlab_304_are_counted(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(rate_limit=2)
    etag = gitee_repo(server).headers["ETag"]
    assert gitee_repo(server, **{"If-None-Match": etag}).status_code == 304
    spent = gitee_repo(server)
    assert spent.status_code == 403 and "rate limit" in spent.json()["message"].lower()
    etag = gitlab_repo(server).headers["ETag"]
    assert gitlab_repo(server, **{"If-None-Match": etag}).status_code == 304
    assert gitlab_repo(server).status_code == 429


def test_etag_changes_with_the_content(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox()
    before = github_repo(server).headers["ETag"]
    server.world.repos[("github", 100)].description = "synthetic, now described differently"
    server.world.repos[("github", 100)].version += 1
    after = github_repo(server, **{"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


def test_budgets_per_platform_and_their_reset(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(rate_limit=3, rate_window_s=60)
    now = [1_000_000.0]
    server.state.limiter.clock = lambda: now[0]  # the window passes when the test says so
    for _ in range(3):
        ok = github_repo(server)
        assert ok.status_code == 200
        assert "RateLimit-Remaining" not in gitlab_repo(server).headers  # GitLab says nothing until it refuses
        assert gitee_repo(server).status_code == 200
    refused = github_repo(server)
    assert refused.status_code == 403 and refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == str(1_000_060)
    assert "rate limit" in refused.json()["message"]
    gitlab = gitlab_repo(server)
    assert gitlab.status_code == 429 and int(gitlab.headers["Retry-After"]) >= 1
    assert gitee_repo(server).status_code == 403
    now[0] += 60
    assert github_repo(server).status_code == 200
    assert gitlab_repo(server).status_code == 200
    assert gitee_repo(server).status_code == 200


def test_graphql_points_and_code_search_have_their_own_budgets(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(rate_limit=2, code_search_limit=1)
    query = {"query": "{ rateLimit { cost remaining } }"}
    url = server.urls["github_graphql"]
    first = requests.post(url, json=query, headers=GH).json()
    assert first["data"]["rateLimit"] == {"cost": 1, "remaining": 1}
    requests.post(url, json=query, headers=GH)
    limited = requests.post(url, json=query, headers=GH)
    assert limited.status_code == 200 and limited.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert limited.headers["X-RateLimit-Resource"] == "graphql" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert github_repo(server).status_code == 200  # REST is budgeted apart
    search = f"{server.urls['github']}/search/code"
    assert requests.get(search, params={"q": "paddlepaddle"}, headers=GH).status_code == 200
    again = requests.get(search, params={"q": "paddlepaddle"}, headers=GH)
    assert again.status_code == 403 and again.headers["X-RateLimit-Resource"] == "code_search"
    stats = requests.get(server.urls["stats"]).json()
    assert sum(stats["graphql_points"].values()) == 2


def test_secondary_limit_on_concurrent_requests_of_one_account(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(secondary_limit=1, latency_ms=800)
    answers: dict[str, list[requests.Response]] = {"t1": [], "t2": []}
    start = threading.Barrier(4)

    def call(token: str) -> None:
        start.wait()
        answers[token].append(github_repo(server, headers={"Authorization": f"token {token}"}))

    threads = [threading.Thread(target=call, args=(t,)) for t in ("t1", "t1", "t1", "t2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers["t1"])
    assert statuses.count(200) >= 1 and 403 in statuses
    refused = next(a for a in answers["t1"] if a.status_code == 403)
    assert int(refused.headers["Retry-After"]) >= 1 and "secondary rate limit" in refused.json()["message"]
    assert [a.status_code for a in answers["t2"]] == [200]  # another account is not held back


def test_latency_delays_every_response(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(latency_ms=150)
    started = time.monotonic()
    assert gitee_repo(server).status_code == 200
    assert time.monotonic() - started >= 0.15


def test_tokens_map_to_accounts_that_share_a_budget(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(tokens={"t1": "a1", "t2": "a1", "t3": "a2"}, rate_limit=4)
    user = f"{server.urls['github']}/user"
    assert requests.get(user, headers={"Authorization": "token t1"}).json()["login"] == "a1"
    assert requests.get(user, headers={"Authorization": "Bearer t2"}).json()["login"] == "a1"
    assert github_repo(server, headers={"Authorization": "token t1"}).status_code == 200
    assert github_repo(server, headers={"Authorization": "token t2"}).headers["X-RateLimit-Remaining"] == "0"
    assert github_repo(server, headers={"Authorization": "token t1"}).status_code == 403  # a1 is spent, whichever token
    assert github_repo(server, headers={"Authorization": "token t3"}).status_code == 200
    for bad in ({"Authorization": "token nope"}, {}):
        assert github_repo(server, headers=bad).status_code == 401
    assert gitee_repo(server, token="nope").status_code == 401
    assert gitlab_repo(server, headers={"PRIVATE-TOKEN": "nope"}).status_code == 401
    assert requests.get(f"{server.urls['gitlab']}/api/v4/user", headers={"PRIVATE-TOKEN": "t3"}).json()["username"] == "a2"
    accounts = {(r["account"], r["status"]) for r in rows(server, platform="github")}
    assert ("a1", 403) in accounts and ("a2", 200) in accounts and ("anonymous", 401) in accounts


def test_without_a_token_list_each_token_is_its_own_account(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox(rate_limit=1)
    assert github_repo(server, headers={"Authorization": "token x"}).status_code == 200
    assert github_repo(server, headers={"Authorization": "token y"}).status_code == 200
    assert github_repo(server, headers={"Authorization": "token x"}).status_code == 403
    logins = {requests.get(f"{server.urls['github']}/rate_limit", headers={"Authorization": f"token {t}"}).status_code
              for t in ("x", "y")}
    assert logins == {200}  # /rate_limit costs nothing
