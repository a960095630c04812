"""A second GitLab instance, added by configuration alone, is mined beside the first.

`second_gitlab/catalogue.toml` extends the sandbox catalogue with `[platforms.jihu]` (api = "gitlab") and two
projects there; nothing under src/ names it. The sandbox serves it from a world of its own, under its NAME,
and the run is pointed at it with OSS_MINER_JIHU_URL and JIHU_TOKEN. Its accounts, repositories and figures
appear under its own NAME in every mart, and the first GitLab's figures and every default platform's request
counts are those of a run without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from faults_support import HASH_KEY, SCALE, SEED, environment, query, run_stages
from oss_miner.sandbox.model import World
from oss_miner.sandbox.server import SandboxOptions, SandboxServer
from oss_miner.sandbox.truth import REPOSITORIES_COLUMNS, repository_rows

CATALOGUE = Path(__file__).resolve().parent / "second_gitlab" / "catalogue.toml"
SECOND = "jihu"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    options = SandboxOptions(seed=SEED, scale=SCALE, code_search_limit=None, catalogue_path=str(CATALOGUE))
    with SandboxServer(options) as server:
        yield server


@pytest.fixture(scope="module")
def jihu(sandbox: SandboxServer) -> World:
    """The world the sandbox serves as the second GitLab."""
    return sandbox.instances[SECOND]


@pytest.fixture(scope="module")
def variables(sandbox: SandboxServer) -> dict[str, str]:
    """The environment of the runs: the sandbox's endpoints and tokens, the second GitLab's among them."""
    found = {**sandbox.environment(github="faults-github-1,faults-github-2", gitee="faults-gitee", gitlab="faults-gitlab"),
             "OSS_MINER_HASH_KEY": HASH_KEY}
    assert found["OSS_MINER_JIHU_URL"] == sandbox.urls[SECOND] == sandbox.urls["gitlab"].replace("/gitlab", "/jihu/gitlab")
    assert found["JIHU_TOKEN"]
    return found


@pytest.fixture(scope="module")
def mined(variables: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("second-gitlab") / "oss_miner.duckdb"
    with environment(variables):
        run_stages(db, config=CATALOGUE)
    return db


def test_the_sandbox_serves_it_under_its_name(sandbox):
    assert {"github", "github_graphql", "gitee", "gitlab", "stats", SECOND} <= set(sandbox.urls)
    # the main world is the sandbox catalogue's, as without the instance
    assert {r.platform for r in sandbox.world.repos.values()} == {"github", "gitee", "gitlab"}


def truth_of(world) -> dict[str, dict[str, str]]:
    """The world's tracked GitLab projects (repositories.csv of `oss-miner sandbox truth`) by path."""
    rows = [dict(zip(REPOSITORIES_COLUMNS, values)) for values in repository_rows(world)]
    return {row["full_name"]: row for row in rows if row["platform"] == "gitlab"}


def test_the_instance_is_in_the_catalogue_table(mined):
    assert query(mined, "SELECT api, operator_country FROM catalogue_platforms WHERE platform = ?", [SECOND]) == [
        ("gitlab", "CN")]


def test_its_repositories_and_figures_are_under_its_own_name(mined, jihu):
    truth = truth_of(jihu)
    assert set(truth) == {"jihu-oneflow/oneflow", "jittor-cn/jittor"}
    for path, row in truth.items():
        [(stars, forks)] = query(mined, "SELECT stars, forks FROM int_repositories WHERE platform = ? AND repo = ?",
                                 [SECOND, path])
        assert (stars, forks) == (int(row["stargazers"]), int(row["forks"])), path
        [(framework, presence_stars, presence_forks, role)] = query(
            mined, "SELECT p.framework, p.stars, p.forks, p.role FROM mart_platform_presence AS p "
                   "JOIN catalogue_repositories AS c USING (framework, platform) WHERE p.platform = ? AND c.repo = ?",
            [SECOND, path])
        assert (presence_stars, presence_forks, role) == (stars, forks, "mirror")
        [(adopted,)] = query(mined, "SELECT sum(new_forks) FROM mart_adoption_by_platform WHERE platform = ? AND framework = ?",
                             [SECOND, framework])
        assert adopted == forks
        assert query(mined, "SELECT count(*) FROM mart_repository_history WHERE platform = ? AND repo = ?",
                     [SECOND, path]) == [(1,)]
    [(mirrors,)] = query(mined, "SELECT mirrors FROM mart_platform_dependence WHERE framework = 'OneFlow'")
    assert f"{SECOND}:jihu-oneflow/oneflow" in mirrors


def test_its_accounts_and_people_are_under_its_own_name(mined, jihu):
    known = {str(a.account_id) for a in jihu.accounts.values() if a.platform == "gitlab"}  # ids are text
    ours = {i for (i,) in query(mined, "SELECT account_id FROM mart_accounts WHERE platform = ?", [SECOND])}
    assert ours and ours <= known
    # its projects' history exists only there: the commits are credited to it
    assert query(mined, "SELECT count(*) > 0 FROM mart_contributor_geography WHERE platform = ?", [SECOND]) == [(True,)]
    assert query(mined, "SELECT sum(people) > 0 FROM mart_platform_presence WHERE platform = ?", [SECOND]) == [(True,)]


def test_its_requests_are_its_own_and_the_first_gitlab_is_as_without_it(mined, reference):
    [(requests,)] = query(mined, "SELECT sum(requests) FROM run_platforms WHERE platform = ?", [SECOND])
    assert requests > 0
    per_platform = "SELECT platform, sum(requests) FROM run_platforms WHERE platform IN ('github', 'gitee', 'gitlab') GROUP BY 1"
    assert dict(query(mined, per_platform)) == dict(query(reference.one_run, per_platform))
    first = "SELECT repo, stars, forks FROM int_repositories WHERE platform = 'gitlab' ORDER BY repo"
    assert query(mined, first) == query(reference.one_run, first)


def test_platform_chooses_the_instance_by_name(variables, tmp_path):
    db = tmp_path / "oss_miner.duckdb"
    with environment(variables):
        run_stages(db, config=CATALOGUE, platforms=(SECOND,))
    asked = "SELECT DISTINCT platform FROM run_platforms WHERE requests > 0 AND platform <> 'git'"
    assert query(db, asked) == [(SECOND,)]
    assert {p for (p,) in query(db, "SELECT DISTINCT platform FROM raw_repositories")} == {SECOND}
