"""Stated age of the advertiser, from the age field or the free text."""

from __future__ import annotations

import re
from functools import lru_cache

from sekswerk_assets.extraction.textmining.normalise import fold, fold_sep
from sekswerk_assets.extraction.textmining.numbers import digits

_AGE_UNIT = r"(?:jaar|jr|jaren|j\b|yrs?\b|years?|yo\b|y\.o\.?|y/o|y\b|jarige|jarig|jaartjes|jaartje|lentes|lente|ans\b|anos\b|años\b|anni\b)"
_AGE_NOT_AFTER = (r"(?!\s*(?:ervaring|experience|in het vak|in de zorg|actief|werkzaam|getrouwd|samen|lang\b|"
                  r"in nederland|in nl\b|in holland|in the business))")
# strong patterns: an age unit or an explicit label
_AGE_STRONG = [
    re.compile(r"\b(?:leeftijd|age|lft|lftd|leeftyd|mijn leeftijd is|my age is)\s*[:=]?\s*(\d{2})\b"),
    re.compile(r"\b(\d{2})\s*" + _AGE_UNIT + _AGE_NOT_AFTER),
    re.compile(r"\b(?:ik ben|i am|i'm|im|ben)\s+(\d{2})\b(?!\s*(?:cm|kg|euro|eur|min|uur|%|jaar (?:ervaring|in)))"),
    re.compile(r"\b(\d{2})\s*(?:years?\s+young|jaar\s+jong)"),
    re.compile(r"\b(?:aged?)\s+(\d{2})\b"),
    # a person word (also compounds: "transvrouw", "escortdame", "masseuse") + "van"/"of" + number
    re.compile(r"\b\w*(?:vrouw|dame|meid|meisje|man|jongen|heer|lady|girl|woman|guy|boy|masseuse|masseur|student|"
               r"studente|mama|moeder|milf|trans|ts|blondine|brunette|schoonheid|godin|beauty|escort|kerel|vent)"
               r"\w{0,3}\s+(?:van|of)\s+(\d{2})\b(?!\s*(?:cm|kg|euro|eur|min|uur|%|jaar\s+(?:ervaring|in)))"),
    # "Nu ben ik 38", "inmiddels ben ik 35", "ik ben nu 40", "I'm now 29"
    re.compile(r"\b(?:ben\s+ik|ik\s+ben|i\s*'?m|i\s+am)\s+(?:nu|inmiddels|al|pas|now|already|just)\s+(\d{2})\b"
               r"(?!\s*(?:cm|kg|euro|eur|min|uur|%|jaar\s+(?:ervaring|in)|keer|x\b))"),
    # "man/40", "(v, 33)": a gender mark beside the age
    re.compile(r"\b(?:man|vrouw|dame|m|v|f|w)\s*/\s*(\d{2})\b|\((?:m|v|f|w)\s*,\s*(\d{2})\)"),
    re.compile(r"\bben\s+ik\s+(\d{2})\b(?!\s*(?:cm|kg|euro|eur|min|uur|%|jaar\s+(?:ervaring|in)|keer|x\b))"),
]
# weak patterns: a bare number set off like an age ("Lisa (27)", "Lisa, 27,", "Zuzana 28 –"): 18-79 only
_NOT_UNIT_AFTER = r"(?!\s*(?:min|uur|u\b|h\b|hour|euro|eur|€|%|cm|kg|x\b|p\b|/|-\s*\d|\d))"
_AGE_WEAK = [
    re.compile(r"\((\d{2})\)"),
    re.compile(r"\b(?:zij|hij|she|he)\s+(\d{2})\b"),
    re.compile(r"(?:^|[,|•–-]\s*|\w\s)(\d{2})\s*(?=[,|•–!)]|\s[–|•-]\s|\.\s|\.$|$)" + _NOT_UNIT_AFTER),
]
_NUM_WORDS = {
    "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19, "twintig": 20, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "dertig": 30, "thirty": 30, "veertig": 40, "forty": 40,
    "vijftig": 50, "fifty": 50,
}
_AGE_WORD = re.compile(r"\b(?:ik ben|i am|i'm|ben)\s+(" + "|".join(_NUM_WORDS) + r")\b|\b(" + "|".join(_NUM_WORDS)
                       + r")\s+(?:jaar|years)")
