"""Disclosure control for everything that leaves the database: exports, the report (and later the brief).

One `Policy` (from the catalogue in use: `[privacy] min_cell_people`, or an explicit `--min-cell`) and one
`protect(table, frame, policy)` for every mart, so that no output applies weaker rules than another:

- **Small cells.** A geography cell of fewer than `min_cell` people is suppressed: every count and share
  derived from it is blanked (people, the `people_by_*` tiers, contributions, shares, mean confidence), and
  a `suppressed` column says so.
- **Complementary suppression.** A blank is no protection when it is the difference of published figures.
  Each linear relation an attacker can write over the published cells is a `Relation`: the located cells of
  a framework and platform add up to `people_located`; the cells of a country (and of a province) add up to
  a total that mart_china_hubs may reveal; a place's `all` cell is the sum of its per-platform cells
  (exactly, for the people on one platform). Within each relation, a lone suppressed cell, or suppressed
  cells that add up to fewer than `min_cell` people under a published total, get the next-smallest cell
  suppressed too, until every relation holds at once (a fixed point).
- **The unknown row** (people no evidence could place) is `people_total - people_located`, two denominators
  every share needs: it is always derivable, names nobody's place, and is therefore never suppressed.
- **Ids.** Logins, account ids, person keys and identities leave only as keyed pseudonyms (HMAC-SHA256 with
  the installation's key, stable across exports) unless `identify` is set.
- **Public profile.** `public` exports leave out every table with one row per person or account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from oss_miner.config import Catalogue, default_config_path, load_config
from oss_miner.errors import UserError
from oss_miner.privacy import load_hash_key
from oss_miner.runstate import StatePaths

GEOGRAPHY = "mart_contributor_geography"
COUNTRIES = "mart_country_geography"  # country totals of GEOGRAPHY's cells: suppressed together with them
HUBS = "mart_china_hubs"
ADOPTION = "mart_downstream_adoption"
INDICATORS = "mart_policy_indicators"
# indicators that count people in places: a share over fewer than min_cell people says where they are
PLACE_INDICATORS = ("top3_city_share", "province_hhi", "pilot_zone_")
GEO_COLUMNS = ("country_iso2", "region", "city")
PLACE = ("framework", "country_iso2", "region", "city")
# Columns that name a person or an account; a table holding one has one row per person or account.
PERSON_ID_COLUMNS = ("account_id", "person_key", "identity", "login")
SUPPRESSED_DESCRIPTION = ("added by the export: the cell (or row) had fewer people than the export's minimum "
                          "cell size, or was suppressed so that no such cell can be recovered from the "
                          "others; its counts and shares are blank")
PSEUDONYM_NOTE = " (a keyed pseudonym in exports, stable across exports of one installation, unless --identify)"



@dataclass(frozen=True)
class Policy:
    """How an output is protected: the minimum cell size, whether ids stay, whether it is for publication."""

    min_cell: int
    key: bytes = field(repr=False)  # the installation's hashing key; never written anywhere
    identify: bool = False
    public: bool = False


def policy_for(db: Path | str, *, catalogue: Catalogue | None = None, min_cell: int | None = None,
               identify: bool = False, public: bool = False) -> Policy:
    """The policy of an output of `db`: `min_cell` if given, else the catalogue's (the default catalogue's
    when none is given)."""
    if min_cell is None:
        catalogue = catalogue or load_config(default_config_path())
        min_cell = catalogue.privacy.min_cell_people
    if min_cell < 1:
        raise UserError("--min-cell must be at least 1")
    if public and identify:
        raise UserError("--public and --identify exclude each other: a public export names nobody")
    paths = StatePaths.for_db(Path(db))
    # without a state folder no key exists: a one-off key still pseudonymises, just not stably
    key = load_hash_key(paths.state) if paths.state.exists() else secrets.token_bytes(32)
    return Policy(min_cell=min_cell, identify=identify, public=public, key=key)


def per_person(columns: Iterable[str]) -> bool:
    """Whether a table with these columns has one row per person or account (left out of public exports)."""
    return any(_is_id_column(c) for c in columns)


def protect_tables(frames: Mapping[str, pd.DataFrame], policy: Policy) -> dict[str, pd.DataFrame]:
    """The marts (table name -> rows) as they may leave the database under `policy`, protected together:
    a country total of mart_country_geography is the sum of mart_contributor_geography's cells of that
    country, so the two are suppressed in one fixed point, never one without the other."""
    protected = dict(frames)
    if COUNTRIES in frames:
        if GEOGRAPHY not in frames:
            raise ValueError(f"{COUNTRIES} is protected only together with {GEOGRAPHY}")
        cells, countries = suppress_geography_and_countries(frames[GEOGRAPHY], frames[COUNTRIES], policy.min_cell)
        protected[GEOGRAPHY], protected[COUNTRIES] = _identified(cells, policy), _identified(countries, policy)
    return {table: frame if table in (GEOGRAPHY, COUNTRIES) and COUNTRIES in frames else protect(table, frame, policy)
            for table, frame in protected.items()}


def _identified(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    return frame if policy.identify else pseudonymise(frame, policy.key)


def protect(table: str, frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The rows of one `table` as they may leave the database under `policy` (country totals need
    `protect_tables`, with the cells they add up)."""
    if table == COUNTRIES:
        raise ValueError(f"{COUNTRIES} is protected only together with {GEOGRAPHY}: use protect_tables")
    frame = frame.copy()
    if table == GEOGRAPHY:
        frame = suppress_geography(frame, policy.min_cell)
    elif table == HUBS:
        frame = suppress_hubs(frame, policy.min_cell)
    elif table == ADOPTION:
        frame = suppress_adopter_places(frame, policy.min_cell)
    elif table == INDICATORS:
        frame = suppress_indicators(frame, policy.min_cell)
    elif per_person(frame.columns):
        frame = coarsen_places(frame, policy.min_cell)
    if not policy.identify:
        frame = pseudonymise(frame, policy.key)
    return frame


