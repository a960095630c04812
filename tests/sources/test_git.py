"""The git source against histories built with known authors, offsets, domains, bots and branches."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_miner.sources.git import GitSource, parse_raw_date, without_credentials, _nul_records

try:
    from .git_history import (BOTS, DEPENDABOT, NOREPLY, PEOPLE, QQ, Person, VENDOR, WEST, History,
                              Runs, commits, findings, standard_history)
except ImportError:  # tests/sources is not a package: pytest put this folder on sys.path
    from git_history import (BOTS, DEPENDABOT, NOREPLY, PEOPLE, QQ, Person, VENDOR, WEST, History, Runs,
                             commits, findings, standard_history)


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(tmp_path)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return standard_history(tmp_path / "upstream")


def test_every_commit_lands_with_exact_times_offsets_domains_and_flags(runs: Runs, history: History) -> None:
    pages = runs.mine(str(history.path))
    landed = commits(pages)
    on_default = history.reachable("main")
    assert sum(r["on_default_branch"] for r in landed.values()) == int(history.git("rev-list", "--count", "HEAD"))
    assert set(landed) == set(history.made)
    for sha, made in history.made.items():
        record = landed[sha]
        assert record["platform"] == "git" and record["repo"] == str(history.path) and record["source"] == "git"
        assert record["authored_at"] == made.authored_at
        assert record["author_utc_offset_minutes"] == made.author_offset
        assert record["committer_utc_offset_minutes"] == made.committer_offset
        assert record["on_default_branch"] == (sha in on_default)
        assert record["is_bot"] == (made.author in BOTS)
        domain, key = runs.hasher.email(made.author.email)
        assert (record["email_domain"], record["author_key"]) == (domain, key)
        assert record["name_key"] == runs.hasher.name(made.author.name)
        assert record["noreply_account_id"] == {NOREPLY: 583231, DEPENDABOT: 49699333}.get(made.author)
    domains = Counter(r["email_domain"] for r in landed.values())
    assert domains == {"megvii.com": 3, "gmail.com": 3, "qq.com": 2, "users.noreply.github.com": 2,
                       "example.org": 1, None: 1}
    offsets = Counter(r["author_utc_offset_minutes"] for r in landed.values() if r["on_default_branch"])
    assert offsets == {480: 5, 0: 2, -420: 1, 330: 1}
    assert {r["on_default_branch"] for r in landed.values() if r["sha"] in history.reachable("wip", "^main")} == {False}


def test_no_address_or_name_reaches_the_landed_files(runs: Runs, history: History) -> None:
    runs.mine(str(history.path))
    text = "\n".join(p.read_text() for p in (runs.root / "landing").rglob("*") if p.is_file())
    assert text
    for person in PEOPLE:
        for secret in (person.name, person.email, person.email.split("@")[0]):
            if secret:
                assert secret.lower() not in text.lower(), secret
    assert "octocat" not in text and "dependabot" not in text


def test_a_rerun_lands_nothing_and_new_commits_land_alone(runs: Runs, history: History) -> None:
    first = commits(runs.mine(str(history.path)))
    assert len(first) == 12
    again = runs.mine(str(history.path))
    assert commits(again) == {} and findings(again) == []
    assert runs.source.stats.requests[("git fetch", 200)] == 1
    new = {history.commit("main", QQ, 480), history.commit("wip", VENDOR, 480)}
    third = commits(runs.mine(str(history.path)))
    assert set(third) == new
    assert {sha: r["on_default_branch"] for sha, r in third.items()} == {sha: sha in history.reachable("main") for sha in new}


def test_merging_a_branch_relands_its_commits_as_default(runs: Runs, history: History) -> None:
    feature = history.reachable("feature", "^main")
    before = commits(runs.mine(str(history.path)))
    assert {before[s]["on_default_branch"] for s in feature} == {False}
    merge = history.commit("main", VENDOR, 480, merge=history.tip("feature"))
    after = commits(runs.mine(str(history.path)))
    assert set(after) == feature | {merge}
    assert all(r["on_default_branch"] for r in after.values())


def test_a_rewritten_default_branch_lands_everything_again(runs: Runs, history: History) -> None:
    runs.mine(str(history.path))
    history.git("update-ref", "refs/heads/main", history.git("rev-parse", "main~3").strip())
    history.commit("main", WEST, -420)
    landed = commits(runs.mine(str(history.path)))
    assert set(landed) == history.reachable("--branches")
    assert sum(r["on_default_branch"] for r in landed.values()) == int(history.git("rev-list", "--count", "main"))


def test_an_abandoned_run_does_not_count_as_landed(runs: Runs, history: History) -> None:
    runs.mine(str(history.path), seal=False)  # the run died before sealing; the next one is new
    assert len(commits(runs.mine(str(history.path)))) == 12


def test_a_resumed_run_lands_the_same_pages_under_the_same_keys(runs: Runs, history: History) -> None:
    first = runs.mine(str(history.path), run_id="same", seal=False, page_size=4)
    resumed = runs.mine(str(history.path), run_id="same", seal=False, page_size=4)
    assert [p.key for p in first] == [p.key for p in resumed]
    sizes = [len(p.records) for p in first]
    assert sizes == [4, 4, 1, 3] and [p.next for p in first] == ["1", "2", None, None]
    files = list((runs.root / "landing" / "same" / "commits" / "git").glob("*.jsonl"))
    assert len(files) == 4


def test_file_url_bare_repository_and_plain_path_agree(runs: Runs, history: History, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(history.path), str(bare)], check=True)
    by_path = commits(runs.mine(str(history.path)))
    by_url = commits(runs.mine(history.path.as_uri()))
    by_bare = commits(runs.mine(str(bare)))
    strip = lambda rs: {s: {k: v for k, v in r.items() if k != "repo"} for s, r in rs.items()}  # noqa: E731
    assert strip(by_path) == strip(by_url) == strip(by_bare)
    assert by_url[history.tip("main")]["repo"] == history.path.as_uri()


def test_the_clone_is_treeless_and_mining_fetches_no_trees(runs: Runs, history: History) -> None:
    runs.mine(str(history.path))
    clone = runs.source.clone_dir("git", str(history.path))
    git = lambda *a: subprocess.run(["git", "--git-dir", str(clone), *a], capture_output=True, check=True, text=True).stdout  # noqa: E731
    assert git("config", "remote.origin.partialclonefilter").strip() == "tree:0"
    types = Counter(line.split()[1] for line in git("cat-file", "--batch-all-objects", "--batch-check").splitlines())
    assert types == {"commit": 12}  # 12 commits, and not one tree or blob: nothing was fetched lazily


def test_forge_platform_and_default_branch_argument(runs: Runs, history: History) -> None:
    history.git("symbolic-ref", "HEAD", "refs/heads/wip")  # HEAD says wip; the forge says main
    landed = commits(runs.mine(str(history.path), platform="gitee", repo="megengine/megengine", default_branch="main"))
    assert {r["platform"] for r in landed.values()} == {"gitee"}
    assert {r["repo"] for r in landed.values()} == {"megengine/megengine"}
    assert {s for s, r in landed.items() if r["on_default_branch"]} == history.reachable("main")


@pytest.mark.parametrize("url", ["{tmp}/missing", "{tmp}/not-a-repo", "http://127.0.0.1:9/x.git",
                                 "https://someone:canary-s3cret-token@127.0.0.1:9/x.git"])
def test_a_bad_url_gives_a_finding_not_an_exception(runs: Runs, tmp_path: Path, url: str) -> None:
    (tmp_path / "not-a-repo").mkdir()
    url = url.format(tmp=tmp_path)
    pages = runs.mine(url)
    assert [(f["kind"], f["entity"]) for f in findings(pages)] == [("clone_failed", "commits")]
    assert commits(pages) == {}
    assert runs.source.stats.requests[("git clone", 0)] == 1
    everything = "\n".join(p.read_text(errors="replace") for p in runs.root.rglob("*") if p.is_file()
                           and "cache.sqlite" not in p.name)
    assert "canary-s3cret-token" not in everything
    assert not list((runs.root / "state" / "clones").glob("*"))  # no half clone left behind


def test_an_empty_repository_gives_a_finding(runs: Runs, tmp_path: Path) -> None:
    empty = History(tmp_path / "empty")
    pages = runs.mine(str(empty.path))
    assert [f["kind"] for f in findings(pages)] == ["empty"]


def test_bot_detection(runs: Runs) -> None:
    source = GitSource(runs.context("bots"))
    assert source.is_bot("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    assert source.is_bot("Some Name", "123+renovate[bot]@users.noreply.github.com")
    assert source.is_bot("MindSpore CI", "mindspore-ci@example.org")
    assert not source.is_bot("Zhang Wei", "zhang.wei@megvii.com")
    assert not source.is_bot(None, None)


def test_parsers() -> None:
    assert parse_raw_date("1700000000 +0530")[1] == 330
    assert parse_raw_date("1700000000 -0700") == (parse_raw_date("1700000000 +0000")[0], -420)
    assert parse_raw_date("garbage") == (None, None)
    assert parse_raw_date("1700000000 +08000") == (parse_raw_date("1700000000 +0000")[0], None)
    assert parse_raw_date("99999999999999999 +0800") == (None, 480)
    assert without_credentials("https://u:tok@host/x.git") == "https://host/x.git"
    assert without_credentials("/srv/repo.git") == "/srv/repo.git"
    import io
    stream = io.BytesIO(b"a\0b\0c\0d\0\0f\0")
    assert list(_nul_records(stream, 3, chunk=2)) == [[b"a", b"b", b"c"], [b"d", b"", b"f"]]


def test_odd_identities_reduce_like_their_plain_forms(runs: Runs, tmp_path: Path) -> None:
    h = History(tmp_path / "odd")
    shouting = h.commit("main", Person("  Zhang   Wei ", "Zhang.Wei@MEGVII.COM"), 480)
    plain = h.commit("main", Person("zhang wei", "zhang.wei@megvii.com"), 480)
    emoji = h.commit("main", Person("🚀 \u202etrap", "not-an-address"), 840)
    landed = commits(runs.mine(str(h.path)))
    assert landed[shouting]["author_key"] == landed[plain]["author_key"] is not None
    assert landed[shouting]["name_key"] == landed[plain]["name_key"]
    assert landed[shouting]["email_domain"] == "megvii.com"
    assert (landed[emoji]["email_domain"], landed[emoji]["author_key"]) == (None, None)
    assert landed[emoji]["author_utc_offset_minutes"] == 840


@given(st.integers(-2**40, 2**40), st.integers(-1439, 1439))
def test_raw_dates_round_trip(seconds: int, offset: int) -> None:
    sign = "-" if offset < 0 else "+"
    when, minutes = parse_raw_date(f"{seconds} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}")
    assert minutes == offset
    assert when is None or int(when.timestamp()) == seconds


@given(st.lists(st.lists(st.binary().map(lambda b: b.replace(b"\0", b"").replace(b"\n", b"")), min_size=3,
                         max_size=3), max_size=20), st.integers(1, 50))
def test_nul_records_survive_any_chunking(records: list[list[bytes]], chunk: int) -> None:
    import io
    stream = io.BytesIO(b"".join(field + b"\0" for record in records for field in record))
    assert list(_nul_records(stream, 3, chunk=chunk)) == records
