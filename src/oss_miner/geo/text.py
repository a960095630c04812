"""Normalising free text the same way for gazetteer names and for what people type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Real profile locations are short; anything longer is pasted prose, and only its start is worth reading.
MAX_CHARS = 200

_LETTER_FOLDS = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i",
                               "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t"})
_KEPT_SYMBOLS = "/|;\\+~>-→"
_ASCII_SYMBOLS = str.maketrans({chr(code): " " for code in range(128)
                                if unicodedata.category(chr(code))[0] in "CSZ" and chr(code) not in _KEPT_SYMBOLS})
# A link or an address in a location field names a site, not a place ("https://x.com" is not Comoros).
_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S*|\S+@[\w-]+\.[\w.-]+|\b[\w-]+\.(?:com|org|net|io|dev|me|app)\b\S*", re.I)
# "America/Sao_Paulo" is a time zone's name: its city is the place, its continent is not "America".
_TIME_ZONE_NAME = re.compile(r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
                             r"/(?:[A-Za-z_]+/)?([A-Za-z_]+)", re.I)
_FLAG = re.compile("([\U0001F1E6-\U0001F1FF])([\U0001F1E6-\U0001F1FF])")
FLAG_PREFIX = "flagof"
_APOSTROPHES = re.compile(r"(?<=\w)['’`´ʼ](?=\w)")
_DOTTED_ABBREVIATION = re.compile(r"\b(?:\w\.){2,}")
# Separators between the parts of one place ("Recife, PE") and between places ("Shanghai / Tokyo").
_PLACE_BREAK = re.compile(r"\s*(?:[/|;\\+→~>]|->|=>)\s*")
# A full stop ends a part ("Sevierville. TN") unless it ends an abbreviation ("St. Louis").
_SEGMENT_BREAK = re.compile(r"\s*(?:[,()\[\]{}<>:!?•·*\"“”«»#@]|(?<=\w\w\w)\.(?=\s|$)|\s-+\s|\s-+|-+\s)\s*")
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff"
# CJK runs are tokens of their own: "北京市haidian" is two words even without a space.
_TOKEN = re.compile(rf"[{_CJK_CHARS}]+|[^\W_{_CJK_CHARS}]+")
_CJK = re.compile(rf"[{_CJK_CHARS}]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def fold(text: str) -> str:
    """Lower-case, fullwidth to ASCII, accents dropped, symbols and control characters to spaces."""
    if text.isascii():
        return text.lower().translate(_ASCII_SYMBOLS)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LETTER_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        kept.append(" " if category[0] in "CSZ" and char not in _KEPT_SYMBOLS else char)
    return unicodedata.normalize("NFC", "".join(kept))


def key(name: str) -> str:
    """The lookup key of a place name: folded tokens joined by single spaces."""
    return " ".join(tokens(_prepare(fold(name))))


def compact(name_key: str) -> str:
    return name_key.replace(" ", "")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def is_cjk(token: str) -> bool:
    return bool(_CJK.search(token))


def script_country(token: str) -> str | None:
    """The country a script alone gives away: Hangul is Korean, kana Japanese."""
    if _HANGUL.search(token):
        return "KR"
    if _KANA.search(token):
        return "JP"
    return None


def flag_word(iso2: str) -> str:
    """The word a flag emoji becomes, so that "🇩🇪" can be looked up like a name."""
    return f"{FLAG_PREFIX}{iso2.lower()}"


def _flag_word(match: re.Match) -> str:
    letters = "".join(chr(ord(char) - 0x1F1E6 + ord("a")) for char in match.groups())
    return f" {flag_word(letters)} "


def _prepare(folded: str) -> str:
    folded = _APOSTROPHES.sub("", folded)
    return _DOTTED_ABBREVIATION.sub(lambda match: match.group(0).replace(".", ""), folded)


@dataclass(frozen=True)
class Segment:
    """Tokens between two separators; `part` numbers the place a segment belongs to."""

    part: int
    tokens: tuple[str, ...]


def segments(text: str) -> list[Segment]:
    text = _FLAG.sub(_flag_word, _WEB_ADDRESS.sub(" ", text[:MAX_CHARS]))
    text = _TIME_ZONE_NAME.sub(lambda match: match.group(1).replace("_", " "), text)
    folded = _prepare(fold(text)).replace("&", " and ")
    found: list[Segment] = []
    for part_number, part in enumerate(_PLACE_BREAK.split(folded)):
        for piece in _SEGMENT_BREAK.split(part):
            words = tuple(tokens(piece.replace(".", " ").replace("-", " ")))
            if words:
                found.append(Segment(part_number, words))
    return found
