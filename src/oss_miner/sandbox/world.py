"""Build the synthetic ecosystem deterministically from (seed, scale, catalogue), and move it on.

`build_world` makes people and accounts (population.py), the tracked repositories of the catalogue with
their primary/mirror roles, the vendors' organisations with a handful of ecosystem repositories each,
dependent repositories that declare the frameworks' PyPI packages, stars, forks, releases, activity
counts and commit histories, then writes real bare git repositories (gitrepos.py). `advance` moves it
on by a fraction (new people, stars, forks, commits, dependents; one rename; one deleted account).

Every random choice comes from a `random.Random` seeded with a string naming the seed, the scale and
the part being built, so a part does not shift when another part changes. The world's clock is `as_of`
(midnight UTC of that date): histories run from the frameworks' real founding dates up to it, so the same
(seed, scale) at another as_of is the same world stretched over a longer or shorter past, and its trends
never stop before the date the sandbox claims to be.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from oss_miner.config import Catalogue, Framework
from oss_miner.sandbox import derive, gitrepos, history, pools
from oss_miner.sandbox.model import Account, Commit, Person, Repo, World
from oss_miner.sandbox.population import (PeopleFactory, fill_profile, noreply_gitee, noreply_github, personal_email,
                                          render_location)

UTC = timezone.utc
# The latest framework profile was founded in mid-2020 and dependents appear from 2019: an earlier clock
# would put repositories before their founders.
EARLIEST_AS_OF = date(2021, 1, 1)
REPO_ID_RANGE = {"github": (10_000_000, 900_000_000), "gitee": (1_000_000, 40_000_000), "gitlab": (100_000, 60_000_000)}
ADVANCE_STEP = timedelta(days=1)
HUGE_PREFERENCE = "github:pytorch/pytorch"
EMPTY_PREFERENCE = "gitlab:jihu-mirrors/jittor"
RENAME_PREFERENCE = "github:Angel-ML/angel"
ADOPTER_WORDS = ("vision", "robotics", "nlp", "ai", "lab", "tech", "data", "smart", "cloud", "edge", "med", "auto")
ADOPTER_PREFIX = ("hz", "bj", "sz", "sh", "open", "deep", "fast", "bright", "nova", "zen", "hyper", "quantum")


def build_world(seed: int, scale: float, catalogue: Catalogue, root: Path, *, as_of: date) -> World:
    """The world of (seed, scale, catalogue) as it stands at the start of `as_of` (UTC), with bare git
    repositories written under `root`."""
    if not scale > 0:
        raise ValueError(f"scale must be positive (got {scale})")
    check_as_of(as_of)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise ValueError(f"{root} is not empty; build the sandbox world into a new or empty folder")
    world = World(seed=seed, scale=scale, now=datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC), root=root)
    world.catalogue = catalogue
    _Builder(world, catalogue).build()
    from oss_miner.sandbox.hub_world import build_hubs

    world.hubs = build_hubs(seed, scale, catalogue, world.now)  # the model hubs: a world of their own
    world.reindex()
    return world


def today() -> date:
    """The sandbox's default clock: today's UTC date."""
    return datetime.now(UTC).date()


def check_as_of(as_of: date) -> date:
    """`as_of` if the sandbox can build a world at that date; ValueError (one line) otherwise."""
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise ValueError(f"{as_of!r} is not a date")
    if as_of < EARLIEST_AS_OF:
        raise ValueError(f"{as_of.isoformat()} is before {EARLIEST_AS_OF.isoformat()}, when the synthetic "
                         "frameworks' histories begin")
    if as_of > today():
        raise ValueError(f"{as_of.isoformat()} is in the future (today is {today().isoformat()} UTC); the "
                         "synthetic history cannot run past today")
    return as_of


def parse_as_of(text: str) -> date:
    """A YYYY-MM-DD date the sandbox can build a world at; ValueError (one line) otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from None
    return check_as_of(day)


