"""Work types (home / escort / massage) from the type field and the free text, with negations."""

from __future__ import annotations

import re

from sekswerk_assets.extraction.textmining.normalise import fold, sentences
from sekswerk_assets.extraction.textmining.price import PRICE_SENTENCE, _last_type

_HOME = re.compile(
    r"(t?h?uisontvangst|thuis\s*ontvangst|prive\s*ontvangst|\bontvangst\b|\bontvang\b|\bontvangt\b|\bontvangen\b|"
    r"\bincall\b|\bin-call\b|\bin call\b|at my place|at my apartment|\bmy place\b|bij mij thuis|\bbij mij\b|"
    r"in mijn (?:eigen )?(?:woning|appartement|huis|studio)|receive you|i receive|eigen (?:woning|appartement|plek|studio)|"
    r"vanuit huis|(?<!jou )(?<!je )\bthuis\b|\bprive\b(?!\s*huis))"
)
_ESCORT = re.compile(
    r"(\bescou?rt(?!\s*bureau|bureau|agency|\s*agency)\b|\bescou?rts\b|\bescortservice\b|\bescortdame\b|\bescorte\b|"
    r"\boutcall\b|\bout-call\b|\bout call\b|"
    r"ik kom (?:naar je toe|bij jou|bij je|langs|naar jou)|kom (?:naar je toe|naar jou toe|ook langs|bij je)|"
    r"komt? bij (?:je|jou)\b|hotelbezoek|hotel ?visit|hotelbezoeken|i (?:can )?come to you|visit you|bij jou thuis|"
    r"\bbij jou\b|aan huis|i travel)"
)
_MASSAGE = re.compile(r"(massage|massages|masseuse|masseur|masseren|\bmassa?ge\b|tantra|bodyslide|body to body|body2body|nuru)")
_TYPE_NEG = re.compile(r"\b(geen|no|niet|not|nooit|never)\s+(?:\w+\s+){0,2}?$")


# "Escort in en rond Utrecht" is a location line (the sites' convention for escort areas),
# not a statement of the full offer: it does not set the work types on its own.
_LOCATION_LINE = re.compile(r"\bescort\s+(?=in en rond\b|in en om\b|in de regio\b|regio\b)|\bik ontvang(?=\s+in\s)")
# "ontvangst 150 / escort 200": a per-type price, read by the price parser (does not state the offer)
_TYPE_PRICE = re.compile(
    r"(?:thuisontvangst|ontvangst|prijs thuis|thuis|incall|in-call|escort|outcall|out-call|"
    r"(?:ontspannende |erotische )?massage)\b[^.!?]{0,25}?\d{2,4}"
)


_TYPE_NEG_AFTER = re.compile(r"^\s+(?:niet|not|nooit|never)\b")


def _types_in(t: str) -> tuple[bool, bool, bool]:
    def hit(rx):
        for m in rx.finditer(t):
            before = t[max(0, m.start() - 25) : m.start()]
            if not _TYPE_NEG.search(before) and not _TYPE_NEG_AFTER.match(t[m.end() : m.end() + 12]):
                return True
        return False

    return hit(_HOME), hit(_ESCORT), hit(_MASSAGE)


def work_types_from_field(value: str | None) -> tuple[bool, bool, bool] | None:
    if not value:
        return None
    t = fold(value)
    h, e, m = _types_in(t)
    return (h, e, m) if (h or e or m) else None


def work_types_from_text(text: str, skip: set[int] | None = None) -> tuple[bool, bool, bool] | None:
    """Types stated in the text; location lines and multi-type price lists do not state the offer."""
    h = e = m = False
    for i, s in enumerate(sentences(fold(text))):
        if skip and i in skip:
            continue
        if PRICE_SENTENCE.search(s):
            # a price list with two or more types ("ontvangst 150 / escort 200") names the priced
            # types, not necessarily every service offered: read by the price parser only
            priced = {_last_type(m.group(0)) for m in _TYPE_PRICE.finditer(s)}
            if len(priced - {None}) >= 2:
                s = _TYPE_PRICE.sub(" ", s)
        s = _LOCATION_LINE.sub(" ", s)
        hh, ee, mm = _types_in(s)
        h, e, m = h or hh, e or ee, m or mm
    return (h, e, m) if (h or e or m) else None

