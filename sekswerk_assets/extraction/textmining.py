"""Text mining of ad fields and free text (Dutch and English): rules, no models.

Every function takes already-decoded text (HTML entities resolved) and returns a value or
``None`` when the text states nothing. Field values (pre-filled site fields) go through the
same functions as free text; the site parsers decide which wins (field first, then text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# ------------------------------------------------------------------------------------------
# normalisation

_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")


def fold(text: str) -> str:
    """Lower case, no diacritics, emoji removed, typographic quotes/dashes simplified."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = _EMOJI.sub(" ", t)
    t = (t.replace("’", "'").replace("‘", "'").replace("´", "'").replace("–", "-").replace("—", "-")
         .replace("\u00a0", " "))
    return t.casefold()


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|(?<=[!?])(?=\S)")


def sentences(text: str) -> list[str]:
    """Split into sentences without breaking 'va. 150', 'ca. 30', 'p.u.' or decimal numbers."""
    t = re.sub(r"\b(v\.a\.|va\.|ca\.|nr\.|min\.|p\.u\.|e\.o\.|o\.a\.|incl\.|excl\.|ong\.)", lambda m: m.group(0).replace(".", "\u2024"), text)
    return [s.replace("\u2024", ".").strip() for s in _SENT_SPLIT.split(t) if s and s.strip()]


# ------------------------------------------------------------------------------------------
# gender and transgender

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


# ------------------------------------------------------------------------------------------
# work types

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


# ------------------------------------------------------------------------------------------
# origin