def advance(world: World, fraction: float) -> None:
    """Move the world on by `fraction` (e.g. 0.01): about that much more of everything, one day later."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1] (got {fraction})")
    _Advance(world, fraction).run()
    world.advances.append(fraction)
    world.reindex()


# ---------------------------------------------------------------------------------------------------------

def _rng(world: World, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (world.seed, world.scale, *parts)))


def _scaled(base: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(base * scale))


def _owner(repo_path: str) -> str:
    return repo_path.rsplit("/", 1)[0]


def profile_of(name: str) -> pools.FrameworkProfile:
    return pools.PROFILES.get(name, pools.DEFAULT_PROFILE)


class _Ids:
    """Unique repository/fork/release ids per platform."""

    def __init__(self, rng: random.Random, used: set[int], lo: int, hi: int):
        self.rng, self.used, self.lo, self.hi = rng, used, lo, hi

    def take(self) -> int:
        while True:
            candidate = self.rng.randint(self.lo, self.hi)
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _id_spaces(world: World, rng: random.Random, above_existing: bool) -> dict[str, _Ids]:
    spaces = {}
    for platform, (lo, hi) in REPO_ID_RANGE.items():
        used = {r.repo_id for r in world.repos.values() if r.platform == platform}
        used |= {f.fork_id for r in world.repos.values() if r.platform == platform for f in r.forks}
        used |= {rel.release_id for r in world.repos.values() if r.platform == platform for rel in r.releases}
        if above_existing and used:
            lo = max(used) + 1
            hi = lo + 1_000_000
        spaces[platform] = _Ids(rng, used, lo, hi)
    return spaces


class _Builder:
    def __init__(self, world: World, catalogue: Catalogue):
        self.world = world
        self.catalogue = catalogue
        self.scale = world.scale
        self.factory = PeopleFactory(world, catalogue.bot_regex, _rng(world, "people"))
        self.ids = _id_spaces(world, _rng(world, "ids"), above_existing=False)
        self.orgs: dict[tuple[str, str], Account] = {}
        self.bots: dict[str, Person] = {}
        self.bot_accounts: dict[tuple[str, str], Account] = {}
        self.authors: dict[str, list[Person]] = {}
        self.staff: dict[str, list[Person]] = {}
        self.audience: list[Person] = []
        self.adopters: list[Account] = []
        self.primary: dict[str, Repo] = {}
        self.names: set[tuple[str, str]] = set()  # (platform, lower full_name) of organisation repositories
        self.users: dict[str, list[tuple[Account, bool, int]]] = {}  # human users per platform, once ids are set
        self.owned: dict[int, list[Repo]] = {}  # GitHub account id -> dependent repositories it owns
        self.emails: set[str] = set()  # every commit email given out (lower-cased)
        self.git_pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self.git_jobs: list = []
        self.audience_pools: dict[str, history.Candidates] = {}  # per platform, no framework affinity

    def build(self) -> None:
        try:
            self._build()
        finally:
            self.git_pool.shutdown(wait=True)

    def _build(self) -> None:
        self._organisations()
        self._bots()
        for name, fw in self.catalogue.frameworks.items():
            self._contributors(name, fw)
        self._audience()
        self.factory.assign_ids(fixed={"github": set(pools.BOT_FIXED_IDS.values())})
        self._profiles_and_emails()
        self._export_accounts()
        _plant_hostile_strings(self.world, _rng(self.world, "hostile"))
        for name, fw in self.catalogue.frameworks.items():
            self._tracked(name, fw)
        self._edge_cases()
        self._social()
        for name, fw in self.catalogue.frameworks.items():
            self._ecosystem(name, fw)
        for name, fw in self.catalogue.frameworks.items():
            self._dependents(name, fw)
        self._write_git()

    # ----- accounts -----
    def _organisations(self) -> None:
        rng = _rng(self.world, "orgs")
        wanted: list[tuple[str, str, str]] = []  # (platform, login, vendor)
        for fw in self.catalogue.frameworks.values():
            for ref in fw.repos:
                wanted.append((ref.platform, _owner(ref.path), fw.vendor))
            for org in fw.orgs:
                wanted.append((org.platform, org.name, fw.vendor))
        for platform, login, vendor in wanted:
            if (platform, login.lower()) in self.orgs:
                continue
            account = self.factory.account(None, platform, self.factory.reserve(platform, login), kind="Organization",
                                           created_at=datetime(2013, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 2500)))
            account.name = login
            city = pools.VENDOR_CITY.get(vendor)
            if city:
                account.location_truth = ("CN", next(c.region for c in pools.CN_CITIES if c.city == city), city)
                text = rng.choice((f"{city}, China", city, f"China, {city}"))
            elif vendor == "Google":
                account.location_truth, text = ("US", "US-CA", "Mountain View"), "Mountain View, CA"
            else:
                text = None
            if platform != "gitee":  # Gitee profiles have no location field
                account.location = text
            account.blog = f"https://www.{login.lower()}.org.invalid"
            account.bio = f"Synthetic organisation of {vendor}" if platform != "gitlab" else None
            self.orgs[(platform, login.lower())] = account

    def _bots(self) -> None:
        names = {b for name in self.catalogue.frameworks for b in profile_of(name).bots}
        for bot in sorted(names):
            person = Person(self.factory.next_person, bot, [], None, None, None, 0, is_bot=True, git_name=bot)
            self.factory.next_person += 1
            self.world.people[person.person_id] = person
            self.bots[bot] = person
            for platform in pools.BOT_DEFS.get(bot, ("github",)):
                fixed = pools.BOT_FIXED_IDS.get(bot, 0) if platform == "github" else 0
                kind = "Bot" if bot.endswith("[bot]") else "User"
                account = self.factory.account(person, platform, self.factory.reserve(platform, bot), kind=kind,
                                               created_at=datetime(2017, 5, 1, tzinfo=UTC), account_id=fixed)
                account.name = bot
                self.bot_accounts[(platform, bot)] = account

    def _contributors(self, name: str, fw: Framework) -> None:
        rng = _rng(self.world, "authors", name)
        profile = profile_of(name)
        mix = pools.FOREIGN_MIX_BASELINE if fw.baseline else pools.FOREIGN_MIX_CN_FRAMEWORK
        n_authors = _scaled(profile.authors, self.scale, 3)
        n_staff = max(1, round(n_authors * profile.staff_share))
        primary_platform = next(r.platform for r in fw.repos if r.role == "primary")
        others = list({p.person_id: p for people in self.authors.values() for p in people}.values())
        authors: list[Person] = []
        chosen: set[int] = set()
        staff: list[Person] = []
        for index in range(n_authors):
            if index >= n_staff and others and rng.random() < 0.06:
                person = rng.choice(others)
                if person.person_id not in chosen:
                    authors.append(person)
                    chosen.add(person.person_id)
                    continue
            is_staff = index < n_staff
            person = self.factory.person(cn_share=profile.cn_share, foreign_mix=mix, unknown_share=0.25,
                                         employer=fw.vendor if is_staff else None,
                                         vendor_city=pools.VENDOR_CITY.get(fw.vendor) if is_staff else None)
            if not is_staff:
                person.employer = _other_employer(rng, person)
            self._accounts_for(rng, person, primary_platform, contributor=True)
            authors.append(person)
            chosen.add(person.person_id)
            if is_staff:
                staff.append(person)
        self.authors[name] = authors
        self.staff[name] = staff

    def _accounts_for(self, rng: random.Random, person: Person, home: str, contributor: bool) -> None:
        cnish = person.country_iso2 in (None, "CN") and person.utc_offset_minutes == 480
        platforms: list[str] = []
        p_home = 0.9 if contributor else 1.0
        if rng.random() < p_home:
            platforms.append(home)
        if home != "github" and rng.random() < (0.35 if cnish else 0.9):
            platforms.append("github")
        if home != "gitee" and cnish and rng.random() < (0.25 if contributor else 0.45):
            platforms.append("gitee")
        if home != "gitlab" and rng.random() < 0.06:
            platforms.append("gitlab")
        if not platforms and not contributor:
            platforms.append("github")
        first_login = None
        for platform in platforms:
            prefer = first_login if first_login and rng.random() < 0.4 else None
            login = self.factory.login_for(platform, person.name + " " + person.git_name, prefer)
            first_login = first_login or login
            self.factory.account(person, platform, login)

    def _audience(self) -> None:
        rng = _rng(self.world, "audience")
        mix = {**pools.FOREIGN_MIX_BASELINE}
        for _ in range(_scaled(2200, self.scale, 20)):
            person = self.factory.person(cn_share=0.5, foreign_mix=mix, unknown_share=0.4)
            person.employer = _other_employer(rng, person)
            self._accounts_for(rng, person, "github" if rng.random() < 0.75 else "gitee", contributor=False)
            self.audience.append(person)
        for _ in range(_scaled(60, self.scale, 3)):
            self.adopters.append(self._adopter_org(rng))

    def _adopter_org(self, rng: random.Random) -> Account:
        while True:
            login = f"{rng.choice(ADOPTER_PREFIX)}-{rng.choice(ADOPTER_WORDS)}-{rng.choice(ADOPTER_WORDS)}"
            login = login if rng.random() < 0.7 else f"{login}{rng.randint(2, 99)}"
            if login.lower() not in self.factory.logins["github"] and not self.catalogue.bot_regex.search(login):
                break
        account = self.factory.account(None, "github", self.factory.reserve("github", login), kind="Organization")
        account.name = login.replace("-", " ").title()
        truth = self.factory.sample_place(0.6, pools.FOREIGN_MIX_BASELINE, 0.3)[0]
        if truth[0]:
            account.location_truth = truth
            account.location = render_location(rng, truth)
        account.bio = "A synthetic organisation that builds on open-source AI frameworks"
        return account

    def _profiles_and_emails(self) -> None:
        rng = _rng(self.world, "profiles")
        by_person: dict[int, list[Account]] = {}
        for account in sorted(self.world.accounts.values(), key=lambda a: (a.platform, a.account_id)):
            if account.person_id is not None:
                by_person.setdefault(account.person_id, []).append(account)
        vendors = {fw.vendor: fw for fw in self.catalogue.frameworks.values()}
        for person_id in sorted(self.world.people):
            person = self.world.people[person_id]
            accounts = by_person.get(person_id, [])
            if person.is_bot:  # bots have the smallest person ids: their addresses are taken first
                _bot_emails(person, accounts)
                self.emails.update(e.lower() for e in person.emails)
                continue
            fill_person(rng, person, accounts, vendors.get(person.employer), self.emails)

    def _export_accounts(self) -> None:
        """A framework exported from an internal monorepo (MegEngine) has one vendor identity writing almost
        everything: its top staff author commits only with a vendor address."""
        for name, fw in self.catalogue.frameworks.items():
            staff = self.staff.get(name)
            if profile_of(name).top_author_share and staff and fw.vendor_email_domains:
                person = staff[0]
                person.git_name = f"{fw.vendor} {name} Team"
                person.emails = [f"{name.lower()}@{fw.vendor_email_domains[0]}"]
                for account in self.world.accounts.values():
                    if account.person_id == person.person_id and account.platform == "github":
                        account.verified_emails = list(person.emails)

    # ----- tracked repositories -----
    def _tracked(self, name: str, fw: Framework) -> None:
        rng = _rng(self.world, "tracked", name)
        profile = profile_of(name)
        created = datetime.fromisoformat(profile.created).replace(tzinfo=UTC)
        source_ref = next(r for r in fw.repos if r.role == "primary")
        for ref in fw.repos:
            owner = self.orgs[(ref.platform, _owner(ref.path).lower())]
            if ref is source_ref:
                repo_created = created
            else:
                repo_created = min(created + timedelta(days=rng.randint(200, 900)), self.world.now - timedelta(days=60))
            repo = Repo(
                platform=ref.platform, repo_id=self.ids[ref.platform].take(), full_name=ref.path, owner_id=owner.account_id,
                description=f"{name}: a deep learning framework ({ref.role} copy; synthetic data served by the oss-miner sandbox)",
                created_at=repo_created, pushed_at=repo_created, updated_at=repo_created,
                default_branch=profile.default_branch, framework=name, role=ref.role, tracked=True,
                catalogue_path=ref.path, homepage=f"https://www.{name.lower()}.org.invalid",
                language="C++" if rng.random() < 0.6 else "Python")
            if ref.role == "mirror":
                repo.is_mirror = True
                repo.mirror_of = (source_ref.platform, source_ref.path)
                repo.mirror_url = web_url(source_ref.platform, source_ref.path) + ".git"
            self.world.repos[(ref.platform, repo.repo_id)] = repo
            self.names.add((ref.platform, ref.path.lower()))
            self.world.orgs.setdefault((ref.platform, owner.login), []).append(repo.repo_id)
            if ref is source_ref:
                self.primary[name] = repo
                repo.commits = self._history(rng, name, repo, profile)
                self._start_git(repo)
        source = self.primary[name]
        for repo in self._copies(name):
            repo.synced_at = self.world.now - timedelta(hours=rng.randint(2, 30))
            repo.commits = [c for c in source.commits if c.on_default_branch and c.committed_at <= repo.synced_at]

    def _copies(self, name: str) -> list[Repo]:
        source = self.primary[name]
        return [r for r in self.world.repos.values() if r.tracked and r.framework == name and r is not source]

    def _history(self, rng: random.Random, name: str, repo: Repo, profile: pools.FrameworkProfile) -> list[Commit]:
        n_default = _scaled(profile.commits, self.scale, 20)
        bots = [self.bots[b] for b in profile.bots if b in self.bots]
        sequence = history.author_sequence(rng, self.authors[name], self.staff[name], bots, n_default, profile)
        start = repo.created_at + timedelta(hours=1)
        times = history.spread_times(rng, len(sequence), start, self.world.now - timedelta(hours=1))
        maintainers = self.staff[name] or self.authors[name][:3]
        commits = [history.make_commit(rng, repo, person, when, maintainers, 1000 + i)
                   for i, (person, when) in enumerate(zip(sequence, times))]
        branch_point = commits[int(len(commits) * 0.85)].committed_at.astimezone(UTC)
        branch = f"release/{rng.randint(1, 3)}.{rng.randint(0, 9)}"
        side = []
        for when in history.spread_times(rng, max(2, round(0.015 * n_default)), branch_point, self.world.now - timedelta(hours=1)):
            commit = history.make_commit(rng, repo, rng.choice(maintainers), when, maintainers, 9000 + len(side))
            commit.on_default_branch, commit.branch = False, branch
            side.append(commit)
        return commits + side

    def _edge_cases(self) -> None:
        tracked = {f"{r.platform}:{r.catalogue_path}": r for r in self.world.repos.values() if r.tracked}
        github_primaries = [r for r in tracked.values() if r.platform == "github" and r.role == "primary"]
        huge = tracked.get(HUGE_PREFERENCE) or max(github_primaries, key=lambda r: len(r.commits), default=None)
        if huge is not None:
            huge.kind = "huge"
        mirrors = [r for r in tracked.values() if r.role == "mirror" and r.platform != "github"]
        empty = tracked.get(EMPTY_PREFERENCE) or (mirrors[-1] if mirrors else None)
        if empty is not None and empty.role == "mirror":
            empty.kind, empty.commits, empty.synced_at = "empty", [], None
        mirrored = {r.framework for r in tracked.values() if r.role == "mirror"}
        candidates = [r for r in github_primaries if r.kind == "normal" and r.framework not in mirrored]
        renamed = tracked.get(RENAME_PREFERENCE) or (candidates[0] if candidates else None)
        if renamed is not None and renamed.kind == "normal":
            rename(self.world, renamed, _rng(self.world, "rename"))

    def _social(self) -> None:
        """Stars, forks, releases and activity of every tracked repository (primaries first)."""
        tracked = sorted((r for r in self.world.repos.values() if r.tracked), key=lambda r: (r.role != "primary", r.repo_id))
        for repo in tracked:
            rng = _rng(self.world, "social", repo.platform, repo.catalogue_path)
            profile = profile_of(repo.framework)
            share = 1.0 if repo.role == "primary" else MIRROR_AUDIENCE.get(repo.platform, 0.1)
            if repo.kind == "empty":
                share = 0.002
            boost = {p.person_id for p in self.authors.get(repo.framework, [])}
            candidates = history.star_candidates(self.world, repo.platform, profile.cn_share, boost,
                                                 self._users(repo.platform))
            n_stars = _scaled(profile.stars * share, self.scale, 0)
            history.add_stars(rng, repo, history.pick_accounts(rng, candidates, n_stars, set()),
                              repo.created_at, self.world.now)
            owners = history.pick_accounts(rng, candidates, _scaled(profile.forks * share, self.scale, 0), set())
            if repo.platform == "github":
                owners += rng.sample(self.adopters, min(len(self.adopters), max(0, round(len(owners) * 0.04))))
            history.add_forks(rng, repo, owners, repo.created_at, self.world.now, self.ids[repo.platform].take)
            self._releases(rng, repo, profile)
            history.activity_counts(rng, repo, len(default_commits(self.primary[repo.framework])),
                                    repo.role == "primary")
            stamp_times(repo, self.world.now)

    def _releases(self, rng: random.Random, repo: Repo, profile: pools.FrameworkProfile) -> None:
        take = self.ids[repo.platform].take
        if repo.role == "primary":
            n = max(2, round(profile.releases * self.scale ** 0.5))
            history.make_releases(rng, repo, n, repo.created_at + timedelta(days=60), self.world.now - timedelta(days=1), take)
        elif repo.kind != "empty":
            source = self.primary[repo.framework]
            for release in source.releases[len(source.releases) - rng.randint(0, 3):]:
                history.append_release(rng, repo, release.tag_name.split("-")[0], max(release.published_at, repo.created_at), take)

    # ----- organisations' other repositories, dependents -----
    def _ecosystem(self, name: str, fw: Framework) -> None:
        rng = _rng(self.world, "ecosystem", name)
        profile = profile_of(name)
        primary = self.primary[name]
        names = profile.ecosystem or (f"{name.lower()}-examples", "docs", "models")
        for index, org in enumerate(fw.orgs):
            owner = self.orgs[(org.platform, org.name.lower())]
            extra = [("onnx", "onnx/onnx")] if index == 0 and org.platform == "github" else []
            for position, (short, parent) in enumerate([(n, None) for n in names] + extra):
                full_name = f"{owner.login}/{short}"
                if (org.platform, full_name.lower()) in self.names:
                    continue
                self.names.add((org.platform, full_name.lower()))
                mirror = org.platform != primary.platform and parent is None
                repo = Repo(
                    platform=org.platform, repo_id=self.ids[org.platform].take(), full_name=full_name,
                    owner_id=owner.account_id,
                    description=(f"{short} for {name} (synthetic)" if position % 3 else f"Synthetic {short}: part of the {name} ecosystem"),
                    created_at=primary.created_at + timedelta(days=rng.randint(30, 1500)),
                    pushed_at=primary.created_at, updated_at=primary.created_at, framework=name, kind="ecosystem",
                    default_branch=rng.choice(pools.DEFAULT_BRANCHES), is_mirror=mirror,
                    mirror_url=web_url(primary.platform, f"{_owner(primary.full_name)}/{short}") + ".git" if mirror else None,
                    archived=position == len(names) - 1 and len(names) >= 4, parent_full_name=parent)
                repo.created_at = min(repo.created_at, self.world.now - timedelta(days=30))
                self.world.repos[(org.platform, repo.repo_id)] = repo
                self.world.orgs.setdefault((org.platform, owner.login), []).append(repo.repo_id)
                if org.platform not in self.audience_pools:
                    self.audience_pools[org.platform] = history.star_candidates(
                        self.world, org.platform, 0.5, set(), self._users(org.platform))
                candidates = self.audience_pools[org.platform]
                history.add_stars(rng, repo, history.pick_accounts(rng, candidates, _scaled(rng.randint(10, 200), self.scale, 0), set()),
                                  repo.created_at, self.world.now)
                history.add_forks(rng, repo, history.pick_accounts(rng, candidates, _scaled(rng.randint(1, 25), self.scale, 0), set()),
                                  repo.created_at, self.world.now, self.ids[org.platform].take)
                if rng.random() < 0.5:
                    history.make_releases(rng, repo, rng.randint(1, 6), repo.created_at, self.world.now, self.ids[org.platform].take)
                stamp_times(repo, self.world.now, rng)
        self._hostile_descriptions(name)

    def _hostile_descriptions(self, name: str) -> None:
        ecosystem = [r for r in self.world.repos.values() if r.kind == "ecosystem" and r.framework == name]
        if name == next(iter(self.catalogue.frameworks)) and len(ecosystem) >= 2:
            ecosystem[0].description = "<b>synthetic</b> demo <script>alert('x')</script>"
            ecosystem[1].description = '=HYPERLINK("http://example.invalid") synthetic'

    def _dependents(self, name: str, fw: Framework) -> None:
        rng = _rng(self.world, "dependents", name)
        profile = profile_of(name)
        owners = [account for account, _, _ in self._users("github")]
        if not owners:
            return
        taken = github_names(self.world)
        for package in fw.pypi:
            count = profile.dependents.get(package, 3)
            for _ in range(_scaled(count, self.scale, 1) if count else 0):
                owner = rng.choice(self.adopters) if self.adopters and rng.random() < 0.12 else rng.choice(owners)
                reuse = self.owned.get(owner.account_id, []) if rng.random() < 0.05 else []
                if reuse:
                    add_requirement(rng, rng.choice(reuse), package)
                else:
                    repo = new_dependent(self.world, rng, owner, package, self.ids["github"].take,
                                         datetime(2019, 1, 1, tzinfo=UTC), self.world.now - timedelta(days=1), taken)
                    self.owned.setdefault(owner.account_id, []).append(repo)

    def _users(self, platform: str) -> list[tuple[Account, bool, int]]:
        if platform not in self.users:
            self.users[platform] = history.human_users(self.world, platform)
        return self.users[platform]

    # ----- git -----
    def _start_git(self, source: Repo) -> None:
        """Write a primary's history in the background (git works in its own process) while the rest is built."""
        source.git_dir = gitrepos.git_dir_for(self.world.root, source)

        def write() -> None:
            gitrepos.init_bare(source.git_dir, source.default_branch)
            gitrepos.write_commits(source, source.commits, fresh=True)

        self.git_jobs.append(self.git_pool.submit(write))

    def _write_git(self) -> None:
        try:
            for job in self.git_jobs:
                job.result()
        finally:
            self.git_pool.shutdown(wait=True)
        for name in self.catalogue.frameworks:
            source = self.primary[name]
            for repo in self._copies(name):
                repo.git_dir = gitrepos.git_dir_for(self.world.root, repo)
                if not repo.commits:
                    gitrepos.init_bare(repo.git_dir, repo.default_branch)
                    continue
                gitrepos.clone_mirror(source, repo)
                gitrepos.sync_mirror(source, repo, repo.commits[-1].sha, copied=True)


