"""Licensed-work terms (club, privehuis, bureau, KvK) and whether they indicate licensed work."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sekswerk_assets.extraction.textmining.normalise import fold, sentences

_CLUB_WORD = re.compile(r"\b(\w*club\w*)\b")
_PRIVEHUIS = re.compile(r"\b(prive[\s-]?huis\w*|privehuiz\w*|prive[\s-]?huys|privehuisje)\b")
_BUREAU = re.compile(r"\b(\w*bureau\w*|escort\s*agency|agency)\b")
_KVK = re.compile(r"(\bkvk\b|\bk\.v\.k\b\.?|kamer van koophandel|chamber of commerce|\bkvk-?(?:nr|nummer)|\bkvk\d)")
_NIGHTLIFE_WORDS = ("nachtclub", "nightclub", "danceclub", "dansclub", "golfclub", "voetbalclub", "sportclub",
                    "fitnessclub", "tennisclub", "fanclub", "boekenclub", "stripclub", "clubbing", "clubben",
                    "jazzclub", "beachclub", "clubhuis", "clubhouse", "clubkleding", "clubs")
_NIGHTLIFE_CONTEXT = re.compile(
    r"(samen|together|uitgaan|uit te gaan|go out|going out|gaan we|let'?s go|go to a|naar een club|dansen|dance|"
    r"dancing|restaurant|dinner|diner|drankje|drink|feest|party|stappen|date|mee naar|take me|begeleiding|companion)"
)
_NEGATION = re.compile(
    r"(\bniet\b|\bgeen\b|\bnooit\b|\bnot\b|\bno\b|\bnever\b|n't\b|\bzonder\b|\bwithout\b|\bnon\b|\bi don'?t\b|"
    r"\bniks met\b|\bnothing to do with\b|\bi'm not\b|\bi am not\b)"
)
_NEG_AFTER = re.compile(r"^[^.!?]{0,20}?\b(?:niet|no|not|nee)\b")
_LICENCE_NUMBER = re.compile(
    r"(\b[a-z]{2,4}-\d{4,8}\b|(?:vergunning|vergunnings|licen[cs]e|registratie|registration)\s*"
    r"(?:nr|nummer|number|no|#)?\.?\s*:?\s*[a-z]{0,4}-?\d{3,10})"
)
_KVK_NUMBER = re.compile(r"(?:kvk|k\.v\.k\.?|kamer van koophandel|chamber of commerce)[^.!?\d]{0,40}?\b(\d{8})\b|\b(\d{8})\b[^.!?\d]{0,20}(?:kvk|k\.v\.k)")


@dataclass
class LicensedResult:
    terms: list[str]
    indicated: bool
    licence_number: bool
    kvk_number: bool
    per_term: dict


def _negated(sent: str, start: int) -> bool:
    before = sent[max(0, start - 45) : start]
    # clause boundary: only look back to the last comma/semicolon that starts a new clause
    before = re.split(r"[;:]|,(?!\s*(?:of|or|en|and)\b)| maar | but ", before)[-1]
    return bool(_NEGATION.search(before))


def licensed_terms(text: str) -> LicensedResult:
    """Terms club / privéhuis / bureau / KvK found, and whether each really indicates licensed work."""
    found = {"club": False, "privehuis": False, "bureau": False, "kvk": False}
    real = {"club": False, "privehuis": False, "bureau": False, "kvk": False}
    lic_num = kvk_num = False
    for sent in sentences(fold(text)):
        for m in _CLUB_WORD.finditer(sent):
            word = m.group(1)
            found["club"] = True
            if word in _NIGHTLIFE_WORDS or (word.endswith("club") and word not in ("club", "seksclub", "sexclub", "parenclub", "saunaclub", "privéclub", "priveclub", "relaxclub", "erosclub")):
                continue
            if _negated(sent, m.start()):
                continue
            if _NIGHTLIFE_CONTEXT.search(sent):
                continue
            real["club"] = True
        for m in _PRIVEHUIS.finditer(sent):
            found["privehuis"] = True
            if not _negated(sent, m.start()):
                real["privehuis"] = True
        for m in _BUREAU.finditer(sent):
            word = m.group(1)
            if word.startswith(("reis", "travel", "uitzend", "makel", "advies", "architect", "vertaal")):
                continue
            found["bureau"] = True
            if not _negated(sent, m.start()) and not _NEG_AFTER.match(sent[m.end():]):
                real["bureau"] = True
        for m in _KVK.finditer(sent):
            found["kvk"] = True
            if not _negated(sent, m.start()):
                real["kvk"] = True
        if _KVK_NUMBER.search(sent):
            kvk_num = True
        if _LICENCE_NUMBER.search(sent):
            lic_num = True
    terms = [t for t in ("club", "privehuis", "bureau", "kvk") if found[t]]
    return LicensedResult(terms, any(real.values()), lic_num, kvk_num, real)

