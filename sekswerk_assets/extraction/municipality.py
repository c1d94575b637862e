"""Match a place as written in an ad to the CBS municipality code of the measurement year.

Order of methods (the first that matches wins; the method is kept per row):

1. ``exact``: the municipality's name or CBS name in the measurement year's list
   (the list of 1 January Y+1), case/diacritics/punctuation-insensitive;
2. ``alias``: spelling variants and districts (Den Haag / 's-Gravenhage / Den-Haag /
   Scheveningen, A'dam, Amsterdam-Zuidoost, R'dam, Hengelo, "Utrecht e.o.", "regio X",
   "X centrum" ...);
3. ``place``: woonplaatsen (CBS place names and their Frisian/alternative names) of that year;
   a place name shared by several municipalities goes to the most populous one;
4. ``merged``: a former municipality merged into a current one (CBS herindelingen);
5. ``fuzzy``: rapidfuzz ``ratio`` against all names above, only for strings of at least
   5 characters and a score of at least :data:`FUZZY_THRESHOLD`;
6. ``none``: nothing matched.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz, process

from sekswerk_assets.lib.diacritics import strip_diacritics
from sekswerk_assets.reference.loader import list_year_for

FUZZY_THRESHOLD = 88
FUZZY_MIN_LENGTH = 5
METHODS = ("exact", "alias", "place", "merged", "fuzzy", "none")

# Spelling variants and districts, by the municipality's CBS name.
ALIASES: dict[str, list[str]] = {
    "'s-Gravenhage": ["Den Haag", "Den-Haag", "DenHaag", "Den Haag centrum", "Scheveningen", "The Hague", "Hague",
                      "Haag", "Loosduinen", "Ypenburg", "Den Haag Zuid", "Den Haag Laak"],
    "Amsterdam": ["A'dam", "Adam", "Mokum", "Amsterdam-Zuidoost", "Amsterdam Zuidoost", "Amsterdam Zuid-Oost",
                  "Amsterdam ZO", "Bijlmer", "Amsterdam Centrum", "Amsterdam West", "Amsterdam-West",
                  "Amsterdam Noord", "Amsterdam-Noord", "Amsterdam Oost", "Amsterdam Zuid", "Amsterdam Nieuw-West",
                  "Amsterdam Nieuw West", "Osdorp", "Slotervaart", "De Pijp", "Jordaan", "Amsterdam Sloterdijk",
                  "Amsterdam Buitenveldert", "Ams", "Amsterdamn", "Amsterdm"],
    "Rotterdam": ["R'dam", "Rdam", "Rotterdam-Zuid", "Rotterdam Zuid", "Rotterdam Centrum", "Rotterdam-Noord",
                  "Rotterdam Noord", "Rotterdam-West", "Rotterdam West", "Rotterdam Oost", "Feijenoord", "Charlois",
                  "Kralingen", "Rotterdam-Alexander", "Prins Alexander", "IJsselmonde"],
    "Utrecht": ["Utrecht Centrum", "Utrecht stad", "Leidsche Rijn", "Vleuten", "De Meern"],
    "Eindhoven": ["Eindhoven Centrum", "Ehv", "Strijp"],
    "Hengelo (O.)": ["Hengelo", "Hengelo Ov", "Hengelo Overijssel", "Hengelo O"],
    "Bergen (NH.)": ["Bergen NH", "Bergen", "Bergen Noord-Holland"],
    "Bergen (L.)": ["Bergen L", "Bergen Limburg"],
    "Groningen": ["Groningen stad", "Stad Groningen", "Grunn", "Grunnen"],
    "'s-Hertogenbosch": ["Den Bosch", "Den-Bosch", "DenBosch", "'s Hertogenbosch", "s-Hertogenbosch",
                         "Hertogenbosch", "Shertogenbosch"],
    "Nijmegen": ["Nijmegen-Lent", "Lent"],
    "Haarlemmermeer": ["Schiphol"],
    "Súdwest-Fryslân": ["Sudwest Friesland", "Sneek"],
    "Maastricht": ["Mestreech"],
    "Tilburg": ["Tilburg centrum"],
    "Arnhem": ["Arnhem centrum"],
    "Breda": ["Breda centrum"],
    "Almere": ["Almere Stad", "Almere Buiten", "Almere Haven", "Almere Poort", "Almere-Stad", "Almere-Buiten"],
}

# Districts (wijken) written without their city: a place-name list for the large municipalities
DISTRICTS: dict[str, list[str]] = {
    "Rotterdam": ["Ommoord", "Hoogvliet", "Zevenkamp", "Delfshaven", "Overschie", "Hillegersberg", "Schiebroek",
                  "Blijdorp", "Crooswijk", "Pernis", "Lombardijen", "Katendrecht", "Kop van Zuid", "Alexanderpolder",
                  "Nesselande", "Rozenburg", "Hoek van Holland", "Beverwaard", "Zuidplein", "Blaak"],
    "Utrecht": ["Kanaleneiland", "Overvecht", "Lunetten", "Zuilen", "Hoograven", "Oog in Al", "Tuindorp",
                "Wittevrouwen", "Lombok", "Terwijde", "Utrecht Centraal"],
    "Amsterdam": ["Geuzenveld", "Slotermeer", "Bos en Lommer", "Watergraafsmeer", "IJburg", "Zeeburg", "Gaasperdam",
                  "Ganzenhoef", "Holendrecht", "Reigersbos", "Oud-Zuid", "Rivierenbuurt", "De Baarsjes", "Westerpark",
                  "Oud-West", "Buiksloot", "Nieuwendam", "Zuidas", "Museumplein", "Amsterdam Centraal"],
    "'s-Gravenhage": ["Laak", "Escamp", "Segbroek", "Mariahoeve", "Transvaal", "Schilderswijk", "Moerwijk", "Bouwlust",
                      "Vrederust", "Duindorp", "Statenkwartier", "Benoordenhout", "Leidschenveen", "Geleenstraat"],
    "Eindhoven": ["Woensel", "Stratum", "Gestel", "Tongelre", "Meerhoven", "Woensel-Noord", "Woensel-Zuid"],
    "Tilburg": ["Reeshof", "Berkel-Enschot", "Udenhout"],
    "Groningen": ["Vinkhuizen", "Paddepoel", "Selwerd", "Beijum", "Lewenborg", "Hoogkerk"],
    "Nijmegen": ["Dukenburg", "Lindenholt"],
    "Arnhem": ["Presikhaaf", "Schuytgraaf", "Malburgen"],
    "Breda": ["Haagse Beemden", "Princenhage"],
    "Haarlem": ["Schalkwijk"],
    "Zwolle": ["Stadshagen", "Holtenbroek"],
    "Enschede": ["Glanerbrug"],
    "Leiden": ["Merenwijk"],
    "Dordrecht": ["Sterrenburg", "Crabbehof", "Dordt"],
    "Capelle aan den IJssel": ["Capelle", "Capelle ad IJssel", "Capelle a/d IJssel", "Capelle a.d. IJssel"],
    "Almere": ["Almere Poort", "Almere Hout"],
}
for _city, _ds in DISTRICTS.items():
    ALIASES.setdefault(_city, []).extend(_ds)

# Provinces and regions are not municipalities ("provincie Utrecht", "Groningen en Drenthe", "Zeeland"
# is not the village in Landerd). Names that are also a municipality (Groningen, Utrecht) count as the
# province only after "provincie" or next to another region name.
REGION_NAMES = (
    "Zeeland", "Friesland", "Fryslân", "Drenthe", "Limburg", "Gelderland", "Overijssel", "Flevoland", "Brabant",
    "Noord-Brabant", "Noord-Holland", "Zuid-Holland", "Twente", "Achterhoek", "Veluwe", "Randstad", "Betuwe",
    "Gooi", "'t Gooi", "het Gooi", "Kennemerland", "Rijnmond", "West-Friesland", "Holland", "Nederland",
    "Zuid-Limburg", "Noord-Limburg", "Midden-Limburg", "Zeeuws-Vlaanderen", "Salland", "Drechtsteden",
    "Haaglanden", "Noord-Nederland", "Oost-Nederland", "Zuid-Nederland", "West-Brabant", "Oost-Brabant",
    "the Netherlands", "Netherlands", "Benelux", "Europa", "Europe", "Groningen", "Utrecht",
)
PROVINCE_CITIES = {"groningen", "utrecht"}
_PROVINCE_WORD = re.compile(r"(?:provincie|province|prov\.?|de provincie|heel|hele|heel de|all over|throughout|door heel)\s*$",
                            re.I)

# Decorations around a place name: "regio X", "X e.o.", "X en omstreken", "omgeving X", "X centrum".
_PREFIX = re.compile(r"^(?:regio|omgeving|omg\.?|omstreken|rondom|rond|nabij|near|area|centrum|in|te|bij)\s+")
_SUFFIX = re.compile(
    r"\s+(?:e\.?\s?o\.?|en omgeving|en omstreken|omgeving|omstreken|eo|area|centrum|center|centre|city|stad|"
    r"en regio|regio|and surroundings|and surrounding area|surroundings|\(?nl\)?|nederland|the netherlands)$"
)


@lru_cache(maxsize=131_072)  # the place scan normalises the same capitalised words in every ad
def norm(text: str) -> str:
    """Comparison key: no diacritics, lower case, punctuation as spaces, single spaces."""
    t = strip_diacritics(str(text)).casefold()
    t = t.replace("’", "'").replace("`", "'")
    t = re.sub(r"[^\w']+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


REGION_KEYS = {norm(r) for r in REGION_NAMES}


def region_context(before: str, name_key: str, after: str) -> bool:
    """A name used as a province/region: a region-only name, or a province-city after "provincie" / in a
    list with another region name ("Groningen en Drenthe", "Friesland, Groningen")."""
    if name_key not in REGION_KEYS:
        return False
    if name_key not in PROVINCE_CITIES:
        return True
    if _PROVINCE_WORD.search(before):
        return True
    nxt = re.match(r"^\s*(?:,|en|and|&|of|or|\+)\s*([\w'-]+(?:\s[\w'-]+)?)", after)
    prv = re.search(r"([\w'-]+)\s*(?:,|en|and|&|of|or|\+)\s*$", before)
    for m in (nxt, prv):
        if m:
            k = norm(m.group(1))
            if (k in REGION_KEYS and k not in PROVINCE_CITIES) or norm(k.split()[0]) in (REGION_KEYS - PROVINCE_CITIES):
                return True
    return False


def strip_decorations(key: str) -> str:
    prev = None
    while prev != key:
        prev = key
        key = _PREFIX.sub("", key)
        key = _SUFFIX.sub("", key)
        key = key.strip(" '")
    return key


class MunicipalityMatcher:
    """Place text -> (gm_code of the measurement year's list, match method)."""

    def __init__(
        self,
        municipalities: pd.DataFrame,
        places: pd.DataFrame,
        mergers: pd.DataFrame,
        list_year: int,
    ):
        self.list_year = list_year
        pop = dict(zip(municipalities["gm_code"], municipalities["population"]))
        current = set(municipalities["gm_code"])
        self.names = dict(zip(municipalities["gm_code"], municipalities["name"]))
        self.index: dict[str, tuple[str, str]] = {}

        def add(name, code, method, overwrite=False):
            if not isinstance(name, str) or not name.strip() or code not in current:
                return
            k = norm(name)
            if not k:
                return
            old = self.index.get(k)
            if old is None or overwrite:
                self.index[k] = (code, method)
            elif old[1] == method and pop.get(code, 0) > pop.get(old[0], 0):
                self.index[k] = (code, method)  # ambiguous within a method: most populous wins

        by_name = {}
        for row in municipalities.itertuples(index=False):
            by_name[row.name] = row.gm_code
            by_name[row.name_cbs] = row.gm_code
        # 1. exact (names and CBS names, also without the parenthesised part)
        for row in municipalities.itertuples(index=False):
            for n in (row.name, row.name_cbs, re.sub(r"\s*\(gemeente\)$", "", str(row.name_cbs))):
                add(n, row.gm_code, "exact")
        exact_keys = set(self.index)
        # 4. merged (added before places so that places override, then exact overrides both)
        merged = self._resolve_mergers(mergers, current, list_year)
        # 2. alias
        for official, variants in ALIASES.items():
            code = by_name.get(official)
            if code is None:
                continue
            for v in variants:
                if norm(v) not in exact_keys:
                    add(v, code, "alias", overwrite=True)
        alias_keys = set(self.index) - exact_keys
        # 3. places
        plc = places.copy()
        for col in ("woonplaats", "woonplaats_alt"):
            if col not in plc:
                continue
            for name, code in zip(plc[col], plc["gm_code"]):
                if isinstance(name, str) and norm(name) not in exact_keys and norm(name) not in alias_keys:
                    add(name, code, "place")
                    # "Hengelo (Gld)" / "Bergen (NH)" / "Haren Gn": also without the province marker
                    short = re.sub(r"\s*\(.*\)$|\s+(?:gn|gld|nh|zh|l|ov|o|nb|u|fr|dr|z|fl)$", "", name, flags=re.I)
                    if short != name and norm(short) not in self.index:
                        add(short, code, "place")
        place_keys = set(self.index) - exact_keys - alias_keys
        for name, code in merged.items():
            k = norm(name)
            if k not in exact_keys and k not in alias_keys and k not in place_keys:
                add(name, code, "merged", overwrite=True)
        self._keys = list(self.index)
        self._long_keys = [k for k in self._keys if len(k) >= FUZZY_MIN_LENGTH]
        self.match = lru_cache(maxsize=50_000)(self._match)

    def __getstate__(self) -> dict:  # picklable for process pools: caches stay behind
        return {k: v for k, v in self.__dict__.items() if k not in ("match", "_parsed_pages")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.match = lru_cache(maxsize=50_000)(self._match)

    @staticmethod
    def _resolve_mergers(mergers: pd.DataFrame, current: set[str], list_year: int) -> dict[str, str]:
        """Former municipality name -> its successor in the list of ``list_year`` (chains followed)."""
        if mergers is None or mergers.empty:
            return {}
        m = mergers[mergers["first_cbs_year"].astype(int) <= list_year]
        step = dict(zip(m["old_gm_code"], m["new_gm_code"]))
        out = {}
        for row in m.itertuples(index=False):
            code, seen = row.new_gm_code, set()
            while code not in current and code in step and code not in seen:
                seen.add(code)
                code = step[code]
            if code in current:
                out[row.old_gm_name] = code
        return out

    @classmethod
    def from_reference(cls, reference, measurement_year: int | str) -> "MunicipalityMatcher":
        """Build from a ``MunicipalityReference`` resource for measurement year ``Y`` (list of 1 January Y+1)."""
        ly = list_year_for(measurement_year)
        try:
            mergers = reference.mergers()
        except FileNotFoundError:
            mergers = pd.DataFrame()
        return cls(reference.municipalities(ly), reference.places(ly), mergers, ly)

    def lookup(self, key: str) -> tuple[str, str] | None:
        """Exact lookup of a normalised key (no fuzzy), with decorations stripped."""
        hit = self.index.get(key)
        if hit is None:
            hit = self.index.get(strip_decorations(key))
        return hit

    def _match(self, raw: str | None, fuzzy: bool = True) -> tuple[str | None, str]:
        if raw is None:
            return None, "none"
        key = norm(raw)
        if not key:
            return None, "none"
        bare = strip_decorations(key)
        if re.match(r"^(?:provincie|province|prov)\b", bare) or (bare in REGION_KEYS and bare not in PROVINCE_CITIES):
            return None, "none"  # a province or region, not a municipality
        hit = self.lookup(key)
        if hit:
            return hit
        # district written after the city: "Amsterdam Osdorp", "Rotterdam-Zuid": longest known prefix
        words = key.split()
        for n in range(len(words) - 1, 0, -1):
            hit = self.index.get(" ".join(words[:n]))
            if hit and hit[1] in ("exact", "alias"):
                return hit[0], "alias"
        if fuzzy:
            stripped = strip_decorations(key)
            if len(stripped) >= FUZZY_MIN_LENGTH:
                best = process.extractOne(stripped, self._long_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
                if best:
                    return self.index[best[0]][0], "fuzzy"
        return None, "none"
