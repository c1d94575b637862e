"""Place names after a location cue in the free text (matched to a municipality elsewhere)."""

from __future__ import annotations

import re

from sekswerk_assets.extraction.textmining.normalise import fold, sentences
from sekswerk_assets.extraction.textmining.origin import _ALIAS_TO_COUNTRY

_PLACE_CUE = re.compile(
    r"(?:\bontvang(?:st)?\s+(?:\w+\s+)?in|\bte vinden in|\bregio|\bomgeving|\bomg\.|\bin en rond|\bin en om|\brond|"
    r"\blocated in|\bbased in|\bwoon(?:achtig)?\s+in|\bwerk(?:zaam)?\s+in|\bplaats\s*:|\bstad\s*:|\bcity\s*:|"
    r"\blocation\s*:|\blocatie\s*:|\bnear|\bnabij|\bvlakbij|\bdichtbij|\bcentrum|\bin|\bte|\bbij|\buit|\bfrom)\s+"
)
_PLACE_WORDS = re.compile(r"[\w'’\-().]+")
_PLACE_STOP = {"de", "het", "een", "mijn", "my", "a", "the", "your", "je", "jouw", "the", "en", "and", "of"}


# where the advertiser lives or receives: these cues win over service areas ("escort in X, Y en Z")
_BASE_CUE = re.compile(
    r"(?:\bontvang(?:st|t)?\s+(?:\w+\s+)?in|\bwoon(?:achtig|t)?\s+(?:\w+\s+)?in|\bwonend\s+in|\blocated\s+in|"
    r"\bbased\s+in|\blive\s+in|\bliving\s+in|\bgevestigd\s+in|\bvanuit|\bbasis\s+is|\bbase\s+is|"
    r"\bincall\s+(?:location\s*:?\s*)?(?:in)?|\bthuisontvangst\s+(?:in)?|\bprive\s*ontvangst\s+(?:in)?|"
    r"\bplaats\s*:|\bwoonplaats\s*:|\bstad\s*:|\bcity\s*:|\blocation\s*:|\blocatie\s*:|\badres\s*:)\s+"
)


def place_candidates(text: str) -> list[str]:
    """Word sequences after a location cue, base cues first ('Ik woon in X', 'based in X'), then the others
    ('escort in X', 'regio X') in the order of the text."""
    base = _candidates(text, _BASE_CUE)
    return base + [c for c in _candidates(text, _PLACE_CUE) if c not in base]


def _candidates(text: str, cue: re.Pattern) -> list[str]:
    out: list[str] = []
    for sent in sentences(text):
        low = fold(sent)
        for m in cue.finditer(low):
            rest = sent[m.end() :]
            rest = re.split(r"[.,;!?:()\n]| - | e\.o| eo\b", rest, maxsplit=1)[0] if rest else ""
            words = _PLACE_WORDS.findall(rest)[:4]
            if not words or (words[0][:1].islower() and fold(words[0]) in _PLACE_STOP):
                continue
            if fold(" ".join(words[:3])) in _ALIAS_TO_COUNTRY or fold(words[0]) in _ALIAS_TO_COUNTRY:
                continue  # a country, not a place
            out.append(" ".join(words))
    return out

