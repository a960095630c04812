"""GitHub GraphQL v4, the subset oss-miner uses, executed by graphql-core over the world.

What matters for frugal clients is emulated as GitHub does it: a query's cost is computed before it
runs from the `first`/`last` of its connections (one point per query of up to 100 nodes, never less than
1), charged to the account's GraphQL budget and reported by `rateLimit`; connections need `first` or
`last` (at most 100) when they select nodes; unknown logins and ids give `null` plus a NOT_FOUND error;
`email` needs a scope the sandbox never grants; commit dates keep their UTC offset; legacy global ids
(base64 of "04:User123") work with `nodes(ids:)`.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
    IntValueNode, OperationDefinitionNode, VariableNode, build_schema, execute_sync, parse, validate,
)

from oss_miner.sandbox.model import Account, Commit, Fork, Release, Repo
from oss_miner.sandbox.protocol import (
    ActivityItem, Ctx, KeyedList, Reply, commit_sha, git_time, github_time, node_id, parse_node_id,
)

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState

MAX_PAGE = 100
MAX_NODES = 500_000

SDL = """
scalar DateTime
scalar GitTimestamp
scalar URI
scalar GitObjectID

enum OrderDirection { ASC DESC }
enum StarOrderField { STARRED_AT }
input StarOrder { field: StarOrderField!, direction: OrderDirection! }
enum RepositoryOrderField { CREATED_AT UPDATED_AT PUSHED_AT NAME STARGAZERS }
input RepositoryOrder { field: RepositoryOrderField!, direction: OrderDirection! }
enum ReleaseOrderField { CREATED_AT NAME }
input ReleaseOrder { field: ReleaseOrderField!, direction: OrderDirection! }
enum IssueOrderField { CREATED_AT UPDATED_AT COMMENTS }
input IssueOrder { field: IssueOrderField!, direction: OrderDirection! }
enum PullRequestState { OPEN CLOSED MERGED }
enum IssueState { OPEN CLOSED }
enum RepositoryPrivacy { PUBLIC PRIVATE }
enum RepositoryAffiliation { OWNER COLLABORATOR ORGANIZATION_MEMBER }
input CommitAuthor { id: ID, emails: [String!] }

type Query {
  user(login: String!): User
  organization(login: String!): Organization
  repositoryOwner(login: String!): RepositoryOwner
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  viewer: User!
  rateLimit(dryRun: Boolean = false): RateLimit
}

type RateLimit { cost: Int!  limit: Int!  nodeCount: Int!  remaining: Int!  resetAt: DateTime!  used: Int! }
type PageInfo { hasNextPage: Boolean!  hasPreviousPage: Boolean!  startCursor: String  endCursor: String }

interface Node { id: ID! }
interface Actor { login: String!  avatarUrl(size: Int): URI!  url: URI! }
interface RepositoryOwner {
  id: ID!  login: String!  avatarUrl(size: Int): URI!  url: URI!
  repositories(first: Int, after: String, last: Int, before: String, orderBy: RepositoryOrder,
               privacy: RepositoryPrivacy, isFork: Boolean, ownerAffiliations: [RepositoryAffiliation]): RepositoryConnection!
}

type User implements Node & Actor & RepositoryOwner {
  id: ID!  databaseId: Int  login: String!  name: String  location: String  company: String  websiteUrl: URI
  bio: String  email: String!  twitterUsername: String  isHireable: Boolean!  createdAt: DateTime!  updatedAt: DateTime!
  avatarUrl(size: Int): URI!  url: URI!
  followers(first: Int, after: String, last: Int, before: String): FollowerConnection!
  repositories(first: Int, after: String, last: Int, before: String, orderBy: RepositoryOrder,
               privacy: RepositoryPrivacy, isFork: Boolean, ownerAffiliations: [RepositoryAffiliation]): RepositoryConnection!
}
type Organization implements Node & Actor & RepositoryOwner {
  id: ID!  databaseId: Int  login: String!  name: String  location: String  description: String  websiteUrl: URI
  email: String  createdAt: DateTime!  updatedAt: DateTime!  avatarUrl(size: Int): URI!  url: URI!
  repositories(first: Int, after: String, last: Int, before: String, orderBy: RepositoryOrder,
               privacy: RepositoryPrivacy, isFork: Boolean, ownerAffiliations: [RepositoryAffiliation]): RepositoryConnection!
}
type Bot implements Node & Actor {
  id: ID!  databaseId: Int  login: String!  createdAt: DateTime!  avatarUrl(size: Int): URI!  url: URI!
}
type FollowerConnection { totalCount: Int! }

