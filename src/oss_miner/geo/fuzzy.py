"""One-typo matches ("Los Angles", "Guadalajra") against the names of well-known places only.

Used when a string names nothing, or only an obscure town: a slip of the finger in a big city's name is
likelier than a village. Symmetric-deletion lookup: a name and a typed word match when deleting at most one
letter from each makes them equal, then an exact edit-distance check keeps true one-edit pairs.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from oss_miner.geo.gazetteer import TYPO_MIN_LETTERS, Index, Place, index, well_known
from oss_miner.geo.text import Segment, compact, is_cjk

_MAX_WORDS = 3
FUZZY_PENALTY = 1.0


def fuzzy_places(segments: list[Segment]) -> list[tuple[int, tuple[Place, ...]]]:
    """(segment number, readings) for each word group that is one typo away from a well-known place."""
    found = []
    for number, segment in enumerate(segments):
        words = [word for word in segment.tokens if not is_cjk(word)]
        start = 0
        while start < len(words):
            length, places = _longest_typo(words, start)
            if places:
                found.append((number, places))
            start += length
    return found


def _longest_typo(words: list[str], start: int) -> tuple[int, tuple[Place, ...]]:
    for length in range(min(_MAX_WORDS, len(words) - start), 0, -1):
        if " ".join(words[start:start + length]) in index().names:
            return length, ()  # a known name (even one of nowhere, like "Neverland") is no typo
        places = _lookup(compact("".join(words[start:start + length])))
        if places:
            return length, places
    return 1, ()


def _lookup(typed: str) -> tuple[Place, ...]:
    if len(typed) < TYPO_MIN_LETTERS or not typed.isalpha():
        return ()
    table = _deletion_table()
    names = set(table.get(typed, ()))
    for variant in _deletions(typed):
        names.update(table.get(variant, ()))
    close = sorted(name for name in names if _one_edit(typed, compact(name)))
    ix = index()
    places = {place._replace(weight=place.weight - FUZZY_PENALTY)
              for name in close for place in ix.names[name] if well_known(place)}
    return tuple(sorted(places, key=lambda place: (-place.weight, place)))


@cache
def _deletion_table() -> dict[str, tuple[str, ...]]:
    return _build_table(index())


def _build_table(ix: Index) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for name in ix.well_known_names:
        letters = compact(name)
        table[letters].append(name)
        for variant in _deletions(letters):
            table[variant].append(name)
    return {variant: tuple(names) for variant, names in table.items()}


def _deletions(word: str) -> set[str]:
    return {word[:position] + word[position + 1:] for position in range(len(word))}


def _one_edit(typed: str, name: str) -> bool:
    """Damerau-Levenshtein distance of one (a substitution, insertion, deletion or swap of neighbours)."""
    if typed == name or abs(len(typed) - len(name)) > 1:
        return False
    if len(typed) == len(name):
        differences = [position for position in range(len(name)) if typed[position] != name[position]]
        if len(differences) == 1:
            return True
        return (len(differences) == 2 and differences[1] == differences[0] + 1
                and typed[differences[0]] == name[differences[1]] and typed[differences[1]] == name[differences[0]])
    shorter, longer = sorted((typed, name), key=len)
    return any(longer[:position] + longer[position + 1:] == shorter for position in range(len(longer)))
