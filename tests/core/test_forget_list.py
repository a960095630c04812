"""The forget list keys accounts by (platform, id as text): a 24-hex id is forgotten like a numeric one, and a
numeric id keeps its decimal text, so a list written when ids were integers still matches."""

from __future__ import annotations

from oss_miner.landing import Landing, Page
from oss_miner.privacy import ForgetList, Hasher

HEX_ID = "5f3c9a1be4d2c0f7a8b91e2d"
HASHER = Hasher(b"forget-list-test-key")


def test_an_account_with_a_hex_id_is_forgotten_and_others_are_kept(tmp_path):
    forgotten = ForgetList(HASHER)
    forgotten.add(accounts=[("codehub", HEX_ID)])
    forgotten.save(tmp_path)
    again = ForgetList.load(tmp_path, HASHER)  # the next run reads it from the state folder
    landing = Landing(str(tmp_path / "landing"), "run-2", keep=again.keeps)
    stars = [{"account_id": HEX_ID, "login": "gone"}, {"account_id": "5f3c9a1be4d2c0f7a8b91e2e", "login": "kept"}]
    page = Page("codehub", "stargazers", "/stars", {"repo": "o/r"}, stars, repo="o/r")
    landing.put(page)
    assert [r["login"] for r in landing.get("codehub", "stargazers", "/stars", {"repo": "o/r"}).records] == ["kept"]
    assert again.keeps("other", "stargazers", {"account_id": HEX_ID})  # keyed by platform too


def test_numeric_ids_match_whether_given_as_numbers_or_as_their_decimal_text(tmp_path):
    forgotten = ForgetList(HASHER)
    forgotten.add(accounts=[("github", 583231)])
    assert forgotten.forgets("github", "forks", {"owner_id": "583231"})
    assert forgotten.forgets("github", "forks", {"owner_id": 583231})
    # the hash a list written by the previous release holds for this account (ids were integers then)
    assert HASHER.identity("account:github:583231") in forgotten.hashes
