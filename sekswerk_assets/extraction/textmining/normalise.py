"""Text normalisation shared by every variable: folding and sentence splitting."""

from __future__ import annotations

import re
from functools import lru_cache

from sekswerk_assets.lib.diacritics import strip_diacritics

_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")


@lru_cache(maxsize=512)  # one ad's texts are folded by several extractors
def fold(text: str) -> str:
    """Lower case, no diacritics, emoji removed, typographic quotes/dashes simplified."""
    if text.isascii():
        return text.casefold()
    t = _EMOJI.sub(" ", strip_diacritics(text))
    t = (t.replace("’", "'").replace("‘", "'").replace("´", "'").replace("–", "-").replace("—", "-")
         .replace("\u00a0", " "))
    return t.casefold()


_FLAG = re.compile("([\U0001F1E6-\U0001F1FF])([\U0001F1E6-\U0001F1FF])")


def flags(text: str) -> list[str]:
    """ISO-2 codes of the flag emoji in ``text`` (regional-indicator pairs), in order."""
    return [chr(ord(a) - 0x1F1E6 + 65) + chr(ord(b) - 0x1F1E6 + 65) for a, b in _FLAG.findall(text)]


@lru_cache(maxsize=256)
def fold_sep(text: str) -> str:
    """:func:`fold`, with emoji read as separators ("Sophie 💋 21 💋 Utrecht" -> "sophie | 21 | utrecht")."""
    return fold(_EMOJI.sub(" | ", text))


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|(?<=[!?])(?=\S)")


_ABBREV = re.compile(r"\b(v\.a\.|va\.|ca\.|nr\.|min\.|p\.u\.|e\.o\.|o\.a\.|incl\.|excl\.|ong\.)")


def _keep_dots(m: re.Match) -> str:
    return m.group(0).replace(".", "\u2024")


def sentences(text: str) -> list[str]:
    """Split into sentences without breaking 'va. 150', 'ca. 30', 'p.u.' or decimal numbers."""
    t = _ABBREV.sub(_keep_dots, text) if "." in text else text
    return [s.replace("\u2024", ".").strip() for s in _SENT_SPLIT.split(t) if s and s.strip()]

