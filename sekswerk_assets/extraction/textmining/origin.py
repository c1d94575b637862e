"""Country of origin and its region, from the origin field or the free text."""

from __future__ import annotations

from sekswerk_assets import constants
import re
from functools import lru_cache

from sekswerk_assets.extraction.textmining.normalise import flags, fold, fold_sep, sentences

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
REGIONS = constants.REGIONS

_EXTRA_FORMS = {
    "colombiana": "Colombia", "venezolana": "Venezuela", "dominicana": "Dominicaanse Republiek",
    "italiana": "Italië", "francaise": "Frankrijk", "espanola": "Spanje", "brasileira": "Brazilië",
    "brasilena": "Brazilië", "peruana": "Peru", "cubana": "Cuba", "argentina": "Argentinië", "polska": "Polen",
    "romana": "Roemenië", "russkaya": "Rusland", "thai": "Thailand", "chilena": "Chili", "mexicana": "Mexico",
    "ecuatoriana": "Ecuador", "latvian": "Letland", "pinay": "Filipijnen", "moroccan-dutch": "Marokko",
}
_EXTRA_FORMS.update({"moldavian": "Moldavië", "moldovian": "Moldavië", "moldavisch": "Moldavië",
                     "ecuadoriaanse": "Ecuador"})
# Dutch regional adjectives mean NL: provinces/regions anywhere ("Friese vrouw", "Limburgse meid"),
# city adjectives only before a person word ("Rotterdamse meid", not "de Amsterdamse grachten")
_NL_REGION_ADJ = ("friese", "limburgse", "brabantse", "zeeuwse", "drentse", "twentse", "groningse", "achterhoekse",
                  "gelderse", "overijsselse", "veluwse", "westfriese", "noord-hollandse", "zuid-hollandse",
                  "flevolandse", "noord-brabantse")
_NL_CITY_ADJ = ("amsterdamse", "rotterdamse", "haagse", "utrechtse", "eindhovense", "tilburgse", "bredase",
                "groninger", "nijmeegse", "arnhemse", "leidse", "haarlemse", "zwolse", "maastrichtse")
for _a in (*_NL_REGION_ADJ, *_NL_CITY_ADJ):
    _EXTRA_FORMS[_a] = "Nederland"
_ALIAS_TO_COUNTRY: dict[str, str] = dict(_EXTRA_FORMS)
for _c, (_r, _nl, _en) in COUNTRIES.items():
    for _a in (*_nl, *_en, fold(_c)):
        _ALIAS_TO_COUNTRY.setdefault(_a, _c)
# field values and labelled cues also take the adjective without -e: "Nederlands", "Hollands", "Belgisch"
_FIELD_FORMS: dict[str, str] = dict(_ALIAS_TO_COUNTRY)
for _a, _c in list(_ALIAS_TO_COUNTRY.items()):
    if _a.endswith("se") and len(_a) >= 6:
        _FIELD_FORMS.setdefault(_a[:-1], _c)
    if _a.endswith("sche"):
        _FIELD_FORMS.setdefault(_a[:-1], _c)
_FIELD_FORMS.update({"fries": "Nederland", "limburgs": "Nederland", "brabants": "Nederland", "zeeuws": "Nederland",
                     "twents": "Nederland", "drents": "Nederland"})
_FIELD_RX = "|".join(re.escape(a) for a in sorted(_FIELD_FORMS, key=len, reverse=True))
_LABELLED_CUE = re.compile(r"\b(?:afkomst|nationaliteit|nationality|origin|origine|herkomst|etniciteit|ethnicity)"
                           r"\s*[:=-]?\s*(?:is\s+)?(" + _FIELD_RX + r")\b")
_PREDICATE_RX = re.compile(r"\b(?:ik\s+ben|ben\s+ik|i\s*'?m|i\s+am)\s+(?:\d{2}\s+(?:jaar\s+|years?\s+)?(?:oud\s+|old\s+)?(?:en|and)\s+)?"
                           r"(?:een\s+|a\s+|an\s+)?(" + _FIELD_RX + r")\b(?!\s*(?:massage|keuken|food))")
# a neuter noun takes the adjective without -e: "Hongaars meisje", "Nederlands stel"
_STYLE_HINT = re.compile(r"massag|keuken|food|style|stijl|\bles|restaurant|cuisine")
_SPEAK_HINT = re.compile(r"speak|sprek|spoken|talig")
# "Spanish speaking", "Russisch sprekende": a language, not the origin
_LANGUAGE_ADJ = re.compile(r"\b(?:" + _FIELD_RX + r")[\s-]+(?:speaking|sprekend\w*|spoken|talig\w*)\b")
_NEUTER_RX = re.compile(r"\b(" + _FIELD_RX + r")\s+(?:\w+\s+)?(?:meisje|meidje|vrouwtje|stel|stelletje|koppel|model|"
                        r"schatje|blondje|ding|escortmeisje|studentje)\b")
