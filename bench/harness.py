"""Running the `mine` flow against a forge sandbox, for the request and concurrency benchmarks.

The sandbox runs in its own process (`python -m bench.harness '<options json>' TRUTH_DIR`), as a remote forge
would: its CPU time does not share the miner's interpreter lock. The child builds the world, writes its
truth, prints its URLs as one JSON line and serves until its stdin closes (so it never outlives us).
The flow runs in this process under one Prefect test harness (started once, ~20 s).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

from oss_miner.sandbox.server import SandboxOptions, environment_applied as environment, pipeline_environment

PLATFORMS = ("github", "gitee", "gitlab")
ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 1)  # the benchmarks' sandbox clock: fixed, so that their worlds (and figures) repeat


# -- the sandbox, in a child process --------------------------------------------------------------

class Sandbox:
    """A sandbox server in a child process; `with Sandbox(options, truth_dir) as sandbox: ...`."""

    def __init__(self, options: SandboxOptions, truth_dir: Path | None = None):
        self.options = options
        self.truth_dir = truth_dir
        self.urls: dict[str, str] = {}
        self._child: subprocess.Popen | None = None

    def __enter__(self) -> "Sandbox":
        options = {k: v for k, v in asdict(self.options).items() if k != "tokens"}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bench.harness", json.dumps(options, default=date.isoformat), str(self.truth_dir or "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        line = self._child.stdout.readline() if self._child.stdout else ""
        if not line:
            self._child.wait(timeout=30)
            raise RuntimeError(f"the sandbox process exited with {self._child.returncode} before serving")
        self.urls = json.loads(line)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is None:
            return
        with contextlib.suppress(OSError):
            self._child.stdin.close()  # type: ignore[union-attr]
        try:
            self._child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()
        self._child = None

    def stats(self) -> dict[str, Any]:
        return requests.get(self.urls["stats"], timeout=60).json()

    def reset(self) -> None:
        requests.post(self.urls["stats"] + "/reset", timeout=60).raise_for_status()

    def advance(self, fraction: float) -> None:
        requests.post(self.urls["stats"] + "/advance", params={"fraction": fraction}, timeout=600).raise_for_status()

    def minimum(self) -> dict[str, Any]:
        """The truth's summary.json: the fewest requests of a complete cold run, per platform."""
        return self.truth("summary.json")

    def truth(self, name: str) -> dict[str, Any]:
        assert self.truth_dir is not None, "start the sandbox with a truth folder"
        return json.loads((self.truth_dir / name).read_text())

    def environment(self, github_tokens: int = 2) -> dict[str, str]:
        """What points the pipeline (or a straightforward script) at this sandbox; each token is an account."""
        return pipeline_environment(self.urls, github=",".join(f"bench-github-{i + 1}" for i in range(github_tokens)),
                                    gitee="bench-gitee", gitlab="bench-gitlab")


def _serve_child(options_json: str, truth_dir: str) -> None:
    from oss_miner.sandbox.server import SandboxServer
    from oss_miner.sandbox.truth import write_truth

    fields = json.loads(options_json)
    options = SandboxOptions(**{**fields, "as_of": date.fromisoformat(fields["as_of"])})
    with SandboxServer(options) as server:
        if truth_dir:
            write_truth(server.world, Path(truth_dir))
        print(json.dumps(server.urls), flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


# -- what a run cost, from the sandbox's own accounting -------------------------------------------

@dataclass
class Cost:
    """Requests per platform as the sandbox counted them."""

    rate_limited: Counter = field(default_factory=Counter)  # everything but GitHub's free 304s
    not_modified: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    bytes: Counter = field(default_factory=Counter)
    by_endpoint: dict[str, Counter] = field(default_factory=dict)
    by_status: Counter = field(default_factory=Counter)  # (platform, status, fault)
    graphql_points: int = 0

    @classmethod
    def of(cls, stats: dict[str, Any]) -> "Cost":
        cost = cls()
        for row in stats["requests"]:
            platform, n = row["platform"], row["count"]
            cost.total[platform] += n
            cost.bytes[platform] += row["bytes"]
            cost.by_status[(platform, row["status"], row["fault"])] += n
            cost.by_endpoint.setdefault(platform, Counter())[row["endpoint"]] += n
            if row["status"] == 304:
                cost.not_modified[platform] += n
            if not (platform == "github" and row["status"] == 304):
                cost.rate_limited[platform] += n
        cost.graphql_points = sum(stats.get("graphql_points", {}).values())
        return cost


# -- the flow, under one Prefect harness per process ----------------------------------------------

_PREFECT: contextlib.ExitStack | None = None


def prefect() -> None:
    """Start Prefect's test harness once for this process (its API on a temporary database)."""
    global _PREFECT
    if _PREFECT is not None:
        return
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    stack = contextlib.ExitStack()
    stack.enter_context(prefect_test_harness(server_startup_timeout=180))
    _PREFECT = stack
    atexit.register(stack.close)


@dataclass
class FlowRun:
    result: dict[str, Any]
    seconds: float
    cost: Cost


def mine(sandbox: Sandbox, db: Path, github_tokens: int = 2, **parameters: Any) -> FlowRun:
    """One run of the `mine` flow against `sandbox` into `db` (its state folder beside it); the sandbox's
    counters are reset first, so the cost is this run's alone."""
    prefect()
    from flows.mine import mine as mine_flow

    sandbox.reset()
    with environment(sandbox.environment(github_tokens)):
        started = time.perf_counter()
        result = mine_flow(db=str(db), sandbox=True, out=None, **parameters)
        seconds = time.perf_counter() - started
    return FlowRun(result, seconds, Cost.of(sandbox.stats()))


if __name__ == "__main__":
    _serve_child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
