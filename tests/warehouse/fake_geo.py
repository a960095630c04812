"""A small stand-in for oss_miner.geo with the same API and a handful of known answers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GeoResult:
    country_iso2: str | None
    region: str | None
    city: str | None
    confidence: float
    method: str


NONE = GeoResult(None, None, None, 0.0, "none")

PLACES = {
    "beijing": ("CN", "CN-BJ", "Beijing"),
    "北京市海淀区": ("CN", "CN-BJ", "Beijing"),
    "hangzhou, zhejiang": ("CN", "CN-ZJ", "Hangzhou"),
    "shanghai": ("CN", "CN-SH", "Shanghai"),
    "shenzhen": ("CN", "CN-GD", "Shenzhen"),
    "guangzhou": ("CN", "CN-GD", "Guangzhou"),
    "chengdu": ("CN", "CN-SC", "Chengdu"),
    "china": ("CN", None, None),
    "taipei": ("TW", None, "Taipei"),
    "hong kong": ("HK", None, "Hong Kong"),
    "berlin": ("DE", "DE-BE", "Berlin"),
    "seattle": ("US", "US-WA", "Seattle"),
}
COMPANIES = {"@baidu": ("CN", "CN-BJ", "Beijing"), "huawei": ("CN", "CN-GD", "Shenzhen")}
DOMAINS = {"baidu.com": ("CN", None, None), "huawei.com": ("CN", None, None), "163.com": ("CN", None, None),
           "qq.com": ("CN", None, None), "tu-berlin.de": ("DE", None, None)}


class FakeGeo:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def locate(self, text: str) -> GeoResult:
        self.calls.append(("locate", text))
        first = text.split("/")[0].strip().lower()
        place = PLACES.get(first)
        method = "location_first" if "/" in text else "location"
        return GeoResult(*place, 0.9, method) if place else NONE

    def locate_company(self, text: str) -> GeoResult:
        self.calls.append(("company", text))
        place = COMPANIES.get(text.strip().lower())
        return GeoResult(*place, 0.6, "company") if place else NONE

    def locate_email_domain(self, domain: str) -> GeoResult:
        self.calls.append(("email_domain", domain))
        place = DOMAINS.get(domain)
        return GeoResult(*place, 0.4, "email_domain") if place else NONE

    def locate_timezone(self, offsets: dict[int, int]) -> GeoResult:
        self.calls.append(("timezone", dict(offsets)))
        main = max(offsets, key=offsets.get)
        if main == 480:
            return GeoResult("CN", None, None, 0.3, "timezone")
        if main == 60:
            return GeoResult("DE", None, None, 0.2, "timezone")
        return NONE

    def best(self, *results: GeoResult) -> GeoResult:
        located = [r for r in results if r.country_iso2]
        return max(located, key=lambda r: r.confidence) if located else NONE
