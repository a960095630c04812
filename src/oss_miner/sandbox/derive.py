"""Rules the API layer and the truth share, so that what the sandbox serves and what the truth says agree.

- `contributors(world, repo, anon=True)`: what a repository's contributors endpoint lists. GitHub groups
  the default branch's commits by author email and links only the first 500 distinct emails (in commit
  order, oldest first) to accounts: a linked email verified on a live GitHub account becomes (part of)
  that account's entry; every other email is an anonymous entry, listed only with `anon=1`. Gitee and
  GitLab list one entry per author email, never an account. A mirror lists what its own commits'
  emails give (they are its primary's commits). `contributors_status` says when the endpoint answers
  403 "too large" (GitHub, huge repositories) or 204 (no commits).
- `dependents` / `code_search`: repositories whose requirements.txt, setup.py or pyproject.toml declares
  a PyPI package (names compared after PEP 503 normalisation), and the first 1,000 of them per query.
- `visible_stars`, `visible_forks`, `org_repos`, `lookup_repo`: what the listing endpoints show.
- `activity_total` / `activity_items`: pull/merge request and issue counts by state, and the items of a
  listing page (numbered newest first, deterministic).
- `tracked_repos`, `search_queries`, `findable_dependents`, `all_dependents`: what a complete run reads,
  for the truth's minimum request counts.

Endpoint templates (the keys of the truth's summary.json and of the sandbox's accounting) are the
routes' own: GitHub `/repos/{owner}/{repo}[/contributors|/forks|/stargazers|/releases]`, `/orgs/{org}/repos`,
`/search/code`, `/graphql`; Gitee the same plus `/repos/{owner}/{repo}/pulls|/issues` and `/users/{username}`;
GitLab `/projects/{id}[/repository/contributors|/forks|/starrers|/releases|/merge_requests|/issues]`,
`/groups/{id}/projects`, `/users/{id}`.

Every result is memoised in `world.cache` (cleared by `World.reindex`, which build and advance call).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import timedelta

from oss_miner.sandbox.model import Account, Commit, Fork, Repo, Star, World

GITHUB_LINKED_EMAILS = 500  # GitHub links only a repository's first 500 author emails to accounts
SEARCH_RESULTS_CAP = 1000  # GitHub code search returns at most 1,000 results per query
MANIFEST_FILES = ("requirements.txt", "setup.py", "pyproject.toml")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
_BLOCK = {"setup.py": re.compile(r"install_requires\s*=\s*\[(.*?)\]", re.S),
          "pyproject.toml": re.compile(r"dependencies\s*=\s*\[(.*?)\]", re.S)}


@dataclass
class ContributorEntry:
    """One entry of a contributors list. `account_id` None: an anonymous (email-only) entry; for account
    entries `name` is the login and `email` is empty."""

    account_id: int | None
    name: str
    email: str
    contributions: int
    additions: int = 0
    deletions: int = 0

    @property
    def anonymous(self) -> bool:
        return self.account_id is None


@dataclass
class SearchResult:
    total_count: int  # every match (what GitHub reports)
    items: list[tuple[Repo, str]]  # the first 1,000 matches: (repository, manifest path)
    incomplete_results: bool  # more matches exist than can be returned


def _memo(world: World, key: tuple, compute):
    if key not in world.cache:
        world.cache[key] = compute()
    return world.cache[key]


# ----- commits and contributors -----

def default_branch_commits(repo: Repo) -> list[Commit]:
    """Commits reachable from the default branch, oldest first (`git rev-list --count` counts these)."""
    return sorted((c for c in repo.commits if c.on_default_branch), key=lambda c: c.committed_at)


def contributors_status(repo: Repo) -> str:
    """"too_large" (GitHub answers 403), "empty" (204, no commits) or "ok"."""
    if repo.platform == "github" and repo.kind == "huge":
        return "too_large"
    if not any(c.on_default_branch for c in repo.commits):
        return "empty"
    return "ok"


def github_email_accounts(world: World) -> dict[str, Account]:
    """Lower-cased verified email -> live GitHub account."""
    def compute() -> dict[str, Account]:
        index = {}
        for key in sorted(world.accounts):
            account = world.accounts[key]
            if key[0] == "github" and not account.deleted:
                for email in account.verified_emails:
                    index.setdefault(email.lower(), account)
        return index
    return _memo(world, ("github_email_accounts",), compute)


def contributors(world: World, repo: Repo, anon: bool = True) -> list[ContributorEntry]:
    """The repository's contributors list as its platform's endpoint gives it (see the module docstring),
    ordered by contributions, most first; ties keep first-commit order."""
    key = ("contributors", repo.platform, repo.repo_id, repo.version, anon)
    return _memo(world, key, lambda: _contributors(world, repo, anon))


def _contributors(world: World, repo: Repo, anon: bool) -> list[ContributorEntry]:
    per_email: dict[str, ContributorEntry] = {}
    for commit in default_branch_commits(repo):
        email = commit.author_email.lower()
        entry = per_email.get(email)
        if entry is None:
            entry = per_email[email] = ContributorEntry(None, commit.author_name, commit.author_email, 0)
        entry.contributions += 1
        entry.additions += commit.additions
        entry.deletions += commit.deletions
    order = {email: i for i, email in enumerate(per_email)}
    if repo.platform != "github":
        entries = list(per_email.values())
        return sorted(entries, key=lambda e: (-e.contributions, order[e.email.lower()]))
    linked = github_email_accounts(world)
    by_account: dict[int, ContributorEntry] = {}
    first_seen: dict[int, int] = {}
    anonymous: list[ContributorEntry] = []
    for email, entry in per_email.items():
        account = linked.get(email) if order[email] < GITHUB_LINKED_EMAILS else None
        if account is None:
            anonymous.append(entry)
            continue
        merged = by_account.get(account.account_id)
        if merged is None:
            by_account[account.account_id] = ContributorEntry(account.account_id, account.login, "", entry.contributions,
                                                              entry.additions, entry.deletions)
            first_seen[account.account_id] = order[email]
        else:
            merged.contributions += entry.contributions
            merged.additions += entry.additions
            merged.deletions += entry.deletions
    ranked = [(e, first_seen[e.account_id]) for e in by_account.values()]
    if anon:
        ranked += [(e, order[e.email.lower()]) for e in anonymous]
    return [e for e, _ in sorted(ranked, key=lambda pair: (-pair[0].contributions, pair[1]))]


# ----- listings -----

def visible_stars(world: World, repo: Repo) -> list[Star]:
    """Stargazers, oldest first (GitHub REST order), without deleted accounts."""
    return [s for s in repo.stars if not _deleted(world, repo.platform, s.account_id)]


def visible_forks(world: World, repo: Repo, sort: str = "newest") -> list[Fork]:
    """Forks as GitHub's `sort` orders them: newest (default), oldest, stargazers (ties: newest first)."""
    forks = [f for f in repo.forks if not f.deleted and not _deleted(world, repo.platform, f.owner_id)]
    if sort == "oldest":
        return sorted(forks, key=lambda f: (f.created_at, f.fork_id))
    if sort in ("stargazers", "watchers"):
        return sorted(forks, key=lambda f: (-f.stars, -f.created_at.timestamp(), -f.fork_id))
    return sorted(forks, key=lambda f: (f.created_at, f.fork_id), reverse=True)