def added_columns(table: str) -> list[tuple[str, str, str]]:
    """(column, type, description) of the columns `protect` adds to a table, for the data dictionary."""
    return [("suppressed", "BOOLEAN", SUPPRESSED_DESCRIPTION)] if table in (GEOGRAPHY, COUNTRIES, HUBS, INDICATORS) else []


def exported_description(column: str, description: str, policy: Policy) -> str:
    """A column's dictionary description as the export writes it (pseudonymised ids say so)."""
    if not policy.identify and _is_id_column(column) and "pseudonym" not in description:
        return description + PSEUDONYM_NOTE
    return description


# -- small cells and complementary suppression ----------------------------------------------------

@dataclass(frozen=True)
class Relation:
    """Cells (row positions) whose people add up to a total: another cell, or a published figure (None)."""

    members: tuple[int, ...]
    total: int | None = None

    def cells(self) -> tuple[int, ...]:
        return self.members if self.total is None else (*self.members, self.total)


def geography_relations(frame: pd.DataFrame) -> list[Relation]:
    """Every sum over mart_contributor_geography's located cells an attacker can rely on (see the module)."""
    # a column the mart lacks is one value for every row ("" also stands for NULL: a level not given)
    keys = _place_keys(frame[~_unknown(frame)])
    platforms = _groups(keys, ["framework", "platform"])
    countries = _groups(keys, ["framework", "platform", "country_iso2"])
    regions = _groups(keys[keys["region"] != ""], ["framework", "platform", "country_iso2", "region"])
    relations = [Relation(tuple(rows)) for rows in platforms + countries + regions]
    # a part's total known, the rest of its whole is known too: the world outside a country, a country
    # outside a province
    relations += [Relation(_outside(part, whole)) for part in countries for whole in platforms
                  if len(part) > 1 and part[0] in whole]
    relations += [Relation(_outside(part, whole)) for part in regions for whole in countries
                  if len(part) > 1 and part[0] in whole]
    for rows in _groups(keys, list(PLACE)):
        overall = [r for r in rows if keys.at[r, "platform"] == "all"]
        per_platform = tuple(r for r in rows if keys.at[r, "platform"] != "all")
        if overall and per_platform:
            relations.append(Relation(per_platform, overall[0]))
    return [r for r in relations if len(r.cells()) > 1 and r.members]


def _outside(part: list[int], whole: list[int]) -> tuple[int, ...]:
    inside = set(part)
    return tuple(r for r in whole if r not in inside)


def _groups(keys: pd.DataFrame, by: list[str]) -> list[list[int]]:
    return [list(index) for index in keys.groupby(by, sort=False).groups.values()]


