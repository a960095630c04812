"""Fixtures of the fault, crash, bad-input, secret and forget tests: one fault-free sandbox and the
reference databases mined from it (the Prefect test server, `prefect_api`, is tests/conftest.py's)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from faults_support import AS_OF, HASH_KEY, SCALE, SEED, copy_database, environment, run_stages, sandbox_environment
from oss_miner.sandbox.server import SandboxOptions, SandboxServer


@pytest.fixture(autouse=True)
def one_hashing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every database of these tests hashes with the same key, so that their keyed hashes compare (set per
    test: the rest of the suite keeps its own environment)."""
    monkeypatch.setenv("OSS_MINER_HASH_KEY", HASH_KEY)


@pytest.fixture(scope="session")
def clean_sandbox() -> Iterator[SandboxServer]:
    """The sandbox without faults; code search unthrottled so that no test waits a minute for it."""
    with SandboxServer(SandboxOptions(seed=SEED, scale=SCALE, as_of=AS_OF, code_search_limit=None)) as sandbox:
        yield sandbox


@dataclass(frozen=True)
class Reference:
    one_run: Path  # a database mined once from the clean sandbox, without faults or interruptions
    two_runs: Path  # the same, mined a second time (a warm run)


@pytest.fixture(scope="session")
def reference(clean_sandbox: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    root = tmp_path_factory.mktemp("reference")
    with environment({**sandbox_environment(clean_sandbox.urls), "OSS_MINER_HASH_KEY": HASH_KEY}):
        one = root / "one" / "oss_miner.duckdb"
        run_stages(one)
        two = copy_database(one, root / "two" / "oss_miner.duckdb")
        run_stages(two)
    return Reference(one, two)