def _other_employer(rng: random.Random, person: Person) -> str | None:
    if rng.random() < 0.45:
        return None
    table = pools.OTHER_EMPLOYERS_CN if person.utc_offset_minutes == 480 else pools.OTHER_EMPLOYERS_INTL
    return rng.choice(table)[0]


def _employer_entry(employer: str | None) -> tuple[str, tuple[str, ...], str] | None:
    for entry in pools.OTHER_EMPLOYERS_CN + pools.OTHER_EMPLOYERS_INTL:
        if entry[0] == employer:
            return entry
    return None


def fill_person(rng: random.Random, person: Person, accounts: list[Account], vendor_fw: Framework | None,
                taken: set[str]) -> None:
    """Profile texts and commit emails of one (human) person, once their accounts have ids; `taken` holds
    every (lower-cased) email already given out, so that no two people share an address."""
    cn = person.utc_offset_minutes == 480
    if vendor_fw is not None:
        companies = pools.VENDOR_COMPANY_SPELLINGS.get(vendor_fw.vendor, (vendor_fw.vendor,)) * 3 + ("",)
    else:
        entry = _employer_entry(person.employer)
        companies = (entry[1] * 2 + ("",)) if entry else tuple(
            c for c in pools.NO_EMPLOYER_COMPANY if cn or c.isascii())
    for account in accounts:
        fill_profile(rng, account, person, companies)
    github = next((a for a in accounts if a.platform == "github"), None)
    gitee = next((a for a in accounts if a.platform == "gitee"), None)
    personal = personal_email(rng, person, cn)
    local = personal.split("@")[0] if not personal.endswith("@qq.com") else person.git_name
    local = "".join(ch for ch in local.lower() if ch.isascii() and (ch.isalnum() or ch == ".")) or "staff"
    if vendor_fw is not None and vendor_fw.vendor_email_domains:
        domain = vendor_fw.vendor_email_domains[-1 if rng.random() < 0.2 else 0]
        work = f"{local}{rng.choice(('', '01', '02', str(rng.randint(3, 99))))}@{domain}"
        emails = [work, personal] if rng.random() < 0.88 else [personal, work]
    else:
        entry = _employer_entry(person.employer)
        emails = [f"{local}@{entry[2]}", personal] if entry and rng.random() < 0.35 else [personal]
    if github is not None and rng.random() < (0.15 if vendor_fw else 0.36):
        emails.insert(0, noreply_github(github))
    elif gitee is not None and github is None and rng.random() < 0.08:
        emails.insert(0, noreply_gitee(gitee))
    if rng.random() < 0.35:
        emails = emails[:1]  # many people only ever commit with one address
    person.emails = [_unique_email(rng, e, taken) for e in dict.fromkeys(emails)]
    public = next((e for e in person.emails if "noreply" not in e), None)
    for account in accounts:
        if account.platform == "github":
            account.verified_emails = [e for e in person.emails if "noreply" in e or rng.random() < 0.85]
        if rng.random() < (0.3 if account.platform == "gitee" else 0.2):
            account.email = public
    if github and gitee and rng.random() < 0.2:
        gitee.blog = f"https://github.com/{github.login}"


