"""The git source mines the sandbox's bare repositories like any other, and agrees with the world's truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oss_miner.config import load_config
from oss_miner.sandbox import derive
from oss_miner.sandbox.world import advance, build_world

AS_OF = date(2026, 6, 1)  # the sandbox's clock, fixed so that the worlds repeat

try:
    from .git_history import Runs, commits, findings
except ImportError:  # tests/sources is not a package: pytest put this folder on sys.path
    from git_history import Runs, commits, findings


@pytest.fixture(scope="module")
def catalogue():
    return load_config(sandbox=True, environ={})


def _mine_all(runs: Runs, world, run_id: str) -> dict[tuple[str, int], list]:
    """One run over every tracked repository, keyed by (platform, repository id): names change on renames."""
    out = {}
    for repo in sorted((r for r in world.repos.values() if r.tracked), key=lambda r: (r.platform, r.repo_id)):
        name = repo.catalogue_path or repo.full_name  # the pipeline mines repositories by their catalogue path
        out[(repo.platform, repo.repo_id)] = runs.mine(repo.git_dir.resolve().as_uri(), repo=name, platform=repo.platform,
                                                       default_branch=repo.default_branch, run_id=run_id, seal=False)
    runs.context(run_id).landing.seal({})
    return out


def _repo(world, key: tuple[str, int]):
    return next(r for r in world.repos.values() if (r.platform, r.repo_id) == key)


def test_every_default_branch_commit_of_every_repository_as_generated(catalogue, tmp_path: Path) -> None:
    world = build_world(11, 0.02, catalogue, tmp_path / "world", as_of=AS_OF)
    runs = Runs(tmp_path / "miner", catalogue)
    mined = _mine_all(runs, world, "only")
    for key, pages in mined.items():
        repo = _repo(world, key)
        platform, name = repo.platform, repo.catalogue_path or repo.full_name
        truth = {c.sha: c for c in derive.default_branch_commits(repo)}
        landed = commits(pages)
        if not truth:
            assert [f["kind"] for f in findings(pages)] == ["empty"], name
            continue
        assert {s for s, r in landed.items() if r["on_default_branch"]} == set(truth), name
        if repo.role == "primary":
            assert {s for s, r in landed.items() if not r["on_default_branch"]} == {
                c.sha for c in repo.commits if not c.on_default_branch}, name
        for sha, commit in truth.items():
            record = landed[sha]
            assert (record["platform"], record["repo"]) == (platform, name)
            assert record["authored_at"] == commit.authored_at
            assert record["author_utc_offset_minutes"] == commit.authored_at.utcoffset().total_seconds() // 60
            assert record["committer_utc_offset_minutes"] == commit.committed_at.utcoffset().total_seconds() // 60
            assert record["email_domain"] == runs.hasher.email(commit.author_email)[0]
            assert record["is_bot"] == world.people[commit.author_person_id].is_bot, commit.author_name


def test_after_the_world_advances_a_rerun_lands_just_the_new_commits(catalogue, tmp_path: Path) -> None:
    world = build_world(5, 0.02, catalogue, tmp_path / "world", as_of=AS_OF)
    runs = Runs(tmp_path / "miner", catalogue)
    before = {(r.platform, r.repo_id): {c.sha for c in r.commits if c.sha} for r in world.repos.values() if r.tracked}
    _mine_all(runs, world, "first")
    unchanged = _mine_all(runs, world, "second")
    assert all(not commits(pages) for pages in unchanged.values())
    advance(world, 0.05)
    after = _mine_all(runs, world, "third")
    grew = 0
    for key, pages in after.items():
        new_default = {c.sha for c in derive.default_branch_commits(_repo(world, key))} - before[key]
        landed = commits(pages)
        assert {s for s, r in landed.items() if r["on_default_branch"]} == new_default, key
        grew += len(new_default)
    assert grew > 0
