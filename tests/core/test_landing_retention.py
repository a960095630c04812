"""Landed pages are kept for the newest runs only; the database keeps every run's rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from oss_miner.landing import Landing, Page, prune_runs
from oss_miner.runstate import new_run_id


def land_runs(root: str, count: int) -> list[str]:
    start = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
    run_ids = [new_run_id(start + timedelta(days=day)) for day in range(count)]
    for run_id in run_ids:
        Landing(root, run_id).put(Page("github", "forks", "/repos/{owner}/{repo}/forks", {"repo": "a/b"},
                                       [{"fork_id": 1}], repo="a/b"))
    return run_ids


def test_only_the_newest_runs_keep_their_landed_pages(tmp_path):
    root = str(tmp_path / "landing")
    run_ids = land_runs(root, 5)
    (tmp_path / "landing" / "notes").mkdir()  # not a run: left alone
    assert prune_runs(root, keep=3) == run_ids[:2]
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == sorted(run_ids[2:] + ["notes"])
    assert all(Landing(root, r).record_files("forks") for r in run_ids[2:])
    assert prune_runs(root, keep=3) == []


def test_pruning_works_on_an_fsspec_landing_area_and_an_empty_one(tmp_path):
    run_ids = land_runs("memory://retention-test/landing", 4)
    assert prune_runs("memory://retention-test/landing", keep=1) == run_ids[:3]
    assert prune_runs(str(tmp_path / "nothing-landed-yet"), keep=3) == []