def complementary(people: pd.Series, primary: pd.Series, relations: list[Relation], min_cell: int) -> pd.Series:
    """Primary suppressions plus the cells that must be suppressed with them so that no relation gives any
    suppressed cell away: iterated until no relation asks for more."""
    suppressed = primary.copy()
    changed = True
    while changed:
        changed = False
        for relation in relations:
            cell = _cell_to_add(relation, people, suppressed, min_cell)
            if cell is not None:
                suppressed.at[cell] = True
                changed = True
    return suppressed


def _cell_to_add(relation: Relation, people: pd.Series, suppressed: pd.Series, min_cell: int) -> int | None:
    hidden = [c for c in relation.cells() if suppressed.at[c]]
    if not hidden:
        return None
    total_published = relation.total is None or not suppressed.at[relation.total]
    hidden_members = sum(int(people.at[c]) for c in hidden if c != relation.total)
    # one blank is the total minus the rest; several blanks under a published total reveal their sum
    if len(hidden) > 1 and not (total_published and hidden_members < min_cell):
        return None
    candidates = [c for c in relation.cells() if not suppressed.at[c]]
    if not candidates:
        return None  # nothing left to hide it with: every cell of the relation is already blank
    return min(candidates, key=lambda c: (int(people.at[c]), c))


def suppress_geography(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    people = frame["people"].fillna(0).astype(int)
    unknown = _unknown(frame)
    primary = (people < min_cell) & ~unknown
    suppressed = complementary(people, primary, geography_relations(frame), min_cell)
    frame = _flag(_blank(frame, suppressed, _cell_columns(frame)), suppressed)
    return frame[~_unplaceable(frame, min_cell)].reset_index(drop=True)


def suppress_geography_and_countries(cells: pd.DataFrame, countries: pd.DataFrame,
                                     min_cell: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Geography cells and their country totals as one problem: the country rows are cells too (indices
    after the geography cells), each the total of its country's cells, and adding up to people_located
    and across platforms like the cells do."""
    cells, countries = cells.reset_index(drop=True), countries.reset_index(drop=True)
    both = pd.concat([cells, countries], ignore_index=True)
    people = both["people"].fillna(0).astype(int)
    unknown = _unknown(both)
    primary = (people < min_cell) & ~unknown
    relations = geography_relations(cells) + country_relations(cells, countries)
    suppressed = complementary(people, primary, relations, min_cell)
    cell_rows, country_rows = suppressed.iloc[:len(cells)].reset_index(drop=True), suppressed.iloc[len(cells):]
    country_rows = country_rows.reset_index(drop=True)
    cells = _flag(_blank(cells, cell_rows, _cell_columns(cells)), cell_rows)
    countries = _flag(_blank(countries, country_rows, _cell_columns(countries)), country_rows)
    return (cells[~_unplaceable(cells, min_cell)].reset_index(drop=True),
            countries[~_unplaceable(countries, min_cell)].reset_index(drop=True))


def _unplaceable(frame: pd.DataFrame, min_cell: int) -> pd.Series:
    """The located rows of a framework and platform with fewer than min_cell located people. Every one of
    them is suppressed, yet people_located publishes their sum, and the rows themselves say where: a group
    whose only located row is China's says that its people_located are in China. Such a group publishes
    no place at all (people_located still says how many were located, not where)."""
    if "people_located" not in frame.columns:
        return pd.Series(False, index=frame.index)
    groups = [_place_keys(frame)[c] for c in ("framework", "platform")]  # a column the mart lacks: one group
    located = frame["people_located"].groupby(groups).transform("first").fillna(0)
    return (located < min_cell) & ~_unknown(frame)


def country_relations(cells: pd.DataFrame, countries: pd.DataFrame) -> list[Relation]:
    """The sums a country total takes part in; its row positions are offset by the number of cells."""
    offset = len(cells)
    located_cells = _place_keys(cells[~_unknown(cells)])
    located = _place_keys(countries[~_unknown(countries)])
    relations: list[Relation] = []
    for (framework, platform, country), rows in located.groupby(["framework", "platform", "country_iso2"]).groups.items():
        members = located_cells[(located_cells["framework"] == framework) & (located_cells["platform"] == platform)
                                & (located_cells["country_iso2"] == country)]
        total = offset + int(rows[0])
        relations.append(Relation(tuple(int(r) for r in members.index), total))  # the country = its cells
        with_region = members[members["region"] != ""]
        if len(with_region):  # people_with_region is published beside the total
            relations.append(Relation(tuple(int(r) for r in with_region.index)))
    for rows in _groups(located, ["framework", "platform"]):  # the countries add up to people_located
        relations.append(Relation(tuple(offset + r for r in rows)))
    for rows in _groups(located, ["framework", "country_iso2"]):  # `all` against the platforms
        overall = [offset + r for r in rows if located.at[r, "platform"] == "all"]
        per_platform = tuple(offset + r for r in rows if located.at[r, "platform"] != "all")
        if overall and per_platform:
            relations.append(Relation(per_platform, overall[0]))
    return [r for r in relations if len(r.cells()) > 1 and r.members]


def _place_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The place columns of a mart's rows as text ("" for a level not given), row positions kept."""
    keys = frame.reindex(columns=[*PLACE, "platform"]).astype(object)
    return keys.where(keys.notna(), "")


def _unknown(frame: pd.DataFrame) -> pd.Series:
    if "is_unknown" in frame.columns:
        return frame["is_unknown"].fillna(False).astype(bool)
    return frame["country_iso2"].isna()


def _cell_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a geography cell that come from its own people (denominators are the platform's)."""
    return [c for c in frame.columns if c in ("people", "contributions", "mean_confidence")
            or c.startswith(("people_by_", "people_with_")) or (c.endswith("_share") and c != "people_total")]


def _blank(frame: pd.DataFrame, rows: pd.Series, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        values = frame[column]
        if pd.api.types.is_integer_dtype(values):
            values = values.astype("Int64")  # keeps integers integers once cells are blanked
        elif values.dtype == object:
            values = values.astype(object)
        frame[column] = values.mask(rows)
    return frame


def _flag(frame: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    previous = frame["suppressed"] if "suppressed" in frame.columns else False
    frame["suppressed"] = rows.astype(bool) | previous
    return frame


HUB_PROFILE_COLUMNS = ("people_cn_profiled", "people_cn_with_city", "top_cities", "top3_city_people",
                       "top3_city_share", "people_cn_with_province", "provinces", "hhi_provinces",
                       "top_province", "top_province_share")


def suppress_hubs(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """mart_china_hubs publishes CN, province and city counts: each small one is blanked with what it implies."""
    frame = frame.reset_index(drop=True)
    # each figure with the people it counts; the top province's people are its share times its denominator
    top_province_people = (frame["top_province_share"] * frame["people_cn_with_province"]).round()
    # people_located minus people_cn are the located people outside mainland China: a small number of them
    # is a small cell too (often one country's row of mart_contributor_geography)
    outside = frame["people_located"] - frame["people_cn"]
    rules = [(frame["people_cn"].where(outside.fillna(0).eq(0) | outside.ge(min_cell), 0), ["people_cn", "cn_share_of_located"]),
             (frame["people_cn_profiled"], list(HUB_PROFILE_COLUMNS)),
             (frame["top3_city_people"], ["top_cities", "top3_city_people", "top3_city_share"]),
             (top_province_people, ["top_province", "top_province_share"])]
    small = [people.fillna(0) < min_cell for people, _ in rules]  # judged before any blanking
    frame["suppressed"] = False
    for rows, (_, columns) in zip(small, rules):
        frame = _flag(_blank(frame, rows, columns), rows)
    return frame


def suppress_adopter_places(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """New adopters per month and country are cells too, adding up to new_adopters_located: small countries
    leave the list, and so do the smallest shown ones while what the list leaves out is a small number; the
    CN count is shown only where the list shows it."""
    frame = frame.reset_index(drop=True)
    if "adopter_countries" not in frame.columns:
        return frame
    located = frame.get("new_adopters_located", pd.Series(None, index=frame.index, dtype="float"))
    shown = [_shown_countries(text, total, min_cell) for text, total in zip(frame["adopter_countries"], located)]
    frame["adopter_countries"] = [_listed(entries, text) for entries, text in zip(shown, frame["adopter_countries"])]
    if "new_adopters_cn" in frame.columns:
        hidden = pd.Series(["CN" not in entries for entries in shown], index=frame.index)
        frame = _blank(frame, hidden & frame["new_adopters_cn"].fillna(0).gt(0), ["new_adopters_cn", "new_adopters_cn_share"])
    return frame


def _shown_countries(text: object, total: object, min_cell: int) -> dict[str, int]:
    if not isinstance(text, str):
        return {}
    counts = {place: int(n) for place, n in (e.rsplit(" ", 1) for e in text.split(", ") if e) if n.isdigit()}
    shown = {place: n for place, n in counts.items() if n >= min_cell}
    left_out = (int(total) if total is not None and not pd.isna(total) else sum(counts.values())) - sum(shown.values())
    while shown and 0 < left_out < min_cell:  # the rest would be one small group: hide the smallest shown too
        place = min(shown, key=lambda p: (shown[p], p))
        left_out += shown.pop(place)
    return shown


def _listed(shown: dict[str, int], text: object) -> object:
    if not isinstance(text, str):
        return text
    entries = [f"{place} {n}" for place, n in sorted(shown.items(), key=lambda item: (-item[1], item[0]))]
    if len(shown) < text.count(",") + 1:
        entries.append("others")  # how many is new_adopters_located minus the rest: never a small number
    return ", ".join(entries)


def suppress_indicators(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Place indicators (hub concentration, pilot zones) over fewer than min_cell people, and place counts
    below min_cell, are blanked with their note (which may name the top cities)."""
    frame = frame.reset_index(drop=True)
    place = frame["indicator"].str.startswith(PLACE_INDICATORS)
    small_base = place & frame["denominator"].fillna(0).lt(min_cell) & frame["value"].notna()
    small_count = place & frame["indicator"].str.endswith("_people") & frame["value"].fillna(0).between(1, min_cell - 1)
    rows = small_base | small_count
    frame = _blank(frame, rows, ["value"])
    frame["confidence_note"] = frame["confidence_note"].where(~rows, frame["confidence_note"].str.replace(
        r"; top three: .*$", "", regex=True))
    frame["suppressed"] = rows
    return frame


def coarsen_places(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """One row per account: a place shared by fewer than min_cell accounts is coarsened (city, then region,
    then country blanked)."""
    geo = [c for c in GEO_COLUMNS if c in frame.columns]
    for depth in range(len(geo), 0, -1):
        keys = geo[:depth]
        sizes = frame.groupby(keys, dropna=False)[keys[0]].transform("size")
        for column in geo[depth - 1:]:
            frame[column] = frame[column].where(sizes >= min_cell, None)
    return frame


# -- ids --------------------------------------------------------------------------------------------

def _is_id_column(column: str) -> bool:
    return column in PERSON_ID_COLUMNS or column.endswith(("_login", "_account_id")) or column == "linked_to"


def pseudonymise(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Every column that names a person or an account, as keyed pseudonyms; an account's pseudonym is the
    same wherever it appears (account_id with its platform, or an identity `platform:id`)."""
    digest = _digester(key)
    for column in frame.columns:
        if column == "login" or column.endswith("_login"):
            # the same pseudonyms as exports before disclosure.py wrote, so that old and new exports join
            frame[column] = frame[column].map(lambda v: "user-" + digest(v.lower(), 12) if _text(v) else v)
        elif column == "account_id" or column.endswith("_account_id"):
            platforms = frame["platform"] if "platform" in frame.columns else pd.Series("", index=frame.index)
            frame[column] = [_account(digest, p, v) for p, v in zip(platforms, frame[column])]
        elif column == "person_key":
            frame[column] = frame[column].map(lambda v: "person-" + digest("person:" + v) if _text(v) else v)
        elif column == "identity":
            frame[column] = frame[column].map(lambda v: _identity(digest, v))
        elif column == "linked_to":
            frame[column] = frame[column].map(lambda vs: vs if vs is None else [_identity(digest, v) for v in vs])
    return frame


def _digester(key: bytes) -> Callable[..., str]:
    def digest(text: str, length: int = 16) -> str:
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
    return digest


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _account(digest: Callable[..., str], platform: object, account_id: object) -> object:
    if account_id is None or pd.isna(account_id):
        return None
    return "account-" + digest(f"account:{platform or ''}:{int(account_id)}")


def _identity(digest: Callable[..., str], identity: object) -> object:
    if not _text(identity):
        return identity
    kind, _, rest = str(identity).partition(":")
    if rest.lstrip("-").isdigit():  # an account: the same pseudonym as its account_id
        return _account(digest, kind, rest)
    return f"{kind}-" + digest(f"identity:{identity}")
