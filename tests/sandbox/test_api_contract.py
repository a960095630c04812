"""The sandbox's payloads have the real services' field names, types and nesting (../shared/api-samples).

Each check compares the dotted key paths of a recorded real payload with the sandbox's payload for the
same resource: every real field must be there (except the few listed below, with the reason), and a
field both carry must have the same JSON type when neither is null.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.shared

GH = {"Authorization": "token contract"}
GL = {"PRIVATE-TOKEN": "contract"}
GITEE = {"access_token": "contract"}

# Fields of the recorded samples that the sandbox leaves out on purpose.
NOT_SERVED = {
    # parent/source belong to forks, organization to organisation-owned repositories; today's API has
    # no license.html_url
    "github/repo": {"parent", "source", "license.html_url"},
    "github/fork": {"organization", "license.html_url"},
    "github/repos": {"license.html_url"},
    # only an organisation's members see these; the sample was recorded by one
    "github/org": {"total_private_repos", "owned_private_repos", "private_gists", "disk_usage", "collaborators",
                   "billing_email", "plan", "plan.name", "plan.space", "plan.private_repos",
                   "default_repository_settings", "members_can_create_repositories"},
    "github/pr": {"milestone", "assignee", "merged_by", "mergeable"} | {f"milestone.{k}" for k in (
        "url", "html_url", "labels_url", "id", "number", "state", "title", "description", "creator", "open_issues",
        "closed_issues", "created_at", "updated_at", "closed_at", "due_on")},
    "github/issue": {"labels[]", "assignee", "assignees[]", "milestone"},
    "github/release": {"assets[]"},
    # empty lists in the synthetic items, so there is no element to look into
    "gitee/pr": {"assignees[]", "testers[]"},
    "gitee/issue": {"labels[]", "repository.assignee[]", "repository.testers[]"},
    # GitLab: the sample user is an administrator's view of a user
    "gitlab/user": {"email", "last_sign_in_at", "confirmed_at", "theme_id", "last_activity_on", "color_scheme_id",
                    "projects_limit", "current_sign_in_at", "identities[]", "can_create_group", "can_create_project",
                    "two_factor_enabled", "external"},
    "gitlab/release": {"milestones[]", "assets.links[]", "description_html"},
    "gitlab/issue": {"milestone", "assignees[]", "assignee"},
    "gitlab/merge": {"milestone", "assignee"},
    # the world keeps no parents or account links for commits
    "github/commits": {"parents[]"},
    "gitee/commits": {"parents[]", "author", "committer"},
}


def key_paths(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of every key, lists of objects looked into through their first element ("name[]")."""
    paths: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            if isinstance(item, list) and item and isinstance(item[0], dict):
                paths[f"{path}[]"] = item
                paths.update(key_paths(item[0], f"{path}[]."))
            else:
                paths[path] = item
                if isinstance(item, dict):
                    paths.update(key_paths(item, f"{path}."))
    return paths


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(name: str, real: dict, ours: dict) -> None:
    real_paths, our_paths = key_paths(real), key_paths(ours)
    skipped = NOT_SERVED.get(name, set())
    missing = {p for p in real_paths if p not in our_paths and p not in skipped
               and not any(p.startswith(s + ".") for s in skipped)}
    assert not missing, f"{name}: the sandbox lacks {sorted(missing)}"
    clashes = {p: (kind(real_paths[p]), kind(our_paths[p])) for p in real_paths if p in our_paths
               and real_paths[p] is not None and our_paths[p] is not None
               and kind(real_paths[p]) != kind(our_paths[p])}
    assert not clashes, f"{name}: types differ {clashes}"


def sample(api_samples: Path, name: str) -> dict:
    data = json.loads((api_samples / f"{name}.json").read_text())
    return data[0] if isinstance(data, list) else data


def get(url: str, **kwargs: Any) -> Any:
    answer = requests.get(url, **kwargs)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:200])
    return answer.json()


