"""One module per API dialect; everything downstream sees only pages of `records.py` records.

A forge *instance* (`[platforms.NAME]` of the catalogue) names its dialect with `api`; `DIALECTS` is the
only place that maps a dialect to the class that speaks it, and what the dialect can do that others cannot.
Classes are named as import paths so that reading the catalogue does not import PyGithub or python-gitlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Dialect:
    """An API dialect: the source class that speaks it and what it declares about itself."""

    source: str  # "module:Class"
    # endpoints an instance of this dialect must configure besides `url`
    extra_endpoints: tuple[str, ...] = ()
    # it answers nothing useful without a token (others serve public data anonymously, at lower limits)
    needs_token: bool = False
    # it can search code for dependents of a package (GitHub code search); the only such dialect today
    searches_dependents: bool = False
    # "forge" (repositories, people, stars: the forge marts and indices) or "hub" (a model hub: models,
    # derivatives, downloads, likes; kept out of the forge marts, with marts of its own)
    kind: str = "forge"

    def source_class(self) -> Any:
        module, _, name = self.source.partition(":")
        return getattr(import_module(module), name)


DIALECTS: dict[str, Dialect] = {
    "github": Dialect("oss_miner.sources.github:GitHubSource", extra_endpoints=("graphql_url",),
                      needs_token=True, searches_dependents=True),
    "gitee": Dialect("oss_miner.sources.gitee:GiteeSource"),
    "gitlab": Dialect("oss_miner.sources.gitlab:GitLabSource"),
    # model hubs: an organisation's models and the derivatives that declare them as their base model
    "huggingface": Dialect("oss_miner.sources.huggingface:HuggingFaceSource", kind="hub"),
    "modelscope": Dialect("oss_miner.sources.modelscope:ModelScopeSource", kind="hub"),
}
FORGE, HUB = "forge", "hub"
# Not a forge: bare git clones of every tracked repository, and `--repo git:URL` runs.
GIT = "git"
