"""Gender and transgender from the gender field, from person words in the text and from first names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import ahocorasick

from sekswerk_assets.extraction.textmining import gender_terms as terms
from sekswerk_assets.extraction.textmining.normalise import fold


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# person words and compound heads through one Aho-Corasick automaton: whole words, or the last part of a
# compound ("escortjongen", "callgirl", "thuiswerkster") when at least 3 letters stand before it
_PERSON = ahocorasick.Automaton()
for _w in terms.FEMALE_WORDS | terms.MALE_WORDS | set(terms.FEMALE_HEADS) | set(terms.MALE_HEADS):
    _PERSON.add_word(_w, (_w, "female" if _w in terms.FEMALE_WORDS or _w in terms.FEMALE_HEADS else "male",
                          _w in terms.FEMALE_HEADS or _w in terms.MALE_HEADS))
for _w in (*terms.FEMALE_DEMONYMS, "schone"):  # only a gate for the demonym-noun rule (whole words)
    _PERSON.add_word(_w, (_w, "noun", False))
_PERSON.make_automaton()

_CLIENT = "(?:" + _alt(terms.CLIENT_WORDS) + ")"
_ANY = "(?:" + _alt(terms.PERSON_ANY) + ")"
_NEG_TARGET = ("(?:" + _alt((*terms.PERSON_ANY, *terms.CLIENT_WORDS, "ladyboy", "shemale", "transgender",
                             "travestiet", "crossdresser")) + ")")
# phrases about other people than the advertiser, removed before the person words are read: clients
# ("voor de veeleisende heer", "heren welkom", "ladies only", "ontvang alleen mannelijke gasten"),
# recruitment ("wij zoeken dames"), the addressed reader ("ben jij de man die", "hi guys", "dames en heren"),
# partners and relatives ("mijn man", "my mother"), and negated person words ("geen man", "no guys")
_NOT_SELF = re.compile(
    r"\b(?:voor|for|to|aan|naar|ontvangt|ontvang|ontvangen|zoekt|zoek|zoeken|bezoekt|bezoek|verwent|verwen|"
    r"verwennen|masseer|masseert|pamper|pampers|spoil|spoils|receiving|receive|receives|welcomes?|welcoming|"
    r"serve|serves|serving|visit|visits|visiting|meet|meets|satisfy|gezocht|wanted|hiring|"
    r"biedt\s+\w+\s+(?:aan|voor))\s+(?:\w+\s+){0,2}?" + _CLIENT + r"\b(?:\s*(?:en|and|of|or|&|,)\s*" + _CLIENT + r"\b)*"
    r"|\b(?:alleen|only|uitsluitend|exclusief|enkel|just)\s+(?:voor\s+|for\s+)?(?:\w+\s+)?" + _CLIENT + r"\b"
    r"(?:\s*(?:en|and|of|or|&|,)\s*" + _CLIENT + r"\b)*"
    r"|\b" + _CLIENT + r"(?:\s*(?:en|and|of|or|&|,)\s*" + _CLIENT + r")*\s+(?:\d+\+?\s+)?(?:zijn\s+|are\s+)?"
    r"(?:ook\s+|also\s+|altijd\s+|always\s+|van\s+harte\s+)?(?:welkom|welcome|gezocht|wanted|only|opgelet)\b"
    r"|\b(?:hallo|hello|hi|hoi|hey|dear|beste|dag|ha)\s+(?:heren|gentlemen|mannen|men|guys|jongens|boys|schatjes|"
    r"dames|ladies|allemaal|all)\b|\blieve\s+(?:heren|mannen|jongens|guys|schatjes)\b"
    r"|\b(?:dames\s+(?:en|&)\s+heren|heren\s+(?:en|&)\s+dames|ladies\s+(?:and|&)\s+gentlemen)\b"
    r"|\b(?:ben|bent|are|als|if)\s+(?:jij|je|you|u)\b[^.!?]{0,20}?\b(?:de|een|the|a|an|als|as)\s+(?:\w+\s+)?" + _ANY + r"\b"
    r"|\b(?:jij|je|you|u)\s+(?:bent|are|zijn)\s+(?:\w+\s+)?(?:de|een|the|a|an)\s+(?:\w+\s+)?" + _ANY + r"\b"
    r"|\b(?:mijn|my|m'n|haar|her|zijn|his|je|jouw|your|uw|onze|our)\s+(?:\w+\s+)?(?:" + _alt(terms.KIN_WORDS) + r")\b"
    r"|\b(?:seeking|looking\s+for|searching\s+for)\s+(?:\w+\s+){0,2}?" + _CLIENT + r"\b"
    r"|\b(?:mannelijke|vrouwelijke|male|female)\s+(?:klanten|clients?|gasten|guests|bezoekers|visitors|clientele)\b"
    r"|\b(?:geen|no|not|niet|nooit|never)\s+(?:een\s+|a\s+|an\s+)?" + _NEG_TARGET + r"\b"
)
# a couple advertises ("Stel (zij 31, hij 34)", "Bi couple, she is 29 and he is 33"): no one gender
_COUPLE = re.compile(
    r"\b(?:" + _alt(terms.COUPLE_WORDS) + r")\b(?!\s+of\b)(?!\s+\w+\s+aan\b)"
    r"|\bstel\b(?!\s+(?:je|jij|u|ik|gerust|voor|vragen|ze|uw|jouw|me|mij|het|dan|maar|we|wij|dat|dit|die)\b)"
    r"|\b(?:hij\s+(?:en|&)\s+zij|zij\s+(?:en|&)\s+hij|he\s+(?:and|&)\s+she|she\s+(?:and|&)\s+he|"
    r"man\s+(?:en|&)\s+vrouw|husband\s+(?:and|&)\s+wife)\b"
)
_SHE_AGE = re.compile(r"\b(?:zij|she)\s*(?:is\s+)?[(:,]?\s*\d{2}\b")
_HE_AGE = re.compile(r"\b(?:hij|he)\s*(?:is\s+)?[(:,]?\s*\d{2}\b")
_SAME_SEX_FEMALE = re.compile(r"\blesbi\w*|\btwee\s+(?:dames|vrouwen|meiden)\b|\btwo\s+(?:ladies|women|girls)\b")
_SAME_SEX_MALE = re.compile(r"\b(?:gay|homo)\w*\s+(?:stel|couple|koppel|duo)\b|\btwee\s+(?:mannen|jongens)\b")
# "(m, 35)", "(v/30)", "m/40": a gender letter beside the age
_MARK_FEMALE = re.compile(r"\((?:v|f|w)\s*[,/]\s*\d{2}\)|\b(?:v|f|w)\s*/\s*\d{2}\b|\((?:v|f|w)\)")
_MARK_MALE = re.compile(r"\(m\s*[,/]\s*\d{2}\)|\bm\s*/\s*\d{2}\b|\(m\)")
# an adjective decides over the noun: "vrouwelijke masseur", "mannelijke escort"
_ADJ_FEMALE = re.compile(r"\b(?:vrouwelijke?|female|feminine)\s+\w+")
_ADJ_MALE = re.compile(r"\b(?:mannelijke?|male|masculine)\s+\w+")
# a Dutch feminine demonym used as a noun ("een spontane Hongaarse, 31", "Poolse uit Gdansk"), not as an
# adjective before a noun ("Thaise massage") or in a list of adjectives ("Thaise, Japanse en Chinese massage");
# "schone" likewise ("Marokkaanse schone", not "schone studio")
_DEM = _alt(terms.FEMALE_DEMONYMS)
_NOUN_AFTER = (r"(?=\s*(?:$|[.!?;:)(\d]|,(?!\s*(?:" + _DEM + r"|\w+e)\b)"
               r"|(?:uit|van|met|die|in|op|bij|from|is|ontvangt|zoekt|verwent|komt|woont|werkt|hier)\b"
               r"|(?:en|of|and|&)(?!\s+(?:" + _DEM + r"|\w+e)\b)\s))")
_FEMALE_NOUN = re.compile(r"\b(?:" + _DEM + r"|schone)\b" + _NOUN_AFTER)
_DEM_NAME = re.compile(r"\b(?:" + _DEM + r")[ \t]+(?=(\w+))")
_NOT_A_NAME = terms.NOT_NAMES | terms.FEMALE_WORDS | terms.MALE_WORDS | set(terms.CLIENT_WORDS)
_TRANS = re.compile(
    r"\b(?:trans(?:gender\w*|seks\w*|sex\w*|vrouw\w*|man|girl\w*|woman|women|meid\w*|dame\w*|ladies|lady|"
    r"escort\w*)?|ts|tv|tgirl|t-girl|shemale|she-male|ladyboy|lady-boy|travestiet\w*|transexual|tranny|"
    r"crossdresser)\b"
)
# "tv" as the television: "kamer met tv", "tv kijken"
_TELEVISION = re.compile(r"\b(?:met|with|smart|flatscreen|kabel|cable|grote|big|plasma|op|on|de|the|en|and|wifi|"
                         r"netflix|een|a)\s+tv\b|\btv(?:\s*-\s*|\s+)(?:kijken|serie\w*|programm\w*|scherm|screen|"
                         r"show|toestel|set|kanaal|channel|en\s+wifi|and\s+wifi)\b")


# the reader looking for the advertiser ("Are you looking for a real woman?", "Zoek je een lieve meid?"):
# the person sought is the advertiser, so the verb goes before the client phrases are removed
_READER_SEEKS = re.compile(
    r"\b(?:(?:are\s+)?you\s+(?:\w+\s+)?(?:looking|searching)\s+for|(?:zoek|zoekt)\s+(?:je|jij|u)|"
    r"(?:ben|bent)\s+(?:je|jij|u)\s+(?:\w+\s+)?op\s+zoek\s+naar|(?:looking|searching)\s+for(?=[^.!?]{0,40}\?)|"
    r"op\s+zoek\s+naar(?=[^.!?]{0,40}\?))\b"
)


def _not_self(t: str) -> str:
    """The folded text without phrases about clients, readers, relatives and negated person words."""
    if "zoek" in t or "look" in t or "search" in t:
        t = _READER_SEEKS.sub(" ", t)
    t = _NOT_SELF.sub(" ", t)
    return _TELEVISION.sub(" ", t) if "tv" in t else t


@lru_cache(maxsize=512)  # gender_from_text, transgender and gender_from_name read the same ad
def _clean(text: str) -> tuple[str, str]:
    """(folded text, folded text without phrases about others)."""
    folded = fold(text)
    return folded, _not_self(folded)


def _is_couple(t: str) -> bool:
    return bool(_COUPLE.search(t)) or bool(_SHE_AGE.search(t) and _HE_AGE.search(t))


def _person_words(t: str) -> tuple[bool, bool, bool]:
    """(female word, male word, demonym or "schone") found among whole words and compound heads of ``t``."""
    f = m = dem = False
    n = len(t)
    for end, (word, gender, head) in _PERSON.iter(t):
        if end + 1 < n and t[end + 1].isalnum():
            continue
        start = end - len(word) + 1
        if start > 0 and t[start - 1].isalnum():
            if not head:
                continue
            s = start
            while s > 0 and t[s - 1].isalnum():
                s -= 1
            if start - s < 3 or not t[s:start].isalpha() or t[s:end + 1] in terms.NOT_PERSON:
                continue
        elif word in terms.NOT_PERSON:
            continue
        if gender == "female":
            f = True
        elif gender == "male":
            m = True
        else:
            dem = True
        if f and m:
            break
    return f, m, dem


def _female_noun(t: str, folded: str, original: str) -> bool:
    """A feminine demonym or "schone" used as a noun ("Hongaarse, 31", "Poolse Kasia").

    ``t`` is the folded text without phrases about others; ``folded`` the whole folded text, which has
    the length of ``original`` (the case of the next word is read there) or ``original`` is empty.
    """
    if _FEMALE_NOUN.search(t):
        return True
    if not original:
        return False
    for mt in _DEM_NAME.finditer(folded):  # "Poolse Kasia": a capitalised word that is no thing
        if original[mt.start(1)].isupper() and mt.group(1) not in _NOT_A_NAME:
            return True
    return False


def gender_from_field(value: str | None) -> str | None:
    if not value:
        return None
    v = fold(value).strip()
    if _COUPLE.search(v) or ("vrouw" in v and re.search(r"\bman\b", v)) or v in ("m/v", "v/m", "m/f", "f/m"):
        return None
    if v.startswith(("vrouw", "female", "woman", "dame", "f")):
        return "female"
    if v.startswith(("man", "male", "heer", "m")):
        return "male"
    if "trans" in v or v in ("ts", "shemale", "ladyboy", "tv"):
        return "female"
    return None


def gender_from_text(text: str) -> str | None:
    """Gender from the advertiser's own person words ('meid', 'ladies', 'escortjongen', 'een Poolse'), None if unsure.

    Phrases about others (clients, the reader, relatives, negated words) are removed first; a couple,
    or a woman's and a man's word together, gives None. Order: couple, marks, adjectives, words, demonyms.
    """
    folded, t = _clean(text)
    if _is_couple(t):
        f, m = bool(_SAME_SEX_FEMALE.search(t)), bool(_SAME_SEX_MALE.search(t))
        return ("female" if f else "male") if f != m else None
    mf, mm = bool(_MARK_FEMALE.search(t)), bool(_MARK_MALE.search(t))
    if mf != mm:
        return "female" if mf else "male"
    af, am = bool(_ADJ_FEMALE.search(t)), bool(_ADJ_MALE.search(t))
    if af != am:
        return "female" if af else "male"
    trans = bool(_TRANS.search(t))
    if trans:  # "ladyboy", "she-male", "t-girl": not the person words inside them
        t = _TRANS.sub(" ", t)
    f, m, dem = _person_words(t)
    if dem and not f and not m and _female_noun(t, folded, text if len(folded) == len(text) else ""):
        f = True
    if not f and not m and trans:
        return "female"
    if f and not m:
        return "female"
    if m and not f:
        return "male"
    return None


def transgender(text: str) -> bool:
    """A transgender mention that describes the advertiser (not 'trans welkom', not 'geen TS', not 'kamer met tv')."""
    if not _TRANS.search(fold(text)):
        return False
    return bool(_TRANS.search(_clean(text)[1]))


# The advertiser's first name ("Ik ben Nadia", "my name is Lotte", "door Ayla (30)") gives the gender
# when nothing else states it, through Faker's (MIT) female and male first-name lists of the locales of
# the advertisers' origin countries (Latin script only). A name in a female list and in a male list (of
# one locale or of two: "Andrea", "Robin", "Sam") is ambiguous and gives nothing.
_NAME_CUE = re.compile(
    r"(?:\b[Ii]k\s*(?:\(\d{2}\)|,\s*\d{2}\s*,)?\s*ben|\b[Ii]k\s+heet|\b[Mm]ijn\s+naam\s+is|\b[Mm]y\s+name\s+is|\bI\s*'?m|\bI\s+am|\b[Hh]ier\s+is|"
    r"\b[Hh]ier|\b[Tt]his\s+is|\b[Cc]all\s+me|\b[Bb]el|\b[Dd]oor|\b[Bb]y|\b[Ww]ith|\b[Mm]et|\b[Ww]elkom\s+bij|\b[Bb]ij|"
    r"\b[Ll]ieve|\b[Ss]exy|\b[Ee]scort|\b[Ee]scorte|\b[Nn]ieuw(?:\s+in\s+\w+)?:?|\b[Hh]ot|\b[Ss]weet|\b[Mm]ooie|"
    r"\b[A-Z][a-z]+(?:se|sche|an|ian|ish|ese|ana|ina)|\b[Gg]ezellige|\b[Ee]rvaren)\s+"
    r"([A-ZÀ-Ý][a-zà-ÿ]{2,14})\b"
    # a name set off with the age: "Nadia (27)", "Sophie 18 jaar", "Chantal, 36,", "Jasmijn hier (26)"
    r"|\b([A-ZÀ-Ý][a-zà-ÿ]{2,14})(?:\s+hier)?\s*(?:\(\d{2}\)|,?\s+\d{2}\s*(?:jaar|jr|j\b|jaartjes|years?|yo|y/o|ans|anos|años)|,\s*\d{2}\s*[,.]"
    # or with the age between separators: "Mia 27, 200 per uur", "Lisa | 24 |", "Nina 🌸 24 🌸"
    r"|\s*[,|]?\s*(?:[1-6]\d)\s*(?:[,|]|$))"
)

_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+")  # emoji separate like "|"
_LOWER_NAME_CUE = re.compile(r"\b(?:ik\s+ben|ik\s+heet|mijn\s+naam\s+is|my\s+name\s+is|i\s*'?m|i\s+am|call\s+me)\s+"
                             r"([a-zà-ÿ]{3,14})\b")

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
    if name and name.split():
        names = [name.split()[0]]
    else:
        if _is_couple(_clean(text)[1]):
            return None
        names = [a or b for a, b in _NAME_CUE.findall(_EMOJI.sub(" | ", text))]
        if not names and text.islower():  # a text typed in lower case: "ik ben lotte, 24 jaar"
            names = _LOWER_NAME_CUE.findall(text)
    found = set()
    for n in names:
        if len(n) < 3 or (not_a_name is not None and not_a_name(n)):
            continue
        g = _name_gender(n)
        if g:
            found.add(g)
    return found.pop() if len(found) == 1 else None
