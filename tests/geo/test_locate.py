"""The tricky cases of free-text profile locations, one rule per test."""

from __future__ import annotations

import pytest

from oss_miner.geo import NOWHERE, locate


def where(text):
    found = locate(text)
    return found.country_iso2, found.region, found.city


@pytest.mark.parametrize("text, expected", [
    ("北京市海淀区", ("CN", "CN-BJ", "Beijing")),
    ("浙江省杭州市", ("CN", "CN-ZJ", "Hangzhou")),
    ("Hangzhou, Zhejiang", ("CN", "CN-ZJ", "Hangzhou")),
    ("BeiJing", ("CN", "CN-BJ", "Beijing")),
    ("Bei Jing, China", ("CN", "CN-BJ", "Beijing")),
    ("beijing", ("CN", "CN-BJ", "Beijing")),
    ("GuangZhou", ("CN", "CN-GD", "Guangzhou")),
    ("Xi'an", ("CN", "CN-SN", "Xi'an")),
    ("Chengdu，Sichuan，China", ("CN", "CN-SC", "Chengdu")),
    ("Taizhou, Zhejiang", ("CN", "CN-ZJ", "Taizhou")),
    ("Suzhou, Anhui", ("CN", "CN-AH", "Suzhou")),
    ("SZ, China", ("CN", "CN-GD", "Shenzhen")),
    ("Pudong, Shanghai", ("CN", "CN-SH", "Shanghai")),
])
def test_china_in_characters_pinyin_and_english(text, expected):
    assert where(text) == expected


@pytest.mark.parametrize("text", ["China", "PRC", "P.R. China", "Mainland China", "中国", "中华人民共和国",
                                  "China Mainland"])
def test_china_as_a_country(text):
    assert where(text) == ("CN", None, None)


@pytest.mark.parametrize("text, country", [
    ("Hong Kong", "HK"), ("香港", "HK"), ("Hong Kong SAR", "HK"), ("Kowloon, Hong Kong", "HK"),
    ("Hong Kong, China", "HK"), ("澳门", "MO"), ("Macau", "MO"), ("Taipei", "TW"), ("臺北市", "TW"),
    ("Taiwan", "TW"), ("Taipei, China", "TW"),
])
def test_hong_kong_macao_and_taiwan_keep_their_own_codes(text, country):
    assert locate(text).country_iso2 == country


def test_first_of_several_places_wins_and_the_method_says_so():
    found = locate("Shanghai / Tokyo")
    assert (found.country_iso2, found.city, found.method) == ("CN", "Shanghai", "location_first")
    assert locate("Tokyo / Shanghai").country_iso2 == "JP"
    assert locate("Shanghai").method == "location"


def test_places_of_one_country_are_not_several_places():
    found = locate("Beijing, Chengdu, China")
    assert (found.country_iso2, found.region, found.method) == ("CN", "CN-BJ", "location")


@pytest.mark.parametrize("text", ["Earth", "localhost", "127.0.0.1", "Remote", "The Internet", "Worldwide",
                                  "Somewhere over the rainbow", "🌍🌎🌏", "/dev/null", "~", "Europe",
                                  "", "   ", None, "Planet Earth", "Home"])
def test_no_place_is_nowhere(text):
    assert locate(text) == NOWHERE


@pytest.mark.parametrize("text, expected", [
    ("Seattle, WA", ("US", "US-WA")),
    ("Austin,TX", ("US", "US-TX")),
    ("Cambridge, MA", ("US", "US-MA")),
    ("Portland, OR", ("US", "US-OR")),
    ("St. Louis, MO", ("US", "US-MO")),
    ("Bay Area", ("US", "US-CA")),
    ("NYC", ("US", "US-NY")),
    ("Washington, DC", ("US", "US-DC")),
    ("Toronto, ON", ("CA", "CA-ON")),
    ("London, ON", ("CA", "CA-ON")),
    ("Brisbane, QLD", ("AU", "AU-QLD")),
    ("Recife - PE", ("BR", "BR-PE")),
    ("Curitiba/PR", ("BR", "BR-PR")),
])
def test_state_and_province_codes_settle_the_city(text, expected):
    found = locate(text)
    assert (found.country_iso2, found.region) == expected


