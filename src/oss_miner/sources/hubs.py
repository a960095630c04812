"""What the model-hub dialects (Hugging Face, ModelScope) share: the walk from a tracked organisation's models
down their derivative trees, its listing modes, landing and resumption.

A hub dialect supplies `_pages(listing, subject)` (the raw pages of one listing, newest first for derivatives),
`_model(item, ...)` (a `models` record plus its `model_bases` records) and `children_order` ("created": the
derivatives listing is newest created first, an incremental listing stops at the first stored derivative;
"modified": newest modified first, it stops at the first derivative last modified before the previous
listing began). Everything goes through the shared transport (`sources/http.py`): retries, the hub's
rate-limit answers and pauses, host pinning of the token, request accounting.

For each tracked organisation (`model_orgs` of the catalogue), one task:
1. lists the organisation's models in full (their downloads and likes are observed per run);
2. walks each vendor model's derivatives, then theirs, breadth first. A node's derivatives are listed
   - in full on the first run and whenever the last full listing is older than `[refresh] reconcile_days`
     (base_model is editable card metadata: it can be added to a model long after it was created);
   - not at all while the hub's count of the node's derivatives equals what is stored (Hugging Face serves
     the count; where a hub does not, a leaf is re-listed only at the reconciliation, and a node with known
     derivatives incrementally);
   - otherwise incrementally, newest first, stopping at the first derivative already stored, then in full when
     the count still disagrees;
   with the node's former ids (an organisation's `formerly` names) listed too: derivatives keep declaring a
   renamed model's old id;
3. fetches the type (user or organisation) of each derivative owner not known for `profile_max_age_days`.

Each listing lands page by page, then a `listings` record (listing `models` or `derivatives`, repo = the
organisation or the parent model) marks it complete; a resumed run replays complete listings from its landing
area and asks an interrupted one again from its first page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oss_miner.config import OrgRef
from oss_miner.landing import Page
from oss_miner.records import empty_record
from oss_miner.sources.base import ExtractContext, PageStore, RequestStats, instance_name
from oss_miner.sources.http import HostPinnedSession, transport_policy

log = logging.getLogger("oss_miner.extract")

RELATIONS = ("finetune", "adapter", "quantized", "merge")


@dataclass
class RawPage:
    """One answer of a listing: its items as the hub sent them, and the total where the hub gives one."""

    status: int
    items: list[dict[str, Any]]
    total: int | None = None
    next: str | None = None


@dataclass
class Node:
    """A model whose derivatives may be listed."""

    model_id: str
    children: int | None  # the hub's count of its derivatives; None where not served
    aliases: list[str] = field(default_factory=list)  # former ids, listed too
    vendor: bool = False


class HubSource:
    """Base of the model-hub sources. Subclasses set `dialect`, `children_order`, the endpoint labels, and
    implement `_pages`, `_model` and `_owner_type`."""

    dialect = ""
    children_order = "created"
    models_endpoint = ""
    children_endpoint = ""
    owner_endpoint = ""

    def __init__(self, ctx: ExtractContext, platform: str | None = None, *, timeout_s: float | None = None):
        self.ctx = ctx
        self.platform = instance_name(ctx, self.dialect, platform)
        self.instance = ctx.catalogue.platforms[self.platform]
        self.stats = RequestStats(self.platform)
        self.store = PageStore(ctx, self.platform, self.stats)
        self.base_url = self.instance.url.rstrip("/")
        # both hubs take a bearer token in the header, never in a URL that would reach landed parameters
        self.session = HostPinnedSession(
            self.base_url, platform=self.platform,
            tokens=[t.get_secret_value() for t in ctx.credentials.for_platform(self.platform)],
            token_header="Authorization", token_prefix="Bearer ", stats=self.stats, redactor=ctx.redactor,
            policy=transport_policy(timeout_s), follow_other_hosts=False,
        )

    @staticmethod
    def check_endpoints(instance: Any) -> None:
        """Nothing the schema has not checked."""

    # -- hooks -------------------------------------------------------------------------------------
    def _pages(self, listing: str, subject: str) -> Iterator[RawPage]:
        raise NotImplementedError

    def _model(self, item: dict[str, Any], *, org: str | None, parent: str | None) -> tuple[dict, list[dict]]:
        raise NotImplementedError

    def _owner_type(self, owner: str) -> str | None:
        """User or Organization, asked of the hub (one request); None when it cannot say."""
        return None

    def probe(self) -> dict[str, Any]:
        """For `oss-miner doctor`: one cheap request; what the hub said about it and its budget."""
        raise NotImplementedError

    # -- the walk ------------------------------------------------------------------------------------
    def fetch_models(self, org: OrgRef) -> Iterator[Page]:
        """The organisation's models, every derivative below them, and the derivatives' owners."""
        vendor: list[dict] = []
        yield from self._listing("models", org.name, None, vendor, org=org.name)
        renamed = {former: org.name for former in org.formerly}
        queue = [Node(r["model_id"], r.get("children"), _aliases(r["model_id"], renamed), vendor=True) for r in vendor]
        seen = {r["model_id"] for r in vendor}
        owners: set[str] = set()
        while queue:
            node = queue.pop(0)
            children: list[dict] = []
            for subject in [node.model_id, *node.aliases]:
                yield from self._children(node, subject, children)
            for record in children:
                if record["model_id"] in seen:
                    continue
                seen.add(record["model_id"])
                if record.get("owner"):
                    owners.add(record["owner"])
                queue.append(Node(record["model_id"], record.get("children")))
        yield from self._owners(sorted(owners - {org.name}), org.name)

    def _children(self, node: Node, subject: str, into: list[dict]) -> Iterator[Page]:
        """The derivatives of one node under one of its ids, in the mode its state calls for."""
        marker = {"repo": subject, "listing": "derivatives"}
        cache, key = self.ctx.cache, f"hub-listing:{self.platform}:{subject}"
        known = cache.hub_items(self.platform, subject)
        state = json.loads(cache.get(key) or "{}")
        landed = self.ctx.landing.get(self.platform, "listings", "listing", marker)
        if landed is not None:  # finished earlier in this run: its pages are landed, or it was unchanged
            self.stats.replayed()
            into += self._replayed("derivatives", subject) if landed.records[0]["mode"] != "unchanged" else \
                list(known.values())
            yield landed
            return
        mode = self._mode(node, subject, known, state)
        fetched: list[dict] = []
        started = self.ctx.now.isoformat()
        if mode == "unchanged":
            fetched = []
        else:
            since = state.get("listed_at")
            stop = None
            if mode == "incremental":
                stop = (lambda r: r["model_id"] in known) if self.children_order == "created" else \
                    (lambda r: since is not None and r.get("last_modified") is not None and r["last_modified"] < since)
            yield from self._listing("derivatives", subject, stop, fetched, parent=subject)
            if mode == "incremental" and node.children is not None and \
                    len(set(known) | {r["model_id"] for r in fetched}) != node.children:
                mode = "full"  # still off: list it all (asked again from its first page)
                fetched = []
                yield from self._listing("derivatives", subject, None, fetched, parent=subject, again=True)
        now_known = {r["model_id"]: r for r in fetched}
        if mode != "unchanged":
            cache.put_hub_items(self.platform, subject, now_known, replace=(mode == "full"))
            total = len(now_known) if mode == "full" else len(set(known) | set(now_known))
            cache.set(key, json.dumps({
                "reported": node.children, "known": total, "listed_at": started,
                "last_full": started if mode == "full" else state.get("last_full")}))
        into += list({**known, **now_known}.values()) if mode != "full" else fetched
        record = empty_record("listings", platform=self.platform, repo=subject, listing="derivatives", mode=mode,
                              items=len(fetched), reported_total=node.children if subject == node.model_id else None)
        yield self.store.land("listings", "listing", marker, [record], repo=subject)

    def _mode(self, node: Node, subject: str, known: dict, state: dict) -> str:
        last_full = state.get("last_full")
        if not state or last_full is None:
            return "full" if (node.children is None or node.children > 0 or subject != node.model_id) else "unchanged"
        if self.ctx.now - datetime.fromisoformat(last_full) > timedelta(days=self.ctx.catalogue.refresh.reconcile_days):
            return "full"
        if node.children is not None and subject == node.model_id:
            return "unchanged" if node.children == state.get("reported") == len(known) else "incremental"
        if node.vendor or known:
            return "incremental"
        return "unchanged"  # a leaf on a hub that does not count derivatives: re-listed at the reconciliation

    def _listing(self, listing: str, subject: str, stop: Any, into: list[dict], *, org: str | None = None,
                 parent: str | None = None, again: bool = False) -> Iterator[Page]:
        """One listing, landed page by page (models and their declared bases); `stop(record)` ends it early
        after the page holding the first record it is true of. A models listing lands its own marker."""
        marker = {"repo": subject, "listing": listing}
        if listing == "models":
            landed = self.ctx.landing.get(self.platform, "listings", "listing", marker)
            if landed is not None:
                self.stats.replayed()
                into += self._replayed(listing, subject)
                yield landed
                return
        endpoint = self.models_endpoint if listing == "models" else self.children_endpoint
        pages = self._pages(listing, subject)
        try:
            index = yield from self._land_pages(pages, listing, subject, endpoint, stop, into, org=org, parent=parent)
        finally:
            pages.close()  # stopped early: the client's request context ends here, not when it is collected
        self._end_of_pages(listing, subject, index)
        if listing == "models":
            record = empty_record("listings", platform=self.platform, repo=subject, listing="models", mode="full",
                                  items=len(into), reported_total=None)
            yield self.store.land("listings", "listing", marker, [record], repo=subject)

    def _land_pages(self, pages: Iterator[RawPage], listing: str, subject: str, endpoint: str, stop: Any,
                    into: list[dict], *, org: str | None, parent: str | None) -> Iterator[Page]:
        """Land each page; returns how many were landed."""
        count = 0
        for raw in pages:
            params = {"listing": listing, "subject": subject, "page": count}
            models, bases = [], []
            for item in raw.items:
                model, declared = self._model(item, org=org, parent=parent)
                if model.get("model_id"):
                    models.append(model)
                    bases += declared
            page = self.store.land("models", endpoint, params, models, repo=subject, status=raw.status)
            based = self.store.land("model_bases", endpoint, params, bases, repo=subject, status=raw.status)
            into += page.records
            count += 1
            yield page
            yield based
            if raw.status != 200:
                self.store.finding(subject, "models", "skipped", f"{listing} of {subject}: HTTP {raw.status}", raw.status)
                return count
            if stop is not None and any(stop(r) for r in models):
                return count
        return count

    def _end_of_pages(self, listing: str, subject: str, pages: int) -> None:
        """Remember how many pages a listing landed in this run (a resumed run replays exactly those)."""
        self.ctx.landing.write_json(f"_hub/{self.platform}/{_safe(listing)}-{_safe(subject)}.json", {"pages": pages})

    def _replayed(self, listing: str, subject: str) -> list[dict]:
        """The records a complete listing of this run landed."""
        count = (self.ctx.landing.read_json(f"_hub/{self.platform}/{_safe(listing)}-{_safe(subject)}.json") or {}).get("pages", 0)
        endpoint = self.models_endpoint if listing == "models" else self.children_endpoint
        records: list[dict] = []
        for index in range(count):
            page = self.ctx.landing.get(self.platform, "models", endpoint,
                                        {"listing": listing, "subject": subject, "page": index})
            records += page.records if page is not None else []
        return records

    # -- owners ----------------------------------------------------------------------------------------
    def _owners(self, owners: list[str], org: str) -> Iterator[Page]:
        """The type of each derivative owner: kept ones landed again without a request, the others asked."""
        max_age = timedelta(days=self.ctx.catalogue.refresh.profile_max_age_days)
        kept, asked = [], []
        for owner in owners:
            held = json.loads(self.ctx.cache.get(f"hub-owner:{self.platform}:{owner}") or "{}")
            if held and self.ctx.now - datetime.fromisoformat(held["at"]) < max_age:
                kept.append(empty_record("model_owners", platform=self.platform, owner=owner, owner_type=held.get("type")))
            else:
                asked.append(owner)
        if kept:
            yield self.store.land("model_owners", "(owner cache)", {"org": org}, kept)
        for owner in asked:
            params = {"owner": owner}
            landed = self.ctx.landing.get(self.platform, "model_owners", self.owner_endpoint, params)
            if landed is not None:
                self.stats.replayed()
                yield landed
                continue
            kind = self._owner_type(owner)
            record = empty_record("model_owners", platform=self.platform, owner=owner, owner_type=kind)
            page = self.store.land("model_owners", self.owner_endpoint, params, [record])
            if kind is not None:
                self.ctx.cache.set(f"hub-owner:{self.platform}:{owner}", json.dumps({"type": kind, "at": page.fetched_at.isoformat()}))
            yield page

    # -- the Source protocol's other methods: hubs have no repositories, stars or profiles -------------
    def fetch_accounts(self, account_ids: list[int]) -> Iterator[Page]:
        return iter(())


def _aliases(model_id: str, renamed: dict[str, str]) -> list[str]:
    """Former ids of a vendor model: its name under each former name of its organisation."""
    owner, _, name = model_id.partition("/")
    return [f"{former}/{name}" for former, now in renamed.items() if now.lower() == owner.lower()]


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def relation_of(value: Any) -> str | None:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    return {"quantization": "quantized", "quantised": "quantized", "adapters": "adapter", "merges": "merge",
            "fine-tune": "finetune", "fine_tune": "finetune"}.get(text, text) if text in (
        *RELATIONS, "quantization", "quantised", "adapters", "merges", "fine-tune", "fine_tune") else None
