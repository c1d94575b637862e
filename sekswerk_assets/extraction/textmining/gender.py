"""Gender and transgender from the gender field and from person words in the text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from sekswerk_assets.extraction.textmining.normalise import fold

# person words, also plurals ("dames", "ladies", "masseuses") and compounds ("escortdame", "callgirl", "escortjongen")
_FEMALE = re.compile(
    r"\b(vrouw|vrouwtje|vrouwtjes|female|woman|vrouwelijke?|\w*(?<!ma)dames?|\w*meid|meiden|meidje|meisjes?|\w*girls?|girly|"
    r"\w*lady|ladies|masseuses?|studentes?|milfs?|latinas?|chicas?|godin|goddess|queen|babes?|hottie|blondines?|"
    r"brunettes?|mevrouw|eigenaresse|schoonheid|beauty|prinses|princess|she|redhead|roodharige|mama|moeder|"
    r"secretaresse|dominatrix|meesteres|mistress|blonde|zussen|zusjes|sisters|"
    # feminine demonyms used as nouns: "Colombiana", "Pinay"
    r"colombiana|venezolana|dominicana|italiana|brasileira|cubana|peruana|mexicana|chilena|ecuatoriana|filipina|pinay)\b"
)
_MALE = re.compile(r"\b(man|male|broers|brothers|mannelijke?|\w*jongen|\w*jongens|jongeman|\w*boys?|guys?|gentleman|masseurs?|heer|stud|"
                   r"kerel|vent|knul|hunk)\b")
_CLIENT_WORDS = (r"(?:dames|vrouwen|heren|mannen|stellen|koppels|ladies|women|men|gentlemen|couples|man|vrouw|dame|heer|"
                 r"gentleman|zakenman|businessman|genieter|klant|klanten|clients?)")
# clients and recruitment, not the advertiser: "voor de veeleisende heer", "dames welkom", "wij zoeken dames"
_CLIENTS = re.compile(
    r"\b(?:voor|for|to|aan|ontvangt|ontvang|zoekt|zoek|zoeken|bezoekt|verwent|verwen|pamper|receiving|receive|welcomes?|"
    r"gezocht|wanted|hiring|biedt\s+\w+\s+(?:aan|voor))\s+(?:\w+\s+){0,2}?" + _CLIENT_WORDS + r"\b"
    r"(?:\s+(?:en|and|of|or|&|,)\s*" + _CLIENT_WORDS + r")*"
    r"|\b" + _CLIENT_WORDS + r"(?:\s+(?:en|and|of|or|&)\s+" + _CLIENT_WORDS + r")*\s+(?:\d+\+?\s+)?(?:zijn\s+)?(?:ook\s+|also\s+)?"
    r"(?:welkom|welcome|gezocht|wanted)\b"
    r"|\b(?:hallo|hello|hi|hoi|hey|dear|beste|lieve)\s+(?:heren|gentlemen|mannen|men|guys|schatjes)\b"
    # the reader ("ben jij de man die ...", "are you the guy") and partners ("mijn man", "my husband")
    r"|\b(?:jij|you|u)\b[^.!?]{0,12}\b(?:de|een|the|a)\s+(?:\w+\s+)?(?:man|heer|gentleman|guy|jongen|vrouw|dame|lady|woman)\b"
    r"|\b(?:mijn|my|m'n|haar|her|je|jouw|your|uw)\s+(?:man|vriend|husband|boyfriend|vrouw|wife|vriendin|girlfriend|partner)\b"
    r"|\b(?:seeking|looking\s+for|searching\s+for)\s+(?:\w+\s+){0,2}?" + _CLIENT_WORDS + r"\b"
)
# "(m, 35)", "(v/30)", "m/40": a gender letter beside the age
_MARK_FEMALE = re.compile(r"\((?:v|f|w)\s*[,/]\s*\d{2}\)|\b(?:v|f|w)\s*/\s*\d{2}\b|\((?:v|f|w)\)")
_MARK_MALE = re.compile(r"\(m\s*[,/]\s*\d{2}\)|\bm\s*/\s*\d{2}\b|\(m\)")
# an adjective decides over the noun: "vrouwelijke masseur", "mannelijke escort"
_ADJ_FEMALE = re.compile(r"\b(?:vrouwelijke?|female)\s+\w+")
_ADJ_MALE = re.compile(r"\b(?:mannelijke?|male)\s+\w+")
_TRANS = re.compile(
    r"\b(trans(?:gender\w*|seks\w*|sex\w*|vrouw\w*|girl\w*|woman|women|meid\w*|dame\w*|ladies|lady)?|ts|tv|tgirl|t-girl|"
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
    mf, mm = bool(_MARK_FEMALE.search(t)), bool(_MARK_MALE.search(t))
    if mf != mm:
        return "female" if mf else "male"
    af, am = bool(_ADJ_FEMALE.search(t)), bool(_ADJ_MALE.search(t))
    if af != am:
        return "female" if af else "male"
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



# The advertiser's first name ("Ik ben Nadia", "my name is Lotte", "door Ayla (30)") gives the gender
# when nothing else states it, through Faker's (MIT) female and male first-name lists of the locales of
# the advertisers' origin countries (Latin script only). A name in a female list and in a male list (of
# one locale or of two: "Andrea", "Robin", "Sam") is ambiguous and gives nothing.
_NAME_CUE = re.compile(
    r"(?:\b[Ii]k\s+ben|\b[Ii]k\s+heet|\b[Mm]ijn\s+naam\s+is|\b[Mm]y\s+name\s+is|\bI\s*'?m|\bI\s+am|\b[Hh]ier\s+is|"
    r"\b[Hh]ier|\b[Tt]his\s+is|\b[Cc]all\s+me|\b[Bb]el|\b[Dd]oor|\b[Bb]y|\b[Ww]ith|\b[Mm]et|\b[Ww]elkom\s+bij|"
    r"\b[Ll]ieve|\b[Ss]exy|\b[Ee]scort|\b[Ee]scorte|\b[Nn]ieuw(?:\s+in\s+\w+)?:?|\b[Hh]ot|\b[Ss]weet|\b[Mm]ooie|"
    r"\b[A-Z][a-z]+(?:se|sche|an|ian|ish|ese|ana|ina)|\b[Gg]ezellige|\b[Ee]rvaren)\s+"
    r"([A-ZÀ-Ý][a-zà-ÿ]{2,14})\b"
    # a name set off with the age: "Nadia (27)", "Sophie 18 jaar", "Chantal, 36,", "Jasmijn hier (26)"
    r"|\b([A-ZÀ-Ý][a-zà-ÿ]{2,14})(?:\s+hier)?\s*(?:\(\d{2}\)|,?\s+\d{2}\s*(?:jaar|jr|j\b|jaartjes|years?|yo|y/o|ans|anos|años)|,\s*\d{2}\s*[,.])"
)

#: Faker locales whose first-name lists are read: the Netherlands and Belgium, and the origin countries
#: of the report's regions (Eastern Europe, rest of Europe, South America) with a Latin-script list.
#: Cyrillic lists are read in Latin script through Faker's own transliteration table of that locale
#: (``CYRILLIC_LOCALES``); bg_BG is left out (its table maps look-alike letters, not sounds).
NAME_LOCALES: tuple[str, ...] = (
    "nl_NL", "nl_BE", "en_GB", "en_US", "en_IE", "de_DE", "de_AT", "fr_FR", "fr_BE", "it_IT", "es_ES", "pt_PT",
    "ro_RO", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "hr_HR", "sl_SI", "lv_LV",
    "pt_BR", "es_CO", "es_MX", "es_AR", "es_CL",
)
CYRILLIC_LOCALES: tuple[str, ...] = ("ru_RU", "uk_UA")
_LATIN_MAX = 0x24F  # Basic Latin up to Latin Extended-B


def _locale_names(locale: str, gender: str) -> list[str]:
    """One Faker locale's first names of one gender, in Latin script."""
    import importlib

    names = [str(n) for n in getattr(importlib.import_module(f"faker.providers.person.{locale}").Provider,
                                     f"first_names_{gender}", None) or ()]
    if locale in CYRILLIC_LOCALES:
        pairs = importlib.import_module(f"faker.providers.internet.{locale}").Provider.replacements
        table = str.maketrans({c: latin for cyr, latin in pairs for c in (cyr, cyr.lower())})
        names = [n.translate(table) for n in names]
    return names