def _unique_email(rng: random.Random, email: str, taken: set[str]) -> str:
    local, domain = email.split("@", 1)
    while email.lower() in taken:
        email = f"{local}{rng.randint(1, 9999)}@{domain}" if not local.isdigit() else f"{rng.randint(100_000, 3_999_999_999)}@{domain}"
    taken.add(email.lower())
    return email


def _bot_emails(person: Person, accounts: list[Account]) -> None:
    github = next((a for a in accounts if a.platform == "github"), None)
    if person.name.endswith("[bot]") and github is not None:
        person.emails = [noreply_github(github)]
    else:
        person.emails = [{"paddle-bot": "paddle-bot@baidu.com", "mindspore-ci-bot": "mindspore-ci-bot@huawei.com",
                          "i-robot": "i-robot@mindspore.cn", "oneflow-ci-bot": "ci-bot@oneflow.org",
                          "jenkins-build": "jenkins@build.internal"}.get(person.name, f"{person.name}@ci.invalid")]
    for account in accounts:
        account.verified_emails = list(person.emails) if account.platform == "github" else []
        account.bio = "Synthetic automation account"


def _plant_hostile_strings(world: World, rng: random.Random) -> None:
    """Hostile text in a few GitHub and GitLab profiles (deterministic choice)."""
    users = [a for a in sorted(world.accounts.values(), key=lambda a: (a.platform, a.account_id))
             if a.type == "User" and a.platform in ("github", "gitlab") and a.person_id is not None
             and not world.people[a.person_id].is_bot]
    picks = rng.sample(users, 8)
    picks[0].bio = ("synthetic " + "长文本 long bio ✨ " * 800)[: pools.HOSTILE_BIO_KB * 1024]
    picks[1].bio = pools.HOSTILE_HTML
    picks[2].name = "<img src=x onerror=alert(1)>"
    picks[3].name = "Control\x00Char\x1b[31m\x07Name"
    picks[3].bio = pools.HOSTILE_CONTROL
    for account, text in zip(picks[4:8], pools.HOSTILE_FORMULAS):
        account.company = text
    noisy = next(a for a in users if world.people[a.person_id].country_iso2 is None)
    noisy.location = "=1+2"
    world.people[noisy.person_id].location_source = "noise"


