"""Builds landed runs by hand for the warehouse tests: records go through `Landing.put(Page(...))`
exactly as the sources land them, so the loader and the models see real landing areas."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from oss_miner.config import Catalogue
from oss_miner.landing import Landing, Page
from oss_miner.records import ENTITIES

T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)

CATALOGUE = {
    "platforms": {
        "github": {"url": "https://api.github.com", "graphql_url": "https://api.github.com/graphql", "operator_country": "US"},
        "gitee": {"url": "https://gitee.com/api/v5", "operator_country": "CN"},
        "gitlab": {"url": "https://gitlab.com", "operator_country": "US"},
    },
    "bots": {"patterns": [r"\[bot\]$", r"^ci[-_.]", r"-bot$"]},
    "frameworks": {
        "Paddle": {
            "name": "Paddle", "vendor": "Baidu", "vendor_email_domains": ["baidu.com"],
            "vendor_companies": ["baidu"], "pypi": ["paddlepaddle"], "orgs": ["github:PaddlePaddle"],
            "repos": [
                {"platform": "github", "path": "PaddlePaddle/Paddle", "role": "primary"},
                {"platform": "gitee", "path": "paddlepaddle/Paddle", "role": "mirror"},
            ],
        },
        "Spore": {
            "name": "Spore", "vendor": "Huawei", "vendor_email_domains": ["huawei.com"],
            "vendor_companies": ["huawei"], "pypi": ["spore"],
            "repos": [
                {"platform": "gitee", "path": "spore/spore", "role": "primary"},
                {"platform": "github", "path": "spore-ai/spore", "role": "mirror"},
                {"platform": "gitlab", "path": "mirrors/spore", "role": "mirror"},
            ],
        },
    },
}


def catalogue(**changes: Any) -> Catalogue:
    return Catalogue.model_validate({**CATALOGUE, **changes, "source": "test.toml"})


_keys = itertools.count()


def record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """A record with every column of the entity (like records.empty_record, which cannot take `entity`)."""
    columns = ENTITIES[entity].column_names
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"{entity} has no column(s) {sorted(unknown)}")
    return {name: values.get(name) for name in columns}


@dataclass
class RunBuilder:
    """One run's landing area; `put` lands one page of records of an entity."""

    landing: Landing
    at: datetime

    def put(self, entity: str, platform: str, records: list[dict[str, Any]], *, repo: str | None = None,
            minutes: float = 0, **page: Any) -> None:
        full = [record(entity, {"platform": platform, **({"repo": repo} if "repo" in ENTITIES[entity].column_names else {}), **r})
                for r in records]
        self.landing.put(Page(
            platform=platform, entity=entity, endpoint=page.pop("endpoint", f"/{entity}"),
            params=page.pop("params", {"n": next(_keys)}), records=full, repo=repo,
            fetched_at=self.at + timedelta(minutes=minutes), **page,
        ))

    def listing(self, platform: str, repo: str, listing: str, mode: str, items: int, total: int | None = None) -> None:
        self.put("listings", platform, [{"listing": listing, "mode": mode, "items": items,
                                         "reported_total": items if total is None else total}], repo=repo, minutes=30)

    @property
    def run(self) -> dict[str, Any]:
        return {"run_id": self.landing.run_id, "started_at": self.at, "parameters": {"frameworks": ["all"]}}


def new_run(root: str, run_id: str, day: int = 0) -> RunBuilder:
    return RunBuilder(Landing(root, run_id), T0 + timedelta(days=day))
