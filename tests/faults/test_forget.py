"""`oss-miner forget PLATFORM:LOGIN` removes a person, with the identities linked to them, from every table,
landed file, cache and the snapshot, and the next run does not bring them back; `oss-miner sql` cannot
write the snapshot.

The person is chosen from the reference database: a GitHub account that contributes, stars and forks, and
that the identity models link to an account on another platform (so "linked identities" is put to work).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from faults_support import copy_database, environment, query, run_stages, sandbox_environment
from oss_miner import load
from oss_miner.cli import main
from oss_miner.privacy import FORGET_FILE, PERSON_COLUMNS, ForgetList, Hasher, account_platform
from oss_miner.runstate import StatePaths, exclusive_run


@dataclass(frozen=True)
class Person:
    login: str
    accounts: list[tuple[str, int]]
    author_keys: list[str]
    logins: list[tuple[str, str]]

    def word(self) -> re.Pattern[bytes]:
        """Any of their logins standing alone, in any file's bytes."""
        names = "|".join(re.escape(login) for _, login in self.logins)
        return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])".encode(), re.IGNORECASE)


def choose_person(db: Path) -> Person:
    con = duckdb.connect(str(db), read_only=True)
    try:
        logins = [login for (login,) in con.execute("""
            WITH linked AS (SELECT person_key FROM int_identities WHERE kind = 'account'
                            GROUP BY 1 HAVING count(DISTINCT platform) >= 2)
            SELECT DISTINCT a.login
            FROM int_identities AS i JOIN linked USING (person_key)
            JOIN raw_accounts AS a ON a.platform = i.platform AND a.account_id = i.account_id
            WHERE i.platform = 'github' AND length(a.login) >= 6
              AND i.account_id IN (SELECT account_id FROM raw_stargazers WHERE platform = 'github')
              AND i.account_id IN (SELECT owner_id FROM raw_forks WHERE platform = 'github')
              AND i.account_id IN (SELECT account_id FROM raw_contributors WHERE platform = 'github')
            ORDER BY 1""").fetchall()]
        assert logins, "the reference world has nobody linked across platforms who contributes, stars and forks"
        found = load.identities(con, "github", logins[0])
    finally:
        con.close()
    assert len({p for p, _ in found.accounts}) >= 2 and found.author_keys
    return Person(logins[0], found.accounts, found.author_keys, found.logins)


