"""One small sandbox world mined by the pipeline's stages and published, for the brief's tests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest

SEED, SCALE = 7, 0.2
# three frameworks keep the run short: one primary on Gitee with a GitHub mirror, one on GitHub with a Gitee
# mirror, one GitHub-only
FRAMEWORKS = ("MindSpore", "PaddlePaddle", "Jittor")
AS_OF = date(2026, 6, 1)  # the sandbox's clock, fixed so that the run repeats


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    """The published snapshot of one sandbox run (every model built)."""
    from oss_miner import pipeline, runstate
    from oss_miner.sandbox.server import SandboxOptions, SandboxServer

    folder = tmp_path_factory.mktemp("brief-run")
    with SandboxServer(SandboxOptions(seed=SEED, scale=SCALE, as_of=AS_OF)) as server, \
            pytest.MonkeyPatch.context() as env:
        for name, value in {**server.environment(), "OSS_MINER_HASH_KEY": "brief-test"}.items():
            env.setenv(name, value)
        spec = pipeline.RunSpec(db=str(folder / "oss.duckdb"), sandbox=True, frameworks=FRAMEWORKS)
        run_id, _ = runstate.start_or_resume(spec.paths, spec.parameters())
        spec = pipeline.with_run_id(spec, run_id)
        plan = pipeline.plan(spec)
        with ThreadPoolExecutor(4) as pool:
            jobs = [pool.submit(pipeline.extract_repository, spec, task) for task in plan.repos]
            jobs += [pool.submit(pipeline.extract_org, spec, platform, org) for platform, org in plan.orgs]
            jobs += [pool.submit(pipeline.extract_dependents, spec, p, fw, pk) for p, fw, pk in plan.dependents]
            [job.result() for job in jobs]
            [job.result() for job in [pool.submit(pipeline.extract_accounts, spec, p) for p in plan.platforms]]
        pipeline.seal(spec)
        pipeline.load(spec, datetime.now(timezone.utc).isoformat())
        pipeline.build_models(spec)
        pipeline.finish_run(spec, "succeeded")
        runstate.publish(spec.paths)
        runstate.finish(spec.paths)
    return spec.paths.db


@pytest.fixture(scope="session")
def briefed(published, tmp_path_factory):
    """(folder, files) of `oss-miner brief` on the published snapshot."""
    from oss_miner.brief import brief

    out = tmp_path_factory.mktemp("brief")
    return out, brief(published, out)
