"""Ids are text, keyed by (platform, id): a forge whose ids are not numbers (24-hex, as GitCode's) is stored as
it is, and an account with such an id is forgotten and kept out by the next run."""

from __future__ import annotations

from oss_miner import load
from oss_miner.landing import Landing
from oss_miner.privacy import ForgetList, Hasher

from . import scenario
from .builder import catalogue, new_run

HEX = "5f3c9a1be4d2c0f7a8b91e2d"
OTHER = "5f3c9a1be4d2c0f7a8b91e2e"
HASHER = Hasher(b"text-ids-test")


def stars(run, accounts: list[tuple[str, str]]) -> None:
    run.put("stargazers", "gitee", [{"account_id": i, "login": login} for i, login in accounts], repo=scenario.SPORE)
    run.put("accounts", "gitee", [{"account_id": i, "login": login, "type": "User"} for i, login in accounts])


def test_a_hex_id_is_stored_as_text_forgotten_and_kept_out_by_the_next_run(con, landing_root, tmp_path):
    first = new_run(landing_root, "run-1")
    stars(first, [(HEX, "hexa"), (OTHER, "kept")])
    load.load_run(con, first.landing, catalogue(), first.run)
    assert sorted(con.execute("SELECT account_id FROM raw_accounts").fetchall()) == [(HEX,), (OTHER,)]

    gone = load.forget(con, "gitee", "hexa")  # what `oss-miner forget gitee:hexa` does to the tables
    assert gone.accounts == [("gitee", HEX)]
    forgotten = ForgetList(HASHER)
    forgotten.add(accounts=gone.accounts, author_keys=gone.author_keys)
    forgotten.save(tmp_path)

    # the next run lands through the forget list the state folder keeps: the forge still lists the person
    again = ForgetList.load(tmp_path, HASHER)
    second = new_run(landing_root, "run-2", day=1)
    second.landing = Landing(landing_root, "run-2", keep=again.keeps)
    stars(second, [(HEX, "hexa"), (OTHER, "kept")])
    load.load_run(con, second.landing, catalogue(), second.run)
    for table in ("raw_accounts", "raw_stargazers"):
        assert con.execute(f"SELECT DISTINCT account_id FROM {table}").fetchall() == [(OTHER,)], table
