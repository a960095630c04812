"""From the names found in a string to one place: the country that explains most of them wins.

Each name found is a *mention* with several readings (Place). "Cambridge, MA" has readings of Cambridge in
GB and US and of MA as Massachusetts and Morocco; only the US explains both, so the US wins and the city
reading consistent with the state is kept. When no country explains every mention, the string names
several places ("Shanghai / Tokyo"): the first place wins and the method says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from oss_miner.geo.gazetteer import Index, Place
from oss_miner.geo.text import Segment, compact, is_cjk, script_country

_MAX_NGRAM = 8
# Words that never name a place alone, though they may be part of a name ("New York City").
STOPWORDS = frozenset("""
the a an of and in at on from to for by with my our your i im am is are was be live living based near
city town village state province county district area region metro metropolitan greater capital
north south east west northern southern eastern western central upper lower new old great little
sheng shi province prefecture zizhiqu municipality suburb suburbs downtown street st rd road avenue ave
love hello hi world home here there somewhere planet work working remote office company inc ltd
university college school institute lab campus student dev developer engineer software
de da do das dos del la las los el en y e em no na und der die le les du des et von van den
republic kingdom federation united country nation people s r p
""".split())
_CHINA_BUT_OWN_CODE = ("HK", "MO", "TW")
_CHINESE_SCRIPT_COUNTRIES = frozenset({"CN", "HK", "MO", "TW"})
_SHORT_CODE_KINDS = frozenset({"code", "nickname", "abbreviation", "cnabbr"})
_SCORED_KINDS = frozenset({"country", "region", "city", "code", "flag", "nickname", "abbreviation", "cnabbr",
                           "institution"})
_EXPLICIT_KINDS = frozenset({"country", "nickname"})
_TOWN_KINDS = frozenset({"city", "institution"})
_NAMESAKE_SHARE = 0.6
# "Austin, TX": a state code after a place name is as telling as a country code.
_ABBREVIATION_AFTER_NAME = 3.5


@dataclass(frozen=True)
class Mention:
    position: int
    part: int
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Resolution:
    country: str
    region: str | None
    city: str | None
    confidence: float
    several_places: bool
    evidence: float  # weight of the strongest reading chosen


def mentions(segments: list[Segment], index: Index) -> list[Mention]:
    """Every name found, in order, with all its readings; the longest name wins where names overlap."""
    found: list[Mention] = []
    joined = 0  # "Shenzhen and Hong Kong" names two places; "Trinidad and Tobago" (one name) does not
    for segment_number, segment in enumerate(segments):
        words = segment.tokens
        start = 0
        while start < len(words):
            part = segment.part * 100 + joined
            if is_cjk(words[start]):
                found.extend(_cjk_mentions(words[start], index, part, len(found)))
                start += 1
                continue
            length, places = _longest_match(words, start, index, after_name=segment_number > 0,
                                            alone=len(segments) == 1)
            if places:
                found.append(Mention(len(found), part, places))
            elif words[start] == "and":
                joined += 1
            start += max(length, 1)
    return [mention for mention in found if mention.places]


def _longest_match(words: tuple[str, ...], start: int, index: Index, after_name: bool,
                   alone: bool) -> tuple[int, tuple[Place, ...]]:
    for length in range(min(_MAX_NGRAM, len(words) - start), 0, -1):
        ngram = words[start:start + length]
        if any(is_cjk(word) for word in ngram):
            continue
        name = " ".join(ngram)
        places = index.names.get(name) or _written_together(name, length, index)
        if length == 1 and places:
            places = _single_word_places(name, places, words, start, after_name and not alone, index,
                                         alone and len(words) == 1)
        if places:
            # A phrase known to name no place ("none", "Earth") silences the towns that share its spelling.
            if any(place.kind == "none" for place in places):
                return length, ()
            return length, tuple(places)
        if length == 1:
            return 1, ()
    return 1, ()


def _written_together(name: str, length: int, index: Index) -> list[Place] | None:
    """"hongkong" is "Hong Kong"; "Bei Jing" is Beijing, but "Li Wei" is a person, not a place: only Chinese
    place names are read from their syllables written apart."""
    if length == 1:
        return index.compact_names.get(name)
    places = index.names.get(compact(name)) or []
    return [place for place in places if place.country in _CHINESE_SCRIPT_COUNTRIES and place.kind != "code"]


def _single_word_places(word: str, places: list[Place], words: tuple[str, ...], start: int,
                        after_name: bool, index: Index, alone: bool) -> list[Place]:
    """A lone short word is a code only where people put codes: alone, or last after a name."""
    if word.isdigit():
        return []
    stopword = word in STOPWORDS
    whole = len(words) == 1
    last_after_name = start == len(words) - 1 and (
        start > 0 and words[start - 1] not in STOPWORDS or start == 0 and after_name)
    beside_country = not stopword and any(
        place.kind in _EXPLICIT_KINDS for neighbour in words[max(start - 1, 0):start + 2] if neighbour != word
        for place in index.names.get(neighbour, ()))
    kept = []
    for place in places:
        if place.kind in _SHORT_CODE_KINDS:
            # "Toronto, ON", "Portland, OR" and "SZ China", but not "living on earth" nor "Li Wei".
            if not (last_after_name or beside_country or whole and not stopword or alone):
                continue
        elif stopword and place.kind != "none":
            continue
        if place.kind == "city" and len(word) < 4 and not whole:
            continue
        if place.kind == "abbreviation" and last_after_name:
            # US state codes are by far the commonest use of this pattern ("Haleyville, AL").
            place = place._replace(weight=_ABBREVIATION_AFTER_NAME + 0.1 * (place.country == "US"))
        kept.append(place)
    return kept


def _cjk_mentions(run: str, index: Index, part: int, numbered_from: int) -> list[Mention]:
    """Chinese, Japanese and Korean are written without spaces: take the longest known name at each point."""
    found = []
    position = 0
    prefer = script_country(run)
    while position < len(run):
        for length in range(min(index.longest_cjk, len(run) - position), 1, -1):
            places = index.cjk_names.get(run[position:position + length])
            if places:
                if prefer and any(place.country == prefer for place in places):
                    places = [place for place in places if place.country == prefer]
                found.append(Mention(numbered_from + len(found), part, tuple(places)))
                position += length
                break
        else:
            position += 1
    return found


def resolve(found: list[Mention]) -> Resolution | None:
    """The country explaining most mentions (ties: the strongest, then the earliest), then region and city."""
    scored = [mention for mention in found if any(place.kind in _SCORED_KINDS for place in mention.places)]
    if not scored:
        return None
    parts = sorted({mention.part for mention in scored})
    verdict = _best_country(scored)
    if verdict is None:
        return None
    country, covered = verdict
    several = covered < len(scored)
    if several and len(parts) > 1:
        first_part = [mention for mention in scored if mention.part == parts[0]]
        first = _best_country(first_part)
        if first is not None:
            country, covered = first
            scored = first_part
    chosen = _choose_places(scored, country)
    return Resolution(country, *_region_and_city(chosen), _confidence(chosen, several), several,
                      max(place.weight for place in chosen))


def _best_country(scored: list[Mention]) -> tuple[str, int] | None:
    coverage: dict[str, int] = defaultdict(int)
    strength: dict[str, float] = defaultdict(float)
    explicit: set[str] = set()
    earliest: dict[str, int] = {}
    named_regions = {(place.country, place.region) for mention in scored for place in mention.places
                     if place.kind not in _TOWN_KINDS and place.region}
    # Countries named, or holding a region named, by each mention: a town of unknown region may lie in them.
    named_by = [{place.country for place in mention.places if place.kind not in _TOWN_KINDS}
                for mention in scored]
    for number, mention in enumerate(scored):
        named_elsewhere = set().union(*(named for other, named in enumerate(named_by) if other != number))
        best_here: dict[str, float] = {}
        qualified: set[str] = set()
        for place in mention.places:
            if place.country and place.kind in _SCORED_KINDS:
                best_here[place.country] = max(best_here.get(place.country, 0.0), place.weight)
                if place.kind in _EXPLICIT_KINDS and place.region is None:  # "UK" is a country, "DC" is not
                    explicit.add(place.country)
                if place.kind not in _TOWN_KINDS or (place.country, place.region) in named_regions or (
                        place.region is None and place.country in named_elsewhere):
                    qualified.add(place.country)
            if place.kind == "country" and place.country == "CN":
                # "Hong Kong, China" and "Taipei, China" are still HK and TW.
                for own_code in _CHINA_BUT_OWN_CODE:
                    best_here.setdefault(own_code, 0.0)
                    qualified.add(own_code)
        strongest_here = max(best_here.values(), default=0.0)
        for country, weight in best_here.items():
            # A small namesake town explains a mention only when a region named beside it agrees
            # ("Paris, Texas"), not by itself ("Paris and London" is not two Ontario towns).
            if country in qualified or weight >= _NAMESAKE_SHARE * strongest_here:
                strength[country] += weight
                coverage[country] += 1
                earliest.setdefault(country, mention.position)
    if not coverage:
        return None
    # A country named outright beats one guessed from a town of the same coverage ("Kent, UK").
    most, named = max((coverage[country], country in explicit) for country in coverage)
    tied = [country for country in coverage if (coverage[country], country in explicit) == (most, named)]
    strongest = max(strength[country] for country in tied)
    # Among equally covering countries, the first named wins unless it is much weaker ("Shanghai, Tokyo").
    contenders = [country for country in tied if strength[country] >= 0.8 * strongest]
    winner = min(contenders, key=lambda country: (earliest.get(country, len(scored)), -strength[country]))
    return winner, most


def _choose_places(scored: list[Mention], country: str) -> list[Place]:
    in_country = [[place for place in mention.places if place.country == country] for mention in scored]
    regions = {place.region for places in in_country for place in places
               if place.kind in ("region", "abbreviation") and place.region}
    chosen = []
    for places in in_country:
        if places:
            chosen.append(max(places, key=lambda place: (place.region in regions and place.kind != "region",
                                                          place.weight)))
    return chosen


def _region_and_city(chosen: list[Place]) -> tuple[str | None, str | None]:
    region = next((place.region for place in chosen if place.kind in ("region", "abbreviation")
                   and place.region), None)
    cities = [place for place in chosen if place.city]
    city_place = next((place for place in cities if region is None or place.region in (region, None)), None)
    if city_place is None and cities and region is None:
        city_place = cities[0]
    city = city_place.city if city_place else None
    if region is None and city_place is not None:
        region = city_place.region
    return region, city


def _confidence(chosen: list[Place], several: bool) -> float:
    kinds = {place.kind for place in chosen}
    strongest = max(place.weight for place in chosen)
    if "country" in kinds:
        base = 0.95 if len(chosen) > 1 else 0.9
    elif "region" in kinds:
        base = 0.85
    elif "city" in kinds or "institution" in kinds:
        base = min(0.9, 0.5 + 0.1 * strongest)
    else:
        base = 0.6
    if len(chosen) == 1 and kinds <= _SHORT_CODE_KINDS:
        base = min(base, 0.6)
    return round(base * (0.8 if several else 1.0), 3)

