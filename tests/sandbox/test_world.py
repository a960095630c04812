"""The synthetic world: deterministic, with the catalogue's repositories, edge cases and messy profiles."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pycountry
import pytest

from fixtures import AS_OF

from oss_miner.config import load_config
from oss_miner.sandbox import derive, pools
from oss_miner.sandbox.model import World
from oss_miner.sandbox.world import advance, build_world

SCALE = 0.2


@pytest.fixture(scope="module")
def catalogue():
    return load_config(sandbox=True, environ={})


@pytest.fixture(scope="module")
def world(catalogue, tmp_path_factory) -> World:
    return build_world(7, SCALE, catalogue, tmp_path_factory.mktemp("world-a"), as_of=AS_OF)


def fingerprint(world: World) -> str:
    """A digest of everything the sandbox serves or the truth reads."""
    parts = [repr((world.now, world.advances, world.renames, world.deleted_accounts))]
    for pid in sorted(world.people):
        p = world.people[pid]
        parts.append(repr((pid, p.name, p.git_name, p.emails, p.country_iso2, p.region, p.city, p.utc_offset_minutes,
                           p.is_bot, p.employer, p.location_source)))
    for key in sorted(world.accounts):
        a = world.accounts[key]
        parts.append(repr((key, a.login, a.type, a.person_id, a.name, a.location, a.company, a.blog, a.email, a.bio,
                           a.created_at, a.verified_emails, a.deleted, a.location_truth)))
    for key in sorted(world.repos):
        r = world.repos[key]
        parts.append(repr((key, r.full_name, r.kind, r.role, r.description, r.created_at, r.pushed_at, r.is_mirror,
                           r.mirror_url, r.former_names, sorted(r.files.items()), r.pulls, r.issues, r.version,
                           [(s.account_id, s.starred_at) for s in r.stars],
                           [(f.fork_id, f.owner_id, f.full_name, f.created_at, f.pushed_at, f.stars) for f in r.forks],
                           [(x.release_id, x.tag_name, x.published_at) for x in r.releases],
                           [(c.sha, c.author_email, c.authored_at.isoformat(), c.committed_at.isoformat(), c.message)
                            for c in r.commits])))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_same_seed_same_world_and_another_seed_another(world, catalogue, tmp_path):
    again = build_world(7, SCALE, catalogue, tmp_path / "again", as_of=AS_OF)
    other = build_world(8, SCALE, catalogue, tmp_path / "other", as_of=AS_OF)
    assert fingerprint(again) == fingerprint(world)
    assert fingerprint(other) != fingerprint(world)
    assert {c.sha for r in other.repos.values() for c in r.commits} != {c.sha for r in world.repos.values() for c in r.commits}


def test_every_catalogue_repository_is_there_with_its_role(world, catalogue):
    for framework, ref in catalogue.tracked_repos():
        repo = world.repo_by_name(ref.platform, ref.path) or world.repo_by_old_name(ref.platform, ref.path)
        assert repo is not None, ref.key
        assert (repo.framework, repo.role, repo.tracked, repo.catalogue_path) == (framework, ref.role, True, ref.path)
        assert repo.git_dir is not None and repo.git_dir.is_dir()
    assert all("synthetic" in r.description.lower() for r in world.repos.values())


def test_mirrors_are_flagged_as_the_real_services_flag_them(world):
    github_copy = world.repo_by_name("github", "mindspore-ai/mindspore")
    assert github_copy.is_mirror and github_copy.mirror_url == "https://gitee.com/mindspore/mindspore.git"
    assert github_copy.mirror_of == ("gitee", "mindspore/mindspore")
    for path in ("jihu-mirrors/paddle", "jihu-mirrors/oneflow", "jihu-mirrors/jittor"):
        assert world.repo_by_name("gitlab", path).is_mirror
    primary = world.repo_by_name("gitee", "mindspore/mindspore")
    assert not primary.is_mirror and primary.mirror_url is None
    assert sum(primary.pulls.values()) > 20 * sum(github_copy.pulls.values())  # development happens on the primary
    assert sum(world.repo_by_name("gitlab", "jihu-mirrors/paddle").pulls.values()) == 0


def test_mirror_commits_are_the_primarys(world):
    primary = world.repo_by_name("github", "PaddlePaddle/Paddle")
    primary_shas = [c.sha for c in derive.default_branch_commits(primary)]
    for path, platform in (("paddlepaddle/Paddle", "gitee"), ("jihu-mirrors/paddle", "gitlab")):
        mirror = world.repo_by_name(platform, path)
        shas = [c.sha for c in derive.default_branch_commits(mirror)]
        assert shas and shas == primary_shas[: len(shas)]  # a prefix: a mirror may lag behind
        assert len(shas) >= len(primary_shas) - 5
        entries = derive.contributors(world, mirror)
        assert sum(e.contributions for e in entries) == len(shas)  # what its commit emails give, nothing more
        assert all(e.account_id is None for e in entries)


def test_edge_cases(world):
    huge = world.repo_by_name("github", "pytorch/pytorch")
    assert huge.kind == "huge" and derive.contributors_status(huge) == "too_large"
    empty = world.repo_by_name("gitlab", "jihu-mirrors/jittor")
    assert empty.kind == "empty" and empty.commits == [] and derive.contributors_status(empty) == "empty"
    assert world.repo_by_name("github", "Angel-ML/angel") is None
    renamed, redirected = derive.lookup_repo(world, "github", "Angel-ML/angel")
    assert redirected and renamed.kind == "renamed" and renamed.full_name != "Angel-ML/angel"
    assert renamed.catalogue_path == "Angel-ML/angel" and renamed.former_names == ["Angel-ML/angel"]
    assert derive.lookup_repo(world, "github", renamed.full_name) == (renamed, False)


def test_github_links_only_the_first_500_emails(world, catalogue, tmp_path):
    big = build_world(3, 1.0, catalogue.select(frameworks=["PaddlePaddle"]), tmp_path / "paddle", as_of=AS_OF)
    repo = big.repo_by_name("github", "PaddlePaddle/Paddle")
    first_emails: list[str] = []
    for commit in derive.default_branch_commits(repo):
        if commit.author_email.lower() not in first_emails:
            first_emails.append(commit.author_email.lower())
    assert len(first_emails) > 500
    entries = derive.contributors(big, repo, anon=True)
    linked = derive.github_email_accounts(big)
    late = {e for e in first_emails[500:] if e in linked}
    assert late, "some verified emails come after the first 500"
    anonymous = {e.email.lower() for e in entries if e.account_id is None}
    assert late <= anonymous
    accounts = [e for e in entries if e.account_id is not None]
    assert accounts == derive.contributors(big, repo, anon=False)
    assert sum(e.contributions for e in entries) == len(derive.default_branch_commits(repo))
    assert [e.contributions for e in entries] == sorted((e.contributions for e in entries), reverse=True)


def test_organisations_and_their_ecosystem(world, catalogue):
    for fw in catalogue.frameworks.values():
        for org in fw.orgs:
            account = world.account_by_login(org.platform, org.name)
            assert account is not None and account.type == "Organization"
            repos = derive.org_repos(world, org.platform, org.name)
            assert 3 <= sum(r.kind == "ecosystem" for r in repos) <= 10
    assert any(r.parent_full_name for r in world.repos.values() if r.kind == "ecosystem")
    assert any(r.archived for r in world.repos.values() if r.kind == "ecosystem")


def test_profiles_are_messy_like_real_ones(world):
    accounts = [a for a in world.accounts.values() if a.type == "User"]
    locations = [a.location for a in accounts if a.location]
    assert any(re.search(r"[\u4e00-\u9fff]", loc) for loc in locations)  # Chinese characters
    assert any(re.fullmatch(r"[A-Z][a-z]+[A-Z][a-z]+", loc) for loc in locations)  # "BeiJing"
    assert any(loc in pools.NOISE_LOCATIONS for loc in locations)
    assert any(a.location == "" for a in accounts)
    assert all(a.location is None and a.company is None for a in world.accounts.values() if a.platform == "gitee")
    companies = {a.company for a in accounts if a.company}
    assert {"@baidu", "Huawei Technologies"} & companies
    domains = {e.rsplit("@", 1)[1] for p in world.people.values() for e in p.emails}
    assert {"qq.com", "163.com", "gmail.com", "users.noreply.github.com", "baidu.com", "huawei.com"} <= domains
    for person in world.people.values():
        for email in person.emails:
            if email.endswith("@users.noreply.github.com"):
                account_id, login = email.split("@")[0].split("+", 1)
                account = world.accounts[("github", int(account_id))]
                assert account.login == login and account.person_id == person.person_id


def test_people_on_two_platforms_with_same_and_different_logins(world):
    logins: dict[int, dict[str, str]] = {}
    for account in world.accounts.values():
        if account.person_id is not None:
            logins.setdefault(account.person_id, {})[account.platform] = account.login.lower()
    pairs = [(m["github"], m["gitee"]) for m in logins.values() if "github" in m and "gitee" in m]
    assert sum(a == b for a, b in pairs) >= 5 and sum(a != b for a, b in pairs) >= 5


def test_location_text_writes_the_true_place(world):
    """Whoever has a place has it written in every GitHub profile (a way a geolocator can read)."""
    cn_names = {c.city: c for c in pools.CN_CITIES}
    checked = 0
    for account in world.accounts.values():
        person = world.people.get(account.person_id) if account.person_id else None
        if account.platform != "github" or person is None or person.is_bot or account.location == "=1+2":
            continue
        if person.country_iso2 is None:
            assert not account.location or account.location in pools.NOISE_LOCATIONS
            continue
        text = account.location.lower()
        assert text, (person, account)
        if person.country_iso2 == "CN" and person.city:
            city = cn_names[person.city]
            spellings = [city.city.lower(), city.chinese, city.camel.lower(), *(l.lower() for l in city.landmarks)]
            assert any(s in text for s in spellings) or (city.city == "Shenzhen" and text.startswith("sz")), text
            checked += 1
    assert checked > 50


def test_places_use_real_codes_and_offsets_cover_the_plus_eight_region(world):
    for person in world.people.values():
        if person.region:
            assert pycountry.subdivisions.get(code=person.region) is not None, person.region
            assert person.region.startswith(person.country_iso2 + "-")
    at_plus_eight = {p.country_iso2 for p in world.people.values() if p.utc_offset_minutes == 480 and p.country_iso2}
    assert {"CN", "SG", "TW", "HK"} <= at_plus_eight
    assert any(p.region == "AU-WA" for p in world.people.values()) or "MY" in at_plus_eight


def test_bots_match_the_catalogue_patterns_and_humans_do_not(world, catalogue):
    regex = catalogue.bot_regex
    bots = [p for p in world.people.values() if p.is_bot]
    assert bots and all(regex.search(p.git_name) for p in bots)
    assert any(a.login.endswith("[bot]") and a.type == "Bot" for a in world.accounts.values())
    for account in world.accounts.values():
        person = world.people.get(account.person_id) if account.person_id else None
        if person is not None and not person.is_bot:
            assert not regex.search(account.login), account.login


def test_hostile_strings_are_planted(world):
    texts = [t for a in world.accounts.values() for t in (a.name, a.location, a.company, a.bio) if t]
    texts += [r.description for r in world.repos.values()]
    assert any(len(t.encode()) >= 10 * 1024 for t in texts)
    assert any("<script>" in t for t in texts)
    assert any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)
    for first in "=+-@":
        assert any(t.startswith(first) for t in texts), first


def test_forks_are_mostly_inactive_and_some_have_stars(world):
    forks = [f for r in world.repos.values() if r.tracked for f in r.forks]
    active = sum(derive.is_active_fork(f) for f in forks)
    assert 0.05 < active / len(forks) < 0.3
    assert any(f.stars for f in forks)
    owners = {(r.platform, f.owner_id) for r in world.repos.values() for f in r.forks}
    assert all(key in world.accounts for key in owners)


def test_indices_answer_like_the_lists(world):
    some = sorted(world.accounts.values(), key=lambda a: (a.platform, a.account_id))[::97]
    for account in some:
        assert world.account_by_login(account.platform, account.login.upper()) is account
    repo = world.repo_by_name("github", "PaddlePaddle/Paddle")
    fork = repo.forks[0]
    assert world.fork_by_id("github", fork.fork_id) == (repo, fork)


def test_dependents_declare_the_packages(world):
    torch = derive.dependents(world, "torch")
    assert torch and all("torch" in derive.declared_packages(r.files[p], p) for r, p in torch)
    assert {p for _, p in torch} == set(derive.MANIFEST_FILES)
    result = derive.code_search(world, "torch", "requirements.txt")
    assert result.total_count == len(result.items) and not result.incomplete_results
    assert derive.parse_code_query('"torch" in:file filename:requirements.txt') == ("torch", "requirements.txt")
    assert derive.declared_packages('install_requires=["MNN>=2", "paddlepaddle-gpu"]', "setup.py") == \
        {"mnn", "paddlepaddle-gpu"}


def test_activity_items_follow_the_counts(world):
    repo = world.repo_by_name("github", "PaddlePaddle/Paddle")
    total = derive.activity_total(repo, "pulls")
    items = derive.activity_items(repo, "pulls", "all", 0, total)
    assert [i.number for i in items] == list(range(total, 0, -1))
    assert sum(i.state == "open" for i in items) == repo.pulls["open"]
    opened = derive.activity_items(repo, "pulls", "open", 0, 10_000)
    assert len(opened) == derive.activity_total(repo, "pulls", "open") and all(i.state == "open" for i in opened)
    closed = derive.activity_items(repo, "pulls", "closed", 5, 3)
    assert [i.number for i in closed] == [n for n in range(repo.pulls["merged"] + repo.pulls["closed"], 0, -1)][5:8]


def test_scale_must_be_positive(catalogue, tmp_path):
    with pytest.raises(ValueError, match="scale"):
        build_world(7, 0, catalogue, tmp_path, as_of=AS_OF)


def test_build_writes_only_under_root(world):
    root = Path(world.root)
    assert all(Path(r.git_dir).resolve().is_relative_to(root.resolve()) for r in world.repos.values() if r.git_dir)


def test_advance_is_deterministic_and_moves_everything_on(catalogue, tmp_path):
    one = build_world(9, 0.1, catalogue, tmp_path / "one", as_of=AS_OF)
    two = build_world(9, 0.1, catalogue, tmp_path / "two", as_of=AS_OF)
    start = one.now
    people, stars = len(one.people), sum(len(r.stars) for r in one.repos.values())
    versions = {k: r.version for k, r in one.repos.items()}
    tracked_commits = {k: len(r.commits) for k, r in one.repos.items() if r.tracked and r.role == "primary"}
    for w in (one, two):
        advance(w, 0.01)
        advance(w, 0.03)
    assert fingerprint(one) == fingerprint(two)
    assert one.advances == [0.01, 0.03] and (one.now - start).days == 2
    assert len(one.renames) == 3 and len(one.deleted_accounts) == 2
    assert len(one.people) > people and sum(len(r.stars) for r in one.repos.values()) > stars
    assert all(len(one.repos[k].commits) > n for k, n in tracked_commits.items())
    assert all(one.repos[k].version > v for k, v in versions.items() if one.repos[k].tracked and one.repos[k].kind != "empty")
    for platform, account_id in one.deleted_accounts:
        account = one.accounts[(platform, account_id)]
        assert account.deleted and one.account_by_login(platform, account.login) is None
        assert not any(s.account_id == account_id for r in one.repos.values() if r.platform == platform for s in r.stars)
    new_stars = [s for r in one.repos.values() for s in r.stars if s.starred_at > start]
    assert new_stars and all(s.starred_at <= one.now for s in new_stars)
    other = build_world(9, 0.1, catalogue, tmp_path / "other", as_of=AS_OF)
    advance(other, 0.03)
    advance(other, 0.01)
    assert fingerprint(other) != fingerprint(one)  # seeded by the number of previous advances and the fraction
