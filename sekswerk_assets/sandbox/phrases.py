"""Phrasings of real ads that the plain templates in ``text`` lack (all invented).

Each function writes one stated fact (or a distracting non-fact) in a way real ads do: number
words, price lists per duration or per service, numbers that are neither age nor price,
negated work types, provinces and districts, typos and capitals. The phenomena an ad shows are
drawn per (advertiser, site) with the frequencies of ``text.phenomena`` in config.yaml and kept in
the ground truth (``ads.text_phenomena``). Whatever a sentence states is the ground truth's value
under the report's conventions: the hourly price is the 1-hour price, else the half-hour price
times two, else the 2-hour price halved; "from" prices and ranges give the lower bound.
"""

from __future__ import annotations

import random

# ------------------------------------------------------------------------------ number words

_NL_UNITS = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
             "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien")
_NL_TENS = {2: "twintig", 3: "dertig", 4: "veertig", 5: "vijftig", 6: "zestig", 7: "zeventig", 8: "tachtig",
            9: "negentig"}
_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty",
            9: "ninety"}


def dutch_words(n: int) -> str:
    """A number from 0 to 999 in Dutch words, written as one compound ("drieëntwintig", "honderdvijftig")."""
    if not 0 <= n < 1000:
        raise ValueError("dutch_words handles 0..999")
    hundreds, rest = divmod(n, 100)
    head = "" if hundreds == 0 else ("honderd" if hundreds == 1 else _NL_UNITS[hundreds] + "honderd")
    if rest == 0:
        return head or "nul"
    if rest < 20:
        tail = _NL_UNITS[rest]
    else:
        tens, unit = divmod(rest, 10)
        if unit == 0:
            tail = _NL_TENS[tens]
        else:
            word = _NL_UNITS[unit]
            # a trema where two vowels would merge: tweeëntwintig, drieëndertig
            tail = word + ("ën" if word.endswith("e") else "en") + _NL_TENS[tens]
    return head + tail


def english_words(n: int) -> str:
    """A number from 0 to 999 in English words ("twenty-five", "one hundred and fifty")."""
    if not 0 <= n < 1000:
        raise ValueError("english_words handles 0..999")
    hundreds, rest = divmod(n, 100)
    if rest < 20:
        tail = _EN_UNITS[rest] if rest or not hundreds else ""
    else:
        tens, unit = divmod(rest, 10)
        tail = _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")
    if not hundreds:
        return tail
    head = f"{_EN_UNITS[hundreds]} hundred"
    return f"{head} and {tail}" if tail else head


# ------------------------------------------------------------------------------ age


def age_phrase(age: int, r: random.Random, en: bool, words: bool, person: bool, ctx: dict) -> str:
    """The stated age, in digits or words, optionally after a person word ("vrouw van 32")."""
    num = (english_words(age) if en else dutch_words(age)) if words else str(age)
    if person:
        if en:
            noun = "man" if ctx["male"] else ("trans woman" if ctx["trans"] else r.choice(("woman", "lady", "girl")))
            return r.choice((f"{noun.capitalize()} of {num}.", f"I'm a {num} year old {noun}.", f"Now I am {num}."))
        if ctx["male"]:
            noun = r.choice(("man", "jongen"))
        elif ctx["trans"]:
            noun = "transvrouw"
        elif ctx["massage"]:
            noun = r.choice(("masseuse", "vrouw"))
        else:
            noun = r.choice(("vrouw", "dame", "meid"))
        return r.choice((f"Leuke {noun} van {num}.", f"Nu ben ik {num}.", f"Ik ben een {noun} van {num} jaar."))
    if en:
        return r.choice((f"I am {num} years old.", f"Age {num}.", f"{num} years young."))
    return r.choice((f"Ik ben {num} jaar.", f"Leeftijd {num} jaar.", f"{num} jaar jong."))


# ------------------------------------------------------------------------------ prices


def _money(p: int, r: random.Random, en: bool, words: bool) -> str:
    if words:
        return (english_words(p) + " euros") if en else (dutch_words(p) + " euro")
    if en:
        return r.choice((f"€{p}", f"{p} euro", f"{p} EUR", f"{p}€"))
    return r.choice((f"€{p},-", f"{p} euro", f"€ {p}", f"{p},-"))


def hourly_phrase(p: int, r: random.Random, en: bool, words: bool) -> str:
    """One hourly price in the abbreviations real ads use ("150 per hour", "90 p/h", "€100/hr")."""
    m = _money(p, r, en, words)
    if words:
        return f"{m} per hour." if en else f"{m} per uur."
    if en:
        return r.choice((f"{p} per hour.", f"{p} an hour.", f"{m} p/h.", f"{p}ph", f"€{p}/hr", f"{m} per hour."))
    return r.choice((f"{p} pu", f"{m} p/u", f"{p} per uur", f"{m} per uur"))


