"""GitLabSource (python-gitlab over the host-pinned session) against `responses`."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
import responses
from responses import matchers

from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials, RepoRef
from oss_miner.errors import RunFailed
from oss_miner.landing import Landing
from oss_miner.privacy import Hasher, Redactor
from oss_miner.records import ENTITIES
from oss_miner.sources.base import ExtractContext
from oss_miner.sources.gitlab import GitLabSource

HOST = "https://gitlab.example"
API = f"{HOST}/api/v4"
CANARY = "glpat-canary-9b8c7d"
REPO = RepoRef(platform="gitlab", path="jihu-mirrors/paddle", role="mirror")
PROJECT = f"{API}/projects/jihu-mirrors%2Fpaddle"
BY_ID = f"{API}/projects/42"


def make_ctx(tmp_path: Path, run_id: str = "run-1", tokens: str = CANARY) -> ExtractContext:
    catalogue = Catalogue.model_validate({
        "platforms": {"gitlab": {"url": HOST}},
        "frameworks": {"PaddlePaddle": {"vendor": "Baidu", "repos": [{"platform": "gitlab", "path": REPO.path}]}},
    })
    credentials = Credentials.from_env({"GITLAB_TOKEN": tokens})
    return ExtractContext(
        catalogue=catalogue, credentials=credentials, landing=Landing(str(tmp_path / "landing"), run_id),
        cache=Cache(tmp_path / "cache.sqlite"), hasher=Hasher(b"test-key"), redactor=Redactor(credentials.all_secrets()),
        state_dir=tmp_path, now=datetime.now(timezone.utc),
    )


def project(**over) -> dict:
    payload = {
        "id": 42, "path_with_namespace": "jihu-mirrors/paddle", "description": "synthetic mirror",
        "web_url": f"{HOST}/jihu-mirrors/paddle", "http_url_to_repo": f"{HOST}/jihu-mirrors/paddle.git",
        "default_branch": "develop", "star_count": 2, "forks_count": 2, "open_issues_count": 1,
        "created_at": "2021-01-01T00:00:00.000Z", "last_activity_at": "2024-02-01T00:00:00.000Z",
        "archived": False, "mirror": True, "import_url": "https://bot:s3cret@github.example/PaddlePaddle/Paddle.git",
        "namespace": {"id": 9, "path": "jihu-mirrors", "full_path": "jihu-mirrors", "kind": "group"},
    }
    payload.update(over)
    return payload


def fork_project(i: int, group: bool = False) -> dict:
    namespace = {"id": 900 + i, "path": f"g{i}", "full_path": f"g{i}", "kind": "group"} if group else \
        {"id": 800 + i, "path": f"user{i}", "kind": "user"}
    payload = {"id": 4200 + i, "path_with_namespace": f"{namespace['path']}/paddle", "namespace": namespace,
               "created_at": f"2024-01-{10 + i:02d}T00:00:00.000Z", "last_activity_at": "2024-01-20T00:00:00.000Z",
               "star_count": 0, "forked_from_project": {"id": 42, "path_with_namespace": "jihu-mirrors/paddle"}}
    if not group:
        payload["owner"] = {"id": 300 + i, "username": f"user{i}"}
    return payload


def landed(ctx: ExtractContext, entity: str) -> list[dict]:
    out = []
    for path in ctx.landing.record_files(entity):
        out += [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    return out


def landing_text(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (tmp_path / "landing").rglob("*") if p.is_file())


def source_with_project(tmp_path: Path, run_id: str = "run-1", **over) -> tuple[GitLabSource, ExtractContext]:
    responses.get(PROJECT, json=project(**over), headers={"ETag": '"p1"'})
    ctx = make_ctx(tmp_path, run_id)
    source = GitLabSource(ctx)
    list(source.fetch_repository("PaddlePaddle", REPO))
    return source, ctx


@responses.activate
def test_project_record_and_private_token(tmp_path):
    source, ctx = source_with_project(tmp_path)
    [record] = landed(ctx, "repositories")
    assert set(ENTITIES["repositories"].column_names) <= set(record)
    assert record["repo_id"] == 42 and record["full_name"] == "jihu-mirrors/paddle"
    assert record["is_mirror"] is True and record["mirror_url"] == "https://github.example/PaddlePaddle/Paddle.git"
    assert record["owner_type"] == "Organization" and record["owner_login"] == "jihu-mirrors"
    assert record["pushed_at"] == "2024-02-01T00:00:00.000Z" and record["clone_url"].endswith("paddle.git")
    assert responses.calls[0].request.headers["PRIVATE-TOKEN"] == CANARY
    assert "s3cret" not in landing_text(tmp_path)


@responses.activate
def test_real_gitlab_payloads_parse(tmp_path, api_samples):
    repo = json.loads((api_samples / "gitlab" / "repo.json").read_text())
    user = json.loads((api_samples / "gitlab" / "user.json").read_text())
    commits = json.loads((api_samples / "gitlab" / "commits.json").read_text())
    releases = json.loads((api_samples / "gitlab" / "releases.json").read_text())
    group = json.loads((api_samples / "gitlab" / "group.json").read_text())
    ref = RepoRef(platform="gitlab", path="diaspora/diaspora")
    responses.get(f"{API}/projects/diaspora%2Fdiaspora", json=repo)
    responses.get(f"{API}/projects/{repo['id']}/repository/commits", json=commits)
    responses.get(f"{API}/projects/{repo['id']}/releases", json=releases)
    responses.get(f"{API}/groups/twitter/projects", json=group["projects"])
    responses.get(f"{API}/users/1", json=user)
    source = GitLabSource(make_ctx(tmp_path))
    [page] = list(source.fetch_repository("X", ref))
    assert page.records[0]["repo_id"] == 178504 and page.records[0]["is_mirror"] is None  # field absent: unknown
    [commit] = [r for p in source.fetch_commits(ref) for r in p.records]
    assert commit["author_utc_offset_minutes"] == -420 and commit["committer_utc_offset_minutes"] == -420
    assert commit["authored_at"] == "2012-06-28T10:44:20+00:00" and commit["email_domain"] == "gmail.com"
    tags = [r["tag_name"] for p in source.fetch_releases(ref) for r in p.records]
    assert tags == [r["tag_name"] for r in releases]
    assert {r["full_name"] for p in source.fetch_org_repos("twitter") for r in p.records} == {"twitter/typeahead-js", "twitter/flight"}
    [account] = [r for p in source.fetch_accounts([1]) for r in p.records]
    assert account["login"] == "john_smith" and account["name_key"] and account["website_host"] is None
    assert "John Smith" not in landing_text(tmp_path) and "john@example.com" not in landing_text(tmp_path)


@responses.activate
def test_contributors_are_email_identities_and_pages_follow_x_next_page(tmp_path):
    source, ctx = source_with_project(tmp_path)
    url = f"{BY_ID}/repository/contributors"
    responses.get(url, json=[{"name": "Li Si", "email": "lisi@baidu.com", "commits": 7, "additions": 1, "deletions": 2}],
                  headers={"X-Next-Page": "2", "X-Total": "2"}, match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})])
    responses.get(url, json=[{"name": "W", "email": "w@163.com", "commits": 1}], headers={"X-Next-Page": ""},
                  match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})])
    records = [r for p in source.fetch_contributors(REPO) for r in p.records]
    assert [(r["kind"], r["email_domain"], r["contributions"]) for r in records] == [("email", "baidu.com", 7), ("email", "163.com", 1)]
    assert all(r["account_id"] is None for r in records)
    assert "lisi" not in landing_text(tmp_path)


@responses.activate
def test_keyset_link_pagination(tmp_path):
    url = f"{API}/groups/jihu-mirrors/projects"
    responses.get(url, json=[{"id": 1, "path_with_namespace": "jihu-mirrors/a"}],
                  headers={"Link": f'<{url}?cursor=abc&pagination=keyset&per_page=100&private_token=leak>; rel="next"'},
                  match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})])
    responses.get(url, json=[{"id": 2, "path_with_namespace": "jihu-mirrors/b"}],
                  match=[matchers.query_param_matcher({"cursor": "abc", "pagination": "keyset", "per_page": "100"}, strict_match=False)])
    records = [r for p in GitLabSource(make_ctx(tmp_path)).fetch_org_repos("jihu-mirrors") for r in p.records]
    assert [r["repo_id"] for r in records] == [1, 2]
    assert "leak" not in responses.calls[1].request.url and "leak" not in landing_text(tmp_path)


@responses.activate
def test_activity_counts_and_the_10000_limit(tmp_path):
    source, ctx = source_with_project(tmp_path)
    responses.get(f"{BY_ID}/merge_requests", json=[{"iid": 12345}], headers={"X-Next-Page": "2"})  # X-Total left out
    responses.get(f"{BY_ID}/issues", json=[{"iid": 77}], headers={"X-Total": "70", "X-Next-Page": "2"})
    records = [r for p in source.fetch_activity(REPO) for r in p.records]
    assert [(r["kind"], r["count"]) for r in records] == [("pull_requests", 12345), ("issues", 70)]
    [finding] = landed(ctx, "findings")
    assert finding["kind"] == "too_large" and "estimated" in finding["detail"]


@responses.activate
def test_forks_incremental_and_group_forks_have_no_account(tmp_path):
    source, ctx = source_with_project(tmp_path)
    responses.get(f"{BY_ID}/forks", json=[fork_project(2, group=True), fork_project(1)])
    list(source.fetch_forks(REPO))
    records = landed(ctx, "forks")
    by_id = {r["fork_id"]: r for r in records}
    assert by_id[4202]["owner_id"] is None and by_id[4202]["owner_type"] == "Organization"
    assert by_id[4201]["owner_id"] == 301 and by_id[4201]["owner_login"] == "user1"
    assert "order_by=created_at" in responses.calls[-1].request.url and "sort=desc" in responses.calls[-1].request.url
    # a new fork: the next run stops at the first page that holds a known fork
    responses.replace(responses.GET, PROJECT, json=project(forks_count=3))
    responses.replace(responses.GET, f"{BY_ID}/forks", json=[fork_project(3), fork_project(2, group=True)],
                      headers={"X-Next-Page": "2"})
    ctx2 = make_ctx(tmp_path, "run-2")
    source2 = GitLabSource(ctx2)
    list(source2.fetch_repository("PaddlePaddle", REPO))
    list(source2.fetch_forks(REPO))
    [listing] = landed(ctx2, "listings")
    assert listing["mode"] == "incremental" and listing["items"] == 2
    assert sum("/forks" in c.request.url for c in responses.calls) == 2


@responses.activate
def test_starrers_and_unchanged_count(tmp_path):
    source, ctx = source_with_project(tmp_path)
    responses.get(f"{BY_ID}/starrers", json=[
        {"starred_since": "2023-01-01T10:00:00.000Z", "user": {"id": 11, "username": "a"}},
        {"starred_since": "2023-01-02T10:00:00.000Z", "user": {"id": 12, "username": "b"}},
    ])
    list(source.fetch_stargazers(REPO))
    assert [(r["account_id"], r["starred_at"]) for r in landed(ctx, "stargazers")] == [(11, "2023-01-01T10:00:00.000Z"), (12, "2023-01-02T10:00:00.000Z")]
    calls = len(responses.calls)
    responses.replace(responses.GET, PROJECT, status=304, headers={"ETag": '"p1"'})
    ctx2 = make_ctx(tmp_path, "run-2")
    source2 = GitLabSource(ctx2)
    [page] = list(source2.fetch_repository("PaddlePaddle", REPO))
    assert page.status == 304 and page.records[0]["stars"] == 2
    list(source2.fetch_stargazers(REPO))
    assert len(responses.calls) == calls + 1 and landed(ctx2, "listings")[0]["mode"] == "unchanged"
    assert responses.calls[-1].request.headers["If-None-Match"] == '"p1"'


@responses.activate
def test_users_by_id_and_deleted_users(tmp_path):
    responses.get(f"{API}/users/5", json={"id": 5, "username": "wang", "name": "Wang Wu", "location": "Hangzhou, Zhejiang",
                                         "organization": "@baidu", "website_url": "wang.example.com", "public_email": "w@baidu.com",
                                         "created_at": "2019-01-01T00:00:00.000Z", "bot": False})
    responses.get(f"{API}/users/6", status=404, json={"message": "404 User Not Found"})
    ctx = make_ctx(tmp_path)
    records = [r for p in GitLabSource(ctx).fetch_accounts([5, 6]) for r in p.records]
    [wang] = records
    assert wang["location"] == "Hangzhou, Zhejiang" and wang["company"] == "@baidu"
    assert wang["website_host"] == "wang.example.com" and wang["email_domain"] == "baidu.com" and wang["email_key"]
    assert [f["kind"] for f in landed(ctx, "findings")] == ["not_found"]
    assert "Wang Wu" not in landing_text(tmp_path) and "w@baidu.com" not in landing_text(tmp_path)


@responses.activate
def test_rate_limit_without_headers_then_429(tmp_path, monkeypatch, caplog):
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    responses.get(PROJECT, status=429, headers={"Retry-After": "3"})
    responses.get(PROJECT, json=project())
    ctx = make_ctx(tmp_path)
    source = GitLabSource(ctx)
    with caplog.at_level(logging.WARNING):
        [page] = list(source.fetch_repository("PaddlePaddle", REPO))
    assert page.records and source.stats.rate_limit_waits == 1 and 3 <= slept[0] <= 4
    assert any("until" in r.getMessage() for r in caplog.records)


@responses.activate
def test_redirect_to_another_host_is_not_followed_with_the_token(tmp_path):
    responses.get(PROJECT, status=301, headers={"Location": "https://evil.example/api/v4/projects/42"})
    ctx = make_ctx(tmp_path)
    [page] = list(GitLabSource(ctx).fetch_repository("PaddlePaddle", REPO))
    assert page.records == [] and len(responses.calls) == 1
    [finding] = landed(ctx, "findings")
    assert finding["kind"] == "renamed" and "not followed" in finding["detail"]


@responses.activate
def test_rejected_token(tmp_path):
    responses.get(PROJECT, status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(RunFailed) as caught:
        list(GitLabSource(make_ctx(tmp_path)).fetch_repository("PaddlePaddle", REPO))
    assert str(caught.value) == "gitlab: the token was rejected (401); check GITLAB_TOKEN"


@responses.activate
def test_anonymous_401_asks_for_a_token(tmp_path):
    responses.get(PROJECT, status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(RunFailed, match="set GITLAB_TOKEN"):
        list(GitLabSource(make_ctx(tmp_path, tokens="")).fetch_repository("PaddlePaddle", REPO))
    assert "PRIVATE-TOKEN" not in responses.calls[0].request.headers


@responses.activate
def test_fork_without_owner_is_resolved_by_username_once(tmp_path):
    source, ctx = source_with_project(tmp_path)
    bare = fork_project(5)
    del bare["owner"]  # as a server that leaves `owner` out answers
    responses.get(f"{BY_ID}/forks", json=[bare])
    responses.get(f"{API}/users", json=[{"id": 77, "username": "user5"}],
                  match=[matchers.query_param_matcher({"username": "user5"})])
    list(source.fetch_forks(REPO))
    [record] = landed(ctx, "forks")
    assert record["owner_id"] == 77 and record["owner_login"] == "user5"  # not the namespace id 805
    assert GitLabSource(make_ctx(tmp_path, "run-2"))._user_id("USER5") == 77
    assert sum("/users?" in c.request.url for c in responses.calls) == 1
