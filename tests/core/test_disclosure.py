"""Disclosure control that holds: an attacker with a public export rebuilds no small cell, ids do not lead
back to accounts, the catalogue in use sets the minimum cell, and synthetic output says it is synthetic."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from PIL import Image

from attacker import read_csv, recovered_small_cells, true_cells
from warehouse.conftest import marts  # noqa: F401 (the fixture, shared with the warehouse tests)
from oss_miner import disclosure, report
from oss_miner.config import default_config_path, load_config
from oss_miner.export import export
from oss_miner.labels import SYNTHETIC_LABEL
from oss_miner.runstate import StatePaths, publish
from oss_miner.sandbox.server import SandboxOptions, SandboxServer

CUSTOM_MIN_CELL = 2  # not the default 5: the flow must take it from the catalogue it mined with


# -- the rules on hand-made cells -------------------------------------------------------------------

def cells(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["framework", "platform", "country_iso2", "region", "city", "people"])
    frame["is_unknown"] = frame["country_iso2"].isna()
    frame["people_by_location"] = frame["people"]
    frame["people_by_company"] = 0
    frame["contributions"] = frame["people"] * 10
    for platform, group in frame.groupby("platform"):
        frame.loc[group.index, "people_total"] = group["people"].sum()
        frame.loc[group.index, "people_located"] = group.loc[~group["is_unknown"], "people"].sum()
    frame["people_share"] = frame["people"] / frame["people_total"]
    return frame


def protected(frame: pd.DataFrame, min_cell: int = 5) -> pd.DataFrame:
    return disclosure.suppress_geography(frame, min_cell)


def test_a_suppressed_cell_blanks_every_figure_derived_from_it():
    out = protected(cells(("X", "all", "US", None, None, 20), ("X", "all", "DE", None, None, 9),
                          ("X", "all", "IS", None, None, 2)))
    small = out[out["country_iso2"] == "IS"].iloc[0]
    for column in ("people", "people_by_location", "people_by_company", "contributions", "people_share"):
        assert pd.isna(small[column]), column
    assert small["suppressed"] and small["people_total"] == 31  # denominators stay


def test_all_against_platforms_is_protected_too():
    # the brief's case: `all` has 6 people in a place, github 4 and gitee 2 of them
    frame = cells(("X", "all", "FR", None, None, 6), ("X", "all", "US", None, None, 30), ("X", "all", "DE", None, None, 8),
                  ("X", "github", "FR", None, None, 4), ("X", "github", "US", None, None, 20), ("X", "github", "DE", None, None, 8),
                  ("X", "gitee", "FR", None, None, 2), ("X", "gitee", "US", None, None, 10))
    out = protected(frame)
    hidden = set(map(tuple, out.loc[out["suppressed"], ["platform", "country_iso2"]].to_numpy()))
    # gitee's FR is US's complement on gitee; github's FR needs a partner; and `all`'s FR would be 4 + 2
    assert {("github", "FR"), ("gitee", "FR"), ("gitee", "US"), ("all", "FR")} <= hidden
    assert ("all", "US") not in hidden or ("all", "DE") in hidden


def test_suppressed_cells_that_add_up_to_a_small_number_take_a_larger_one_with_them():
    out = protected(cells(("X", "all", "US", None, None, 20), ("X", "all", "DE", None, None, 9),
                          ("X", "all", "IS", None, None, 1), ("X", "all", "NO", None, None, 2)))
    # IS and NO together are 3 (people_located minus the rest): DE goes too
    assert out.set_index("country_iso2")["suppressed"].to_dict() == {"US": False, "DE": True, "IS": True, "NO": True}


def test_the_unknown_row_is_never_suppressed_it_is_derivable_anyway():
    out = protected(cells(("X", "all", "US", None, None, 20), ("X", "all", None, None, None, 2)))
    assert not out["suppressed"].any()


def test_adopters_per_country_leave_no_small_remainder():
    frame = pd.DataFrame({"new_adopters_located": [4, 9, 12], "new_adopters_cn": [3, 5, 7],
                          "new_adopters_cn_share": [0.75, 5 / 9, 7 / 12],
                          "adopter_countries": ["CN 3, US 1", "CN 5, US 2, DE 2", "CN 7, US 5"]})
    out = disclosure.suppress_adopter_places(frame, 3)
    # 4 - 3 would be one adopter outside China; 2 + 2 hidden together are 4 (not one small group)
    assert out["adopter_countries"].tolist() == ["others", "CN 5, others", "CN 7, US 5"]
    assert pd.isna(out.at[0, "new_adopters_cn"]) and out["new_adopters_cn"].tolist()[1:] == [5, 7]


def test_hub_figures_of_few_people_are_blanked_with_what_they_imply():
    frame = pd.DataFrame({"framework": ["X", "Y"], "period": ["all", "all"], "people_located": [40, 40],
                          "people_cn": [30, 4], "cn_share_of_located": [0.75, 0.1], "people_cn_profiled": [20, 3],
                          "people_cn_with_city": [20, 3], "top_cities": [["Beijing", "Hefei", "Xi'an"], ["Hefei"]],
                          "top3_city_people": [4, 3], "top3_city_share": [0.2, 1.0], "people_cn_with_province": [20, 3],
                          "provinces": [5, 1], "hhi_provinces": [0.3, 1.0], "top_province": ["CN-BJ", "CN-AH"],
                          "top_province_share": [0.5, 1.0]})
    out = disclosure.suppress_hubs(frame, 5).set_index("framework")
    assert out.at["X", "people_cn"] == 30 and out.at["X", "top_province"] == "CN-BJ"  # 10 people in Beijing
    assert out.loc["X", ["top3_city_people", "top_cities", "top3_city_share"]].isna().all()  # 4 in three cities
    assert out["suppressed"].tolist() == [True, True]
    assert out.loc["Y", ["people_cn", "people_cn_profiled", "top_cities", "hhi_provinces", "top_province"]].isna().all()
    # 38 of 40 in mainland China would say that 2 people are elsewhere
    outside = disclosure.suppress_hubs(frame.assign(people_cn=[38, 4]), 5).set_index("framework")
    assert outside.loc["X", ["people_cn", "cn_share_of_located"]].isna().all()


def adversarial_cells() -> pd.DataFrame:
    """A framework on two platforms where every small cell has one published difference that gives it away:
    Shanghai's 3 is people_located minus the rest; France's 4 on GitHub and 2 on Gitee, and Beijing's 2 on
    Gitee, are their `all` cells minus the other platform's; CN's cells add up to mart_china_hubs' people_cn."""
    X = "X"
    frame = cells((X, "all", "US", None, None, 30), (X, "all", "DE", None, None, 8), (X, "all", "FR", None, None, 6),
                  (X, "all", "CN", "CN-BJ", "Beijing", 12), (X, "all", "CN", "CN-SH", "Shanghai", 3),
                  (X, "all", "CN", None, None, 7), (X, "all", None, None, None, 4),
                  (X, "github", "US", None, None, 20), (X, "github", "DE", None, None, 8), (X, "github", "FR", None, None, 4),
                  (X, "github", "CN", "CN-BJ", "Beijing", 10), (X, "github", "CN", "CN-SH", "Shanghai", 3),
                  (X, "github", None, None, None, 4),
                  (X, "gitee", "US", None, None, 10), (X, "gitee", "FR", None, None, 2),
                  (X, "gitee", "CN", "CN-BJ", "Beijing", 2), (X, "gitee", "CN", None, None, 7))
    frame["located_people_share"] = (frame["people"] / frame["people_located"]).where(~frame["is_unknown"])
    frame["people_by_email_domain"] = 0
    return frame