@pytest.mark.parametrize("text, country", [
    ("UK", "GB"), ("London", "GB"), ("Manchester", "GB"), ("Cambridge, UK", "GB"), ("Kent, UK", "GB"),
    ("Deutschland", "DE"), ("España", "ES"), ("日本", "JP"), ("대한민국", "KR"), ("Việt Nam", "VN"),
    ("Россия", "RU"), ("Brasil", "BR"), ("México", "MX"), ("Österreich", "AT"), ("Türkiye", "TR"),
    ("Polska", "PL"), ("Sverige", "SE"),
])
def test_countries_in_their_own_languages_and_short_forms(text, country):
    assert locate(text).country_iso2 == country


@pytest.mark.parametrize("text, country", [
    ("Paris", "FR"), ("Paris, Texas", "US"), ("Córdoba, Argentina", "AR"), ("Valencia", "ES"),
    ("Valencia, Venezuela", "VE"), ("Georgia, USA", "US"), ("Tbilisi, Georgia", "GE"), ("Sydney", "AU"),
    ("Sydney, Nova Scotia", "CA"), ("Birmingham, Alabama", "US"), ("San José, Costa Rica", "CR"),
])
def test_ambiguous_cities_follow_population_and_the_country_named(text, country):
    assert locate(text).country_iso2 == country


@pytest.mark.parametrize("text, expected", [
    ("  Berlin\t", "DE"), ("BERLIN!!!", "DE"), ("🇩🇪 berlin 🍺", "DE"), ("Ｔｏｋｙｏ，Ｊａｐａｎ", "JP"),
    ("beijing\x00\x1b[0m", "CN"), ("São Paulo\u200b", "BR"), ("i̇stanbul", "TR"), ("zürich", "CH"),
])
def test_noise_case_control_characters_and_fullwidth_forms(text, expected):
    assert locate(text).country_iso2 == expected


def test_huge_strings_are_cut_not_read_whole():
    assert locate("Berlin, Germany " + "x" * 1_000_000).country_iso2 == "DE"
    assert locate("lorem ipsum " * 100_000).method in ("none", "location", "location_first")


@pytest.mark.parametrize("text", ["John Smith", "Wei Zhang", "Li Wei", "Zhang San"])
def test_person_names_are_not_places(text):
    assert locate(text) == NOWHERE


def test_confidence_reflects_the_evidence():
    assert locate("Hangzhou, Zhejiang, China").confidence > locate("Hangzhou").confidence
    assert locate("Springfield").confidence < locate("Berlin, Germany").confidence
    assert locate("Shanghai / Tokyo").confidence < locate("Shanghai").confidence


@pytest.mark.parametrize("text, country", [("🇩🇪", "DE"), ("🇭🇰", "HK"), ("🇨🇳 Beijing", "CN"), ("Berlin 🇺🇦", "DE")])
def test_flags_are_weak_country_evidence(text, country):
    assert locate(text).country_iso2 == country


@pytest.mark.parametrize("text, expected", [
    ("Los Angles", ("US", "Los Angeles")), ("Beijng", ("CN", "Beijing")), ("Guadalajra", ("MX", "Guadalajara")),
    ("San Fransisco", ("US", "San Francisco")), ("Germnay", ("DE", None)),
])
def test_one_typo_in_a_well_known_name_is_forgiven_with_less_confidence(text, expected):
    found = locate(text)
    assert (found.country_iso2, found.city) == expected
    assert found.confidence < 0.8


@pytest.mark.parametrize("text", ["Paris and London", "Shenzhen & Hong Kong", "Berlin; Tokyo"])
def test_places_joined_by_and_are_several_places(text):
    assert locate(text).method == "location_first"


def test_a_name_with_and_in_it_is_one_place():
    assert (locate("Trinidad and Tobago").country_iso2, locate("Trinidad and Tobago").method) == ("TT", "location")
    assert locate("Bosnia & Herzegovina").country_iso2 == "BA"


@pytest.mark.parametrize("text", ["https://github.com/someone", "me@example.com", "www.example.org",
                                  "Where the wild things are", "none", "N/A", "null", "Mordor", "Neverland"])
def test_links_addresses_and_fiction_name_no_place(text):
    assert locate(text) == NOWHERE


@pytest.mark.parametrize("text, expected", [("America/Sao_Paulo", "BR"), ("Asia/Shanghai", "CN"),
                                            ("Europe/Berlin", "DE"), ("DE", "DE"), ("IN", "IN")])
def test_time_zone_names_and_lone_codes(text, expected):
    assert locate(text).country_iso2 == expected