def duration_list(p: int, r: random.Random, en: bool) -> str:
    """A price list by duration whose hourly price under the report's convention is ``p``."""
    half = 5 * round(p * 0.6 / 5)
    two = 5 * round(p * 1.8 / 5)
    options = ["full", "after", "range", "from"]
    if p % 10 == 0:
        options.append("half_only")
    options.append("two_only")
    kind = r.choice(options)
    if kind == "full":
        if en:
            return r.choice((f"30 min {half} | 1 hour {p} | 2 hours {two}", f"Rates: 30min €{half}, 60min €{p}, 120min €{two}."))
        return r.choice((f"Half uur {half}, 1 uur {p}, 2 uur {two}.", f"30 min €{half} - 60 min €{p} - 120 min €{two}"))
    if kind == "after":  # the duration after the amount
        if en:
            return r.choice((f"{half} euros for 30 minutes, {p} euros for an hour.", f"{half} half hour, {p} hour"))
        return r.choice((f"{half} halfuur, {p} uur.", f"{half} euro voor 30 minuten, {p} euro voor een uur."))
    if kind == "range":
        hi = p + r.choice((20, 30, 50))
        return f"Rates {p}-{hi} per hour." if en else f"Tarief {p}-{hi} euro per uur."
    if kind == "from":
        return f"From €{p} per hour." if en else r.choice((f"Vanaf {p} euro per uur.", f"va. €{p} p/u"))
    if kind == "half_only":
        return f"Half hour €{p // 2}." if en else r.choice((f"Half uur €{p // 2},-", f"30 minuten {p // 2} euro."))
    return f"2 hours €{2 * p}." if en else r.choice((f"2 uur €{2 * p},-", f"Twee uur {2 * p} euro."))


def service_prices(home: int, escort: int, r: random.Random, en: bool) -> str:
    """Prices per service, each with its own durations; incall and outcall as real ads write them."""
    h2, e2 = 5 * round(home * 1.8 / 5), 5 * round(escort * 1.8 / 5)
    if en:
        return r.choice((
            f"Incall: 1 hour {home}, 2 hours {h2}. Outcall: 1 hour {escort}, 2 hours {e2}.",
            f"Prices incall {home} / outcall {escort} per hour (taxi included).",
        ))
    return r.choice((
        f"Ontvangst: 1 uur {home}, 2 uur {h2}. Escort: 1 uur {escort}, 2 uur {e2}.",
        f"Prive ontvangst {home} p/u, hotel- of thuisbezoek {escort} p/u.",
    ))


def minimum_booking(r: random.Random, en: bool, escort: bool) -> str:
    """A minimum booking (a duration, not a price)."""
    if en:
        return r.choice(("Minimum booking 1 hour.", "Minimum 2 hours." if escort else "Minimum 30 min."))
    return r.choice(("Minimaal 1 uur.", "Minimaal 2 uur boeken." if escort else "Minimaal een half uur."))


# ------------------------------------------------------------------------------ other numbers


def distractor_numbers(r: random.Random, en: bool, female: bool) -> str:
    """Numbers that are neither age nor price: height, weight, sizes, opening hours, postcode, house number."""
    cm, kg = r.randint(155, 185), r.randint(48, 80)
    if en:
        opts = [f"I am {cm} cm tall and weigh {kg} kg.", f"Open daily {r.randint(9, 12)}-{r.randint(21, 23)}h.",
                f"Parking at number {r.randint(2, 180)}.", f"Height 1.{cm - 100} m."]
        if female:
            opts.append(f"Size {r.choice((34, 36, 38, 40))}, bra {r.choice((70, 75, 80, 85))}{r.choice('BCD')}.")
    else:
        opts = [f"Lengte {cm} cm, gewicht {kg} kg.", f"Open {r.randint(9, 12)}-{r.randint(21, 23)} uur.",
                f"Gratis parkeren bij huisnummer {r.randint(2, 180)}.",
                f"Postcode {r.randint(1011, 9999)} {r.choice('ABCDEFGHJKLMNPRST')}{r.choice('ABCDEFGHJKLMNPRST')}."]
        if female:
            opts.append(f"Maat {r.choice((34, 36, 38, 40))}, cup {r.choice('BCDE')}.")
            opts.append(f"Schoenmaat {r.choice((37, 38, 39, 40))}.")
    r.shuffle(opts)
    return " ".join(opts[: r.randint(1, 2)])


# ------------------------------------------------------------------------------ work types


