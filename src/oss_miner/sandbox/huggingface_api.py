"""The Hugging Face Hub API, the subset oss-miner uses, with the Hub's payload shapes.

`GET /api/models?author=ORG` and `?filter=base_model:ID` (also `base_model:RELATION:ID`), sorted newest created
first (the Hub's sort is descending), paged with `Link: <...&cursor=...>; rel="next"` at PAGE items (the real Hub
pages up to 1,000 a page; the sandbox's small world pages at 100 so that paging happens), `expand[]` accepted
(every field is served); `GET /api/organizations/{name}/overview`, 200 for an organisation and 404 otherwise.
Rate limits (per account and window) are announced in the IETF draft form by the gate (`server.py`).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from oss_miner.sandbox.hub_world import HubModel
from oss_miner.sandbox.protocol import Ctx, Reply

if TYPE_CHECKING:
    from oss_miner.sandbox.server import SandboxState

PAGE = 100
PLATFORM = "huggingface"


def _time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def model_payload(model: HubModel, hubs) -> dict[str, Any]:
    children = [m for m in hubs.models.values() if m.platform == model.platform and model.model_id in m.bases]
    counts = {r: sum(1 for c in children if c.relation == r) for r in ("adapter", "merge", "quantized", "finetune")}
    body = {
        "_id": model.key, "id": model.model_id, "modelId": model.model_id, "author": model.owner,
        "createdAt": _time(model.created_at), "lastModified": _time(model.last_modified),
        "downloads": model.downloads_30d, "downloadsAllTime": model.downloads_all_time, "likes": model.likes,
        "library_name": model.library, "pipeline_tag": model.pipeline_tag, "private": False,
        "gated": False if model.gated == "no" else model.gated,
        "tags": [model.library, model.pipeline_tag, f"license:{model.license}", "synthetic",
                 *(f"base_model:{b}" for b in model.bases), *(f"base_model:{model.relation}:{b}" for b in model.bases)],
        "childrenModelCount": counts,
    }
    if model.bases:
        body["baseModels"] = {"relation": model.relation,
                              "models": [{"_id": _object_id(b), "id": b} for b in model.bases]}
    return body


def _object_id(model_id: str) -> str:
    """A 24-hex id like the hub's, the same in every process (hash() of a str is salted per process)."""
    return hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:24]


class HuggingFaceApi:
    def __init__(self, state: "SandboxState"):
        self.state = state

    @property
    def hubs(self):
        return self.state.world.hubs

    def routes(self) -> list[tuple[str, Any]]:
        return [("/api/models", self.models), ("/api/organizations/{name}/overview", self.organization)]

    def models(self, ctx: Ctx) -> Reply:
        author, wanted = ctx.arg("author"), ctx.request.query_params.getlist("filter")
        if author:
            found = self.hubs.of_org(PLATFORM, author)
        elif wanted and wanted[0].startswith("base_model:"):
            target = wanted[0].removeprefix("base_model:")
            relation, _, rest = target.partition(":")
            base, only = (rest, relation) if rest and relation in ("finetune", "adapter", "quantized", "merge") else (target, None)
            found = [m for m in self.hubs.children(PLATFORM, base) if only is None or m.relation == only]
        else:
            found = sorted((m for m in self.hubs.models.values() if m.platform == PLATFORM),
                           key=lambda m: (m.created_at, m.model_id), reverse=True)
        limit = ctx.int_arg("limit", PAGE, 1, 1000)
        cursor = ctx.arg("cursor")
        try:
            start = int(base64.urlsafe_b64decode((cursor or "MA==").encode()).decode()) if cursor else 0
        except (ValueError, UnicodeDecodeError):
            return Reply({"error": "Invalid cursor"}, status=400)
        page = found[start:start + min(limit, PAGE)]
        headers = {}
        if start + len(page) < len(found) and "limit" not in ctx.request.query_params:
            token = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode()
            headers["Link"] = f'<{ctx.url_with(cursor=token)}>; rel="next"'
        return Reply([model_payload(m, self.hubs) for m in page], headers=headers)

    def organization(self, ctx: Ctx, name: str) -> Reply:
        if self.hubs.owner_types.get((PLATFORM, name)) != "Organization":
            return Reply({"error": f"Organization {name} not found"}, status=404)
        return Reply({"name": name, "fullname": f"{name} (synthetic)", "type": "org",
                      "numModels": len(self.hubs.of_org(PLATFORM, name)), "isVerified": False})
