"""The tracked repositories are real bare git repositories whose history is the world's."""

from __future__ import annotations

import csv
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from fixtures import AS_OF

from oss_miner.config import load_config
from oss_miner.sandbox import derive
from oss_miner.sandbox.truth import write_truth
from oss_miner.sandbox.world import advance, build_world


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def catalogue():
    return load_config(sandbox=True, environ={})


@pytest.fixture(scope="module")
def world(catalogue, tmp_path_factory):
    return build_world(11, 0.15, catalogue, tmp_path_factory.mktemp("git-world"), as_of=AS_OF)


def test_rev_list_counts_equal_the_truth(world, tmp_path):
    write_truth(world, tmp_path)
    rows = list(csv.DictReader((tmp_path / "repositories.csv").open()))
    names = {(r["platform"], r["catalogue_path"]): r["full_name"] for r in csv.DictReader((tmp_path / "repository_names.csv").open())}
    assert len(rows) == len([r for r in world.repos.values() if r.tracked])
    for row in rows:
        repo = world.repo_by_name(row["platform"], names[(row["platform"], row["full_name"])])
        head = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo.git_dir, capture_output=True, text=True)
        counted = int(head.stdout) if head.returncode == 0 else 0
        assert counted == int(row["commits_default_branch"]), row
        assert git("symbolic-ref", "HEAD", cwd=repo.git_dir).strip() == f"refs/heads/{repo.default_branch}"


def test_authors_offsets_and_domains_are_as_generated(world):
    repo = world.repo_by_name("github", "PaddlePaddle/Paddle")
    log = git("log", "--format=%H%x09%ae%x09%ad%x09%an", "--date=iso-strict", repo.default_branch, cwd=repo.git_dir)
    in_git = {}
    for line in log.splitlines():
        sha, email, date, name = line.split("\t")
        in_git[sha] = (email, date, name)
    expected = {c.sha: (c.author_email, c.authored_at.isoformat(), c.author_name) for c in derive.default_branch_commits(repo)}
    assert in_git == expected
    offsets = Counter(date[-6:] for _, date, _ in in_git.values())
    assert offsets.most_common(1)[0][0] == "+08:00"
    assert "+00:00" in offsets  # CI and servers at UTC
    domains = Counter(email.rsplit("@", 1)[1] for email, _, _ in in_git.values())
    assert {"baidu.com", "users.noreply.github.com"} <= set(domains)


def test_side_branch_is_not_on_the_default_branch(world):
    repo = world.repo_by_name("github", "tensorflow/tensorflow")
    branches = git("for-each-ref", "--format=%(refname:strip=2)", "refs/heads", cwd=repo.git_dir).split()
    side = [b for b in branches if b != repo.default_branch]
    assert side and side[0].startswith("release/")
    side_only = int(git("rev-list", "--count", side[0], f"^{repo.default_branch}", cwd=repo.git_dir))
    assert side_only == sum(1 for c in repo.commits if not c.on_default_branch) > 0


def test_mirrors_share_the_primarys_shas(world):
    primary = world.repo_by_name("gitee", "mindspore/mindspore")
    mirror = world.repo_by_name("github", "mindspore-ai/mindspore")
    primary_log = git("rev-list", "--reverse", primary.default_branch, cwd=primary.git_dir).split()
    mirror_log = git("rev-list", "--reverse", mirror.default_branch, cwd=mirror.git_dir).split()
    assert mirror_log and mirror_log == primary_log[: len(mirror_log)]
    assert mirror_log[-1] == derive.default_branch_commits(mirror)[-1].sha
    empty = world.repo_by_name("gitlab", "jihu-mirrors/jittor")
    assert git("for-each-ref", cwd=empty.git_dir).strip() == ""


def test_a_treeless_clone_works(world, tmp_path):
    repo = world.repo_by_name("github", "Jittor/jittor")
    target = tmp_path / "clone.git"
    subprocess.run(["git", "clone", "--bare", "--quiet", "--filter=tree:0", repo.git_dir.as_uri(), str(target)],
                   check=True, capture_output=True)
    assert int(git("rev-list", "--count", "HEAD", cwd=target)) == len(derive.default_branch_commits(repo))


def test_advance_appends_commits_with_the_same_shas_when_replayed(catalogue, tmp_path):
    one = build_world(5, 0.1, catalogue, tmp_path / "one", as_of=AS_OF)
    two = build_world(5, 0.1, catalogue, tmp_path / "two", as_of=AS_OF)
    repo_one = one.repo_by_name("github", "Oneflow-Inc/oneflow")
    before = git("rev-parse", "HEAD", cwd=repo_one.git_dir).strip()
    count_before = len(derive.default_branch_commits(repo_one))
    for w in (one, two):
        advance(w, 0.02)
        advance(w, 0.02)
    repo_two = two.repo_by_name("github", "Oneflow-Inc/oneflow")
    head_one = git("rev-parse", "HEAD", cwd=repo_one.git_dir).strip()
    assert head_one == git("rev-parse", "HEAD", cwd=repo_two.git_dir).strip() != before
    assert git("merge-base", "--is-ancestor", before, head_one, cwd=repo_one.git_dir) == ""  # appended, not rewritten
    assert int(git("rev-list", "--count", "HEAD", cwd=repo_one.git_dir)) == len(derive.default_branch_commits(repo_one)) \
        > count_before
    gitlab = one.repo_by_name("gitlab", "jihu-mirrors/oneflow")
    mirror_head = git("rev-parse", "HEAD", cwd=gitlab.git_dir).strip()
    assert git("merge-base", "--is-ancestor", mirror_head, head_one, cwd=repo_one.git_dir) == ""
    assert mirror_head == derive.default_branch_commits(gitlab)[-1].sha