def type_phrase(h: bool, e: bool, m: bool, r: random.Random, en: bool, agency: bool, typos: bool) -> str:
    """Work types in the phrasings of real ads (English incall phrases, hotel and home visits)."""
    if en:
        home = r.choice(("receiving gentlemen at my private place", "incall at my apartment", "I receive you at home"))
        esc = r.choice(("hotel and home visits", "outcall to your hotel", "escort service"))
        mas = r.choice(("erotic massage", "relaxing body to body massage"))
    else:
        home = r.choice(("ontvangst in mijn prive appartement", "ik ontvang je bij mij thuis", "thuisontvangst"))
        esc = r.choice(("hotel- en thuisbezoek", "ik kom ook bij je thuis of in je hotel", "escort"))
        mas = r.choice(("erotische massage", "ontspannende body to body massage"))
    if agency:
        esc = "hotel and home visits by our ladies" if en else "hotel- en thuisbezoek door onze dames"
    if typos:
        esc = esc.replace("escort", r.choice(("escrot", "escourt")))
        mas = mas.replace("massage", r.choice(("masage", "massaage")))
        home = home.replace("thuisontvangst", "thuisontvangts")
    parts = [p for p, on in ((home, h), (esc, e), (mas, m)) if on]
    lead = r.choice(("I offer ", "Available for ")) if en else r.choice(("Ik bied ", "Mogelijk: "))
    return lead + " and ".join(parts) + "." if en else lead + " en ".join(parts) + "."


def type_negations(h: bool, e: bool, m: bool, r: random.Random, en: bool) -> str:
    """The types not offered, negated as real ads do ("Escort: nee", "geen massage")."""
    off = [name for name, on in (("home", h), ("escort", e), ("massage", m)) if not on]
    if not off:
        return ""
    name = r.choice(off)
    if en:
        word = {"home": "Incall", "escort": "Outcall", "massage": "Massage"}[name]
        return r.choice((f"{word}: no.", f"No {word.lower()}."))
    word = {"home": "Thuisontvangst", "escort": "Escort", "massage": "Massage"}[name]
    return r.choice((f"{word}: nee.", f"Geen {word.lower()}.", f"{word}? Nee, sorry."))


# ------------------------------------------------------------------------------ places

DISTRICTS: dict[str, tuple[str, ...]] = {
    "Rotterdam": ("Ommoord", "Kralingen", "Delfshaven", "Charlois"),
    "Tilburg": ("Reeshof", "Oud-Noord"),
    "Amsterdam": ("Osdorp", "De Pijp", "Slotervaart", "Bijlmer"),
    "Utrecht": ("Kanaleneiland", "Overvecht", "Lunetten"),
    "Eindhoven": ("Woensel", "Strijp", "Gestel"),
    "'s-Gravenhage": ("Schilderswijk", "Laak", "Ypenburg"),
    "Arnhem": ("Presikhaaf", "Malburgen"),
    "Nijmegen": ("Lindenholt", "Dukenburg"),
    "Breda": ("Haagse Beemden", "Princenhage"),
    "Groningen": ("Vinkhuizen", "Paddepoel"),
}


def place_phrase(shown: str, official: str, r: random.Random, en: bool, kind: str) -> str:
    """A place with a district or a hyphen ("Tilburg-Reeshof", "Ommoord (Rotterdam)", "Rotterdam-based")."""
    if kind == "district" and official in DISTRICTS:
        d = r.choice(DISTRICTS[official])
        return r.choice((f"{shown}-{d}", f"{d} ({shown})", f"{d}, {shown}"))
    if kind == "hyphen":
        return f"{shown}-based" if en else f"{shown}-{r.choice(('Centrum', 'Noord', 'Zuid', 'Oost', 'West'))}"
    return shown


def province_phrase(province: str, r: random.Random, en: bool) -> str:
    """A province or region named beside (never instead of) the municipality."""
    if en:
        return r.choice((f"Gentlemen from all over the province of {province} welcome.", f"Well known in {province}."))
    return r.choice((f"Ook voor heren uit de provincie {province}.", f"Bekend in heel {province}.",
                     f"Voor heren uit {province} en omstreken."))


# ------------------------------------------------------------------------------ style


def client_phrase(r: random.Random, en: bool) -> str:
    """Words about the (male) client, which say nothing about the advertiser's gender."""
    if en:
        return r.choice(("For the discerning gentleman.", "Gentlemen only.", "Men, women and couples welcome."))
    return r.choice(("Voor de veeleisende heer.", "Alleen voor nette heren.", "Heren, dames en stellen welkom."))


def typo(text: str, r: random.Random) -> str:
    """One swapped pair of adjacent letters inside a word longer than five letters (never in a number)."""
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha() and w.islower()]
    if not idx:
        return text
    i = r.choice(idx)
    w = words[i]
    k = r.randint(1, len(w) - 3)
    words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join(words)