type Language { name: String! }
type License { key: String!  name: String!  spdxId: String }

type Repository implements Node {
  id: ID!  databaseId: Int  name: String!  nameWithOwner: String!  owner: RepositoryOwner!  description: String
  url: URI!  createdAt: DateTime!  updatedAt: DateTime!  pushedAt: DateTime
  isFork: Boolean!  isMirror: Boolean!  mirrorUrl: URI  isArchived: Boolean!  isEmpty: Boolean!  isPrivate: Boolean!
  stargazerCount: Int!  forkCount: Int!  diskUsage: Int
  parent: Repository
  primaryLanguage: Language
  licenseInfo: License
  defaultBranchRef: Ref
  stargazers(first: Int, after: String, last: Int, before: String, orderBy: StarOrder): StargazerConnection!
  forks(first: Int, after: String, last: Int, before: String, orderBy: RepositoryOrder,
        privacy: RepositoryPrivacy): RepositoryConnection!
  pullRequests(first: Int, after: String, last: Int, before: String, states: [PullRequestState!],
               orderBy: IssueOrder): PullRequestConnection!
  issues(first: Int, after: String, last: Int, before: String, states: [IssueState!],
         orderBy: IssueOrder): IssueConnection!
  releases(first: Int, after: String, last: Int, before: String, orderBy: ReleaseOrder): ReleaseConnection!
}

type StargazerEdge { cursor: String!  starredAt: DateTime!  node: User! }
type StargazerConnection { totalCount: Int!  pageInfo: PageInfo!  edges: [StargazerEdge]  nodes: [User] }
type RepositoryEdge { cursor: String!  node: Repository }
type RepositoryConnection { totalCount: Int!  totalDiskUsage: Int!  pageInfo: PageInfo!  edges: [RepositoryEdge]  nodes: [Repository] }

type PullRequest implements Node {
  id: ID!  databaseId: Int  number: Int!  title: String!  state: PullRequestState!  createdAt: DateTime!
  closedAt: DateTime  mergedAt: DateTime  author: Actor  url: URI!
}
type PullRequestEdge { cursor: String!  node: PullRequest }
type PullRequestConnection { totalCount: Int!  pageInfo: PageInfo!  edges: [PullRequestEdge]  nodes: [PullRequest] }
type Issue implements Node {
  id: ID!  databaseId: Int  number: Int!  title: String!  state: IssueState!  createdAt: DateTime!
  closedAt: DateTime  author: Actor  url: URI!
}
type IssueEdge { cursor: String!  node: Issue }
type IssueConnection { totalCount: Int!  pageInfo: PageInfo!  edges: [IssueEdge]  nodes: [Issue] }

type Release implements Node {
  id: ID!  databaseId: Int  name: String  tagName: String!  createdAt: DateTime!  publishedAt: DateTime
  isPrerelease: Boolean!  isDraft: Boolean!  isLatest: Boolean!  url: URI!
}
type ReleaseEdge { cursor: String!  node: Release }
type ReleaseConnection { totalCount: Int!  pageInfo: PageInfo!  edges: [ReleaseEdge]  nodes: [Release] }

