"""GitLab REST v4, the subset oss-miner uses, with GitLab's payload shapes and paging headers.

As on GitLab: `PRIVATE-TOKEN` (or `Authorization: Bearer`) authenticates; a project is addressed by
id or by its url-encoded path, and an old path of a renamed project still answers (GitLab follows its
redirect routes); lists carry `X-Total`, `X-Total-Pages`, `X-Page`, `X-Per-Page`, `X-Next-Page`,
`X-Prev-Page` and `Link`, except that above 10,000 records the totals and `rel="last"` are left out;
contributors are `{name, email, commits, additions, deletions}` without an account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote

from oss_miner.sandbox.model import Account, Commit, Fork, Release, Repo
from oss_miner.sandbox.protocol import (
    ActivityItem, Ctx, Reply, Window, commit_sha, commits_between, git_time, gitlab_time, window,
)

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState

COUNT_LIMIT = 10_000  # above this many records GitLab stops counting


def not_found(what: str) -> Reply:
    return Reply({"message": f"404 {what} Not Found"}, status=404)


def paging_headers(ctx: Ctx, win: Window, total: int) -> dict[str, str]:
    counted = total <= COUNT_LIMIT
    last = win.last_page(total)
    has_next = win.start + win.per_page < total
    headers = {
        "X-Page": str(win.page),
        "X-Per-Page": str(win.per_page),
        "X-Next-Page": str(win.page + 1) if has_next else "",
        "X-Prev-Page": str(win.page - 1) if win.page > 1 else "",
    }
    rels = []
    if win.page > 1:
        rels.append(("prev", win.page - 1))
    if has_next:
        rels.append(("next", win.page + 1))
    rels.append(("first", 1))
    if counted:
        headers["X-Total"] = str(total)
        headers["X-Total-Pages"] = str(last)
        rels.append(("last", last))
    headers["Link"] = ", ".join(f'<{ctx.url_with(page=p, per_page=win.per_page)}>; rel="{rel}"' for rel, p in rels)
    return headers


class Urls:
    def __init__(self, origin: str):
        self.web = f"{origin}/gitlab"  # python-gitlab's `url`: web pages live under it
        self.api = f"{self.web}/api/v4"


def simple_user(urls: Urls, account: Account) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "username": account.login,
        "name": account.name or account.login,
        "state": "active",
        "locked": False,
        "avatar_url": f"{urls.web}/uploads/-/system/user/avatar/{account.account_id}/avatar.png",
        "web_url": f"{urls.web}/{account.login}",
    }


def public_user(urls: Urls, account: Account) -> dict[str, Any]:
    """What /users/:id shows to anyone who is not an administrator."""
    return {
        **simple_user(urls, account),
        "created_at": gitlab_time(account.created_at),
        "bio": account.bio or "",
        "location": account.location or "",
        "public_email": account.email or "",
        "skype": "",
        "linkedin": "",
        "twitter": "",
        "discord": "",
        "website_url": account.blog or "",
        "organization": account.company or "",
        "job_title": "",
        "pronouns": None,
        "bot": account.type == "Bot",
        "work_information": account.company,
        "followers": account.followers,
        "following": 0,
        "is_followed": False,
        "local_time": None,
    }


class GitlabApi:
    def __init__(self, state: "SandboxState"):
        self.state = state
        self.view = state.view

    def account(self, account_id: int) -> Account | None:
        return self.view.account("gitlab", account_id) or self.state.world.accounts.get(("gitlab", account_id))

    def namespace(self, urls: Urls, owner: Account | None, path: str) -> dict[str, Any]:
        group = owner is None or owner.type == "Organization"
        return {"id": owner.account_id if owner else 0, "name": (owner.name if owner and owner.name else path),
                "path": path.rsplit("/", 1)[-1], "kind": "group" if group else "user", "full_path": path,
                "parent_id": None, "avatar_url": None,
                "web_url": f"{urls.web}/{'groups/' if group else ''}{path}"}

    def _project_common(self, urls: Urls, project_id: int, full_name: str, owner_id: int, description: str,
                        created: Any, activity_at: Any) -> dict[str, Any]:
        namespace_path, path = full_name.rsplit("/", 1)
        owner = self.account(owner_id)
        owner_name = owner.name if owner and owner.name else namespace_path
        api = f"{urls.api}/projects/{project_id}"
        host = urls.web.split("://", 1)[1]
        return {
            "id": project_id,
            "description": description,
            "name": path,
            "name_with_namespace": f"{owner_name} / {path}",
            "path": path,
            "path_with_namespace": full_name,
            "created_at": gitlab_time(created),
            "default_branch": "master",
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@{host}:{full_name}.git",
            "http_url_to_repo": f"{urls.web}/{full_name}.git",
            "web_url": f"{urls.web}/{full_name}",
            "readme_url": f"{urls.web}/{full_name}/-/blob/master/README.md",
            "forks_count": 0,
            "avatar_url": None,
            "star_count": 0,
            "last_activity_at": gitlab_time(activity_at),
            "namespace": self.namespace(urls, owner, namespace_path),
            # as GitLab does for a project in a user's namespace (a group's project has no `owner`)
            **({"owner": simple_user(urls, owner)} if owner and owner.type != "Organization" else {}),
            "_links": {"self": api, "issues": f"{api}/issues", "merge_requests": f"{api}/merge_requests",
                       "repo_branches": f"{api}/repository/branches", "labels": f"{api}/labels",
                       "events": f"{api}/events", "members": f"{api}/members", "cluster_agents": f"{api}/cluster_agents"},
            "packages_enabled": True,
            "empty_repo": False,
            "archived": False,
            "visibility": "public",
            "resolve_outdated_diff_discussions": False,
            "container_registry_enabled": True,
            "issues_enabled": True,
            "merge_requests_enabled": True,
            "wiki_enabled": True,
            "jobs_enabled": True,
            "snippets_enabled": True,
            "shared_runners_enabled": True,
            "lfs_enabled": True,
            "creator_id": owner_id,
            "import_status": "none",
            "open_issues_count": 0,
            "public_jobs": True,
            "ci_config_path": None,
            "shared_with_groups": [],
            "only_allow_merge_if_pipeline_succeeds": False,
            "request_access_enabled": True,
            "only_allow_merge_if_all_discussions_are_resolved": False,
            "printing_merge_request_link_enabled": True,
            "approvals_before_merge": 0,
            "mirror": False,
            "permissions": {"project_access": None, "group_access": None},
        }

    def project_payload(self, urls: Urls, repo: Repo) -> dict[str, Any]:
        return self.view.payload(("gitlab-project", urls.api), repo, lambda: self._project_payload(urls, repo))

    def _project_payload(self, urls: Urls, repo: Repo) -> dict[str, Any]:
        payload = self._project_common(urls, repo.repo_id, repo.full_name, repo.owner_id, repo.description,
                                       repo.created_at, repo.pushed_at)
        empty = self.view.is_empty(repo)
        payload.update({
            "default_branch": None if empty else repo.default_branch,
            "forks_count": len(self.view.forks(repo)),
            "star_count": len(self.view.stars(repo)),
            "empty_repo": empty,
            "archived": repo.archived,
            "open_issues_count": self.view.activity(repo).count({"issue"}, {"open"}),
            "mirror": repo.is_mirror,
            "updated_at": gitlab_time(repo.updated_at),
        })
        if repo.git_dir is not None:
            payload["http_url_to_repo"] = repo.git_dir.resolve().as_uri()
        return payload

    def fork_payload(self, urls: Urls, parent: Repo, fork: Fork) -> dict[str, Any]:
        return self.view.payload(("gitlab-fork", urls.api, fork.fork_id), parent,
                                 lambda: self._fork_payload(urls, parent, fork))

    def _fork_payload(self, urls: Urls, parent: Repo, fork: Fork) -> dict[str, Any]:
        payload = self._project_common(urls, fork.fork_id, fork.full_name, fork.owner_id, parent.description,
                                       fork.created_at, fork.pushed_at)
        payload.update({"default_branch": parent.default_branch, "star_count": fork.stars,
                        "updated_at": gitlab_time(max(fork.pushed_at, fork.created_at)),
                        "forked_from_project": self.project_payload(urls, parent)})
        return payload

    def release_payload(self, urls: Urls, repo: Repo, release: Release) -> dict[str, Any]:
        web = f"{urls.web}/{repo.full_name}"
        owner = self.account(repo.owner_id)
        sha = f"{release.release_id:040x}"
        name = repo.full_name.rsplit("/", 1)[1]
        return {
            "tag_name": release.tag_name, "description": f"Release {release.tag_name} of the synthetic {repo.full_name}.",
            "name": release.name, "created_at": gitlab_time(release.created_at),
            "released_at": gitlab_time(release.published_at), "upcoming_release": False,
            "author": simple_user(urls, owner) if owner else None,
            "commit": {"id": sha, "short_id": sha[:8], "title": f"Release {release.tag_name}",
                       "created_at": gitlab_time(release.created_at), "parent_ids": [],
                       "message": f"Release {release.tag_name}", "author_name": owner.name if owner else "",
                       "author_email": "", "authored_date": gitlab_time(release.created_at),
                       "committer_name": owner.name if owner else "", "committer_email": "",
                       "committed_date": gitlab_time(release.created_at)},
            "milestones": [], "commit_path": f"/{repo.full_name}/-/commit/{sha}",
            "tag_path": f"/{repo.full_name}/-/tags/{release.tag_name}",
            "assets": {"count": 4, "sources": [
                {"format": fmt, "url": f"{web}/-/archive/{release.tag_name}/{name}-{release.tag_name}.{fmt}"}
                for fmt in ("zip", "tar.gz", "tar.bz2", "tar")], "links": []},
            "evidences": [],
            "_links": {"self": f"{web}/-/releases/{release.tag_name}"},
        }

    def _author(self, urls: Urls, item: ActivityItem, repo: Repo) -> dict[str, Any] | None:
        account = self.view.account("gitlab", item.author_id) or self.account(repo.owner_id)
        return simple_user(urls, account) if account else None

    def merge_request_payload(self, urls: Urls, repo: Repo, item: ActivityItem) -> dict[str, Any]:
        author = self._author(urls, item, repo)
        state = {"open": "opened", "closed": "closed", "merged": "merged"}[item.state]
        sha = f"{repo.repo_id:016x}{item.number:024x}"
        return {
            "id": repo.repo_id * 100_000 + item.number, "iid": item.number, "project_id": repo.repo_id,
            "title": f"Synthetic merge request {item.number}", "description": "", "state": state,
            "created_at": gitlab_time(item.created_at), "updated_at": gitlab_time(item.closed_at or item.created_at),
            "merged_by": author if state == "merged" else None, "merge_user": author if state == "merged" else None,
            "merged_at": gitlab_time(item.closed_at) if state == "merged" else None,
            "closed_by": author if state == "closed" else None,
            "closed_at": gitlab_time(item.closed_at) if state == "closed" else None,
            "target_branch": repo.default_branch, "source_branch": f"topic-{item.number}",
            "user_notes_count": item.number % 6, "upvotes": 0, "downvotes": 0, "author": author,
            "assignees": [], "assignee": None, "reviewers": [], "source_project_id": repo.repo_id,
            "target_project_id": repo.repo_id, "labels": [], "draft": False, "work_in_progress": False,
            "milestone": None, "merge_when_pipeline_succeeds": False, "merge_status": "can_be_merged",
            "detailed_merge_status": "mergeable", "sha": sha, "merge_commit_sha": sha if state == "merged" else None,
            "squash_commit_sha": None, "discussion_locked": None, "should_remove_source_branch": None,
            "force_remove_source_branch": True, "prepared_at": gitlab_time(item.created_at),
            "reference": f"!{item.number}",
            "references": {"short": f"!{item.number}", "relative": f"!{item.number}",
                           "full": f"{repo.full_name}!{item.number}"},
            "web_url": f"{urls.web}/{repo.full_name}/-/merge_requests/{item.number}",
            "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                           "human_total_time_spent": None},
            "squash": False, "squash_on_merge": False,
            "task_completion_status": {"count": 0, "completed_count": 0}, "has_conflicts": False,
            "blocking_discussions_resolved": True, "approvals_before_merge": None, "subscribed": False,
            "changes_count": str(1 + item.number % 9),
        }

    def issue_payload(self, urls: Urls, repo: Repo, item: ActivityItem) -> dict[str, Any]:
        author = self._author(urls, item, repo)
        api = f"{urls.api}/projects/{repo.repo_id}"
        state = "opened" if item.state == "open" else "closed"
        return {
            "id": repo.repo_id * 100_000 + item.number, "iid": item.number, "project_id": repo.repo_id,
            "title": f"Synthetic issue {item.number}", "description": "", "state": state,
            "created_at": gitlab_time(item.created_at), "updated_at": gitlab_time(item.closed_at or item.created_at),
            "closed_at": gitlab_time(item.closed_at), "closed_by": author if item.closed_at else None,
            "labels": [], "milestone": None, "assignees": [], "author": author, "type": "ISSUE", "assignee": None,
            "user_notes_count": item.number % 4, "merge_requests_count": 0, "upvotes": 0, "downvotes": 0,
            "due_date": None, "confidential": False, "discussion_locked": None, "issue_type": "issue",
            "web_url": f"{urls.web}/{repo.full_name}/-/issues/{item.number}",
            "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                           "human_total_time_spent": None},
            "task_completion_status": {"count": 0, "completed_count": 0}, "has_tasks": False,
            "_links": {"self": f"{api}/issues/{item.number}", "notes": f"{api}/issues/{item.number}/notes",
                       "award_emoji": f"{api}/issues/{item.number}/award_emoji", "project": api,
                       "closed_as_duplicate_of": None},
            "references": {"short": f"#{item.number}", "relative": f"#{item.number}",
                           "full": f"{repo.full_name}#{item.number}"},
            "severity": "UNKNOWN", "subscribed": False, "moved_to_id": None, "service_desk_reply_to": None,
        }

    # ------------------------------------------------------------------ resolution and paging
    def _resolve(self, project: str) -> Repo | tuple[Repo, Fork] | Reply:
        ident = unquote(project)
        if ident.isdigit():
            number = int(ident)
            found = self.view.repo_by_id("gitlab", number) or self.view.fork_by_id("gitlab", number)
        else:
            found = (self.view.repo("gitlab", ident) or self.view.fork("gitlab", ident)
                     or self.view.renamed("gitlab", ident))
        return found or not_found("Project")

    def project_endpoint(self, suffix: str, fn: Callable[[Ctx, Any], Reply]) -> tuple[str, Callable]:
        def handler(ctx: Ctx, id: str) -> Reply:  # noqa: A002 - GitLab calls the path parameter id
            target = self._resolve(id)
            return target if isinstance(target, Reply) else fn(ctx, target)
        return f"/projects/{{id}}{suffix}", handler

    def _paged(self, ctx: Ctx, items: list, render: Callable[[Any], Any]) -> Reply:
        win = window(ctx, 20)
        return Reply([render(i) for i in win.cut(items)], headers=paging_headers(ctx, win, len(items)))

    # ------------------------------------------------------------------ endpoints
    def get_project(self, ctx: Ctx, target: Any) -> Reply:
        urls = Urls(ctx.origin)
        if isinstance(target, tuple):
            return Reply(self.fork_payload(urls, *target))
        return Reply(self.project_payload(urls, target))

    def contributors(self, ctx: Ctx, target: Any) -> Reply:
        entries = ([] if isinstance(target, tuple) or self.view.contributors_status(target) != "ok"
                   else self.view.contributors(target))
        order_by = ctx.arg("order_by", "commits")
        keys: dict[str, Callable[[Any], Any]] = {"name": lambda e: (e.name or "").lower(),
                                                  "email": lambda e: (e.email or "").lower(),
                                                  "commits": lambda e: e.contributions}
        if order_by not in keys:
            return Reply({"error": "order_by does not have a valid value"}, status=400)
        ordered = sorted(entries, key=keys[order_by], reverse=ctx.arg("sort", "asc") == "desc")
        return self._paged(ctx, ordered, lambda e: {"name": e.name, "email": e.email, "commits": e.contributions,
                                                    "additions": e.additions, "deletions": e.deletions})

    def forks(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda f: f)
        urls = Urls(ctx.origin)
        ordered = self.view.forks(target, "oldest" if ctx.arg("sort", "desc") == "asc" else "newest")
        return self._paged(ctx, ordered, lambda f: self.fork_payload(urls, target, f))

    def starrers(self, ctx: Ctx, target: Any) -> Reply:
        stars = [] if isinstance(target, tuple) else self.view.stars(target)
        urls = Urls(ctx.origin)
        return self._paged(ctx, stars, lambda s: {"starred_since": gitlab_time(s.starred_at),
                                                  "user": simple_user(urls, self.view.account("gitlab", s.account_id))})

    def releases(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        return self._paged(ctx, self.view.releases(target), lambda r: self.release_payload(urls, target, r))

    def commits(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple) or ctx.arg("ref_name") not in (None, "", target.default_branch):
            return self._paged(ctx, [], lambda c: c)
        urls = Urls(ctx.origin)
        commits = commits_between(self.view.commits(target), ctx.arg("since"), ctx.arg("until"))
        return self._paged(ctx, commits, lambda c: self.commit_payload(urls, target, c))

    def commit_payload(self, urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
        sha = commit_sha(commit)
        title = commit.message.splitlines()[0] if commit.message else ""
        return {
            "id": sha, "short_id": sha[:8], "created_at": git_time(commit.committed_at), "parent_ids": [],
            "title": title, "message": commit.message, "author_name": commit.author_name,
            "author_email": commit.author_email, "authored_date": git_time(commit.authored_at),
            "committer_name": commit.committer_name, "committer_email": commit.committer_email,
            "committed_date": git_time(commit.committed_at), "trailers": {}, "extended_trailers": {},
            "web_url": f"{urls.web}/{repo.full_name}/-/commit/{sha}",
        }

    def _activity(self, ctx: Ctx, repo: Repo, kind: str, states_by_name: dict[str, set[str]],
                  render: Callable[[ActivityItem], Any]) -> Reply:
        states = states_by_name.get(ctx.arg("state", "all") or "all")
        if states is None:
            return Reply({"error": "state does not have a valid value"}, status=400)
        activity = self.view.activity(repo)
        win = window(ctx, 20)
        numbers = activity.numbers_desc({kind}, states, win.start, win.per_page)
        return Reply([render(activity.item(n)) for n in numbers],
                     headers=paging_headers(ctx, win, activity.count({kind}, states)))

    def merge_requests(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        states = {"opened": {"open"}, "closed": {"closed"}, "merged": {"merged"}, "locked": set(),
                  "all": {"open", "closed", "merged"}}
        return self._activity(ctx, target, "pull", states, lambda i: self.merge_request_payload(urls, target, i))

    def issues(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        states = {"opened": {"open"}, "closed": {"closed"}, "all": {"open", "closed"}}
        return self._activity(ctx, target, "issue", states, lambda i: self.issue_payload(urls, target, i))

    def user(self, ctx: Ctx, id: str) -> Reply:  # noqa: A002 - GitLab calls the path parameter id
        account = self.view.account("gitlab", int(id)) if id.isdigit() else None
        if account is None or account.type == "Organization":
            return not_found("User")
        return Reply(public_user(Urls(ctx.origin), account))

    def users(self, ctx: Ctx) -> Reply:
        username = ctx.arg("username")
        if not username:
            return Reply({"message": "403 Forbidden - listing all users needs the username parameter in the sandbox"},
                         status=403)
        account = self.view.account_by_login("gitlab", username)
        found = [account] if account is not None and account.type != "Organization" else []
        urls = Urls(ctx.origin)
        return self._paged(ctx, found, lambda a: simple_user(urls, a))

    def _group(self, ident: str) -> Account | None:
        ident = unquote(ident)
        account = self.view.account("gitlab", int(ident)) if ident.isdigit() else self.view.account_by_login("gitlab", ident)
        return account if account is not None and account.type == "Organization" else None

    def group_payload(self, urls: Urls, group: Account) -> dict[str, Any]:
        return {"id": group.account_id, "web_url": f"{urls.web}/groups/{group.login}", "name": group.name or group.login,
                "path": group.login, "description": group.bio or "", "visibility": "public",
                "share_with_group_lock": False, "require_two_factor_authentication": False,
                "two_factor_grace_period": 48, "project_creation_level": "developer", "auto_devops_enabled": None,
                "subgroup_creation_level": "maintainer", "emails_disabled": False, "emails_enabled": True,
                "mentions_disabled": None, "lfs_enabled": True, "default_branch_protection": 2,
                "avatar_url": None, "request_access_enabled": True, "full_name": group.name or group.login,
                "full_path": group.login, "created_at": gitlab_time(group.created_at), "parent_id": None,
                "ldap_cn": None, "ldap_access": None}

    def group(self, ctx: Ctx, id: str) -> Reply:  # noqa: A002
        account = self._group(id)
        if account is None:
            return not_found("Group")
        urls = Urls(ctx.origin)
        projects = [self.project_payload(urls, r) for r in self.view.org_repos("gitlab", account)]
        return Reply({**self.group_payload(urls, account), "projects": projects, "shared_projects": []})

    def group_projects(self, ctx: Ctx, id: str) -> Reply:  # noqa: A002
        account = self._group(id)
        if account is None:
            return not_found("Group")
        urls = Urls(ctx.origin)
        ordered = sorted(self.view.org_repos("gitlab", account), key=lambda r: (r.created_at, r.repo_id), reverse=True)
        return self._paged(ctx, ordered, lambda r: self.project_payload(urls, r))

    def authenticated_user(self, ctx: Ctx) -> Reply:
        if ctx.account is None:
            return Reply({"message": "401 Unauthorized"}, status=401)
        from oss_miner.sandbox.github_api import self_account_id

        me = Account("gitlab", self_account_id(ctx.account), ctx.account, "User", None, ctx.account, None, None,
                     None, None, "A token's account in the forge sandbox", self.state.world.now)
        return Reply({**public_user(Urls(ctx.origin), me), "email": "", "last_sign_in_at": None,
                      "confirmed_at": gitlab_time(self.state.world.now), "theme_id": 1, "last_activity_on": None,
                      "color_scheme_id": 1, "projects_limit": 100000, "current_sign_in_at": None, "identities": [],
                      "can_create_group": True, "can_create_project": True, "two_factor_enabled": True,
                      "external": False, "private_profile": False, "commit_email": "", "is_admin": False})

    def version(self, ctx: Ctx) -> Reply:
        return Reply({"version": "17.0.0-sandbox", "revision": "sandbox", "kas": {"enabled": False},
                      "enterprise": False})

    def routes(self) -> list[tuple[str, Callable[..., Reply]]]:
        return [
            self.project_endpoint("", self.get_project),
            self.project_endpoint("/repository/contributors", self.contributors),
            self.project_endpoint("/forks", self.forks),
            self.project_endpoint("/starrers", self.starrers),
            self.project_endpoint("/releases", self.releases),
            self.project_endpoint("/merge_requests", self.merge_requests),
            self.project_endpoint("/issues", self.issues),
            self.project_endpoint("/repository/commits", self.commits),
            ("/users/{id}", self.user),
            ("/users", self.users),
            ("/groups/{id}", self.group),
            ("/groups/{id}/projects", self.group_projects),
            ("/user", self.authenticated_user),
            ("/version", self.version),
        ]
