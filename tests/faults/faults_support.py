"""What the fault, crash, bad-input, secret and forget tests share: running the pipeline, comparing databases.

`run_stages` runs a whole run in this process through the pipeline's stages in the order the `mine` flow
calls them, on a thread pool like the flow's, but without Prefect: no task retries hide a fault that the
sources' own retries did not survive, and a run costs seconds, not tens of seconds of task bookkeeping.
The crash and secret tests run the real `oss-miner run` instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from oss_miner import pipeline, runstate
from oss_miner.sandbox.server import environment_applied as environment, pipeline_environment  # noqa: F401 (the tests use both)

SEED, SCALE = 7, 0.05
AS_OF = date(2026, 6, 1)  # the sandbox clock of every world these tests build: fixed, so that they repeat
# One hashing key for every database of these tests, so that keyed hashes (emails, person keys) compare.
HASH_KEY = "faults-suite-hash-key-2b7e1516"
SANDBOX_CONFIG = Path(__file__).resolve().parents[2] / "src" / "oss_miner" / "catalogue" / "sandbox.toml"

# Columns that are by nature about the run rather than about the forges: which run saw a row and when.
RUN_COLUMNS = frozenset({"run_id", "observed_at", "run_started_at", "profile_observed_at", "loaded_at"})
# Raw columns that name the sandbox instance (its temporary folder), not the world it serves.
INSTANCE_COLUMNS = frozenset({"html_url", "clone_url"})


def sandbox_environment(urls: dict[str, str], *, github: str = "faults-github-1,faults-github-2",
                        gitee: str = "faults-gitee", gitlab: str = "faults-gitlab") -> dict[str, str]:
    return pipeline_environment(urls, github=github, gitee=gitee, gitlab=gitlab)


def run_stages(db: Path, *, config: Path | None = None, **spec_fields: Any) -> str:
    """One run of the pipeline in this process, as the `mine` flow sequences it; returns the run id."""
    spec = pipeline.RunSpec(db=str(db), config=str(config) if config else None, sandbox=config is None, **spec_fields)
    started_at = datetime.now(timezone.utc).isoformat()
    with runstate.exclusive_run(spec.paths):
        run_id, _ = runstate.start_or_resume(spec.paths, spec.parameters())
        spec = pipeline.with_run_id(spec, run_id)
        try:
            plan = pipeline.plan(spec)
            with ThreadPoolExecutor(max_workers=12) as pool:
                jobs = [pool.submit(pipeline.extract_repository, spec, task) for task in plan.repos]
                jobs += [pool.submit(pipeline.extract_org, spec, platform, org) for platform, org in plan.orgs]
                jobs += [pool.submit(pipeline.extract_dependents, spec, p, fw, pkgs) for p, fw, pkgs in plan.dependents]
                for job in jobs:
                    job.result()
                for job in [pool.submit(pipeline.extract_accounts, spec, p) for p in plan.platforms]:
                    job.result()
            pipeline.seal(spec)
            pipeline.load(spec, started_at)
            pipeline.build_models(spec)
            pipeline.finish_run(spec, "succeeded")
            runstate.publish(spec.paths)
        except BaseException:
            pipeline.finish_run(spec, "failed")
            raise
        runstate.finish(spec.paths)
    return run_id


def copy_database(db: Path, to: Path) -> Path:
    """A copy of a published database with its state folder (a second installation's history)."""
    source, target = runstate.StatePaths.for_db(db), runstate.StatePaths.for_db(to)
    target.db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source.state, target.state, symlinks=True)
    shutil.copyfile(source.db, target.db)
    os.chmod(target.db, 0o444)
    return target.db


# -- comparing databases -------------------------------------------------------------------------

def _value(value: Any) -> Any:
    # DuckDB's parallel sums may differ in the last bits of a double from one build to the next
    return round(value, 9) if isinstance(value, float) else value