def is_active_fork(fork: Fork) -> bool:
    """Pushed to more than a day after it was created."""
    return fork.pushed_at - fork.created_at > timedelta(days=1)


def _deleted(world: World, platform: str, account_id: int) -> bool:
    account = world.accounts.get((platform, account_id))
    return account is None or account.deleted


def org_repos(world: World, platform: str, login: str) -> list[Repo]:
    """An organisation's (GitLab: group's) repositories, in creation order."""
    for (p, org), ids in world.orgs.items():
        if p == platform and org.lower() == login.lower():
            repos = [world.repos[(platform, i)] for i in ids]
            return sorted(repos, key=lambda r: (r.created_at, r.repo_id))
    return []


def lookup_repo(world: World, platform: str, full_name: str) -> tuple[Repo | None, bool]:
    """(repository, redirected): by current name, else by an old name (redirected=True: answer 301)."""
    repo = world.repo_by_name(platform, full_name)
    if repo is not None:
        return repo, False
    old = world.repo_by_old_name(platform, full_name)
    return old, old is not None


def account_by_login(world: World, platform: str, login: str) -> Account | None:
    return world.account_by_login(platform, login)


# ----- activity -----

def activity_total(repo: Repo, kind: str, state: str = "all") -> int:
    """kind: pulls (GitLab merge requests) or issues; state: open, closed, merged or all.
    GitHub's REST `closed` pull requests include merged ones; pass "closed_only" for closed-unmerged."""
    counts = repo.pulls if kind == "pulls" else repo.issues
    if state == "all":
        return sum(counts.values())
    if state == "closed" and kind == "pulls":
        return counts.get("closed", 0) + counts.get("merged", 0)
    if state == "closed_only":
        return counts.get("closed", 0)
    return counts.get(state, 0)


@dataclass
class ActivityItem:
    number: int
    state: str  # open | closed | merged
    title: str
    created_at: object  # datetime


