"""Runs killed with SIGKILL mid-extract, mid-load and mid-models resume to the same marts as a run that was
never interrupted, with no duplicate rows, and the published database stays readable throughout.

Each `oss-miner run` is a real subprocess (reporting to the session's Prefect test server). It is frozen at
a well-defined point by `stopper.py` (SIGSTOP after the N-th landed page, inside the load transaction,
inside the models transaction), inspected, then killed with SIGKILL: no race with the clock. The database
starts from a copy of the reference's first run, so there is a published snapshot to protect; the result
is compared with the reference's second, uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from faults_support import (SANDBOX_CONFIG, assert_same_marts, copy_database, duplicated_keys, query, rows_per_run,
                            sandbox_environment, table_rows)

STOPPER = Path(__file__).with_name("stopper.py")
DEADLINE_S = 300  # generous: a stuck run fails the test instead of hanging it


@dataclass
class Run:
    """One `oss-miner run` subprocess, its output in files."""

    process: subprocess.Popen
    marker: Path
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")[-3000:]

    def wait_for(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not ready():
            if self.process.poll() is not None:
                pytest.fail(f"the run ended (exit {self.process.returncode}) before {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no {what} after {DEADLINE_S} s:\n{self.log()}")
            time.sleep(0.2)

    def wait_stopped(self) -> None:
        self.wait_for("its stopping point", self.marker.exists)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the run and whatever it started (git)
        self.process.wait(timeout=60)

    def finish(self) -> int:
        return self.process.wait(timeout=DEADLINE_S)


@pytest.fixture()
def cli(tmp_path, clean_sandbox, prefect_api):
    environment = {**os.environ, **sandbox_environment(clean_sandbox.urls), "PREFECT_API_URL": prefect_api,
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    started: list[Run] = []

    def start(point: str, db: Path, *extra: str, quiet: bool = True) -> Run:
        name = f"run{len(started)}"
        marker, stderr = tmp_path / f"{name}.stopped", tmp_path / f"{name}.stderr"
        argv = [sys.executable, str(STOPPER), point, str(marker), "run", "--config", str(SANDBOX_CONFIG),
                "--db", str(db), *(["--quiet"] if quiet else []), *extra]
        with open(stderr, "wb") as err:
            process = subprocess.Popen(argv, env=environment, stdout=subprocess.DEVNULL, stderr=err,
                                       start_new_session=True)
        started.append(Run(process, marker, stderr))
        return started[-1]

    yield start
    for run in started:
        run.kill()


def published_marts(db: Path) -> dict:
    """The snapshot, opened read-only as an analyst would while the run is frozen or dead."""
    con = duckdb.connect(str(db), read_only=True)
    con.close()
    return table_rows(db, "mart_")


def run_ids(db: Path) -> list[tuple[str, str]]:
    return query(db, "SELECT run_id, outcome FROM runs ORDER BY run_id")


def assert_resumed_to_the_reference(db: Path, reference: Path) -> None:
    assert_same_marts(db, reference)
    assert duplicated_keys(db) == {table: 0 for table in duplicated_keys(db)}
    assert rows_per_run(db) == rows_per_run(reference)  # contributors included: nothing landed twice
    assert [outcome for _, outcome in run_ids(db)] == ["succeeded", "succeeded"]  # the killed attempts: one run


def test_killed_mid_extract_mid_load_and_mid_models_then_resumed(cli, reference, tmp_path):
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    before = published_marts(db)

    frozen = cli("extract:25", db)
    frozen.wait_stopped()
    assert published_marts(db) == before

    refused = cli("none", db)
    assert refused.finish() == 2
    errors = [line for line in refused.log().splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "another run is using" in errors[0] and "--wait" in errors[0], refused.log()

    waiting = cli("load", db, "--wait", quiet=False)  # --quiet would hide the waiting message (a warning)
    waiting.wait_for("the waiting message", lambda: "waiting for it to finish" in waiting.log())
    frozen.kill()  # mid-extract
    waiting.wait_stopped()  # took the lock, resumed the run, stopped inside the load transaction
    assert published_marts(db) == before
    waiting.kill()  # mid-load
    assert published_marts(db) == before

    in_models = cli("models:10", db)
    in_models.wait_stopped()
    assert published_marts(db) == before
    in_models.kill()  # mid-models

    last = cli("none", db)
    assert last.finish() == 0, last.log()
    assert_resumed_to_the_reference(db, reference.two_runs)


@pytest.mark.heavy
@pytest.mark.parametrize("point", ["extract:5", "extract:60", "load", "models:1", "models:30"])
def test_killed_once_then_resumed(point, cli, reference, tmp_path):
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    before = published_marts(db)
    killed = cli(point, db)
    killed.wait_stopped()
    killed.kill()
    assert published_marts(db) == before
    again = cli("none", db)
    assert again.finish() == 0, again.log()
    assert_resumed_to_the_reference(db, reference.two_runs)


@pytest.mark.heavy
def test_a_cold_run_killed_mid_extract_resumes_to_the_first_reference(cli, reference, tmp_path):
    db = tmp_path / "data" / "oss_miner.duckdb"
    killed = cli("extract:40", db)
    killed.wait_stopped()
    killed.kill()
    assert not db.exists()  # nothing published yet, and nothing half-published
    again = cli("none", db)
    assert again.finish() == 0, again.log()
    assert_same_marts(db, reference.one_run)
    assert duplicated_keys(db) == {table: 0 for table in duplicated_keys(db)}
    assert rows_per_run(db) == rows_per_run(reference.one_run)


def test_a_run_asked_the_same_resumes_whatever_the_parameters_hold(tmp_path):
    """Run parameters hold tuples (platforms, frameworks, repos), which JSON stores as lists."""
    from oss_miner.pipeline import RunSpec
    from oss_miner.runstate import start_or_resume

    spec = RunSpec(db=str(tmp_path / "x.duckdb"), platforms=("gitee",), repos=("gitee:a/b",))
    first, resumed = start_or_resume(spec.paths, spec.parameters())
    again, resumed_again = start_or_resume(spec.paths, spec.parameters())
    assert (resumed, again, resumed_again) == (False, first, True)
