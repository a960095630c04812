"""The synthetic ecosystem the sandbox serves: plain data, no HTTP.

`world.py` builds a `World` deterministically from (seed, scale, catalogue) and moves it on with
`World.advance`; the API modules (`github_api.py`, `gitee_api.py`, `gitlab_api.py`, `graphql_api.py`)
only read it; `truth.py` derives what a perfect pipeline would conclude. Everything here is synthetic
and every repository description says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

STATES_PR = ("open", "closed", "merged")
STATES_ISSUE = ("open", "closed")


@dataclass
class Person:
    """A synthetic human (or bot) behind accounts and commit identities."""

    person_id: int
    name: str
    emails: list[str]  # commit author emails; the first is the usual one
    country_iso2: str | None  # the truth about where they are (None: unknown/none)
    region: str | None  # ISO 3166-2, e.g. CN-ZJ
    city: str | None
    utc_offset_minutes: int  # the offset their commits usually carry
    is_bot: bool = False
    employer: str | None = None  # vendor name, other company, university...


@dataclass
class Account:
    """An account (user, organisation/group or bot) on one platform."""

    platform: str  # github | gitee | gitlab
    account_id: int
    login: str
    type: str  # User | Organization | Bot
    person_id: int | None  # None for organisations
    name: str | None
    location: str | None  # free text as typed; never served by Gitee (the field does not exist there)
    company: str | None
    blog: str | None
    email: str | None  # public profile email
    bio: str | None
    created_at: datetime
    followers: int = 0
    public_repos: int = 0
    deleted: bool = False  # deleted accounts answer 404


@dataclass
class Fork:
    fork_id: int
    owner_id: int
    full_name: str
    created_at: datetime
    pushed_at: datetime
    stars: int = 0
    deleted: bool = False


@dataclass
class Star:
    account_id: int
    starred_at: datetime


@dataclass
class Release:
    release_id: int
    tag_name: str
    name: str
    created_at: datetime
    published_at: datetime
    prerelease: bool = False


@dataclass
class Commit:
    author_person_id: int
    author_name: str
    author_email: str
    authored_at: datetime  # timezone-aware, in the author's offset
    committer_name: str
    committer_email: str
    committed_at: datetime  # timezone-aware, in the committer's offset
    message: str
    on_default_branch: bool = True
    sha: str | None = None  # filled in once written to git


@dataclass
class Repo:
    platform: str
    repo_id: int
    full_name: str  # current OWNER/NAME (GitLab: path_with_namespace)
    owner_id: int
    description: str  # always mentions "synthetic"
    created_at: datetime
    pushed_at: datetime
    updated_at: datetime
    default_branch: str = "master"
    framework: str | None = None  # tracked framework it belongs to, if any
    role: str | None = None  # primary | mirror for tracked repositories
    kind: str = "normal"  # normal | huge | empty | renamed (tracked); ecosystem | dependent otherwise
    tracked: bool = False
    old_full_name: str | None = None  # a renamed repository answers 301 at its old name
    is_mirror: bool = False
    mirror_url: str | None = None
    mirror_of: tuple[str, str] | None = None  # (platform, full_name) of the primary it copies
    language: str | None = "Python"
    license: str | None = "Apache-2.0"
    archived: bool = False
    stars: list[Star] = field(default_factory=list)
    forks: list[Fork] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    pulls: dict[str, int] = field(default_factory=dict)  # state -> count
    issues: dict[str, int] = field(default_factory=dict)  # state -> count
    commits: list[Commit] = field(default_factory=list)
    git_dir: Path | None = None  # bare repository on disk (tracked repositories only)
    files: dict[str, str] = field(default_factory=dict)  # path -> text (dependency manifests, for code search)
    version: int = 0  # bumped whenever anything served about the repository changes (drives ETags)


@dataclass
class World:
    seed: int
    scale: float
    now: datetime  # the world's clock: fixed from the seed, moved by advance()
    root: Path  # folder holding the bare git repositories
    people: dict[int, Person] = field(default_factory=dict)
    accounts: dict[tuple[str, int], Account] = field(default_factory=dict)
    repos: dict[tuple[str, int], Repo] = field(default_factory=dict)
    orgs: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (platform, org login) -> repo ids
    advances: list[float] = field(default_factory=list)

    def account_by_login(self, platform: str, login: str) -> Account | None:
        for account in self.accounts.values():
            if account.platform == platform and account.login.lower() == login.lower() and not account.deleted:
                return account
        return None

    def repo_by_name(self, platform: str, full_name: str) -> Repo | None:
        wanted = full_name.lower()
        for repo in self.repos.values():
            if repo.platform == platform and repo.full_name.lower() == wanted:
                return repo
        return None