interface GitObject { id: ID!  oid: GitObjectID!  abbreviatedOid: String! }
type Ref { id: ID!  name: String!  prefix: String!  target: GitObject }
type GitActor { name: String  email: String  date: GitTimestamp  user: User }
type Commit implements Node & GitObject {
  id: ID!  oid: GitObjectID!  abbreviatedOid: String!  message: String!  messageHeadline: String!
  authoredDate: DateTime!  committedDate: DateTime!  author: GitActor  committer: GitActor
  additions: Int!  deletions: Int!  url: URI!
  history(first: Int, after: String, last: Int, before: String, since: GitTimestamp, until: GitTimestamp,
          author: CommitAuthor): CommitHistoryConnection!
}
type CommitEdge { cursor: String!  node: Commit }
type CommitHistoryConnection { totalCount: Int!  pageInfo: PageInfo!  edges: [CommitEdge]  nodes: [Commit] }
"""


def _error(message: str, kind: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": kind})


# ------------------------------------------------------------------------------------------- cursors

def encode_cursor(key: tuple | list) -> str:
    return base64.b64encode(("cursor:v2:" + json.dumps(list(key))).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple | None:
    if cursor is None:
        return None
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith("cursor:v2:"):
            raise ValueError
        return tuple(json.loads(text[len("cursor:v2:"):]))
    except (ValueError, UnicodeDecodeError):
        raise _error(f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None


def _selects_items(info: Any) -> bool:
    for node in info.field_nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if isinstance(selection, FieldNode) and selection.name.value in ("nodes", "edges"):
                return True
            if not isinstance(selection, FieldNode):
                return True  # fragments: assume they do
    return False


def connection(info: Any, keyed: KeyedList, key_of: Callable[[Any], tuple], make_edge: Callable[[Any, str], dict],
               args: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    """A Relay connection over `keyed` with GitHub's argument rules."""
    first, last = args.get("first"), args.get("last")
    name = info.field_name
    for label, value in (("first", first), ("last", last)):
        if value is not None and (value < 0 or value > MAX_PAGE):
            raise _error(f"Requesting {value} records on the `{name}` connection exceeds the `{label}` limit of "
                         f"{MAX_PAGE} records.", "EXCESSIVE_PAGINATION")
    if first is None and last is None and _selects_items(info):
        raise _error(f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                     "MISSING_PAGINATION_BOUNDARIES")
    items = keyed.items
    start = keyed.after(decode_cursor(args.get("after")))
    end = len(items)
    before = decode_cursor(args.get("before"))
    if before is not None:
        end = min(end, max(start, keyed.after(before) - 1))
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    page = items[start:end]
    edges = [make_edge(item, encode_cursor(key_of(item))) for item in page]
    return {
        "totalCount": len(items) if total is None else total,
        "pageInfo": {"hasNextPage": end < len(items), "hasPreviousPage": start > 0,
                     "startCursor": edges[0]["cursor"] if edges else None,
                     "endCursor": edges[-1]["cursor"] if edges else None},
        "edges": edges,
        "nodes": [e["node"] for e in edges],
    }


class Indexed(KeyedList):
    """A plain list paged by position."""

    def __init__(self, items: list):
        self.items = items
        self.descending = False
        self.keys = [(i,) for i in range(len(items))]


class Anchored(KeyedList):
    """A list paged by item identity, so that items added at its head do not shift later pages."""

    def __init__(self, items: list, ident: Callable[[Any], Any]):
        self.items = items
        self.descending = False
        self.position = {ident(item): i for i, item in enumerate(items)}

    def after(self, key: tuple | None) -> int:
        if key is None:
            return 0
        if key[0] not in self.position:
            raise _error("The cursor names an item that is no longer in this connection; start again without it.",
                         "INVALID_CURSOR_ARGUMENTS")
        return self.position[key[0]] + 1


# ----------------------------------------------------------------------------------------- objects

class GqlContext:
    def __init__(self, state: "SandboxState", ctx: Ctx, cost: int, node_count: int):
        self.state = state
        self.view = state.view
        self.web = f"{ctx.origin}/web/github"
        self.account = ctx.account or "anonymous"
        self.cost = cost
        self.node_count = node_count

    def owner(self, account_id: int) -> Any:
        account = self.view.account("github", account_id) or self.state.world.accounts.get(("github", account_id))
        return wrap_account(account) if account else None


def wrap_account(account: Account) -> Any:
    if account.type == "Organization":
        return OrganizationObj(account)
    if account.type == "Bot":
        return BotObj(account)
    return UserObj(account)


class AccountBase:
    typename = "User"

    def __init__(self, account: Account):
        self.a = account
        self.id = node_id(self.typename, account.account_id)
        self.databaseId = account.account_id
        self.login = account.login
        self.name = account.name
        self.location = account.location
        self.createdAt = github_time(account.created_at)
        self.updatedAt = github_time(account.created_at)
        self.websiteUrl = account.blog or None

    def avatarUrl(self, info: Any, size: int | None = None) -> str:
        return f"{info.context.web}/avatars/u/{self.a.account_id}?v=4" + (f"&s={size}" if size else "")

    def url(self, info: Any) -> str:
        return f"{info.context.web}/{self.a.login}"

    def repositories(self, info: Any, **args: Any) -> dict[str, Any]:
        view = info.context.view
        repos = [RepoObj(r) for r in view.repos_of("github", self.a.account_id)]
        if self.typename == "Organization":
            repos = [RepoObj(r) for r in view.org_repos("github", self.a)]
        if args.get("isFork") is True:
            repos = []
        return repository_connection(info, repos, args)


