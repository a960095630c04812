"""What happens to repositories over time: commits, stars, forks, releases, activity counts, manifests.

Shared by the initial build and by `advance`, so that new data looks like the old.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from datetime import datetime, timedelta, timezone

from oss_miner.sandbox import pools
from oss_miner.sandbox.model import Account, Commit, Fork, Person, Release, Repo, Star, World
from oss_miner.sandbox.population import utc_offset

WEB_COMMITTER = {"github": ("GitHub", "noreply@github.com", 0), "gitee": ("Gitee", "noreply@gitee.com", 480)}
ACTIVE_AFTER = timedelta(days=1)  # a fork is active when pushed to more than this after its creation


def recent(rng: random.Random, lo: datetime, hi: datetime, power: float = 1.5) -> datetime:
    """A time in [lo, hi], denser towards hi (activity grows over time)."""
    span = max((hi - lo).total_seconds(), 1.0)
    return lo + timedelta(seconds=int(span * rng.random() ** (1 / power)))


def _message(rng: random.Random, person: Person, number: int) -> str:
    area = pools.AREAS[int(rng.random() * len(pools.AREAS))]
    template = pools.COMMIT_SUBJECTS[int(rng.random() * len(pools.COMMIT_SUBJECTS))]
    fields = {"area": area, "AREA": area.upper(), "num": number}
    if "{login}" in template:
        fields["login"] = "".join(ch for ch in person.git_name.lower() if ch.isalnum()) or "dev"
    if "{ver}" in template:
        fields["ver"] = f"{number % 4}.{number % 13}.{number % 6}"
    body = "" if rng.random() < 0.7 else f"\n{pools.BIOS[number % len(pools.BIOS)] or 'details'} (synthetic)\n"
    return template.format(**fields) + "\n" + body


def make_commit(rng: random.Random, repo: Repo, person: Person, committed_utc: datetime,
                maintainers: list[Person], number: int) -> Commit:
    """One commit by `person`, committed at `committed_utc`; the author keeps their own UTC offset."""
    email = person.emails[0] if len(person.emails) == 1 or rng.random() < 0.85 else rng.choice(person.emails[1:])
    roll = rng.random()
    committer = (person.git_name, email, None)
    authored_utc = committed_utc
    if not person.is_bot and roll >= 0.72:
        web = WEB_COMMITTER.get(repo.platform)
        if roll < 0.92 and web:
            committer = web
            authored_utc = committed_utc - timedelta(minutes=rng.randint(10, 72 * 60))
        elif maintainers:
            maintainer = rng.choice(maintainers)
            committer = (maintainer.git_name, maintainer.emails[0], utc_offset(maintainer, committed_utc))
            authored_utc = committed_utc - timedelta(minutes=rng.randint(60, 96 * 60))
    if person.is_bot or rng.random() < 0.02:
        author_offset = 0  # CI and servers left at UTC
    else:
        author_offset = utc_offset(person, authored_utc)
    committer_offset = author_offset if committer[2] is None else committer[2]
    additions = int(rng.paretovariate(1.1) * 6)
    return Commit(
        author_person_id=person.person_id, author_name=person.git_name, author_email=email,
        authored_at=authored_utc.astimezone(timezone(timedelta(minutes=author_offset))),
        committer_name=committer[0], committer_email=committer[1],
        committed_at=committed_utc.astimezone(timezone(timedelta(minutes=committer_offset))),
        message=_message(rng, person, number), additions=additions, deletions=int(additions * rng.random()))


def spread_times(rng: random.Random, n: int, lo: datetime, hi: datetime) -> list[datetime]:
    return sorted(recent(rng, lo, hi) for _ in range(n))


def author_sequence(rng: random.Random, authors: list[Person], staff: list[Person], bots: list[Person],
                    n_commits: int, profile: pools.FrameworkProfile) -> list[Person]:
    """Who writes each of `n_commits` commits: heavy-tailed, every author at least once, staff and bots
    with the profile's shares."""
    n_bot = round(n_commits * profile.bot_commit_share) if bots else 0
    n_human = n_commits - n_bot
    authors = authors[:n_human]
    weights = [rng.paretovariate(1.16) for _ in authors]
    staff_ids = {p.person_id for p in staff}
    is_staff = [p.person_id in staff_ids for p in authors]
    s = sum(w for w, st in zip(weights, is_staff) if st)
    o = sum(w for w, st in zip(weights, is_staff) if not st)
    if s and o and 0 < profile.staff_commit_share < 1:
        factor = profile.staff_commit_share * o / ((1 - profile.staff_commit_share) * s)
        weights = [w * factor if st else w for w, st in zip(weights, is_staff)]
    if profile.top_author_share and staff:
        top = next(i for i, st in enumerate(is_staff) if st)
        rest = sum(weights) - weights[top]
        weights[top] = rest * profile.top_author_share / (1 - profile.top_author_share)
    sequence = list(authors)
    if n_human > len(authors):
        sequence += rng.choices(authors, weights=weights, k=n_human - len(authors))
    if n_bot:
        sequence += rng.choices(bots, weights=[1.0 / (i + 1) for i in range(len(bots))], k=n_bot)
    rng.shuffle(sequence)
    return sequence


