"""What extraction remembers between runs, so that a re-run of unchanged data costs almost nothing.

A SQLite file in the state folder (safe across threads and processes of one machine):

- http_cache: per request identity, the last ETag with the records and next-page link it produced, so a
  304 answer can be replayed as a full page without spending the data again;
- profiles: each account's last profile record and when it was fetched (re-fetched after an age);
- listing_items / listing_state: the fork and stargazer ids already known per repository, and when each
  listing was last done in full (incremental listings stop at the first known item);
- kv: small facts such as the account a token belongs to.

Only reduced records are stored here, never tokens or email addresses.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS http_cache (
  key TEXT PRIMARY KEY, etag TEXT, next TEXT, records TEXT NOT NULL, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
  platform TEXT NOT NULL, account_id INTEGER NOT NULL, fetched_at TEXT NOT NULL, record TEXT NOT NULL,
  PRIMARY KEY (platform, account_id));
CREATE TABLE IF NOT EXISTS listing_items (
  platform TEXT NOT NULL, repo TEXT NOT NULL, listing TEXT NOT NULL, item_id INTEGER NOT NULL,
  PRIMARY KEY (platform, repo, listing, item_id));
CREATE TABLE IF NOT EXISTS listing_state (
  platform TEXT NOT NULL, repo TEXT NOT NULL, listing TEXT NOT NULL, last_full_at TEXT NOT NULL,
  PRIMARY KEY (platform, repo, listing));
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hub_items (
  platform TEXT NOT NULL, parent TEXT NOT NULL, item TEXT NOT NULL, record TEXT NOT NULL,
  PRIMARY KEY (platform, parent, item));
"""


def _json(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v), ensure_ascii=False)


@dataclass(frozen=True)
class CachedPage:
    etag: str | None
    next: str | None
    records: list[dict[str, Any]]
    fetched_at: datetime