class UserObj(AccountBase):
    typename = "User"

    def __init__(self, account: Account):
        super().__init__(account)
        self.company = account.company
        self.bio = account.bio
        self.twitterUsername = None
        self.isHireable = False

    def email(self, info: Any) -> str:
        raise _error("Your token has not been granted the required scopes to execute this query. The 'email' field "
                     "requires one of the following scopes: ['user:email', 'read:user'], but your token has only "
                     "been granted the: ['public_repo'] scopes.", "INSUFFICIENT_SCOPES")

    def followers(self, info: Any, **args: Any) -> dict[str, Any]:
        return {"totalCount": self.a.followers}


class OrganizationObj(AccountBase):
    typename = "Organization"

    def __init__(self, account: Account):
        super().__init__(account)
        self.description = account.bio
        self.email = account.email


class BotObj(AccountBase):
    typename = "Bot"


def _repo_order(args: dict[str, Any]) -> tuple[str, bool]:
    order = args.get("orderBy") or {}
    return order.get("field", "CREATED_AT"), order.get("direction", "ASC") == "DESC"


def repository_connection(info: Any, repos: list, args: dict[str, Any]) -> dict[str, Any]:
    field_name, descending = _repo_order(args)

    def key(r: Any) -> tuple:
        if field_name == "NAME":
            return (r.name.lower(), r.databaseId)
        if field_name == "STARGAZERS":
            return (r.stars(info.context.view), r.databaseId)
        return (r.moment(field_name), r.databaseId)

    ordered = sorted(repos, key=key, reverse=descending)
    keyed = Indexed(ordered)
    index = {id(r): i for i, r in enumerate(ordered)}
    return connection(info, keyed, lambda r: (index[id(r)],), lambda r, c: {"cursor": c, "node": r}, args)