@pytest.fixture()
def adversarial_db(tmp_path: Path) -> Path:
    paths = StatePaths.for_db(tmp_path / "adversarial.duckdb")
    paths.state.mkdir(parents=True)
    con = duckdb.connect(str(paths.work_db))
    geography = adversarial_cells()  # noqa: F841 (read by name by DuckDB)
    con.execute("CREATE TABLE mart_contributor_geography AS SELECT * FROM geography")
    con.execute("""CREATE TABLE mart_country_geography AS
                   SELECT framework, platform, country_iso2, bool_or(is_unknown) AS is_unknown, sum(people) AS people,
                          any_value(people_total) AS people_total, sum(people) / any_value(people_total) AS people_share,
                          any_value(people_located) AS people_located,
                          coalesce(sum(people) FILTER (WHERE region IS NOT NULL), 0) AS people_with_region,
                          sum(contributions) AS contributions, sum(people_by_location) AS people_by_location,
                          sum(people_by_company) AS people_by_company, sum(people_by_email_domain) AS people_by_email_domain
                   FROM geography GROUP BY framework, platform, country_iso2""")
    con.execute("""CREATE TABLE mart_china_hubs AS SELECT 'X' AS framework, 'all' AS period, 66 AS people_located,
                   22 AS people_cn, 22 / 66 AS cn_share_of_located, 15 AS people_cn_profiled, 15 AS people_cn_with_city,
                   ['Beijing', 'Shanghai'] AS top_cities, 15 AS top3_city_people, 1.0 AS top3_city_share,
                   15 AS people_cn_with_province, 2 AS provinces, 0.68 AS hhi_provinces, 'CN-BJ' AS top_province,
                   0.8 AS top_province_share""")
    con.close()
    publish(paths)
    return paths.db


