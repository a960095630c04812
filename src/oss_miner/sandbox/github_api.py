"""GitHub REST v3, the subset oss-miner uses, with GitHub's payload shapes and protocol quirks.

Quirks kept on purpose: `/contributors` links only the accounts derive.py links (the first 500 author
emails) and lists the rest only with `anon=1`; it answers 204 for an empty repository and 403 for a
repository marked huge. `/stargazers` has no order parameter and refuses pages beyond 400 (422); the
`star+json` media type adds `starred_at`. `/issues` lists pull requests too. A renamed repository
answers 301 pointing at its new name on the same host (GitHub itself points at `/repositories/{id}`,
which the sandbox serves too). Code search allows 10 requests a minute and reads at most
1,000 results.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any, Callable

from oss_miner.sandbox import derive
from oss_miner.sandbox.model import Account, Commit, Fork, Release, Repo
from oss_miner.sandbox.protocol import (
    ActivityItem, Ctx, Reply, commit_sha, commits_between, github_links, github_time, node_id, window,
)

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState

DOCS = "https://docs.github.com/rest"
STAR_MEDIA = "star+json"
STARGAZER_PAGE_LIMIT = 400
SEARCH_RESULT_LIMIT = 1000
TOO_LARGE = "The history or contributor list is too large to list contributors for this repository via the API."
LICENSES = {"Apache-2.0": ("apache-2.0", "Apache License 2.0"), "MIT": ("mit", "MIT License"),
            "BSD-3-Clause": ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License'),
            "GPL-3.0": ("gpl-3.0", "GNU General Public License v3.0")}


def not_found(doc: str = "") -> Reply:
    return Reply({"message": "Not Found", "documentation_url": f"{DOCS}{doc}", "status": "404"}, status=404)


def self_account_id(name: str) -> int:
    """A stable id for the account behind a token (not part of the synthetic world)."""
    return 90_000_000 + int(hashlib.sha1(name.encode()).hexdigest()[:6], 16)


class Urls:
    def __init__(self, origin: str):
        self.api = f"{origin}/github"
        self.web = f"{origin}/web/github"


def account_kind(account: Account) -> str:
    return {"Organization": "Organization", "Bot": "Bot"}.get(account.type, "User")


def simple_user(urls: Urls, account: Account) -> dict[str, Any]:
    api = f"{urls.api}/users/{account.login}"
    return {
        "login": account.login,
        "id": account.account_id,
        "node_id": node_id(account_kind(account), account.account_id),
        "avatar_url": f"{urls.web}/avatars/u/{account.account_id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{account.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": account_kind(account),
        "user_view_type": "public",
        "site_admin": False,
    }


def full_user(urls: Urls, account: Account) -> dict[str, Any]:
    return {
        **simple_user(urls, account),
        "name": account.name,
        "company": account.company,
        "blog": account.blog or "",
        "location": account.location,
        "email": account.email,
        "hireable": None,
        "bio": account.bio,
        "twitter_username": None,
        "public_repos": account.public_repos,
        "public_gists": 0,
        "followers": account.followers,
        "following": 0,
        "created_at": github_time(account.created_at),
        "updated_at": github_time(account.created_at),
    }


def org_payload(urls: Urls, account: Account) -> dict[str, Any]:
    api = f"{urls.api}/orgs/{account.login}"
    return {
        "login": account.login,
        "id": account.account_id,
        "node_id": node_id("Organization", account.account_id),
        "url": api,
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{urls.web}/avatars/u/{account.account_id}?v=4",
        "description": account.bio,
        "name": account.name,
        "company": account.company,
        "blog": account.blog or "",
        "location": account.location,
        "email": account.email,
        "twitter_username": None,
        "is_verified": False,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": account.public_repos,
        "public_gists": 0,
        "followers": account.followers,
        "following": 0,
        "html_url": f"{urls.web}/{account.login}",
        "created_at": github_time(account.created_at),
        "updated_at": github_time(account.created_at),
        "archived_at": None,
        "type": "Organization",
    }


def _repo_urls(urls: Urls, full_name: str) -> dict[str, str]:
    api = f"{urls.api}/repos/{full_name}"
    web = f"{urls.web}/{full_name}"
    host = urls.web.split("://", 1)[1]
    return {
        "url": api, "html_url": web,
        "archive_url": f"{api}/{{archive_format}}{{/ref}}", "assignees_url": f"{api}/assignees{{/user}}",
        "blobs_url": f"{api}/git/blobs{{/sha}}", "branches_url": f"{api}/branches{{/branch}}",
        "clone_url": f"{web}.git", "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}", "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}", "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors", "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads", "events_url": f"{api}/events", "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}", "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}", "git_url": f"git://{host}/{full_name}.git",
        "hooks_url": f"{api}/hooks", "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "issue_events_url": f"{api}/issues/events{{/number}}", "issues_url": f"{api}/issues{{/number}}",
        "keys_url": f"{api}/keys{{/key_id}}", "labels_url": f"{api}/labels{{/name}}",
        "languages_url": f"{api}/languages", "merges_url": f"{api}/merges",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}", "releases_url": f"{api}/releases{{/id}}",
        "ssh_url": f"git@{host}:{full_name}.git", "stargazers_url": f"{api}/stargazers",
        "statuses_url": f"{api}/statuses/{{sha}}", "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription", "svn_url": web, "tags_url": f"{api}/tags",
        "teams_url": f"{api}/teams", "trees_url": f"{api}/git/trees{{/sha}}",
    }


def _license(spdx: str | None) -> dict[str, Any] | None:
    if not spdx:
        return None
    key, name = LICENSES.get(spdx, (spdx.lower(), spdx))
    return {"key": key, "name": name, "spdx_id": spdx, "url": f"https://api.github.com/licenses/{key}",
            "node_id": "MDc6TGljZW5zZTI="}


class GithubApi:
    """The REST endpoints; `routes()` lists them for the app factory."""

    def __init__(self, state: "SandboxState"):
        self.state = state
        self.view = state.view

    # ------------------------------------------------------------------ payloads
    def owner(self, urls: Urls, owner_id: int) -> dict[str, Any] | None:
        account = self.view.account("github", owner_id) or self.state.world.accounts.get(("github", owner_id))
        return simple_user(urls, account) if account else None

    def repo_payload(self, urls: Urls, repo: Repo, *, detail: bool = False) -> dict[str, Any]:
        return self.view.payload(("github-repo", urls.api, detail), repo,
                                 lambda: self._repo_payload(urls, repo, detail=detail))

    def _repo_payload(self, urls: Urls, repo: Repo, *, detail: bool) -> dict[str, Any]:
        name = repo.full_name.split("/", 1)[1]
        activity = self.view.activity(repo)
        stars = len(self.view.stars(repo))
        payload: dict[str, Any] = {
            "id": repo.repo_id,
            "node_id": node_id("Repository", repo.repo_id),
            "name": name,
            "full_name": repo.full_name,
            "private": False,
            "owner": self.owner(urls, repo.owner_id),
            "description": repo.description,
            "fork": repo.parent_full_name is not None,
            "visibility": "public",
            **_repo_urls(urls, repo.full_name),
            "mirror_url": repo.mirror_url if repo.is_mirror else None,
            "homepage": repo.homepage,
            "language": repo.language,
            "forks_count": len(self.view.forks(repo)),
            "stargazers_count": stars,
            "watchers_count": stars,
            "size": 3 * len(repo.commits),
            "default_branch": repo.default_branch,
            "open_issues_count": activity.count({"issue", "pull"}, {"open"}),
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": repo.archived,
            "disabled": False,
            "pushed_at": github_time(repo.pushed_at),
            "created_at": github_time(repo.created_at),
            "updated_at": github_time(repo.updated_at),
            "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
            "allow_forking": True,
            "allow_rebase_merge": True,
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "web_commit_signoff_required": False,
            "license": _license(repo.license),
            "forks": len(self.view.forks(repo)),
            "open_issues": activity.count({"issue", "pull"}, {"open"}),
            "watchers": stars,
            "subscribers_count": max(1, stars // 20),
            "network_count": len(self.view.forks(repo)),
        }
        if repo.git_dir is not None:
            payload["clone_url"] = repo.git_dir.resolve().as_uri()
        if detail:
            owner = self.view.account("github", repo.owner_id)
            if owner is not None and owner.type == "Organization":
                payload["organization"] = simple_user(urls, owner)
            parent = self.view.repo("github", repo.parent_full_name) if repo.parent_full_name else None
            if parent is not None:
                payload["parent"] = payload["source"] = self.repo_payload(urls, parent)
        return payload

    def fork_payload(self, urls: Urls, parent: Repo, fork: Fork, *, detail: bool = False) -> dict[str, Any]:
        if not detail:
            return self.view.payload(("github-fork", urls.api, fork.fork_id), parent,
                                     lambda: self._fork_payload(urls, parent, fork, detail=False))
        return self._fork_payload(urls, parent, fork, detail=True)

    def _fork_payload(self, urls: Urls, parent: Repo, fork: Fork, *, detail: bool) -> dict[str, Any]:
        name = fork.full_name.split("/", 1)[1]
        return {
            "id": fork.fork_id,
            "node_id": node_id("Repository", fork.fork_id),
            "name": name,
            "full_name": fork.full_name,
            "private": False,
            "owner": self.owner(urls, fork.owner_id),
            "description": parent.description,
            "fork": True,
            "visibility": "public",
            **_repo_urls(urls, fork.full_name),
            "mirror_url": None,
            "homepage": None,
            "language": parent.language,
            "forks_count": 0,
            "stargazers_count": fork.stars,
            "watchers_count": fork.stars,
            "size": 3 * len(parent.commits),
            "default_branch": parent.default_branch,
            "open_issues_count": 0,
            "is_template": False,
            "topics": [],
            "has_issues": False,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "pushed_at": github_time(fork.pushed_at),
            "created_at": github_time(fork.created_at),
            "updated_at": github_time(max(fork.pushed_at, fork.created_at)),
            "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
            "allow_forking": True,
            "allow_rebase_merge": True,
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "web_commit_signoff_required": False,
            "license": _license(parent.license),
            "forks": 0,
            "open_issues": 0,
            "watchers": fork.stars,
            "subscribers_count": 0,
            "network_count": len(self.view.forks(parent)),
            **({"parent": self.repo_payload(urls, parent), "source": self.repo_payload(urls, parent)} if detail else {}),
        }

    def release_payload(self, urls: Urls, repo: Repo, release: Release) -> dict[str, Any]:
        api = f"{urls.api}/repos/{repo.full_name}"
        return {
            "url": f"{api}/releases/{release.release_id}",
            "assets_url": f"{api}/releases/{release.release_id}/assets",
            "upload_url": f"{urls.api}/uploads/repos/{repo.full_name}/releases/{release.release_id}/assets{{?name,label}}",
            "html_url": f"{urls.web}/{repo.full_name}/releases/tag/{release.tag_name}",
            "id": release.release_id,
            "author": self.owner(urls, repo.owner_id),
            "node_id": node_id("Release", release.release_id),
            "tag_name": release.tag_name,
            "target_commitish": repo.default_branch,
            "name": release.name,
            "draft": False,
            "prerelease": release.prerelease,
            "created_at": github_time(release.created_at),
            "published_at": github_time(release.published_at),
            "assets": [],
            "tarball_url": f"{api}/tarball/{release.tag_name}",
            "zipball_url": f"{api}/zipball/{release.tag_name}",
            "body": f"Release {release.tag_name} of the synthetic {repo.full_name}.",
        }

    def _author(self, urls: Urls, item: ActivityItem, repo: Repo) -> dict[str, Any] | None:
        account = self.view.account("github", item.author_id) or self.view.account("github", repo.owner_id)
        return simple_user(urls, account) if account else None

    def issue_payload(self, urls: Urls, repo: Repo, item: ActivityItem) -> dict[str, Any]:
        api = f"{urls.api}/repos/{repo.full_name}"
        issue_id = repo.repo_id * 100_000 + item.number
        user = self._author(urls, item, repo)
        payload = {
            "url": f"{api}/issues/{item.number}",
            "repository_url": api,
            "labels_url": f"{api}/issues/{item.number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{item.number}/comments",
            "events_url": f"{api}/issues/{item.number}/events",
            "html_url": f"{urls.web}/{repo.full_name}/{'pull' if item.kind == 'pull' else 'issues'}/{item.number}",
            "id": issue_id,
            "node_id": node_id("PullRequest" if item.kind == "pull" else "Issue", issue_id),
            "number": item.number,
            "title": f"Synthetic {'pull request' if item.kind == 'pull' else 'issue'} {item.number}",
            "user": user,
            "labels": [],
            "state": "open" if item.state == "open" else "closed",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": item.number % 7,
            "created_at": github_time(item.created_at),
            "updated_at": github_time(item.closed_at or item.created_at),
            "closed_at": github_time(item.closed_at),
            "closed_by": user if item.closed_at else None,
            "author_association": "CONTRIBUTOR",
            "state_reason": None if item.state == "open" else "completed",
            "body": None,
        }
        if item.kind == "pull":
            payload["pull_request"] = {
                "url": f"{api}/pulls/{item.number}",
                "html_url": f"{urls.web}/{repo.full_name}/pull/{item.number}",
                "diff_url": f"{urls.web}/{repo.full_name}/pull/{item.number}.diff",
                "patch_url": f"{urls.web}/{repo.full_name}/pull/{item.number}.patch",
                "merged_at": github_time(item.closed_at) if item.state == "merged" else None,
            }
        return payload

    def pull_payload(self, urls: Urls, repo: Repo, item: ActivityItem, repo_body: dict) -> dict[str, Any]:
        api = f"{urls.api}/repos/{repo.full_name}"
        web = f"{urls.web}/{repo.full_name}/pull/{item.number}"
        user = self._author(urls, item, repo)
        sha = hashlib.sha1(f"{repo.repo_id}:{item.number}".encode()).hexdigest()
        merged = item.state == "merged"
        return {
            "url": f"{api}/pulls/{item.number}",
            "id": repo.repo_id * 100_000 + item.number,
            "node_id": node_id("PullRequest", repo.repo_id * 100_000 + item.number),
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "issue_url": f"{api}/issues/{item.number}",
            "commits_url": f"{api}/pulls/{item.number}/commits",
            "review_comments_url": f"{api}/pulls/{item.number}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{item.number}/comments",
            "statuses_url": f"{api}/statuses/{sha}",
            "number": item.number,
            "state": "open" if item.state == "open" else "closed",
            "locked": False,
            "title": f"Synthetic pull request {item.number}",
            "user": user,
            "body": None,
            "labels": [],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": github_time(item.created_at),
            "updated_at": github_time(item.closed_at or item.created_at),
            "closed_at": github_time(item.closed_at),
            "merged_at": github_time(item.closed_at) if merged else None,
            "merge_commit_sha": sha if merged else None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": {"label": f"{repo.full_name.split('/')[0]}:topic-{item.number}", "ref": f"topic-{item.number}",
                     "sha": sha, "user": user, "repo": repo_body},
            "base": {"label": f"{repo.full_name.split('/')[0]}:{repo.default_branch}", "ref": repo.default_branch,
                     "sha": sha, "user": repo_body["owner"], "repo": repo_body},
            "_links": {
                "self": {"href": f"{api}/pulls/{item.number}"}, "html": {"href": web},
                "issue": {"href": f"{api}/issues/{item.number}"},
                "comments": {"href": f"{api}/issues/{item.number}/comments"},
                "review_comments": {"href": f"{api}/pulls/{item.number}/comments"},
                "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
                "commits": {"href": f"{api}/pulls/{item.number}/commits"},
                "statuses": {"href": f"{api}/statuses/{sha}"},
            },
            "author_association": "CONTRIBUTOR",
            "auto_merge": None,
            "draft": False,
            "merged": merged,
            "mergeable": None,
            "merged_by": user if merged else None,
            "comments": item.number % 7,
            "commits": 1 + item.number % 5,
            "additions": 10 * (1 + item.number % 13),
            "deletions": 3 * (1 + item.number % 11),
            "changed_files": 1 + item.number % 4,
            "maintainer_can_modify": False,
        }

    # ------------------------------------------------------------------ resolution
    def _resolve(self, ctx: Ctx, owner: str, name: str, suffix: str) -> Repo | tuple[Repo, Fork] | Reply:
        full_name = f"{owner}/{name}"
        repo = self.view.repo("github", full_name)
        if repo is not None:
            return repo
        fork = self.view.fork("github", full_name)
        if fork is not None:
            return fork
        moved = self.view.renamed("github", full_name)
        if moved is not None:
            query = ctx.request.url.query
            location = f"{Urls(ctx.origin).api}/repos/{moved.full_name}{suffix}" + (f"?{query}" if query else "")
            return Reply({"message": "Moved Permanently", "url": location, "documentation_url": f"{DOCS}/guides/best-practices-for-using-the-rest-api#follow-redirects"},
                         status=301, headers={"Location": location})
        return not_found("/repos/repos#get-a-repository")

    def _resolve_id(self, repo_id: str) -> Repo | tuple[Repo, Fork] | Reply:
        if not repo_id.isdigit():
            return not_found()
        number = int(repo_id)
        return self.view.repo_by_id("github", number) or self.view.fork_by_id("github", number) or not_found()

    def repo_endpoint(self, suffix: str, fn: Callable[[Ctx, Repo | tuple[Repo, Fork]], Reply]) -> list[tuple[str, Callable]]:
        """The same handler at /repos/{owner}/{repo}{suffix} and /repositories/{id}{suffix}."""
        def by_name(ctx: Ctx, owner: str, repo: str) -> Reply:
            target = self._resolve(ctx, owner, repo, suffix)
            return target if isinstance(target, Reply) else fn(ctx, target)

        def by_id(ctx: Ctx, repo_id: str) -> Reply:
            target = self._resolve_id(repo_id)
            return target if isinstance(target, Reply) else fn(ctx, target)

        return [(f"/repos/{{owner}}/{{repo}}{suffix}", by_name), (f"/repositories/{{repo_id}}{suffix}", by_id)]

    # ------------------------------------------------------------------ endpoints
    def get_repo(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        urls = Urls(ctx.origin)
        if isinstance(target, tuple):
            return Reply(self.fork_payload(urls, *target, detail=True))
        return Reply(self.repo_payload(urls, target, detail=True))

    def _paged(self, ctx: Ctx, items: list, render: Callable[[Any], Any], *, last_cap: int | None = None) -> Reply:
        win = window(ctx, 30)
        return Reply([render(i) for i in win.cut(items)], headers=github_links(ctx, win, len(items), last_cap))

    def contributors(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return Reply(status=204)
        status = self.view.contributors_status(target)
        if status == "too_large":
            return Reply({"message": TOO_LARGE, "documentation_url": f"{DOCS}/repos/repos#list-repository-contributors",
                          "status": "403"}, status=403)
        if status == "empty":
            return Reply(status=204)
        urls = Urls(ctx.origin)

        def render(entry: Any) -> dict[str, Any]:
            if entry.account_id is None:
                return {"email": entry.email, "name": entry.name, "type": "Anonymous",
                        "contributions": entry.contributions}
            account = self.state.world.accounts[("github", entry.account_id)]
            return {**simple_user(urls, account), "contributions": entry.contributions}

        return self._paged(ctx, self.view.contributors(target, anon=ctx.flag("anon")), render)

    def forks(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda f: f)
        urls = Urls(ctx.origin)
        sort = ctx.arg("sort", "newest")
        if sort not in ("newest", "oldest", "stargazers", "watchers"):
            sort = "newest"
        return self._paged(ctx, self.view.forks(target, sort), lambda f: self.fork_payload(urls, target, f))

    def stargazers(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        win = window(ctx, 30)
        if win.page > STARGAZER_PAGE_LIMIT:
            return Reply({"message": "In order to keep the API fast for everyone, pagination is limited for this "
                                     "resource. Check the rel=last link relation in the Link response header to see "
                                     "how far back you can traverse.",
                          "documentation_url": f"{DOCS}/overview/resources-in-the-rest-api#pagination"}, status=422)
        stars = [] if isinstance(target, tuple) else self.view.stars(target)
        urls = Urls(ctx.origin)
        with_dates = STAR_MEDIA in (ctx.headers.get("accept") or "")

        def render(star: Any) -> dict[str, Any]:
            user = simple_user(urls, self.view.account("github", star.account_id))
            return {"starred_at": github_time(star.starred_at), "user": user} if with_dates else user

        return self._paged(ctx, stars, render, last_cap=STARGAZER_PAGE_LIMIT)

    def releases(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        return self._paged(ctx, self.view.releases(target), lambda r: self.release_payload(urls, target, r))

    def commits(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda c: c)
        if self.view.is_empty(target):
            return Reply({"message": "Git Repository is empty.", "documentation_url": f"{DOCS}/commits/commits#list-commits",
                          "status": "409"}, status=409)
        if ctx.arg("sha") not in (None, "", target.default_branch):
            return Reply([])  # the world keeps the default branch's history only
        urls = Urls(ctx.origin)
        commits = commits_between(self.view.commits(target), ctx.arg("since"), ctx.arg("until"))
        return self._paged(ctx, commits, lambda c: self.commit_payload(urls, target, c))

    def commit_payload(self, urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
        sha = commit_sha(commit)
        api = f"{urls.api}/repos/{repo.full_name}"
        author = self.view.account_of_email(commit.author_email)
        committer = self.view.account_of_email(commit.committer_email)
        return {
            "sha": sha, "node_id": base64.b64encode(f"06:Commit{repo.repo_id}:{sha}".encode()).decode(),
            "commit": {
                "author": {"name": commit.author_name, "email": commit.author_email,
                           "date": github_time(commit.authored_at)},
                "committer": {"name": commit.committer_name, "email": commit.committer_email,
                              "date": github_time(commit.committed_at)},
                "message": commit.message,
                "tree": {"sha": hashlib.sha1(sha.encode()).hexdigest(), "url": f"{api}/git/trees/{sha}"},
                "url": f"{api}/git/commits/{sha}", "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                                 "verified_at": None},
            },
            "url": f"{api}/commits/{sha}", "html_url": f"{urls.web}/{repo.full_name}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "author": simple_user(urls, author) if author else None,
            "committer": simple_user(urls, committer) if committer else None,
            "parents": [],
        }

    def _activity_page(self, ctx: Ctx, repo: Repo, kinds: set[str], render: Callable[[ActivityItem], Any]) -> Reply:
        state = ctx.arg("state", "open")
        states = {"open": {"open"}, "closed": {"closed", "merged"}, "all": {"open", "closed", "merged"}}.get(state)
        if states is None:
            return Reply({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "state", "code": "invalid"}],
                          "documentation_url": DOCS}, status=422)
        activity = self.view.activity(repo)
        win = window(ctx, 30)
        total = activity.count(kinds, states)
        numbers = activity.numbers_desc(kinds, states, win.start, win.per_page)
        return Reply([render(activity.item(n)) for n in numbers], headers=github_links(ctx, win, total))

    def pulls(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        repo_body = self.repo_payload(urls, target)
        return self._activity_page(ctx, target, {"pull"}, lambda i: self.pull_payload(urls, target, i, repo_body))

    def issues(self, ctx: Ctx, target: Repo | tuple[Repo, Fork]) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        return self._activity_page(ctx, target, {"issue", "pull"}, lambda i: self.issue_payload(urls, target, i))

    def _single_item(self, ctx: Ctx, owner: str, repo: str, number: str, kinds: set[str]) -> Reply:
        target = self._resolve(ctx, owner, repo, f"/{'pulls' if kinds == {'pull'} else 'issues'}/{number}")
        if isinstance(target, Reply):
            return target
        if isinstance(target, tuple) or not number.isdigit():
            return not_found()
        activity = self.view.activity(target)
        if not 1 <= int(number) <= activity.total:
            return not_found()
        item = activity.item(int(number))
        if item.kind not in kinds:
            return not_found()
        urls = Urls(ctx.origin)
        if kinds == {"pull"}:
            return Reply(self.pull_payload(urls, target, item, self.repo_payload(urls, target)))
        return Reply(self.issue_payload(urls, target, item))

    def pull(self, ctx: Ctx, owner: str, repo: str, number: str) -> Reply:
        return self._single_item(ctx, owner, repo, number, {"pull"})

    def issue(self, ctx: Ctx, owner: str, repo: str, number: str) -> Reply:
        return self._single_item(ctx, owner, repo, number, {"issue", "pull"})

    def user(self, ctx: Ctx, username: str) -> Reply:
        account = self.view.account_by_login("github", username)
        if account is None:
            return not_found("/users/users#get-a-user")
        return Reply(full_user(Urls(ctx.origin), account))

    def user_by_id(self, ctx: Ctx, account_id: str) -> Reply:
        account = self.view.account("github", int(account_id)) if account_id.isdigit() else None
        if account is None:
            return not_found("/users/users#get-a-user")
        return Reply(full_user(Urls(ctx.origin), account))

    def _owner_repos(self, ctx: Ctx, repos: list[Repo]) -> Reply:
        urls = Urls(ctx.origin)
        ordered = sorted(repos, key=lambda r: (r.created_at, r.repo_id), reverse=True)
        return self._paged(ctx, ordered, lambda r: self.repo_payload(urls, r))

    def user_repos(self, ctx: Ctx, username: str) -> Reply:
        account = self.view.account_by_login("github", username)
        if account is None:
            return not_found("/repos/repos#list-repositories-for-a-user")
        return self._owner_repos(ctx, self.view.repos_of("github", account.account_id))

    def org(self, ctx: Ctx, org: str) -> Reply:
        account = self.view.account_by_login("github", org)
        if account is None or account.type != "Organization":
            return not_found("/orgs/orgs#get-an-organization")
        return Reply(org_payload(Urls(ctx.origin), account))

    def org_repos(self, ctx: Ctx, org: str) -> Reply:
        account = self.view.account_by_login("github", org)
        if account is None or account.type != "Organization":
            return not_found("/repos/repos#list-organization-repositories")
        return self._owner_repos(ctx, self.view.org_repos("github", account))

    def authenticated_user(self, ctx: Ctx) -> Reply:
        if ctx.account is None:
            return Reply({"message": "Requires authentication", "documentation_url": f"{DOCS}/users/users#get-the-authenticated-user",
                          "status": "401"}, status=401)
        me = Account("github", self_account_id(ctx.account), ctx.account, "User", None, ctx.account, None, None,
                     None, None, "A token's account in the forge sandbox", self.state.world.now)
        return Reply({**full_user(Urls(ctx.origin), me), "private_gists": 0, "total_private_repos": 0,
                      "owned_private_repos": 0, "disk_usage": 0, "collaborators": 0, "two_factor_authentication": True})

    def rate_limit(self, ctx: Ctx) -> Reply:
        account = ctx.account or "anonymous"
        resources = {}
        for resource in ("core", "graphql", "code_search", "search"):
            budget = self.state.budget("github", account, resource)
            resources[resource] = {"limit": budget.limit, "used": min(budget.used, budget.limit),
                                   "remaining": budget.remaining, "reset": int(budget.reset_at + 0.999)}
        return Reply({"resources": resources, "rate": resources["core"]})

    def search_code(self, ctx: Ctx) -> Reply:
        if ctx.account is None:
            return Reply({"message": "Requires authentication", "errors": [{"message": "Must be authenticated to access the code search API", "resource": "Search", "field": "q", "code": "invalid"}],
                          "documentation_url": f"{DOCS}/search/search#search-code", "status": "401"}, status=401)
        query = ctx.arg("q") or ""
        try:
            search = CodeQuery.parse(query)
        except ValueError as exc:
            return Reply({"message": "Validation Failed", "errors": [{"message": str(exc), "resource": "Search",
                          "field": "q", "code": "invalid"}], "documentation_url": f"{DOCS}/search/search#search-code",
                          "status": "422"}, status=422)
        win = window(ctx, 30)
        if win.start >= SEARCH_RESULT_LIMIT:
            return Reply({"message": "Only the first 1000 search results are available",
                          "documentation_url": f"{DOCS}/search/search#search-code", "status": "422"}, status=422)
        matches = search.search(self.state.world)
        reachable = matches[:SEARCH_RESULT_LIMIT]
        urls = Urls(ctx.origin)
        items = [self.code_item(urls, repo, path) for repo, path in win.cut(reachable)]
        return Reply({"total_count": len(matches), "incomplete_results": len(matches) > SEARCH_RESULT_LIMIT,
                      "items": items}, headers=github_links(ctx, win, len(reachable)))

    def code_item(self, urls: Urls, repo: Repo, path: str) -> dict[str, Any]:
        sha = hashlib.sha1(repo.files[path].encode()).hexdigest()
        api = f"{urls.api}/repos/{repo.full_name}"
        minimal = {k: v for k, v in self.repo_payload(urls, repo).items()
                   if k in MINIMAL_SEARCH_REPO_KEYS}
        return {"name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "url": f"{api}/contents/{path}?ref={sha}", "git_url": f"{api}/git/blobs/{sha}",
                "html_url": f"{urls.web}/{repo.full_name}/blob/{sha}/{path}", "repository": minimal, "score": 1.0}

    # ------------------------------------------------------------------ routing table
    def routes(self) -> list[tuple[str, Callable[..., Reply]]]:
        table: list[tuple[str, Callable[..., Reply]]] = []
        table += self.repo_endpoint("", self.get_repo)
        table += self.repo_endpoint("/contributors", self.contributors)
        table += self.repo_endpoint("/forks", self.forks)
        table += self.repo_endpoint("/stargazers", self.stargazers)
        table += self.repo_endpoint("/releases", self.releases)
        table += self.repo_endpoint("/pulls", self.pulls)
        table += self.repo_endpoint("/issues", self.issues)
        table += self.repo_endpoint("/commits", self.commits)
        table += [
            ("/repos/{owner}/{repo}/pulls/{number}", self.pull),
            ("/repos/{owner}/{repo}/issues/{number}", self.issue),
            ("/users/{username}", self.user),
            ("/users/{username}/repos", self.user_repos),
            ("/user/{account_id}", self.user_by_id),
            ("/orgs/{org}", self.org),
            ("/orgs/{org}/repos", self.org_repos),
            ("/user", self.authenticated_user),
            ("/rate_limit", self.rate_limit),
            ("/search/code", self.search_code),
        ]
        return table


MINIMAL_SEARCH_REPO_KEYS = frozenset(
    "id node_id name full_name private owner html_url description fork url forks_url keys_url collaborators_url "
    "teams_url hooks_url issue_events_url events_url assignees_url branches_url tags_url blobs_url git_tags_url "
    "git_refs_url trees_url statuses_url languages_url stargazers_url contributors_url subscribers_url "
    "subscription_url commits_url git_commits_url comments_url issue_comment_url contents_url compare_url "
    "merges_url archive_url downloads_url issues_url pulls_url milestones_url notifications_url labels_url "
    "releases_url deployments_url".split())


# ------------------------------------------------------------------------------------- code search

_TOKEN = re.compile(r"[a-z0-9]+")
_QUALIFIER = re.compile(r'^(-?)(filename|path|extension|language|in|user|org|repo|size):(.+)$', re.IGNORECASE)
_WORD = re.compile(r'"([^"]*)"|(\S+)')
LANGUAGE_EXTENSIONS = {"python": (".py",), "toml": (".toml",), "text": (".txt",)}
Test = Callable[[Repo, str, str], bool]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _size_test(spec: str) -> Callable[[int], bool]:
    spec = spec.strip()
    try:
        if ".." in spec:
            low, high = spec.split("..", 1)
            lo = int(low) if low not in ("", "*") else 0
            hi = int(high) if high not in ("", "*") else 1 << 62
            return lambda n: lo <= n <= hi
        for op, test in ((">=", lambda a, b: a >= b), ("<=", lambda a, b: a <= b),
                         (">", lambda a, b: a > b), ("<", lambda a, b: a < b)):
            if spec.startswith(op):
                bound = int(spec[len(op):])
                return lambda n, t=test, b=bound: t(n, b)
        exact = int(spec)
        return lambda n: n == exact
    except ValueError:
        raise ValueError(f"size qualifier {spec!r} is not a number or range") from None


def _qualifier_test(name: str, value: str) -> Test | None:
    low = value.lower()
    if name == "filename":
        return lambda repo, path, text: path.rsplit("/", 1)[-1].lower() == low
    if name == "path":
        prefix = low.strip("/")
        return lambda repo, path, text: path.lower() == prefix or path.lower().startswith(prefix + "/") \
            or path.rsplit("/", 1)[-1].lower() == prefix
    if name == "extension":
        return lambda repo, path, text: path.lower().endswith("." + low.lstrip("."))
    if name == "language":
        exts = LANGUAGE_EXTENSIONS.get(low, ("." + low,))
        return lambda repo, path, text: path.lower().endswith(exts)
    if name in ("user", "org"):
        return lambda repo, path, text: repo.full_name.split("/", 1)[0].lower() == low
    if name == "repo":
        return lambda repo, path, text: repo.full_name.lower() == low
    if name == "size":
        size = _size_test(value)
        return lambda repo, path, text: size(len(text.encode()))
    return None  # in:file and the like change nothing here


class CodeQuery:
    """The legacy code-search syntax as the sandbox understands it.

    The first term names a PyPI package: matches are the dependency manifests that declare it (derive.py's
    rule, PEP 503 names, shared with the truth). Further terms must appear as words in the file;
    qualifiers (filename, path, extension, language, user, org, repo, size, and their negations) filter.
    """

    def __init__(self, terms: list[str], tests: list[Test]):
        self.terms = terms
        self.tests = tests

    @classmethod
    def parse(cls, query: str) -> "CodeQuery":
        terms: list[str] = []
        tests: list[Test] = []
        for quoted, bare in _WORD.findall(query):
            word = quoted or bare
            match = None if quoted else _QUALIFIER.match(word)
            if match:
                test = _qualifier_test(match.group(2).lower(), match.group(3).strip('"'))
                if test is not None:
                    tests.append((lambda r, p, t, f=test: not f(r, p, t)) if match.group(1) else test)
            elif word.upper() not in ("AND", "OR", "NOT") or quoted:
                if tokens(word):
                    terms.append(word)
        if not terms:
            raise ValueError("code search needs at least one search term besides qualifiers")
        return cls(terms, tests)

    def search(self, world: Any) -> list[tuple[Repo, str]]:
        package, *others = self.terms
        found = []
        for repo, path in derive.dependents(world, package):
            text = repo.files[path]
            words = tokens(text) if others else []
            if all(_contains(words, tokens(t)) for t in others) and all(test(repo, path, text) for test in self.tests):
                found.append((repo, path))
        return found


def _contains(haystack: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(haystack[i:i + n] == phrase for i in range(len(haystack) - n + 1))
