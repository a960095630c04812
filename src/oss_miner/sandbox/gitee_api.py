"""Gitee API v5, the subset oss-miner uses, with Gitee's payload shapes.

As on Gitee: the token is the `access_token` query parameter; lists carry `total_count` and
`total_page` headers (no Link); user objects have no `location` field; contributors are
`{name, email, contributions}` without an account and without paging; times are Beijing time with
their offset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from oss_miner.sandbox.model import Account, Commit, Fork, Release, Repo
from oss_miner.sandbox.protocol import ActivityItem, Ctx, Reply, Window, commit_sha, commits_between, gitee_time, window

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState


def not_found(what: str = "") -> Reply:
    return Reply({"message": f"Not Found{(' ' + what) if what else ''}"}, status=404)


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


class Urls:
    def __init__(self, origin: str):
        self.api = f"{origin}/gitee/api/v5"
        self.web = f"{origin}/web/gitee"


def simple_user(urls: Urls, account: Account) -> dict[str, Any]:
    api = f"{urls.api}/users/{account.login}"
    return {
        "id": account.account_id,
        "login": account.login,
        "name": account.name or account.login,
        "avatar_url": f"{urls.web}/assets/no_portrait.png",
        "url": api,
        "html_url": f"{urls.web}/{account.login}",
        "remark": "",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following_url{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": "Organization" if account.type == "Organization" else "User",
    }


def full_user(urls: Urls, account: Account) -> dict[str, Any]:
    """Gitee's user detail: note the absence of `location` (and of `company`)."""
    user = simple_user(urls, account)
    user.pop("remark")
    return {
        **user,
        "blog": account.blog,
        "weibo": None,
        "bio": account.bio,
        "public_repos": account.public_repos,
        "public_gists": 0,
        "followers": account.followers,
        "following": 0,
        "stared": 0,
        "watched": 0,
        "created_at": gitee_time(account.created_at),
        "updated_at": gitee_time(account.created_at),
        "email": account.email,
    }