def traces(db: Path, person: Person) -> dict[str, int]:
    """Rows that belong to the person, per table (raw tables and the models that name accounts)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for entity, (id_column, key_column) in PERSON_COLUMNS.items():
            by_id = " OR ".join(f"(platform = '{account_platform(entity, p)}' AND {id_column} = {i})"
                                if entity != "commits" else f"({id_column} = {i})"
                                for p, i in person.accounts if account_platform(entity, p) == p)
            by_key = f"{key_column} IN ({', '.join(repr(k) for k in person.author_keys)})" if key_column else "false"
            out[f"raw_{entity}"] = con.execute(f"SELECT count(*) FROM raw_{entity} WHERE ({by_id or 'false'}) OR {by_key}"
                                               ).fetchone()[0]
        identities = [f"{p}:{i}" for p, i in person.accounts] + [f"email:{k}" for k in person.author_keys]
        for table in ("int_identities", "mart_identities"):
            out[table] = con.execute(f"SELECT count(*) FROM {table} WHERE identity IN ?", [identities]).fetchone()[0]
        out["mart_accounts"] = con.execute(
            "SELECT count(*) FROM mart_accounts WHERE (platform || ':' || account_id) IN ?", [identities]).fetchone()[0]
        out["raw_findings"] = sum(
            1 for (detail,) in con.execute("SELECT detail FROM raw_findings WHERE detail IS NOT NULL").fetchall()
            if person.word().search(detail.encode()))
        return out
    finally:
        con.close()


def files_naming(root: Path, person: Person) -> list[str]:
    """Files under root (the git clones aside: the forges' public history) whose bytes name a login."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and "clones" not in p.relative_to(root).parts and person.word().search(p.read_bytes()))


def cache_traces(cache: Path, person: Person) -> dict[str, int]:
    con = sqlite3.connect(cache)
    try:
        ids = [i for _, i in person.accounts]
        marks = ",".join("?" * len(ids))
        pages = sum(1 for (records,) in con.execute("SELECT records FROM http_cache")
                    if any(str(i) in records for i in ids) or person.word().search(records.encode()))
        return {
            "profiles": con.execute(f"SELECT count(*) FROM profiles WHERE account_id IN ({marks})", ids).fetchone()[0],
            "stargazer items": con.execute(f"SELECT count(*) FROM listing_items WHERE listing = 'stargazers' "
                                           f"AND item_id IN ({marks})", ids).fetchone()[0],
            "http pages": pages,
            "keys": sum(1 for (key,) in con.execute("SELECT key FROM kv") if person.word().search(key.encode())),
        }
    finally:
        con.close()


def current(db: Path, sql: str) -> set[tuple]:
    return set(query(db, sql))


def call(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_forget_removes_a_person_everywhere_and_the_next_run_keeps_them_out(capsys, clean_sandbox, reference, tmp_path):
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    paths = StatePaths.for_db(db)
    person = choose_person(db)
    before = traces(db, person)
    assert all(before[t] for t in ("raw_accounts", "raw_contributors", "raw_stargazers", "raw_forks", "raw_commits",
                                   "mart_accounts", "mart_identities")), before
    assert files_naming(paths.state, person) and cache_traces(paths.cache, person)["profiles"]

    code, out, err = call(capsys, "forget", f"github:{person.login.upper()}", "--db", str(db))  # logins: any case

    assert code == 0, err
    assert out.startswith(f"removed {len(person.accounts)} account(s), ") and "snapshot republished" in out
    for where in (db, paths.work_db):
        assert traces(where, person) == {table: 0 for table in before}, where
    assert files_naming(paths.state, person) == []
    assert cache_traces(paths.cache, person) == {"profiles": 0, "stargazer items": 0, "http pages": 0, "keys": 0}
    listed = json.loads((paths.state / FORGET_FILE).read_text())["hashes"]
    plain = [person.login.lower(), *person.author_keys, *(str(i) for _, i in person.accounts)]
    assert listed and not any(p in json.dumps(listed).lower() for p in plain)  # keyed hashes only
    landing_pages_stay_loadable(paths)

    # the next run meets them on the forges again, and keeps them out
    with environment(sandbox_environment(clean_sandbox.urls)):
        run_stages(db)
    assert traces(db, person) == {table: 0 for table in before}
    assert files_naming(paths.state, person) == []
    assert cache_traces(paths.cache, person) == {"profiles": 0, "stargazer items": 0, "http pages": 0, "keys": 0}
    # and nobody else is lost: what the reference knows after two runs, without the person
    theirs = set(person.accounts)
    accounts = "SELECT platform, account_id FROM mart_accounts"
    assert current(db, accounts) == {a for a in current(reference.two_runs, accounts) if a not in theirs}
    stars = "SELECT platform, repo, account_id FROM int_stargazers"
    assert current(db, stars) == {s for s in current(reference.two_runs, stars) if (s[0], s[2]) not in theirs}
    forks = "SELECT platform, repo, fork_id, owner_id FROM int_forks"
    assert current(db, forks) == {f for f in current(reference.two_runs, forks) if (f[0], f[3]) not in theirs}


def landing_pages_stay_loadable(paths: StatePaths) -> None:
    """Every complete page still has its records file where its (possibly rewritten) parameters point."""
    from oss_miner.landing import Landing
    from oss_miner.records import ENTITIES

    runs = [p.name for p in Path(paths.landing_root).iterdir() if p.is_dir()]
    for run in runs:
        landing = Landing(paths.landing_root, run)
        for entity in ENTITIES:
            assert all(Path(f).is_file() for f in landing.record_files(entity)), (run, entity)


def test_forget_asked_again_finishes_and_changes_nothing_more(capsys, reference, tmp_path):
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    person = choose_person(db)
    assert call(capsys, "forget", f"github:{person.login}", "--db", str(db))[0] == 0
    code, out, err = call(capsys, "forget", f"github:{person.login}", "--db", str(db))
    assert code == 0 and out.startswith("removed 0 account(s), 0 row(s)"), err


@pytest.mark.parametrize("who, message", [
    ("github:nobody-at-all-here", "no account github:nobody-at-all-here in the database; check the platform and the login"),
    ("octocat", "'octocat': name the account as PLATFORM:LOGIN, e.g. github:octocat"),
    ("svn:octocat", "'svn:octocat': no platform svn in the database (it has gitee, github, gitlab, huggingface, modelscope); name the account as PLATFORM:LOGIN"),
    ("github:", "'github:': name the account as PLATFORM:LOGIN"),
])
def test_an_unknown_or_malformed_account_is_a_one_line_error(capsys, reference, tmp_path, who, message):
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    snapshot = db.read_bytes()
    code, _, err = call(capsys, "forget", who, "--db", str(db))
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert db.read_bytes() == snapshot


def test_forget_without_a_working_database_or_while_a_run_holds_it(capsys, reference, tmp_path):
    code, _, err = call(capsys, "forget", "github:someone", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "no working database at" in err and err.count("\n") == 1
    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    with exclusive_run(StatePaths.for_db(db)):
        code, _, err = call(capsys, "forget", "github:someone", "--db", str(db))
    assert code == 2 and "another run is using" in err and err.count("\n") == 1


def test_the_forget_list_is_keyed_to_the_installation(tmp_path):
    """The same person hashes differently under another key; the list survives a reload; any record of theirs
    (by account id, or by email identity where the entity carries one) is refused, others kept."""
    mine, other = ForgetList(Hasher(b"key-one")), ForgetList(Hasher(b"key-two"))
    for forget_list in (mine, other):
        forget_list.add([("github", 42)], ["kEmail"], [("github", "Octo")])
    assert mine.hashes.isdisjoint(other.hashes)
    mine.save(tmp_path)
    again = ForgetList.load(tmp_path, Hasher(b"key-one"))
    assert again.hashes == mine.hashes and again.has_login("github", "octo")
    assert (tmp_path / FORGET_FILE).stat().st_mode & 0o777 == 0o600
    assert again.forgets("github", "stargazers", {"account_id": 42})
    assert again.forgets("gitee", "commits", {"noreply_account_id": 42, "author_key": None})  # noreply: a GitHub id
    assert again.forgets("gitlab", "contributors", {"account_id": None, "author_key": "kEmail"})
    assert not again.forgets("gitee", "stargazers", {"account_id": 42})  # another platform's account 42
    assert not again.forgets("github", "repositories", {"owner_id": 42})  # their repositories are not them
    assert not again.forgets("github", "forks", {"owner_id": 43})


@pytest.mark.parametrize("statement", [
    "INSERT INTO runs (run_id) VALUES ('x')",
    "UPDATE runs SET outcome = 'x'",
    "DELETE FROM raw_accounts",
    "CREATE TABLE t AS SELECT 1",
    "DROP TABLE mart_accounts",
    "ALTER TABLE runs ADD COLUMN x INTEGER",
    "ATTACH '{db}' AS again (READ_WRITE); DELETE FROM again.runs",
])
def test_sql_cannot_write_the_snapshot(capsys, reference, statement):
    db = reference.one_run
    snapshot = db.read_bytes()
    code, _, err = call(capsys, "sql", statement.format(db=db), "--db", str(db))
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert db.read_bytes() == snapshot


def test_the_loader_keeps_out_what_a_worker_without_the_forget_list_landed(capsys, reference, tmp_path):
    """A worker on another machine does not see the forget list: what it lands about the person is dropped
    when the run is loaded, and the rest of the same pages is kept."""
    from oss_miner import pipeline
    from oss_miner.landing import Landing, Page
    from oss_miner.records import empty_record

    db = copy_database(reference.one_run, tmp_path / "data" / "oss_miner.duckdb")
    person = choose_person(db)
    assert call(capsys, "forget", f"github:{person.login}", "--db", str(db))[0] == 0
    github_id = next(i for p, i in person.accounts if p == "github")
    elsewhere = Landing(StatePaths.for_db(db).landing_root, "20990101T000000Z-remote")  # no keep: no forget list
    elsewhere.put(Page("github", "stargazers", "/graphql", {"repo": "o/r"}, [
        empty_record("stargazers", platform="github", repo="o/r", account_id=github_id, login=person.login),
        empty_record("stargazers", platform="github", repo="o/r", account_id=1, login="someone-else")]))
    elsewhere.put(Page("gitee", "commits", "git", {"repo": "o/r"}, [
        empty_record("commits", platform="gitee", repo="o/r", sha="a" * 40, author_key=person.author_keys[0]),
        empty_record("commits", platform="gitee", repo="o/r", sha="b" * 40, author_key="someone-elses-key")]))
    spec = pipeline.with_run_id(pipeline.RunSpec(db=str(db), sandbox=True), "20990101T000000Z-remote")
    rows = pipeline.load(spec, "2099-01-01T00:00:00+00:00")
    assert (rows["stargazers"], rows["commits"]) == (1, 1)
    con = duckdb.connect(str(StatePaths.for_db(db).work_db), read_only=True)
    try:
        kept = con.execute("SELECT login FROM raw_stargazers WHERE run_id = '20990101T000000Z-remote'").fetchall()
    finally:
        con.close()
    assert kept == [("someone-else",)]