class Candidates(list):
    """(account, weight) pairs that remember their cumulative weights (drawn from many times)."""

    _cum: list[float] | None = None

    def cumulative(self) -> list[float]:
        if self._cum is None:
            self._cum = list(itertools.accumulate(w for _, w in self))
        return self._cum


def pick_accounts(rng: random.Random, candidates: list[tuple[Account, float]], n: int,
                  exclude: set[int]) -> list[Account]:
    """n distinct accounts, drawn without replacement with the given weights.

    Few from many: weighted draws with rejection of repeats; otherwise Efraimidis-Spirakis keys.
    """
    if n <= 0:
        return []
    if n * 4 < len(candidates):
        cum = candidates.cumulative() if isinstance(candidates, Candidates) else Candidates(candidates).cumulative()
        total = cum[-1] if cum else 0.0
        chosen: dict[int, Account] = {}
        for _ in range(n * 20):
            account = candidates[bisect.bisect_left(cum, rng.random() * total)][0]
            if account.account_id not in exclude and account.account_id not in chosen:
                chosen[account.account_id] = account
                if len(chosen) == n:
                    break
        return list(chosen.values())
    keyed = ((rng.random() ** (1.0 / w), i) for i, (a, w) in enumerate(candidates) if a.account_id not in exclude and w > 0)
    return [candidates[i][0] for _, i in heapq.nlargest(n, keyed)]


def add_stars(rng: random.Random, repo: Repo, accounts: list[Account], lo: datetime, hi: datetime) -> None:
    stars = []
    for account in accounts:
        start = max(lo, account.created_at, repo.created_at)
        if start < hi:
            stars.append(Star(account.account_id, recent(rng, start, hi)))
    repo.stars.extend(sorted(stars, key=lambda s: (s.starred_at, s.account_id)))


def add_forks(rng: random.Random, repo: Repo, owners: list[Account], lo: datetime, hi: datetime,
              take_id, active_share: float = 0.15) -> None:
    short = repo.full_name.rsplit("/", 1)[1]
    forks = []
    for owner in owners:
        start = max(lo, owner.created_at, repo.created_at)
        if start >= hi:
            continue
        created = recent(rng, start, hi)
        if rng.random() < active_share and hi - created > 2 * ACTIVE_AFTER:
            pushed = created + ACTIVE_AFTER + timedelta(seconds=int((hi - created - ACTIVE_AFTER).total_seconds() * rng.random()))
        else:
            pushed = created + timedelta(minutes=rng.randint(-20 * 60, 20 * 60))  # a fresh fork keeps its parent's push
            pushed = min(pushed, hi)
        stars = min(200, int(rng.paretovariate(1.3))) if rng.random() < 0.08 else 0
        forks.append(Fork(take_id(), owner.account_id, f"{owner.login}/{short}", created, pushed, stars))
    repo.forks.extend(sorted(forks, key=lambda f: (f.created_at, f.fork_id)))


def make_releases(rng: random.Random, repo: Repo, n: int, lo: datetime, hi: datetime, take_id) -> None:
    major, minor, patch = rng.choice(((0, 1, 0), (1, 0, 0), (2, 0, 0)))
    for when in spread_times(rng, n, lo, hi):
        roll = rng.random()
        if roll < 0.6:
            minor, patch = minor + 1, 0
        elif roll < 0.9:
            patch += 1
        else:
            major, minor, patch = major + 1, 0, 0
        append_release(rng, repo, f"v{major}.{minor}.{patch}", when, take_id)


def append_release(rng: random.Random, repo: Repo, tag: str, when: datetime, take_id) -> None:
    prerelease = rng.random() < 0.1
    tag = f"{tag}-rc{rng.randint(1, 3)}" if prerelease else tag
    name = rng.choice((tag, f"Release {tag}", f"{repo.full_name.rsplit('/', 1)[1]} {tag}", ""))
    repo.releases.append(Release(take_id(), tag, name, when - timedelta(hours=rng.randint(1, 48)), when, prerelease))


