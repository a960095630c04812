"""Exports: safe to open in a spreadsheet, pseudonymised, small cells suppressed, database untouched."""

import csv
import datetime
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oss_miner.export import export
from oss_miner.sheets import neutralise
from oss_miner.runstate import StatePaths, publish


def _publish(tmp_path: Path, *statements: str) -> Path:
    """A published snapshot holding what the statements create."""
    paths = StatePaths.for_db(tmp_path / "pub.duckdb")
    paths.state.mkdir(parents=True)
    con = duckdb.connect(str(paths.work_db))
    for statement in statements:
        con.execute(statement)
    con.close()
    publish(paths)
    return paths.db


@pytest.fixture()
def snapshot(tmp_path: Path) -> Path:
    return _publish(tmp_path, """CREATE TABLE mart_accounts AS SELECT * FROM (VALUES
        ('github', 1, 'alice', 'CN', 'CN-BJ', 'Beijing', '=HYPERLINK(\"http://x\")', TIMESTAMPTZ '2024-05-01 10:00:00+08'),
        ('github', 2, 'bob', 'CN', 'CN-BJ', 'Beijing', '+cmd', TIMESTAMPTZ '2024-05-02 00:00:00+00'),
        ('github', 3, 'carol', 'CN', 'CN-BJ', 'Beijing', '-1+2', NULL),
        ('github', 4, 'dave', 'CN', 'CN-BJ', 'Beijing', '@SUM(A1)', NULL),
        ('github', 5, 'erin', 'CN', 'CN-BJ', 'Beijing', 'plain', NULL),
        ('gitee', 6, 'frank', 'IS', NULL, 'Reykjavik', chr(9) || 'tab', NULL)
      ) t(platform, account_id, login, country_iso2, region, city, company, created_at)""",
        "COMMENT ON TABLE mart_accounts IS 'one row per account'",
        "COMMENT ON COLUMN mart_accounts.login IS 'login (pseudonymised in exports)'",
        """CREATE TABLE mart_contributor_geography AS SELECT * FROM (VALUES
        ('X', 'CN', 12, 20, 0.6), ('X', 'IS', 2, 20, 0.1), ('X', NULL, 6, 20, 0.3)
      ) t(framework, country_iso2, people, people_total, people_share)""",
        "CREATE TABLE raw_secret AS SELECT 1 AS x")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_formula_cells_are_neutralised_numbers_stay_numbers(snapshot, tmp_path):
    export(snapshot, tmp_path / "out", min_cell=5)
    rows = read(tmp_path / "out" / "mart_accounts.csv")
    companies = [r["company"] for r in rows]
    assert companies == ["'=HYPERLINK(\"http://x\")", "'+cmd", "'-1+2", "'@SUM(A1)", "plain", "'\ttab"]
    assert neutralise(-3) == -3 and neutralise("a=b") == "a=b"


def test_logins_are_pseudonymised_unless_identify(snapshot, tmp_path):
    export(snapshot, tmp_path / "anon", min_cell=1)
    logins = [r["login"] for r in read(tmp_path / "anon" / "mart_accounts.csv")]
    assert all(l.startswith("user-") for l in logins) and "alice" not in "".join(logins)
    assert len(set(logins)) == 6
    export(snapshot, tmp_path / "again", min_cell=1)  # stable across exports of one installation
    assert [r["login"] for r in read(tmp_path / "again" / "mart_accounts.csv")] == logins
    export(snapshot, tmp_path / "named", identify=True, min_cell=1)
    named = read(tmp_path / "named" / "mart_accounts.csv")
    assert named[0]["login"] == "alice" and [r["account_id"] for r in named] == ["1", "2", "3", "4", "5", "6"]


def test_account_ids_leave_only_as_keyed_pseudonyms(snapshot, tmp_path):
    # GitHub's /user/{id} turns a numeric id back into a login: a pseudonymised login beside it protects nothing
    export(snapshot, tmp_path / "anon", min_cell=1)
    ids = [r["account_id"] for r in read(tmp_path / "anon" / "mart_accounts.csv")]
    assert len(set(ids)) == 6 and all(i.startswith("account-") and not i[len("account-"):].isdigit() for i in ids)
    export(snapshot, tmp_path / "again", min_cell=1)
    assert [r["account_id"] for r in read(tmp_path / "again" / "mart_accounts.csv")] == ids


def test_small_geography_cells_are_suppressed(snapshot, tmp_path):
    export(snapshot, tmp_path / "out", min_cell=5)
    geography = {r["country_iso2"]: r for r in read(tmp_path / "out" / "mart_contributor_geography.csv")}
    assert geography["IS"]["people"] == "" and geography["IS"]["people_share"] == "" and geography["IS"]["suppressed"] == "True"
    # 20 people, 6 of them unknown: a lone blank would be 20 - 6 - 12, so CN goes with it
    assert geography["CN"]["people"] == "" and geography["CN"]["suppressed"] == "True"
    assert geography[""]["people"] == "6" and geography[""]["suppressed"] == "False"  # the unknown row
    accounts = read(tmp_path / "out" / "mart_accounts.csv")
    assert {r["city"] for r in accounts[:5]} == {"Beijing"}  # five people share Beijing
    assert accounts[5]["city"] == "" and accounts[5]["country_iso2"] == ""  # one person in Iceland is not shown