# Dutch country name -> (region, Dutch names / adjectives, English names / adjectives)
COUNTRIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Nederland": ("netherlands", ("nederland", "nederlandse", "hollandse", "holland"), ("the netherlands", "netherlands", "holland", "dutch")),
    "België": ("rest_of_europe", ("belgie", "belgische", "vlaamse"), ("belgium", "belgian", "flemish")),
    "Duitsland": ("rest_of_europe", ("duitsland", "duitse"), ("germany", "german")),
    "Spanje": ("rest_of_europe", ("spanje", "spaanse"), ("spain", "spanish")),
    "Italië": ("rest_of_europe", ("italie", "italiaanse"), ("italy", "italian")),
    "Frankrijk": ("rest_of_europe", ("frankrijk", "franse"), ("france", "french")),
    "Portugal": ("rest_of_europe", ("portugal", "portugese", "portugees"), ("portugal", "portuguese")),
    "Verenigd Koninkrijk": ("rest_of_europe", ("verenigd koninkrijk", "engeland", "britse", "engelse", "groot-brittannie"), ("the uk", "uk", "united kingdom", "england", "britain", "great britain", "british", "english")),
    "Griekenland": ("rest_of_europe", ("griekenland", "griekse"), ("greece", "greek")),
    "Zweden": ("rest_of_europe", ("zweden", "zweedse"), ("sweden", "swedish")),
    "Denemarken": ("rest_of_europe", ("denemarken", "deense"), ("denmark", "danish")),
    "Noorwegen": ("rest_of_europe", ("noorwegen", "noorse"), ("norway", "norwegian")),
    "Oostenrijk": ("rest_of_europe", ("oostenrijk", "oostenrijkse"), ("austria", "austrian")),
    "Zwitserland": ("rest_of_europe", ("zwitserland", "zwitserse"), ("switzerland", "swiss")),
    "Ierland": ("rest_of_europe", ("ierland", "ierse"), ("ireland", "irish")),
    "Finland": ("rest_of_europe", ("finland", "finse"), ("finland", "finnish")),
    "Roemenië": ("eastern_europe", ("roemenie", "roemeense", "roemeens"), ("romania", "romanian")),
    "Polen": ("eastern_europe", ("polen", "poolse", "pools"), ("poland", "polish")),
    "Hongarije": ("eastern_europe", ("hongarije", "hongaarse", "hongaars"), ("hungary", "hungarian")),
    "Bulgarije": ("eastern_europe", ("bulgarije", "bulgaarse", "bulgaars"), ("bulgaria", "bulgarian")),
    "Tsjechië": ("eastern_europe", ("tsjechie", "tsjechische", "tsjechisch", "tsjechische republiek"), ("the czech republic", "czech republic", "czechia", "czech")),
    "Slowakije": ("eastern_europe", ("slowakije", "slowaakse", "slowaaks"), ("slovakia", "slovak", "slovakian")),
    "Oekraïne": ("eastern_europe", ("oekraine", "oekraiense", "oekraiens"), ("ukraine", "ukrainian")),
    "Rusland": ("eastern_europe", ("rusland", "russische", "russisch"), ("russia", "russian")),
    "Letland": ("eastern_europe", ("letland", "letse", "lets"), ("latvia", "latvian")),
    "Litouwen": ("eastern_europe", ("litouwen", "litouwse"), ("lithuania", "lithuanian")),
    "Estland": ("eastern_europe", ("estland", "estse", "estlandse"), ("estonia", "estonian")),
    "Moldavië": ("eastern_europe", ("moldavie", "moldavische", "moldova"), ("moldova", "moldovan")),
    "Wit-Rusland": ("eastern_europe", ("wit-rusland", "wit-russische", "belarus"), ("belarus", "belarusian")),
    "Kroatië": ("eastern_europe", ("kroatie", "kroatische"), ("croatia", "croatian")),
    "Servië": ("eastern_europe", ("servie", "servische"), ("serbia", "serbian")),
    "Slovenië": ("eastern_europe", ("slovenie", "sloveense"), ("slovenia", "slovenian")),
    "Albanië": ("eastern_europe", ("albanie", "albanese"), ("albania", "albanian")),
    "Brazilië": ("south_america", ("brazilie", "braziliaanse", "braziliaans"), ("brazil", "brazilian", "brasil", "brasileira")),
    "Colombia": ("south_america", ("colombia", "colombiaanse", "colombiaans"), ("colombia", "colombian", "colombiana")),
    "Venezuela": ("south_america", ("venezuela", "venezolaanse", "venezolaans"), ("venezuela", "venezuelan", "venezolana")),
    "Argentinië": ("south_america", ("argentinie", "argentijnse", "argentijns"), ("argentina", "argentinian", "argentine")),
    "Suriname": ("south_america", ("suriname", "surinaamse", "surinaams"), ("suriname", "surinamese")),
    "Peru": ("south_america", ("peru", "peruaanse", "peruaans"), ("peru", "peruvian")),
    "Chili": ("south_america", ("chili", "chileense"), ("chile", "chilean")),
    "Ecuador": ("south_america", ("ecuador", "ecuadoraanse"), ("ecuador", "ecuadorian")),
    "Bolivia": ("south_america", ("bolivia", "boliviaanse"), ("bolivia", "bolivian")),
    "Paraguay": ("south_america", ("paraguay", "paraguayaanse"), ("paraguay", "paraguayan")),
    "Uruguay": ("south_america", ("uruguay", "uruguayaanse"), ("uruguay", "uruguayan")),
    "Thailand": ("other", ("thailand", "thaise", "thais"), ("thailand", "thai")),
    "Dominicaanse Republiek": ("other", ("dominicaanse republiek", "dominicaanse"), ("the dominican republic", "dominican republic", "dominican")),
    "Curaçao": ("other", ("curacao", "curacaose", "curacaoenaar", "antilliaanse"), ("curacao", "curacaoan", "antillean")),
    "Nigeria": ("other", ("nigeria", "nigeriaanse"), ("nigeria", "nigerian")),
    "Filipijnen": ("other", ("filipijnen", "filipijnse"), ("the philippines", "philippines", "filipina", "filipino", "pinay")),
    "Indonesië": ("other", ("indonesie", "indonesische", "indische"), ("indonesia", "indonesian")),
    "Vietnam": ("other", ("vietnam", "vietnamese"), ("vietnam", "vietnamese")),
    "Marokko": ("other", ("marokko", "marokkaanse"), ("morocco", "moroccan")),
    "Turkije": ("other", ("turkije", "turkse"), ("turkey", "turkish")),
    "China": ("other", ("china", "chinese"), ("china", "chinese")),
    "Japan": ("other", ("japan", "japanse"), ("japan", "japanese")),
    "Cuba": ("other", ("cuba", "cubaanse"), ("cuba", "cuban")),
    "Jamaica": ("other", ("jamaica", "jamaicaanse"), ("jamaica", "jamaican")),
    "Ghana": ("other", ("ghana", "ghanese"), ("ghana", "ghanaian")),
    "Kenia": ("other", ("kenia", "keniaanse"), ("kenya", "kenyan")),
    "India": ("other", ("india", "indiase"), ("india", "indian")),
    "Mexico": ("other", ("mexico", "mexicaanse"), ("mexico", "mexican", "mexicana")),
    "Aruba": ("other", ("aruba", "arubaanse"), ("aruba", "aruban")),
}
REGIONS = ("netherlands", "eastern_europe", "rest_of_europe", "south_america", "other")