def test_complementary_suppression_defeats_differences(adversarial_db, tmp_path, monkeypatch):
    export(adversarial_db, tmp_path / "public", public=True, min_cell=5)
    assert recovered_small_cells(tmp_path / "public", adversarial_db, 5) == {}
    # the same export with primary suppression only: the differences give the small cells away
    monkeypatch.setattr(disclosure, "complementary", lambda people, primary, relations, min_cell: primary)
    export(adversarial_db, tmp_path / "primary-only", public=True, min_cell=5)
    recovered = recovered_small_cells(tmp_path / "primary-only", adversarial_db, 5)
    assert {("X", "all", "CN", "CN-SH", "Shanghai"), ("X", "gitee", "FR", "", "")} <= set(recovered)


def test_country_totals_are_suppressed_together_with_their_cells(adversarial_db, tmp_path, monkeypatch):
    export(adversarial_db, tmp_path / "public", public=True, min_cell=5)
    assert recovered_small_cells(tmp_path / "public", adversarial_db, 5) == {}
    countries = read_csv(tmp_path / "public" / "mart_country_geography.csv")
    assert all(r["people"] == "" or int(r["people"]) >= 5 or r["is_unknown"] == "True" for r in countries)
    # country totals suppressed on their own (no link to their cells or to each other) give cells away
    monkeypatch.setattr(disclosure, "country_relations", lambda cells, countries: [])
    export(adversarial_db, tmp_path / "apart", public=True, min_cell=5)
    recovered = recovered_small_cells(tmp_path / "apart", adversarial_db, 5)
    assert ("X", "github", "FR", "*", "*") in recovered or ("X", "github", "FR", "", "") in recovered, recovered


def test_country_totals_cannot_be_protected_without_their_cells():
    with pytest.raises(ValueError, match="together"):
        disclosure.protect(disclosure.COUNTRIES, pd.DataFrame(), disclosure.Policy(min_cell=5, key=b"k"))


@pytest.fixture()
def scenario_db(marts, tmp_path: Path) -> Path:
    """The warehouse tests' hand-made ecosystem (people on GitHub, Gitee and GitLab, every model built by
    the real SQL), copied into a database of its own."""
    path = tmp_path / "scenario.duckdb"
    database = marts.execute("SELECT current_database()").fetchone()[0]
    marts.execute(f"ATTACH '{path}' AS scenario")
    try:
        marts.execute(f"COPY FROM DATABASE {database} TO scenario")
    finally:
        marts.execute("DETACH scenario")
    return path


@pytest.mark.parametrize("min_cell", [2, 5])
def test_the_attacker_recovers_nothing_from_a_public_export_of_the_warehouse_scenario(scenario_db, tmp_path, min_cell):
    truth = true_cells(scenario_db)
    platforms = {k[1] for k in truth}
    assert {"all", "github", "gitee"} <= platforms and any(n < min_cell for n in truth.values())
    export(scenario_db, tmp_path / "public", public=True, min_cell=min_cell)
    assert recovered_small_cells(tmp_path / "public", scenario_db, min_cell) == {}
    naive = recovered_small_cells(naive_export(scenario_db, tmp_path / "naive", min_cell), scenario_db, min_cell)
    assert naive  # the attack works where the protection is missing