# ----- helpers shared by the build and by advance -----

MIRROR_AUDIENCE = {"github": 0.4, "gitee": 0.35, "gitlab": 0.02}  # stars/forks of a mirror, relative to its primary
WEB_HOSTS = {"github": "https://github.com", "gitee": "https://gitee.com", "gitlab": "https://gitlab.com"}


def web_url(platform: str, path: str) -> str:
    return f"{WEB_HOSTS[platform]}/{path}"


def default_commits(repo: Repo) -> list[Commit]:
    return [c for c in repo.commits if c.on_default_branch]


def stamp_times(repo: Repo, now: datetime, rng: random.Random | None = None) -> None:
    """pushed_at/updated_at from what happened to the repository."""
    if repo.tracked:
        if repo.role == "mirror" or repo.is_mirror:
            repo.pushed_at = repo.synced_at or repo.created_at
        elif repo.commits:
            repo.pushed_at = max(c.committed_at for c in repo.commits).astimezone(UTC)
    elif rng is not None:
        repo.pushed_at = history.recent(rng, repo.created_at, now)
    events = [repo.pushed_at, repo.created_at]
    if repo.stars:
        events.append(repo.stars[-1].starred_at)
    if repo.releases:
        events.append(repo.releases[-1].published_at)
    repo.updated_at = max(events)


