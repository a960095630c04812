"""Hugging Face (huggingface.co, or any server speaking its Hub API): models of tracked organisations and their
derivative trees, through `huggingface_hub.HfApi(endpoint=...)`.

`HfApi` builds the requests (`list_models(author=..., filter="base_model:ORG/NAME", sort="created_at",
expand=[...])`: sort is descending, newest first) and parses the answers (`ModelInfo`); its HTTP goes through
the project's one transport: a `huggingface_hub.set_client_factory` client whose httpx transport hands every
request to this instance's `HostPinnedSession` (retries with backoff, rate limits, the token sent only to
the configured host, request accounting). So there is no second retry stack: the session answers only after
its own retries and waits, and raises `TransportFailed` on a 5xx that survived them, which `http_backoff`
does not retry. `HfApi` is given `token=False`: it never reads HF_TOKEN or a cached login itself; the
session attaches the instance's token (`token_env`, default `HF_TOKEN`, optional: the Hub serves public
models anonymously, with a lower budget).

What the Hub returns, and what follows from it:
- lists page with `Link: <...cursor=...>; rel="next"`; `HfApi` follows them, and the transport hands each
  page to the source, which lands it before the next one is asked (stopping early asks no further page);
- `expand[]=` chooses the fields: `createdAt`, `lastModified`, `downloads` (last 30 days), `downloadsAllTime`,
  `likes`, `library_name`, `pipeline_tag`, `gated` (false, "auto" or "manual"), `tags` (the licence is the
  `license:` tag), `baseModels` (`{"relation": ..., "models": [{"id": ...}]}`: the immediate parents only) and
  `childrenModelCount` (`{"finetune": N, "adapter": N, "quantized": N, "merge": N}`: immediate children);
- `filter=base_model:ORG/NAME` lists the derivatives of every relation (the Hub tags each model
  `base_model:ID` and `base_model:RELATION:ID` from its card); a renamed model's derivatives may still
  declare its old id, so those are listed too (an organisation's `formerly` names);
- a model payload does not say whether its author is a user or an organisation: `GET
  /api/organizations/{name}/overview` answers 200 for an organisation and 404 otherwise (one request per
  owner, kept for `profile_max_age_days`);
- limits are counted per 5-minute window (1,000 API requests for a free account, 500 anonymous) and
  announced in the IETF draft form (`RateLimit: "api";r=REMAINING;t=SECONDS`, `RateLimit-Policy: "fixed
  window";"api";q=1000;w=300`); the transport pauses at r=0 and on a 429 until its reset.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
from huggingface_hub import HfApi, ModelInfo, set_client_factory
from huggingface_hub.errors import HfHubHTTPError

from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext, parse_link_header
from oss_miner.sources.http import (
    HostPinnedSession, TransportFailed, as_int, as_str, ietf_ratelimit, origin, strip_credential_params,
)
from oss_miner.sources.hubs import HubSource, RawPage, relation_of

EXPAND = ["author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "library_name",
          "pipeline_tag", "gated", "tags", "baseModels", "childrenModelCount"]
_HOP_HEADERS = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding", "authorization"}


class _SessionTransport(httpx2.BaseTransport):
    """The httpx transport of huggingface_hub's shared client: each request goes to the HostPinnedSession
    registered for its origin (one per Hugging Face instance of the catalogue); others go out unchanged."""

    def __init__(self) -> None:
        self.sessions: dict[tuple, HostPinnedSession] = {}
        self.local = threading.local()
        self.fallback = httpx2.HTTPTransport()
        self.lock = threading.Lock()

    def register(self, session: HostPinnedSession) -> None:
        with self.lock:
            self.sessions[session.pinned] = session

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self.sessions.get(origin(str(request.url)))
        if session is None:
            return self.fallback.handle_request(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        body = request.read() or None
        response = session.request(request.method, str(request.url), headers=headers, data=body)
        if response.status_code >= 500:  # the session retried it already: no second retry stack above it
            raise TransportFailed(session.redactor(
                f"{session.platform}: {request.method} {strip_credential_params(str(request.url))} kept answering "
                f"HTTP {response.status_code}; re-run to resume"))
        session.stats.budget(_remaining(response.headers))
        answers = getattr(self.local, "answers", None)
        if answers is not None:
            answers.append(response)
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length",
                                                                                  "transfer-encoding")]
        return httpx2.Response(response.status_code, headers=kept, content=response.content, request=request)

    @contextmanager
    def capturing(self) -> Iterator[list]:
        """Within the block, every answer this thread receives is appended to the list yielded."""
        answers: list = []
        self.local.answers = answers
        try:
            yield answers
        finally:
            self.local.answers = None


_TRANSPORT = _SessionTransport()
_FACTORY_LOCK = threading.Lock()
_factory_set = False


def _client() -> httpx2.Client:
    return httpx2.Client(transport=_TRANSPORT, follow_redirects=True, timeout=None)


def _install_factory() -> None:
    global _factory_set
    with _FACTORY_LOCK:
        if not _factory_set:
            set_client_factory(_client)
            _factory_set = True


def _remaining(headers: Any) -> int | None:
    ietf = ietf_ratelimit(headers)
    return ietf[0] if ietf else None


class HuggingFaceSource(HubSource):
    dialect = "huggingface"
    children_order = "created"
    models_endpoint = "/api/models?author"
    children_endpoint = "/api/models?filter=base_model"
    owner_endpoint = "/api/organizations/{name}/overview"

    def __init__(self, ctx: ExtractContext, platform: str | None = None, *, timeout_s: float | None = None):
        super().__init__(ctx, platform, timeout_s=timeout_s)
        _install_factory()
        _TRANSPORT.register(self.session)
        self.api = HfApi(endpoint=self.base_url, token=False, library_name="oss-miner")

    # -- pages -------------------------------------------------------------------------------------
    def _pages(self, listing: str, subject: str) -> Iterator[RawPage]:
        query: dict[str, Any] = {"author": subject} if listing == "models" else {"filter": f"base_model:{subject}"}
        label = self.models_endpoint if listing == "models" else self.children_endpoint
        with self.session.endpoint(label), _TRANSPORT.capturing() as answers:
            seen = 0
            for _ in self.api.list_models(sort="created_at", expand=EXPAND, **query):
                if len(answers) > seen:  # the first item of a new page: its answer has just arrived
                    seen = len(answers)
                    yield _raw(answers[-1])
            if len(answers) > seen:  # a page without items (an empty listing)
                yield _raw(answers[-1])

    def _model(self, item: dict[str, Any], *, org: str | None, parent: str | None) -> tuple[dict, list[dict]]:
        info = ModelInfo(**{**item, "siblings": item.get("siblings")})
        model_id = as_str(info.id, 300)
        bases_field = info.base_models if isinstance(info.base_models, dict) else {}
        relation = relation_of(bases_field.get("relation"))
        declared = [as_str(m.get("id"), 300) for m in bases_field.get("models") or [] if isinstance(m, dict)]
        counts = info.children_model_count
        children = sum(v for v in counts.values() if isinstance(v, int)) if isinstance(counts, dict) else None
        gated = info.gated
        record = empty_record(
            "models", platform=self.platform, model_id=model_id, model_key=as_str(item.get("_id"), 64),
            owner=(as_str(info.author, 200) or (model_id or "").partition("/")[0] or None),
            listed_by="org" if org else "derivative", org=org, parent=parent,
            created_at=info.created_at.isoformat() if info.created_at else None,
            last_modified=info.last_modified.isoformat() if info.last_modified else None,
            downloads_30d=as_int(item.get("downloads")), downloads_all_time=as_int(item.get("downloadsAllTime")),
            likes=as_int(item.get("likes")), library=as_str(info.library_name, 100),
            pipeline_tag=as_str(info.pipeline_tag, 100), license=_license(info.tags),
            gated=None if gated is None else ("no" if gated is False else as_str(gated, 20)),
            relation=relation if declared else None, children=children,
        )
        bases = [empty_record("model_bases", platform=self.platform, model_id=model_id, base_model=base,
                              relation=relation) for base in declared if base]
        return record, bases

    def _owner_type(self, owner: str) -> str | None:
        with self.session.endpoint(self.owner_endpoint):
            try:
                self.api.get_organization_overview(owner)
            except HfHubHTTPError as exc:
                status = exc.response.status_code if exc.response is not None else None
                return "User" if status == 404 else None
        return "Organization"

    def probe(self) -> dict[str, Any]:
        """For `oss-miner doctor`: one request (`GET /api/models?limit=1`), its status and the budget the
        answer announces (RateLimit, IETF draft form); None where not reported."""
        with self.session.endpoint("/api/models (probe)"):
            response = self.session.get(f"{self.base_url}/api/models", params={"limit": 1})
        ietf = ietf_ratelimit(response.headers)
        policy = response.headers.get("RateLimit-Policy")
        return {"platform": self.platform, "status": response.status_code,
                "remaining": ietf[0] if ietf else None, "reset_in_s": ietf[1] if ietf else None,
                "policy": policy, "authenticated": bool(self.session.pool.tokens[0].value)}


def _raw(response: Any) -> RawPage:
    data = response.json() if response.status_code == 200 and response.content else []
    link = parse_link_header(response.headers.get("Link")).get("next")
    return RawPage(response.status_code, [i for i in data if isinstance(i, dict)] if isinstance(data, list) else [],
                   None, link)


def _license(tags: Any) -> str | None:
    for tag in tags or []:
        if isinstance(tag, str) and tag.startswith("license:"):
            return tag.partition(":")[2][:100] or None
    return None