class Cache:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    # -- HTTP pages --------------------------------------------------------------------------
    def page(self, key: str) -> CachedPage | None:
        row = self._conn().execute("SELECT etag, next, records, fetched_at FROM http_cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return CachedPage(row[0], row[1], json.loads(row[2]), datetime.fromisoformat(row[3]))

    def put_page(self, key: str, etag: str | None, next_: str | None, records: list[dict[str, Any]], fetched_at: datetime) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?)",
            (key, etag, next_, _json(records), fetched_at.isoformat()),
        )

    # -- profiles ----------------------------------------------------------------------------
    def profiles(self, platform: str, account_ids: Iterable[int]) -> dict[int, tuple[datetime, dict[str, Any]]]:
        ids = list(account_ids)
        out: dict[int, tuple[datetime, dict[str, Any]]] = {}
        conn = self._conn()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for account_id, fetched_at, record in conn.execute(
                f"SELECT account_id, fetched_at, record FROM profiles WHERE platform = ? AND account_id IN ({marks})",
                (platform, *chunk),
            ):
                out[account_id] = (datetime.fromisoformat(fetched_at), json.loads(record))
        return out

    def put_profiles(self, platform: str, records: list[dict[str, Any]], fetched_at: datetime) -> None:
        conn = self._conn()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR REPLACE INTO profiles VALUES (?, ?, ?, ?)",
            [(platform, r["account_id"], fetched_at.isoformat(), _json(r)) for r in records],
        )
        conn.execute("COMMIT")

    # -- listings ----------------------------------------------------------------------------
    def known_items(self, platform: str, repo: str, listing: str) -> set[int]:
        rows = self._conn().execute(
            "SELECT item_id FROM listing_items WHERE platform = ? AND repo = ? AND listing = ?", (platform, repo, listing)
        )
        return {row[0] for row in rows}

    def add_items(self, platform: str, repo: str, listing: str, item_ids: Iterable[int], *, replace: bool = False) -> None:
        conn = self._conn()
        conn.execute("BEGIN")
        if replace:
            conn.execute("DELETE FROM listing_items WHERE platform = ? AND repo = ? AND listing = ?", (platform, repo, listing))
        conn.executemany(
            "INSERT OR IGNORE INTO listing_items VALUES (?, ?, ?, ?)",
            [(platform, repo, listing, int(i)) for i in item_ids],
        )
        conn.execute("COMMIT")

    def last_full_listing(self, platform: str, repo: str, listing: str) -> datetime | None:
        row = self._conn().execute(
            "SELECT last_full_at FROM listing_state WHERE platform = ? AND repo = ? AND listing = ?", (platform, repo, listing)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def mark_full_listing(self, platform: str, repo: str, listing: str, at: datetime) -> None:
        self._conn().execute("INSERT OR REPLACE INTO listing_state VALUES (?, ?, ?, ?)", (platform, repo, listing, at.isoformat()))

    # -- model hubs: the derivatives known below each model (text ids), with their last record ---------
    def hub_items(self, platform: str, parent: str) -> dict[str, dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT item, record FROM hub_items WHERE platform = ? AND parent = ?", (platform, parent))
        return {item: json.loads(record) for item, record in rows}

    def put_hub_items(self, platform: str, parent: str, records: dict[str, dict[str, Any]], *, replace: bool = False) -> None:
        conn = self._conn()
        conn.execute("BEGIN")
        if replace:
            conn.execute("DELETE FROM hub_items WHERE platform = ? AND parent = ?", (platform, parent))
        conn.executemany("INSERT OR REPLACE INTO hub_items VALUES (?, ?, ?, ?)",
                         [(platform, parent, item, _json(record)) for item, record in records.items()])
        conn.execute("COMMIT")

    # -- small facts -------------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self._conn().execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, value))

    # -- forgetting a person -----------------------------------------------------------------
    def forget_account(self, platform: str, account_id: int) -> None:
        """Drop an account's profile and its stargazer listing entries."""
        conn = self._conn()
        conn.execute("DELETE FROM profiles WHERE platform = ? AND account_id = ?", (platform, account_id))
        conn.execute("DELETE FROM listing_items WHERE platform = ? AND item_id = ? AND listing = 'stargazers'", (platform, account_id))

    def clear_http_cache(self) -> None:
        self._conn().execute("DELETE FROM http_cache")

    def drop_profiles(self, refused: Callable[[dict[str, Any]], bool]) -> int:
        """Remove the kept profiles `refused` names; returns how many."""
        conn = self._conn()
        gone = [(platform, account_id) for platform, account_id, text in
                conn.execute("SELECT platform, account_id, record FROM profiles").fetchall() if refused(json.loads(text))]
        conn.executemany("DELETE FROM profiles WHERE platform = ? AND account_id = ?", gone)
        return len(gone)

    def drop_items(self, refused: Callable[[str, str, int], bool]) -> int:
        """Remove the listing entries `refused(platform, listing, item_id)` names; returns how many."""
        conn = self._conn()
        gone = [row for row in conn.execute("SELECT platform, repo, listing, item_id FROM listing_items").fetchall()
                if refused(row[0], row[2], row[3])]
        conn.executemany("DELETE FROM listing_items WHERE platform = ? AND repo = ? AND listing = ? AND item_id = ?", gone)
        return len(gone)

    def drop_records(self, refused: Callable[[dict[str, Any]], bool]) -> int:
        """Remove the records `refused` names from every cached page (a page left empty is dropped, and asked
        afresh next time); returns how many pages changed."""
        conn = self._conn()
        changed = 0
        for key, text in conn.execute("SELECT key, records FROM http_cache").fetchall():
            records = json.loads(text)
            kept = [r for r in records if not (isinstance(r, dict) and refused(r))]
            if len(kept) == len(records):
                continue
            if kept:
                conn.execute("UPDATE http_cache SET records = ? WHERE key = ?", (_json(kept), key))
            else:
                conn.execute("DELETE FROM http_cache WHERE key = ?", (key,))
            changed += 1
        return changed

    def keys(self) -> list[str]:
        return [row[0] for row in self._conn().execute("SELECT key FROM kv")]

    def delete(self, key: str) -> None:
        self._conn().execute("DELETE FROM kv WHERE key = ?", (key,))

    def vacuum(self) -> None:
        """Rewrite the file so that deleted rows leave no trace in free pages or the write-ahead log."""
        conn = self._conn()
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