class RepoObj:
    """A tracked, ecosystem or dependent repository."""

    typename = "Repository"

    def __init__(self, repo: Repo):
        self.r = repo
        self.id = node_id("Repository", repo.repo_id)
        self.databaseId = repo.repo_id
        self.name = repo.full_name.split("/", 1)[1]
        self.nameWithOwner = repo.full_name
        self.description = repo.description
        self.createdAt = github_time(repo.created_at)
        self.updatedAt = github_time(repo.updated_at)
        self.pushedAt = github_time(repo.pushed_at)
        self.isFork = repo.parent_full_name is not None
        self.isMirror = repo.is_mirror
        self.mirrorUrl = repo.mirror_url if repo.is_mirror else None
        self.isArchived = repo.archived
        self.isPrivate = False
        self.diskUsage = 3 * len(repo.commits)
        self.primaryLanguage = {"name": repo.language} if repo.language else None
        self.licenseInfo = ({"key": repo.license.lower(), "name": repo.license, "spdxId": repo.license}
                            if repo.license else None)

    def parent(self, info: Any) -> Any:
        parent = info.context.view.repo("github", self.r.parent_full_name) if self.r.parent_full_name else None
        return RepoObj(parent) if parent is not None else None

    def moment(self, field_name: str) -> float:
        chosen = {"UPDATED_AT": self.r.updated_at, "PUSHED_AT": self.r.pushed_at}.get(field_name, self.r.created_at)
        return chosen.timestamp()

    def stars(self, view: Any) -> int:
        return len(view.stars(self.r))

    def url(self, info: Any) -> str:
        return f"{info.context.web}/{self.r.full_name}"

    def owner(self, info: Any) -> Any:
        return info.context.owner(self.r.owner_id)

    def isEmpty(self, info: Any) -> bool:
        return info.context.view.is_empty(self.r)

    def stargazerCount(self, info: Any) -> int:
        return len(info.context.view.stars(self.r))

    def forkCount(self, info: Any) -> int:
        return len(info.context.view.forks(self.r))

    def defaultBranchRef(self, info: Any) -> dict[str, Any] | None:
        view = info.context.view
        commits = view.commits(self.r)
        if not commits:
            return None
        head = CommitObj(self.r, commits[0], 0)
        return {"id": node_id("Repository", self.r.repo_id) + ":ref", "name": self.r.default_branch,
                "prefix": "refs/heads/", "target": head}

    def stargazers(self, info: Any, **args: Any) -> dict[str, Any]:
        view = info.context.view
        descending = (args.get("orderBy") or {}).get("direction") == "DESC"
        keyed = view.keyed_stars(self.r, descending)

        def edge(star: Any, cursor: str) -> dict[str, Any]:
            return {"cursor": cursor, "starredAt": github_time(star.starred_at),
                    "node": UserObj(view.account("github", star.account_id))}

        return connection(info, keyed, lambda s: (s.starred_at.timestamp(), s.account_id), edge, args)

    def forks(self, info: Any, **args: Any) -> dict[str, Any]:
        view = info.context.view
        field_name, descending = _repo_order(args)
        keyed = view.keyed_forks(self.r, field_name, descending)

        def key(f: Fork) -> tuple:
            if field_name == "STARGAZERS":
                return (f.stars, f.fork_id)
            if field_name in ("PUSHED_AT", "UPDATED_AT"):
                return (f.pushed_at.timestamp(), f.fork_id)
            return (f.created_at.timestamp(), f.fork_id)

        return connection(info, keyed, key, lambda f, c: {"cursor": c, "node": ForkObj(self.r, f)}, args)

    def _activity(self, info: Any, kind: str, states: list[str] | None, args: dict[str, Any],
                  wrap: Callable[[ActivityItem], Any]) -> dict[str, Any]:
        activity = info.context.view.activity(self.r)
        wanted = {s.lower() for s in states} if states else {"open", "closed", "merged"}
        total = activity.count({kind}, wanted)
        if not _selects_items(info):
            return {"totalCount": total, "edges": [], "nodes": [],
                    "pageInfo": {"hasNextPage": total > 0, "hasPreviousPage": False, "startCursor": None,
                                 "endCursor": None}}
        numbers = activity.numbers_desc({kind}, wanted, 0, total)
        descending = (args.get("orderBy") or {}).get("direction") == "DESC"
        ordered = numbers if descending else numbers[::-1]
        keyed = Indexed(ordered)
        position = {n: i for i, n in enumerate(ordered)}
        return connection(info, keyed, lambda n: (position[n],),
                          lambda n, c: {"cursor": c, "node": wrap(activity.item(n))}, args, total)

    def pullRequests(self, info: Any, states: list[str] | None = None, **args: Any) -> dict[str, Any]:
        return self._activity(info, "pull", states, args, lambda i: ActivityObj(self.r, i, "PullRequest"))

    def issues(self, info: Any, states: list[str] | None = None, **args: Any) -> dict[str, Any]:
        return self._activity(info, "issue", states, args, lambda i: ActivityObj(self.r, i, "Issue"))

    def releases(self, info: Any, **args: Any) -> dict[str, Any]:
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "DESC"}
        releases = info.context.view.releases(self.r)  # newest first
        if order.get("field") == "NAME":
            releases = sorted(releases, key=lambda r: r.name or "", reverse=order.get("direction") == "DESC")
        elif order.get("direction") == "ASC":
            releases = releases[::-1]
        latest = releases[0].release_id if releases else None
        return connection(info, Anchored(releases, lambda r: r.release_id), lambda r: (r.release_id,),
                          lambda r, c: {"cursor": c, "node": ReleaseObj(self.r, r, r.release_id == latest)}, args)