def rename(world: World, repo: Repo, rng: random.Random) -> None:
    owner, short = repo.full_name.rsplit("/", 1)
    taken = {(r.platform, r.full_name.lower()) for r in world.repos.values()}
    for suffix in rng.sample(pools.RENAME_SUFFIXES, len(pools.RENAME_SUFFIXES)) + [f"-{world.seed}-{len(world.renames)}"]:
        new_name = f"{owner}/{short}{suffix}"
        if (repo.platform, new_name.lower()) not in taken:
            break
    world.renames.append((repo.platform, repo.full_name, new_name))
    repo.former_names.append(repo.full_name)
    repo.old_full_name = repo.full_name
    repo.full_name = new_name
    if repo.tracked:
        repo.kind = "renamed"
    repo.version += 1


def github_names(world: World) -> set[str]:
    return {r.full_name.lower() for r in world.repos.values() if r.platform == "github"}


def new_dependent(world: World, rng: random.Random, owner: Account, package: str, take_id,
                  lo: datetime, hi: datetime, taken: set[str]) -> Repo:
    """A GitHub repository that declares `package` in one to three manifests; `taken` holds GitHub names."""
    base = package.lower().split("-")[0]
    while True:
        short = rng.choice((f"{base}-{rng.choice(pools.DEPENDENT_NAME_WORDS)}",
                            f"{rng.choice(pools.DEPENDENT_NAME_WORDS)}-{rng.choice(pools.DEPENDENT_NAME_WORDS)}",
                            f"my-{rng.choice(pools.DEPENDENT_NAME_WORDS)}{rng.randint(1, 999)}"))
        if f"{owner.login}/{short}".lower() not in taken:
            break
    created = history.recent(rng, max(lo, owner.created_at), hi)
    repo = Repo(platform="github", repo_id=take_id(), full_name=f"{owner.login}/{short}", owner_id=owner.account_id,
                description=f"A synthetic {short.replace('-', ' ')} built on {package}", created_at=created,
                pushed_at=history.recent(rng, created, hi), updated_at=hi, kind="dependent",
                default_branch=rng.choice(pools.DEFAULT_BRANCHES), language="Python")
    paths = [path for path, share in pools.MANIFESTS if rng.random() < share] or ["requirements.txt"]
    for path in paths:
        repo.files[path] = history.render_manifest(rng, path, short, [history.requirement(rng, package)])
    world.repos[("github", repo.repo_id)] = repo
    if owner.type == "Organization":
        world.orgs.setdefault(("github", owner.login), []).append(repo.repo_id)
    taken.add(repo.full_name.lower())
    return repo