def total_headers(total: int, win: Window) -> dict[str, str]:
    return {"total_count": str(total), "total_page": str(-(-total // win.per_page))}


class GiteeApi:
    def __init__(self, state: "SandboxState"):
        self.state = state
        self.view = state.view

    def account(self, account_id: int) -> Account | None:
        return self.view.account("gitee", account_id) or self.state.world.accounts.get(("gitee", account_id))

    def namespace(self, urls: Urls, owner: Account | None, login: str) -> dict[str, Any]:
        group = owner is not None and owner.type == "Organization"
        return {"id": owner.account_id if owner else 0, "type": "group" if group else "personal",
                "name": (owner.name if owner and owner.name else login), "path": login,
                "html_url": f"{urls.web}/{login}"}

    def short_repo(self, urls: Urls, repo_id: int, full_name: str, owner_id: int, description: str,
                   fork: bool) -> dict[str, Any]:
        login, path = full_name.split("/", 1)
        owner = self.account(owner_id)
        owner_body = simple_user(urls, owner) if owner else None
        return {
            "id": repo_id, "full_name": full_name, "human_name": f"{owner.name if owner and owner.name else login}/{path}",
            "url": f"{urls.api}/repos/{full_name}", "namespace": self.namespace(urls, owner, login),
            "path": path, "name": path, "owner": owner_body, "assigner": owner_body, "description": description,
            "private": False, "public": True, "internal": False, "fork": fork,
            "html_url": f"{urls.web}/{full_name}.git", "ssh_url": f"git@{urls.web.split('://', 1)[1]}:{full_name}.git",
        }

    def _repo_common(self, urls: Urls, short: dict[str, Any]) -> dict[str, Any]:
        api = short["url"]
        return {
            **short,
            "forks_url": f"{api}/forks", "keys_url": f"{api}/keys{{/key_id}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}", "hooks_url": f"{api}/hooks",
            "branches_url": f"{api}/branches{{/branch}}", "tags_url": f"{api}/tags",
            "blobs_url": f"{api}/blobs{{/sha}}", "stargazers_url": f"{api}/stargazers",
            "contributors_url": f"{api}/contributors", "commits_url": f"{api}/commits{{/sha}}",
            "comments_url": f"{api}/comments{{/number}}", "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "issues_url": f"{api}/issues{{/number}}", "pulls_url": f"{api}/pulls{{/number}}",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "labels_url": f"{api}/labels{{/name}}", "releases_url": f"{api}/releases{{/id}}",
            "recommend": False, "gvp": False,
        }

    def repo_payload(self, urls: Urls, repo: Repo) -> dict[str, Any]:
        return self.view.payload(("gitee-repo", urls.api), repo, lambda: self._repo_payload(urls, repo))

    def _repo_payload(self, urls: Urls, repo: Repo) -> dict[str, Any]:
        short = self.short_repo(urls, repo.repo_id, repo.full_name, repo.owner_id, repo.description, False)
        stars = len(self.view.stars(repo))
        owner = self.account(repo.owner_id)
        payload = {
            **self._repo_common(urls, short),
            "homepage": repo.homepage,
            "language": repo.language,
            "forks_count": len(self.view.forks(repo)),
            "stargazers_count": stars,
            "watchers_count": max(1, stars // 20),
            "default_branch": None if self.view.is_empty(repo) else repo.default_branch,
            "open_issues_count": self.view.activity(repo).count({"issue"}, {"open"}),
            "has_issues": True, "has_wiki": True, "issue_comment": False, "can_comment": True,
            "pull_requests_enabled": True, "has_page": False,
            "license": repo.license,
            "outsourced": False,
            "project_creator": owner.login if owner else short["path"],
            "members": [owner.login] if owner else [],
            "pushed_at": gitee_time(repo.pushed_at),
            "created_at": gitee_time(repo.created_at),
            "updated_at": gitee_time(repo.updated_at),
            "parent": None,
            "paas": None,
            "stared": False,
            "watched": False,
            "permission": {"pull": True, "push": False, "admin": False},
            "relation": "",
            "assignees_number": 1, "testers_number": 1,
            "assignee": [short["owner"]] if short["owner"] else [],
            "testers": [short["owner"]] if short["owner"] else [],
            "status": "开始",
            "empty_repo": self.view.is_empty(repo),
            "programs": [],
            "enterprise": None,
        }
        if repo.is_mirror and repo.mirror_url and not repo.homepage:
            payload["homepage"] = repo.mirror_url
        if repo.git_dir is not None:
            payload["html_url"] = repo.git_dir.resolve().as_uri()  # Gitee's html_url is the clone URL (….git)
        return payload

    def fork_payload(self, urls: Urls, parent: Repo, fork: Fork) -> dict[str, Any]:
        return self.view.payload(("gitee-fork", urls.api, fork.fork_id), parent,
                                 lambda: self._fork_payload(urls, parent, fork))

    def _fork_payload(self, urls: Urls, parent: Repo, fork: Fork) -> dict[str, Any]:
        short = self.short_repo(urls, fork.fork_id, fork.full_name, fork.owner_id, parent.description, True)
        owner = self.account(fork.owner_id)
        return {
            **self._repo_common(urls, short),
            "homepage": None, "language": parent.language, "forks_count": 0, "stargazers_count": fork.stars,
            "watchers_count": 1, "default_branch": parent.default_branch, "open_issues_count": 0,
            "has_issues": False, "has_wiki": True, "issue_comment": False, "can_comment": True,
            "pull_requests_enabled": True, "has_page": False, "license": parent.license, "outsourced": False,
            "project_creator": owner.login if owner else short["path"], "members": [owner.login] if owner else [],
            "pushed_at": gitee_time(fork.pushed_at), "created_at": gitee_time(fork.created_at),
            "updated_at": gitee_time(max(fork.pushed_at, fork.created_at)),
            "parent": self.repo_payload(urls, parent), "paas": None, "stared": False, "watched": False,
            "permission": {"pull": True, "push": False, "admin": False}, "relation": "",
            "assignees_number": 1, "testers_number": 1,
            "assignee": [short["owner"]] if short["owner"] else [], "testers": [short["owner"]] if short["owner"] else [],
            "status": "开始", "empty_repo": False, "programs": [], "enterprise": None,
        }

    def release_payload(self, urls: Urls, repo: Repo, release: Release) -> dict[str, Any]:
        owner = self.account(repo.owner_id)
        web = f"{urls.web}/{repo.full_name}"
        return {
            "id": release.release_id, "tag_name": release.tag_name, "target_commitish": repo.default_branch,
            "prerelease": release.prerelease, "name": release.name,
            "body": f"Release {release.tag_name} of the synthetic {repo.full_name}.",
            "author": simple_user(urls, owner) if owner else None,
            "created_at": gitee_time(release.created_at),
            "assets": [{"browser_download_url": f"{web}/archive/refs/heads/{release.tag_name}.zip",
                        "name": f"{release.tag_name}.zip"}],
        }

    def _user_of(self, urls: Urls, item: ActivityItem, repo: Repo) -> dict[str, Any] | None:
        account = self.view.account("gitee", item.author_id) or self.account(repo.owner_id)
        return simple_user(urls, account) if account else None

    def pull_payload(self, urls: Urls, repo: Repo, item: ActivityItem, short: dict) -> dict[str, Any]:
        api = f"{urls.api}/repos/{repo.full_name}/pulls/{item.number}"
        web = f"{urls.web}/{repo.full_name}/pulls/{item.number}"
        user = self._user_of(urls, item, repo)
        return {
            "id": repo.repo_id * 100_000 + item.number, "url": api, "html_url": web,
            "diff_url": f"{web}.diff", "patch_url": f"{web}.patch", "issue_url": f"{api}/issues",
            "commits_url": f"{api}/commits", "review_comments_url": f"{api}/comments",
            "review_comment_url": f"{urls.api}/repos/{repo.full_name}/pulls/comments/{item.number}",
            "comments_url": f"{api}/comments", "number": item.number,
            "state": item.state, "title": f"Synthetic pull request {item.number}", "body": None,
            "assignees_number": 0, "testers_number": 0, "assignees": [], "testers": [], "milestone": None,
            "labels": [], "locked": False, "created_at": gitee_time(item.created_at),
            "updated_at": gitee_time(item.closed_at or item.created_at),
            "closed_at": gitee_time(item.closed_at),
            "merged_at": gitee_time(item.closed_at) if item.state == "merged" else None,
            "mergeable": item.state == "open", "can_merge_check": False,
            "head": {"label": f"topic-{item.number}", "ref": f"topic-{item.number}", "sha": f"{item.number:040x}",
                     "user": user, "repo": short},
            "base": {"label": repo.default_branch, "ref": repo.default_branch, "sha": f"{repo.repo_id:040x}",
                     "user": short["owner"], "repo": short},
            "_links": {"self": {"href": api}, "html": {"href": web}, "issue": {"href": f"{api}/issues"},
                       "comments": {"href": f"{api}/comments"}, "review_comments": {"href": f"{api}/comments"},
                       "review_comment": {"href": f"{urls.api}/repos/{repo.full_name}/pulls/comments/{item.number}"},
                       "commits": {"href": f"{api}/commits"}},
            "user": user,
        }

    def issue_payload(self, urls: Urls, repo: Repo, item: ActivityItem, repo_body: dict) -> dict[str, Any]:
        ident = "I" + _base36(repo.repo_id % 1000 * 100_000 + item.number)
        api = f"{urls.api}/repos/{repo.full_name}"
        state = "open" if item.state == "open" else "closed"
        return {
            "id": repo.repo_id * 100_000 + item.number, "url": f"{api}/issues/{ident}",
            "repository_url": api, "labels_url": f"{api}/issues/{ident}/labels",
            "comments_url": f"{api}/issues/{ident}/comments", "html_url": f"{urls.web}/{repo.full_name}/issues/{ident}",
            "parent_url": None, "number": ident, "parent_id": 0, "depth": 0, "state": state,
            "title": f"Synthetic issue {item.number}", "body": None, "user": self._user_of(urls, item, repo),
            "labels": [], "assignee": None, "collaborators": [], "repository": repo_body, "milestone": None,
            "created_at": gitee_time(item.created_at), "updated_at": gitee_time(item.closed_at or item.created_at),
            "plan_started_at": None, "deadline": None, "finished_at": gitee_time(item.closed_at),
            "scheduled_time": 0.0, "comments": item.number % 5, "priority": 0, "issue_type": "任务",
            "program": None, "security_hole": False, "issue_state": "待办的" if state == "open" else "已完成",
            "branch": None,
            "issue_type_detail": {"id": 1, "title": "任务", "template": None, "ident": "task", "color": "#0086D6",
                                  "is_system": True, "created_at": "2017-09-01T03:09:12+08:00",
                                  "updated_at": "2017-09-01T03:09:12+08:00"},
            "issue_state_detail": {"id": 1 if state == "open" else 3, "title": "待办的" if state == "open" else "已完成",
                                   "color": "#8c92a4", "icon": "icon-task-state-21", "command": None,
                                   "serial": 1, "created_at": "2017-09-01T03:09:13+08:00",
                                   "updated_at": "2017-09-01T03:09:13+08:00"},
        }

    # ------------------------------------------------------------------ resolution and paging
    def _resolve(self, ctx: Ctx, owner: str, name: str, suffix: str) -> Repo | tuple[Repo, Fork] | Reply:
        full_name = f"{owner}/{name}"
        repo = self.view.repo("gitee", full_name)
        if repo is not None:
            return repo
        fork = self.view.fork("gitee", full_name)
        if fork is not None:
            return fork
        moved = self.view.renamed("gitee", full_name)
        if moved is not None:
            query = ctx.request.url.query
            location = f"{Urls(ctx.origin).api}/repos/{moved.full_name}{suffix}" + (f"?{query}" if query else "")
            return Reply({"message": "Moved Permanently"}, status=301, headers={"Location": location})
        return not_found("Project")

    def repo_endpoint(self, suffix: str, fn: Callable[[Ctx, Any], Reply]) -> tuple[str, Callable]:
        def handler(ctx: Ctx, owner: str, repo: str) -> Reply:
            target = self._resolve(ctx, owner, repo, suffix)
            return target if isinstance(target, Reply) else fn(ctx, target)
        return f"/repos/{{owner}}/{{repo}}{suffix}", handler

    def _paged(self, ctx: Ctx, items: list, render: Callable[[Any], Any]) -> Reply:
        win = window(ctx, 20)
        return Reply([render(i) for i in win.cut(items)], headers=total_headers(len(items), win))

    # ------------------------------------------------------------------ endpoints
    def get_repo(self, ctx: Ctx, target: Any) -> Reply:
        urls = Urls(ctx.origin)
        return Reply(self.fork_payload(urls, *target) if isinstance(target, tuple) else self.repo_payload(urls, target))

    def contributors(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple) or self.view.contributors_status(target) != "ok":
            return Reply([])
        entries = self.view.contributors(target)
        return Reply([{"name": e.name, "email": e.email, "contributions": e.contributions} for e in entries])

    def forks(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda f: f)
        urls = Urls(ctx.origin)
        sort = ctx.arg("sort", "newest")
        ordered = self.view.forks(target, sort if sort in ("newest", "oldest", "stargazers", "watchers") else "newest")
        return self._paged(ctx, ordered, lambda f: self.fork_payload(urls, target, f))

    def stargazers(self, ctx: Ctx, target: Any) -> Reply:
        stars = [] if isinstance(target, tuple) else self.view.stars(target)[::-1]
        urls = Urls(ctx.origin)
        return self._paged(ctx, stars, lambda s: {**simple_user(urls, self.view.account("gitee", s.account_id)),
                                                   "star_at": gitee_time(s.starred_at)})

    def releases(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        return self._paged(ctx, self.view.releases(target), lambda r: self.release_payload(urls, target, r))

    def commits(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple) or ctx.arg("sha") not in (None, "", target.default_branch):
            return self._paged(ctx, [], lambda c: c)
        urls = Urls(ctx.origin)
        commits = commits_between(self.view.commits(target), ctx.arg("since"), ctx.arg("until"))
        return self._paged(ctx, commits, lambda c: self.commit_payload(urls, target, c))

    def commit_payload(self, urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
        sha = commit_sha(commit)
        api = f"{urls.api}/repos/{repo.full_name}"
        return {
            "url": f"{api}/commits/{sha}", "sha": sha, "html_url": f"{urls.web}/{repo.full_name}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {"author": {"name": commit.author_name, "date": gitee_time(commit.authored_at),
                                  "email": commit.author_email},
                       "committer": {"name": commit.committer_name, "date": gitee_time(commit.committed_at),
                                     "email": commit.committer_email},
                       "message": commit.message,
                       "tree": {"sha": sha, "url": f"{api}/git/trees/{sha}"}},
            "author": None,  # the world does not say which Gitee account verified an email
            "committer": None,
            "parents": [],
        }

    def _activity(self, ctx: Ctx, repo: Repo, kind: str, states_by_name: dict[str, set[str]],
                  render: Callable[[ActivityItem], Any]) -> Reply:
        states = states_by_name.get(ctx.arg("state", "open") or "open")
        if states is None:
            return Reply({"message": f"state is invalid; use one of {', '.join(states_by_name)}"}, status=400)
        activity = self.view.activity(repo)
        win = window(ctx, 20)
        numbers = activity.numbers_desc({kind}, states, win.start, win.per_page)
        return Reply([render(activity.item(n)) for n in numbers],
                     headers=total_headers(activity.count({kind}, states), win))

    def pulls(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        short = self.short_repo(urls, target.repo_id, target.full_name, target.owner_id, target.description, False)
        states = {"open": {"open"}, "closed": {"closed"}, "merged": {"merged"}, "all": {"open", "closed", "merged"}}
        return self._activity(ctx, target, "pull", states, lambda i: self.pull_payload(urls, target, i, short))

    def issues(self, ctx: Ctx, target: Any) -> Reply:
        if isinstance(target, tuple):
            return self._paged(ctx, [], lambda r: r)
        urls = Urls(ctx.origin)
        body = self.repo_payload(urls, target)
        states = {"open": {"open"}, "progressing": set(), "closed": {"closed"}, "rejected": set(),
                  "all": {"open", "closed"}}
        return self._activity(ctx, target, "issue", states, lambda i: self.issue_payload(urls, target, i, body))

    def user(self, ctx: Ctx, username: str) -> Reply:
        account = self.view.account_by_login("gitee", username)
        return Reply(full_user(Urls(ctx.origin), account)) if account else not_found("User")

    def _owner_repos(self, ctx: Ctx, repos: list[Repo]) -> Reply:
        urls = Urls(ctx.origin)
        ordered = sorted(repos, key=lambda r: (r.created_at, r.repo_id), reverse=True)
        return self._paged(ctx, ordered, lambda r: self.repo_payload(urls, r))

    def user_repos(self, ctx: Ctx, username: str) -> Reply:
        account = self.view.account_by_login("gitee", username)
        return self._owner_repos(ctx, self.view.repos_of("gitee", account.account_id)) if account else not_found("User")

    def org(self, ctx: Ctx, org: str) -> Reply:
        account = self.view.account_by_login("gitee", org)
        if account is None or account.type != "Organization":
            return not_found("Organization")
        urls = Urls(ctx.origin)
        api = f"{urls.api}/orgs/{account.login}"
        return Reply({"id": account.account_id, "login": account.login, "name": account.name, "url": api,
                      "avatar_url": f"{urls.web}/assets/no_portrait.png", "repos_url": f"{api}/repos",
                      "events_url": f"{api}/events", "members_url": f"{api}/members{{/member}}",
                      "description": account.bio, "follow_count": account.followers})

    def org_repos(self, ctx: Ctx, org: str) -> Reply:
        account = self.view.account_by_login("gitee", org)
        if account is None or account.type != "Organization":
            return not_found("Organization")
        return self._owner_repos(ctx, self.view.org_repos("gitee", account))

    def authenticated_user(self, ctx: Ctx) -> Reply:
        if ctx.account is None:
            return Reply({"message": "401 Unauthorized: Access token does not exist"}, status=401)
        from oss_miner.sandbox.github_api import self_account_id

        me = Account("gitee", self_account_id(ctx.account), ctx.account, "User", None, ctx.account, None, None,
                     None, None, "A token's account in the forge sandbox", self.state.world.now)
        return Reply(full_user(Urls(ctx.origin), me))

    def routes(self) -> list[tuple[str, Callable[..., Reply]]]:
        return [
            self.repo_endpoint("", self.get_repo),
            self.repo_endpoint("/contributors", self.contributors),
            self.repo_endpoint("/forks", self.forks),
            self.repo_endpoint("/stargazers", self.stargazers),
            self.repo_endpoint("/releases", self.releases),
            self.repo_endpoint("/pulls", self.pulls),
            self.repo_endpoint("/issues", self.issues),
            self.repo_endpoint("/commits", self.commits),
            ("/users/{username}", self.user),
            ("/users/{username}/repos", self.user_repos),
            ("/orgs/{org}", self.org),
            ("/orgs/{org}/repos", self.org_repos),
            ("/user", self.authenticated_user),
        ]
