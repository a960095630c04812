"""One small sandbox world mined by the pipeline's stages and published, for the brief's tests."""

from __future__ import annotations

from datetime import date

import pytest

from warehouse.test_truth import run_stages  # tests/ is on sys.path (the folder above the test packages)

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
        spec = run_stages(pipeline.RunSpec(db=str(folder / "oss.duckdb"), sandbox=True, frameworks=FRAMEWORKS))
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
