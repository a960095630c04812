"""Fixtures shared by every test module."""

from __future__ import annotations

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