class ForkObj(RepoObj):
    """A fork: the world keeps its owner, dates and star count, not its content."""

    def __init__(self, parent: Repo, fork: Fork):
        self.p = parent
        self.f = fork
        self.r = parent
        self.id = node_id("Repository", fork.fork_id)
        self.databaseId = fork.fork_id
        self.name = fork.full_name.split("/", 1)[1]
        self.nameWithOwner = fork.full_name
        self.description = parent.description
        self.createdAt = github_time(fork.created_at)
        self.updatedAt = github_time(max(fork.created_at, fork.pushed_at))
        self.pushedAt = github_time(fork.pushed_at)
        self.isFork = True
        self.isMirror = False
        self.mirrorUrl = None
        self.isArchived = False
        self.isPrivate = False
        self.diskUsage = 3 * len(parent.commits)
        self.primaryLanguage = {"name": parent.language} if parent.language else None
        self.licenseInfo = None

    def parent(self, info: Any) -> Any:
        return RepoObj(self.p)

    def moment(self, field_name: str) -> float:
        if field_name in ("UPDATED_AT", "PUSHED_AT"):
            return self.f.pushed_at.timestamp()
        return self.f.created_at.timestamp()

    def stars(self, view: Any) -> int:
        return self.f.stars

    def url(self, info: Any) -> str:
        return f"{info.context.web}/{self.f.full_name}"

    def owner(self, info: Any) -> Any:
        return info.context.owner(self.f.owner_id)

    def isEmpty(self, info: Any) -> bool:
        return False

    def stargazerCount(self, info: Any) -> int:
        return self.f.stars

    def forkCount(self, info: Any) -> int:
        return 0

    def defaultBranchRef(self, info: Any) -> dict[str, Any] | None:
        return None

    def _empty(self, info: Any, args: dict[str, Any], total: int = 0) -> dict[str, Any]:
        return connection(info, Indexed([]), lambda x: (0,), lambda x, c: {"cursor": c, "node": x}, args, total)

    def stargazers(self, info: Any, **args: Any) -> dict[str, Any]:
        return self._empty(info, args, self.f.stars)

    def forks(self, info: Any, **args: Any) -> dict[str, Any]:
        return self._empty(info, args)

    def pullRequests(self, info: Any, states: list[str] | None = None, **args: Any) -> dict[str, Any]:
        return self._empty(info, args)

    def issues(self, info: Any, states: list[str] | None = None, **args: Any) -> dict[str, Any]:
        return self._empty(info, args)

    def releases(self, info: Any, **args: Any) -> dict[str, Any]:
        return self._empty(info, args)


class ActivityObj:
    def __init__(self, repo: Repo, item: ActivityItem, typename: str):
        self.typename = typename
        self.i = item
        self.r = repo
        self.databaseId = repo.repo_id * 100_000 + item.number
        self.id = base64.b64encode(f"{'011:PullRequest' if typename == 'PullRequest' else '05:Issue'}{self.databaseId}".encode()).decode()
        self.number = item.number
        self.title = f"Synthetic {'pull request' if typename == 'PullRequest' else 'issue'} {item.number}"
        self.state = item.state.upper() if typename == "PullRequest" else ("OPEN" if item.state == "open" else "CLOSED")
        self.createdAt = github_time(item.created_at)
        self.closedAt = github_time(item.closed_at)
        self.mergedAt = github_time(item.closed_at) if item.state == "merged" else None

    def author(self, info: Any) -> Any:
        account = info.context.view.account("github", self.i.author_id)
        return wrap_account(account) if account else None

    def url(self, info: Any) -> str:
        part = "pull" if self.typename == "PullRequest" else "issues"
        return f"{info.context.web}/{self.r.full_name}/{part}/{self.number}"


class ReleaseObj:
    typename = "Release"

    def __init__(self, repo: Repo, release: Release, latest: bool):
        self.r = repo
        self.id = node_id("Release", release.release_id)
        self.databaseId = release.release_id
        self.name = release.name
        self.tagName = release.tag_name
        self.createdAt = github_time(release.created_at)
        self.publishedAt = github_time(release.published_at)
        self.isPrerelease = release.prerelease
        self.isDraft = False
        self.isLatest = latest

    def url(self, info: Any) -> str:
        return f"{info.context.web}/{self.r.full_name}/releases/tag/{self.tagName}"


commit_oid = commit_sha