def test_the_cli_takes_the_catalogues_min_cell_and_refuses_public_identified_exports(adversarial_db, tmp_path, capsys):
    from oss_miner.cli import main

    catalogue = tmp_path / "catalogue.toml"
    catalogue.write_text(f'extends = "{default_config_path().resolve()}"\n\n[privacy]\nmin_cell_people = 3\n')
    assert main(["export", "--db", str(adversarial_db), "--out", str(tmp_path / "three"), "--public",
                 "--config", str(catalogue)]) == 0
    assert main(["export", "--db", str(adversarial_db), "--out", str(tmp_path / "five"), "--public"]) == 0
    hidden = {name: sum(r["suppressed"] == "True" for r in read_csv(tmp_path / name / "mart_contributor_geography.csv"))
              for name in ("three", "five")}
    assert 0 < hidden["three"] < hidden["five"]
    capsys.readouterr()
    assert main(["export", "--db", str(adversarial_db), "--public", "--identify"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --public and --identify") and err.count("\n") == 1


# -- a sandbox mined by the flow with a catalogue of its own ------------------------------------------

@pytest.fixture(scope="module")
def mined(prefect_api, tmp_path_factory) -> tuple[Path, Path, Path]:
    """(database, catalogue, the flow's output folder) of one flow run on the sandbox (Jittor only), with a
    catalogue whose [privacy] min_cell_people is CUSTOM_MIN_CELL."""
    from flows.mine import mine

    root = tmp_path_factory.mktemp("disclosure")
    catalogue = root / "catalogue.toml"
    catalogue.write_text(f'extends = "{default_config_path(sandbox=True).resolve()}"\n\n'
                         f"[privacy]\nmin_cell_people = {CUSTOM_MIN_CELL}\n")
    options = SandboxOptions(seed=7, scale=1.0, code_search_limit=None, catalogue_path=str(catalogue))
    with SandboxServer(options) as sandbox, sandbox.applied():
        db = root / "data" / "oss_miner.duckdb"
        mine(db=str(db), sandbox=True, config=str(catalogue), out=str(root / "out"), frameworks=["Jittor"])
    return db, catalogue, root / "out"


def naive_export(db: Path, out: Path, min_cell: int) -> Path:
    """The geography as exports wrote it before disclosure.py: small cells' people and shares blanked,
    nothing else (the attacker must win against it, or the attack proves nothing)."""
    out.mkdir(parents=True)
    con = duckdb.connect(str(db), read_only=True)
    frame = con.execute("SELECT * FROM mart_contributor_geography").df()
    con.close()
    small = frame["people"] < min_cell
    for column in ("people", "people_share", "located_people_share", "contributions", "contributions_share"):
        frame[column] = frame[column].astype(object).mask(small)
    frame.to_csv(out / "mart_contributor_geography.csv", index=False)
    return out


def test_the_attacker_wins_against_the_old_export(mined, tmp_path):
    db, _, _ = mined
    recovered = recovered_small_cells(naive_export(db, tmp_path / "naive", 5), db, 5)
    assert len(recovered) > 10


@pytest.mark.parametrize("min_cell", [CUSTOM_MIN_CELL, 5])
def test_the_attacker_recovers_no_small_cell_from_a_public_export(mined, tmp_path, min_cell):
    db, _, _ = mined
    out = tmp_path / "public"
    export(db, out, public=True, min_cell=min_cell)
    truth = true_cells(db)
    assert any(n < min_cell for n in truth.values())  # there is something to protect
    assert recovered_small_cells(out, db, min_cell) == {}
    shown = [r for r in read_csv(out / "mart_contributor_geography.csv") if r["people"] != ""]
    assert shown and all(int(r["people"]) >= min_cell or r["is_unknown"] == "True" for r in shown)


def real_account_ids(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {str(i) for (i,) in con.execute("SELECT account_id FROM mart_accounts").fetchall()}
    finally:
        con.close()


def exported_values(out: Path) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    for path in out.glob("mart_*.csv"):
        for row in read_csv(path):
            for column, value in row.items():
                values.setdefault(f"{path.stem}.{column}", set()).add(value)
    return values


def test_no_id_leads_back_to_an_account(mined, tmp_path):
    db, _, _ = mined
    ids = real_account_ids(db)
    assert min(len(i) for i in ids) >= 4  # ids, not counts: a match would be a look-up, not chance
    export(db, tmp_path / "default")  # one row per account, but no account's id
    for column, values in exported_values(tmp_path / "default").items():
        assert not values & ids, column
        assert not any(":" in v and v.split(":", 1)[1] in ids for v in values), column  # identities
    shutil.copytree(tmp_path / "default", tmp_path / "public")  # a folder an earlier export wrote into
    export(db, tmp_path / "public", public=True)
    names = {p.name for p in (tmp_path / "public").iterdir()}
    assert "mart_contributor_geography.csv" in names
    assert not names & {"mart_accounts.csv", "mart_identities.csv"}
    dictionary = read_csv(tmp_path / "public" / "README.csv")
    assert not {"account_id", "person_key", "login", "identity"} & {r["column"] for r in dictionary}
    named = exported_values(export_identified(db, tmp_path / "named"))
    assert named["mart_accounts.account_id"] == ids  # --identify still gives analysts with a legal basis the ids


def export_identified(db: Path, out: Path) -> Path:
    export(db, out, identify=True)
    return out


def test_the_flow_suppresses_with_its_catalogues_min_cell(mined, tmp_path):
    db, catalogue, flow_out = mined
    truth = true_cells(db)
    rows = read_csv(flow_out / "mart_contributor_geography.csv")
    shown = {int(r["people"]) for r in rows if r["people"] != "" and r["is_unknown"] != "True"}
    hidden = [r for r in rows if r["suppressed"] == "True"]
    assert min(shown) == CUSTOM_MIN_CELL  # cells of 2 people are shown: the default (5) was not used
    assert hidden and all(r["people"] == "" and r["people_by_location"] == "" for r in hidden)
    assert any(truth[(r["framework"], r["platform"], r["country_iso2"], r["region"], r["city"])] < CUSTOM_MIN_CELL
               for r in hidden)
    export(db, tmp_path / "pq", fmt="parquet", catalogue=load_config(catalogue))
    parquet = pd.read_parquet(tmp_path / "pq" / "mart_contributor_geography.parquet")
    assert parquet["suppressed"].sum() == len(hidden)
    assert parquet.loc[~parquet["suppressed"] & ~parquet["is_unknown"], "people"].min() == CUSTOM_MIN_CELL
    page = (flow_out / "report.html").read_text(encoding="utf-8")
    assert f"fewer than {CUSTOM_MIN_CELL} people" in page
    # the report's geography chart shows the suppressed cells as one segment: what the export hides
    policy = disclosure.policy_for(db, catalogue=load_config(catalogue))
    segment = report._frames(db, policy)[0]["geography"].query("country == 'suppressed'")["people"].sum()
    all_rows = [r for r in rows if r["platform"] == "all"]
    assert segment == int(all_rows[0]["people_total"]) - sum(int(r["people"]) for r in all_rows if r["people"] != "")


# -- the stamp ------------------------------------------------------------------------------------------

def as_live(db: Path, folder: Path) -> Path:
    """A copy of the database whose ledger says its runs mined the real forges."""
    folder.mkdir()
    copy = shutil.copy(db, folder / "live.duckdb")
    con = duckdb.connect(str(copy))
    con.execute("UPDATE runs SET parameters = replace(parameters, '\"sandbox\": true', '\"sandbox\": false')")
    con.execute("UPDATE runs SET synthetic = false")  # what the ledger records of a run on the real forges
    con.close()
    return Path(copy)


def stamps(out: Path, fmt: str) -> dict[str, str | None]:
    """What each kind of output says about the data: README's label column, Parquet metadata, PNG metadata,
    the page's title."""
    found: dict[str, str | None] = {}
    if fmt == "csv":
        with (out / "README.csv").open(newline="", encoding="utf-8-sig") as handle:
            found["readme"] = next(csv.DictReader(handle))["data_label"] or None
    else:
        metadata = pq.read_metadata(out / "mart_contributor_geography.parquet").metadata
        found["parquet"] = metadata.get(b"data_label", b"").decode() or None
    for png in out.glob("*.png"):
        found[png.name] = Image.open(png).text.get("Description")
    if (out / "report.html").exists():
        page = (out / "report.html").read_text(encoding="utf-8")
        title = page.split("<title>", 1)[1].split("</title>", 1)[0]
        found["title"] = SYNTHETIC_LABEL if SYNTHETIC_LABEL in title else None
        found["banner"] = SYNTHETIC_LABEL if 'class="stamp"' in page else None
    return found


def test_sandbox_output_is_stamped_synthetic(mined, tmp_path):
    db, _, flow_out = mined
    found = stamps(flow_out, "csv")
    assert len(found) == 7 and set(found.values()) == {SYNTHETIC_LABEL}, found  # README, 4 PNGs, title, banner
    export(db, tmp_path / "pq", fmt="parquet")
    assert stamps(tmp_path / "pq", "parquet") == {"parquet": SYNTHETIC_LABEL}
    assert pd.read_parquet(tmp_path / "pq" / "README.parquet")["data_label"].eq(SYNTHETIC_LABEL).all()


def test_live_output_carries_no_stamp(mined, tmp_path):
    live = as_live(mined[0], tmp_path / "db")
    export(live, tmp_path / "csv")
    report.report(live, tmp_path / "csv")
    export(live, tmp_path / "pq", fmt="parquet")
    found = {**stamps(tmp_path / "csv", "csv"), **stamps(tmp_path / "pq", "parquet")}
    assert len(found) == 8 and set(found.values()) == {None}, found
    assert SYNTHETIC_LABEL not in (tmp_path / "csv" / "report.html").read_text(encoding="utf-8")


def test_charts_are_stamped_on_their_face(tmp_path):
    import matplotlib.pyplot as plt

    texts: list[str] = []
    with report._stamped(SYNTHETIC_LABEL):
        fig, _ = plt.subplots()
        original = plt.close
        plt.close = lambda f=None: texts.extend(t.get_text() for t in fig.texts) or original(f)
        try:
            report._save(fig, tmp_path / "x.png")
        finally:
            plt.close = original
    assert SYNTHETIC_LABEL in texts
