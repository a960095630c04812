"""Landed pages made up directly (no HTTP): forks and account profiles shaped as records.py says, written
through `Landing.put` in pages of 100, exactly as a run's sources land them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from oss_miner.config import Catalogue
from oss_miner.landing import Landing, Page

PAGE = 100
PLATFORM_SHARES = (("github", 14), ("gitee", 5), ("gitlab", 1))  # of every 20 accounts
EPOCH = datetime(2018, 1, 1, tzinfo=timezone.utc)
PLACES = ("Beijing", "Hangzhou, Zhejiang", "Shenzhen", "Berlin, Germany", "San Francisco, CA", None, None)


def _platform(i: int) -> str:
    slot = i % 20
    for platform, share in PLATFORM_SHARES:
        if slot < share:
            return platform
        slot -= share
    return "github"


def account_record(i: int) -> dict[str, object]:
    platform = _platform(i)
    return {
        "platform": platform, "account_id": i, "login": f"user{i}", "type": "Organization" if i % 500 == 0 else "User",
        "name_key": f"{i * 2654435761 % 2**32:08x}",
        "location": PLACES[i % len(PLACES)] if platform != "gitee" else None,  # Gitee profiles have none
        "company": f"@company{i % 997}" if i % 5 == 0 else None,
        "website_host": f"site{i}.example" if i % 9 == 0 else None,
        "email_domain": f"mail{i % 50}.com" if i % 10 == 0 else None,
        "email_key": f"{i * 40503 % 2**32:08x}" if i % 10 == 0 else None,
        "created_at": (EPOCH + timedelta(hours=i % 50_000)).isoformat(), "followers": i % 300, "public_repos": i % 70,
    }


def fork_record(i: int, accounts: int, repos: dict[str, list[str]]) -> dict[str, object]:
    owner = (i * 7919) % accounts
    platform = _platform(owner)
    tracked = repos[platform]
    created = EPOCH + timedelta(minutes=i % 2_000_000)
    return {
        "platform": platform, "repo": tracked[i % len(tracked)], "fork_id": 50_000_000 + i,
        "full_name": f"user{owner}/fork{i}", "owner_id": owner, "owner_login": f"user{owner}",
        "owner_type": "User", "created_at": created.isoformat(),
        "pushed_at": (created + timedelta(days=i % 40)).isoformat(), "stars": i % 13 // 12,
    }


def _pages(entity: str, endpoint: str, records: Iterator[dict[str, object]]) -> Iterator[Page]:
    """Pages of 100 records, one (platform, repo) per page, as a listing lands them."""
    batch: list[dict[str, object]] = []
    key = None
    number = 0
    for record in records:
        this = (record["platform"], record.get("repo"))
        if batch and (this != key or len(batch) == PAGE):
            number += 1
            yield _page(entity, endpoint, batch, number)
            batch = []
        key = this
        batch.append(record)
    if batch:
        yield _page(entity, endpoint, batch, number + 1)


def _page(entity: str, endpoint: str, records: list[dict[str, object]], number: int) -> Page:
    first = records[0]
    return Page(platform=str(first["platform"]), entity=entity, endpoint=endpoint,
                params={"page": number, "first": first.get("fork_id") or first.get("account_id")},
                records=records, repo=first.get("repo"))  # type: ignore[arg-type]


def land(root: Path, run_id: str, catalogue: Catalogue, forks: int, accounts: int) -> Landing:
    """A landing area holding `forks` fork records and `accounts` profiles, in pages of 100."""
    landing = Landing(str(root), run_id)
    repos: dict[str, list[str]] = {}
    for _, repo in catalogue.tracked_repos():
        repos.setdefault(repo.platform, []).append(repo.path)
    # grouped by (platform, repo) so that a page holds one repository's forks, as a listing's pages do
    def place(i: int) -> tuple[str, str]:
        record = fork_record(i, accounts, repos)
        return str(record["platform"]), str(record["repo"])

    ordered = sorted(range(forks), key=place)
    for page in _pages("forks", "/repos/{owner}/{repo}/forks", (fork_record(i, accounts, repos) for i in ordered)):
        landing.put(page)
    by_platform = sorted(range(accounts), key=_platform)
    for page in _pages("accounts", "/users/{username}", (account_record(i) for i in by_platform)):
        landing.put(page)
    landing.write_json("run.json", {"run_id": run_id, "parameters": {"bench": "landed pages made up directly"}})
    return landing
