"""Faults on the wire change nothing: a run on a sandbox that fails 10% of its requests in one way (or in
every way at once) ends with the same marts, row for row, as a fault-free run of the same world.

Compared: every mart table and every raw table (findings included), leaving out only the columns that
are by nature about the run (`run_id`, `observed_at`, `run_started_at`, `profile_observed_at`,
`loaded_at`), the raw `html_url`/`clone_url` (they name the sandbox instance's temporary folder) and the
last bits of doubles (DuckDB's parallel sums). The default variants run at scale 0.05 through the pipeline's stages without
Prefect, so no task retry can hide a fault the sources did not survive; the heavy variant mixes every
fault at scale 0.3 through the `mine` flow and checks that no Prefect task had to be retried either.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from faults_support import (AS_OF, SEED, assert_same_marts, assert_same_raw, environment, query, run_stages,
                            sandbox_environment)
from oss_miner.sandbox.faults import FAULT_KINDS
from oss_miner.sandbox.server import SandboxOptions, SandboxServer

PLATFORMS = ("github", "gitee", "gitlab")
TIMEOUT_S = "0.4"  # the clients' request timeout in these tests (PyGithub's: 1 s); a stalled answer takes 1.5 s
VARIANTS: dict[str, dict[str, Any]] = {
    **{kind: {"fault_rate": 0.1, "fault_kinds": (kind,)} for kind in ("5xx", "reset", "truncated")},
    "timeout": {"fault_rate": 0.1, "fault_kinds": ("timeout",), "timeout_delay_s": 1.5},
    # 403 + X-RateLimit-Reset (GitHub), 429 + Retry-After (GitLab), 403 "retry in Ns" (Gitee), GraphQL RATE_LIMITED
    "ratelimit": {"fault_rate": 0.1, "fault_kinds": ("ratelimit",), "rate_window_s": 1.0},
    # one request in flight per GitHub account, and another client sharing the account (403 + Retry-After)
    "secondary": {"secondary_limit": 1, "rate_window_s": 1.0, "latency_ms": 5},
}


def sandbox_rows(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return requests.get(sandbox.urls["stats"], timeout=30).json()["requests"]


@contextmanager
def neighbour(sandbox: SandboxServer, token: str) -> Iterator[Counter]:
    """Another client of the same GitHub account, asking again and again (so the account's slot is often taken)."""
    stop, answers = threading.Event(), Counter()

    def ask() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    answer = session.get(sandbox.urls["github"] + "/rate_limit",
                                         headers={"Authorization": f"token {token}"}, timeout=10)
                except requests.RequestException:  # the sandbox's injected faults meet this client too
                    answers["failed"] += 1
                else:
                    answers[answer.status_code] += 1
                stop.wait(0.02)  # busy a fifth of the time: refusals enough, without a second's wait after each

    thread = threading.Thread(target=ask, daemon=True, name="neighbour")
    thread.start()
    try:
        yield answers
    finally:
        stop.set()
        thread.join(timeout=30)


def faulty_environment(sandbox: SandboxServer) -> dict[str, str]:
    """Short request timeouts, and two tokens (two sandbox accounts) per platform: a paused token hands over."""
    return {**sandbox_environment(sandbox.urls, gitee="faults-gitee-1,faults-gitee-2",
                                  gitlab="faults-gitlab-1,faults-gitlab-2"), "OSS_MINER_HTTP_TIMEOUT_S": TIMEOUT_S}


def mine(sandbox: SandboxServer, db: Path) -> None:
    with environment(faulty_environment(sandbox)):
        if sandbox.options.secondary_limit:
            with neighbour(sandbox, "faults-github-1") as answers:
                run_stages(db)
            assert answers[200] > 0  # the neighbour did share the account
        else:
            run_stages(db)


def waits(db: Path) -> dict[str, int]:
    """Rate-limit waits per platform, as the run's ledger counted them."""
    return dict(query(db, "SELECT platform, sum(rate_limit_waits) FROM run_platforms GROUP BY 1"))


def assert_faults_were_met(variant: str, rows: list[dict[str, Any]], db: Path) -> None:
    """The sandbox did answer badly (or, for budgets, the run had to wait), on every platform concerned."""
    if variant in FAULT_KINDS:
        met = Counter(r["platform"] for r in rows if r["fault"] == variant)
        assert all(met[p] > 0 for p in PLATFORMS), met
    elif variant == "budget":  # GitHub's headers announce the end of a budget: it waits before a refusal
        assert all(waits(db).get(p, 0) > 0 for p in PLATFORMS), waits(db)
    elif variant == "secondary":
        refused = [r for r in rows if r["platform"] == "github" and r["status"] == 403 and r["account"] != "anonymous"
                   and r["endpoint"] not in ("/rate_limit", "/repos/{owner}/{repo}/contributors")]
        assert refused, "the secondary limit never answered the pipeline"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_faulty_sandbox_gives_the_same_marts(variant, reference, tmp_path):
    options = SandboxOptions(seed=SEED, scale=0.05, as_of=AS_OF, code_search_limit=None, **VARIANTS[variant])
    with SandboxServer(options) as sandbox:
        mine(sandbox, tmp_path / "oss_miner.duckdb")
        rows = sandbox_rows(sandbox)
    assert_faults_were_met(variant, rows, tmp_path / "oss_miner.duckdb")
    assert_same_marts(tmp_path / "oss_miner.duckdb", reference.one_run)
    assert_same_raw(tmp_path / "oss_miner.duckdb", reference.one_run)


@pytest.mark.heavy
def test_spent_budgets_are_waited_for(reference, tmp_path):
    """Real budgets of 5 requests (GraphQL: points) a second per account: every platform waits for resets."""
    options = SandboxOptions(seed=SEED, scale=0.05, as_of=AS_OF, code_search_limit=None, rate_limit=5, rate_window_s=1.0)
    with SandboxServer(options) as sandbox:
        mine(sandbox, tmp_path / "oss_miner.duckdb")
    assert_faults_were_met("budget", [], tmp_path / "oss_miner.duckdb")
    assert_same_marts(tmp_path / "oss_miner.duckdb", reference.one_run)
    assert_same_raw(tmp_path / "oss_miner.duckdb", reference.one_run)


@pytest.mark.heavy
def test_every_fault_at_once_through_the_mine_flow_at_scale(prefect_api, tmp_path):
    """5xx, timeouts, resets, truncated bodies and injected rate limits on 10% of the requests, real budgets
    and a shared GitHub account with a secondary limit, at scale 0.3, through the `mine` flow."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    import anyio

    from flows.mine import mine as mine_flow

    common = {"seed": SEED, "scale": 0.3, "as_of": AS_OF, "code_search_limit": None}
    faulty = SandboxOptions(**common, fault_rate=0.1, fault_kinds=FAULT_KINDS, timeout_delay_s=1.5,
                            rate_window_s=1.0, rate_limit=30, secondary_limit=1, latency_ms=2)
    with SandboxServer(SandboxOptions(**common)) as clean:
        with environment(sandbox_environment(clean.urls)):
            run_stages(tmp_path / "clean" / "oss_miner.duckdb")
    with SandboxServer(faulty) as sandbox, \
            environment(faulty_environment(sandbox)), \
            neighbour(sandbox, "faults-github-1"):
        state = mine_flow(db=str(tmp_path / "faulty" / "oss_miner.duckdb"), sandbox=True, out=None, return_state=True)
        rows = sandbox_rows(sandbox)
    assert state.is_completed()
    met = Counter((r["fault"], r["platform"]) for r in rows if r["fault"])
    assert {kind for kind, _ in met} == set(FAULT_KINDS) and {p for _, p in met} == set(PLATFORMS), met

    async def task_runs() -> list:
        async with get_client() as client:
            return await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))

    runs = anyio.run(task_runs)
    assert runs and [r.name for r in runs if r.run_count != 1] == []  # the sources carried every fault
    assert_same_marts(tmp_path / "faulty" / "oss_miner.duckdb", tmp_path / "clean" / "oss_miner.duckdb")
    assert_same_raw(tmp_path / "faulty" / "oss_miner.duckdb", tmp_path / "clean" / "oss_miner.duckdb")
