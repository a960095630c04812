"""The landing area on an fsspec filesystem other than the local disk (as s3://... would be)."""

from __future__ import annotations

import duckdb
import fsspec

from oss_miner.sandbox.server import SandboxOptions, SandboxServer


def test_mine_lands_pages_on_an_fsspec_url(prefect_api, tmp_path):
    from flows.mine import mine

    with SandboxServer(SandboxOptions(seed=5, scale=0.05, code_search_limit=None)) as sandbox, sandbox.applied():
        db = tmp_path / "m.duckdb"
        result = mine(db=str(db), sandbox=True, out=None, frameworks=["Jittor"], landing="memory://oss-miner-landing")
    memory = fsspec.filesystem("memory")
    pages = memory.glob(f"/oss-miner-landing/{result['run_id']}/_pages/*/*.json")
    assert pages and memory.exists(f"/oss-miner-landing/{result['run_id']}/SEALED")
    assert not (tmp_path / "m.state" / "landing").exists()  # nothing went to the local default
    con = duckdb.connect(str(db), read_only=True)
    try:
        loaded = con.execute("SELECT count(*) FROM raw_commits WHERE run_id = ?", [result["run_id"]]).fetchone()[0]
    finally:
        con.close()
    assert loaded == result["loaded"]["commits"] > 0