def activity_items(repo: Repo, kind: str, state: str = "all", offset: int = 0, limit: int = 100) -> list[ActivityItem]:
    """Items of a pull request / issue listing, newest first. Numbers 1..N run oldest to newest; the oldest
    are merged, then closed, the newest open (so each state is one block of numbers). `state` as in
    `activity_total` (GitHub's `closed` pull requests include the merged ones)."""
    counts = repo.pulls if kind == "pulls" else repo.issues
    blocks, start = {}, 0
    for name in ("merged", "closed", "open"):
        blocks[name] = (start, start + counts.get(name, 0))
        start += counts.get(name, 0)
    total = start
    if state == "all":
        lo, hi = 0, total
    elif state == "closed" and kind == "pulls":
        lo, hi = 0, blocks["closed"][1]
    else:
        lo, hi = blocks.get("closed" if state == "closed_only" else state, (0, 0))
    span = max((repo.updated_at - repo.created_at).total_seconds(), 1)
    salt = zlib.crc32(repo.full_name.encode()) % 97
    items = []
    for position in range(hi - 1 - offset, max(lo - 1, hi - 1 - offset - limit), -1):
        item_state = next(name for name, (a, b) in blocks.items() if a <= position < b)
        created = repo.created_at + timedelta(seconds=span * (position + 1) / (total + 1))
        title = f"Synthetic {'pull request' if kind == 'pulls' else 'issue'} #{position + 1} ({salt})"
        items.append(ActivityItem(position + 1, item_state, title, created))
    return items


# ----- dependents and code search -----

def normalise_package(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_packages(text: str, path: str) -> set[str]:
    """Normalised names of the packages a manifest declares."""
    if path == "requirements.txt":
        lines = [line.split("#", 1)[0] for line in text.splitlines()]
        names = [m.group(1) for line in lines if not line.strip().startswith("-") for m in [_REQUIREMENT_NAME.match(line)] if m]
    else:
        block = _BLOCK[path].search(text)
        names = []
        for spec in _QUOTED.findall(block.group(1) if block else ""):
            match = _REQUIREMENT_NAME.match(spec)
            if match:
                names.append(match.group(1))
    return {normalise_package(n) for n in names}


def _dependents_index(world: World) -> dict[str, list[tuple[Repo, str]]]:
    def compute() -> dict[str, list[tuple[Repo, str]]]:
        index: dict[str, list[tuple[Repo, str]]] = {}
        repos = sorted((r for r in world.repos.values() if r.files and r.platform == "github"),
                       key=lambda r: (r.created_at, r.repo_id))
        for repo in repos:
            for path in MANIFEST_FILES:
                if path in repo.files:
                    for package in sorted(declared_packages(repo.files[path], path)):
                        index.setdefault(package, []).append((repo, path))
        return index
    return _memo(world, ("dependents_index",), compute)


def dependents(world: World, package: str) -> list[tuple[Repo, str]]:
    """(repository, manifest path) pairs declaring `package`, oldest repository first (the search order)."""
    return list(_dependents_index(world).get(normalise_package(package), []))


def code_search(world: World, package: str, file_name: str) -> SearchResult:
    """What GitHub code search answers for `PACKAGE filename:FILE`: the first 1,000 matches in order."""
    matches = [(r, p) for r, p in dependents(world, package) if p == file_name]
    return SearchResult(len(matches), matches[:SEARCH_RESULTS_CAP], len(matches) > SEARCH_RESULTS_CAP)


def parse_code_query(query: str) -> tuple[str | None, str | None]:
    """(package, file name) of a code search query such as `torch filename:requirements.txt` or
    `"paddlepaddle" in:file path:setup.py`; qualifiers other than filename:/path: are ignored."""
    package, file_name = None, None
    for token in re.findall(r'"[^"]*"|\S+', query):
        lowered = token.lower()
        if lowered.startswith(("filename:", "path:")):
            file_name = token.split(":", 1)[1].strip('"').rsplit("/", 1)[-1]
        elif ":" in token and not token.startswith('"'):
            continue
        elif package is None:
            package = token.strip('"')
    return package, file_name


# ----- what a complete run reads -----

def search_queries(world: World) -> list[tuple[str, str, str]]:
    """(framework, package, file name): one code search query per package and manifest file."""
    catalogue = world.catalogue
    return [(name, package, path) for name, fw in catalogue.frameworks.items() for package in fw.pypi
            for path in MANIFEST_FILES]


def findable_dependents(world: World, framework: str) -> set[tuple[str, int]]:
    """Dependent repositories of a framework that its queries can reach (each query's first 1,000)."""
    found = set()
    for name, package, path in search_queries(world):
        if name == framework:
            found |= {(r.platform, r.repo_id) for r, _ in code_search(world, package, path).items}
    return found


def all_dependents(world: World, framework: str) -> set[tuple[str, int]]:
    fw = world.catalogue.frameworks[framework]
    return {(r.platform, r.repo_id) for package in fw.pypi for r, _ in dependents(world, package)}


def tracked_repos(world: World) -> list[Repo]:
    """Tracked repositories in catalogue order."""
    order = {(ref.platform, ref.path.lower()): i for i, (_, ref) in enumerate(world.catalogue.tracked_repos())}
    tracked = [r for r in world.repos.values() if r.tracked]
    return sorted(tracked, key=lambda r: order.get((r.platform, (r.catalogue_path or "").lower()), len(order)))