_EXTRA_FORMS = {
    "colombiana": "Colombia", "venezolana": "Venezuela", "dominicana": "Dominicaanse Republiek",
    "italiana": "Italië", "francaise": "Frankrijk", "espanola": "Spanje", "brasileira": "Brazilië",
    "brasilena": "Brazilië", "peruana": "Peru", "cubana": "Cuba", "argentina": "Argentinië", "polska": "Polen",
    "romana": "Roemenië", "russkaya": "Rusland", "thai": "Thailand", "chilena": "Chili", "mexicana": "Mexico",
    "ecuatoriana": "Ecuador", "latvian": "Letland", "pinay": "Filipijnen", "moroccan-dutch": "Marokko",
}
_ALIAS_TO_COUNTRY: dict[str, str] = dict(_EXTRA_FORMS)
for _c, (_r, _nl, _en) in COUNTRIES.items():
    for _a in (*_nl, *_en, fold(_c)):
        _ALIAS_TO_COUNTRY.setdefault(_a, _c)
_ALIASES_SORTED = sorted(_ALIAS_TO_COUNTRY, key=len, reverse=True)
_ALIAS_RX = "|".join(re.escape(a) for a in _ALIASES_SORTED)

# An origin statement in free text: after a cue, or an adjective before a person noun.
_ORIGIN_CUE = re.compile(
    r"(?:\bkom(?:t)?\s+(?:oorspronkelijk\s+)?uit|\bafkomstig\s+(?:uit|van)|\bgeboren\s+in|\bafkomst\s*:?|"
    r"\bnationaliteit\s*:?|\bnationality\s*:?|\borigin(?:ally)?\s*(?:from|:)?|\bi\s*(?:am|'m)\s+from|"
    r"\bfrom|\bborn\s+in|\buit|\bik\s+ben\s+(?:een\s+)?|\bi\s*(?:am|'m)\s+(?:a\s+|an\s+)?|\bechte?|\breal|\b100\s*%)\s*"
    r"(?:het\s+|de\s+|the\s+|mooie?\s+|zonnige?\s+|beautiful\s+|sunny\s+|lovely\s+)?(" + _ALIAS_RX + r")\b"
)
_PERSON = (r"(?:meid|meisje|dame|vrouw|schoonheid|girl|lady|woman|beauty|babe|chick|escort|model|latina|schone|"
           r"godin|goddess|princess|prinses|man|jongen|boy|guy|stud|trans\w*|ts|mooie|hete|hot|sexy|temperament|bloed|"
           r"blood|blonde|brunette|hottie|milf|couple|stel|companion|rose|queen|masseuse|masseur|studente|student|"
           r"shemale|ladyboy|redhead|angel|engel|dancer)")
_ADJ_PERSON = re.compile(r"\b(" + _ALIAS_RX + r")\s+" + _PERSON + r"\b")
_ADJ_X_PERSON = re.compile(r"\b(" + _ALIAS_RX + r")\s+\w+\s+" + _PERSON + r"\b")
_NL_ADJ = sorted({a for _c, (_r, _nl, _en) in COUNTRIES.items() for a in _nl if a.endswith("e") and len(a) >= 5}
                 | {"colombiana", "venezolana", "dominicana", "italiana", "francaise", "brasileira", "peruana",
                    "cubana", "chilena", "mexicana"}, key=len, reverse=True)
