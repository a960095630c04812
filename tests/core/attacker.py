"""An attacker with a public export and the arithmetic the marts invite: which suppressed geography cells
can they rebuild? Used by the disclosure tests against exports of real warehouses.

The attacker reads mart_contributor_geography.csv (and mart_china_hubs.csv), and tries, until nothing
new comes:
- what a suppressed row still shows (its people_by_* tiers, its shares times their denominators);
- differences across rows: people_located (or people_total) minus the published cells of a framework
  and platform;
- the hierarchy: mainland China's people (mart_china_hubs' people_cn) minus the published CN cells, and
  people_located minus people_cn minus the published cells elsewhere;
- `all` against the per-platform tables: a place's `all` cell minus its published platform cells, or the
  sum of its platform cells;
- country totals (mart_country_geography.csv): a country's total minus its published cells, the total of a
  country whose cells are all known, people_located minus the other countries' totals, and `all` against
  the platforms; a small country total is a cell of its own (key: region and city "*").
A cell counts as recovered when a derived value equals its true people count and that count is below the
minimum cell size (the truth comes from the database the export was made from).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb

PLATFORMS = ("github", "gitee", "gitlab")
Key = tuple[str, str, str, str, str]  # framework, platform, country_iso2, region, city ("" for NULL)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def key_of(row: dict[str, str]) -> Key:
    return (row["framework"], row["platform"], row["country_iso2"], row["region"], row["city"])


COUNTRY = "*"  # region and city of a country total's key


def country_key(row: dict[str, str]) -> Key:
    return (row["framework"], row["platform"], row["country_iso2"], COUNTRY, COUNTRY)


def true_cells(db: Path) -> dict[Key, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""SELECT framework, platform, coalesce(country_iso2, ''), coalesce(region, ''),
                                     coalesce(city, ''), people FROM mart_contributor_geography""").fetchall()
        has_countries = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mart_country_geography'").fetchone()[0]
        if has_countries:
            rows += con.execute(f"""SELECT framework, platform, country_iso2, '{COUNTRY}', '{COUNTRY}', people
                                    FROM mart_country_geography WHERE NOT is_unknown""").fetchall()
    finally:
        con.close()
    return {tuple(r[:5]): int(r[5]) for r in rows}


def _number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


