"""The landing area: every fetched page, written atomically before anything is loaded.

Layout under the landing root (a local folder or any fsspec URL, e.g. s3://bucket/landing):

    <run_id>/run.json                           what the run was asked to do
    <run_id>/<entity>/<platform>/<key>.jsonl    the page's records, one JSON object a line
    <run_id>/_pages/<platform>/<key>.json       the page's fetch metadata; written last, so its
                                                presence means the page is complete
    <run_id>/_stats/<name>.json                 request accounting of one extraction task
    <run_id>/SEALED                             extraction finished; the run can be loaded

A page's key is a hash of (platform, entity, endpoint, params), so a run that dies and resumes finds
the pages it already has and does not fetch them again. Records carry `run_id` and `observed_at`.
Nothing personal or secret reaches this module: records are already reduced (see records.py) and
params never hold tokens. A landing area built with `keep` (the pipeline passes the forget list's)
drops the records it refuses from every page before writing it, and from the page object too, so that
neither the landed files nor whatever the caller does next with the page (caches, listings) hold them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import fsspec

from oss_miner.records import ENTITIES
from oss_miner.runstate import RUN_ID


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a landed page")


@dataclass
class Page:
    """One page of records of one entity kind, as fetched (or replayed from the HTTP cache)."""

    platform: str
    entity: str
    endpoint: str  # the endpoint template, e.g. /repos/{owner}/{repo}/forks
    params: dict[str, Any]  # what identifies the request: path values, page/cursor, filters
    records: list[dict[str, Any]]
    repo: str | None = None
    etag: str | None = None
    next: str | None = None  # cursor or URL of the following page; None on the last page
    status: int = 200  # 304 when the records were replayed from the cache
    fetched_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        if self.entity not in ENTITIES:
            raise ValueError(f"unknown entity {self.entity!r}")

    @property
    def key(self) -> str:
        return page_key(self.platform, self.entity, self.endpoint, self.params)

    def meta(self) -> dict[str, Any]:
        return {
            "platform": self.platform, "entity": self.entity, "endpoint": self.endpoint,
            "params": self.params, "repo": self.repo, "etag": self.etag, "next": self.next,
            "status": self.status, "fetched_at": self.fetched_at.isoformat(), "records": len(self.records),
        }


def _jsonl(records: list[dict[str, Any]], stamp: dict[str, str]) -> str:
    return "\n".join(json.dumps({**record, **stamp}, default=_json_default, ensure_ascii=False) for record in records)


def _valid_text(value: Any) -> Any:
    """The value with every lone UTF-16 surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    return value


def page_key(platform: str, entity: str, endpoint: str, params: dict[str, Any]) -> str:
    canonical = json.dumps([platform, entity, endpoint, params], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def landed_runs(root: str) -> list[str]:
    """The names of the folders under the landing root (one per run that landed pages), sorted."""
    fs, base = fsspec.core.url_to_fs(root.rstrip("/"))
    if not fs.exists(base):
        return []
    return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(base, detail=False) if fs.isdir(p))


def prune_runs(root: str, keep: int) -> list[str]:
    """Remove the landed pages of every run but the newest `keep`; returns the run ids removed. Folders that
    are not runs (not named by runstate.new_run_id) are left alone."""
    runs = [name for name in landed_runs(root) if RUN_ID.match(name)]
    removed = runs[:max(len(runs) - keep, 0)]
    for run_id in removed:
        Landing(root, run_id).remove()
    return removed