_NL_ADJ_RX = re.compile(r"\b(" + "|".join(re.escape(a) for a in _NL_ADJ) + r")\b(?!\s*(?:massage|keuken|les|taal|stijl|food|style|thee))")
_STANDALONE = re.compile(r"(?:^|[,.!|•–:(-]\s*)(" + _ALIAS_RX + r")(?=\s*(?:[,.!|•–)-]|$))")
_NOT_ORIGIN = re.compile(r"\b(?:thaise|thai|chinese|indiase|indische|japanse|zweedse|swedish|balinese|turkse|spaanse)\s+(?:massage|keuken|food|style|stijl|les|lessen)")
_LANG_CONTEXT = re.compile(r"\b(?:spreek|speak|spreken|talen|languages?|taal)\b")


def country_from_field(value: str | None) -> str | None:
    if not value:
        return None
    v = fold(value).strip(" .:")
    v = re.sub(r"\s*(?:girl|meid|lady|vrouw)$", "", v)
    c = _ALIAS_TO_COUNTRY.get(v)
    if c:
        return c
    m = re.search(r"\b(" + _ALIAS_RX + r")\b", v)
    return _ALIAS_TO_COUNTRY[m.group(1)] if m else None


def country_from_text(text: str) -> str | None:
    """Origin stated in free text, or None. Language mentions and 'Thaise massage' are not origins."""
    for s in sentences(fold(text)):
        if _LANG_CONTEXT.search(s) and not re.search(r"afkomst|nationalit|origin|\bfrom\b|\buit\b", s):
            continue
        s2 = _NOT_ORIGIN.sub(" ", s)
        for rx in (_ORIGIN_CUE, _ADJ_PERSON, _ADJ_X_PERSON, _NL_ADJ_RX, _STANDALONE):
            m = rx.search(s2)
            if m and m.group(1) in _ALIAS_TO_COUNTRY:
                if rx is _STANDALONE and m.group(1) in ("holland", "nederland", "the netherlands", "netherlands", "nl"):
                    continue
                return _ALIAS_TO_COUNTRY[m.group(1)]
    return None


def region_of(country: str | None) -> str | None:
    if country is None:
        return None
    c = COUNTRIES.get(country)
    return c[0] if c else "other"


# ------------------------------------------------------------------------------------------
# age

_NUM_WORDS = {
    "achttien": 18, "negentien": 19, "twintig": 20, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "dertig": 30, "thirty": 30, "veertig": 40, "forty": 40, "vijftig": 50, "fifty": 50,
}
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
    re.compile(r"\b(?:vrouw|dame|meid|meisje|man|jongen|heer|lady|girl|woman|guy|boy)\s+van\s+(\d{2})\b(?!\s*(?:cm|kg|euro|eur|min))"),
]
# weak patterns: a bare number set off like an age ("Lisa (27)", "Lisa, 27,", "Zuzana 28 –"): 18-79 only
_NOT_UNIT_AFTER = r"(?!\s*(?:min|uur|u\b|h\b|hour|euro|eur|€|%|cm|kg|x\b|p\b|/|-\s*\d|\d))"
_AGE_WEAK = [
    re.compile(r"\((\d{2})\)"),
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
    r"tot|from|van|vanaf|va|om|at|till|until|na|after|half|per|prijs|price|tarief|rate)\s*$"
)
_JOKE = re.compile(r"\b(?:grapje|just kidding|kidding|nee hoor|geintje)\b")


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
            v = int(m.group(1))
            if _AGE_EXCLUDE_BEFORE.search(t[max(0, m.start() - 14) : m.start()]) and not rx.pattern.startswith(r"\b(?:leeftijd"):
                continue
            if 14 <= v <= 99:
                yield m.start(), v
    for m in _AGE_WORD.finditer(t):
        yield m.start(), _NUM_WORDS[m.group(1) or m.group(2)]
    for rx in _AGE_WEAK:
        for m in rx.finditer(t):
            v = int(m.group(1))
            if _AGE_EXCLUDE_BEFORE.search(t[max(0, m.start(1) - 14) : m.start(1)]):
                continue
            if PRICE_CONTEXT_BEFORE.search(t[max(0, m.start(1) - 25) : m.start(1)]):
                continue
            if 18 <= v <= 79:
                yield m.start(1) + 100_000, v  # weak: only when no strong candidate


