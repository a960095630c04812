"""`oss-miner forget PLATFORM:LOGIN`: remove a person, with the identities linked to them, from everything
oss-miner keeps, and keep them out of later runs.

The login is resolved to its account id in the working database (logins change, ids do not), and the
person is that account with every identity `int_identities` links to it (their accounts on other
platforms, their email identities). Then, holding the run lock, in an order that can be redone (asking
`forget` again finishes one that was interrupted):

1. the forget list (`privacy.ForgetList`, `<state>/forgotten.json`) gets keyed hashes of their account
   ids, email identities and logins. The landing area drops their records before anything is written or
   cached, so the next runs do not bring them back although the forges still list them;
2. the raw tables lose their rows (`load.forget`), the findings that name them are redacted, the models
   are rebuilt, and the working database is rewritten so that no freed block still holds them;
3. every landed file of every run loses their records (a page that was theirs alone, such as their
   profile, is deleted), and page parameters that named them are rewritten;
4. the extraction cache loses their profiles, the listing entries of their stars and forks, their records
   in cached HTTP pages and every key naming their login, and is vacuumed;
5. the published snapshot is republished.

Out of its reach (the README says so): exports and reports written earlier (export again), Prefect's own
log store, and the bare git clones in the state folder, which hold the forges' public history as it is.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb

from oss_miner import load, models, runstate
from oss_miner.cache import Cache
from oss_miner.config import is_platform_name
from oss_miner.errors import UserError
from oss_miner.landing import Landing, landed_runs, page_key
from oss_miner.privacy import PERSON_COLUMNS, ForgetList, Hasher, load_hash_key
from oss_miner.records import ENTITIES

FORGOTTEN = "(forgotten)"


def parse_who(who: str) -> tuple[str, str]:
    platform, sep, login = who.partition(":")
    # the database, not the catalogue, says which platforms hold accounts: an unknown one finds nobody
    if not sep or not is_platform_name(platform) or not login.strip() or any(c.isspace() or c in "/:" for c in login):
        raise UserError(f"{who!r}: name the account as PLATFORM:LOGIN, e.g. github:octocat "
                        "(PLATFORM a name of the catalogue's [platforms])")
    return platform, login


def forget(who: str, db: Path | str, state: Path | str | None = None, *, wait: bool = False) -> dict[str, int]:
    """Remove the person behind PLATFORM:LOGIN everywhere (see the module docstring); returns
    {"accounts": accounts removed, "rows": raw rows removed, "files": landed files rewritten}."""
    platform, login = parse_who(who)
    paths = runstate.StatePaths.for_db(db, state)
    if not paths.work_db.is_file():
        raise UserError(f"no working database at {paths.work_db}; forget works on a database that `oss-miner run` "
                        "keeps (pass --state DIR if its state folder is elsewhere)")
    with runstate.exclusive_run(paths, wait=wait):
        forgotten = ForgetList.load(paths.state, Hasher(load_hash_key(paths.state)))
        person, removed = _forget_in_database(paths, forgotten, platform, login)
        sweep = Sweep(forgotten, Scrubber.of(person, login), set(person.forks) if person else set())
        files = sum(_clean_run(Landing(paths.landing_root, run), sweep) for run in landed_runs(paths.landing_root))
        _clean_cache(paths.cache, sweep)
        runstate.publish(paths)
    return {"accounts": len(removed.accounts) if removed else 0, "rows": sum(removed.rows.values()) if removed else 0,
            "files": files}


def _forget_in_database(paths: runstate.StatePaths, forgotten: ForgetList, platform: str,
                        login: str) -> tuple[load.Identities | None, load.Forgotten | None]:
    """Steps 1 and 2: the forget list first (so that an interruption leaves them listed), then the tables."""
    con = load.connect(paths.work_db)
    try:
        person = _resolve(con, forgotten, platform, login)
        removed = None
        if person is not None:
            forgotten.add(person.accounts, person.author_keys, person.logins)
            forgotten.save(paths.state)
            removed = load.forget(con, platform, login)
        scrub = Scrubber.of(person, login)
        load.redact_findings(con, scrub.needles, scrub)
        models.run_models(con)
    finally:
        con.close()
    _compact(paths.work_db)
    return person, removed


def _resolve(con: duckdb.DuckDBPyConnection, forgotten: ForgetList, platform: str, login: str) -> load.Identities | None:
    """The person to remove; None when the database no longer has them but the forget list does (a forget
    asked again, perhaps after an interruption: its cleaning steps are redone)."""
    try:
        return load.identities(con, platform, login)
    except UserError:
        if forgotten.has_login(platform, login):
            return None
        raise


class Scrubber:
    """Replaces a person's logins and account ids in free text (finding details, page parameters)."""

    def __init__(self, logins: list[str], account_ids: list[int]):
        self.needles = sorted({*logins, *map(str, account_ids)})
        self.logins = _words(sorted(set(logins), key=len, reverse=True))
        self.everything = _words([*sorted(set(logins), key=len, reverse=True), *map(str, sorted(set(account_ids)))])

    @classmethod
    def of(cls, person: load.Identities | None, login: str) -> "Scrubber":
        if person is None:  # forgotten before: only the login asked for is known in the clear
            return cls([login], [])
        return cls([name for _, name in person.logins], [i for _, i in person.accounts])

    def __call__(self, text: str) -> str:
        return self.everything.sub(FORGOTTEN, text) if self.everything is not None else text

    def names_login(self, text: str) -> bool:
        return self.logins is not None and self.logins.search(text) is not None