_FIELD_WORD_RX = re.compile(r"\b(" + _FIELD_RX + r")\b")
_RESIDENCE_NOUNS = {"nederland", "holland", "the netherlands", "netherlands", "nl", "belgie", "belgium", "duitsland",
                    "germany", "europa", "europe"}
# "uit Brabant", "from Friesland": a Dutch region of origin
_NL_REGION_CUE = re.compile(
    r"\b(?:kom\s+uit|komt\s+uit|uit|from|afkomstig\s+uit|geboren\s+in|born\s+in)\s+(?:het\s+|de\s+|the\s+)?"
    r"(friesland|fryslan|brabant|noord-brabant|limburg|zeeland|drenthe|twente|achterhoek|veluwe|gelderland|"
    r"overijssel|flevoland|noord-holland|zuid-holland|west-friesland)\b")
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
# "Sexy Mexican Paola", "Pretty Filipina Joy": an attractive-adjective + nationality adjective
_PRAISE_ADJ = re.compile(r"\b(?:sexy|pretty|hot|hete|mooie|lieve|sweet|beautiful|young|jonge|lekkere|naughty|gorgeous|"
                         r"stunning|cute|petite|busty|nieuwe|new|exotic|exotische|elegant|elegante)\s+(" + _ALIAS_RX + r")\b")
# "Ik ben 24 en Hongaars", "I'm 29 and Brazilian": the adjective as a predicate
_ADJ_PERSON = re.compile(r"\b(" + _ALIAS_RX + r")\s+" + _PERSON + r"\b")
_ADJ_X_PERSON = re.compile(r"\b(" + _ALIAS_RX + r")\s+\w+\s+" + _PERSON + r"\b")
_NL_ADJ = sorted({a for _c, (_r, _nl, _en) in COUNTRIES.items() for a in _nl if a.endswith("e") and len(a) >= 5}
                 | set(_NL_REGION_ADJ) | {"colombiana", "venezolana", "dominicana", "italiana", "francaise", "brasileira", "peruana",
                    "cubana", "chilena", "mexicana", "filipina", "pinay"}, key=len, reverse=True)
_NL_ADJ_RX = re.compile(r"\b(" + "|".join(re.escape(a) for a in _NL_ADJ) + r")\b(?!\s*(?:massage|keuken|les|taal|stijl|food|style|thee))")
_STANDALONE = re.compile(r"(?:^|[,.!|•–:(-]\s*)(" + _ALIAS_RX + r")(?=\s*(?:[,.!|•–)-]|$))")
_NOT_ORIGIN = re.compile(r"\b(?:" + _ALIAS_RX + r"|balinese|thais|thai)\s+(?:\w+\s+)?(?:massage|massages|keuken|food|style|stijl|les|lessen|restaurant|cuisine)\b")
_LANG_CONTEXT = re.compile(r"\b(?:spreek|speak|spreken|talen|languages?|taal)\b")


@lru_cache(maxsize=4096)  # form values repeat ("Thuisontvangst, Massage", "26")
def country_from_field(value: str | None) -> str | None:
    if not value:
        return None
    v = fold(value).strip(" .:")
    v = re.sub(r"\s*(?:girl|meid|lady|vrouw)$", "", v)
    c = _FIELD_FORMS.get(v)
    if c:
        return c
    m = re.search(r"\b(" + _FIELD_RX + r")\b", v)
    return _FIELD_FORMS[m.group(1)] if m else None


def country_from_text(text: str) -> str | None:
    """Origin stated in free text, or None. Language mentions and 'Thaise massage' are not origins."""
    for s in sentences(fold_sep(text)):
        if _LANG_CONTEXT.search(s) and not re.search(r"afkomst|nationalit|origin|\bfrom\b|\buit\b", s):
            continue
        s2 = _NOT_ORIGIN.sub(" ", s) if _STYLE_HINT.search(s) else s
        if _SPEAK_HINT.search(s2):
            s2 = _LANGUAGE_ADJ.sub(" ", s2)
        words = [x.group(1) for x in _FIELD_WORD_RX.finditer(s2)]
        if not words:  # every rule below needs a country word (a quick skip: most sentences have none)
            if _NL_REGION_CUE.search(s2):
                return "Nederland"
            continue
        m = _LABELLED_CUE.search(s2)
        if m:
            return _FIELD_FORMS[m.group(1)]
        if _NL_REGION_CUE.search(s2):
            return "Nederland"
        # two nationalities in one sentence ("half Dutch, half Indonesian", "English and Dutch",
        # "mijn moeder is Italiaans, mijn vader Nederlands"): mixed origin or languages, not stated
        named = {_FIELD_FORMS[w] for w in words if w not in _RESIDENCE_NOUNS}
        if len(named) >= 2:
            continue
        m = _PREDICATE_RX.search(s2) or _NEUTER_RX.search(s2)
        if m:
            return _FIELD_FORMS[m.group(1)]
        for rx in (_ORIGIN_CUE, _ADJ_PERSON, _ADJ_X_PERSON, _PRAISE_ADJ, _NL_ADJ_RX, _STANDALONE):
            m = rx.search(s2)
            if m and m.group(1) in _ALIAS_TO_COUNTRY:
                if rx is _STANDALONE and m.group(1) in ("holland", "nederland", "the netherlands", "netherlands", "nl"):
                    continue
                return _ALIAS_TO_COUNTRY[m.group(1)]
    # a single flag emoji that is not a language flag ("Oksana 🇺🇦"): that country
    found = {f for f in flags(text) if f not in ("GB", "US", "EU")}
    if len(found) == 1 and len(set(flags(text))) == 1:
        return _ISO_TO_COUNTRY.get(found.pop())
    return None


