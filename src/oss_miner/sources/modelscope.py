"""ModelScope (modelscope.cn, Alibaba; or any server speaking its API): models of tracked organisations and their
derivatives, through requests on the project's one transport (`HostPinnedSession`: retries, rate limits,
the token only to the configured host). The token (`token_env`, default `MODELSCOPE_TOKEN`) is optional.

What is confirmed (the `modelscope` SDK's `HubApi.list_models` and ModelInfo, and the official
modelscope-mcp-server's model search), and what follows from it:
- an organisation's models: `PUT /api/v1/models/` with the JSON body `{"Path": ORG, "PageNumber": N,
  "PageSize": 100}`, answered `{"Code": 200, "Data": {"Models": [...], "TotalCount": N}, "Message": ...,
  "Success": true}`; pages by number, with the total;
- a search over every model: `PUT /api/v1/dolphin/models` with `{"Name": "", "Criterion": [{"category": ...,
  "predicate": "contains", "values": [...], "sub_values": []}], "SingleCriterion": [], "SortBy": "Default" |
  "DownloadsCount" | "StarsCount" | "GmtModified", "PageNumber": N, "PageSize": N}`, answered with the models
  in `Data.Model.Models`;
- a model item: `Name`, `Path` (its owner), `ChineseName`, `Id`, `Downloads`, `Stars` (likes), `CreatedTime`
  and `LastUpdatedTime` (seconds since the epoch, or ISO text), `License`, `Tasks` ([{"Name": ...}]), `Tags`,
  `CreatedBy`, `Organization` (in model details).
Not confirmed (no public document or recorded answer found; the sandbox serves them as assumed here, and
`oss-miner doctor` should probe them): the derivatives search's criterion (category `base_model`, values =
the base model's id), whether the listing serves the declared base models (`BaseModel`, a list of ids, and
`BaseModelRelation`), whether `Organization` comes with listing items (an owner whose type is not served
stays NULL: no request is made for it), a downloads window (ModelScope's `Downloads` is taken as the
all-time count; the 30-day figure stays NULL), a maximum page size, and the rate-limit answer (a 429 with
`Retry-After` is assumed, as on the other hubs). ModelScope serves no derivative count: leaves are listed
again only at the reconciliation (see `sources/hubs.py`). Derivatives come newest modified first (`SortBy
GmtModified`), so an incremental listing stops at the first derivative modified before the previous listing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from oss_miner.records import empty_record
from oss_miner.sources.http import as_dict, as_int, as_str
from oss_miner.sources.hubs import HubSource, RawPage, relation_of

PAGE_SIZE = 100


class ModelScopeSource(HubSource):
    dialect = "modelscope"
    children_order = "modified"
    models_endpoint = "/api/v1/models/"
    children_endpoint = "/api/v1/dolphin/models"
    owner_endpoint = "(payload)"

    def _put(self, endpoint: str, body: dict[str, Any]) -> Any:
        with self.session.endpoint(endpoint):
            response = self.session.put(self.base_url + endpoint, data=json.dumps(body),
                                        headers={"Content-Type": "application/json", "Accept": "application/json"})
        return response

    def _pages(self, listing: str, subject: str) -> Iterator[RawPage]:
        number = 1
        while True:
            if listing == "models":
                body = {"Path": subject, "PageNumber": number, "PageSize": PAGE_SIZE}
                response = self._put(self.models_endpoint, body)
            else:
                body = {"Name": "", "Criterion": [{"category": "base_model", "predicate": "contains",
                                                   "values": [subject], "sub_values": []}],
                        "SingleCriterion": [], "SortBy": "GmtModified", "PageNumber": number, "PageSize": PAGE_SIZE}
                response = self._put(self.children_endpoint, body)
            if response.status_code != 200:
                yield RawPage(response.status_code, [])
                return
            data = as_dict(as_dict(response.json() if response.content else {}).get("Data"))
            block = as_dict(data.get("Model")) if listing != "models" else data
            items = [i for i in block.get("Models") or [] if isinstance(i, dict)]
            total = as_int(block.get("TotalCount"))
            yield RawPage(200, items, total)
            if not items or (total is not None and number * PAGE_SIZE >= total) or \
                    (total is None and len(items) < PAGE_SIZE):
                return
            number += 1

    def _model(self, item: dict[str, Any], *, org: str | None, parent: str | None) -> tuple[dict, list[dict]]:
        owner, name = as_str(item.get("Path"), 200), as_str(item.get("Name"), 200)
        model_id = f"{owner}/{name}" if owner and name else None
        declared = item.get("BaseModel")
        declared = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
        declared = [as_str(b, 300) for b in declared if as_str(b, 300)]
        relation = relation_of(item.get("BaseModelRelation")) if declared else None
        organisation = item.get("Organization")
        owner_type = "Organization" if isinstance(organisation, dict) and organisation else \
            ("User" if "Organization" in item and organisation is None else None)
        tasks = item.get("Tasks")
        task = as_str(as_dict(tasks[0]).get("Name"), 100) if isinstance(tasks, list) and tasks else None
        libraries = item.get("Libraries") or item.get("Frameworks")
        record = empty_record(
            "models", platform=self.platform, model_id=model_id, model_key=as_str(item.get("Id"), 64), owner=owner,
            listed_by="org" if org else "derivative", org=org, parent=parent,
            created_at=_time(item.get("CreatedTime")), last_modified=_time(item.get("LastUpdatedTime")),
            downloads_30d=None, downloads_all_time=as_int(item.get("Downloads")), likes=as_int(item.get("Stars")),
            library=as_str(libraries[0], 100) if isinstance(libraries, list) and libraries else None,
            pipeline_tag=task, license=as_str(item.get("License"), 100) or None, gated=None,
            relation=relation, children=None,
        )
        record["owner_type"] = owner_type
        bases = [empty_record("model_bases", platform=self.platform, model_id=model_id, base_model=b,
                              relation=relation) for b in declared]
        return record, bases

    def _owners(self, owners: list[str], org: str):  # type: ignore[override]
        """Nothing to ask: an owner's type comes with the model payload where ModelScope serves it
        (`models.owner_type`), and no owner endpoint is known."""
        return iter(())

    def probe(self) -> dict[str, Any]:
        """For `oss-miner doctor`: one request (a one-model page of the organisation `modelscope`'s listing), its
        status, whether the envelope reads as documented, and the budget (ModelScope announces none)."""
        response = self._put(self.models_endpoint, {"Path": "modelscope", "PageNumber": 1, "PageSize": 1})
        body = response.json() if response.status_code == 200 and response.content else {}
        return {"platform": self.platform, "status": response.status_code,
                "ok": isinstance(body, dict) and body.get("Success") is not False and "Data" in body,
                "remaining": None, "reset_in_s": None, "policy": None,
                "authenticated": bool(self.session.pool.tokens[0].value)}


def _time(value: Any) -> str | None:
    """ModelScope times: seconds since the epoch (an int or digits), or ISO 8601 text."""
    number = as_int(value)
    if number is not None:
        return datetime.fromtimestamp(number, timezone.utc).isoformat()
    text = as_str(value, 40)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None
