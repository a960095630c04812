"""A second GitLab instance, added by configuration alone, is mined beside the first.

`second_gitlab/catalogue.toml` extends the sandbox catalogue with `[platforms.jihu]` (api = "gitlab") and two
projects there; the run is pointed at it with OSS_MINER_JIHU_URL and JIHU_TOKEN. Nothing under src/ names
it. A second sandbox (`second_gitlab/world.toml`, another seed) serves its projects. Its accounts,
repositories and figures appear under its own NAME in every mart, and the first GitLab's figures and request
counts are those of a run without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from faults_support import HASH_KEY, SCALE, SEED, environment, query, run_stages, sandbox_environment
from oss_miner.sandbox.server import SandboxOptions, SandboxServer
from oss_miner.sandbox.truth import REPOSITORIES_COLUMNS, repository_rows

HERE = Path(__file__).resolve().parent / "second_gitlab"
SECOND = "jihu"


@pytest.fixture(scope="module")
def jihu() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxOptions(seed=SEED + 4, scale=SCALE, catalogue_path=str(HERE / "world.toml"))) as server:
        yield server


@pytest.fixture(scope="module")
def mined(clean_sandbox: SandboxServer, jihu: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("second-gitlab") / "oss_miner.duckdb"
    variables = {**sandbox_environment(clean_sandbox.urls), "OSS_MINER_HASH_KEY": HASH_KEY,
                 "OSS_MINER_JIHU_URL": jihu.urls["gitlab"], "JIHU_TOKEN": "sandbox-jihu"}
    with environment(variables):
        run_stages(db, config=HERE / "catalogue.toml")
    return db


def truth_of(server: SandboxServer) -> dict[str, dict[str, str]]:
    """The world's tracked GitLab projects (repositories.csv of `oss-miner sandbox truth`) by path."""
    rows = [dict(zip(REPOSITORIES_COLUMNS, values)) for values in repository_rows(server.world)]
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
    known = {a.account_id for a in jihu.world.accounts.values() if a.platform == "gitlab"}
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
