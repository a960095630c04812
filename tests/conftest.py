"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository; absent in a user's clone, so tests that need it skip."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only on the project's own machines)")
    return SHARED


@pytest.fixture(scope="session")
def api_samples(shared_dir: Path) -> Path:
    return shared_dir / "api-samples"


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A Prefect test server for the session (one per xdist worker); its URL lets `oss-miner run`
    subprocesses report to it too."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())


# Under pytest-xdist (`make test` runs two workers), the tests of a folder that share an expensive session
# fixture (a Prefect test server, a reference run at scale 1) stay on one worker, so that it is built once;
# every other test goes wherever a worker is free. (A scheduler of our own: xdist's `loadgroup` does not
# group on pytest 9, whose node ids no longer take the suffix it appends.)
SHARED_FIXTURE_FOLDERS = ("e2e", "faults", "brief")


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001 - xdist's own types
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = nodeid.split("/")[1] if nodeid.startswith("tests/") else ""
            return folder if folder in SHARED_FIXTURE_FOLDERS else nodeid

    return FolderScheduling(config, log)
