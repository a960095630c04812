"""The ModelScope API, the subset oss-miner uses, with the payload shapes of the `modelscope` SDK and the
official MCP server: `PUT /api/v1/models/` (an owner's models, `{"Path", "PageNumber", "PageSize"}` ->
`{"Code": 200, "Data": {"Models": [...], "TotalCount": N}, "Message": "success", "Success": true}`) and
`PUT /api/v1/dolphin/models` (the search: `Criterion`, `SortBy`, `PageNumber`, `PageSize` ->
`{"Data": {"Model": {"Models": [...], "TotalCount": N}}, ...}`). The derivatives criterion (category
`base_model`), `BaseModel`/`BaseModelRelation` and `Organization` in listing items are the sandbox's
assumption (see sources/modelscope.py: not confirmed against the real service). Times are epoch seconds.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from oss_miner.sandbox.hub_world import HubModel
from oss_miner.sandbox.protocol import Ctx, Reply

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState

PLATFORM = "modelscope"
MAX_PAGE = 100


def item(model: HubModel) -> dict[str, Any]:
    owner, _, name = model.model_id.partition("/")
    body = {"Id": int(model.key[:8], 16), "Name": name, "Path": owner, "ChineseName": "", "CreatedBy": owner,
            "Downloads": model.downloads_all_time, "Stars": model.likes, "License": model.license,
            "CreatedTime": int(model.created_at.timestamp()), "LastUpdatedTime": int(model.last_modified.timestamp()),
            "Tasks": [{"Name": model.pipeline_tag}], "Libraries": [model.library], "Tags": ["synthetic"],
            "Organization": {"Name": owner, "FullName": f"{owner} (synthetic)"} if model.owner_type == "Organization" else None}
    if model.bases:
        body["BaseModel"] = list(model.bases)
        body["BaseModelRelation"] = model.relation
    return body


class ModelScopeApi:
    methods = {"/api/v1/models/": ["PUT"], "/api/v1/dolphin/models": ["PUT"]}

    def __init__(self, state: "SandboxState"):
        self.state = state

    @property
    def hubs(self):
        return self.state.world.hubs

    def routes(self) -> list[tuple[str, Any]]:
        return [("/api/v1/models/", self.owner_models), ("/api/v1/dolphin/models", self.search)]

    def _body(self, ctx: Ctx) -> dict | None:
        try:
            body = json.loads(getattr(ctx.request.state, "body", b"") or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _page(self, body: dict, found: list[HubModel]) -> tuple[list[HubModel], int]:
        number = max(1, int(body.get("PageNumber") or 1))
        size = min(MAX_PAGE, max(1, int(body.get("PageSize") or 10)))
        return found[(number - 1) * size:number * size], len(found)

    def owner_models(self, ctx: Ctx) -> Reply:
        body = self._body(ctx)
        if body is None or not body.get("Path"):
            return Reply({"Code": 400, "Message": "invalid request", "Success": False}, status=400)
        page, total = self._page(body, self.hubs.of_org(PLATFORM, str(body["Path"])))
        return Reply({"Code": 200, "Data": {"Models": [item(m) for m in page], "TotalCount": total},
                      "Message": "success", "RequestId": str(uuid.uuid4()), "Success": True})

    def search(self, ctx: Ctx) -> Reply:
        body = self._body(ctx)
        if body is None:
            return Reply({"Code": 400, "Message": "invalid request", "Success": False}, status=400)
        bases = [v for c in body.get("Criterion") or [] if isinstance(c, dict) and c.get("category") == "base_model"
                 for v in c.get("values") or []]
        models = [m for m in self.hubs.models.values() if m.platform == PLATFORM]
        if bases:
            models = [m for m in models if any(b in m.bases for b in bases)]
        key = {"GmtModified": lambda m: m.last_modified, "DownloadsCount": lambda m: m.downloads_all_time,
               "StarsCount": lambda m: m.likes}.get(body.get("SortBy"), lambda m: m.created_at)
        models.sort(key=lambda m: (key(m), m.model_id), reverse=True)
        page, total = self._page(body, models)
        return Reply({"Code": 200, "Data": {"Model": {"Models": [item(m) for m in page], "TotalCount": total}},
                      "Message": "success", "RequestId": str(uuid.uuid4()), "Success": True})