def next_tag(repo: Repo) -> str:
    if not repo.releases:
        return "v0.1.0"
    parts = repo.releases[-1].tag_name.lstrip("v").split("-")[0].split(".")
    major, minor, patch = (int(x) for x in (parts + ["0", "0"])[:3])
    return f"v{major}.{minor}.{patch + 1}"


def activity_counts(rng: random.Random, repo: Repo, commits: int, primary_role: bool) -> None:
    if primary_role:
        pulls = round(commits * rng.uniform(1.0, 1.4))
        opened, closed = round(pulls * 0.04), round(pulls * 0.22)
        repo.pulls = {"open": opened, "closed": closed, "merged": pulls - opened - closed}
        issues = round(commits * rng.uniform(0.5, 0.9))
        repo.issues = {"open": round(issues * 0.15), "closed": issues - round(issues * 0.15)}
    elif repo.platform == "gitlab" or repo.kind == "empty":
        repo.pulls = {"open": 0, "closed": 0, "merged": 0}
        repo.issues = {"open": 0, "closed": 0}
    else:  # people still open pull requests and issues on a mirror; they get closed
        repo.pulls = {"open": rng.randint(0, 3), "closed": rng.randint(2, 20), "merged": 0}
        repo.issues = {"open": rng.randint(0, 4), "closed": rng.randint(0, 12)}


def grow_activity(rng: random.Random, repo: Repo, fraction: float) -> bool:
    if not sum(repo.pulls.values()) or repo.pulls.get("merged", 0) == 0:
        return False
    new_pulls = max(1, round(fraction * sum(repo.pulls.values())))
    merged = round(new_pulls * 0.7)
    repo.pulls["merged"] += merged
    repo.pulls["open"] += new_pulls - merged
    new_issues = max(1, round(fraction * sum(repo.issues.values())))
    repo.issues["open"] += new_issues // 2
    repo.issues["closed"] += new_issues - new_issues // 2
    return True


# ----- dependency manifests -----

COMMON_REQUIREMENTS = ("numpy", "opencv-python", "tqdm", "pillow", "scipy", "pyyaml", "requests", "matplotlib",
                       "pandas", "scikit-learn", "onnx", "protobuf")
SPECS = ("", ">=2.0", "==2.5.1", "~=1.13", ">=1.8,<3", "==2.0.0", ">=0.9")


def requirement(rng: random.Random, package: str) -> str:
    spelled = package.lower() if rng.random() < 0.3 else package
    return f"{spelled}{rng.choice(SPECS)}"


def render_manifest(rng: random.Random, path: str, project: str, requirements: list[str]) -> str:
    others = rng.sample(COMMON_REQUIREMENTS, rng.randint(1, 4))
    deps = others[: len(others) // 2] + requirements + others[len(others) // 2:]
    if path == "requirements.txt":
        return "# synthetic project requirements\n" + "\n".join(deps) + "\n"
    if path == "setup.py":
        body = "".join(f'        "{d}",\n' for d in deps)
        return (f'from setuptools import find_packages, setup\n\nsetup(\n    name="{project}",\n    version="0.1.0",\n'
                f'    description="synthetic",\n    packages=find_packages(),\n    install_requires=[\n{body}    ],\n)\n')
    body = "".join(f'    "{d}",\n' for d in deps)
    return (f'[project]\nname = "{project}"\nversion = "0.1.0"\ndescription = "synthetic"\n'
            f'dependencies = [\n{body}]\n')


def human_users(world: World, platform: str) -> list[tuple[Account, bool, int]]:
    """(account, lives at +08:00, person id) of the live human user accounts of a platform, in id order."""
    result = []
    for key in sorted(world.accounts):
        account = world.accounts[key]
        if key[0] != platform or account.type != "User" or account.deleted or account.person_id is None:
            continue
        person = world.people[account.person_id]
        if not person.is_bot:
            result.append((account, person.utc_offset_minutes == 480, person.person_id))
    return result


def star_candidates(world: World, platform: str, cn_share: float, boost: set[int],
                    users: list[tuple[Account, bool, int]] | None = None) -> Candidates:
    """Human user accounts of a platform, weighted by affinity with a framework (Chinese or not)."""
    users = human_users(world, platform) if users is None else users
    near, far = cn_share + 0.1, 1.1 - cn_share
    return Candidates((account, (near if cnish else far) * (4 if pid in boost else 1)) for account, cnish, pid in users)