def region_of(country: str | None) -> str | None:
    if country is None:
        return None
    c = COUNTRIES.get(country)
    return c[0] if c else "other"



ISO2 = {
    "Nederland": "NL", "België": "BE", "Duitsland": "DE", "Spanje": "ES", "Italië": "IT", "Frankrijk": "FR",
    "Portugal": "PT", "Verenigd Koninkrijk": "GB", "Griekenland": "GR", "Zweden": "SE", "Denemarken": "DK",
    "Noorwegen": "NO", "Oostenrijk": "AT", "Zwitserland": "CH", "Ierland": "IE", "Finland": "FI", "Roemenië": "RO",
    "Polen": "PL", "Hongarije": "HU", "Bulgarije": "BG", "Tsjechië": "CZ", "Slowakije": "SK", "Oekraïne": "UA",
    "Rusland": "RU", "Letland": "LV", "Litouwen": "LT", "Estland": "EE", "Moldavië": "MD", "Wit-Rusland": "BY",
    "Kroatië": "HR", "Servië": "RS", "Slovenië": "SI", "Albanië": "AL", "Brazilië": "BR", "Colombia": "CO",
    "Venezuela": "VE", "Argentinië": "AR", "Suriname": "SR", "Peru": "PE", "Chili": "CL", "Ecuador": "EC",
    "Bolivia": "BO", "Paraguay": "PY", "Uruguay": "UY", "Thailand": "TH", "Dominicaanse Republiek": "DO",
    "Curaçao": "CW", "Nigeria": "NG", "Filipijnen": "PH", "Indonesië": "ID", "Vietnam": "VN", "Marokko": "MA",
    "Turkije": "TR", "China": "CN", "Japan": "JP", "Cuba": "CU", "Jamaica": "JM", "Ghana": "GH", "Kenia": "KE",
    "India": "IN", "Mexico": "MX", "Aruba": "AW",
}
assert set(ISO2) == set(COUNTRIES)


_ISO_TO_COUNTRY = {v: k for k, v in ISO2.items()}


def iso2(country: str) -> str:
    """ISO 3166-1 alpha-2 code of a country in :data:`COUNTRIES` (Dutch name)."""
    return ISO2[country]


# A region named without a country ("Oost-Europese schoonheid", "Asian girl"): the region only.
# Generic "Europese"/"European" and "Latina" are left unstated (they span several regions).
_REGION_WORDS = re.compile(
    r"\b(?P<eastern_europe>oost[\s-]?europe\w*|eastern[\s-]europe\w*|east[\s-]europe\w*|baltische|baltic|slavische|slavic)"
    r"|\b(?P<rest_of_europe>west[\s-]?europe\w*|western[\s-]europe\w*|zuid[\s-]?europe\w*|southern[\s-]europe\w*|"
    r"noord[\s-]?europe\w*|northern[\s-]europe\w*|scandinavi\w*|mediterrane\w*)"
    r"|\b(?P<south_america>zuid[\s-]?amerika\w*|south[\s-]americ\w*|latijns[\s-]?amerika\w*|latin[\s-]americ\w*)"
    r"|\b(?P<other>aziatische|aziatisch|asian|azie|asia|afrikaanse|afrikaans|african|afrika|africa|arabische|arabic|"
    r"oosterse|oriental)\b(?!\s*(?:massage|keuken|food|style|stijl|les|taal|language))"
)


def region_from_text(text: str) -> str | None:
    """Region of origin named without a country, or None (several different regions: None)."""
    found = set()
    for m in _REGION_WORDS.finditer(fold(text)):
        found.add(m.lastgroup)
    return found.pop() if len(found) == 1 else None