def age_from_text(text: str) -> int | None:
    """Stated age; after a retraction ('ik ben 16... grapje, ik ben 21') the later statement wins."""
    t = fold(text)
    cands = sorted(_age_candidates(t))
    if not cands:
        return None
    strong = [c for c in cands if c[0] < 100_000]
    pool = strong or cands
    if len(strong) > 1 and _JOKE.search(t):
        return strong[-1][1]
    return pool[0][1]


PRICE_CONTEXT_BEFORE = re.compile(r"(€|\beur\w*|\bprijs|\btarie\w+|\brates?|\bprice|\bkost\w*|\buur|\bhour|\bmin\w*|\bincall|\boutcall|\bescort|\bontvangst|\bthuis|\bmassage|\bhalf)\s*[:=]?\s*$")


# ------------------------------------------------------------------------------------------
# prices

PRICE_SENTENCE = re.compile(
    r"(€|\beur\b|\beuro|\d\s*,-|\bp/u\b|per uur|per hour|/h\b|\btarie[fv]|\bprijs|\bprijzen|\brates?\b|\bprice|"
    r"\bva\.|\bv\.a\.|\bvanaf\s+\d|\b\d+\s*(?:eur|€))"
)
_PHONE = re.compile(r"(?:\+|00)\s?31\s?(?:\(0\))?[\s-]?6[\s-]?(?:\d[\s-]?){8}|\b0\s?6[\s-]?(?:\d[\s-]?){7}\d\b")
_HALF = r"(?:half\s*uur|halfuur|half\s*hour|1/2\s*(?:uur|u|h|hour)|½\s*(?:uur|u|h|hour)|30\s*(?:min\w*|m)\b|dertig minuten|0[.,]5\s*(?:uur|u|h))"
_QUARTER = r"(?:kwartier|15\s*(?:min\w*|m)\b|quarter)"
_TWO = r"(?:2\s*(?:uur|u|h|hours?|hrs?)\b|twee uur|two hours|120\s*min\w*)"
_ONEHALF = r"(?:1[.,]5\s*(?:uur|u|h|hours?)|anderhalf uur|90\s*min\w*|1\.5h)"
_THREE = r"(?:3\s*(?:uur|u|h|hours?)\b|drie uur|three hours|180\s*min\w*)"
_HOUR = r"(?:(?:1\s*|een\s*|one\s*|an\s*)?(?:uur|hour|h|hr|u)\b|60\s*(?:min\w*|m)\b|p\s*/?\s*u\b|ph\b|uurtje)"
_NIGHT = r"(?:nacht|night|overnight|overnachting|weekend|dag|day)"
_DURATIONS = [
    (re.compile(_HALF), 0.5),
    (re.compile(_QUARTER), 0.25),
    (re.compile(_ONEHALF), 1.5),
    (re.compile(_TWO), 2.0),
    (re.compile(_THREE), 3.0),
    (re.compile(_NIGHT), None),
    (re.compile(_HOUR), 1.0),
]
# numbers followed by a duration unit are durations, not amounts
_DURATION_NUMBER = re.compile(r"^\s*(?:uur|u\b|h\b|hours?|hrs?|min\w*|m\b|kwartier|jaar|jr|years?|yo\b|cm|kg|%|x\b|keer|dagen|days|nachten|nights|/7|sterren)")
_AMOUNT = re.compile(r"(?<![\d.,/:])(\d{2,4})(?:[.,](\d{2}))?(?![\d])")
_CURRENCY_BEFORE = re.compile(r"(?:€|\beur|\beuro|\beu)\s*[:.]?\s*$")
_CURRENCY_AFTER = re.compile(r"^\s*(?:€|eur\b|euro|eu\b|e\b|p u\b|per\s+(?:uur|hour|u\b|h\b|half|30|1\b|60|2\b|2\s))")
_AGE_BEFORE = re.compile(r"(?:leeftijd|age|lft|ik ben|i am|i'm)\s*[:=]?\s*$")
_HOME_KW = re.compile(r"(thuisontvangst|ontvangst|ontvang|incall|in-call|in call|thuis|prive|at my place|my place|bij mij|home)")
_ESCORT_KW = re.compile(r"(escort(?!bureau)|outcall|out-call|out call|hotel|bij jou|aan huis|visit|kom naar je|naar je toe|i come)")
_MASSAGE_KW = re.compile(r"(massage|masseer|tantra)")
_RANGE_SEP = re.compile(r"^\s*(?:-|tot|to|t/m|a)\s*(?:€\s*)?$")
_SEGMENT_SEP = re.compile(r"[;|/]|,(?!-)|\s-\s|\s+(?:en|and|of|or|\+)\s+")