_AGE_EXCLUDE_BEFORE = re.compile(
    r"\b(?:al|since|for|sinds|meer dan|over|ruim|more than|werk|work\w*|ervaring|min\.?|minimum|nr\.?|nummer|"
    r"tot|from|van|vanaf|va|om|at|till|until|na|after|half|per|prijs|price|tarief|rate|"
    # sizes, measures, addresses and opening hours are not ages ("Maat 38", "Open 11-23", "huisnummer 41")
    r"midden|begin|eind|rond|ongeveer|around|mid|early|late|in de|in my|boven de|above|onder de|under|over de|"
    r"all girls over|ouder dan|older than|jonger dan|younger than|plus|"
    # a house number after a street name ("Hoofdstraat 27", "Kerkweg 21")
    r"\w+(?:straat|weg|laan|plein|gracht|kade|singel|dijk|hof|steeg|dreef|markt|street|road|lane|avenue)|"
    r"maat|maatje|size|schoenmaat|shoe size|dress size|confectie|cup|bh|lengte|height|gewicht|weight|huisnummer|"
    r"huisnr|postcode|open|geopend|kamer|room|bus|tram|lijn|nummer|number|no|verdieping|hoog|kg|cm)\.?\s*[:=]?\s*$"
)
# an age range ("19-24 jaar", "tussen 20 en 30 jaar", "ages 21-35") is not an age
_RANGE_BEFORE = re.compile(r"\d{2}\s*(?:-|–|tot|t/m|en|and|to)\s*$|\b(?:tussen|between|ages)\s*$")
_TIME_RANGE_BEFORE = re.compile(r"\d\s*[-–:.]\s*$|\b(?:tot|till|until|to|t/m)\s*$")
_TIME_AFTER = re.compile(r"^\s*(?:[-–:]\s*\d|\.\d|\s*uur\b)")
_COUPLE = re.compile(r"\b(?:stel|stelletje|couple|duo|koppel)\b|\bzij\b[^.!?]{0,20}\bhij\b|\bhij\b[^.!?]{0,20}\bzij\b|"
                     r"\bshe\b[^.!?]{0,20}\bhe\b|\bhe\b[^.!?]{0,20}\bshe\b")
_JOKE = re.compile(r"\b(?:grapje|just kidding|kidding|nee hoor|geintje)\b")


@lru_cache(maxsize=4096)  # form values repeat ("Thuisontvangst, Massage", "26")
def age_from_field(value: str | None) -> int | None:
    if not value:
        return None
    m = re.search(r"\d{1,3}", fold(value))
    if not m:
        return None
    v = int(m.group(0))
    return v if 10 <= v <= 120 else None


def _age_candidates(t: str):
    for rx in _AGE_STRONG:
        for m in rx.finditer(t):
            g = 1 if m.group(1) is not None else 2
            v = int(m.group(g))
            if _RANGE_BEFORE.search(t[max(0, m.start(g) - 12) : m.start(g)]) or re.match(r"^\s*(?:-|–|tot|t/m)\s*\d", t[m.end(g):]):
                continue
            if _AGE_EXCLUDE_BEFORE.search(t[max(0, m.start() - 14) : m.start()]) and not rx.pattern.startswith(r"\b(?:leeftijd"):
                continue
            if 14 <= v <= 99:
                yield m.start(), v
    for m in _AGE_WORD.finditer(t):
        yield m.start(), _NUM_WORDS[m.group(1) or m.group(2)]
    for rx in _AGE_WEAK:
        for m in rx.finditer(t):
            v = int(m.group(1))
            if _RANGE_BEFORE.search(t[max(0, m.start(1) - 12) : m.start(1)]):
                continue
            if _AGE_EXCLUDE_BEFORE.search(t[max(0, m.start(1) - 14) : m.start(1)]):
                continue
            if _TIME_RANGE_BEFORE.search(t[max(0, m.start(1) - 6) : m.start(1)]) or _TIME_AFTER.match(t[m.end(1) :]):
                continue  # "open 10-22", "12.00-24", "20:00"
            if PRICE_CONTEXT_BEFORE.search(t[max(0, m.start(1) - 25) : m.start(1)]):
                continue
            if 18 <= v <= 79:
                yield m.start(1) + 100_000, v  # weak: only when no strong candidate


def age_from_text(text: str) -> int | None:
    """Stated age; after a retraction ('ik ben 16... grapje, ik ben 21') the later statement wins."""
    t = digits(fold_sep(text))
    cands = sorted(_age_candidates(t))
    if not cands:
        return None
    if len(set(re.findall(r"\((\d{2})\)", t))) >= 2:
        return None  # several people with their ages ("Kim (24) en Eva (31)"): no single age
    if len({v for _, v in cands}) >= 2 and _COUPLE.search(t):
        return None  # a couple stating two ages ("zij 31, hij 34"): no single age
    strong = [c for c in cands if c[0] < 100_000]
    pool = strong or cands
    if len(strong) > 1 and _JOKE.search(t):
        return strong[-1][1]
    return pool[0][1]


PRICE_CONTEXT_BEFORE = re.compile(r"(€|\beur\w*|\bprijs|\btarie\w+|\brates?|\bprice|\bkost\w*|\buur|\bhour|\bmin\w*|\bincall|\boutcall|\bescort|\bontvangst|\bthuis|\bmassage|\bhalf)\s*[:=]?\s*$")