class Landing:
    """The landing area of one run."""

    def __init__(self, root: str, run_id: str, keep: Callable[[str, str, dict[str, Any]], bool] | None = None):
        self.root = root.rstrip("/")
        self.run_id = run_id
        self.keep = keep  # keep(platform, entity, record): False drops the record before it is landed
        self.fs, self.base = fsspec.core.url_to_fs(f"{self.root}/{run_id}")

    # -- paths -------------------------------------------------------------------------------
    def _records_path(self, platform: str, entity: str, key: str) -> str:
        return f"{self.base}/{entity}/{platform}/{key}.jsonl"

    def _meta_path(self, platform: str, key: str) -> str:
        return f"{self.base}/_pages/{platform}/{key}.json"

    def _write_atomic(self, path: str, data: bytes) -> None:
        parent = path.rsplit("/", 1)[0]
        self.fs.makedirs(parent, exist_ok=True)
        tmp = f"{parent}/.tmp-{uuid.uuid4().hex}"
        with self.fs.open(tmp, "wb") as handle:
            handle.write(data)
        self.fs.mv(tmp, path)

    # -- pages -------------------------------------------------------------------------------
    def put(self, page: Page) -> None:
        """Write the page's records, then its metadata (the commit marker)."""
        if self.keep is not None:
            page.records[:] = [r for r in page.records if self.keep(page.platform, page.entity, r)]
        stamp = {"run_id": self.run_id, "observed_at": page.fetched_at.isoformat()}
        try:
            body = _jsonl(page.records, stamp).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: "\ud800" is valid JSON but not text; it becomes U+FFFD
            page.records[:] = [_valid_text(record) for record in page.records]
            body = _jsonl(page.records, stamp).encode("utf-8")
        self._write_atomic(self._records_path(page.platform, page.entity, page.key), body + (b"\n" if body else b""))
        self._write_atomic(self._meta_path(page.platform, page.key), json.dumps(page.meta()).encode("utf-8"))

    def get(self, platform: str, entity: str, endpoint: str, params: dict[str, Any]) -> Page | None:
        """The page if this run already landed it completely, else None."""
        key = page_key(platform, entity, endpoint, params)
        meta_path = self._meta_path(platform, key)
        if not self.fs.exists(meta_path):
            return None
        with self.fs.open(meta_path, "rb") as handle:
            meta = json.loads(handle.read())
        records = []
        with self.fs.open(self._records_path(platform, entity, key), "rb") as handle:
            for line in handle.read().decode("utf-8").splitlines():
                if line:
                    record = json.loads(line)
                    record.pop("run_id", None)
                    record.pop("observed_at", None)
                    records.append(record)
        return Page(
            platform=platform, entity=entity, endpoint=endpoint, params=params, records=records,
            repo=meta.get("repo"), etag=meta.get("etag"), next=meta.get("next"), status=meta.get("status", 200),
            fetched_at=datetime.fromisoformat(meta["fetched_at"]),
        )

    def pages(self) -> Iterator[dict[str, Any]]:
        """Metadata of every complete page of the run."""
        for path in sorted(self.fs.glob(f"{self.base}/_pages/*/*.json")):
            with self.fs.open(path, "rb") as handle:
                yield json.loads(handle.read())

    def record_files(self, entity: str) -> list[str]:
        """Record files of complete pages of one entity (as full URLs/paths)."""
        return self.record_files_by_entity().get(entity, [])

    def record_files_by_entity(self) -> dict[str, list[str]]:
        """Record files of complete pages, per entity, from one pass over the pages' metadata (a run holds
        tens of thousands of pages: reading their metadata once per entity cost a loader minutes)."""
        complete: dict[str, set[tuple[str, str]]] = {}
        for meta in self.pages():
            key = page_key(meta["platform"], meta["entity"], meta["endpoint"], meta["params"])
            complete.setdefault(meta["entity"], set()).add((meta["platform"], key))
        local = self.fs.protocol in ("file", ("file", "local"))
        return {
            entity: [path if local else self.fs.unstrip_protocol(path)
                     for path in (self._records_path(platform, entity, key) for platform, key in sorted(pages))]
            for entity, pages in complete.items()
        }

    # -- run-level files ---------------------------------------------------------------------
    def write_json(self, name: str, payload: dict[str, Any]) -> None:
        self._write_atomic(f"{self.base}/{name}", json.dumps(payload, default=_json_default, indent=1).encode("utf-8"))

    def read_json(self, name: str) -> dict[str, Any] | None:
        path = f"{self.base}/{name}"
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "rb") as handle:
            return json.loads(handle.read())

    def stats(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.fs.glob(f"{self.base}/_stats/*.json")):
            with self.fs.open(path, "rb") as handle:
                out.append(json.loads(handle.read()))
        return out

    def seal(self, summary: dict[str, Any]) -> None:
        self.write_json("SEALED", summary)

    @property
    def sealed(self) -> bool:
        return self.fs.exists(f"{self.base}/SEALED")

    def remove(self) -> None:
        if self.fs.exists(self.base):
            self.fs.rm(self.base, recursive=True)
