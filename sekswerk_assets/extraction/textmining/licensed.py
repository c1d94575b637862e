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
    vergunning: bool = False  # the term 'vergunning' / 'licence' occurs (not in the report's four terms)


_PAST = re.compile(r"\b(?:vroeger|voorheen|eerder|ooit|used to|previously|formerly|in the past|werkte|worked)\b")
# "Club? Nee hoor." / "Werk je met een agency? Ik niet.": a question answered by a negation
_NEG_ANSWER = re.compile(r"^(?:\W*)(?:nee|neen|no|nope|niet|nooit|never|not|ook niet|ik niet|not me|me neither|"
                         r"(?:\w+\s+){0,3}(?:niet|not|geen|no)\b)")
# "Escort: nee", "Club - no", "privehuis? nee"
_FIELD_NEG_AFTER = re.compile(r"^\w*\s*[:?=-]+\s*(?:nee|no|niet|n)\b")
_VERGUNNING = re.compile(r"\b(vergunning\w*|licen[cs]e|licen[cs]es)\b")
# a desk, not an agency: "achter mijn bureau", "aan m'n bureau", "een bureau vol paperassen"
_DESK = re.compile(r"(?:achter|aan|op|onder|naast|bij)\s+(?:mijn|m'n|je|jouw|het|haar|zijn|een)\s+(?:\w+\s+)?$")
_DESK_AFTER = re.compile(r"^\s*(?:vol|met\s+(?:papier|paperassen|computer|laptop|stapels))")
# English "agency" is an escort agency only in an escort context (else a travel/model/temp agency)
_AGENCY_CONTEXT = re.compile(r"(escort|outcall|incall|ladies|girls|booking|book\b|boek|per hour|p/h|an hour|/h\b|"
                             r"independent|freelance|zelfstandig|via\b|through\b|hotel|\bno\b|\bnot\b|\bgeen\b|\bniet\b|werk)")
_OTHER_AGENCY = re.compile(r"(?:travel|reis|model|modelling|modeling|temp|employment|uitzend|advertising|marketing|estate|"
                           r"insurance|news|casting|translation|design|web|media)\s+$")


# a quick test before the per-sentence rules: no term and no number form, nothing to find
_ANY_TERM = re.compile(r"club|prive|bureau|agency|kvk|k\.v\.k|koophandel|chamber|vergunning|licen|registrat|[a-z]-\d{3}|\d{8}")


def _negated(sent: str, start: int) -> bool:
    before = sent[max(0, start - 45) : start]
    # clause boundary: only look back to the last comma/semicolon that starts a new clause
    clauses = re.split(r"[;:]|,(?!\s*(?:of|or|en|and)\b)| maar | but ", before)
    before = clauses[-1]
    words = before.split()
    if len(clauses) > 1 and (len(words) <= 1 or (len(words) <= 3 and set(words) & {"of", "or", "en", "and", "&"})):
        # a list item: "niet voor een club, bureau of privehuis"
        before = clauses[-2] + " " + before
    return bool(_NEGATION.search(before) or _PAST.search(before))


def _answered_no(sents: list[str], i: int, end: int) -> bool:
    """The term's sentence asks a question that the next sentence answers with a negation."""
    s = sents[i]
    return s.rstrip().endswith("?") and s[end:].strip(" ?") == "" and i + 1 < len(sents) and bool(
        _NEG_ANSWER.match(sents[i + 1]))


def licensed_terms(text: str) -> LicensedResult:
    """Terms club / privéhuis / bureau / KvK / vergunning found, and whether each really indicates licensed work.

    A term does not indicate licensed work when it is negated before it ("geen club"), after it as a
    form value ("Escort: nee", "Club? Nee") or by the answer in the next sentence ("Privéhuis? Nee hoor"),
    in the past ("vroeger in een club"), or in another sense (nightlife, a desk, a travel agency).
    """
    found = {"club": False, "privehuis": False, "bureau": False, "kvk": False, "vergunning": False}
    real = dict(found)
    lic_num = kvk_num = False
    folded = fold(text)
    if not _ANY_TERM.search(folded):
        return LicensedResult([], False, False, False, real, False)
    sents = sentences(folded)

    def negated(i, m):
        s = sents[i]
        return _negated(s, m.start()) or bool(_FIELD_NEG_AFTER.match(s[m.end():])) or _answered_no(sents, i, m.end())

    for i, sent in enumerate(sents):
        for m in _CLUB_WORD.finditer(sent):
            word = m.group(1)
            found["club"] = True
            if word in _NIGHTLIFE_WORDS or (word.endswith("club") and word not in ("club", "seksclub", "sexclub", "parenclub", "saunaclub", "privéclub", "priveclub", "relaxclub", "erosclub")):
                continue
            if negated(i, m) or _NIGHTLIFE_CONTEXT.search(sent):
                continue
            real["club"] = True
        for m in _PRIVEHUIS.finditer(sent):
            found["privehuis"] = True
            if not negated(i, m):
                real["privehuis"] = True
        for m in _BUREAU.finditer(sent):
            word = m.group(1)
            if word.startswith(("reis", "travel", "uitzend", "makel", "advies", "architect", "vertaal")):
                continue
            if word == "agency" and (_OTHER_AGENCY.search(sent[: m.start()]) or not _AGENCY_CONTEXT.search(sent)):
                continue
            found["bureau"] = True
            if word.startswith("bureau") and word != "bureau" or sent[m.end():m.end() + 1] == "-":
                continue  # bureaubaan, bureau-stoel: office words (found, not an agency)
            if word == "bureau" and (_DESK.search(sent[max(0, m.start() - 30) : m.start()]) or _DESK_AFTER.match(sent[m.end():])):
                continue
            if not negated(i, m) and not _NEG_AFTER.match(sent[m.end():]):
                real["bureau"] = True
        for m in _KVK.finditer(sent):
            found["kvk"] = True
            if not negated(i, m):
                real["kvk"] = True
        for m in _VERGUNNING.finditer(sent):
            found["vergunning"] = True
            if not negated(i, m) and not re.match(r"^[^.!?]{0,25}\b(?:niet nodig|not needed|not required)", sent[m.end():]):
                real["vergunning"] = True
        if _KVK_NUMBER.search(sent):
            kvk_num = True
        if _LICENCE_NUMBER.search(sent):
            lic_num = True
    terms = [t for t in ("club", "privehuis", "bureau", "kvk") if found[t]]
    return LicensedResult(terms, any(real.values()), lic_num, kvk_num, real, found["vergunning"])
