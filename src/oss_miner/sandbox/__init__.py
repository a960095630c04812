"""The forge sandbox: a local GitHub, Gitee and GitLab over a deterministic synthetic world.

Never imported by pipeline code; the CLI, the tests and the benchmarks start it:

    from oss_miner.sandbox import SandboxOptions, SandboxServer
    with SandboxServer(SandboxOptions(seed=7, scale=1)) as sandbox:
        github = Github(base_url=sandbox.urls["github"], auth=Auth.Token("t"))
"""

from __future__ import annotations

from typing import Any

__all__ = ["SandboxOptions", "SandboxServer", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `oss_miner.sandbox.model` and friends import without the web stack.
    if name in __all__:
        from oss_miner.sandbox import server

        return getattr(server, name)
    raise AttributeError(f"module 'oss_miner.sandbox' has no attribute {name!r}")
