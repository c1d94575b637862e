"""Place names after a location cue in the free text (matched to a municipality elsewhere)."""

from __future__ import annotations

import re

from sekswerk_assets.extraction.textmining.normalise import fold, sentences
from sekswerk_assets.extraction.textmining.origin import _ALIAS_TO_COUNTRY

_PLACE_CUE = re.compile(
    r"(?:\bontvang(?:st)?\s+(?:\w+\s+)?in|\bte vinden in|\bregio|\bomgeving|\bomg\.|\bin en rond|\bin en om|\brond|"
    r"\blocated in|\bbased in|\bwoon(?:achtig)?\s+in|\bwerk(?:zaam)?\s+in|\bplaats\s*:|\bstad\s*:|\bcity\s*:|"
    r"\blocation\s*:|\blocatie\s*:|\bnear|\bnabij|\bvlakbij|\bdichtbij|\bcentrum|\bin|\bte|\bbij)\s+"
)
_PLACE_WORDS = re.compile(r"[\w'’\-().]+")
_PLACE_STOP = {"de", "het", "een", "mijn", "my", "a", "the", "your", "je", "jouw", "the", "en", "and", "of"}


def place_candidates(text: str) -> list[str]:
    """Word sequences after a location cue ('Ik ontvang in X', 'regio X', 'located in X'), longest first."""
    out: list[str] = []
    for sent in sentences(text):
        low = fold(sent)
        for m in _PLACE_CUE.finditer(low):
            rest = sent[m.end() :]
            rest = re.split(r"[.,;!?:()\n]| - | e\.o| eo\b", rest, maxsplit=1)[0] if rest else ""
            words = _PLACE_WORDS.findall(rest)[:4]
            if not words or (words[0][:1].islower() and fold(words[0]) in _PLACE_STOP):
                continue
            if fold(" ".join(words[:3])) in _ALIAS_TO_COUNTRY or fold(words[0]) in _ALIAS_TO_COUNTRY:
                continue  # a country, not a place
            out.append(" ".join(words))
    return out