def _name_key(name: str) -> str:
    return fold(name).strip()


@lru_cache(maxsize=1)
def name_genders() -> Mapping[str, str]:
    """Folded first name -> "female" / "male", built once from Faker's per-locale lists.

    Names that occur in a female and in a male list are left out (ambiguous -> not stated).
    """
    lists: dict[str, set[str]] = {"female": set(), "male": set()}
    for locale in (*NAME_LOCALES, *CYRILLIC_LOCALES):
        for gender in lists:
            for name in _locale_names(locale, gender):
                key = _name_key(name)
                if len(key) >= 3 and key.isalpha() and max(map(ord, key)) <= _LATIN_MAX:
                    lists[gender].add(key)
    both = lists["female"] & lists["male"]
    table = {n: g for g, names in lists.items() for n in names - both}
    return MappingProxyType(table)


def _name_gender(name: str) -> str | None:
    return name_genders().get(_name_key(name))


def gender_from_name(text: str, name: str | None = None, not_a_name=None) -> str | None:
    """Gender of the advertiser's first name (site name field, else named in the text); None if unsure.

    ``not_a_name(word)`` excludes words that are something else here (place names: "Escort Ede").
    """
    names = [name.split()[0]] if name and name.split() else [a or b for a, b in _NAME_CUE.findall(text)]
    found = set()
    for n in names:
        if len(n) < 3 or (not_a_name is not None and not_a_name(n)):
            continue
        g = _name_gender(n)
        if g:
            found.add(g)
    return found.pop() if len(found) == 1 else None
