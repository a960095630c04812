"""One sandbox and one cold run of the `mine` flow under Prefect, shared by the end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from oss_miner.config import load_config
from oss_miner.sandbox.server import SandboxOptions, SandboxServer
from oss_miner.sandbox.truth import write_truth

SEED, SCALE = 7, 1.0
AS_OF = date(2026, 6, 1)  # the sandbox's clock, fixed so that the reference run repeats


@dataclass
class Mined:
    sandbox: SandboxServer
    truth: Path
    db: Path
    cold: dict[str, Any]
    cold_stats: dict[str, Any]

    def stats(self) -> dict[str, Any]:
        return requests.get(self.sandbox.urls["stats"], timeout=30).json()

    def reset_stats(self) -> None:
        requests.post(self.sandbox.urls["stats"] + "/reset", timeout=30).raise_for_status()


def run_mine(db: Path, **parameters: Any) -> dict[str, Any]:
    from flows.mine import mine

    return mine(db=str(db), sandbox=True, **parameters)


@pytest.fixture(scope="session")
def mined(prefect_api, tmp_path_factory) -> Iterator[Mined]:
    root = tmp_path_factory.mktemp("e2e")
    options = SandboxOptions(seed=SEED, scale=SCALE, as_of=AS_OF, code_search_limit=None)
    with SandboxServer(options) as sandbox:
        write_truth(sandbox.world, root / "truth")
        with sandbox.applied(github="e2e-github-1,e2e-github-2", gitee="e2e-gitee", gitlab="e2e-gitlab"):
            requests.post(sandbox.urls["stats"] + "/reset", timeout=30)
            db = root / "data" / "oss_miner.duckdb"
            cold = run_mine(db, out=str(root / "reports"))
            cold_stats = requests.get(sandbox.urls["stats"], timeout=30).json()
            yield Mined(sandbox, root / "truth", db, cold, cold_stats)


def sandbox_catalogue():
    return load_config(sandbox=True, environ={})


@pytest.fixture(scope="session")
def rerun(mined):
    """Run the flow again on the same database; returns (result, sandbox stats of that run)."""

    def again() -> tuple[dict[str, Any], dict[str, Any]]:
        mined.reset_stats()
        result = run_mine(mined.db)
        return result, mined.stats()

    return again
