"""Gender and transgender from the gender field and from person words in the text."""

from __future__ import annotations

import re

from sekswerk_assets.extraction.textmining.normalise import fold

_FEMALE = re.compile(
    r"\b(vrouw|vrouwtje|female|woman|vrouwelijk|dame|escortdame|meid|meidje|meisje|girl|girly|lady|masseuse|studente|"
    r"milf|latina|chica|godin|goddess|queen|babe|hottie|blondine|brunette|mevrouw|eigenaresse|schoonheid|beauty|"
    r"prinses|princess|she|companion girl|redhead|roodharige)\b"
)
_MALE = re.compile(r"\b(man|male|jongen|jongeman|boy|guy|gentleman|masseur|heer|stud|kerel|vent)\b")
_CLIENTS = re.compile(r"\b(?:voor|for|ontvangt|ontvang|zoekt|zoek|bezoekt|biedt\s+\w+\s+(?:aan|voor))\s+(?:\w+\s+)?"
                      r"(?:dames|vrouwen|heren|mannen|stellen|ladies|women|men|gentlemen|man|vrouw|dame|heer)\b"
                      r"(?:\s+(?:en|and|of|or|&)\s+(?:dames|vrouwen|heren|mannen|stellen|ladies|women|men|gentlemen))?")
_TRANS = re.compile(
    r"\b(trans(?:gender|seksueel|seksuele|sexual|vrouw|girl|woman|meid|dame|ladies|lady)?|ts|tv|tgirl|t-girl|"
    r"shemale|she-male|ladyboy|lady-boy|travestiet|transsexual|transexual|transseksueel|transexueel|"
    r"shemale|tranny)\b"
)
_TRANS_NEG = re.compile(r"\b(geen|no|not|niet)\s+(?:een\s+|a\s+)?(?:trans|ts|shemale|ladyboy)")
_TRANS_CLIENTS = re.compile(r"\b(trans\w*|ts)\s+(?:welkom|welcome|ook welkom|also welcome)\b")


def gender_from_field(value: str | None) -> str | None:
    if not value:
        return None
    v = fold(value).strip()
    if v.startswith(("vrouw", "female", "woman", "dame", "f")):
        return "female"
    if v.startswith(("man", "male", "heer", "m")):
        return "male"
    if "trans" in v or v in ("ts", "shemale"):
        return "female"
    return None


def gender_from_text(text: str) -> str | None:
    """Gender from person words ('meid', 'lady', 'jongen'); client words ('voor dames', 'heren') do not count."""
    t = _CLIENTS.sub(" ", fold(text))
    f, m = bool(_FEMALE.search(t)), bool(_MALE.search(t))
    if not f and not m and _TRANS.search(t):
        return "female"
    if f and not m:
        return "female"
    if m and not f:
        return "male"
    return None


def transgender(text: str) -> bool:
    """A transgender mention that describes the advertiser (not 'trans welkom', not 'geen TS')."""
    t = fold(text)
    if not _TRANS.search(t):
        return False
    t2 = _TRANS_CLIENTS.sub(" ", _TRANS_NEG.sub(" ", t))
    # 'trans' alone is also a common word in other languages' phrases; require a proper form
    return bool(_TRANS.search(t2))