def query(db: Path, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
    """One query on a database opened read-only, as an analyst would."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, parameters or []).fetchall()
    finally:
        con.close()


def tables(db: Path, prefix: str) -> list[str]:
    return [t for (t,) in query(db, "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?) ORDER BY 1",
                                [prefix])]


def table_rows(db: Path, prefix: str, leave_out: frozenset[str] = RUN_COLUMNS) -> dict[str, Counter]:
    """Every table whose name starts with `prefix`, as a multiset of rows without the left-out columns."""
    con = duckdb.connect(str(db), read_only=True)
    out: dict[str, Counter] = {}
    try:
        for table in tables(db, prefix):
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]).fetchall()
                if c not in leave_out]
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            rows = con.execute(f'SELECT {select} FROM "{table}"').fetchall()
            out[table] = Counter(repr(tuple(_value(v) for v in row)) for row in rows)
    finally:
        con.close()
    return out


def differences(got: dict[str, Counter], expected: dict[str, Counter]) -> dict[str, Any]:
    """Per table: rows missing and rows extra (a few of each), for an assertion message."""
    out: dict[str, Any] = {}
    for table in sorted(set(got) | set(expected)):
        missing = expected.get(table, Counter()) - got.get(table, Counter())
        extra = got.get(table, Counter()) - expected.get(table, Counter())
        if missing or extra:
            out[table] = {"missing": sum(missing.values()), "extra": sum(extra.values()),
                          "e.g. missing": list(missing)[:2], "e.g. extra": list(extra)[:2]}
    return out


def assert_same_marts(db: Path, reference: Path) -> dict[str, int]:
    """Every mart table holds the same rows as the reference's (run columns left out); returns row counts."""
    got, expected = table_rows(db, "mart_"), table_rows(reference, "mart_")
    assert set(expected) >= {"mart_accounts", "mart_contributor_geography", "mart_platform_dependence"}
    # the model-hub marts are empty where the catalogue tracks no model organisation (the forge sandbox)
    assert all(sum(rows.values()) for table, rows in expected.items() if not table.startswith("mart_model_")), \
        "a reference mart is empty: nothing to compare"
    assert not differences(got, expected), differences(got, expected)
    return {table: sum(rows.values()) for table, rows in expected.items()}


def assert_same_raw(db: Path, reference: Path) -> None:
    """The raw tables too (findings included: a fault that slipped through would leave one)."""
    leave_out = RUN_COLUMNS | INSTANCE_COLUMNS
    got, expected = table_rows(db, "raw_", leave_out), table_rows(reference, "raw_", leave_out)
    assert not differences(got, expected), differences(got, expected)


# Natural keys of the raw tables: within one run no two rows share one. Contributors have none (two
# entries with the same name and email hash are two entries); their count is compared instead.
NATURAL_KEYS = {
    "raw_repositories": ("platform", "repo"),
    "raw_accounts": ("platform", "account_id"),
    "raw_forks": ("platform", "repo", "fork_id"),
    "raw_stargazers": ("platform", "repo", "account_id"),
    "raw_listings": ("platform", "repo", "listing"),
    "raw_releases": ("platform", "repo", "tag_name"),
    "raw_activity": ("platform", "repo", "kind", "state"),
    "raw_org_repos": ("platform", "org", "repo_id"),
    "raw_dependents": ("framework", "package", "file_name", "repo_id"),
    "raw_commits": ("platform", "repo", "sha"),
    "raw_findings": ("platform", "repo", "entity", "kind", "detail"),
}


def duplicated_keys(db: Path) -> dict[str, int]:
    """Per raw table, how many natural keys occur more than once within a run."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table, key in NATURAL_KEYS.items():
            columns = ", ".join(("run_id", *key))
            (n,) = con.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
                               ).fetchone()
            out[table] = n
        return out
    finally:
        con.close()


def rows_per_run(db: Path) -> dict[str, list[int]]:
    """Per raw table, the row count of each run in run order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in tables(db, "raw_"):
            out[table] = [n for _, n in con.execute(
                f"SELECT run_id, count(*) FROM {table} GROUP BY run_id ORDER BY run_id").fetchall()]
        return out
    finally:
        con.close()


def oss_miner(prefect_api: str, variables: dict[str, str | None], *argv: str) -> subprocess.CompletedProcess:
    """`oss-miner ARGV` in a subprocess reporting to the session's Prefect server, with these environment
    `variables` (one set to None is removed from its environment)."""
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **variables}
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run([sys.executable, "-m", "oss_miner.cli", *argv], env=env, capture_output=True, text=True,
                          timeout=900)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