def _words(words: list[str]) -> re.Pattern[str] | None:
    """Any of the words, standing alone (not inside a longer login, number or hash)."""
    if not words:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])", re.IGNORECASE)


class Sweep:
    """What the landing and cache clean-ups share: which records go, how text is scrubbed, and the forks of
    the person met on the way (listings remember forks by fork id, not by owner)."""

    def __init__(self, forgotten: ForgetList, scrub: Scrubber, forks: set[tuple[str, str]]):
        self.forgotten = forgotten
        self.scrub = scrub
        self.forks = forks

    def refuses(self, platform: str, entity: str, record: dict[str, Any]) -> bool:
        if not self.forgotten.forgets(platform, entity, record):
            return False
        if entity == "forks" and isinstance(record.get("fork_id"), (int, str)):
            self.forks.add((platform, str(record["fork_id"])))  # ids as text, as the database keeps them
        return True

    def kept(self, platform: str, entity: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = [r for r in records if not self.refuses(str(r.get("platform") or platform), entity, r)]
        if entity == "findings":
            kept = [{**r, "detail": self.scrub(r["detail"])} if isinstance(r.get("detail"), str) else r for r in kept]
        return kept


# -- the working database --------------------------------------------------------------------------

def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _compact(work_db: Path) -> None:
    """Rewrite the database into a fresh file: deleted rows leave their old blocks behind otherwise."""
    fresh = work_db.with_name(f".{work_db.name}.compact")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect(str(work_db))
    try:
        con.execute("CHECKPOINT")
        (name,) = con.execute("SELECT current_database()").fetchone()
        # ATTACH takes no parameters; the path is the state folder's own, not data from a forge
        con.execute(f"ATTACH {_quoted(str(fresh))} AS compacted")
        con.execute(f'COPY FROM DATABASE "{name}" TO compacted')
        con.execute("DETACH compacted")
    finally:
        con.close()
    os.replace(fresh, work_db)


# -- landed files -------------------------------------------------------------------------------------

def keep_out(landing: Landing, forgotten: ForgetList) -> int:
    """Drop forgotten people from one run's landed files (the loader's second line of defence, for pages
    landed where the forget list was not seen); returns how many files changed."""
    return _clean_run(landing, Sweep(forgotten, Scrubber([], []), set()))


def _read_lines(fs: Any, path: str) -> list[dict[str, Any]]:
    with fs.open(path, "rb") as handle:
        return [json.loads(line) for line in handle.read().decode("utf-8").splitlines() if line]


def _write_lines(landing: Landing, path: str, records: list[dict[str, Any]]) -> None:
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    landing._write_atomic(path, body)


def _clean_run(landing: Landing, sweep: Sweep) -> int:
    """Rewrite one run's landed files without the person; returns how many files changed."""
    fs, base = landing.fs, landing.base
    changed = 0
    for leftover in fs.glob(f"{base}/**/.tmp-*"):  # half-written files of a killed run
        fs.rm(leftover)
        changed += 1
    for path in fs.glob(f"{base}/*/*/*.jsonl"):  # every page, complete or not: <entity>/<platform>/<key>.jsonl
        entity, platform = path.rsplit("/", 3)[-3:-1]
        records = _read_lines(fs, path)
        kept = sweep.kept(platform, entity, records)
        if kept != records:
            _write_lines(landing, path, kept)
            changed += 1
    for meta_path in fs.glob(f"{base}/_pages/*/*.json"):
        changed += _clean_page(landing, meta_path, sweep)
    return changed


def _clean_page(landing: Landing, meta_path: str, sweep: Sweep) -> int:
    """Page metadata: its record count, and parameters that name the person (the page moves to its new key)."""
    fs = landing.fs
    with fs.open(meta_path, "rb") as handle:
        meta = json.loads(handle.read())
    platform, entity, endpoint = meta["platform"], meta["entity"], meta["endpoint"]
    records_path = landing._records_path(platform, entity, page_key(platform, entity, endpoint, meta["params"]))
    records = _read_lines(fs, records_path) if fs.exists(records_path) else []
    params = _params(meta["params"], platform, records, sweep)
    if params == meta["params"] and meta.get("records") == len(records):
        return 0
    if params is None:  # the page was theirs alone (their profile)
        fs.rm(meta_path)
        if fs.exists(records_path):
            fs.rm(records_path)
        return 1
    key = page_key(platform, entity, endpoint, params)
    moved, moved_meta = landing._records_path(platform, entity, key), landing._meta_path(platform, key)
    if moved != records_path:
        _write_lines(landing, moved, records)
        fs.rm(records_path)
    landing._write_atomic(moved_meta, json.dumps({**meta, "params": params, "records": len(records)}).encode("utf-8"))
    if moved_meta != meta_path:
        fs.rm(meta_path)
    return 1


def _params(params: dict[str, Any], platform: str, records: list[dict[str, Any]], sweep: Sweep) -> dict[str, Any] | None:
    """The parameters without the person: None when they identify a page of theirs alone."""
    forgotten = sweep.forgotten

    def theirs(value: Any) -> bool:
        return isinstance(value, int) and forgotten.forgets(platform, "accounts", {"account_id": value})

    if theirs(params.get("account_id")):
        return None
    out = dict(params)
    for name, index in (("first", 0), ("last", -1)):  # bounds of a chunk of profiles
        if theirs(out.get(name)):
            if not records:
                return None
            out[name] = records[index].get("account_id")
    if isinstance(out.get("logins"), list):
        out["logins"] = [x for x in out["logins"] if not forgotten.has_login(platform, str(x))]
    if isinstance(out.get("subject"), str):
        out["subject"] = sweep.scrub(out["subject"])
    return out


# -- the extraction cache -------------------------------------------------------------------------------

def _clean_cache(path: Path, sweep: Sweep) -> None:
    cache = Cache(path)
    cache.drop_records(lambda r: sweep.refuses(str(r.get("platform")), _entity_of(r) or "", r))
    cache.drop_profiles(lambda r: sweep.refuses(str(r.get("platform")), "accounts", r))
    cache.drop_items(lambda platform, listing, item: (platform, str(item)) in sweep.forks if listing == "forks"
                     else sweep.refuses(platform, "stargazers", {"account_id": item}))
    forks = {str(i) for _, i in sweep.forks}
    for key in cache.keys():
        if sweep.scrub.names_login(key):  # e.g. gitlab:user-id:<login>
            cache.delete(key)
        elif ":fork-nodes:" in key and forks:  # fork id -> GraphQL node id, for fork activity
            nodes = json.loads(cache.get(key) or "{}")
            if forks & set(nodes):
                cache.set(key, json.dumps({k: v for k, v in nodes.items() if k not in forks}))
    cache.vacuum()


_COLUMNS = {entity: set(ENTITIES[entity].column_names) for entity in PERSON_COLUMNS}


def _entity_of(record: dict[str, Any]) -> str | None:
    """Which entity a cached record is (records carry exactly their entity's columns)."""
    keys = set(record)
    return next((entity for entity, columns in _COLUMNS.items() if keys == columns), None)