@dataclass
class PriceResult:
    hour: float | None = None
    home: float | None = None
    escort: float | None = None
    massage: float | None = None
    amounts: list = field(default_factory=list)

    @property
    def found(self) -> bool:
        return any(v is not None for v in (self.hour, self.home, self.escort, self.massage))


def _prep_price_text(text: str) -> str:
    t = fold(text)
    t = _PHONE.sub(" ", t)
    t = re.sub(r"\b(?:kvk|k\.v\.k\.?)[^\d]{0,25}\d{6,10}", " ", t)
    t = re.sub(r"\d{5,}", " ", t)  # postcodes, ids, numbers too long to be a price
    t = t.replace("p/u", " p u ").replace("p.u.", " p u ").replace("per u.", " per uur ")
    t = re.sub(r"(\d)\s*,\s*-+", r"\1 eur ", t)  # 150,- -> 150 eur
    t = re.sub(r"(\d)\s*,\s*--", r"\1 eur ", t)
    t = re.sub(r"/\s*(uur|u|h|hr|hour)\b", r" per \1", t)
    t = re.sub(r"\b1/2\b", " half ", t)
    t = re.sub(r"\b24/7\b", " altijd ", t)
    t = re.sub(r"\b(v\.a\.|va\.|va\b|vanaf|from|starting at|vana?f?\.?)", " vanaf ", t)
    t = t.replace("€", " € ").replace("eur.", "eur ")
    t = re.sub(r"(\d)(eur|euro|e)\b", r"\1 \2", t)
    t = re.sub(r"\b(\d+)(h|u|min|m)\b", r"\1 \2", t)
    return t


_DUR_PHRASE = re.compile(
    r"(?P<night>\b(?:nacht|night|overnight|overnachting|weekend|dag|day|dinner ?date)\b)"
    r"|(?P<quarter>\bkwartier(?:tje)?\b|\bquarter\b)"
    r"|(?P<half>\bhalf\s*(?:uur|uurtje|hour|u)\b|\bhalfuur(?:tje)?\b|½\s*(?:uur|u|h|hour)|\bhalve uur\b|\bhalf\b)"
    r"|(?P<onehalf>\banderhalf\s*uur\b)"
    r"|(?P<min>\b(?P<mins>\d{2,3})\s*(?:min\w*|m)\b)"
    r"|(?P<hrs>\b(?P<n>\d(?:[.,]5)?)\s*(?:uur|uurtje|u|h|hours?|hrs?|hr)\b)"
    r"|(?P<words>\b(?:twee|two)\s+(?:uur|hours)\b)"
    r"|(?P<hour>\b(?:heel\s+|een\s+|one\s+|an\s+|the\s+|het\s+)?(?:uur|uurtje|hour|hr|u|h)\b|\bp u\b|\bph\b)"
)


def _hours(m) -> float | None:
    if m.group("night"):
        return None
    if m.group("quarter"):
        return 0.25
    if m.group("half"):
        return 0.5
    if m.group("onehalf"):
        return 1.5
    if m.group("min"):
        return int(m.group("mins")) / 60
    if m.group("hrs"):
        return float(m.group("n").replace(",", "."))
    if m.group("words"):
        return 2.0
    return 1.0


