"""locate(): a free-text profile location to a country, region and city."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from oss_miner.geo.fuzzy import fuzzy_places
from oss_miner.geo.gazetteer import index
from oss_miner.geo.resolve import Mention, Resolution, mentions, resolve
from oss_miner.geo.result import NOWHERE, GeoResult
from oss_miner.geo.text import Segment, segments


def locate(text: str | None) -> GeoResult:
    """Where a profile's location field says its owner is; method "none" when it names no place."""
    if not isinstance(text, str) or not text.strip():
        return NOWHERE
    return _locate(text.strip()[:_MEMO_KEY_CHARS])


_MEMO_KEY_CHARS = 400


@lru_cache(maxsize=65536)
def _locate(text: str) -> GeoResult:
    parts = segments(text)
    found = mentions(parts, index())
    resolution = resolve(found)
    if resolution is None or resolution.evidence < _OBSCURE:
        resolution = _with_typos_forgiven(parts, found) or resolution
    if resolution is None:
        return NOWHERE
    method = "location_first" if resolution.several_places else "location"
    return GeoResult(resolution.country, resolution.region, resolution.city, resolution.confidence, method)


# Below this, the best reading is an obscure town: a typo in a big city's name may be the better reading.
_OBSCURE = 2.0


def _with_typos_forgiven(parts: list[Segment], found: list[Mention]) -> Resolution | None:
    corrected = fuzzy_places(parts)
    if not corrected:
        return None
    kept = [mention for mention in found if max(place.weight for place in mention.places) >= _OBSCURE]
    resolution = resolve([Mention(len(found) + number, parts[segment].part * 100, places)
                          for number, (segment, places) in enumerate(corrected)] + kept)
    if resolution is None:
        return None
    return replace(resolution, confidence=round(resolution.confidence * _TYPO_DISCOUNT, 3))


_TYPO_DISCOUNT = 0.8
