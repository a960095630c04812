"""Ground truth: what a perfect pipeline would conclude about a sandbox world.

`write_truth(world, out)` writes these files (CSV: UTF-8, header row, empty cell = none/unknown,
booleans `true`/`false`). The pipeline never reads them; tests and benchmarks do.

accounts.csv - every live account (deleted ones are gone), users, organisations and bots:
    platform, account_id, login, country_iso2, region (ISO 3166-2, e.g. CN-ZJ), city, person_id (empty for
    organisations), is_bot. The place is where the person (or organisation) really is, at the precision its
    profiles convey; empty when unknown (no location, or noise such as "Earth"). Gitee accounts carry their
    person's place although Gitee profiles have no location field.
repositories.csv - one row per tracked repository, in catalogue order:
    platform, full_name (the path as the catalogue names it; see repository_names.csv for the current name),
    framework, role (primary|mirror), kind (normal|huge|empty|renamed), contributors (entries the contributors
    endpoint lists, with anon=1 on GitHub; empty when it cannot list them: huge), people (distinct non-bot
    people with a commit on the default branch), forks, stargazers, releases, commits_default_branch.
frameworks.csv - framework, forks (all its tracked repositories), active_forks (pushed more than a day after
    creation), dependents_findable (distinct repositories the code search queries can reach: the first 1,000
    results of each query), dependents_total, vendor_commit_share (non-bot default-branch commits, counted
    once per framework, whose author email is at a vendor domain or a subdomain of one, over all non-bot
    such commits).
summary.json - {"min_requests": {platform: {"total": N, "by_endpoint": {template: N}}}, "min_graphql_points": N}:
    the fewest requests a complete cold run needs (see `min_requests`).

Extra files for the marts' tests:
people.csv - person_id, country_iso2, region, city, is_bot, employer, location_source (profile: some GitHub or
    GitLab profile writes the place; noise; none), utc_offset_minutes (standard offset; summer time adds 60),
    frameworks (semicolon-separated, where they committed), github_account_id, gitee_account_id,
    gitlab_account_id (live accounts).
identities.csv - person_id, email, email_domain, kind (noreply_github|noreply_gitee|vendor|other), github_account_id
    (the live GitHub account the email is verified on, if any): how accounts and commit identities link.
contributor_geography.csv - framework, country_iso2, region, city, people, commits: non-bot authors and their
    default-branch commits (once per framework) per place; empty place = unknown.
china_hubs.csv - framework, cn_people, cn_people_with_city, top3_cities (semicolon-separated), top3_share
    (of CN people with a city), cn_people_with_region, province_hhi (sum of squared province shares).
vendor_share.csv - framework, vendor, commits, vendor_commits_by_email, commit_share_by_email, authors (distinct
    non-bot author emails), vendor_authors_by_email, author_share_by_email, people, staff_people (employer is
    the vendor), people_share_staff, staff_commits, commit_share_staff.
platform_shares.csv - framework, platform, role, people, stargazers, forks, pulls, issues, dependents_findable.
activity.csv - platform, full_name (catalogue path), kind (pulls|issues), state, count.
dependents.csv - framework, package, file_name, full_name, repo_id, owner_id, owner_login, owner_type, findable.
person_years.csv - framework, year (UTC of the author time), person_id, commits: each non-bot person's default-branch
    commits (once per framework) per calendar year, for the brief's yearly indicators.
adoption_monthly.csv - framework, month (YYYY-MM), new_forks, active_forks, forks_with_stars (forks created
    that month).
repository_names.csv - platform, catalogue_path, full_name (current), repo_id, former_names (semicolon-separated),
    mirror_of (platform:path of the primary a mirror copies).
world.json - seed, scale, advances, now, counts of people, accounts, repositories, stars, forks, commits, the
    renames and deleted accounts, and profiles_needed (accounts per platform whose profiles a complete run reads).
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from oss_miner.sandbox import derive
from oss_miner.sandbox.model import Commit, World

ACCOUNTS_COLUMNS = ["platform", "account_id", "login", "country_iso2", "region", "city", "person_id", "is_bot"]
REPOSITORIES_COLUMNS = ["platform", "full_name", "framework", "role", "kind", "contributors", "people", "forks",
                        "stargazers", "releases", "commits_default_branch"]
FRAMEWORKS_COLUMNS = ["framework", "forks", "active_forks", "dependents_findable", "dependents_total",
                      "vendor_commit_share"]
PAGE = 100
GRAPHQL_BATCH = 100
MODELS_COLUMNS = ["platform", "model_id", "framework", "role", "relation", "base_model", "owner", "owner_type",
                  "created_at"]


def truth_command(seed: int, scale: float, out: Path, advances: list[float], catalogue, as_of: date) -> None:
    """Build the world of `as_of` in a temporary folder, apply the advances in order, write the truth to `out`;
    the truth of each extra instance's own world (see instances.py) goes to `out/<NAME>/`."""
    from oss_miner.sandbox.instances import instance_worlds, main_catalogue
    from oss_miner.sandbox.world import advance, build_world

    with tempfile.TemporaryDirectory(prefix="oss-miner-truth-") as tmp:
        worlds = {"": build_world(seed, scale, main_catalogue(catalogue), Path(tmp), as_of=as_of),
                  **instance_worlds(seed, scale, catalogue, Path(tmp), as_of)}
        for name, world in worlds.items():
            for fraction in advances:
                advance(world, fraction)
            write_truth(world, Path(out) / name)