class CommitObj:
    typename = "Commit"

    def __init__(self, repo: Repo, commit: Commit, position: int):
        self.r = repo
        self.c = commit
        self.position = position
        self.oid = commit_oid(commit)
        self.id = base64.b64encode(f"06:Commit{repo.repo_id}:{self.oid}".encode()).decode()
        self.abbreviatedOid = self.oid[:7]
        self.message = commit.message
        self.messageHeadline = commit.message.splitlines()[0] if commit.message else ""
        self.authoredDate = git_time(commit.authored_at)
        self.committedDate = git_time(commit.committed_at)
        self.additions = 0
        self.deletions = 0

    def url(self, info: Any) -> str:
        return f"{info.context.web}/{self.r.full_name}/commit/{self.oid}"

    def _actor(self, info: Any, name: str, email: str, moment: datetime) -> dict[str, Any]:
        account = info.context.view.account_of_email(email)
        user = UserObj(account) if account is not None and account.type == "User" else None
        return {"name": name, "email": email, "date": git_time(moment), "user": user}

    def author(self, info: Any) -> dict[str, Any]:
        return self._actor(info, self.c.author_name, self.c.author_email, self.c.authored_at)

    def committer(self, info: Any) -> dict[str, Any]:
        return self._actor(info, self.c.committer_name, self.c.committer_email, self.c.committed_at)

    def history(self, info: Any, since: str | None = None, until: str | None = None, **args: Any) -> dict[str, Any]:
        commits = info.context.view.commits(self.r)[self.position:]
        if since or until:
            low = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp() if since else float("-inf")
            high = datetime.fromisoformat(until.replace("Z", "+00:00")).timestamp() if until else float("inf")
            commits = [c for c in commits if low <= c.committed_at.timestamp() <= high]
        author = args.pop("author", None)
        if author and author.get("emails"):
            emails = {e.lower() for e in author["emails"]}
            commits = [c for c in commits if c.author_email.lower() in emails]
        position = {id(c): i for i, c in enumerate(commits)}
        return connection(info, Anchored(commits, commit_oid), lambda c: (commit_oid(c),),
                          lambda c, cur: {"cursor": cur, "node": CommitObj(self.r, c, self.position + position[id(c)])},
                          args)


# -------------------------------------------------------------------------------------- root query

