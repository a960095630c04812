"""The GitHub source against a fake GitHub (REST through `responses`, GraphQL through a small responder)
and against real payload shapes (../shared/api-samples/github)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import responses
from pydantic import SecretStr

from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials, RepoRef
from oss_miner.errors import RunFailed
from oss_miner.landing import Landing
from oss_miner.privacy import Hasher, Redactor
from oss_miner.records import ENTITIES
from oss_miner.sources.base import ExtractContext, referenced_accounts
from oss_miner.sources.github import (GitHubSource, contributor_record, dependent_records, org_repo_record,
                                      repository_record, rest_account_record)
from oss_miner.sources import github_graphql as gql

try:
    from .github_payloads.fake_github import BASE, GRAPHQL, FakeGitHub, FakeRepo, fork_node, user_node
except ImportError:  # tests/ is not a package
    from github_payloads.fake_github import BASE, GRAPHQL, FakeGitHub, FakeRepo, fork_node, user_node

REPO = RepoRef(platform="github", path="octo/demo")
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
CANARY = "ghp_CANARY0123456789abcdefCANARY"


def mock() -> responses.RequestsMock:
    return responses.RequestsMock(assert_all_requests_are_fired=False)


def make_ctx(tmp: Path, tokens: tuple[str, ...] = ("tok-alice",), run: str = "run1", now: datetime = NOW,
             **refresh: float) -> ExtractContext:
    catalogue = Catalogue.model_validate({
        "platforms": {"github": {"url": BASE, "graphql_url": GRAPHQL}},
        "refresh": refresh,
        "bots": {"patterns": [r"\[bot\]$"]},
        "frameworks": {"Demo": {"vendor": "Octo", "pypi": ["demo"], "repos": [{"platform": "github", "path": REPO.path}]}},
    })
    return ExtractContext(
        catalogue=catalogue, credentials=Credentials({"github": tuple(SecretStr(t) for t in tokens)}),
        landing=Landing(str(tmp / "landing"), run), cache=Cache(tmp / "cache.sqlite"), hasher=Hasher(b"test-key"),
        redactor=Redactor(list(tokens)), state_dir=tmp, now=now,
    )


def make_source(ctx: ExtractContext, sleeps: list[float] | None = None, clock=time.time) -> GitHubSource:
    return GitHubSource(ctx, sleep=(sleeps.append if sleeps is not None else (lambda s: None)), clock=clock)


def drain(pages) -> list:
    return list(pages)


def landed(ctx: ExtractContext, entity: str) -> list[dict]:
    out = []
    for path in ctx.landing.record_files(entity):
        with open(path, encoding="utf-8") as handle:
            out += [json.loads(line) for line in handle if line.strip()]
    return out


def findings(ctx: ExtractContext) -> list[tuple[str, str]]:
    return sorted((r["entity"], r["kind"]) for r in landed(ctx, "findings"))


def complete(record: dict, entity: str) -> bool:
    return set(ENTITIES[entity].column_names) <= set(record)


def demo_world(stars: int = 250, forks: int = 120, contributors: int = 230) -> FakeGitHub:
    fake = FakeGitHub()
    repo = FakeRepo("octo/demo", 42)
    for i in range(contributors):
        repo.contributors.append({"login": f"dev{i}", "id": 100 + i, "type": "User", "contributions": 1000 - i})
    repo.contributors += [{"type": "Anonymous", "name": "Li Lei", "email": "li.lei@baidu.com", "contributions": 3},
                          {"type": "Anonymous", "name": "Anon", "email": "12345+anon@users.noreply.github.com", "contributions": 1}]
    repo.releases = [{"databaseId": i, "tagName": f"v{i}", "name": f"r{i}", "createdAt": "2020-01-01T00:00:00Z",
                      "publishedAt": "2020-01-02T00:00:00Z", "isPrerelease": i % 2 == 0} for i in range(3)]
    repo.stars = [(5000 + i, f"fan{i}", f"2024-05-{1 + i % 28:02d}T00:00:00Z") for i in range(stars)]
    repo.forks = [fork_node(7000 + i, 8000 + i, f"forker{i}", "Organization" if i % 10 == 0 else "User") for i in range(forks)]
    fake.repos[repo.full_name] = repo
    for i in range(contributors):
        fake.users[f"dev{i}"] = user_node(100 + i, f"dev{i}")
    return fake


def add_star(fake: FakeGitHub, account_id: int, login: str) -> None:
    fake.repos["octo/demo"].stars.insert(0, (account_id, login, "2024-06-01T00:00:00Z"))


# == parsing of real payload shapes =======================================================

@pytest.mark.shared
def test_repository_sample_parses_into_a_complete_record(api_samples):
    record = repository_record("github", "octocat/Hello-World", json.loads((api_samples / "github/repo.json").read_text()))
    assert complete(record, "repositories")
    assert (record["repo_id"], record["full_name"], record["owner_login"], record["owner_type"]) == (
        1296269, "octocat/Hello-World", "octocat", "User")
    assert record["default_branch"] == "master" and record["is_fork"] is False
    assert record["is_mirror"] is True and record["mirror_url"] == "git:git.example.com/octocat/Hello-World"
    assert (record["stars"], record["forks"], record["watchers"]) == (80, 9, 42) and record["clone_url"].endswith(".git")


@pytest.mark.shared
def test_org_repo_sample(api_samples):
    repos = [org_repo_record("github", "octocat", r) for r in json.loads((api_samples / "github/repos.json").read_text())]
    assert repos and all(complete(r, "org_repos") and r["full_name"] for r in repos)


@pytest.mark.shared
def test_user_sample_keeps_no_name_or_email(api_samples):
    hasher = Hasher(b"k")
    record = rest_account_record("github", json.loads((api_samples / "github/user.json").read_text()), hasher)
    assert complete(record, "accounts")
    assert record["account_id"] == 1 and record["location"] == "San Francisco" and record["website_host"] == "github.com"
    assert record["email_domain"] == "github.com" and record["email_key"] == hasher.email("octocat@github.com")[1]
    assert record["name_key"] == hasher.name("monalisa octocat")
    assert "octocat@github.com" not in json.dumps(record) and "monalisa" not in json.dumps(record)


def test_contributor_entries_account_and_anonymous():
    hasher = Hasher(b"k")
    account = contributor_record("github", "o/r", {"login": "a", "id": 5, "type": "User", "contributions": 9}, hasher)
    anon = contributor_record("github", "o/r", {"type": "Anonymous", "name": "Li Lei", "email": "Li.Lei@Baidu.com",
                                      "contributions": 2}, hasher)
    assert (account["kind"], account["account_id"], account["login"], account["author_key"]) == ("account", 5, "a", None)
    assert (anon["kind"], anon["account_id"], anon["email_domain"]) == ("anonymous", None, "baidu.com")
    assert anon["author_key"] == hasher.email("li.lei@baidu.com")[1] and anon["name_key"] == hasher.name("li lei")
    assert all(complete(r, "contributors") for r in (account, anon))


def test_graphql_account_and_commit_records():
    hasher = Hasher(b"k")
    record = gql.account_record("github", user_node(7, "x", websiteUrl="blog.example.cn/me", company=""), hasher, "User")
    assert complete(record, "accounts")
    assert (record["website_host"], record["company"], record["followers"], record["public_repos"]) == ("blog.example.cn", None, 3, 7)
    assert gql.website_host("javascript:alert(1)") is None and gql.website_host("<b>x</b>") is None
    releases = gql.release_records("github", "o/r", {"nodes": [{"databaseId": 5, "tagName": "v1", "name": "One", "createdAt": "2020-01-01T00:00:00Z",
                                                      "publishedAt": None, "isPrerelease": True}, None]})
    assert len(releases) == 1 and complete(releases[0], "releases")
    assert (releases[0]["release_id"], releases[0]["tag_name"], releases[0]["prerelease"]) == (5, "v1", True)
    commit = gql.commit_record("github", "o/r", {"oid": "abc", "authoredDate": "2024-01-01T10:00:00+08:00",
                                       "author": {"name": "dependabot[bot]", "email": "49699333+dependabot[bot]@users.noreply.github.com",
                                                  "user": {"databaseId": 49699333, "login": "dependabot[bot]"}},
                                       "committer": {"date": "2024-01-01T03:30:00-05:30"}}, hasher,
                               lambda *t: any(x and x.endswith("[bot]") for x in t))
    assert complete(commit, "commits")
    assert commit["authored_at"] == "2024-01-01T02:00:00+00:00" and commit["author_utc_offset_minutes"] == 480
    assert commit["committer_utc_offset_minutes"] == -330 and commit["noreply_account_id"] == 49699333
    assert commit["email_domain"] == "users.noreply.github.com" and commit["is_bot"] and commit["source"] == "api"
    assert "@" not in json.dumps(commit)


def test_dependent_records_one_per_repository_per_page():
    data = {"items": [{"name": "requirements.txt", "repository": {"id": 1, "full_name": "a/b", "owner": {"login": "a", "id": 2, "type": "User"}}},
                      {"name": "requirements.txt", "repository": {"id": 1, "full_name": "a/b", "owner": {"login": "a", "id": 2, "type": "User"}}}]}
    records = dependent_records("github", "Demo", "demo", "requirements.txt", "q", data, False)
    assert len(records) == 1 and complete(records[0], "dependents") and records[0]["owner_id"] == 2


# == REST: pagination, ETags, resumption ==================================================

def test_cold_run_lists_everything_with_link_pagination(tmp_path):
    fake = demo_world()
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", REPO))
        contributor_pages = drain(source.fetch_contributors(REPO))
        drain(source.fetch_releases(REPO))
    assert len(contributor_pages) == 3  # 232 entries at 100 a page
    contributors = landed(ctx, "contributors")
    assert len(contributors) == 232 and all(complete(r, "contributors") for r in contributors)
    assert sorted(r["kind"] for r in contributors if r["kind"] != "account") == ["anonymous", "anonymous"]
    assert fake.count("GET", "/repos/octo/demo/contributors") == 3 and fake.count("GET", "/user") == 1
    assert len(landed(ctx, "releases")) == 3 and landed(ctx, "repositories")[0]["stars"] == 250
    raw = (tmp_path / "landing").as_posix()
    text = "".join(p.read_text() for p in Path(raw).rglob("*.jsonl"))
    assert "li.lei@baidu.com" not in text.lower() and "Li Lei" not in text
    assert source.stats.requests[("/repos/{owner}/{repo}/contributors", 200)] == 3


def test_warm_run_revalidates_with_etags_and_replays_the_cache(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        cold = make_ctx(tmp_path, run="cold", lists_max_age_days=0)
        source = make_source(cold)
        drain(source.fetch_repository("Demo", REPO))
        drain(source.fetch_contributors(REPO))
        warm = make_ctx(tmp_path, run="warm", lists_max_age_days=0)
        again = make_source(warm)
        drain(again.fetch_repository("Demo", REPO))
        drain(again.fetch_contributors(REPO))
    assert again.stats.not_modified == again.stats.total == 4  # repository, 3 contributor pages (/user is known)
    assert again.stats.rate_limited == 0

    def bare(ctx):
        return sorted(json.dumps({k: v for k, v in r.items() if k not in ("run_id", "observed_at")}, sort_keys=True)
                      for r in landed(ctx, "contributors"))
    assert bare(warm) == bare(cold) and len(bare(warm)) == 232


def test_slow_lists_are_replayed_until_they_are_due(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        for run, now in (("cold", NOW), ("next-day", NOW + timedelta(days=1)), ("next-week", NOW + timedelta(days=8))):
            ctx = make_ctx(tmp_path, run=run, now=now, lists_max_age_days=7)
            source = make_source(ctx)
            drain(source.fetch_contributors(REPO))
            assert len(landed(ctx, "contributors")) == 232
            if run == "next-day":
                assert source.stats.total == 1  # only the repository GET; the list is replayed from the cache
            if run == "next-week":
                assert source.stats.requests[("/repos/{owner}/{repo}/contributors", 304)] == 3


def test_a_resumed_run_does_not_request_pages_it_already_landed(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        first = make_source(ctx)
        drain(first.fetch_repository("Demo", REPO))
        drain(first.fetch_contributors(REPO))
        before = len(fake.calls)
        resumed = make_source(make_ctx(tmp_path))  # same run id: a restart after a crash
        drain(resumed.fetch_repository("Demo", REPO))
        drain(resumed.fetch_contributors(REPO))
    assert len(fake.calls) == before
    assert resumed.stats.total == 0 and resumed.stats.replayed_pages == 4


def test_a_listing_finished_before_a_crash_is_not_redone(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        run_listings(fake, make_ctx(tmp_path))
        before = len(fake.calls)
        ctx = make_ctx(tmp_path)  # same run id
        run_listings(fake, ctx)
    assert len(fake.calls) == before
    assert listing(ctx, "stargazers")["mode"] == "full" and listing(ctx, "stargazers")["items"] == 250


# == findings ===============================================================================

def test_findings_for_missing_empty_too_large_and_unprocessable(tmp_path):
    fake = demo_world()
    fake.repos["octo/empty"] = FakeRepo("octo/empty", 43)
    fake.repos["octo/huge"] = FakeRepo("octo/huge", 44, contributors=[{"login": "x", "id": 1}])
    fake.special["/repos/octo/huge/contributors"] = lambda: (403, {"X-RateLimit-Remaining": "4000"}, json.dumps(
        {"message": "The history or contributor list is too large to list contributors for this repository via the API."}))
    fake.special["/search/code"] = lambda: (422, {}, json.dumps({"message": "Validation Failed"}))
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        assert drain(source.fetch_repository("Demo", RepoRef(platform="github", path="octo/missing"))) == []
        drain(source.fetch_contributors(RepoRef(platform="github", path="octo/empty")))
        drain(source.fetch_contributors(RepoRef(platform="github", path="octo/huge")))
        drain(source.fetch_dependents("Demo", ["demo"]))
    kinds = findings(ctx)
    assert ("repositories", "not_found") in kinds and ("contributors", "empty") in kinds
    assert ("contributors", "too_large") in kinds and kinds.count(("dependents", "unprocessable")) == 3
    with mock() as rsps:  # the next day: a list too large for the API is not asked for again while fresh
        fake.install(rsps)
        later = make_ctx(tmp_path, run="later", now=NOW + timedelta(days=1))
        drain(make_source(later).fetch_contributors(RepoRef(platform="github", path="octo/huge")))
    assert fake.count("GET", "/repos/octo/huge/contributors") == 1 and findings(later) == [("contributors", "too_large")]


def test_a_renamed_repository_is_followed_and_noted(tmp_path):
    fake = demo_world()
    fake.renamed["octo/old"] = "octo/demo"
    ctx = make_ctx(tmp_path)
    old = RepoRef(platform="github", path="octo/old")
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", old))
        drain(source.fetch_releases(old))
        drain(source.fetch_contributors(old))
        assert fake.count("GET", "/repos/octo/demo/contributors") == 3  # later calls use the new name
        assert fake.count("GET", "/repos/octo/old") == 1 and fake.count("GET", "/repos/octo/demo") == 1
        later = make_ctx(tmp_path, run="later")
        drain(make_source(later).fetch_repository("Demo", old))
        assert fake.count("GET", "/repos/octo/old") == 1  # the new name is remembered: no second redirect
    record = landed(ctx, "repositories")[0]
    assert (record["repo"], record["full_name"]) == ("octo/old", "octo/demo")
    assert ("repositories", "renamed") in findings(ctx) and ("repositories", "renamed") in findings(later)
    assert {r["repo"] for r in landed(ctx, "releases")} == {"octo/old"} and len(landed(ctx, "releases")) == 3


def test_a_redirect_to_another_host_is_not_followed(tmp_path):
    fake = demo_world()
    fake.special["/repos/octo/demo"] = lambda: (301, {"Location": "https://evil.example/repos/octo/demo"}, "{}")
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        drain(make_source(ctx).fetch_repository("Demo", REPO))
        assert not any("evil.example" in call.request.url for call in rsps.calls)
    assert ("repositories", "renamed") in findings(ctx)


# == listings ===============================================================================

def listing(ctx: ExtractContext, name: str) -> dict:
    return next(r for r in landed(ctx, "listings") if r["listing"] == name)


def run_listings(fake: FakeGitHub, ctx: ExtractContext) -> GitHubSource:
    source = make_source(ctx)
    drain(source.fetch_repository("Demo", REPO))
    drain(source.fetch_stargazers(REPO))
    drain(source.fetch_forks(REPO))
    return source


def test_listings_full_then_unchanged_then_incremental(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        cold = make_ctx(tmp_path, run="cold")
        run_listings(fake, cold)
        # the first pages come with the repository's HEAD query
        assert fake.count("POST", "head") == 1 and fake.count("POST", "stargazers") == 2 and fake.count("POST", "forks") == 1
        assert listing(cold, "stargazers")["mode"] == "full" and listing(cold, "stargazers")["items"] == 250
        assert len(landed(cold, "stargazers")) == 250 and len(landed(cold, "forks")) == 120

        warm = make_ctx(tmp_path, run="warm")
        before = fake.count("POST")
        run_listings(fake, warm)
        assert fake.count("POST") == before  # the repository answered 304: nothing listed
        assert listing(warm, "stargazers")["mode"] == listing(warm, "forks")["mode"] == "unchanged"

        add_star(fake, 1, "newfan")
        add_star(fake, 2, "newfan2")
        later = make_ctx(tmp_path, run="later")
        run_listings(fake, later)
        assert fake.count("POST", "head") == 2 and fake.count("POST", "stargazers") == 2  # stopped at a known one
        assert listing(later, "stargazers") == {**listing(later, "stargazers"), "mode": "incremental", "items": 2,
                                                "reported_total": 252}
        assert Cache(tmp_path / "cache.sqlite").known_items("github", REPO.path, "stargazers") >= {1, 2}


def test_drift_beyond_the_threshold_forces_a_full_listing(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        run_listings(fake, make_ctx(tmp_path, run="cold"))
        repo = fake.repos["octo/demo"]
        del repo.stars[50:60]  # ten unstars that an incremental listing cannot see
        add_star(fake, 3, "another")
        ctx = make_ctx(tmp_path, run="drift")
        run_listings(fake, ctx)
    assert listing(ctx, "stargazers")["mode"] == "full" and listing(ctx, "stargazers")["items"] == 241
    assert len(Cache(tmp_path / "cache.sqlite").known_items("github", REPO.path, "stargazers")) == 241
    assert fake.count("POST", "head") == 2  # the incremental first page was replayed, not asked twice
    assert fake.count("POST", "stargazers") == 2 + 2


def test_an_old_full_listing_is_redone_and_fork_activity_refreshed(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        run_listings(fake, make_ctx(tmp_path, run="cold"))
        week = make_ctx(tmp_path, run="week", now=NOW + timedelta(days=8))
        before_forks, before_nodes = fake.count("POST", "forks"), fake.count("POST", "nodes")
        run_listings(fake, week)
        assert fake.count("POST", "forks") == before_forks and fake.count("POST", "nodes") == before_nodes + 2
        assert listing(week, "forks")["mode"] == "unchanged" and len(landed(week, "forks")) == 120
        month = make_ctx(tmp_path, run="month", now=NOW + timedelta(days=31))
        run_listings(fake, month)
    assert listing(month, "stargazers")["mode"] == "full" and listing(month, "forks")["mode"] == "full"


def test_activity_counts_and_skipped_when_the_repository_is_unchanged(tmp_path):
    fake = demo_world()
    with mock() as rsps:
        fake.install(rsps)
        for run in ("cold", "warm"):
            ctx = make_ctx(tmp_path, run=run)
            source = make_source(ctx)
            drain(source.fetch_repository("Demo", REPO))
            drain(source.fetch_activity(REPO))
            counts = {(r["kind"], r["state"]): r["count"] for r in landed(ctx, "activity")}
            assert counts == {("pull_requests", "open"): 5, ("pull_requests", "closed"): 6,
                              ("pull_requests", "merged"): 7, ("issues", "open"): 8, ("issues", "closed"): 9}
    assert fake.count("POST", "head") == 1


# == profiles ===============================================================================

def test_profiles_in_batches_of_100_cached_and_refetched_when_old(tmp_path):
    fake = demo_world(contributors=230)
    del fake.users["dev7"]  # deleted since it was listed
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path, run="cold")
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", REPO))
        drain(source.fetch_contributors(REPO))
        ids = referenced_accounts(ctx.landing, "github")
        drain(source.fetch_accounts(ids))
        assert fake.count("POST", "login") == 3
        accounts = landed(ctx, "accounts")
        assert len(accounts) == 229 and all(complete(r, "accounts") for r in accounts)
        assert ("accounts", "not_found") in findings(ctx)
        assert not any("Name dev" in json.dumps(r) for r in accounts)

        warm = make_ctx(tmp_path, run="warm")
        drain(make_source(warm).fetch_accounts(ids))
        assert fake.count("POST", "login") == 3 and len(landed(warm, "accounts")) == 229

        old = make_ctx(tmp_path, run="old", now=NOW + timedelta(days=400))
        drain(make_source(old).fetch_accounts(ids))  # logins from the cached profiles
        assert fake.count("POST", "login") == 6


def test_a_failed_graphql_query_is_one_finding(tmp_path):
    fake = demo_world(contributors=5)
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", REPO))
        drain(source.fetch_contributors(REPO))
        fake.faults.append((200, {}, json.dumps({"errors": [{"message": "Field 'x' doesn't exist on type 'User'"}]})))
        drain(source.fetch_accounts(referenced_accounts(ctx.landing, "github")))
    assert findings(ctx) == [("accounts", "unprocessable")] and landed(ctx, "accounts") == []


def test_organisations_and_app_bots_among_accounts(tmp_path):
    fake = demo_world(stars=0, forks=3, contributors=0)
    fake.repos["octo/demo"].contributors = [{"login": "dependabot[bot]", "id": 49699333, "type": "Bot", "contributions": 5}]
    fake.users.update({"forker0": user_node(8000, "forker0", __typename="Organization"),
                       "forker1": user_node(8001, "forker1"), "forker2": user_node(8002, "forker2")})
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", REPO))
        drain(source.fetch_contributors(REPO))
        drain(source.fetch_forks(REPO))
        drain(source.fetch_accounts(referenced_accounts(ctx.landing, "github")))
        bodies = [c.request.body.decode() if isinstance(c.request.body, bytes) else (c.request.body or "") for c in rsps.calls]
        query = json.loads(next(b for b in bodies if "login:" in b))["query"]
    assert "organization(login: $l0)" in query and "dependabot" not in query
    types = {r["login"]: r["type"] for r in landed(ctx, "accounts")}
    assert types == {"dependabot[bot]": "Bot", "forker0": "Organization", "forker1": "User", "forker2": "User"}


# == dependents =============================================================================

def search_item(repo_id: int) -> dict:
    return {"name": "requirements.txt", "path": "requirements.txt",
            "repository": {"id": repo_id, "full_name": f"user{repo_id}/app", "owner": {"login": f"user{repo_id}", "id": repo_id, "type": "User"}}}


def test_code_search_pages_split_by_size_and_incomplete_results(tmp_path):
    fake = demo_world()
    fake.search_remaining["alice"] = 100  # not this test's subject
    query = "demo in:file filename:requirements.txt"
    fake.search[query] = {"items": [search_item(i) for i in range(1500)], "sizes": [100] * 900 + [5000] * 600,
                          "incomplete": False}
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        drain(make_source(ctx).fetch_dependents("Demo", ["demo"]))
    found = landed(ctx, "dependents")
    assert {r["repo_id"] for r in found} == set(range(1500))
    assert all(complete(r, "dependents") and r["package"] == "demo" for r in found)
    assert all(r["incomplete"] for r in found if r["query"] == query)  # the capped query says so
    assert not any(r["incomplete"] for r in found if r["query"] != query)
    assert fake.count("GET", "/search/code") == 1 + 9 + 6 + 2  # capped first page, 9 + 6 pages, 2 other manifests
    assert not [f for f in findings(ctx) if f[1] == "incomplete_search"]


def test_code_search_split_skips_empty_halves_and_reports_incomplete_results(tmp_path):
    fake = demo_world()
    fake.search_remaining["alice"] = 100
    query = "demo in:file filename:setup.py"
    fake.search[query] = {"items": [search_item(i) for i in range(1200)], "sizes": [40] * 700 + [90] * 500,
                          "incomplete": False}
    fake.search["demo in:file filename:pyproject.toml"] = {"items": [search_item(5000)], "incomplete": True}
    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        drain(make_source(ctx).fetch_dependents("Demo", ["demo"]))
    asked = [urllib.parse.parse_qs(urllib.parse.urlsplit(c.request.url).query)["q"][0]
             for c in rsps.calls if "/search/code" in c.request.url]
    assert f"{query} size:628..393216" not in asked  # the whole count sat in 0..627: nothing above
    assert f"{query} size:26..627" not in asked  # known to be over the cap: split without asking
    assert {r["repo_id"] for r in landed(ctx, "dependents") if r["file_name"] == "setup.py"} == set(range(1200))
    assert [f for f in findings(ctx) if f[1] == "incomplete_search"] == [("dependents", "incomplete_search")]
    assert all(r["incomplete"] for r in landed(ctx, "dependents") if r["file_name"] == "pyproject.toml")


def test_code_search_waits_for_its_own_budget(tmp_path, caplog):
    fake = demo_world()
    fake.search_remaining["alice"] = 2  # two searches left in this minute
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the minute passes
        sleeps.append(seconds)
        fake.search_remaining["alice"] = 10

    with mock() as rsps:
        fake.install(rsps)
        ctx = make_ctx(tmp_path)
        with caplog.at_level(logging.WARNING, logger="oss_miner"):
            drain(GitHubSource(ctx, sleep=sleep).fetch_dependents("Demo", ["demo"]))
    assert fake.count("GET", "/search/code") == 3 and fake.count(status=403) == 0
    assert len(sleeps) == 1 and "code-search rate limit of account alice spent; sleeping until" in caplog.text


# == commits fallback =======================================================================

def test_commits_through_graphql_down_to_the_known_head(tmp_path):
    fake = demo_world()
    fake.repos["octo/demo"].commits = [
        {"oid": f"{i:040x}", "authoredDate": "2024-01-01T02:00:00Z",
         "author": {"name": f"Dev {i}", "email": f"dev{i}@baidu.com", "date": "2024-01-01T10:00:00+08:00", "user": None},
         "committer": {"date": "2024-01-01T10:00:00+08:00"}} for i in range(150)]
    with mock() as rsps:
        fake.install(rsps)
        cold = make_ctx(tmp_path, run="cold")
        drain(make_source(cold).fetch_commits(REPO))
        commits = landed(cold, "commits")
        assert len(commits) == 150 and {c["author_utc_offset_minutes"] for c in commits} == {480}
        assert {c["email_domain"] for c in commits} == {"baidu.com"} and "dev1@" not in json.dumps(commits)
        fake.repos["octo/demo"].commits.insert(0, {**fake.repos["octo/demo"].commits[0], "oid": "f" * 40})
        drain(make_source(make_ctx(tmp_path, run="next")).fetch_commits(REPO))
    assert fake.count("POST", "history") == 3  # two pages, then one page down to the known head


# == rate limits, retries, tokens ===========================================================

def test_primary_rate_limit_sleeps_until_reset_with_a_log_line(tmp_path, caplog):
    fake = demo_world()
    reset = int(time.time()) + 120
    sleeps: list[float] = []
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx, sleeps)
        source.http.pool  # the pool asks /user first
        fake.faults.append((403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
                            json.dumps({"message": "API rate limit exceeded for user ID 1."})))
        with caplog.at_level(logging.WARNING, logger="oss_miner"):
            drain(source.fetch_repository("Demo", REPO))
    assert landed(ctx, "repositories")[0]["full_name"] == "octo/demo"
    until = datetime.fromtimestamp(reset, timezone.utc).isoformat(timespec="seconds")
    assert f"github: REST rate limit of account alice spent; sleeping until {until}" in caplog.text
    assert source.stats.rate_limit_waits == 1 and 100 < source.stats.rate_limit_wait_s <= 120 and sleeps


def test_another_account_takes_over_when_one_is_spent(tmp_path):
    fake = demo_world()
    fake.tokens = {"tok-alice": "alice", "tok-bob": "bob"}
    sleeps: list[float] = []
    ctx = make_ctx(tmp_path, tokens=("tok-alice", "tok-bob"))
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx, sleeps)
        source.http.pool
        fake.faults.append((403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)},
                            json.dumps({"message": "API rate limit exceeded"})))
        drain(source.fetch_repository("Demo", REPO))
        drain(source.fetch_releases(REPO))
    assert sleeps == [] and source.stats.rate_limit_waits == 0
    spent = fake.calls[2][3]
    assert all(account != spent for method, _, status, account in fake.calls[3:] if method == "GET")


def test_retry_after_is_obeyed_and_counted():
    from oss_miner.sources.github_transport import ReportingRetry, _Hooks

    class Transport:
        stats = type("S", (), {"platform": "github"})()
        slept: list[float] = []

        def clock(self):
            return 1_700_000_000.0

        def sleep(self, seconds):
            self.slept.append(seconds)

    transport = Transport()
    waits: list[float] = []
    transport.stats.waited = waits.append
    hooks = _Hooks(transport)  # type: ignore[arg-type]
    hooks.login = "alice"
    response = type("R", (), {"headers": {"Retry-After": "7"}, "status": 403})()
    ReportingRetry(hooks=hooks).sleep(response)
    assert transport.slept == [7] and waits == [7]


def test_secondary_limit_with_retry_after_then_success(tmp_path, caplog):
    fake = demo_world()
    fake.faults.append((403, {"Retry-After": "3"}, json.dumps({"message": "You have exceeded a secondary rate limit."})))
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        source.http.pool
        drain(source.fetch_repository("Demo", REPO))
    assert landed(ctx, "repositories") and source.stats.retries >= 1


@pytest.mark.parametrize("fault", [
    (502, {}, "Bad Gateway"),
    (200, {}, '{"id": 42, "full_na'),  # truncated body
])
def test_5xx_and_truncated_bodies_are_retried(tmp_path, fault):
    fake = demo_world()
    ctx = make_ctx(tmp_path)
    sleeps: list[float] = []
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx, sleeps)
        source.http.pool
        fake.faults += [fault, fault]
        drain(source.fetch_repository("Demo", REPO))
    assert landed(ctx, "repositories")[0]["repo_id"] == 42
    assert source.stats.retries >= 2


@pytest.mark.parametrize("error", ["ConnectionError", "ReadTimeout", "ChunkedEncodingError"])
def test_resets_timeouts_and_cut_bodies_are_retried_and_a_dead_server_fails_the_run(tmp_path, error):
    import requests

    fake = demo_world()
    fake.faults += [getattr(requests.exceptions, error)("Connection reset by peer")] * 2
    ctx = make_ctx(tmp_path)
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        drain(source.fetch_repository("Demo", REPO))
        assert landed(ctx, "repositories") and source.stats.requests[("/user", 0)] == 2
        fake.faults += [requests.ConnectionError("Connection reset by peer")] * 100
        with pytest.raises(RunFailed, match="kept failing") as failed:
            drain(source.fetch_releases(REPO))
        assert failed.value.transient  # the host answered earlier in the run: Prefect may retry the task


def test_a_server_that_never_answers_fails_the_run_without_a_task_retry(tmp_path):
    import requests

    fake = demo_world()
    fake.faults += [requests.ConnectionError("Connection refused")] * 100
    with mock() as rsps:
        fake.install(rsps)
        with pytest.raises(RunFailed, match="GET /user kept failing at .*is the server up") as failed:
            drain(make_source(make_ctx(tmp_path)).fetch_repository("Demo", REPO))
    assert not failed.value.transient  # most likely a wrong URL: retrying the task would fail the same way


def test_tokens_are_grouped_by_account(tmp_path, caplog):
    fake = demo_world()
    fake.tokens = {"tok-a1": "alice", "tok-a2": "alice", "tok-b": "bob"}
    ctx = make_ctx(tmp_path, tokens=("tok-a1", "tok-a2", "tok-b", "tok-revoked"))
    with mock() as rsps:
        fake.install(rsps)
        with caplog.at_level(logging.INFO, logger="oss_miner"):
            pool = make_source(ctx).http.pool
    assert sorted(a.login for a in pool.accounts) == ["alice", "bob"]
    assert [len(a.tokens) for a in sorted(pool.accounts, key=lambda a: a.login)] == [2, 1]
    assert fake.count("GET", "/user") == 4 and "token 4 of 4 was rejected (401)" in caplog.text


def test_every_token_rejected_is_one_clear_error(tmp_path):
    fake = demo_world()
    ctx = make_ctx(tmp_path, tokens=("bad-1", "bad-2"))
    with mock() as rsps:
        fake.install(rsps)
        with pytest.raises(RunFailed) as err:
            drain(make_source(ctx).fetch_repository("Demo", REPO))
    assert str(err.value) == "github: every token was rejected (401); check GITHUB_TOKEN"


def test_requests_of_one_account_run_serially_and_accounts_in_parallel(tmp_path):
    fake = demo_world()
    fake.tokens = {"tok-alice": "alice", "tok-bob": "bob"}
    fake.hold = lambda: time.sleep(0.02)
    repos = []
    for i in range(6):
        fake.repos[f"octo/r{i}"] = FakeRepo(f"octo/r{i}", 100 + i)
        repos.append(RepoRef(platform="github", path=f"octo/r{i}"))
    ctx = make_ctx(tmp_path, tokens=("tok-alice", "tok-bob"))
    with mock() as rsps:
        fake.install(rsps)
        source = make_source(ctx)
        threads = [threading.Thread(target=lambda r=r: drain(source.fetch_repository("Demo", r))) for r in repos]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert fake.max_in_flight["alice"] == fake.max_in_flight["bob"] == 1
    served = {account for _, path, _, account in fake.calls if path.startswith("/repos/")}
    assert served == {"alice", "bob"} and len(landed(ctx, "repositories")) == 6


def test_the_token_never_reaches_logs_landed_files_or_errors(tmp_path, caplog):
    fake = demo_world()
    fake.tokens = {CANARY: "alice"}
    fake.special["/repos/octo/demo/contributors"] = lambda: (404, {}, json.dumps({"message": f"Not Found {CANARY}"}))
    ctx = make_ctx(tmp_path, tokens=(CANARY, "also-bad-token"))
    with mock() as rsps:
        fake.install(rsps)
        with caplog.at_level(logging.DEBUG):
            source = make_source(ctx)
            drain(source.fetch_repository("Demo", REPO))
            drain(source.fetch_releases(REPO))
            drain(source.fetch_contributors(REPO))
    assert ("contributors", "not_found") in findings(ctx)
    stored = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".sqlite")
    stored += (tmp_path / "cache.sqlite").read_bytes().decode("latin-1")
    assert CANARY not in stored and CANARY not in caplog.text
    assert CANARY not in json.dumps(source.stats.as_dict())
