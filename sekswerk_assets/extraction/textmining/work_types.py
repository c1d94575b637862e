"""Work types (home / escort / massage) from the type field and the free text, with negations."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from sekswerk_assets.extraction.textmining.normalise import fold, sentences

_HOME = re.compile(
    r"(t?h?uisontvangst|thuis\s*ontvangst|prive\s*ontvangst|\bontvangst\b|\bontvang\b|\bontvangt\b|\bontvangen\b|"
    r"\bincall\b|\bin-call\b|\bin call\b|at my place|at my apartment|\bmy place\b|bij mij thuis|\bbij mij\b|"
    r"in mijn (?:eigen )?(?:woning|appartement|huis|studio)|receive you|i receive|(?<!je )(?<!jouw )(?<!uw )eigen (?:woning|appartement|plek|studio)|"
    r"vanuit huis|(?<!jou )(?<!je )(?<!u )\bthuis\b|\bprive\b(?!\s*huis)|"
    # English incall phrasings: "receiving gentlemen", "at my private place", "receives you at home"
    r"\breceiv(?:e|es|ing)\s+(?:you|gentlemen|men|clients|guests|ladies|women|couples)\b|\bwelcome you\b|"
    r"\bwelcome (?:to|at) my\b|\bmy private (?:place|apartment|studio|flat|house|home|room)\b|"
    r"\b(?:at|in) my (?:home|house|flat|studio|room|apartment|appartment|place)\b|\bi host\b|\bhosting\b|"
    r"\breceiv(?:e|es|ing)\s+(?:in|at)\b|\b(?:i|we|she)\s+receive\b|\bvisit me\b|\bbezoek (?:me|mij)\b|"
    r"\bnaar mij (?:toe)?\b|\b(?:my|mijn|our|ons|onze|eigen|own|private|prive)\s+(?:\w+\s+)?(?:studio|apartment|appartement|flat)\b)"
)
_ESCORT = re.compile(
    r"(\bescou?rt\w*|\bescorte\b|"
    r"\boutcall\b|\bout-call\b|\bout call\b|"
    r"ik kom (?:naar je toe|bij jou|bij je|langs|naar jou)|kom (?:naar je toe|naar jou toe|bij je)|(?:\bik|\ben)\s+kom\s+(?:ook\s+)?langs|"
    r"komt? bij (?:je|jou)\b|hotelbezoek|hotel ?visit|hotelbezoeken|i (?:can )?come to you|visit you|bij jou thuis|"
    r"\bbij jou\b|aan huis|i travel|"
    # visits: "hotel- en thuisbezoek", "home visits", "house calls", "your place"
    r"\b(?:thuis|huis|hotel)bezoek\w*|\bhome ?visits?\b|\bhouse ?calls?\b|\bhotel ?visits?\b|\bi visit\b|"
    r"\byour (?:home|place|hotel|house|room)\b|\bnaar (?:jou|je) toe\b|"
    r"\b(?:bij|in|naar)\s+(?:u|uw|jouw|je)\s+(?:thuis|hotel\w*|huis|woning|kantoor|eigen\s+\w+)\b)"
)
_MASSAGE = re.compile(r"(massage|massages|masseuse|masseur|masseren|\bmassa?ge\b|tantra|bodyslide|body to body|body2body|nuru)")
_TYPE_NEG = re.compile(r"\b(geen|no|niet|not|nooit|never|don't|dont|doesn't|do not|zonder|without)\s+(?:\w+\s+){0,2}?$")
# typos of the type words ("escrot", "masssage", "ontvangts"), corrected with rapidfuzz before the rules
_TYPE_WORDS = ("escort", "escorts", "ontvangst", "thuisontvangst", "massage", "massages", "incall", "outcall",
               "masseuse", "escortservice")
_NOT_TYPOS = {"message", "messages", "passage", "massa", "masker", "montage", "sausage", "escorte", "ontvangen",
              "ontvang", "ontvangt", "recall", "install", "income", "outfit"}
_TOKEN = re.compile(r"[a-z]{5,16}")


@lru_cache(maxsize=20_000)
def _typo_fix(word: str) -> str | None:
    if word in _TYPE_WORDS or word in _NOT_TYPOS:
        return None
    best = process.extractOne(word, _TYPE_WORDS, scorer=fuzz.ratio, score_cutoff=80)
    return best[0] if best else None


def correct_typos(t: str) -> str:
    """Folded text with misspelled type words replaced by the correct word (only words of 5-16 letters)."""
    def sub(m):
        return _typo_fix(m.group(0)) or m.group(0)

    return _TOKEN.sub(sub, t)


# "Escort: nee", "Incall: no", "massage niet", "Escort? Nee"
_TYPE_NEG_AFTER = re.compile(r"^(?:\s+|\s*[:?=-]+\s*)(?:niet|not|nooit|never|nee|no|n)\b")
_ANSWER_NO = re.compile(r"^\W*(?:nee|neen|no|nope)\b")


def _types_in(t: str) -> tuple[bool, bool, bool]:
    def hit(rx):
        for m in rx.finditer(t):
            before = t[max(0, m.start() - 25) : m.start()]
            if not _TYPE_NEG.search(before) and not _TYPE_NEG_AFTER.match(t[m.end() : m.end() + 12]):
                return True
        return False

    return hit(_HOME), hit(_ESCORT), hit(_MASSAGE)


@lru_cache(maxsize=4096)  # form values repeat ("Thuisontvangst, Massage", "26")
def work_types_from_field(value: str | None) -> tuple[bool, bool, bool] | None:
    if not value:
        return None
    t = correct_typos(fold(value))
    h, e, m = _types_in(t)
    return (h, e, m) if (h or e or m) else None


def work_types_from_text(text: str, skip: set[int] | None = None) -> tuple[bool, bool, bool] | None:
    """Types stated in the text (also in location lines and per-type price lists), with negations."""
    h = e = m = False
    sents = sentences(correct_typos(fold(text)))
    for i, s in enumerate(sents):
        if skip and i in skip:
            continue
        if s.endswith("?") and i + 1 < len(sents) and _ANSWER_NO.match(sents[i + 1]) and len(s.split()) <= 3:
            continue  # "Escort? Nee."
        # "Escort in en rond Utrecht" / "Ik ontvang in X" and per-type price lists ("ontvangst 120,
        # escort 170") state the types they name: real ads write their offer that way
        hh, ee, mm = _types_in(s)
        h, e, m = h or hh, e or ee, m or mm
    return (h, e, m) if (h or e or m) else None