class Root:
    def user(self, info: Any, login: str) -> Any:
        account = info.context.view.account_by_login("github", login)
        if account is None or account.type != "User":
            raise _error(f"Could not resolve to a User with the login of '{login}'.", "NOT_FOUND")
        return UserObj(account)

    def organization(self, info: Any, login: str) -> Any:
        account = info.context.view.account_by_login("github", login)
        if account is None or account.type != "Organization":
            raise _error(f"Could not resolve to an Organization with the login of '{login}'.", "NOT_FOUND")
        return OrganizationObj(account)

    def repositoryOwner(self, info: Any, login: str) -> Any:
        account = info.context.view.account_by_login("github", login)
        return wrap_account(account) if account is not None and account.type in ("User", "Organization") else None

    def repository(self, info: Any, owner: str, name: str, followRenames: bool = True) -> Any:
        view = info.context.view
        full_name = f"{owner}/{name}"
        repo = view.repo("github", full_name) or (view.renamed("github", full_name) if followRenames else None)
        if repo is not None:
            return RepoObj(repo)
        fork = view.fork("github", full_name)
        if fork is not None:
            return ForkObj(*fork)
        raise _error(f"Could not resolve to a Repository with the name '{full_name}'.", "NOT_FOUND")

    def _node(self, info: Any, ident: str) -> Any:
        view = info.context.view
        parsed = parse_node_id(ident)
        found: Any = None
        if parsed is not None:
            kind, number = parsed
            if kind in ("User", "Organization", "Bot"):
                account = view.account("github", number)
                found = wrap_account(account) if account is not None and account.type == kind else None
            elif kind == "Repository":
                repo = view.repo_by_id("github", number)
                fork = view.fork_by_id("github", number)
                found = RepoObj(repo) if repo else ForkObj(*fork) if fork else None
        return found

    def node(self, info: Any, id: str) -> Any:  # noqa: A002 - the GraphQL argument is called id
        found = self._node(info, id)
        if found is None:
            raise _error(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")
        return found

    def nodes(self, info: Any, ids: list[str]) -> list[Any]:
        if len(ids) > MAX_PAGE:
            raise _error(f"You may not ask for more than {MAX_PAGE} nodes at once (asked for {len(ids)}).",
                         "EXCESSIVE_PAGINATION")
        return [self._node(info, i) or _error(f"Could not resolve to a node with the global id of '{i}'", "NOT_FOUND")
                for i in ids]

    def viewer(self, info: Any) -> Any:
        from oss_miner.sandbox.github_api import self_account_id

        name = info.context.account
        return UserObj(Account("github", self_account_id(name), name, "User", None, name, None, None, None, None,
                               None, info.context.state.world.now))

    def rateLimit(self, info: Any, dryRun: bool = False) -> dict[str, Any]:
        gql = info.context
        budget = gql.state.budget("github", gql.account, "graphql")
        return {"cost": gql.cost, "limit": budget.limit, "nodeCount": gql.node_count,
                "remaining": budget.remaining,
                "resetAt": github_time(datetime.fromtimestamp(budget.reset_at).astimezone()),
                "used": min(budget.used, budget.limit)}


# ------------------------------------------------------------------------------------------ schema

def _schema() -> Any:
    schema = build_schema(SDL)
    for name in ("Node", "Actor", "RepositoryOwner", "GitObject"):
        schema.get_type(name).resolve_type = lambda obj, info, abstract: obj.typename
    return schema


SCHEMA = _schema()


def query_cost(document: DocumentNode, operation_name: str | None, variables: dict[str, Any]) -> tuple[int, int]:
    """GitHub's rule: one request per connection page, multiplied by the pages of enclosing connections,
    divided by 100 and rounded, at least 1. Returns (cost, nodes that could be returned)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next((o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)),
                     None)
    if operation is None:
        return 1, 0
    totals = {"requests": 0, "nodes": 0}

    def size(field: FieldNode) -> int | None:
        for arg in field.arguments or ():
            if arg.name.value in ("first", "last"):
                value = arg.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    got = variables.get(value.name.value)
                    return int(got) if isinstance(got, int) else None
        return None

    def walk(selection_set: Any, multiplier: int, seen: frozenset[str]) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                n = size(selection)
                if n is not None:
                    totals["requests"] += multiplier
                    totals["nodes"] += multiplier * n
                    walk(selection.selection_set, multiplier * max(n, 1), seen)
                else:
                    walk(selection.selection_set, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    walk(fragment.selection_set, multiplier, seen | {selection.name.value})

    walk(operation.selection_set, 1, frozenset())
    return max(1, round(totals["requests"] / 100)), totals["nodes"]


def _format_error(error: GraphQLError) -> dict[str, Any]:
    formatted = error.formatted
    extensions = formatted.pop("extensions", None) or {}
    if "type" in extensions:
        formatted = {"type": extensions["type"], **formatted}
    return formatted


@lru_cache(maxsize=512)
def checked(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parsed and validated once per query text (clients repeat their queries with new variables)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (exc,)
    return document, tuple(validate(SCHEMA, document))


class GraphqlApi:
    def __init__(self, state: "SandboxState"):
        self.state = state

    def graphql(self, ctx: Ctx) -> Reply:
        if ctx.account is None:
            return Reply({"message": "This endpoint requires you to be authenticated.",
                          "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"},
                         status=401)
        try:
            payload = json.loads(ctx.request.state.body or b"{}")
            query = payload["query"]
            variables = payload.get("variables") or {}
            operation_name = payload.get("operationName")
            if not isinstance(query, str) or not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return Reply({"message": "Problems parsing JSON",
                          "documentation_url": "https://docs.github.com/graphql"}, status=400)
        document, problems = checked(query)
        if problems:
            return Reply({"errors": [_format_error(e) for e in problems]})
        cost, nodes = query_cost(document, operation_name, variables)
        if nodes > MAX_NODES:
            return Reply({"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED",
                                      "message": f"This query requests up to {nodes} possible nodes which exceeds the maximum limit of {MAX_NODES}."}]})
        if not self.state.spend("github", ctx.account, "graphql", cost):
            return Reply({"errors": [{"type": "RATE_LIMITED",
                                      "message": f"API rate limit exceeded for user {ctx.account}."}]})
        self.state.accounting.add_points(ctx.account, cost)
        result = execute_sync(SCHEMA, document, Root(), GqlContext(self.state, ctx, cost, nodes), variables,
                              operation_name)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_format_error(e) for e in result.errors]
        body["data"] = result.data
        return Reply(body)

    def routes(self) -> list[tuple[str, Callable[..., Reply]]]:
        return [("/graphql", self.graphql)]