def _duration(ctx: str):
    """Hours of the first duration phrase in ``ctx`` ('' if none, None for a night/day price)."""
    m = _DUR_PHRASE.search(ctx)
    return "" if m is None else _hours(m)


_RIGHT_DURATION = re.compile(r"^\s*(?:€|eur\w*|e\b)?\s*[,:]?\s*(?:per|voor|for|het|een|an|a|/|pro|the|p|x)\s+")
_EXTRA_COST = re.compile(r"(entree|toegang|aanbetaling|deposit|taxi|reiskosten|travel|extra|\+|toeslag|supplement|meer)\s*[:=]?\s*(?:€\s*)?$")
_PRICE_KW_BEFORE = re.compile(
    r"(incall|outcall|in call|out call|thuis|escort|ontvangst|massage|prijs|prijzen|tarief|tarieven|price|prices|"
    r"rates?|va|vanaf|from|uurtje|uur|hour|kost|kosten|costs?|dame|kamer|bij jou|bij mij|p u|u|h|min\w*)\s*[:=]?\s*$"
)


def _duration_left(left: str):
    """Duration phrase right before an amount ('half uur 90', '1h 150', '60 min 70', '1 uur: 150')."""
    tail = left[-24:]
    best = None
    for m in _DUR_PHRASE.finditer(tail):
        best = m
    if best is None:
        return ""
    rest = tail[best.end() :]
    if re.fullmatch(r"[\s:=€.]*(?:voor|for|=|kost|is)?[\s:=€.]*", rest):
        return _hours(best)
    return ""


def parse_prices(text: str) -> PriceResult:
    """Hourly prices stated in ``text``: overall, per type (home/escort/massage) where priced separately.

    Half-hour prices are doubled, 2-hour prices halved (any duration in minutes or hours is
    normalised); 'va. 150' and ranges '150-200' give the lower bound; night/day prices and extra
    costs (entree, taxi, '+50') are ignored. The hourly price is the lowest per-type hourly price
    (the ground truth's ``price_hour``).
    """
    res = PriceResult()
    for sent in sentences(_prep_price_text(text)):
        has_cue = bool(PRICE_SENTENCE.search(sent))
        matches = list(_AMOUNT.finditer(sent))
        prev_end = 0
        seg_type = None
        last_amount_end = -1
        for i, m in enumerate(matches):
            value = int(m.group(1))
            after = sent[m.end() : m.end() + 12]
            before_full = sent[prev_end : m.start()]
            if _DURATION_NUMBER.match(after):
                continue
            if _AGE_BEFORE.search(sent[max(0, m.start() - 14) : m.start()]):
                continue
            # second number of a range ("150-200", "150 tot 200"): skip
            if last_amount_end >= 0 and _RANGE_SEP.match(sent[last_amount_end : m.start()]):
                continue
            currency = bool(_CURRENCY_BEFORE.search(sent[max(0, m.start() - 7) : m.start()])) or bool(
                _CURRENCY_AFTER.match(sent[m.end() : m.end() + 8])
            )
            parts = _SEGMENT_SEP.split(before_full)
            left = parts[-1] if parts else before_full
            d_left = _duration_left(sent[max(0, m.start() - 24) : m.start()])
            keyword = bool(_PRICE_KW_BEFORE.search(sent[max(0, m.start() - 18) : m.start()]))
            if not (currency or d_left != "" or (keyword and (has_cue or value >= 50))):
                continue
            if not 15 <= value <= 5000 or _EXTRA_COST.search(sent[max(0, m.start() - 14) : m.start()]):
                last_amount_end = m.end()
                prev_end = m.end()
                continue
            nxt = matches[i + 1].start() if i + 1 < len(matches) else len(sent)
            right_full = sent[m.end() : nxt]
            right = _SEGMENT_SEP.split(right_full)[0]
            t = _last_type(left) or _first_type(right) or (seg_type if not left.strip(" €:") else None) or _last_type(before_full)
            if t is not None:
                seg_type = t
            if d_left != "":
                d = d_left
            else:
                rm = _RIGHT_DURATION.match(right) or re.match(r"^\s*(?:€|eur\w*|e\b)?\s*", right)
                d = _duration(right[rm.end() : rm.end() + 14]) if _RIGHT_DURATION.match(right) else ""
            if d is None:
                last_amount_end = m.end()
                prev_end = m.end()
                continue
            hours = 1.0 if d == "" else d
            res.amounts.append((t, hours, value / hours, m.start()))
            last_amount_end = m.end()
            prev_end = m.end()
    if not res.amounts:
        return res

    def pick(kind):
        cands = [a for a in res.amounts if a[0] == kind]
        if not cands:
            return None
        for pref in (1.0, 0.5, 2.0, 1.5, 0.75, 3.0, 0.25):
            sel = [a[2] for a in cands if abs(a[1] - pref) < 1e-9]
            if sel:
                return float(min(sel))
        return float(min(a[2] for a in cands))

    res.home, res.escort, res.massage = pick("home"), pick("escort"), pick("massage")
    generic = pick(None)
    typed = [v for v in (res.home, res.escort) if v is not None]
    if typed:
        res.hour = min(typed)
    elif generic is not None:
        res.hour = generic
    elif res.massage is not None:
        res.hour = res.massage
    return res


