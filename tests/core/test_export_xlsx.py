"""export --format xlsx: one workbook, a README sheet, the same privacy and formula rules as CSV."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from oss_miner import sheets
from oss_miner.export import WORKBOOK, export

from test_export import snapshot  # noqa: F401  (the fixture; tests/core is on sys.path, as pytest puts it)


def test_a_workbook_holds_the_readme_and_every_mart_protected(snapshot, tmp_path):
    files = export(snapshot, tmp_path / "out", fmt="xlsx", min_cell=5)
    assert files == [tmp_path / "out" / WORKBOOK]
    book = load_workbook(files[0])
    assert book.sheetnames[0] == "README" and {"mart_accounts", "mart_contributor_geography"} <= set(book.sheetnames)
    accounts = list(book["mart_accounts"].values)
    header, rows = accounts[0], accounts[1:]
    company, login = header.index("company"), header.index("login")
    companies = [r[company] for r in rows]
    assert "'=HYPERLINK(\"http://x\")" in companies and "'+cmd" in companies and "'@SUM(A1)" in companies
    assert all(book["mart_accounts"].cell(row=i + 2, column=company + 1).data_type != "f" for i in range(len(rows)))
    assert all(r[login].startswith("user-") for r in rows)  # pseudonymised, as in CSV
    readme = list(book["README"].values)
    assert readme[0][:3] == ("data_label", "table", "column")


def test_a_mart_past_the_row_limit_is_split_across_numbered_sheets(tmp_path):
    frame = pd.DataFrame({"n": range(7), "text": ["=1+1"] * 7})
    path = sheets.write_workbook({"mart_big": frame}, tmp_path / "big.xlsx", max_rows=4)  # 3 rows a sheet
    book = load_workbook(path)
    assert book.sheetnames == ["mart_big", "mart_big_2", "mart_big_3"]
    rows = [r for name in book.sheetnames for r in list(book[name].values)[1:]]
    assert [r[0] for r in rows] == list(range(7)) and {r[1] for r in rows} == {"'=1+1"}
    assert sheets.sheet_names("mart_big", 2_097_150) == ["mart_big", "mart_big_2"]
    assert sheets.sheet_names("mart_big", 2_097_151) == ["mart_big", "mart_big_2", "mart_big_3"]
