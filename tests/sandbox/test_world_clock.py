"""The sandbox's clock: a world's history runs up to its as_of date, with no cliff before it."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from fixtures import AS_OF
from test_world import catalogue, fingerprint  # noqa: F401 (catalogue: test_world's fixture, shared)

from oss_miner.cli import main
from oss_miner.sandbox import derive
from oss_miner.sandbox.model import World
from oss_miner.sandbox.server import SandboxOptions, SandboxServer
from oss_miner.sandbox.world import advance, build_world, parse_as_of, today

UTC = timezone.utc
SCALE = 0.3
EARLIER = date(2023, 1, 1)


@pytest.fixture(scope="module")
def world(catalogue, tmp_path_factory) -> World:
    return build_world(7, SCALE, catalogue, tmp_path_factory.mktemp("clock"), as_of=AS_OF)


def _month(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m")


def _months_before(day: date, count: int) -> list[str]:
    """The `count` whole calendar months before the month of `day`, oldest first."""
    first = day.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first.strftime("%Y-%m"))
    return months[::-1]


def _commit_months(world: World) -> Counter:
    return Counter(_month(c.committed_at) for r in derive.tracked_repos(world) if r.role == "primary"
                   for c in derive.default_branch_commits(r))


def _fork_months(world: World) -> Counter:
    return Counter(_month(f.created_at) for r in world.repos.values() for f in r.forks)


def _star_months(world: World) -> Counter:
    return Counter(_month(s.starred_at) for r in world.repos.values() for s in r.stars)


def test_the_clock_is_midnight_of_as_of_and_nothing_happens_after_it(world):
    assert world.now == datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    times = [c.committed_at for r in world.repos.values() for c in r.commits]
    times += [s.starred_at for r in world.repos.values() for s in r.stars]
    times += [t for r in world.repos.values() for f in r.forks for t in (f.created_at, f.pushed_at)]
    times += [x.published_at for r in world.repos.values() for x in r.releases]
    times += [r.created_at for r in world.repos.values()] + [a.created_at for a in world.accounts.values()]
    assert max(times) <= world.now


@pytest.mark.parametrize("monthly", [_commit_months, _fork_months, _star_months], ids=["commits", "forks", "stars"])
def test_activity_goes_on_in_the_last_months_at_the_rate_of_the_year_before(world, monthly):
    counts = monthly(world)
    last_three = [counts[m] for m in _months_before(AS_OF, 3)]
    year_before = [counts[m] for m in _months_before(AS_OF, 15)[:12]]
    assert all(n > 0 for n in last_three), last_three
    # no cliff: the last quarter runs at least at half the monthly rate of the twelve months before it
    assert sum(last_three) / 3 >= 0.5 * sum(year_before) / 12, (last_three, year_before)


def test_another_as_of_is_the_same_world_stretched_to_that_date(world, catalogue, tmp_path):
    earlier = build_world(7, SCALE, catalogue, tmp_path / "earlier", as_of=EARLIER)
    assert earlier.now == datetime(2023, 1, 1, tzinfo=UTC)
    assert max(_commit_months(earlier)) == "2022-12" and max(_fork_months(earlier)) == "2022-12"
    assert sum(_commit_months(earlier).values()) == sum(_commit_months(world).values())
    assert sorted(earlier.accounts) == sorted(world.accounts)  # the same people, only their dates moved


def test_the_same_as_of_builds_the_same_world(world, catalogue, tmp_path):
    again = build_world(7, SCALE, catalogue, tmp_path / "again", as_of=AS_OF)
    assert fingerprint(again) == fingerprint(world)
    later = build_world(7, SCALE, catalogue, tmp_path / "later", as_of=AS_OF + timedelta(days=1))
    assert fingerprint(later) != fingerprint(world)


def test_advance_moves_the_clock_past_as_of(catalogue, tmp_path):
    moving = build_world(9, 0.1, catalogue, tmp_path / "moving", as_of=AS_OF)
    start = moving.now
    advance(moving, 0.02)
    assert moving.now == start + timedelta(days=1)
    new = [c.committed_at for r in moving.repos.values() if r.tracked and r.role == "primary"
           for c in r.commits if c.committed_at > start]
    assert new and all(start < t < moving.now for t in new)
    with SandboxServer(SandboxOptions(as_of=AS_OF), world=moving) as server:  # and over HTTP, as tests move it
        moved = requests.post(f"{server.urls['stats']}/advance", params={"fraction": "0.02"}, timeout=600).json()
        paddle = requests.get(f"{server.urls['github']}/repos/PaddlePaddle/Paddle", timeout=10).json()
    assert moved["now"] == (start + timedelta(days=2)).isoformat()
    assert start + timedelta(days=1) < datetime.fromisoformat(paddle["pushed_at"].replace("Z", "+00:00")) < moving.now


def test_options_default_to_today_and_refuse_dates_the_world_cannot_have():
    assert SandboxOptions().as_of == today()
    assert SandboxOptions(as_of=AS_OF).as_of == AS_OF
    with pytest.raises(ValueError, match="future"):
        SandboxOptions(as_of=today() + timedelta(days=1))
    with pytest.raises(ValueError, match="before 2021-01-01"):
        SandboxOptions(as_of=date(2019, 6, 1))


@pytest.mark.parametrize("text, message", [("2026-13-01", "not a calendar date"), ("01/06/2026", "YYYY-MM-DD"),
                                           ("20260601", "YYYY-MM-DD"), ("2999-01-01", "in the future"),
                                           ("2020-02-02", "before 2021-01-01")])
def test_a_bad_as_of_is_one_line_and_exit_2(text, message, tmp_path, capsys):
    with pytest.raises(ValueError, match=message):
        parse_as_of(text)
    for flag, argv in (("--as-of", ["sandbox", "truth", "--out", str(tmp_path / "t")]), ("--as-of", ["sandbox", "serve"]),
                       ("--sandbox-as-of", ["run", "--sandbox", "--db", str(tmp_path / "db" / "oss.duckdb")])):
        assert main([*argv, flag, text]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {flag} ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "t").exists() and not (tmp_path / "db").exists()


def test_truth_command_writes_the_world_of_its_as_of(tmp_path):
    assert main(["sandbox", "truth", "--out", str(tmp_path / "t"), "--scale", "0.02", "--as-of", "2024-05-20"]) == 0
    assert '"now": "2024-05-20T00:00:00+00:00"' in (tmp_path / "t" / "world.json").read_text()
