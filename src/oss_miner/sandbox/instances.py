"""Forge instances beyond the three default ones, each served by the sandbox from a world of its own.

The sandbox world is made of the instances named after their dialect (`github`, `gitee`, `gitlab`). Any other
instance of the catalogue (`[platforms.jihu]` with api = "gitlab", say) gets a synthetic world of its own,
built from the catalogue's repositories and orgs on it (there its projects are primaries: a copy elsewhere
shares no history with them), with its own seed, and is mounted under `/<NAME>`: its URLs are the dialect's
sandbox URLs below that prefix, listed under its NAME.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oss_miner.config import Catalogue, Framework, url_env

if TYPE_CHECKING:
    from oss_miner.sandbox.model import World


def extra_instances(catalogue: Catalogue) -> list[str]:
    return [name for name, instance in catalogue.platforms.items() if name != instance.api]


def main_catalogue(catalogue: Catalogue) -> Catalogue:
    """The catalogue the sandbox world mirrors: without the extra instances' repositories and orgs."""
    extra = set(extra_instances(catalogue))
    frameworks = {name: _on(fw, lambda platform: platform not in extra) for name, fw in catalogue.frameworks.items()}
    return catalogue.model_copy(update={
        "platforms": {name: i for name, i in catalogue.platforms.items() if name not in extra},
        "frameworks": {name: fw for name, fw in frameworks.items() if any(r.role == "primary" for r in fw.repos)}})


def instance_catalogue(catalogue: Catalogue, name: str) -> Catalogue:
    """The catalogue an extra instance's own world is built from: its repositories as primaries of the dialect."""
    api = catalogue.platforms[name].api
    frameworks = {}
    for key, fw in catalogue.frameworks.items():
        own = _on(fw, lambda platform: platform == name)
        if own.repos:
            frameworks[key] = own.model_copy(update={
                "pypi": [],  # dependents are searched on GitHub, not here
                "repos": [r.model_copy(update={"platform": api, "role": "primary"}) for r in own.repos],
                "orgs": [o.model_copy(update={"platform": api}) for o in own.orgs]})
    return catalogue.model_copy(update={
        "platforms": {api: catalogue.platforms[name].model_copy(update={"name": api})}, "frameworks": frameworks})


def _on(fw: Framework, keep: Callable[[str], bool]) -> Framework:
    return fw.model_copy(update={"repos": [r for r in fw.repos if keep(r.platform)],
                                 "orgs": [o for o in fw.orgs if keep(o.platform)]})


def instance_seed(seed: int, name: str) -> int:
    """Another world than the main one's, the same for every run of the same seed."""
    return seed + 1 + zlib.crc32(name.encode()) % 10_007


def instance_worlds(seed: int, scale: float, catalogue: Catalogue, root: Path, as_of: date) -> dict[str, "World"]:
    """A world of its own for each extra instance, by NAME, in root/NAME, on the main world's clock."""
    from oss_miner.sandbox.world import build_world

    return {name: build_world(instance_seed(seed, name), scale, instance_catalogue(catalogue, name), root / name,
                              as_of=as_of)
            for name in extra_instances(catalogue)}


def instance_urls(base_urls: Callable[[str], dict[str, str]], base: str, apis: dict[str, str]) -> dict[str, str]:
    """Each extra instance's URL (and NAME_graphql for a GitHub) below its prefix."""
    urls = {}
    for name, api in apis.items():
        own = base_urls(f"{base}/{name}")
        urls[name] = own[api]
        if f"{api}_graphql" in own:
            urls[f"{name}_graphql"] = own[f"{api}_graphql"]
    return urls


def instance_environment(urls: dict[str, str], names: list[str]) -> dict[str, str]:
    """OSS_MINER_<NAME>_URL (and _GRAPHQL_URL) and a token of its own for each extra instance."""
    env = {}
    for name in names:
        env[url_env(name)] = urls[name]
        if f"{name}_graphql" in urls:
            env[url_env(name, "graphql_url")] = urls[f"{name}_graphql"]
        env[f"{name.upper()}_TOKEN"] = f"sandbox-{name}"
    return env


class Mounted:
    """ASGI: requests below /<NAME>/ go to that instance's app (prefix moved to root_path), the rest to the main."""

    def __init__(self, main: Any, instances: dict[str, Any]):
        self.main = main
        self.instances = instances

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            for name, app in self.instances.items():
                prefix = f"/{name}"
                if scope["path"].startswith(prefix + "/"):
                    raw = scope.get("raw_path") or scope["path"].encode()
                    scope = {**scope, "path": scope["path"][len(prefix):], "raw_path": raw[len(prefix):],
                             "root_path": scope.get("root_path", "") + prefix}
                    await app(scope, receive, send)
                    return
        await self.main(scope, receive, send)
