"""The weaker tiers: company, e-mail domain, commit time zones, and how best() ranks them."""

from __future__ import annotations

import pytest

from oss_miner.geo import NOWHERE, GeoResult, best, locate, locate_company, locate_email_domain, locate_timezone


@pytest.mark.parametrize("text, expected", [
    ("@baidu", ("CN", "CN-BJ", "Beijing")),
    ("Huawei Technologies Co., Ltd.", ("CN", "CN-GD", "Shenzhen")),
    ("Tsinghua University", ("CN", "CN-BJ", "Beijing")),
    ("@alibaba", ("CN", "CN-ZJ", "Hangzhou")),
    ("浙江大学", ("CN", "CN-ZJ", "Hangzhou")),
    ("SJTU", ("CN", "CN-SH", "Shanghai")),
    ("ByteDance", ("CN", "CN-BJ", "Beijing")),
    ("Megvii Technology", ("CN", "CN-BJ", "Beijing")),
    ("Institute of Computing Technology, CAS", ("CN", "CN-BJ", "Beijing")),
    ("HKUST", ("HK", None, None)),
])
def test_known_companies_and_universities(text, expected):
    found = locate_company(text)
    assert (found.country_iso2, found.region, found.city, found.method) == (*expected, "company")


@pytest.mark.parametrize("text", ["@google", "Microsoft", "Freelancer", "", None, "Self-employed", "N/A"])
def test_companies_without_a_home_say_nothing(text):
    assert locate_company(text) == NOWHERE


def test_a_place_named_in_a_company_field_is_weak_company_evidence():
    found = locate_company("SAP Germany")
    assert (found.country_iso2, found.method) == ("DE", "company")
    assert found.confidence < locate("Germany").confidence


@pytest.mark.parametrize("domain, expected", [
    ("tsinghua.edu.cn", ("CN", "CN-BJ")),
    ("mails.tsinghua.edu.cn", ("CN", "CN-BJ")),
    ("zju.edu.cn", ("CN", "CN-ZJ")),
    ("some-college.edu.cn", ("CN", None)),
    ("huawei.com", ("CN", "CN-GD")),
    ("example.de", ("DE", None)),
    ("foo.co.uk", ("GB", None)),
    ("lab.ac.jp", ("JP", None)),
    ("user@Example.FR", ("FR", None)),
])
def test_email_domains(domain, expected):
    found = locate_email_domain(domain)
    assert (found.country_iso2, found.region, found.method) == (*expected, "email_domain")


def test_national_mail_providers_are_weaker_than_institutions():
    qq = locate_email_domain("qq.com")
    assert qq.country_iso2 == "CN" and qq.confidence < locate_email_domain("pku.edu.cn").confidence


@pytest.mark.parametrize("domain", ["gmail.com", "users.noreply.github.com", "outlook.com", "startup.io",
                                    "mycompany.ai", "example.com", "", None, "localhost", "x" * 300])
def test_worldwide_and_vanity_domains_say_nothing(domain):
    assert locate_email_domain(domain) == NOWHERE


def test_plus_eight_is_china_but_never_confidently():
    found = locate_timezone({480: 120})
    assert found.country_iso2 == "CN" and found.method == "timezone"
    assert 0.3 <= found.confidence <= 0.5


def test_a_time_zone_is_never_a_country_on_its_own():
    # +08:00 is CN, TW, HK, MO, SG, MY, PH and Western Australia: however many commits, no country
    pure = locate_timezone({480: 10_000})
    assert pure.country_iso2 == "CN" and pure.confidence <= 0.5  # a reading that the offset is informative...
    assert best(pure) == NOWHERE  # ...which never decides where someone is
    assert best(pure, locate_email_domain("qq.com")).method == "email_domain"
    assert best(pure, locate_email_domain("gmail.com")) == NOWHERE


def test_mixed_or_shared_offsets_are_weaker_or_nothing():
    assert locate_timezone({480: 10, -420: 10}).confidence < locate_timezone({480: 20}).confidence
    assert locate_timezone({0: 50}) == NOWHERE
    assert locate_timezone({-300: 40, -240: 40}) == NOWHERE  # the Americas' zones are shared by many
    assert locate_timezone({}) == NOWHERE
    assert locate_timezone({330: 30}).country_iso2 == "IN"


def test_best_prefers_the_strongest_tier_that_located_something():
    location = locate("Hangzhou")
    company = locate_company("@baidu")
    email = locate_email_domain("qq.com")
    timezone = locate_timezone({480: 9})
    assert best(timezone, email, company, location) == location
    assert best(timezone, email, company, locate("Earth")) == company
    assert best(timezone, email) == email
    assert best(timezone) == NOWHERE  # a time zone reading alone is no country (see the next test)
    assert best(NOWHERE, NOWHERE) == NOWHERE
    assert best() == NOWHERE
    first = locate("Shanghai / Tokyo")
    assert best(company, first) == first


def test_best_within_a_tier_takes_the_more_confident():
    weak = GeoResult("CN", None, None, 0.5, "email_domain")
    strong = GeoResult("DE", None, None, 0.6, "email_domain")
    assert best(weak, strong) == strong
