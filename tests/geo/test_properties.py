"""Any string at all: no exception, valid codes, confidence in range, the same answer every time."""

from __future__ import annotations

import pycountry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss_miner.geo import GeoResult, TIERS, locate, locate_company, locate_email_domain, locate_timezone

_COUNTRIES = {country.alpha_2 for country in pycountry.countries} | {"XK"}
_REGIONS = {subdivision.code for subdivision in pycountry.subdivisions} | {"GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR"}

_place_words = st.sampled_from(["Beijing", "北京", "Paris", ",", " / ", "CA", "México", "台北", "Hong Kong",
                                "🇨🇳", "\x00", "\u200b", "，", "São", "Georgia", "Earth", "SP", "-", "."])
texts = st.one_of(st.text(max_size=300), st.lists(_place_words, max_size=12).map("".join))


def _valid(found: GeoResult) -> None:
    assert isinstance(found, GeoResult)
    assert 0.0 <= found.confidence <= 1.0
    if found.country_iso2 is None:
        assert (found.region, found.city, found.method) == (None, None, "none")
        return
    assert found.country_iso2 in _COUNTRIES
    assert found.region is None or found.region in _REGIONS
    assert found.region is None or found.region.startswith(found.country_iso2 + "-")
    assert found.method in TIERS


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(texts)
def test_any_location_text_gives_a_valid_answer_and_the_same_one_twice(text):
    found = locate(text)
    _valid(found)
    assert locate(text) == found
    assert locate("".join(reversed(text))) is not None


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(texts)
def test_any_company_or_domain_gives_a_valid_answer(text):
    _valid(locate_company(text))
    _valid(locate_email_domain(text))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.integers(min_value=-900, max_value=900), st.integers(min_value=-5, max_value=10**6),
                       max_size=8))
def test_any_offsets_give_a_weak_valid_answer(counts):
    found = locate_timezone(counts)
    _valid(found)
    assert found.confidence <= 0.5
