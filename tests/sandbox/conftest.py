"""Fixtures for the sandbox tests: a hand-built tiny world and a running server over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures import AS_OF, tiny_world

from oss_miner.sandbox.server import SandboxOptions, SandboxServer


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
    with SandboxServer(SandboxOptions(as_of=AS_OF), world=shared_world) as server:
        yield server


@pytest.fixture
def make_sandbox(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Start a server with given options over a fresh tiny world (without git, for speed)."""
    started: list[SandboxServer] = []

    def start(world=None, **options: object) -> SandboxServer:  # type: ignore[no-untyped-def]
        server = SandboxServer(SandboxOptions(**{"as_of": AS_OF, **options}), world=world or tiny_world(tmp_path / f"w{len(started)}", with_git=False))
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
