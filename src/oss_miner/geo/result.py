"""The answer of every locator, and how answers from several kinds of evidence are combined."""

from __future__ import annotations

from dataclasses import dataclass

# Evidence tiers from strongest to weakest; `best` prefers a stronger tier whatever the confidences.
TIERS = ("location", "location_first", "company", "email_domain", "timezone")


@dataclass(frozen=True)
class GeoResult:
    country_iso2: str | None  # ISO 3166-1 alpha-2; HK, MO and TW keep their own codes
    region: str | None  # ISO 3166-2 where one exists, e.g. CN-ZJ, US-CA
    city: str | None  # English name, e.g. Hangzhou
    confidence: float  # 0..1
    method: str  # evidence tier (TIERS), "none" when not located

    @property
    def located(self) -> bool:
        return self.country_iso2 is not None


NOWHERE = GeoResult(None, None, None, 0.0, "none")


# Tiers that can place a person in a country. A time zone cannot: +08:00 is shared by CN, TW, HK, MO, SG,
# MY, PH and Western Australia, and any evidence that agrees with it is of a stronger tier and wins anyway.
COUNTRY_TIERS = tuple(tier for tier in TIERS if tier != "timezone")


def best(*results: GeoResult) -> GeoResult:
    """The result of the strongest tier that located something (the more confident one within a tier);
    a time-zone reading is never the answer (see COUNTRY_TIERS)."""
    located = [result for result in results if result.located and result.method in COUNTRY_TIERS]
    if not located:
        return NOWHERE
    return min(located, key=lambda result: (_tier(result.method), -result.confidence))


def _tier(method: str) -> int:
    # location and location_first are one tier: both read the profile's own location field.
    return 0 if method.startswith("location") else TIERS.index(method)
