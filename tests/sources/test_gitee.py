"""GiteeSource against `responses`: parsing of real payloads, paging, ETags, listings, profiles, findings,
privacy and resumption."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
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
from oss_miner.sources.gitee import GiteeSource

API = "https://gitee.example/api/v5"
CANARY = "canary-gitee-token-5d1e"
REPO = RepoRef(platform="gitee", path="mindspore/mindspore")
PATH = f"{API}/repos/mindspore/mindspore"


def make_ctx(tmp_path: Path, run_id: str = "run-1", now: datetime | None = None, tokens: str = CANARY) -> ExtractContext:
    catalogue = Catalogue.model_validate({
        "platforms": {"gitee": {"url": API}},
        "frameworks": {"MindSpore": {"vendor": "Huawei", "repos": [{"platform": "gitee", "path": REPO.path}]}},
    })
    credentials = Credentials.from_env({"GITEE_TOKEN": tokens})
    return ExtractContext(
        catalogue=catalogue, credentials=credentials, landing=Landing(str(tmp_path / "landing"), run_id),
        cache=Cache(tmp_path / "cache.sqlite"), hasher=Hasher(b"test-key"), redactor=Redactor(credentials.all_secrets()),
        state_dir=tmp_path, now=now or datetime.now(timezone.utc),
    )


def repo_payload(**over) -> dict:
    payload = {
        "id": 101, "full_name": "mindspore/mindspore", "description": "synthetic", "fork": False, "parent": None,
        "html_url": "https://gitee.example/mindspore/mindspore.git", "default_branch": "master",
        "stargazers_count": 3, "forks_count": 3, "watchers_count": 9, "open_issues_count": 4,
        "created_at": "2020-03-27T10:00:00+08:00", "updated_at": "2024-01-02T10:00:00+08:00",
        "pushed_at": "2024-01-02T09:00:00+08:00", "language": "Python", "license": "Apache-2.0",
        "owner": {"id": 7, "login": "mindspore", "type": "Organization"},
        "namespace": {"id": 70, "type": "group", "path": "mindspore"},
    }
    payload.update(over)
    return payload


def fork(i: int) -> dict:
    return {"id": 1000 + i, "full_name": f"user{i}/mindspore", "owner": {"id": 500 + i, "login": f"user{i}", "type": "User"},
            "created_at": f"2024-01-{10 + i:02d}T08:00:00+08:00", "pushed_at": None, "stargazers_count": 0}


def star(i: int) -> dict:
    return {"id": 600 + i, "login": f"fan{i}", "name": f"Fan {i}", "star_at": f"2023-05-{10 + i:02d}T08:00:00+08:00"}


def landed(ctx: ExtractContext, entity: str) -> list[dict]:
    out = []
    for path in ctx.landing.record_files(entity):
        out += [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    return out


def landing_text(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (tmp_path / "landing").rglob("*") if p.is_file())


def mock_repository(forks: list[dict], stars: list[dict], etag: str = '"r1"', **over) -> None:
    responses.get(PATH, json=repo_payload(forks_count=len(forks), stargazers_count=len(stars), **over), headers={"ETag": etag})
    responses.get(f"{PATH}/forks", json=forks, headers={"total_page": "1", "total_count": str(len(forks))})
    responses.get(f"{PATH}/stargazers", json=stars, headers={"total_page": "1"})


def run_listings(source: GiteeSource) -> None:
    list(source.fetch_repository("MindSpore", REPO))
    list(source.fetch_forks(REPO))
    list(source.fetch_stargazers(REPO))


# -- parsing ------------------------------------------------------------------------------------

@responses.activate
def test_repository_record_fills_every_column(tmp_path):
    responses.get(PATH, json=repo_payload(), headers={"ETag": '"a"'})
    source = GiteeSource(make_ctx(tmp_path))
    [page] = list(source.fetch_repository("MindSpore", REPO))
    [record] = page.records
    assert list(record) == ENTITIES["repositories"].column_names
    assert record["repo_id"] == 101 and record["stars"] == 3 and record["forks"] == 3
    assert record["html_url"] == "https://gitee.example/mindspore/mindspore"
    assert record["clone_url"] == "https://gitee.example/mindspore/mindspore.git"
    assert record["pushed_at"] == "2024-01-02T09:00:00+08:00"
    assert record["owner_login"] == "mindspore" and record["owner_type"] == "Organization"
    assert record["is_mirror"] is None  # Gitee says nothing about mirrors
    assert f"access_token={CANARY}" in responses.calls[0].request.url


@responses.activate
def test_real_gitee_payloads_parse(tmp_path, api_samples):
    repo = json.loads((api_samples / "gitee" / "repo.json").read_text())
    user = json.loads((api_samples / "gitee" / "user.json").read_text())
    commits = json.loads((api_samples / "gitee" / "commits.json").read_text())
    org_repos = json.loads((api_samples / "gitee" / "repos.json").read_text())
    perceval_repo = json.loads((api_samples / "gitee-perceval" / "gitee_repo").read_text())
    ref = RepoRef(platform="gitee", path="kit101/drone-yml-test")
    base = f"{API}/repos/kit101/drone-yml-test"
    responses.get(base, json=repo)
    responses.get(f"{base}/commits", json=commits)
    responses.get(f"{API}/orgs/kit101/repos", json=org_repos)
    responses.get(f"{API}/users/kit101", json=user)
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    [page] = list(source.fetch_repository("X", ref))
    record = page.records[0]
    assert record["full_name"] == "kit101/drone-yml-test" and record["owner_id"] == 1535738
    assert record["created_at"] == "2021-03-24T11:24:34+08:00" and record["default_branch"] == "master"
    commit_records = [r for p in source.fetch_commits(ref) for r in p.records]
    assert len(commit_records) == len(commits)
    first = commit_records[0]
    # the instant is kept; Gitee's +08:00 is its own zone, not the author's, so no offset is claimed
    assert first["author_utc_offset_minutes"] is None and first["authored_at"] == "2021-08-23T15:45:53+00:00"
    assert first["email_domain"] == "163.com" and first["author_key"] and first["source"] == "api"
    assert list(first) == ENTITIES["commits"].column_names
    [org_page] = list(source.fetch_org_repos("kit101"))
    assert org_page.records[0]["repo_id"] == org_repos[0]["id"]
    # the login of account 1535738 is known from nothing landed yet: give it through a fork record
    ctx.cache.put_profiles("gitee", [{"account_id": 1535738, "login": "kit101"}], datetime(2000, 1, 1, tzinfo=timezone.utc))
    [account] = [r for p in source.fetch_accounts([1535738]) for r in p.records]
    assert account["login"] == "kit101" and account["location"] is None
    assert account["email_domain"] == "163.com" and account["email_key"] and account["name_key"]
    assert perceval_repo["id"] and GiteeSource(make_ctx(tmp_path, "run-2"))._repository_record(
        RepoRef(platform="gitee", path="willemjiang/camel-on-cloud"), perceval_repo)["full_name"] == "willemjiang/camel-on-cloud"
    assert "qkssk1711" not in landing_text(tmp_path)  # the email's local part never lands


@responses.activate
def test_contributors_are_email_identities_not_accounts(tmp_path):
    responses.get(PATH, json=repo_payload())
    responses.get(f"{PATH}/contributors", json=[
        {"name": "Zhang San", "email": "zhangsan@huawei.com", "contributions": 120},
        {"name": "bot", "email": None, "contributions": "x"},
    ])
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    list(source.fetch_repository("MindSpore", REPO))
    [page] = list(source.fetch_contributors(REPO))
    first, second = page.records
    assert first["kind"] == "email" and first["account_id"] is None and first["login"] is None
    assert first["email_domain"] == "huawei.com" and first["author_key"] == ctx.hasher.email("zhangsan@huawei.com")[1]
    assert first["name_key"] == ctx.hasher.name("zhang san") and first["contributions"] == 120
    assert second["email_domain"] is None and second["contributions"] is None
    text = landing_text(tmp_path)
    assert "zhangsan" not in text and "Zhang San" not in text


@responses.activate
def test_activity_counts_from_total_count_headers(tmp_path):
    responses.get(PATH, json=repo_payload())
    responses.get(f"{PATH}/pulls", json=[{"number": 9}], headers={"total_count": "321", "total_page": "321"},
                  match=[matchers.query_param_matcher({"state": "all", "per_page": "1", "page": "1", "access_token": CANARY})])
    responses.get(f"{PATH}/issues", json=[], headers={"total_count": "0"})
    source = GiteeSource(make_ctx(tmp_path))
    list(source.fetch_repository("MindSpore", REPO))
    records = [r for p in source.fetch_activity(REPO) for r in p.records]
    assert [(r["kind"], r["state"], r["count"]) for r in records] == [("pull_requests", "all", 321), ("issues", "all", 0)]


# -- paging --------------------------------------------------------------------------------------

@responses.activate
def test_pages_follow_total_page(tmp_path):
    responses.get(PATH, json=repo_payload())
    for page in (1, 2, 3):
        responses.get(f"{PATH}/releases", json=[{"id": page, "tag_name": f"v{page}", "created_at": "2024-01-01T00:00:00+08:00"}],
                      headers={"total_page": "3"},
                      match=[matchers.query_param_matcher({"page": str(page), "per_page": "100", "access_token": CANARY})])
    source = GiteeSource(make_ctx(tmp_path))
    list(source.fetch_repository("MindSpore", REPO))
    pages = list(source.fetch_releases(REPO))
    assert [p.records[0]["tag_name"] for p in pages] == ["v1", "v2", "v3"]
    assert pages[-1].next is None


@responses.activate
def test_without_headers_a_short_page_is_the_last(tmp_path):
    responses.get(f"{API}/orgs/mindspore/repos", json=[{"id": i} for i in range(100)],
                  match=[matchers.query_param_matcher({"type": "all", "page": "1", "per_page": "100", "access_token": CANARY})])
    responses.get(f"{API}/orgs/mindspore/repos", json=[{"id": 999}],
                  match=[matchers.query_param_matcher({"type": "all", "page": "2", "per_page": "100", "access_token": CANARY})])
    pages = list(GiteeSource(make_ctx(tmp_path)).fetch_org_repos("mindspore"))
    assert sum(len(p.records) for p in pages) == 101 and len(responses.calls) == 2


# -- conditional requests, resumption -------------------------------------------------------------

@responses.activate
def test_not_modified_replays_cached_records(tmp_path):
    responses.get(PATH, json=repo_payload(), headers={"ETag": '"v1"'})
    first = GiteeSource(make_ctx(tmp_path, "run-1"))
    [page] = list(first.fetch_repository("MindSpore", REPO))
    responses.replace(responses.GET, PATH, status=304, headers={"ETag": '"v1"'})
    second = GiteeSource(make_ctx(tmp_path, "run-2"))
    [again] = list(second.fetch_repository("MindSpore", REPO))
    assert responses.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert again.status == 304 and again.records == page.records
    assert second.stats.not_modified == 1


@responses.activate
def test_a_landed_page_is_not_requested_again(tmp_path):
    mock_repository([fork(1)], [star(1)])
    run_listings(GiteeSource(make_ctx(tmp_path, "run-1")))
    calls = len(responses.calls)
    resumed = GiteeSource(make_ctx(tmp_path, "run-1"))  # same run: resumption
    run_listings(resumed)
    assert len(responses.calls) == calls
    assert resumed.stats.total == 0 and resumed.stats.replayed_pages >= 3


# -- listings ----------------------------------------------------------------------------------------

@responses.activate
def test_unchanged_counts_skip_the_listings(tmp_path):
    forks, stars = [fork(1), fork(2)], [star(1)]
    mock_repository(forks, stars)
    run_listings(GiteeSource(make_ctx(tmp_path, "run-1")))
    before = len(responses.calls)
    ctx = make_ctx(tmp_path, "run-2")
    run_listings(GiteeSource(ctx))
    assert len(responses.calls) == before + 1  # the repository only
    modes = {r["listing"]: r["mode"] for r in landed(ctx, "listings")}
    assert modes == {"forks": "unchanged", "stargazers": "unchanged"}


@responses.activate
def test_new_forks_are_listed_incrementally_newest_first(tmp_path):
    old = [fork(i) for i in range(1, 4)]
    mock_repository(list(reversed(old)), [])
    run_listings(GiteeSource(make_ctx(tmp_path, "run-1")))
    newest = [fork(i) for i in range(9, 3, -1)] + list(reversed(old))  # six new forks
    responses.replace(responses.GET, PATH, json=repo_payload(forks_count=len(newest), stargazers_count=0))
    responses.replace(responses.GET, f"{PATH}/forks", json=newest[:5], headers={"total_page": "2"},
                      match=[matchers.query_param_matcher({"sort": "newest", "page": "1", "per_page": "100", "access_token": CANARY})])
    responses.get(f"{PATH}/forks", json=newest[5:], headers={"total_page": "2"},
                  match=[matchers.query_param_matcher({"sort": "newest", "page": "2", "per_page": "100", "access_token": CANARY})])
    ctx = make_ctx(tmp_path, "run-2")
    run_listings(GiteeSource(ctx))
    fork_calls = [c for c in responses.calls if "/forks" in c.request.url]
    assert len(fork_calls) == 3  # run 1: one page; run 2: two pages, stopping at the page with a known fork
    [listing] = [r for r in landed(ctx, "listings") if r["listing"] == "forks"]
    assert listing["mode"] == "incremental" and listing["reported_total"] == 9
    assert ctx.cache.known_items("gitee", REPO.path, "forks") == {f["id"] for f in newest}


@responses.activate
def test_changed_star_count_lists_stargazers_in_full(tmp_path):
    mock_repository([], [star(1), star(2)])
    run_listings(GiteeSource(make_ctx(tmp_path, "run-1")))
    responses.replace(responses.GET, PATH, json=repo_payload(forks_count=0, stargazers_count=1))
    responses.replace(responses.GET, f"{PATH}/stargazers", json=[star(2)], headers={"total_page": "1"})
    ctx = make_ctx(tmp_path, "run-2")
    run_listings(GiteeSource(ctx))
    [listing] = [r for r in landed(ctx, "listings") if r["listing"] == "stargazers"]
    assert listing["mode"] == "full" and listing["items"] == 1
    assert ctx.cache.known_items("gitee", REPO.path, "stargazers") == {602}  # the unstar is seen
    assert landed(ctx, "stargazers")[0]["starred_at"] == "2023-05-12T08:00:00+08:00"


@responses.activate
def test_listings_are_reconciled_after_reconcile_days(tmp_path):
    mock_repository([fork(1)], [star(1)])
    run_listings(GiteeSource(make_ctx(tmp_path, "run-1")))
    later = datetime.now(timezone.utc) + timedelta(days=31)
    ctx = make_ctx(tmp_path, "run-2", now=later)
    run_listings(GiteeSource(ctx))
    assert {r["mode"] for r in landed(ctx, "listings")} == {"full"}


# -- accounts ----------------------------------------------------------------------------------------

@responses.activate
def test_profiles_use_landed_logins_and_are_kept(tmp_path):
    mock_repository([fork(1)], [star(1)])
    responses.get(f"{API}/users/user1", json={"id": 501, "login": "user1", "name": "User One", "blog": "https://u1.example.cn/x",
                                             "email": "one@qq.com", "created_at": "2019-01-01T00:00:00+08:00", "followers": 3},
                  headers={"ETag": '"u1"'})
    responses.get(f"{API}/users/fan1", json={"id": 601, "login": "fan1", "bio": "x" * 10_000})
    ctx = make_ctx(tmp_path, "run-1")
    source = GiteeSource(ctx)
    run_listings(source)
    accounts = [r for p in source.fetch_accounts([501, 601]) for r in p.records]
    assert {a["login"] for a in accounts} == {"user1", "fan1"}
    one = next(a for a in accounts if a["account_id"] == 501)
    assert one["website_host"] == "u1.example.cn" and one["email_domain"] == "qq.com" and one["location"] is None
    assert "User One" not in landing_text(tmp_path) and "x" * 100 not in landing_text(tmp_path)
    # run 2: kept profiles land again without a request
    calls = len(responses.calls)
    ctx2 = make_ctx(tmp_path, "run-2")
    again = [r for p in GiteeSource(ctx2).fetch_accounts([501, 601]) for r in p.records]
    assert len(responses.calls) == calls and sorted(a["account_id"] for a in again) == [501, 601]
    # after profile_max_age_days they are asked again, conditionally
    ctx3 = make_ctx(tmp_path, "run-3", now=datetime.now(timezone.utc) + timedelta(days=31))
    source3 = GiteeSource(ctx3)
    run_listings(source3)
    list(source3.fetch_accounts([501]))
    profile_call = [c for c in responses.calls[calls:] if "/users/user1" in c.request.url]
    assert profile_call and profile_call[0].request.headers.get("If-None-Match") == '"u1"'


@responses.activate
def test_account_without_a_known_login_is_a_finding(tmp_path):
    ctx = make_ctx(tmp_path)
    assert [p for p in GiteeSource(ctx).fetch_accounts([424242]) if p.records] == []
    [finding] = landed(ctx, "findings")
    assert finding["kind"] == "skipped" and "424242" in finding["detail"]


# -- findings, errors, secrets -------------------------------------------------------------------------

@responses.activate
def test_missing_repository_is_a_finding_not_a_crash(tmp_path):
    responses.get(PATH, status=404, json={"message": "Not Found Project"})
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    [page] = list(source.fetch_repository("MindSpore", REPO))
    assert page.records == [] and page.status == 404
    assert list(source.fetch_forks(REPO)) == [] and list(source.fetch_contributors(REPO)) == []
    [finding] = landed(ctx, "findings")
    assert finding["kind"] == "not_found" and finding["status"] == 404 and CANARY not in finding["detail"]


@responses.activate
def test_renamed_repository_is_followed_once_and_recorded(tmp_path):
    responses.get(PATH, status=301, headers={"Location": f"{API}/repos/mindspore/mindspore-new"})
    responses.get(f"{API}/repos/mindspore/mindspore-new", json=repo_payload(full_name="mindspore/mindspore-new"))
    responses.get(f"{API}/repos/mindspore/mindspore-new/releases", json=[], headers={"total_page": "1"})
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    [page] = list(source.fetch_repository("MindSpore", REPO))
    assert page.records[0]["full_name"] == "mindspore/mindspore-new" and page.records[0]["repo"] == REPO.path
    list(source.fetch_releases(REPO))
    assert len(responses.calls) == 3  # later requests use the new name: no second redirect
    [finding] = landed(ctx, "findings")
    assert finding["kind"] == "renamed" and "mindspore-new" in finding["detail"]


@responses.activate
def test_empty_contributors_204_and_forbidden_are_findings(tmp_path):
    responses.get(PATH, json=repo_payload())
    responses.get(f"{PATH}/contributors", status=204)
    responses.get(f"{PATH}/releases", status=403, json={"message": "Forbidden"})
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    list(source.fetch_repository("MindSpore", REPO))
    list(source.fetch_contributors(REPO))
    list(source.fetch_releases(REPO))
    assert sorted(f["kind"] for f in landed(ctx, "findings")) == ["empty", "forbidden"]


@responses.activate
def test_bad_payload_is_a_finding(tmp_path):
    responses.get(PATH, json=repo_payload())
    responses.get(f"{PATH}/contributors", json={"unexpected": "object"})
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    list(source.fetch_repository("MindSpore", REPO))
    [page] = list(source.fetch_contributors(REPO))
    assert page.records == []
    assert [f["kind"] for f in landed(ctx, "findings")] == ["bad_payload"]


@responses.activate
def test_rejected_token_fails_the_run_with_one_line(tmp_path):
    responses.get(PATH, status=401, json={"message": "401 Unauthorized: Access token does not exist"})
    with pytest.raises(RunFailed) as caught:
        list(GiteeSource(make_ctx(tmp_path)).fetch_repository("MindSpore", REPO))
    assert str(caught.value) == "gitee: the token was rejected (401); check GITEE_TOKEN"


@responses.activate
def test_server_errors_that_persist_fail_without_landing_an_empty_page(tmp_path, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    responses.get(PATH, status=502)
    ctx = make_ctx(tmp_path)
    with pytest.raises(RunFailed) as caught:
        list(GiteeSource(ctx).fetch_repository("MindSpore", REPO))
    assert CANARY not in str(caught.value)
    assert ctx.landing.get("gitee", "repositories", "/repos/{owner}/{repo}", {"repo": REPO.path}) is None


@responses.activate
def test_canary_token_never_leaves_the_process(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    responses.get(PATH, status=301, headers={"Location": f"{API}/repos/mindspore/renamed?access_token={CANARY}"})
    responses.get(f"{API}/repos/mindspore/renamed", json=repo_payload(full_name="mindspore/renamed", forks_count=1, stargazers_count=0))
    responses.get(f"{API}/repos/mindspore/renamed/forks", status=429, headers={"Retry-After": "1"})
    responses.get(f"{API}/repos/mindspore/renamed/forks", json=[fork(1)], headers={"total_page": "1"})
    responses.get(f"{API}/repos/mindspore/renamed/contributors", body='[{"name": "a", "email": "a@b.c"', content_type="application/json")
    responses.get(f"{API}/repos/mindspore/renamed/contributors", status=404, json={"message": f"no {CANARY}"})
    ctx = make_ctx(tmp_path)
    source = GiteeSource(ctx)
    with caplog.at_level(logging.DEBUG):
        list(source.fetch_repository("MindSpore", REPO))
        list(source.fetch_forks(REPO))
        list(source.fetch_contributors(REPO))
    assert landed(ctx, "findings")
    assert CANARY not in landing_text(tmp_path)
    assert CANARY not in (tmp_path / "cache.sqlite").read_bytes().decode("latin-1")
    assert CANARY not in caplog.text