def write_truth(world: World, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _csv(out / "accounts.csv", ACCOUNTS_COLUMNS, account_rows(world))
    _csv(out / "repositories.csv", REPOSITORIES_COLUMNS, repository_rows(world))
    _csv(out / "frameworks.csv", FRAMEWORKS_COLUMNS, framework_rows(world))
    _csv(out / "people.csv", ["person_id", "country_iso2", "region", "city", "is_bot", "employer", "location_source",
                              "utc_offset_minutes", "frameworks", "github_account_id", "gitee_account_id",
                              "gitlab_account_id"], people_rows(world))
    _csv(out / "identities.csv", ["person_id", "email", "email_domain", "kind", "github_account_id"], identity_rows(world))
    _csv(out / "contributor_geography.csv", ["framework", "country_iso2", "region", "city", "people", "commits"],
         geography_rows(world))
    _csv(out / "china_hubs.csv", ["framework", "cn_people", "cn_people_with_city", "top3_cities", "top3_share",
                                  "cn_people_with_region", "province_hhi"], china_rows(world))
    _csv(out / "vendor_share.csv", ["framework", "vendor", "commits", "vendor_commits_by_email", "commit_share_by_email",
                                    "authors", "vendor_authors_by_email", "author_share_by_email", "people",
                                    "staff_people", "people_share_staff", "staff_commits", "commit_share_staff"],
         vendor_rows(world))
    _csv(out / "platform_shares.csv", ["framework", "platform", "role", "people", "stargazers", "forks", "pulls",
                                       "issues", "dependents_findable"], platform_rows(world))
    _csv(out / "activity.csv", ["platform", "full_name", "kind", "state", "count"], activity_rows(world))
    _csv(out / "dependents.csv", ["framework", "package", "file_name", "full_name", "repo_id", "owner_id", "owner_login",
                                  "owner_type", "findable"], dependent_rows(world))
    _csv(out / "person_years.csv", ["framework", "year", "person_id", "commits"], person_year_rows(world))
    _csv(out / "adoption_monthly.csv", ["framework", "month", "new_forks", "active_forks", "forks_with_stars"],
         adoption_rows(world))
    _csv(out / "repository_names.csv", ["platform", "catalogue_path", "full_name", "repo_id", "former_names",
                                        "mirror_of"], name_rows(world))
    _csv(out / "models.csv", MODELS_COLUMNS, model_rows(world))
    summary, profiles = min_requests(world)
    summary["min_requests"].update(hub_min_requests(world))
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    facts = world_facts(world) | {"profiles_needed": {p: len(ids) for p, ids in profiles.items()}}
    (out / "world.json").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")


def _csv(path: Path, columns: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


# ----- helpers -----

def framework_commits(world: World, framework: str) -> list[Commit]:
    """Default-branch commits of a framework's tracked repositories, each sha once."""
    seen: dict[str, Commit] = {}
    for repo in derive.tracked_repos(world):
        if repo.framework == framework:
            for commit in derive.default_branch_commits(repo):
                seen.setdefault(commit.sha, commit)
    return sorted(seen.values(), key=lambda c: c.committed_at)


def human_commits(world: World, commits: list[Commit]) -> list[Commit]:
    return [c for c in commits if not world.people[c.author_person_id].is_bot]


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def is_vendor_domain(domain: str, vendor_domains: list[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in vendor_domains)


def _place(entity) -> tuple:
    return entity.country_iso2, entity.region, entity.city


# ----- required files -----

def account_rows(world: World):
    for key in sorted(world.accounts):
        account = world.accounts[key]
        if account.deleted:
            continue
        if account.person_id is not None:
            person = world.people[account.person_id]
            place, is_bot = _place(person), person.is_bot
        else:
            place, is_bot = account.location_truth or (None, None, None), False
        yield (account.platform, account.account_id, account.login, *place, account.person_id, is_bot)


def repository_rows(world: World):
    for repo in derive.tracked_repos(world):
        status = derive.contributors_status(repo)
        listed = None if status == "too_large" else len(derive.contributors(world, repo, anon=True))
        commits = derive.default_branch_commits(repo)
        people = {c.author_person_id for c in human_commits(world, commits)}
        yield (repo.platform, repo.catalogue_path, repo.framework, repo.role, repo.kind, listed, len(people),
               len(derive.visible_forks(world, repo)), len(derive.visible_stars(world, repo)), len(repo.releases),
               len(commits))


def framework_rows(world: World):
    for name, fw in world.catalogue.frameworks.items():
        forks = [f for r in derive.tracked_repos(world) if r.framework == name for f in derive.visible_forks(world, r)]
        commits = human_commits(world, framework_commits(world, name))
        vendor = sum(1 for c in commits if is_vendor_domain(email_domain(c.author_email), fw.vendor_email_domains))
        yield (name, len(forks), sum(1 for f in forks if derive.is_active_fork(f)),
               len(derive.findable_dependents(world, name)), len(derive.all_dependents(world, name)),
               vendor / len(commits) if commits else 0.0)


def min_requests(world: World) -> tuple[dict, dict[str, set[int]]]:
    """The fewest requests a complete cold run needs, per platform and endpoint template.

    - one GET per tracked repository, plus the 301 a renamed one answers at its catalogue (old) name;
    - list pages at 100 a page (at least one, also for empty lists): contributors (GitHub and GitLab; Gitee's
      is one unpaged request; a huge or empty repository's answer is one request), forks, stargazers,
      releases, each organisation's repositories;
    - GitHub code search: per package and manifest file, one page per 100 reachable results, at least one;
    - activity: GitHub one GraphQL query per repository; Gitee and GitLab one one-item page per kind
      (pull/merge requests, issues) with state=all;
    - profiles: GitHub accounts in GraphQL batches of 100, Gitee and GitLab accounts one request each. The
      accounts needed are the live accounts that contributors lists link (GitHub), fork owners, stargazers,
      and the owners of dependents the search can reach (GitHub).
    GraphQL points: one per GraphQL query (each of up to 100 nodes); the same queries are `/graphql` requests.
    Returns (the summary.json document, the account ids whose profiles are needed per platform).
    """
    counts: dict[str, Counter] = {p: Counter() for p in ("github", "gitee", "gitlab")}
    profiles: dict[str, set[int]] = {p: set() for p in counts}
    for repo in derive.tracked_repos(world):
        c, p = counts[repo.platform], repo.platform
        forks, stars = derive.visible_forks(world, repo), derive.visible_stars(world, repo)
        profiles[p] |= {f.owner_id for f in forks} | {s.account_id for s in stars}
        entries = [] if derive.contributors_status(repo) != "ok" else derive.contributors(world, repo, anon=True)
        profiles[p] |= {e.account_id for e in entries if e.account_id is not None}
        if p == "github":
            c["/repos/{owner}/{repo}"] += 1 + (1 if repo.catalogue_path != repo.full_name else 0)
            c["/repos/{owner}/{repo}/contributors"] += _pages(len(entries))
            c["/repos/{owner}/{repo}/forks"] += _pages(len(forks))
            c["/repos/{owner}/{repo}/stargazers"] += _pages(len(stars))
            c["/repos/{owner}/{repo}/releases"] += _pages(len(repo.releases))
            c["/graphql"] += 1
        elif p == "gitee":
            c["/repos/{owner}/{repo}"] += 1
            c["/repos/{owner}/{repo}/contributors"] += 1
            c["/repos/{owner}/{repo}/forks"] += _pages(len(forks))
            c["/repos/{owner}/{repo}/stargazers"] += _pages(len(stars))
            c["/repos/{owner}/{repo}/releases"] += _pages(len(repo.releases))
            c["/repos/{owner}/{repo}/pulls"] += 1
            c["/repos/{owner}/{repo}/issues"] += 1
        else:
            c["/projects/{id}"] += 1
            c["/projects/{id}/repository/contributors"] += _pages(len(entries))
            c["/projects/{id}/forks"] += _pages(len(forks))
            c["/projects/{id}/starrers"] += _pages(len(stars))
            c["/projects/{id}/releases"] += _pages(len(repo.releases))
            c["/projects/{id}/merge_requests"] += 1
            c["/projects/{id}/issues"] += 1
    org_templates = {"github": "/orgs/{org}/repos", "gitee": "/orgs/{org}/repos", "gitlab": "/groups/{id}/projects"}
    for platform, org in sorted({(o.platform, o.name) for fw in world.catalogue.frameworks.values() for o in fw.orgs}):
        counts[platform][org_templates[platform]] += _pages(len(derive.org_repos(world, platform, org)))
    for _, package, path in derive.search_queries(world):
        result = derive.code_search(world, package, path)
        counts["github"]["/search/code"] += _pages(len(result.items))
        profiles["github"] |= {repo.owner_id for repo, _ in result.items}
    live = {p: {i for i in ids if (p, i) in world.accounts and not world.accounts[(p, i)].deleted}
            for p, ids in profiles.items()}
    batches = math.ceil(len(live["github"]) / GRAPHQL_BATCH)
    counts["github"]["/graphql"] += batches
    counts["gitee"]["/users/{username}"] += len(live["gitee"])
    counts["gitlab"]["/users/{id}"] += len(live["gitlab"])
    summary = {p: {"total": sum(c.values()), "by_endpoint": dict(sorted(c.items()))} for p, c in counts.items()}
    return {"min_requests": summary, "min_graphql_points": counts["github"]["/graphql"]}, live


def model_rows(world: World):
    """models.csv: every model of the hubs, once per framework whose tree holds it (a merge of two: twice)."""
    hubs = world.hubs
    if hubs is None:
        return
    for (platform, model_id), model in sorted(hubs.models.items()):
        for framework in model.frameworks:
            yield (platform, model_id, framework, model.role, model.relation, ";".join(model.bases) or None,
                   model.owner, model.owner_type, model.created_at.isoformat())


def hub_min_requests(world: World) -> dict:
    """The fewest requests a complete cold run of the hubs needs: each tracked organisation's models (one page
    per 100, at least one); the derivatives of every model that has any (Hugging Face: where the served count
    is above 0; ModelScope serves none: every model), under each of its ids (a vendor model's former ids
    too), one page per 100, at least one; Hugging Face: one owner lookup per derivative owner."""
    hubs = world.hubs
    if hubs is None or not world.catalogue:
        return {}
    counts: dict[str, Counter] = {}
    owners_of: dict[str, set[str]] = {}
    orgs_of: dict[str, set[str]] = {}
    listed: dict[str, set[str]] = {}  # ids whose derivatives a run already listed on the hub (trees can share a merge)
    for fw in world.catalogue.frameworks.values():
        for ref in fw.model_orgs:
            api = world.catalogue.platforms[ref.platform].api
            c = counts.setdefault(ref.platform, Counter())
            vendor = hubs.of_org(ref.platform, ref.name)
            c["/api/models?author" if api == "huggingface" else "/api/v1/models/"] += _pages(len(vendor))
            owners = owners_of.setdefault(ref.platform, set())  # an owner is looked up once per hub
            orgs_of.setdefault(ref.platform, set()).add(ref.name)
            queue, seen = [(m, True) for m in vendor], {m.model_id for m in vendor}
            while queue:
                node, is_vendor = queue.pop(0)
                subjects = [node.model_id] + ([f"{f}/{node.model_id.split('/', 1)[1]}" for f in ref.formerly] if is_vendor else [])
                for subject in subjects:
                    if subject in listed.setdefault(ref.platform, set()):
                        continue
                    listed[ref.platform].add(subject)
                    children = hubs.children(ref.platform, subject)
                    if api == "huggingface":
                        if subject == node.model_id and not children:
                            continue
                        c["/api/models?filter=base_model"] += _pages(len(children))
                    else:
                        c["/api/v1/dolphin/models"] += _pages(len(children))
                    for child in children:
                        if child.model_id not in seen:
                            seen.add(child.model_id)
                            owners.add(child.owner)
                            queue.append((child, False))
    for platform, owners in owners_of.items():
        if world.catalogue.platforms[platform].api == "huggingface":
            counts[platform]["/api/organizations/{name}/overview"] += len(owners - orgs_of[platform])
    return {p: {"total": sum(c.values()), "by_endpoint": dict(sorted(c.items()))} for p, c in counts.items()}


def _pages(items: int) -> int:
    return max(1, math.ceil(items / PAGE))


# ----- extra files -----

def people_rows(world: World):
    accounts: dict[int, dict[str, int]] = defaultdict(dict)
    for (platform, account_id), account in sorted(world.accounts.items()):
        if account.person_id is not None and not account.deleted:
            accounts[account.person_id].setdefault(platform, account_id)
    frameworks: dict[int, set[str]] = defaultdict(set)
    for name in world.catalogue.frameworks:
        for commit in framework_commits(world, name):
            frameworks[commit.author_person_id].add(name)
    for person_id in sorted(world.people):
        person = world.people[person_id]
        mine = accounts.get(person_id, {})
        yield (person_id, *_place(person), person.is_bot, person.employer, person.location_source,
               person.utc_offset_minutes, ";".join(sorted(frameworks.get(person_id, ()))), mine.get("github"),
               mine.get("gitee"), mine.get("gitlab"))


def identity_rows(world: World):
    verified = derive.github_email_accounts(world)
    vendor_domains = {d for fw in world.catalogue.frameworks.values() for d in fw.vendor_email_domains}
    for person_id in sorted(world.people):
        for email in world.people[person_id].emails:
            domain = email_domain(email)
            if domain == "users.noreply.github.com":
                kind = "noreply_github"
            elif domain == "user.noreply.gitee.com":
                kind = "noreply_gitee"
            elif is_vendor_domain(domain, sorted(vendor_domains)):
                kind = "vendor"
            else:
                kind = "other"
            account = verified.get(email.lower())
            yield person_id, email, domain, kind, account.account_id if account else None


def geography_rows(world: World):
    for name in world.catalogue.frameworks:
        people: dict[tuple, set[int]] = defaultdict(set)
        commits: Counter = Counter()
        for commit in human_commits(world, framework_commits(world, name)):
            place = _place(world.people[commit.author_person_id])
            people[place].add(commit.author_person_id)
            commits[place] += 1
        for place in sorted(people, key=lambda p: tuple(x or "" for x in p)):
            yield (name, *place, len(people[place]), commits[place])


def china_rows(world: World):
    for name in world.catalogue.frameworks:
        authors = {c.author_person_id for c in human_commits(world, framework_commits(world, name))}
        cn = [world.people[p] for p in authors if world.people[p].country_iso2 == "CN"]
        cities = Counter(p.city for p in cn if p.city)
        regions = Counter(p.region for p in cn if p.region)
        with_city = sum(cities.values())
        top3 = sorted(cities.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        with_region = sum(regions.values())
        hhi = sum((n / with_region) ** 2 for n in regions.values()) if with_region else None
        yield (name, len(cn), with_city, ";".join(c for c, _ in top3),
               sum(n for _, n in top3) / with_city if with_city else None, with_region, hhi)


def vendor_rows(world: World):
    for name, fw in world.catalogue.frameworks.items():
        commits = human_commits(world, framework_commits(world, name))
        by_email = [c for c in commits if is_vendor_domain(email_domain(c.author_email), fw.vendor_email_domains)]
        authors = {c.author_email.lower() for c in commits}
        vendor_authors = {c.author_email.lower() for c in by_email}
        people = {c.author_person_id for c in commits}
        staff = {p for p in people if world.people[p].employer == fw.vendor}
        staff_commits = sum(1 for c in commits if c.author_person_id in staff)
        yield (name, fw.vendor, len(commits), len(by_email), _share(len(by_email), len(commits)), len(authors),
               len(vendor_authors), _share(len(vendor_authors), len(authors)), len(people), len(staff),
               _share(len(staff), len(people)), staff_commits, _share(staff_commits, len(commits)))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def platform_rows(world: World):
    for repo in derive.tracked_repos(world):
        commits = derive.default_branch_commits(repo)
        people = {c.author_person_id for c in human_commits(world, commits)}
        findable = len(derive.findable_dependents(world, repo.framework)) if repo.platform == "github" and \
            repo.role == "primary" else 0
        yield (repo.framework, repo.platform, repo.role, len(people), len(derive.visible_stars(world, repo)),
               len(derive.visible_forks(world, repo)), derive.activity_total(repo, "pulls"),
               derive.activity_total(repo, "issues"), findable)


def activity_rows(world: World):
    for repo in derive.tracked_repos(world):
        for kind, counts in (("pulls", repo.pulls), ("issues", repo.issues)):
            for state in sorted(counts):
                yield repo.platform, repo.catalogue_path, kind, state, counts[state]


def dependent_rows(world: World):
    for name, package, path in derive.search_queries(world):
        reachable = {r.repo_id for r, _ in derive.code_search(world, package, path).items}
        for repo, file_name in derive.dependents(world, package):
            if file_name == path:
                owner = world.accounts[("github", repo.owner_id)]
                yield (name, package, path, repo.full_name, repo.repo_id, owner.account_id, owner.login, owner.type,
                       repo.repo_id in reachable)


def person_year_rows(world: World):
    from datetime import timezone

    for name in world.catalogue.frameworks:
        counts = Counter((c.authored_at.astimezone(timezone.utc).year, c.author_person_id)
                         for c in human_commits(world, framework_commits(world, name)))
        for (year, person_id), commits in sorted(counts.items()):
            yield name, year, person_id, commits


def adoption_rows(world: World):
    for name in world.catalogue.frameworks:
        months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for repo in derive.tracked_repos(world):
            if repo.framework == name:
                for fork in derive.visible_forks(world, repo):
                    row = months[fork.created_at.strftime("%Y-%m")]
                    row[0] += 1
                    row[1] += derive.is_active_fork(fork)
                    row[2] += fork.stars > 0
        for month in sorted(months):
            yield (name, month, *months[month])


def name_rows(world: World):
    for repo in derive.tracked_repos(world):
        mirror_of = f"{repo.mirror_of[0]}:{repo.mirror_of[1]}" if repo.mirror_of else None
        yield repo.platform, repo.catalogue_path, repo.full_name, repo.repo_id, ";".join(repo.former_names), mirror_of


def world_facts(world: World) -> dict:
    repos = list(world.repos.values())
    return {
        "seed": world.seed, "scale": world.scale, "advances": world.advances, "now": world.now.isoformat(),
        "people": len(world.people),
        "accounts": dict(sorted(Counter(k[0] for k, a in world.accounts.items() if not a.deleted).items())),
        "repositories": dict(sorted(Counter(r.kind for r in repos).items())),
        "stars": sum(len(r.stars) for r in repos), "forks": sum(len(r.forks) for r in repos),
        "commits": sum(len(r.commits) for r in repos if r.tracked and r.role == "primary"),
        "renames": [list(r) for r in world.renames], "deleted_accounts": [list(d) for d in world.deleted_accounts],
    }
