"""The GitHub source end to end against the forge sandbox: complete extraction (counts equal the truth),
and the request bounds of issue 3 (cold <= 1.15x the truth's minimum, warm < 2% of the cold run's
rate-limited requests, after `advance?fraction=0.01` < 10%)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials, RepoRef, load_config
from oss_miner.landing import Landing
from oss_miner.privacy import Hasher, Redactor, email_domain
from oss_miner.sources.base import ExtractContext, referenced_accounts
from oss_miner.sources.github import GitHubSource

sandbox_server = pytest.importorskip("oss_miner.sandbox.server")
from oss_miner.sandbox import derive, truth  # noqa: E402

SandboxOptions, SandboxServer = sandbox_server.SandboxOptions, sandbox_server.SandboxServer
AS_OF = date(2026, 6, 1)  # the sandbox's clock, fixed so that the worlds repeat
TOKENS = {"tok-a1": "alpha", "tok-a2": "alpha", "tok-b": "bravo", "tok-c": "charlie"}


def github_catalogue(server: SandboxServer) -> Catalogue:
    env = {"OSS_MINER_GITHUB_URL": server.urls["github"], "OSS_MINER_GITHUB_GRAPHQL_URL": server.urls["github_graphql"]}
    return load_config(None, sandbox=True, environ=env).select(platforms=["github"])


def context(tmp: Path, catalogue: Catalogue, run: str, tokens: tuple[str, ...]) -> ExtractContext:
    return ExtractContext(catalogue=catalogue, credentials=Credentials({"github": tuple(SecretStr(t) for t in tokens)}),
        landing=Landing(str(tmp / "landing"), run),
        cache=Cache(tmp / "cache.sqlite"), hasher=Hasher(b"sandbox-test"), redactor=Redactor(list(tokens)),
        state_dir=tmp)


def extract(ctx: ExtractContext, threads: int = 12) -> GitHubSource:
    """What the pipeline does for GitHub: repositories in parallel, orgs, dependents, then profiles."""
    source = GitHubSource(ctx)
    catalogue = ctx.catalogue

    def repository(item: tuple[str, RepoRef]) -> None:
        framework, repo = item
        if not [p for p in source.fetch_repository(framework, repo) if p.entity == "repositories"]:
            return
        for fetch in (source.fetch_contributors, source.fetch_releases, source.fetch_activity,
                      source.fetch_forks, source.fetch_stargazers):
            list(fetch(repo))

    jobs = [(repository, item) for item in catalogue.tracked_repos() if item[1].platform == "github"]
    orgs = sorted({o.name for fw in catalogue.frameworks.values() for o in fw.orgs if o.platform == "github"})
    jobs += [(lambda org: list(source.fetch_org_repos(org)), org) for org in orgs]
    jobs += [(lambda fw: list(source.fetch_dependents(fw.name, fw.pypi)), fw)
             for fw in catalogue.frameworks.values() if fw.pypi]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(fn, arg) for fn, arg in jobs]:
            future.result()
    list(source.fetch_accounts(referenced_accounts(ctx.landing, "github")))
    return source


def landed(ctx: ExtractContext, entity: str) -> list[dict]:
    out = []
    for path in ctx.landing.record_files(entity):
        if "/github/" in path:
            with open(path, encoding="utf-8") as handle:
                out += [json.loads(line) for line in handle if line.strip()]
    return out


def sandbox_counts(server: SandboxServer) -> Counter:
    """Requests the sandbox saw from us: (status) -> count, GitHub only."""
    counts: Counter = Counter()
    for row in requests.get(server.urls["stats"], timeout=10).json()["requests"]:
        if row["platform"] == "github":
            counts[(row["endpoint"], row["status"])] += row["count"]
    return counts


def rate_limited(counts: Counter) -> int:
    return sum(n for (_, status), n in counts.items() if status != 304)


def assert_complete(ctx: ExtractContext, world) -> None:  # noqa: ANN001 - the sandbox World
    """Every count the truth states about GitHub equals what was landed."""
    by_repo: dict[str, Counter] = defaultdict(Counter)
    for entity, key in (("contributors", None), ("releases", "release_id"), ("forks", "fork_id"),
                        ("stargazers", "account_id")):
        seen: dict[str, set] = defaultdict(set)
        for record in landed(ctx, entity):
            seen[record["repo"]].add(json.dumps(record, sort_keys=True, default=str) if key is None else record[key])
        for repo, values in seen.items():
            by_repo[repo][entity] = len(values)
    contributors = defaultdict(int)
    for record in landed(ctx, "contributors"):  # identical entries cannot be told apart: count by page
        contributors[record["repo"]] += 1
    for repo in derive.tracked_repos(world):
        if repo.platform != "github":
            continue
        name = repo.catalogue_path
        listed = None if derive.contributors_status(repo) != "ok" else len(derive.contributors(world, repo, anon=True))
        assert contributors.get(name, 0) == (listed or 0), name
        assert by_repo[name]["forks"] == len(derive.visible_forks(world, repo)), name
        assert by_repo[name]["stargazers"] == len(derive.visible_stars(world, repo)), name
        assert by_repo[name]["releases"] == len(repo.releases), name
    activity = {(r["repo"], "pulls" if r["kind"] == "pull_requests" else r["kind"], r["state"]): r["count"]
                for r in landed(ctx, "activity")}
    names = {r.full_name: r.catalogue_path for r in derive.tracked_repos(world)}
    for platform, full_name, kind, state, count in truth.activity_rows(world):
        if platform == "github":
            assert activity[(names.get(full_name, full_name), kind, state)] == count, (full_name, kind, state)
    dependents = defaultdict(set)
    for record in landed(ctx, "dependents"):
        dependents[record["framework"]].add(record["repo_id"])
    for framework in ctx.catalogue.frameworks:  # split by size, the searches reach past the 1,000 cap
        findable = {i for _, i in derive.findable_dependents(world, framework)}
        assert findable <= dependents[framework], framework
        assert dependents[framework] == {i for _, i in derive.all_dependents(world, framework)}, framework
    needed = truth.min_requests(world)[1]["github"]
    assert {r["account_id"] for r in landed(ctx, "accounts")} == needed
    assert all(r.get("email_domain") is None or "@" not in r["email_domain"] for r in landed(ctx, "accounts"))


@pytest.fixture(scope="module")
def small_sandbox():
    with SandboxServer(SandboxOptions(seed=11, scale=0.2, as_of=AS_OF, tokens=TOKENS, code_search_limit=None)) as server:
        yield server


def test_complete_extraction_on_a_small_world(small_sandbox, tmp_path):
    ctx = context(tmp_path, github_catalogue(small_sandbox), "cold", ("tok-a1", "tok-a2", "tok-b"))
    source = extract(ctx)
    assert_complete(ctx, small_sandbox.world)
    kinds = Counter((f["entity"], f["kind"]) for f in landed(ctx, "findings"))
    assert kinds[("contributors", "too_large")] == 1
    assert kinds[("repositories", "renamed")] == 1
    assert source.stats.rate_limit_waits == 0
    accounts_used = {r["account"] for r in requests.get(small_sandbox.urls["stats"], timeout=10).json()["requests"]}
    assert accounts_used == {"alpha", "bravo"}  # two tokens of one account are one budget


def test_commits_fallback_matches_the_git_history(small_sandbox, tmp_path):
    ctx = context(tmp_path, github_catalogue(small_sandbox), "commits", ("tok-b",))
    repo = next(r for r in derive.tracked_repos(small_sandbox.world)
                if r.platform == "github" and r.kind == "normal" and derive.default_branch_commits(r))
    list(GitHubSource(ctx).fetch_commits(RepoRef(platform="github", path=repo.catalogue_path)))
    commits = landed(ctx, "commits")
    expected = derive.default_branch_commits(repo)
    assert len({c["sha"] for c in commits}) == len(commits) == len(expected)
    offsets = Counter(int(c.authored_at.utcoffset().total_seconds() // 60) for c in expected)
    assert Counter(c["author_utc_offset_minutes"] for c in commits) == offsets
    assert Counter(c["email_domain"] for c in commits) == Counter(email_domain(c.author_email.lower()) for c in expected)
    assert Counter(c["author_key"] for c in commits) == Counter(ctx.hasher.email(c.author_email)[1] for c in expected)


def test_faults_retries_and_the_secondary_limit(tmp_path):
    """5xx, timeouts, resets, truncated bodies and injected rate limits on 20% of requests, and a
    secondary limit of one request in flight per account: the extraction is still complete."""
    options = SandboxOptions(seed=5, scale=0.1, as_of=AS_OF, tokens=TOKENS, code_search_limit=None, fault_rate=0.2,
                             timeout_delay_s=0.2, rate_window_s=1.0, secondary_limit=1)
    with SandboxServer(options) as server:
        ctx = context(tmp_path, github_catalogue(server), "faults", ("tok-a1", "tok-b", "tok-c"))
        source = extract(ctx, threads=8)
        assert_complete(ctx, server.world)
        rows = requests.get(server.urls["stats"], timeout=10).json()["requests"]
    faults = Counter()
    for row in rows:
        if row["platform"] == "github" and row["fault"]:
            faults[row["fault"]] += row["count"]
    assert set(faults) == {"5xx", "timeout", "reset", "truncated", "ratelimit"}, faults
    assert source.stats.retries >= sum(faults.values()) - faults["ratelimit"]
    secondary = [r for r in rows if r["platform"] == "github" and r["status"] == 403 and not r["fault"]
                 and r["endpoint"] != "/repos/{owner}/{repo}/contributors"]
    assert secondary == []  # one request at a time per account: the secondary limit is never hit


def test_a_run_killed_mid_way_resumes_without_asking_again(small_sandbox, tmp_path):
    catalogue = github_catalogue(small_sandbox)
    ctx = context(tmp_path, catalogue, "crash", ("tok-a1", "tok-b"))
    requests.post(small_sandbox.urls["stats"] + "/reset", timeout=10)

    class Killed(Exception):
        pass

    sent = {"n": 0}
    original = GitHubSource.__init__

    def dying(self, *args, **kwargs):  # noqa: ANN001
        original(self, *args, **kwargs)
        send = self.http.send

        def send_then_die(*a, **k):  # noqa: ANN001
            sent["n"] += 1
            if sent["n"] > 60:
                raise Killed()
            return send(*a, **k)

        self.http.send = send_then_die

    GitHubSource.__init__ = dying
    try:
        with pytest.raises(Killed):
            extract(ctx, threads=1)
    finally:
        GitHubSource.__init__ = original
    before = sum(sandbox_counts(small_sandbox).values())
    resumed = context(tmp_path, catalogue, "crash", ("tok-a1", "tok-b"))
    extract(resumed)
    assert_complete(resumed, small_sandbox.world)
    total = sum(sandbox_counts(small_sandbox).values())
    fresh = context(tmp_path / "fresh", catalogue, "fresh", ("tok-a1", "tok-b"))
    requests.post(small_sandbox.urls["stats"] + "/reset", timeout=10)
    extract(fresh)
    cold = sum(sandbox_counts(small_sandbox).values())
    assert before >= 50 and total <= cold + 3  # at most the requests in flight at the kill are asked twice


@pytest.mark.heavy
def test_cold_warm_and_advance_request_counts_at_scale_1(tmp_path, capsys):
    """Measured against summary.json's minimum; prints the figures for the closing note."""
    options = SandboxOptions(seed=7, scale=1, as_of=AS_OF, tokens=TOKENS, code_search_limit=None)
    with SandboxServer(options) as server:
        catalogue = github_catalogue(server)
        tokens = ("tok-a1", "tok-b", "tok-c")
        minimum = truth.min_requests(server.world)[0]["min_requests"]["github"]["total"]
        figures = {}
        for run in ("cold", "warm", "advance"):
            if run == "advance":
                requests.post(server.urls["stats"] + "/advance?fraction=0.01", timeout=60).raise_for_status()
            requests.post(server.urls["stats"] + "/reset", timeout=10)
            ctx = context(tmp_path, catalogue, run, tokens)
            extract(ctx)
            counts = sandbox_counts(server)
            figures[run] = {"requests": sum(counts.values()), "rate_limited": rate_limited(counts),
                            "by_endpoint": {f"{e} {s}": n for (e, s), n in sorted(counts.items())}}
            if run == "cold":
                assert_complete(ctx, server.world)
        with capsys.disabled():
            print(f"\nGitHub requests at scale 1 (minimum {minimum}): {json.dumps(figures, indent=1)}")
        assert figures["cold"]["requests"] <= 1.15 * minimum
        assert figures["warm"]["rate_limited"] < 0.02 * figures["cold"]["rate_limited"]
        assert figures["advance"]["rate_limited"] < 0.10 * figures["cold"]["rate_limited"]