def test_iso_dates_utf8_and_a_data_dictionary(snapshot, tmp_path):
    export(snapshot, tmp_path / "out", min_cell=1)
    rows = read(tmp_path / "out" / "mart_accounts.csv")
    assert rows[0]["created_at"] == "2024-05-01T02:00:00Z"
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["README.csv", "mart_accounts.csv", "mart_contributor_geography.csv"]  # marts only
    dictionary = pd.read_csv(tmp_path / "out" / "README.csv")
    login = dictionary[(dictionary["table"] == "mart_accounts") & (dictionary["column"] == "login")].iloc[0]
    assert login["description"] == "login (pseudonymised in exports)"
    assert set(dictionary["table"]) == {"mart_accounts", "mart_contributor_geography"}
    flag = dictionary[(dictionary["table"] == "mart_contributor_geography") & (dictionary["column"] == "suppressed")]
    assert len(flag) == 1 and "fewer people" in flag.iloc[0]["description"]
    assert list(dictionary.columns)[0] == "data_label" and dictionary["data_label"].isna().all()  # real data


def test_parquet_on_request_and_the_database_is_unchanged(snapshot, tmp_path):
    before = snapshot.read_bytes()
    export(snapshot, tmp_path / "pq", fmt="parquet", min_cell=1)
    frame = pd.read_parquet(tmp_path / "pq" / "mart_accounts.parquet")
    assert frame["created_at"].notna().sum() == 2 and len(frame) == 6
    assert snapshot.read_bytes() == before


# -- written for spreadsheets (oss_miner.sheets) ------------------------------------------------------


@pytest.fixture()
def vendors(tmp_path: Path) -> Path:
    return _publish(tmp_path, """CREATE TABLE mart_vendor_share AS SELECT * FROM (VALUES
        ('MNN', '阿里巴巴', ['alibaba-inc.com', 'taobao.com'], 'first line' || chr(10) || 'second' || chr(13) || chr(10) || 'third',
         DATE '2024-05-01', TIMESTAMPTZ '2024-05-01 10:00:00+08', 3),
        ('ncnn', '腾讯', [], chr(13) || '=cmd', NULL, NULL, NULL)
      ) t(framework, vendor, vendor_domains, note, month, observed_at, authors)""",
        "COMMENT ON COLUMN mart_vendor_share.note IS 'a note\non two lines'")


def test_csv_has_a_byte_order_mark_json_lists_iso_dates_and_one_line_per_row(vendors, tmp_path):
    export(vendors, tmp_path / "out", min_cell=1)
    raw = (tmp_path / "out" / "mart_vendor_share.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel on Windows reads 阿里巴巴, not mojibake
    text = raw.decode("utf-8-sig")
    assert len(text.splitlines()) == 3  # header and two rows: no line break inside a cell
    mnn, ncnn = read_sig(tmp_path / "out" / "mart_vendor_share.csv")
    assert mnn["vendor"] == "阿里巴巴" and ncnn["vendor"] == "腾讯"
    assert json.loads(mnn["vendor_domains"]) == ["alibaba-inc.com", "taobao.com"] and ncnn["vendor_domains"] == "[]"
    assert mnn["note"] == "first line second third"  # each line break became one space
    assert ncnn["note"] == "' =cmd"  # a leading CR is still neutralised before it becomes a space
    assert (mnn["month"], mnn["observed_at"], mnn["authors"]) == ("2024-05-01", "2024-05-01T02:00:00Z", "3")
    assert (ncnn["month"], ncnn["observed_at"], ncnn["authors"]) == ("", "", "")
    readme = (tmp_path / "out" / "README.csv").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and len(readme.decode("utf-8-sig").splitlines()) == 1 + 7


def test_parquet_keeps_typed_dates_timestamps_and_real_lists(vendors, tmp_path):
    export(vendors, tmp_path / "pq", fmt="parquet", min_cell=1)
    table = pq.read_table(tmp_path / "pq" / "mart_vendor_share.parquet")
    schema = table.schema
    assert schema.field("month").type == pa.date32()
    assert pa.types.is_timestamp(schema.field("observed_at").type) and schema.field("observed_at").type.tz == "UTC"
    assert schema.field("vendor_domains").type == pa.list_(pa.string())
    assert table.column("month").to_pylist() == [datetime.date(2024, 5, 1), None]
    assert table.column("vendor_domains").to_pylist() == [["alibaba-inc.com", "taobao.com"], []]
    assert pa.types.is_integer(schema.field("authors").type)


def read_sig(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