class Attacker:
    def __init__(self, export: Path):
        self.rows = read_csv(export / "mart_contributor_geography.csv")
        hubs = export / "mart_china_hubs.csv"
        self.hubs = read_csv(hubs) if hubs.exists() else []
        countries = export / "mart_country_geography.csv"
        self.countries = [r for r in read_csv(countries) if r["is_unknown"] != "True"] if countries.exists() else []
        self.known: dict[Key, float] = {}  # what the attacker knows of each cell (published or derived)
        self.derived: dict[Key, float] = {}  # the blanks they filled in
        for row in self.rows:
            if row["people"] != "":
                self.known[key_of(row)] = float(row["people"])
        for row in self.countries:
            if row["people"] != "":
                self.known[country_key(row)] = float(row["people"])

    def attack(self) -> dict[Key, float]:
        self._what_blanks_still_show()
        while self._differences():
            pass
        return self.derived

    def _learn(self, key: Key, value: float) -> bool:
        if key in self.known:
            return False
        self.known[key] = self.derived[key] = round(value)
        return True

    def _what_blanks_still_show(self) -> None:
        for key, row in [(key_of(r), r) for r in self.rows] + [(country_key(r), r) for r in self.countries]:
            if row["people"] != "":
                continue
            tiers = [_number(row[c]) for c in row if c.startswith("people_by_")]
            if tiers and all(t is not None for t in tiers):
                self._learn(key, sum(tiers))
            for share, denominator in (("people_share", "people_total"), ("located_people_share", "people_located")):
                s, d = _number(row.get(share, "")), _number(row.get(denominator, ""))
                if s is not None and d is not None:
                    self._learn(key, s * d)

    def _differences(self) -> bool:
        learnt = False
        for cells, total in self._relations():
            unknown = [k for k in cells if k not in self.known]
            if total is not None and len(unknown) == 1:
                learnt |= self._learn(unknown[0], total - sum(self.known[k] for k in cells if k in self.known))
        for cells, total in self._country_sums():  # a total whose parts are all known, or a part of a known total
            unknown = [k for k in [*cells, total] if k not in self.known]
            if len(unknown) != 1:
                continue
            parts = sum(self.known[k] for k in cells if k in self.known)
            learnt |= self._learn(total, parts) if unknown[0] == total else \
                self._learn(unknown[0], self.known[total] - parts)
        learnt |= self._platform_sums()
        return learnt

    def _country_sums(self) -> list[tuple[list[Key], Key]]:
        """(parts, total) pairs of keys: a country's cells and its total; a country's platform totals and its
        `all` total."""
        sums = []
        for row in self.countries:
            country = country_key(row)
            cells = [key_of(r) for r in self.rows if key_of(r)[:3] == country[:3]]
            sums.append((cells, country))
            if row["platform"] == "all":
                platforms = [country_key(r) for r in self.countries
                             if r["platform"] != "all" and (r["framework"], r["country_iso2"]) == (country[0], country[2])]
                if platforms:
                    sums.append((platforms, country))
        return sums

    def _relations(self) -> list[tuple[list[Key], float | None]]:
        """(cells, their published or known total) for every sum the attacker can write."""
        by_platform: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for row in self.rows:
            by_platform[(row["framework"], row["platform"])].append(row)
        relations: list[tuple[list[Key], float | None]] = []
        for rows in by_platform.values():
            located = [key_of(r) for r in rows if r["is_unknown"] != "True"]
            relations.append((located, _number(rows[0]["people_located"])))
            relations.append(([key_of(r) for r in rows], _number(rows[0]["people_total"])))
        for (framework, platform), rows in by_platform.items():  # the country totals add up to people_located
            totals = [country_key(r) for r in self.countries if (r["framework"], r["platform"]) == (framework, platform)]
            if totals:
                relations.append((totals, _number(rows[0]["people_located"])))
        for hub in self.hubs:
            if hub["period"] == "all" and hub["people_cn"] != "":
                rows = [r for r in by_platform.get((hub["framework"], "all"), []) if r["is_unknown"] != "True"]
                cn = [key_of(r) for r in rows if r["country_iso2"] == "CN"]
                relations.append((cn, float(hub["people_cn"])))
                # and the rest of the world: people_located minus mainland China's
                if rows and rows[0]["people_located"] != "":
                    others = [key_of(r) for r in rows if r["country_iso2"] != "CN"]
                    relations.append((others, float(rows[0]["people_located"]) - float(hub["people_cn"])))
        for place, platforms in self._places().items():
            overall = (place[0], "all", *place[1:])
            if overall in self.known:
                relations.append((platforms, self.known[overall]))
        return relations

    def _places(self) -> dict[tuple[str, str, str, str], list[Key]]:
        places: dict[tuple[str, str, str, str], list[Key]] = defaultdict(list)
        for row in self.rows:
            if row["platform"] != "all":
                k = key_of(row)
                places[(k[0], *k[2:])].append(k)
        return places

    def _platform_sums(self) -> bool:
        learnt = False
        for place, platforms in self._places().items():
            overall = (place[0], "all", *place[1:])
            if all(k in self.known for k in platforms) and any(k == overall for k in map(key_of, self.rows)):
                learnt |= self._learn(overall, sum(self.known[k] for k in platforms))
        return learnt


def recovered_small_cells(export: Path, db: Path, min_cell: int) -> dict[Key, int]:
    """The suppressed cells below min_cell whose true people count the attacker derives exactly."""
    truth = true_cells(db)
    derived = Attacker(export).attack()
    return {k: truth[k] for k, v in derived.items() if k in truth and truth[k] < min_cell and v == truth[k]}