def _last_type(ctx: str) -> str | None:
    best, pos = None, -1
    for kw, name in ((_HOME_KW, "home"), (_ESCORT_KW, "escort"), (_MASSAGE_KW, "massage")):
        for m in kw.finditer(ctx):
            if m.start() > pos:
                best, pos = name, m.start()
    return best


def _first_type(ctx: str) -> str | None:
    best, pos = None, 10**9
    for kw, name in ((_HOME_KW, "home"), (_ESCORT_KW, "escort"), (_MASSAGE_KW, "massage")):
        m = kw.search(ctx)
        if m and m.start() < pos:
            best, pos = name, m.start()
    return best


# ------------------------------------------------------------------------------------------
# licensed-work terms

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
_CLUB_LICENSED_CONTEXT = re.compile(
    r"(werk\w*|work\w*|vind(?:t|en)?\s+(?:mij|me)|find me|te vinden|aanwezig|beschikbaar|available|ook in|also in|"
    r"dagelijks|daily|in club|at club|in de club|in our club|in onze|bij club|seksclub|sexclub|parenclub|saunaclub|"
    r"club\s+[a-z]|de club|onze club|vergunning|licensed|gelicentieerd|open)"
)
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


# ------------------------------------------------------------------------------------------
# place in free text

_PLACE_CUE = re.compile(
    r"(?:\bontvang(?:st)?\s+(?:\w+\s+)?in|\bte vinden in|\bregio|\bomgeving|\bomg\.|\bin en rond|\bin en om|\brond|"
    r"\blocated in|\bbased in|\bwoon(?:achtig)?\s+in|\bwerk(?:zaam)?\s+in|\bplaats\s*:|\bstad\s*:|\bcity\s*:|"
    r"\blocation\s*:|\blocatie\s*:|\bnear|\bnabij|\bvlakbij|\bdichtbij|\bcentrum|\bin|\bte|\bbij)\s+"
)
_PLACE_WORDS = re.compile(r"[\w'’\-().]+")
_PLACE_STOP = {"de", "het", "een", "mijn", "my", "a", "the", "your", "je", "jouw", "the", "en", "and", "of"}


def place_candidates(text: str) -> list[str]:
    """Word sequences after a location cue ('Ik ontvang in X', 'regio X', 'located in X'), longest first."""
    out: list[str] = []
    for sent in sentences(text):
        low = fold(sent)
        for m in _PLACE_CUE.finditer(low):
            rest = sent[m.end() :]
            rest_low = low[m.end() :]
            rest = re.split(r"[.,;!?:()\n]| - | e\.o| eo\b", rest, maxsplit=1)[0] if rest else ""
            words = _PLACE_WORDS.findall(rest)[:4]
            if not words or (words[0][:1].islower() and fold(words[0]) in _PLACE_STOP):
                continue
            if fold(" ".join(words[:3])) in _ALIAS_TO_COUNTRY or fold(words[0]) in _ALIAS_TO_COUNTRY:
                continue  # a country, not a place
            out.append(" ".join(words))
            _ = rest_low
    return out
