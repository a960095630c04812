"""The model-hub sources against `responses`: Hugging Face through HfApi on the shared transport (Link cursors,
the IETF RateLimit headers, 5xx without a second retry stack), ModelScope's PUT listings, the derivative walk
(full, unchanged, incremental), aliases of a renamed organisation, owners, resumption."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import responses

from oss_miner.cache import Cache
from oss_miner.config import Catalogue, Credentials
from oss_miner.landing import Landing
from oss_miner.privacy import Hasher, Redactor
from oss_miner.sources.base import ExtractContext
from oss_miner.sources.http import TransportFailed
from oss_miner.sources.huggingface import HuggingFaceSource
from oss_miner.sources.modelscope import ModelScopeSource

HF = "https://hf.example"
MS = "https://ms.example"
CANARY = "hf_canary_token_41"


def make_ctx(tmp_path: Path, run_id: str = "run-1", formerly: list[str] | None = None) -> ExtractContext:
    catalogue = Catalogue.model_validate({
        "platforms": {"github": {"url": "https://gh.example", "graphql_url": "https://gh.example/graphql"},
                      "huggingface": {"url": HF, "token_env": "HF_TOKEN"}, "modelscope": {"url": MS}},
        "frameworks": {"GLM": {"vendor": "Zhipu", "kind": "models",
                               "repos": [{"platform": "github", "path": "zai-org/GLM-4.5"}],
                               "model_orgs": [{"platform": "huggingface", "name": "zai-org", "formerly": formerly or []},
                                              "modelscope:ZhipuAI"]}},
    })
    credentials = Credentials.from_env({"HF_TOKEN": CANARY}, catalogue=catalogue)
    return ExtractContext(catalogue=catalogue, credentials=credentials, landing=Landing(str(tmp_path / "landing"), run_id),
                          cache=Cache(tmp_path / "cache.sqlite"), hasher=Hasher(b"k"),
                          redactor=Redactor(credentials.all_secrets()), state_dir=tmp_path,
                          now=datetime(2026, 3, 1, tzinfo=timezone.utc))


def hf_model(model_id: str, *, base: str | None = None, relation: str = "finetune", children: dict | None = {"finetune": 0, "adapter": 0, "quantized": 0, "merge": 0},
             created: str = "2025-04-29T00:00:00.000Z") -> dict:
    item = {"_id": f"id-{model_id}", "id": model_id, "author": model_id.split("/")[0], "createdAt": created,
            "lastModified": created, "downloads": 10, "downloadsAllTime": 100, "likes": 3, "library_name": "transformers",
            "pipeline_tag": "text-generation", "gated": False, "tags": ["transformers", "license:mit"]}
    if base:
        item["baseModels"] = {"relation": relation, "models": [{"_id": "x", "id": base}]}
    if children is not None:
        item["childrenModelCount"] = children
    return item


LIMIT = {"RateLimit": '"api";r=990;t=200', "RateLimit-Policy": '"fixed window";"api";q=1000;w=300'}


def org_query(request) -> bool:
    return request.params.get("author") == "zai-org"


@responses.activate
def test_huggingface_walks_a_tree_and_pages_with_link_cursors(tmp_path):
    ctx = make_ctx(tmp_path)
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher({"author": "zai-org"}, strict_match=False)],
                  json=[hf_model("zai-org/GLM-4.5", children={"finetune": 3, "quantized": 0, "adapter": 0, "merge": 0})],
                  headers=LIMIT)
    page2 = f"{HF}/api/models?filter=base_model%3Azai-org%2FGLM-4.5&cursor=abc"
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher(
        {"filter": "base_model:zai-org/GLM-4.5"}, strict_match=False)],
        json=[hf_model("alice/glm-ft", base="zai-org/GLM-4.5", children={"quantized": 1}),
              hf_model("acme/glm-chat", base="zai-org/GLM-4.5")],
        headers={**LIMIT, "Link": f'<{page2}>; rel="next"'})
    responses.get(page2, json=[hf_model("bob/glm-x", base="zai-org/GLM-4.5")], headers=LIMIT)
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher(
        {"filter": "base_model:alice/glm-ft"}, strict_match=False)],
        json=[hf_model("carol/glm-ft-GGUF", base="alice/glm-ft", relation="quantized")], headers=LIMIT)
    for owner, status in (("alice", 404), ("acme", 200), ("bob", 404), ("carol", 404)):
        responses.get(f"{HF}/api/organizations/{owner}/overview", json={"name": owner}, status=status, headers=LIMIT)
    source = HuggingFaceSource(ctx, "huggingface")
    org = ctx.catalogue.frameworks["GLM"].model_orgs[0]
    pages = list(source.fetch_models(org))
    models = {r["model_id"]: r for p in pages if p.entity == "models" for r in p.records}
    assert set(models) == {"zai-org/GLM-4.5", "alice/glm-ft", "acme/glm-chat", "bob/glm-x", "carol/glm-ft-GGUF"}
    assert models["zai-org/GLM-4.5"]["listed_by"] == "org" and models["zai-org/GLM-4.5"]["children"] == 3
    assert models["carol/glm-ft-GGUF"]["relation"] == "quantized" and models["carol/glm-ft-GGUF"]["parent"] == "alice/glm-ft"
    assert models["alice/glm-ft"]["license"] == "mit" and models["alice/glm-ft"]["gated"] == "no"
    bases = [(r["model_id"], r["base_model"], r["relation"]) for p in pages if p.entity == "model_bases" for r in p.records]
    assert ("carol/glm-ft-GGUF", "alice/glm-ft", "quantized") in bases
    owners = {r["owner"]: r["owner_type"] for p in pages if p.entity == "model_owners" for r in p.records}
    assert owners == {"alice": "User", "acme": "Organization", "bob": "User", "carol": "User"}
    # the token went to the configured host only, as a bearer token; HfApi itself sent none
    assert all(c.request.headers.get("Authorization") == f"Bearer {CANARY}" for c in responses.calls)
    assert len(responses.calls) == 1 + 2 + 1 + 4  # org, two derivative pages, one grandchild listing, four owners
    assert source.stats.total == 8

    # warm: every count is as stored, owners are kept: the org listing only
    warm = HuggingFaceSource(make_ctx(tmp_path, "run-2"), "huggingface")
    before = len(responses.calls)
    list(warm.fetch_models(org))
    assert len(responses.calls) - before == 1


@responses.activate
def test_huggingface_lists_the_former_ids_of_a_renamed_org(tmp_path):
    ctx = make_ctx(tmp_path, formerly=["THUDM"])
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher({"author": "zai-org"}, strict_match=False)],
                  json=[hf_model("zai-org/glm-4-9b", children={"finetune": 1})])
    for subject, found in (("zai-org/glm-4-9b", []), ("THUDM/glm-4-9b", [hf_model("dan/glm4-ft", base="THUDM/glm-4-9b")])):
        responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher(
            {"filter": f"base_model:{subject}"}, strict_match=False)], json=found)
    responses.get(f"{HF}/api/organizations/dan/overview", status=404, json={})
    source = HuggingFaceSource(ctx, "huggingface")
    pages = list(source.fetch_models(ctx.catalogue.frameworks["GLM"].model_orgs[0]))
    assert {r["model_id"] for p in pages if p.entity == "models" for r in p.records} == {"zai-org/glm-4-9b", "dan/glm4-ft"}


@responses.activate
def test_huggingface_waits_for_a_429_reset_and_raises_on_a_persistent_5xx(tmp_path, monkeypatch):
    slept = []
    monkeypatch.setattr("oss_miner.sources.http.time.sleep", lambda s: slept.append(s))
    ctx = make_ctx(tmp_path)
    responses.get(f"{HF}/api/models", status=429, json={"error": "rate limited"},
                  headers={"RateLimit": '"api";r=0;t=7', "RateLimit-Policy": '"fixed window";"api";q=1000;w=300'})
    responses.get(f"{HF}/api/models", json=[], headers=LIMIT)
    source = HuggingFaceSource(ctx, "huggingface")
    list(source.fetch_models(ctx.catalogue.frameworks["GLM"].model_orgs[0]))
    assert source.stats.rate_limit_waits == 1 and 6 <= slept[0] <= 9

    responses.reset()
    responses.get(f"{HF}/api/models", status=503, json={"error": "down"})
    source = HuggingFaceSource(make_ctx(tmp_path, "run-3"), "huggingface")
    source.session.policy = source.session.policy.__class__(retries=1, backoff_s=0.0)
    with pytest.raises(TransportFailed):
        list(source.fetch_models(ctx.catalogue.frameworks["GLM"].model_orgs[0]))


def ms_item(name: str, owner: str = "ZhipuAI", **over) -> dict:
    return {"Id": 1000 + len(name), "Name": name, "Path": owner, "ChineseName": "", "Downloads": 500, "Stars": 9,
            "CreatedTime": 1735689600, "LastUpdatedTime": 1738368000, "License": "MIT",
            "Tasks": [{"Name": "text-generation"}], **over}


@responses.activate
def test_modelscope_lists_by_put_pages_by_number_and_reads_bases(tmp_path):
    ctx = make_ctx(tmp_path)

    def org_page(request):
        body = json.loads(request.body)
        assert body["Path"] == "ZhipuAI"
        items = [ms_item("GLM-4.5", Organization={"Name": "ZhipuAI"})] if body["PageNumber"] == 1 else []
        return 200, {}, json.dumps({"Code": 200, "Data": {"Models": items, "TotalCount": 1}, "Message": "success",
                                    "Success": True})

    def search(request):
        body = json.loads(request.body)
        base = body["Criterion"][0]["values"][0]
        items = [ms_item("glm-ft", owner="eve", BaseModel=["ZhipuAI/GLM-4.5"], BaseModelRelation="finetune",
                         Organization=None)] if base == "ZhipuAI/GLM-4.5" else []
        return 200, {}, json.dumps({"Code": 200, "Data": {"Model": {"Models": items, "TotalCount": len(items)}},
                                    "Success": True})

    responses.add_callback(responses.PUT, f"{MS}/api/v1/models/", callback=org_page)
    responses.add_callback(responses.PUT, f"{MS}/api/v1/dolphin/models", callback=search)
    source = ModelScopeSource(ctx, "modelscope")
    pages = list(source.fetch_models(ctx.catalogue.frameworks["GLM"].model_orgs[1]))
    models = {r["model_id"]: r for p in pages if p.entity == "models" for r in p.records}
    assert set(models) == {"ZhipuAI/GLM-4.5", "eve/glm-ft"}
    assert models["eve/glm-ft"]["owner_type"] == "User" and models["ZhipuAI/GLM-4.5"]["downloads_30d"] is None
    assert models["ZhipuAI/GLM-4.5"]["downloads_all_time"] == 500
    assert models["ZhipuAI/GLM-4.5"]["created_at"].startswith("2025-01-01")
    assert [(r["base_model"], r["relation"]) for p in pages if p.entity == "model_bases" for r in p.records] == \
        [("ZhipuAI/GLM-4.5", "finetune")]


@responses.activate
def test_a_resumed_run_replays_complete_listings_without_requests(tmp_path):
    ctx = make_ctx(tmp_path)
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher({"author": "zai-org"}, strict_match=False)],
                  json=[hf_model("zai-org/GLM-4.5", children={"finetune": 1})])
    responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher(
        {"filter": "base_model:zai-org/GLM-4.5"}, strict_match=False)], json=[hf_model("alice/glm-ft", base="zai-org/GLM-4.5")])
    responses.get(f"{HF}/api/organizations/alice/overview", status=404, json={})
    org = ctx.catalogue.frameworks["GLM"].model_orgs[0]
    list(HuggingFaceSource(ctx, "huggingface").fetch_models(org))
    calls = len(responses.calls)
    again = HuggingFaceSource(make_ctx(tmp_path, "run-1"), "huggingface")  # the same run, resumed
    pages = list(again.fetch_models(org))
    assert len(responses.calls) == calls
    # the walk went on from the replayed listings: the derivative's owner is there (replayed too)
    assert [r["owner"] for p in pages if p.entity == "model_owners" for r in p.records] == ["alice"]


@responses.activate
def test_the_model_marts_from_landed_hub_pages(tmp_path):
    """Both hubs mined into a database: the tree (depth 2, a renamed base, a merge of two frameworks), the
    adoption mart by month and relation, the hub-dependence mart with families across hubs."""
    from oss_miner import load as loader
    from oss_miner import models as runner

    catalogue = Catalogue.model_validate({
        "platforms": {"github": {"url": "https://gh.example", "graphql_url": "https://gh.example/graphql"},
                      "huggingface": {"url": HF, "operator_country": "US"},
                      "modelscope": {"url": MS, "operator_country": "CN"}},
        "frameworks": {
            "GLM": {"vendor": "Zhipu", "kind": "models", "repos": [{"platform": "github", "path": "zai-org/GLM-4.5"}],
                    "model_orgs": [{"platform": "huggingface", "name": "zai-org", "formerly": ["THUDM"]},
                                   "modelscope:ZhipuAI"]},
            "Qwen": {"vendor": "Alibaba", "kind": "models", "repos": [{"platform": "github", "path": "QwenLM/Qwen3"}],
                     "model_orgs": ["huggingface:Qwen"]}},
    })
    ctx = make_ctx(tmp_path)
    ctx.catalogue = catalogue
    zero = {"finetune": 0}
    listings = {
        ("author", "zai-org"): [hf_model("zai-org/GLM-4.5", children={"finetune": 2}, created="2025-07-01T00:00:00Z")],
        ("author", "Qwen"): [hf_model("Qwen/Qwen3-8B", children={"merge": 1}, created="2025-04-29T00:00:00Z")],
        ("filter", "base_model:zai-org/GLM-4.5"): [
            hf_model("alice/glm-ft", base="zai-org/GLM-4.5", children={"quantized": 1}, created="2025-08-02T00:00:00Z")],
        ("filter", "base_model:THUDM/GLM-4.5"): [
            hf_model("acme/glm-old", base="THUDM/GLM-4.5", children=zero, created="2025-08-03T00:00:00Z")],
        ("filter", "base_model:alice/glm-ft"): [
            hf_model("carol/glm-ft-GGUF", base="alice/glm-ft", relation="quantized", children=zero,
                     created="2025-09-01T00:00:00Z")],
        ("filter", "base_model:Qwen/Qwen3-8B"): [
            {**hf_model("mixer/glm-qwen-merge", children=zero, created="2025-09-05T00:00:00Z"),
             "baseModels": {"relation": "merge", "models": [{"id": "Qwen/Qwen3-8B"}, {"id": "alice/glm-ft"}]}}],
    }
    for (key, value), items in listings.items():
        responses.get(f"{HF}/api/models", match=[responses.matchers.query_param_matcher({key: value}, strict_match=False)],
                      json=items, headers=LIMIT)
    for owner, status in (("alice", 404), ("acme", 200), ("carol", 404), ("mixer", 404)):
        responses.get(f"{HF}/api/organizations/{owner}/overview", json={}, status=status)
    responses.add_callback(responses.PUT, f"{MS}/api/v1/models/", callback=lambda r: (200, {}, json.dumps(
        {"Code": 200, "Success": True, "Data": {"TotalCount": 1, "Models": [
            ms_item("glm_4.5", CreatedTime=1751241600, Organization={"Name": "ZhipuAI"})]}})))
    responses.add_callback(responses.PUT, f"{MS}/api/v1/dolphin/models", callback=lambda r: (200, {}, json.dumps(
        {"Success": True, "Data": {"Model": {"TotalCount": 0, "Models": []}}})))
    hf, ms = HuggingFaceSource(ctx, "huggingface"), ModelScopeSource(ctx, "modelscope")
    for fw in catalogue.frameworks.values():
        for org in fw.model_orgs:
            list((hf if org.platform == "huggingface" else ms).fetch_models(org))
    con = loader.connect(tmp_path / "db.duckdb")
    loader.load_run(con, ctx.landing, catalogue, {"run_id": "run-1"})
    runner.run_models(con)
    tree = {(f, m): (role, depth, several) for f, m, role, depth, several in con.execute(
        "SELECT framework, model_id, role, depth, in_several_frameworks FROM int_model_tree WHERE platform = 'huggingface'").fetchall()}
    assert tree[("GLM", "carol/glm-ft-GGUF")] == ("derivative", 2, False)
    assert tree[("GLM", "acme/glm-old")] == ("derivative", 1, False)  # declared under THUDM, the former name
    assert tree[("GLM", "mixer/glm-qwen-merge")][2] and tree[("Qwen", "mixer/glm-qwen-merge")][2]
    rows = con.execute("SELECT month, new_vendor_models, new_derivatives, new_quantized, derivative_owners, "
                       "new_adopter_organisations FROM mart_model_adoption WHERE framework = 'GLM' AND "
                       "platform = 'huggingface' ORDER BY month").fetchall()
    assert [(str(r[0])[:7], *r[1:]) for r in rows] == [
        ("2025-07", 1, 0, 0, 0, 0), ("2025-08", 0, 2, 0, 2, 1), ("2025-09", 0, 2, 1, 2, 0)]
    dep = con.execute("SELECT vendor_models, vendor_models_foreign_share, families, families_on_several_hubs, "
                      "first_hub, derivatives FROM mart_model_platform_dependence WHERE framework = 'GLM'").fetchone()
    assert dep == (2, 0.5, 1, 1, "modelscope", 4)
    assert con.execute("SELECT count(*) FROM mart_platform_presence WHERE platform IN ('huggingface', 'modelscope')").fetchone() == (0,)
