"""GitHub GraphQL: the queries oss-miner sends and the records it makes of the answers.

GraphQL is where GitHub is cheap: 100 profiles per query (aliased `user(login:)`), stargazers and
forks newest first with cursors (REST stargazers has no order and stops at page 400), fork activity
by `nodes(ids:)`, pull request and issue counts as `totalCount`s, and commit history with the
author's own UTC offset (REST dates are UTC and carry none). Logins and ids always travel as
variables, never spliced into the query text.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timezone
from typing import Any, Callable

from oss_miner.privacy import Hasher
from oss_miner.records import empty_record
from oss_miner.sources.http import as_dict

BATCH = 100  # GitHub's node limit per connection page, and the profile batch size

_FORK_FIELDS = """
  id databaseId nameWithOwner createdAt pushedAt stargazerCount
  owner { __typename login ... on User { databaseId } ... on Organization { databaseId } }
"""

_STARGAZERS = """
    stargazers(first: 100, after: $after, orderBy: {field: STARRED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { starredAt node { databaseId login } }
    }"""
_FORKS = """
    forks(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { %s }
    }""" % _FORK_FIELDS
_RELEASES = """
    releases(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { databaseId tagName name createdAt publishedAt isPrerelease }
    }"""
_ACTIVITY = """
    openPullRequests: pullRequests(states: [OPEN]) { totalCount }
    closedPullRequests: pullRequests(states: [CLOSED]) { totalCount }
    mergedPullRequests: pullRequests(states: [MERGED]) { totalCount }
    openIssues: issues(states: [OPEN]) { totalCount }
    closedIssues: issues(states: [CLOSED]) { totalCount }"""


def _repository_query(*parts: str, after: bool = True) -> str:
    cursor = ", $after: String" if after else ""
    return "query($owner: String!, $name: String!%s) {\n  repository(owner: $owner, name: $name) {%s\n  }\n}" % (
        cursor, "".join(parts))


STARGAZERS = _repository_query(_STARGAZERS)
FORKS = _repository_query(_FORKS)
RELEASES = _repository_query(_RELEASES)
# One query (one point) for what changes when a repository does: its pull request and issue counts and
# the newest page of stargazers, forks and releases. Further pages use the queries above.
HEAD = _repository_query(_ACTIVITY, _STARGAZERS.replace(", after: $after", ""),
                         _FORKS.replace(", after: $after", ""), _RELEASES.replace(", after: $after", ""), after=False)

FORK_NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Repository { %s } }
}
""" % _FORK_FIELDS

ACTIVITY_FIELDS = {
    "openPullRequests": ("pull_requests", "open"), "closedPullRequests": ("pull_requests", "closed"),
    "mergedPullRequests": ("pull_requests", "merged"), "openIssues": ("issues", "open"),
    "closedIssues": ("issues", "closed"),
}

COMMITS = """
query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef {
      name
      target {
        ... on Commit {
          history(first: 100, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes {
              oid authoredDate committedDate
              author { name email date user { databaseId login } }
              committer { date }
            }
          }
        }
      }
    }
  }
}
"""

_USER_FIELDS = "databaseId login name location company websiteUrl createdAt followers { totalCount } repositories { totalCount }"
_ORG_FIELDS = "databaseId login name location websiteUrl createdAt repositories { totalCount }"


def profiles_query(kinds: list[str]) -> str:
    """One query for up to 100 accounts: alias a<i> is `user(login: $l<i>)` or `organization(...)`."""
    params = ", ".join(f"$l{i}: String!" for i in range(len(kinds)))
    fields = []
    for i, kind in enumerate(kinds):
        if kind == "Organization":
            fields.append(f"a{i}: organization(login: $l{i}) {{ {_ORG_FIELDS} }}")
        else:
            fields.append(f"a{i}: user(login: $l{i}) {{ {_USER_FIELDS} }}")
    return "query(%s) {\n  %s\n}" % (params, "\n  ".join(fields))


# -- parsing --------------------------------------------------------------------------------
def errors_by_alias(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """GraphQL errors keyed by the first element of their path (the alias they belong to)."""
    out: dict[str, dict[str, Any]] = {}
    for error in answer.get("errors") or []:
        path = error.get("path") or []
        if path:
            out[str(path[0])] = error
    return out


def website_host(url: str | None) -> str | None:
    """The host of a profile's website, without scheme, path or port."""
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urllib.parse.urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host or not re.fullmatch(r"[a-z0-9.\-]+", host):
        return None
    return host.removeprefix("www.")


def account_record(platform: str, node: dict[str, Any], hasher: Hasher, type_: str | None = None) -> dict[str, Any]:
    """An `accounts` record from a GraphQL User/Organization: no name, no email, only hashes and hosts."""
    return empty_record(
        "accounts", platform=platform, account_id=node.get("databaseId"), login=node.get("login"),
        type=type_ or node.get("__typename") or "User", name_key=hasher.name(node.get("name")),
        location=node.get("location") or None, company=node.get("company") or None,
        website_host=website_host(node.get("websiteUrl")), created_at=node.get("createdAt"),
        followers=_total(node.get("followers")), public_repos=_total(node.get("repositories")),
    )


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def stargazer_records(platform: str, repo: str, connection: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for edge in _items(as_dict(connection).get("edges")):
        node = as_dict(edge.get("node"))
        if node.get("databaseId") is None:
            continue
        records.append(empty_record("stargazers", platform=platform, repo=repo, account_id=node["databaseId"],
                                    login=node.get("login"), starred_at=edge.get("starredAt")))
    return records


def fork_record(platform: str, repo: str, node: dict[str, Any]) -> dict[str, Any]:
    owner = as_dict(node.get("owner"))
    return empty_record(
        "forks", platform=platform, repo=repo, fork_id=node.get("databaseId"), full_name=node.get("nameWithOwner"),
        owner_id=owner.get("databaseId"), owner_login=owner.get("login"), owner_type=owner.get("__typename"),
        created_at=node.get("createdAt"), pushed_at=node.get("pushedAt"), stars=node.get("stargazerCount"),
    )


def release_records(platform: str, repo: str, connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        empty_record("releases", platform=platform, repo=repo, release_id=n.get("databaseId"), tag_name=n.get("tagName"),
                     name=n.get("name"), created_at=n.get("createdAt"), published_at=n.get("publishedAt"),
                     prerelease=n.get("isPrerelease"))
        for n in _items(as_dict(connection).get("nodes"))
    ]


def activity_records(platform: str, repo: str, repository: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        empty_record("activity", platform=platform, repo=repo, kind=kind, state=state,
                     count=_total(repository.get(alias)))
        for alias, (kind, state) in ACTIVITY_FIELDS.items()
    ]


_NOREPLY = re.compile(r"^(\d+)\+[^@]+@users\.noreply\.github\.com$", re.IGNORECASE)


def noreply_account_id(email: str | None) -> int | None:
    match = _NOREPLY.match((email or "").strip())
    return int(match.group(1)) if match else None


def utc_offset_minutes(stamp: str | None) -> int | None:
    """The UTC offset an ISO 8601 timestamp carries ("Z" is 0), or None when it carries none."""
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    offset = parsed.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def to_utc(stamp: str | None) -> str | None:
    if not stamp or not isinstance(stamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def commit_record(platform: str, repo: str, node: dict[str, Any], hasher: Hasher, is_bot: Callable[..., bool]) -> dict[str, Any]:
    """A `commits` record like the git source's; the author's address becomes a domain and a keyed hash.

    GitHub's `authoredDate` is a UTC DateTime, while `author.date` (a GitTimestamp) keeps the author's
    offset as git recorded it; the offset is taken from the latter when it is there.
    """
    author = as_dict(node.get("author"))
    committer = as_dict(node.get("committer"))
    user = as_dict(author.get("user"))
    authored = author.get("date") or node.get("authoredDate")
    email = author.get("email")
    domain, key = hasher.email(email)
    return empty_record(
        "commits", platform=platform, repo=repo, sha=node.get("oid"), authored_at=to_utc(authored),
        author_utc_offset_minutes=utc_offset_minutes(authored),
        committer_utc_offset_minutes=utc_offset_minutes(committer.get("date") or node.get("committedDate")),
        email_domain=domain, author_key=key, name_key=hasher.name(author.get("name")),
        noreply_account_id=noreply_account_id(email), on_default_branch=True,
        is_bot=bool(is_bot(author.get("name"), email, user.get("login"))), source="api",
    )


def _total(connection: Any) -> int | None:
    return connection.get("totalCount") if isinstance(connection, dict) else None
