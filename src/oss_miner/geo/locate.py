"""locate(): a free-text profile location to a country, region and city."""

from __future__ import annotations

from functools import lru_cache

from oss_miner.geo.gazetteer import index
from oss_miner.geo.resolve import mentions, resolve
from oss_miner.geo.result import NOWHERE, GeoResult
from oss_miner.geo.text import segments


def locate(text: str | None) -> GeoResult:
    """Where a profile's location field says its owner is; method "none" when it names no place."""
    if not isinstance(text, str) or not text.strip():
        return NOWHERE
    return _locate(text.strip()[:_MEMO_KEY_CHARS])


_MEMO_KEY_CHARS = 400


@lru_cache(maxsize=65536)
def _locate(text: str) -> GeoResult:
    resolution = resolve(mentions(segments(text), index()))
    if resolution is None:
        return NOWHERE
    method = "location_first" if resolution.several_places else "location"
    return GeoResult(resolution.country, resolution.region, resolution.city, resolution.confidence, method)