def test_github_payloads(sandbox, api_samples: Path) -> None:  # type: ignore[no-untyped-def]
    base = sandbox.urls["github"]
    assert_same_shape("github/repo", sample(api_samples, "github/repo"), get(f"{base}/repos/PaddlePaddle/Paddle", headers=GH))
    fork = get(f"{base}/repos/driveby3/Paddle", headers=GH)
    assert fork["fork"] is True and fork["parent"]["full_name"] == "PaddlePaddle/Paddle"
    assert_same_shape("github/fork", sample(api_samples, "github/repo"), fork)
    listed = get(f"{base}/repos/PaddlePaddle/Paddle/forks", headers=GH)[0]
    assert_same_shape("github/repos", sample(api_samples, "github/repos"), listed)
    assert_same_shape("github/user", sample(api_samples, "github/user"), get(f"{base}/users/gh-dev1", headers=GH))
    assert_same_shape("github/org", sample(api_samples, "github/org"), get(f"{base}/orgs/PaddlePaddle", headers=GH))
    assert_same_shape("github/release", sample(api_samples, "github/release"),
                      get(f"{base}/repos/PaddlePaddle/Paddle/releases", headers=GH)[0])
    assert_same_shape("github/pr", sample(api_samples, "github/pr"),
                      get(f"{base}/repos/PaddlePaddle/Paddle/pulls?state=all", headers=GH)[0])
    assert_same_shape("github/commits", sample(api_samples, "github/commits"),
                      get(f"{base}/repos/PaddlePaddle/Paddle/commits", headers=GH)[0])
    issues = get(f"{base}/repos/PaddlePaddle/Paddle/issues?state=all&per_page=100", headers=GH)
    assert_same_shape("github/issue", sample(api_samples, "github/issue"), next(i for i in issues if "pull_request" in i and i["closed_by"]))


def test_gitee_payloads(sandbox, api_samples: Path) -> None:  # type: ignore[no-untyped-def]
    base = sandbox.urls["gitee"]
    repo = get(f"{base}/repos/paddlepaddle/Paddle", params=GITEE)
    assert_same_shape("gitee/repo", sample(api_samples, "gitee/repo"), repo)
    fork = get(f"{base}/repos/paddlepaddle/Paddle/forks", params=GITEE)[0]
    assert_same_shape("gitee/fork", sample(api_samples, "gitee/repo"), fork)
    user = get(f"{base}/users/gitee-dev1", params=GITEE)
    assert_same_shape("gitee/user", sample(api_samples, "gitee/user"), user)
    assert set(user) == set(sample(api_samples, "gitee/user"))  # no location, no company: Gitee has none
    assert_same_shape("gitee/pr", sample(api_samples, "gitee/pr"),
                      get(f"{base}/repos/paddlepaddle/Paddle/pulls", params={**GITEE, "state": "all"})[0])
    assert_same_shape("gitee/commits", sample(api_samples, "gitee/commits"),
                      get(f"{base}/repos/paddlepaddle/Paddle/commits", params=GITEE)[0])
    assert_same_shape("gitee/issue", sample(api_samples, "gitee/issue"),
                      get(f"{base}/repos/paddlepaddle/Paddle/issues", params={**GITEE, "state": "all"})[0])


def test_gitlab_payloads(sandbox, api_samples: Path) -> None:  # type: ignore[no-untyped-def]
    base = f"{sandbox.urls['gitlab']}/api/v4"
    assert_same_shape("gitlab/repo", sample(api_samples, "gitlab/repo"), get(f"{base}/projects/900000", headers=GL))
    fork = get(f"{base}/projects/900000/forks", headers=GL)[0]
    assert fork["forked_from_project"]["id"] == 900000
    assert_same_shape("gitlab/repos", sample(api_samples, "gitlab/repos"), fork)
    assert_same_shape("gitlab/user", sample(api_samples, "gitlab/user"), get(f"{base}/users/3001", headers=GL))
    assert_same_shape("gitlab/release", sample(api_samples, "gitlab/release"),
                      get(f"{base}/projects/900000/releases", headers=GL)[0])
    assert_same_shape("gitlab/merge", sample(api_samples, "gitlab/merge"),
                      get(f"{base}/projects/900000/merge_requests?state=all", headers=GL)[0])
    assert_same_shape("gitlab/commits", sample(api_samples, "gitlab/commits"),
                      get(f"{base}/projects/900000/repository/commits", headers=GL)[0])
    assert_same_shape("gitlab/issue", sample(api_samples, "gitlab/issue"),
                      get(f"{base}/projects/900000/issues", headers=GL)[0])
    group = sample(api_samples, "gitlab/group")
    ours = get(f"{base}/groups/jihu-mirrors", headers=GL)
    assert set(group) - set(ours) == set()
