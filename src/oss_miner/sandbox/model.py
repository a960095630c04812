"""The synthetic ecosystem the sandbox serves: plain data, no HTTP.

`world.py` builds a `World` deterministically from (seed, scale, catalogue) and moves it on with
`world.advance`; the API modules (`github_api.py`, `gitee_api.py`, `gitlab_api.py`, `graphql_api.py`)
only read it, through `derive.py` where a rule is shared with the truth; `truth.py` derives what a
perfect pipeline would conclude. Everything here is synthetic
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
    git_name: str = ""  # the author name their commits carry
    location_source: str = "none"  # profile (some profile writes the place), noise, none
    dst: str = ""  # north | south when their clocks move in summer (commit offsets follow)


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
    verified_emails: list[str] = field(default_factory=list)  # commit emails the platform links to it (GitHub)
    location_truth: tuple[str | None, str | None, str | None] | None = None  # organisations: (country, region, city)


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
    branch: str | None = None  # the side branch holding it when not on the default branch
    additions: int = 0
    deletions: int = 0


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
    catalogue_path: str | None = None  # the path the catalogue names (tracked repositories; the OLD name if renamed)
    former_names: list[str] = field(default_factory=list)  # every earlier full_name (each answers 301)
    parent_full_name: str | None = None  # organisation repositories that are forks of another project
    synced_at: datetime | None = None  # mirrors: last synchronisation (None: never synced)
    homepage: str | None = None


@dataclass
class World:
    seed: int
    scale: float
    now: datetime  # the world's clock: midnight UTC of its as_of date, moved on by advance()
    root: Path  # folder holding the bare git repositories
    people: dict[int, Person] = field(default_factory=dict)
    accounts: dict[tuple[str, int], Account] = field(default_factory=dict)
    repos: dict[tuple[str, int], Repo] = field(default_factory=dict)
    orgs: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (platform, org login) -> repo ids
    advances: list[float] = field(default_factory=list)
    renames: list[tuple[str, str, str]] = field(default_factory=list)  # (platform, old full_name, new full_name)
    deleted_accounts: list[tuple[str, int]] = field(default_factory=list)
    _logins: dict[tuple[str, str], Account] = field(default_factory=dict, repr=False, compare=False)
    _names: dict[tuple[str, str], Repo] = field(default_factory=dict, repr=False, compare=False)
    _old_names: dict[tuple[str, str], Repo] = field(default_factory=dict, repr=False, compare=False)
    _forks: dict[tuple[str, int], tuple[Repo, Fork]] = field(default_factory=dict, repr=False, compare=False)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # derive.py memoises here
    catalogue: object | None = field(default=None, repr=False, compare=False)  # the Catalogue it was built from
    hubs: object | None = field(default=None, repr=False, compare=False)  # the model hubs (hub_world.HubWorld)

    def reindex(self) -> None:
        """Rebuild the lookup indices; world.py calls it after building and after every advance."""
        self._logins = {(a.platform, a.login.lower()): a for a in self.accounts.values() if not a.deleted}
        self._names = {(r.platform, r.full_name.lower()): r for r in self.repos.values()}
        self._old_names = {(r.platform, old.lower()): r for r in self.repos.values() for old in r.former_names}
        self._forks = {(r.platform, f.fork_id): (r, f) for r in self.repos.values() for f in r.forks}
        self.cache.clear()

    def account_by_login(self, platform: str, login: str) -> Account | None:
        return self._logins.get((platform, login.lower()))

    def repo_by_name(self, platform: str, full_name: str) -> Repo | None:
        """The repository currently named `full_name` (not its old names: see repo_by_old_name)."""
        return self._names.get((platform, full_name.lower()))

    def repo_by_old_name(self, platform: str, full_name: str) -> Repo | None:
        """The repository that used to be called `full_name` (it answers 301 to its new name)."""
        return self._old_names.get((platform, full_name.lower()))

    def fork_by_id(self, platform: str, fork_id: int) -> tuple[Repo, Fork] | None:
        return self._forks.get((platform, fork_id))