def add_requirement(rng: random.Random, repo: Repo, package: str) -> None:
    """Declare one more package in an existing dependent's first manifest."""
    path = sorted(repo.files)[0]
    line = history.requirement(rng, package)
    text = repo.files[path]
    if path == "requirements.txt":
        repo.files[path] = text + line + "\n"
    elif path == "setup.py":
        repo.files[path] = text.replace("    ],\n)", f'        "{line}",\n    ],\n)')
    else:
        repo.files[path] = text.replace("\n]\n", f'\n    "{line}",\n]\n')
    repo.version += 1


class _Advance:
    """One step of the world's life: everything grows by about `fraction`, one day passes."""

    def __init__(self, world: World, fraction: float):
        self.world = world
        self.fraction = fraction
        self.step = len(world.advances)
        self.rng = _rng(world, "advance", self.step)
        self.catalogue: Catalogue = world.catalogue
        self.old_now = world.now
        world.now = world.now + ADVANCE_STEP
        self.ids = _id_spaces(world, self.rng, above_existing=True)
        self.changed: set[tuple[str, int]] = set()
        world.cache.clear()

    def run(self) -> None:
        newcomers = self._people()
        self._commits(newcomers)
        self._social()
        self._dependents()
        self._rename()
        self._delete_account()
        for key in self.changed:
            self.world.repos[key].version += 1

    def _window(self) -> tuple[datetime, datetime]:
        return self.old_now + timedelta(seconds=1), self.world.now - timedelta(seconds=1)

    def _people(self) -> list[Person]:
        rng = self.rng
        factory = PeopleFactory(self.world, self.catalogue.bot_regex, rng)
        humans = sum(1 for p in self.world.people.values() if not p.is_bot)
        lo, hi = self._window()
        newcomers = []
        for _ in range(max(1, round(self.fraction * humans))):
            person = factory.person(cn_share=0.5, foreign_mix=pools.FOREIGN_MIX_BASELINE, unknown_share=0.4)
            home = "github" if rng.random() < 0.75 else "gitee"
            platforms = [home] + (["gitlab"] if rng.random() < 0.06 else [])
            for platform in platforms:
                factory.account(person, platform, factory.login_for(platform, person.name + " " + person.git_name),
                                created_at=history.recent(rng, lo, hi))
            newcomers.append(person)
        factory.assign_ids(above_existing=True)
        emails = {e.lower() for p in self.world.people.values() for e in p.emails}
        by_person: dict[int, list[Account]] = {}
        for account in self.world.accounts.values():
            if account.person_id is not None and account.person_id >= newcomers[0].person_id:
                by_person.setdefault(account.person_id, []).append(account)
        for person in newcomers:
            fill_person(rng, person, sorted(by_person.get(person.person_id, []), key=lambda a: a.platform), None, emails)
        return newcomers

    def _commits(self, newcomers: list[Person]) -> None:
        rng = self.rng
        lo, hi = self._window()
        for name, fw in self.catalogue.frameworks.items():
            source = next(r for r in self.world.repos.values() if r.tracked and r.framework == name
                          and r.role == "primary" and r.git_dir is not None and r.kind != "empty"
                          and (r.platform, r.catalogue_path) == _source_key(fw))
            existing = default_commits(source)
            counts = Counter(c.author_person_id for c in existing)
            people = sorted(counts)
            maintainers = [self.world.people[p] for p in people if self.world.people[p].employer == fw.vendor][:20]
            joiners = [p for p in newcomers if rng.random() < 0.15]
            k = max(1, round(self.fraction * len(existing)))
            authors = rng.choices(people, weights=[counts[p] for p in people], k=k)
            sequence = [self.world.people[p] for p in authors]
            for index, person in enumerate(joiners[: max(0, k // 5)]):
                sequence[index] = person
            start = max(lo, max(c.committed_at for c in existing).astimezone(UTC) + timedelta(seconds=1))
            times = history.spread_times(rng, len(sequence), start, hi)
            new = [history.make_commit(rng, source, person, when, maintainers, 20000 + self.step * 1000 + i)
                   for i, (person, when) in enumerate(zip(sequence, times))]
            source.commits.extend(new)
            gitrepos.write_commits(source, new)
            stamp_times(source, self.world.now)
            self.changed.add((source.platform, source.repo_id))
            for copy in self.world.repos.values():
                if copy.tracked and copy.framework == name and copy is not source and copy.kind != "empty":
                    copy.synced_at = self.world.now - timedelta(hours=rng.randint(2, 20))
                    copy.commits = [c for c in default_commits(source) if c.committed_at <= copy.synced_at]
                    gitrepos.sync_mirror(source, copy, copy.commits[-1].sha if copy.commits else None)
                    stamp_times(copy, self.world.now)
                    self.changed.add((copy.platform, copy.repo_id))

    def _social(self) -> None:
        rng = self.rng
        lo, hi = self._window()
        candidates: dict[str, list] = {}
        for key in sorted(self.world.repos):
            repo = self.world.repos[key]
            if repo.kind == "dependent" or (not repo.stars and not repo.forks):
                continue
            if repo.platform not in candidates:
                candidates[repo.platform] = history.Candidates(
                    (a, 1.0 if a.created_at < self.old_now else 6.0)
                    for a, _ in history.star_candidates(self.world, repo.platform, 0.5, set()))
            pool = candidates[repo.platform]
            minimum = 1 if repo.tracked else 0
            n_stars = max(minimum, round(self.fraction * len(repo.stars)))
            history.add_stars(rng, repo, history.pick_accounts(rng, pool, n_stars, {s.account_id for s in repo.stars}), lo, hi)
            n_forks = max(minimum if repo.forks else 0, round(self.fraction * len(repo.forks)))
            history.add_forks(rng, repo, history.pick_accounts(rng, pool, n_forks, {f.owner_id for f in repo.forks}),
                              lo, hi, self.ids[repo.platform].take, active_share=0.0)
            sleepers = [f for f in repo.forks if f.pushed_at - f.created_at <= history.ACTIVE_AFTER
                        and f.created_at < self.old_now - 2 * history.ACTIVE_AFTER]
            for fork in rng.sample(sleepers, min(len(sleepers), max(minimum, round(self.fraction * len(repo.forks))))):
                fork.pushed_at = history.recent(rng, lo, hi)
            if repo.tracked and repo.role == "primary":
                history.grow_activity(rng, repo, self.fraction)
                if rng.random() < 0.3:
                    history.append_release(rng, repo, history.next_tag(repo), history.recent(rng, lo, hi),
                                           self.ids[repo.platform].take)
            stamp_times(repo, self.world.now)
            self.changed.add(key)

    def _dependents(self) -> None:
        rng = self.rng
        lo, hi = self._window()
        owners = [a for a, _ in history.star_candidates(self.world, "github", 0.5, set())]
        taken = github_names(self.world)
        for fw in self.catalogue.frameworks.values():
            for package in fw.pypi:
                current = len({r.repo_id for r, _ in derive.dependents(self.world, package)})
                for _ in range(round(self.fraction * current)):
                    repo = new_dependent(self.world, rng, rng.choice(owners), package, self.ids["github"].take, lo, hi,
                                         taken)
                    self.changed.add(("github", repo.repo_id))

    def _rename(self) -> None:
        repos = [self.world.repos[k] for k in sorted(self.world.repos)]
        candidates = [r for r in repos if r.platform == "github" and r.tracked and r.kind == "normal" and r.role == "primary"]
        candidates = candidates or [r for r in repos if r.platform == "github" and r.kind == "ecosystem" and not r.former_names]
        if candidates:
            repo = self.rng.choice(candidates)
            rename(self.world, repo, self.rng)
            self.changed.add((repo.platform, repo.repo_id))

    def _delete_account(self) -> None:
        owners = {r.owner_id for r in self.world.repos.values() if r.platform == "github"}
        involved = {s.account_id for r in self.world.repos.values() if r.platform == "github" for s in r.stars}
        candidates = [a for k, a in sorted(self.world.accounts.items()) if k[0] == "github" and a.type == "User"
                      and not a.deleted and a.account_id in involved and a.account_id not in owners
                      and not self.world.people[a.person_id].is_bot]
        if not candidates:
            return
        account = self.rng.choice(candidates)
        account.deleted = True
        self.world.deleted_accounts.append(("github", account.account_id))
        for key, repo in self.world.repos.items():
            if repo.platform != "github":
                continue
            stars = [s for s in repo.stars if s.account_id != account.account_id]
            forks = [f for f in repo.forks if f.owner_id != account.account_id]
            if len(stars) != len(repo.stars) or len(forks) != len(repo.forks):
                repo.stars, repo.forks = stars, forks
                self.changed.add(key)
            if any(c.author_person_id == account.person_id for c in repo.commits):
                self.changed.add(key)


def _source_key(fw: Framework) -> tuple[str, str]:
    ref = next(r for r in fw.repos if r.role == "primary")
    return ref.platform, ref.path
