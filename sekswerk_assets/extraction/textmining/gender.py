"""Gender and transgender from the gender field and from person words in the text."""

from __future__ import annotations

import re

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
# through gender-guesser's name dictionary when nothing else states it: only names the dictionary
# calls plainly female or male count ("mostly_", androgynous and unknown names give nothing).
_NAME_CUE = re.compile(
    r"(?:\b[Ii]k\s+ben|\b[Ii]k\s+heet|\b[Mm]ijn\s+naam\s+is|\b[Mm]y\s+name\s+is|\bI\s*'?m|\bI\s+am|\b[Hh]ier\s+is|"
    r"\b[Hh]ier|\b[Tt]his\s+is|\b[Cc]all\s+me|\b[Bb]el|\b[Dd]oor|\b[Bb]y|\b[Ww]ith|\b[Mm]et|\b[Ww]elkom\s+bij|"
    r"\b[Ll]ieve|\b[Ss]exy|\b[Ee]scort|\b[Ee]scorte|\b[Nn]ieuw(?:\s+in\s+\w+)?:?|\b[Hh]ot|\b[Ss]weet|\b[Mm]ooie|"
    r"\b[A-Z][a-z]+(?:se|sche|an|ian|ish|ese|ana|ina)|\b[Gg]ezellige|\b[Ee]rvaren)\s+"
    r"([A-ZÀ-Ý][a-zà-ÿ]{2,14})\b"
    # a name set off with the age: "Nadia (27)", "Sophie 18 jaar", "Chantal, 36,", "Jasmijn hier (26)"
    r"|\b([A-ZÀ-Ý][a-zà-ÿ]{2,14})(?:\s+hier)?\s*(?:\(\d{2}\)|,?\s+\d{2}\s*(?:jaar|jr|j\b|jaartjes|years?|yo|y/o|ans|anos|años)|,\s*\d{2}\s*[,.])"
)
_DETECTOR = None


def _detector():
    global _DETECTOR
    if _DETECTOR is None:
        import gender_guesser.detector as gd

        _DETECTOR = gd.Detector(case_sensitive=False)
    return _DETECTOR


def _name_gender(name: str) -> str | None:
    """Plainly female/male in the dictionary (also in its Dutch column); "mostly female" counts as female
    (most advertisers are women, so the prior favours it), "mostly male" does not count (Robin, Sam)."""
    g, nl = _detector().get_gender(name), _detector().get_gender(name, "the_netherlands")
    if g == "male" and nl in ("male", "mostly_male", "unknown"):
        return "male"
    if g in ("female", "mostly_female") and nl in ("female", "mostly_female", "unknown") or (g == "female" and nl == "andy"):
        return "female"
    return None


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
