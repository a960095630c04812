"""Fixtures for the sandbox tests: a hand-built tiny world and a running server over it."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _install_derive_stand_in() -> None:
    """Until sandbox/derive.py lands, the tests need its contract; this stand-in follows the brief:
    contributors per platform (GitHub links only the first 500 author emails), default-branch commits,
    dependents per package."""
    try:
        importlib.import_module("oss_miner.sandbox.derive")
        return
    except ModuleNotFoundError:
        pass
    module = types.ModuleType("oss_miner.sandbox.derive")

    @dataclass(frozen=True)
    class ContributorEntry:
        account_id: int | None
        name: str
        email: str
        contributions: int
        additions: int
        deletions: int

    def default_branch_commits(repo):  # type: ignore[no-untyped-def]
        return [c for c in repo.commits if c.on_default_branch]

    def contributors(world, repo):  # type: ignore[no-untyped-def]
        per_email: dict[str, list] = {}
        for commit in sorted(default_branch_commits(repo), key=lambda c: c.authored_at):
            row = per_email.setdefault(commit.author_email.lower(), [commit.author_name, 0, 0, 0])
            row[1] += 1
            row[2] += commit.additions
            row[3] += commit.deletions
        if repo.platform != "github":
            return [ContributorEntry(None, n, e, c, a, d) for e, (n, c, a, d) in per_email.items()]
        owners = {email.lower(): acc for acc in world.accounts.values() if acc.platform == "github" and not acc.deleted
                  for email in acc.verified_emails}
        linked: dict[int, list] = {}
        anonymous = []
        for index, (email, (name, count, adds, dels)) in enumerate(per_email.items()):
            account = owners.get(email) if index < 500 else None
            if account is None:
                anonymous.append(ContributorEntry(None, name, email, count, adds, dels))
            else:
                row = linked.setdefault(account.account_id, [name, email, 0, 0, 0])
                row[2] += count
                row[3] += adds
                row[4] += dels
        return [ContributorEntry(a, n, e, c, ad, de) for a, (n, e, c, ad, de) in linked.items()] + anonymous

    def dependents(world, package):  # type: ignore[no-untyped-def]
        return [(r, p) for r in world.repos.values() if r.platform == "github" for p, t in sorted(r.files.items())
                if package.lower() in t.lower()]

    module.ContributorEntry = ContributorEntry
    module.contributors = contributors
    module.default_branch_commits = default_branch_commits
    module.dependents = dependents
    sys.modules["oss_miner.sandbox.derive"] = module
    import oss_miner.sandbox as package

    package.derive = module  # type: ignore[attr-defined]


_install_derive_stand_in()

from oss_miner.sandbox.server import SandboxOptions, SandboxServer  # noqa: E402
from fixtures import tiny_world  # noqa: E402


@pytest.fixture(scope="session")
def world_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-world")


@pytest.fixture(scope="session")
def shared_world(world_root: Path):  # type: ignore[no-untyped-def]
    """One tiny world for the read-only tests (do not advance it)."""
    return tiny_world(world_root / "shared")


@pytest.fixture(scope="session")
def sandbox(shared_world) -> Iterator[SandboxServer]:  # type: ignore[no-untyped-def]
    """A server over the shared world with default options (any token, no limits, no faults)."""
    with SandboxServer(SandboxOptions(), world=shared_world) as server:
        yield server


@pytest.fixture
def make_sandbox(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Start a server with given options over a fresh tiny world (without git, for speed)."""
    started: list[SandboxServer] = []

    def start(world=None, **options: object) -> SandboxServer:  # type: ignore[no-untyped-def]
        server = SandboxServer(SandboxOptions(**options), world=world or tiny_world(tmp_path / f"w{len(started)}", with_git=False))
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
