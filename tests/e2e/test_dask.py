"""The same `mine` flow with its tasks on a local two-worker Dask cluster (prefect-dask)."""

from __future__ import annotations

import os

import duckdb
from prefect_dask import DaskTaskRunner

from oss_miner.config import load_config
from oss_miner.sandbox.server import SandboxOptions, SandboxServer


def test_mine_runs_on_a_two_worker_dask_cluster(prefect_api, tmp_path):
    from flows.mine import mine

    # the workers are started within the block and inherit the environment that points at the sandbox
    with SandboxServer(SandboxOptions(seed=5, scale=0.05, code_search_limit=None)) as sandbox, sandbox.applied():
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 2, "processes": True,
                                                "dashboard_address": None})
        db = tmp_path / "dask.duckdb"
        result = mine.with_options(task_runner=runner)(db=str(db), sandbox=True, out=None,
                                                       frameworks=["MindSpore", "OneFlow"])
    stats_files = sorted(p.name for p in (tmp_path / "dask.state" / "landing" / result["run_id"] / "_stats").iterdir())
    worker_pids = {name.rsplit("-", 1)[1] for name in stats_files}
    assert str(os.getpid()) not in {pid.removesuffix(".json") for pid in worker_pids}  # extraction ran in the workers
    con = duckdb.connect(str(db), read_only=True)
    try:
        repos = con.execute("SELECT count(*) FROM mart_repository_history").fetchone()[0]
        people = con.execute("SELECT sum(people) FROM mart_contributor_geography WHERE platform = 'all'").fetchone()[0]
    finally:
        con.close()
    tracked = load_config(sandbox=True, environ={}).select(["MindSpore", "OneFlow"]).tracked_repos()
    assert repos == len(tracked) and people > 0
