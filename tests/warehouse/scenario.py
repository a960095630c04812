"""A hand-made ecosystem small enough to compute every mart figure by hand (see test_marts.py).

Paddle: primary github PaddlePaddle/Paddle, mirror gitee paddlepaddle/Paddle (same commits).
Spore:  primary gitee spore/spore, mirrors github spore-ai/spore and gitlab mirrors/spore.

People (author_key = keyed email hash; name_key = keyed name hash):
- Alice: GitHub 1 "alice", Beijing, "@baidu", profile email = kA (baidu.com, +08:00); Paddle c1, c2; Spore s4.
- Bob:   GitHub 2 "bob", "Hangzhou, Zhejiang"; commits from a noreply address kB that encodes account 2; Paddle c3.
- Dan:   GitHub 4 "dan", Berlin, name nD, listed in Paddle's contributors; commits as kD (gmail.com, +01:00), name nD; Paddle c4.
- George: commits only, kG (example.org, -05:00): nowhere to be placed; Paddle c6.
- Carol: commits kC (qq.com, +08:00); Spore s1, s2.
- Frank: commits kF (huawei.com, +08:00); Spore s3.
- Eve:   GitHub 5 "eve" (Shanghai) and Gitee 201 "eve", same name nE: forks Paddle on both, stars Spore on both.
- ci-bot: commits kBot flagged as bot (Paddle c5); GitHub 99 "paddle-ci[bot]" in Paddle's contributors.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .builder import RunBuilder, new_run

PADDLE, PADDLE_MIRROR = "PaddlePaddle/Paddle", "paddlepaddle/Paddle"
SPORE, SPORE_GH, SPORE_GL = "spore/spore", "spore-ai/spore", "mirrors/spore"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def commit(sha: str, key: str, domain: str, when: str, offset: int, name: str | None = None, **extra: object) -> dict:
    return {"sha": sha, "author_key": key, "email_domain": domain, "authored_at": ts(when),
            "author_utc_offset_minutes": offset, "committer_utc_offset_minutes": offset,
            "name_key": name, "on_default_branch": True, "is_bot": False, "source": "git", **extra}


PADDLE_COMMITS = [
    commit("c1", "kA", "baidu.com", "2023-01-10T10:00:00+08:00", 480, "nA"),
    commit("c2", "kA", "baidu.com", "2023-02-10T10:00:00+08:00", 480, "nA"),
    commit("c3", "kB", "users.noreply.github.com", "2023-03-10T10:00:00+08:00", 480, "nB", noreply_account_id=2),
    commit("c4", "kD", "gmail.com", "2024-01-10T10:00:00+01:00", 60, "nD"),
    commit("c5", "kBot", "example.com", "2024-01-11T10:00:00+00:00", 0, "nBot", is_bot=True),
    commit("c6", "kG", "example.org", "2024-02-10T10:00:00-05:00", -300, "nG"),
]
SPORE_COMMITS = [
    commit("s1", "kC", "qq.com", "2023-05-01T10:00:00+08:00", 480, "nC"),
    commit("s2", "kC", "qq.com", "2023-06-01T10:00:00+08:00", 480, "nC"),
    commit("s3", "kF", "huawei.com", "2023-07-01T10:00:00+08:00", 480, "nF"),
    commit("s4", "kA", "baidu.com", "2024-01-05T10:00:00+08:00", 480, "nA"),
]


def account(account_id: int, login: str, **fields: object) -> dict:
    return {"account_id": account_id, "login": login, "type": "User", **fields}


GITHUB_ACCOUNTS = [
    account(1, "alice", location="Beijing", company="@baidu", email_domain="baidu.com", email_key="kA", name_key="nA"),
    account(2, "bob", location="Hangzhou, Zhejiang", name_key="nB"),
    account(4, "dan", location="Berlin", name_key="nD"),
    account(5, "eve", location="Shanghai", name_key="nE"),
    account(6, "henry", location="Seattle", name_key="nH"),
    account(7, "ivan", name_key="nI"),
    account(8, "judy", location="Taipei", name_key="nJ"),
    account(50, "acme", type="Organization", location="Shenzhen"),
    account(99, "paddle-ci[bot]", type="Bot"),
]
GITEE_ACCOUNTS = [
    account(201, "eve", name_key="nE", location=None),  # Gitee profiles have no location (the source lands None)
    account(101, "carol", name_key="nC"),
]


def fork(fork_id: int, owner_id: int, owner_login: str, created: str, pushed: str, stars: int = 0,
         owner_type: str = "User") -> dict:
    return {"fork_id": fork_id, "full_name": f"{owner_login}/Paddle", "owner_id": owner_id, "owner_login": owner_login,
            "owner_type": owner_type, "created_at": ts(created), "pushed_at": ts(pushed), "stars": stars}


F1 = fork(11, 5, "eve", "2024-01-05T00:00:00+00:00", "2024-01-05T01:00:00+00:00")
F2 = fork(12, 50, "acme", "2024-01-10T00:00:00+00:00", "2024-02-01T00:00:00+00:00", stars=3, owner_type="Organization")
F3 = fork(13, 6, "henry", "2024-02-02T00:00:00+00:00", "2024-02-20T00:00:00+00:00")
F4 = fork(14, 7, "ivan", "2024-03-01T00:00:00+00:00", "2024-03-01T12:00:00+00:00")
G1 = fork(21, 201, "eve", "2024-01-20T00:00:00+00:00", "2024-01-25T00:00:00+00:00")


def repository(repo: str, stars: int, forks: int, pushed: str, **fields: object) -> dict:
    return {"repo_id": abs(hash(repo)) % 10_000, "full_name": repo, "stars": stars, "forks": forks,
            "pushed_at": ts(pushed), "default_branch": "main", **fields}


def activity(prs: int, issues: int, open_prs: int = 0) -> list[dict]:
    return [
        {"kind": "pull_requests", "state": "open", "count": open_prs},
        {"kind": "pull_requests", "state": "closed", "count": prs - open_prs},
        {"kind": "issues", "state": "all", "count": issues},
    ]


def land_repositories(run: RunBuilder, paddle_stars: int) -> None:
    run.put("repositories", "github", [repository(PADDLE, paddle_stars, 300, "2024-03-01T00:00:00+00:00")], repo=PADDLE)
    run.put("repositories", "gitee", [repository(PADDLE_MIRROR, 100, 30, "2024-03-01T02:00:00+00:00")], repo=PADDLE_MIRROR)
    run.put("repositories", "gitee", [repository(SPORE, 500, 80, "2024-03-02T00:00:00+00:00")], repo=SPORE)
    run.put("repositories", "github", [repository(SPORE_GH, 200, 20, "2024-03-02T03:00:00+00:00",
                                                   mirror_url="https://gitee.com/spore/spore.git")], repo=SPORE_GH)
    run.put("repositories", "gitlab", [repository(SPORE_GL, 10, 1, "2024-03-02T06:00:00+00:00", is_mirror=True)], repo=SPORE_GL)
    run.put("activity", "github", activity(100, 50, open_prs=10), repo=PADDLE)
    run.put("activity", "gitee", activity(0, 2), repo=PADDLE_MIRROR)
    run.put("activity", "gitee", activity(80, 40, open_prs=5), repo=SPORE)
    run.put("activity", "github", activity(0, 0), repo=SPORE_GH)
    run.put("activity", "gitlab", activity(0, 0), repo=SPORE_GL)


def first_run(root: str) -> RunBuilder:
    run = new_run(root, "run-1", day=10)
    land_repositories(run, paddle_stars=1000)
    run.put("commits", "github", PADDLE_COMMITS, repo=PADDLE)
    run.put("commits", "gitee", PADDLE_COMMITS, repo=PADDLE_MIRROR)
    run.put("commits", "gitee", SPORE_COMMITS, repo=SPORE)
    run.put("commits", "github", SPORE_COMMITS, repo=SPORE_GH)
    run.put("commits", "gitlab", SPORE_COMMITS[:3], repo=SPORE_GL)
    run.put("contributors", "github", [
        {"kind": "account", "account_id": 1, "login": "alice", "contributions": 2},
        {"kind": "account", "account_id": 2, "login": "bob", "contributions": 1},
        {"kind": "account", "account_id": 4, "login": "dan", "contributions": 1},
        {"kind": "account", "account_id": 99, "login": "paddle-ci[bot]", "contributions": 1},
        {"kind": "anonymous", "author_key": "kG", "email_domain": "example.org", "name_key": "nG", "contributions": 1},
    ], repo=PADDLE)
    run.put("contributors", "gitee", [
        {"kind": "email", "author_key": k, "email_domain": d, "name_key": n, "contributions": c}
        for k, d, n, c in [("kA", "baidu.com", "nA", 2), ("kB", "users.noreply.github.com", "nB", 1), ("kD", "gmail.com", "nD", 1)]
    ], repo=PADDLE_MIRROR)
    run.put("contributors", "gitee", [
        {"kind": "email", "author_key": k, "email_domain": d, "name_key": n, "contributions": c}
        for k, d, n, c in [("kC", "qq.com", "nC", 2), ("kF", "huawei.com", "nF", 1), ("kA", "baidu.com", "nA", 1)]
    ], repo=SPORE)
    run.put("contributors", "github", [
        {"kind": "account", "account_id": 1, "login": "alice", "contributions": 1},
        {"kind": "anonymous", "author_key": "kC", "email_domain": "qq.com", "name_key": "nC", "contributions": 2},
    ], repo=SPORE_GH)
    run.put("forks", "github", [F1, F2, F3], repo=PADDLE)
    run.listing("github", PADDLE, "forks", "full", 3)
    run.put("forks", "gitee", [G1], repo=PADDLE_MIRROR)
    run.listing("gitee", PADDLE_MIRROR, "forks", "full", 1)
    run.put("stargazers", "gitee", [{"account_id": 201, "login": "eve"}, {"account_id": 101, "login": "carol"}], repo=SPORE)
    run.listing("gitee", SPORE, "stargazers", "full", 2)
    run.put("stargazers", "github", [{"account_id": 5, "login": "eve"}], repo=SPORE_GH)
    run.listing("github", SPORE_GH, "stargazers", "full", 1)
    run.put("accounts", "github", GITHUB_ACCOUNTS)
    run.put("accounts", "gitee", GITEE_ACCOUNTS)
    run.put("dependents", "github", [{"framework": "Paddle", "package": "paddlepaddle", "file_name": "requirements.txt",
                                       "repo_id": 900, "full_name": "acme/app", "owner_id": 50, "owner_login": "acme",
                                       "owner_type": "Organization", "query": "q", "incomplete": False}])
    run.put("findings", "github", [{"entity": "repositories", "kind": "renamed", "status": 301, "detail": "moved"}], repo=PADDLE)
    return run


def second_run(root: str) -> RunBuilder:
    """A week later: one more star count, a fork found incrementally, a second dependent (incomplete search)."""
    run = new_run(root, "run-2", day=17)
    land_repositories(run, paddle_stars=1100)
    run.put("forks", "github", [F4], repo=PADDLE)
    run.listing("github", PADDLE, "forks", "incremental", 1, total=4)
    run.listing("gitee", PADDLE_MIRROR, "forks", "unchanged", 0)
    run.put("accounts", "github", [account(8, "judy", location="Taipei", name_key="nJ")])
    run.put("dependents", "github", [
        {"framework": "Paddle", "package": "paddlepaddle", "file_name": "requirements.txt", "repo_id": 900,
         "full_name": "acme/app", "owner_id": 50, "owner_login": "acme", "owner_type": "Organization", "query": "q",
         "incomplete": False},
        {"framework": "Paddle", "package": "paddlepaddle", "file_name": "setup.py", "repo_id": 901,
         "full_name": "judy/tool", "owner_id": 8, "owner_login": "judy", "owner_type": "User", "query": "q",
         "incomplete": True},
    ])
    return run
