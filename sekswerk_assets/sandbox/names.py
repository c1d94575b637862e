"""Invented working names for advertisers: Faker name lists per origin country.

Names are drawn from Faker's first-name lists (nl_NL for Dutch advertisers, a locale that fits
the origin country otherwise). Cyrillic lists are transliterated to Latin script, as such names
appear in ads. A few countries without a suitable Faker locale use a short invented list of
common nicknames.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

import numpy as np

COUNTRY_LOCALE: dict[str, str] = {
    "Nederland": "nl_NL",
    "België": "nl_NL",
    "Suriname": "nl_NL",
    "Curaçao": "nl_NL",
    "Duitsland": "de_DE",
    "Spanje": "es_ES",
    "Italië": "it_IT",
    "Frankrijk": "fr_FR",
    "Portugal": "pt_PT",
    "Verenigd Koninkrijk": "en_GB",
    "Roemenië": "ro_RO",
    "Polen": "pl_PL",
    "Hongarije": "hu_HU",
    "Bulgarije": "bg_BG",
    "Tsjechië": "cs_CZ",
    "Slowakije": "sk_SK",
    "Oekraïne": "uk_UA",
    "Rusland": "ru_RU",
    "Letland": "lv_LV",
    "Brazilië": "pt_BR",
    "Colombia": "es_CO",
    "Venezuela": "es_MX",
    "Argentinië": "es_AR",
    "Peru": "es_MX",
    "Dominicaanse Republiek": "es_MX",
    "Nigeria": "en_NG",
    "Filipijnen": "en_US",
    "Indonesië": "id_ID",
    "Vietnam": "vi_VN",
    "Marokko": "fr_FR",
    "Thailand": "nicknames",
}

_NICKNAMES_F = ("Ploy", "Fon", "Nok", "Joy", "Mai", "Pim", "Noon", "May", "Bee", "Fah", "Kwan", "Namwan")
_NICKNAMES_M = ("Tong", "Beer", "Bank", "Golf", "Non", "Pond")

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}


def _translit(name: str) -> str:
    out = []
    for ch in name:
        low = ch.lower()
        rep = _CYRILLIC.get(low, ch)
        out.append(rep.capitalize() if ch != low and rep else rep)
    return "".join(out)


@lru_cache(maxsize=None)
def name_pool(locale: str, female: bool) -> tuple[str, ...]:
    """All first names of a Faker locale (Latin script), sorted for determinism."""
    if locale == "nicknames":
        return _NICKNAMES_F if female else _NICKNAMES_M
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    raw = getattr(provider, "first_names_female" if female else "first_names_male", None)
    if not raw:
        raw = provider.first_names
    names = [_translit(str(n)) for n in raw]
    names = [n for n in names if n and n.replace("-", "").replace(" ", "").isalpha() and len(n) <= 14]
    return tuple(sorted(set(names)))


def draw_names(rng: np.random.Generator, countries: np.ndarray, female: np.ndarray) -> np.ndarray:
    """One invented first name per advertiser, from the pool for its origin country and gender."""
    out = np.empty(len(countries), dtype=object)
    for country in np.unique(countries):
        locale = COUNTRY_LOCALE.get(str(country), "nl_NL")
        for fem in (True, False):
            idx = np.flatnonzero((countries == country) & (female == fem))
            if idx.size:
                pool = np.array(name_pool(locale, fem), dtype=object)
                out[idx] = pool[rng.integers(0, len(pool), idx.size)]
    return out
