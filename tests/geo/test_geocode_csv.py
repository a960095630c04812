"""geocode_csv: the body of `oss-miner geocode IN.csv --column location --out OUT.csv`."""

from __future__ import annotations

import csv

import pytest

from oss_miner.errors import UserError
from oss_miner.geo import geocode_csv


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _read(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_input_columns_are_kept_and_the_location_columns_added(tmp_path):
    source = _write(tmp_path / "in.csv", 'login,location,stars\nalice,"Hangzhou, Zhejiang",3\nbob,,5\n'
                                         'carol,Earth,0\ndan,"Seattle, WA",1\n')
    written = geocode_csv(source, "location", tmp_path / "out.csv")
    rows = _read(tmp_path / "out.csv")
    assert written == 4 == len(rows)
    assert list(rows[0]) == ["login", "location", "stars", "country_iso2", "region", "city", "confidence",
                             "method"]
    assert rows[0] == {"login": "alice", "location": "Hangzhou, Zhejiang", "stars": "3", "country_iso2": "CN",
                       "region": "CN-ZJ", "city": "Hangzhou", "confidence": rows[0]["confidence"],
                       "method": "location"}
    assert 0 < float(rows[0]["confidence"]) <= 1
    assert (rows[1]["country_iso2"], rows[1]["method"]) == ("", "none")
    assert rows[2]["method"] == "none"
    assert (rows[3]["country_iso2"], rows[3]["region"]) == ("US", "US-WA")


def test_a_byte_order_mark_and_unicode_survive(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("location\n北京市海淀区\n".encode("utf-8-sig"))
    geocode_csv(source, "location", tmp_path / "out.csv")
    assert _read(tmp_path / "out.csv")[0]["region"] == "CN-BJ"


def test_output_is_written_like_the_exports(tmp_path):
    source = _write(tmp_path / "in.csv", 'login,location,note\n'
                                         '"=HYPERLINK(""http://x"",""click"")",Beijing,"two\nlines"\n'
                                         '@SUM(A1),-3,+1\n')
    geocode_csv(source, "location", tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so that Excel reads UTF-8
    assert len(raw.decode("utf-8-sig").splitlines()) == 3  # no line break inside a cell
    first, second = _read(tmp_path / "out.csv")
    assert first["login"] == '\'=HYPERLINK("http://x","click")'  # the input's formula is made inert
    assert (first["note"], first["city"]) == ("two lines", "Beijing")
    assert float(first["confidence"]) > 0.5  # numbers stay numbers
    assert (second["login"], second["location"], second["note"]) == ("\'@SUM(A1)", "\'-3", "\'+1")


def test_missing_file_is_a_one_line_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist") as error:
        geocode_csv(tmp_path / "nope.csv", "location", tmp_path / "out.csv")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out.csv").exists()


def test_missing_column_names_the_columns_that_exist(tmp_path):
    source = _write(tmp_path / "in.csv", "login,place\nalice,Berlin\n")
    with pytest.raises(UserError) as error:
        geocode_csv(source, "location", tmp_path / "out.csv")
    message = str(error.value)
    assert "'location'" in message and "login, place" in message and "\n" not in message


def test_unreadable_csv_is_a_user_error_and_an_old_output_survives(tmp_path):
    out = _write(tmp_path / "out.csv", "kept from last time\n")
    binary = tmp_path / "in.csv"
    binary.write_bytes(b"location\n\xff\xfe\x00garbage\n")
    with pytest.raises(UserError, match="UTF-8"):
        geocode_csv(binary, "location", out)
    ragged = _write(tmp_path / "ragged.csv", 'location\n"Berlin",extra\n')
    with pytest.raises(UserError, match="more cells"):
        geocode_csv(ragged, "location", out)
    assert out.read_text(encoding="utf-8") == "kept from last time\n"


def test_empty_file_has_no_columns(tmp_path):
    with pytest.raises(UserError, match="no column"):
        geocode_csv(_write(tmp_path / "in.csv", ""), "location", tmp_path / "out.csv")


def test_existing_output_columns_are_overwritten_not_duplicated(tmp_path):
    source = _write(tmp_path / "in.csv", "location,country_iso2\nParis,XX\n")
    geocode_csv(source, "location", tmp_path / "out.csv")
    rows = _read(tmp_path / "out.csv")
    assert list(rows[0]).count("country_iso2") == 1 and rows[0]["country_iso2"] == "FR"
