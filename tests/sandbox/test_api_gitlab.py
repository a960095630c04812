"""Unmodified python-gitlab and requests against the sandbox's GitLab v4."""

from __future__ import annotations

import gitlab
import pytest
import requests

from oss_miner.sandbox import derive
from oss_miner.sandbox.protocol import WorldView

from fixtures import GITLAB_FORKS, GITLAB_STARS

HEADERS = {"PRIVATE-TOKEN": "gitlab-reader"}


@pytest.fixture(scope="module")
def gl(sandbox):  # type: ignore[no-untyped-def]
    return gitlab.Gitlab(url=sandbox.urls["gitlab"], private_token="gitlab-reader", per_page=10)


def test_project_by_path_and_by_id(gl, shared_world) -> None:  # type: ignore[no-untyped-def]
    by_path = gl.projects.get("jihu-mirrors/paddle")
    by_id = gl.projects.get(900_000)
    assert by_path.id == by_id.id == 900_000
    assert by_path.path_with_namespace == "jihu-mirrors/paddle" and by_path.mirror is True
    assert by_path.star_count == GITLAB_STARS and by_path.forks_count == GITLAB_FORKS
    assert by_path.http_url_to_repo.startswith("file://")
    empty = gl.projects.get("jihu-mirrors/jittor")
    assert empty.empty_repo is True and empty.default_branch is None


def test_every_contributor_fork_starrer_release(gl, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("gitlab", 900_000)]
    view = WorldView(shared_world)
    project = gl.projects.get("jihu-mirrors/paddle")
    contributors = project.repository_contributors(get_all=True)
    expected = derive.contributors(shared_world, truth)
    assert len(contributors) == len(expected)
    assert set(contributors[0]) == {"name", "email", "commits", "additions", "deletions"}
    assert sum(c["commits"] for c in contributors) == sum(e.contributions for e in expected)
    forks = project.forks.list(get_all=True)
    assert sorted(f.id for f in forks) == sorted(f.fork_id for f in view.forks(truth))
    assert forks[0].forked_from_project["id"] == 900_000
    starrers = gl.http_list(f"/projects/{project.id}/starrers", get_all=True)  # python-gitlab has no manager for it
    assert [s["user"]["id"] for s in starrers] == [s.account_id for s in view.stars(truth)]
    assert [r.tag_name for r in project.releases.list(get_all=True)] == ["v1", "v0"]


def test_commits_keep_the_authors_offset(gl, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = derive.default_branch_commits(shared_world.repos[("gitlab", 900_000)])
    commits = gl.projects.get("jihu-mirrors/paddle").commits.list(get_all=True)
    assert [c.id for c in commits] == [c.sha for c in truth][::-1]
    assert commits[-1].authored_date.endswith("+08:00")


def test_merge_requests_issues_users_groups(gl, shared_world) -> None:  # type: ignore[no-untyped-def]
    truth = shared_world.repos[("gitlab", 900_000)]
    project = gl.projects.get("jihu-mirrors/paddle")
    assert len(project.mergerequests.list(state="all", get_all=True)) == sum(truth.pulls.values())
    assert len(project.mergerequests.list(state="merged", get_all=True)) == truth.pulls["merged"]
    assert len(project.issues.list(state="all", get_all=True)) == sum(truth.issues.values())
    one = project.mergerequests.list(state="all", per_page=1, iterator=True)
    assert one.total == sum(truth.pulls.values())
    user = gl.users.get(3001)
    assert user.username == "gitlab-dev1"
    assert [u.id for u in gl.users.list(username="gitlab-dev2")] == [3002]
    assert gl.users.list(username="nobody-here") == []
    group = gl.groups.get("jihu-mirrors")
    assert sorted(p.path_with_namespace for p in group.projects.list(get_all=True)) == [
        "jihu-mirrors/jittor", "jihu-mirrors/paddle"]
    gl.auth()
    assert gl.user.username.startswith("token-")
    with pytest.raises(gitlab.exceptions.GitlabGetError):
        gl.projects.get("nobody/nothing")


def test_paging_headers_and_the_ten_thousand_cut(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox()
    project = server.world.repos[("gitlab", 900_000)]
    project.issues = {"open": 3, "closed": 10_500}
    project.version += 1
    base = f"{server.urls['gitlab']}/api/v4/projects/jihu-mirrors%2Fpaddle"
    small = requests.get(f"{base}/starrers", params={"per_page": 20, "page": 2}, headers=HEADERS)
    assert small.headers["X-Total"] == str(GITLAB_STARS) and small.headers["X-Total-Pages"] == "2"
    assert small.headers["X-Page"] == "2" and small.headers["X-Prev-Page"] == "1" and small.headers["X-Next-Page"] == ""
    assert 'rel="last"' in small.headers["Link"]
    big = requests.get(f"{base}/issues", params={"state": "all", "per_page": 1}, headers=HEADERS)
    assert "X-Total" not in big.headers and "X-Total-Pages" not in big.headers
    assert big.headers["X-Next-Page"] == "2" and 'rel="next"' in big.headers["Link"] and 'rel="last"' not in big.headers["Link"]
    counted = requests.get(f"{base}/issues", params={"state": "opened", "per_page": 1}, headers=HEADERS)
    assert counted.headers["X-Total"] == "3"


def test_renamed_project_still_answers_at_its_old_path(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    server = make_sandbox()
    project = server.world.repos[("gitlab", 900_000)]
    project.former_names.append(project.full_name)
    project.full_name = "jihu-mirrors/paddle-renamed"
    server.state.view.refresh(force=True)
    old = requests.get(f"{server.urls['gitlab']}/api/v4/projects/jihu-mirrors%2Fpaddle", headers=HEADERS)
    assert old.status_code == 200 and old.json()["path_with_namespace"] == "jihu-mirrors/paddle-renamed"
