"""Free text, titles and field values of the simulated ads (deterministic per ad).

Everything here is invented. An ad's text depends only on its ground-truth row and its
``text_seed`` (the same for a re-post of the same advertiser on the same site; an edited re-post
also has a ``text_edit_seed``), so pages are byte-identical across runs. Only facts the ground
truth marks as stated in the text (``<field>_source`` in {'text', 'both'}) are written into the
text. Filler sentences contain no numbers and none of the licensed-work search terms (club,
privéhuis, bureau, KvK); numbers that are neither age nor price, and the other phenomena of real
ads, come from ``phrases`` where ``ads.text_phenomena`` asks for them.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from typing import Any

from . import phrases as phr

COUNTRY_ADJ_NL: dict[str, str] = {
    "Nederland": "Nederlandse", "België": "Belgische", "Duitsland": "Duitse", "Spanje": "Spaanse",
    "Italië": "Italiaanse", "Frankrijk": "Franse", "Portugal": "Portugese",
    "Verenigd Koninkrijk": "Britse", "Roemenië": "Roemeense", "Polen": "Poolse",
    "Hongarije": "Hongaarse", "Bulgarije": "Bulgaarse", "Tsjechië": "Tsjechische",
    "Slowakije": "Slowaakse", "Oekraïne": "Oekraïense", "Rusland": "Russische", "Letland": "Letse",
    "Brazilië": "Braziliaanse", "Colombia": "Colombiaanse", "Venezuela": "Venezolaanse",
    "Argentinië": "Argentijnse", "Suriname": "Surinaamse", "Peru": "Peruaanse",
    "Thailand": "Thaise", "Dominicaanse Republiek": "Dominicaanse", "Curaçao": "Curaçaose",
    "Nigeria": "Nigeriaanse", "Filipijnen": "Filipijnse", "Indonesië": "Indonesische",
    "Vietnam": "Vietnamese", "Marokko": "Marokkaanse",
}
COUNTRY_EN: dict[str, tuple[str, str]] = {
    "Nederland": ("the Netherlands", "Dutch"), "België": ("Belgium", "Belgian"),
    "Duitsland": ("Germany", "German"), "Spanje": ("Spain", "Spanish"), "Italië": ("Italy", "Italian"),
    "Frankrijk": ("France", "French"), "Portugal": ("Portugal", "Portuguese"),
    "Verenigd Koninkrijk": ("the UK", "British"), "Roemenië": ("Romania", "Romanian"),
    "Polen": ("Poland", "Polish"), "Hongarije": ("Hungary", "Hungarian"),
    "Bulgarije": ("Bulgaria", "Bulgarian"), "Tsjechië": ("the Czech Republic", "Czech"),
    "Slowakije": ("Slovakia", "Slovak"), "Oekraïne": ("Ukraine", "Ukrainian"),
    "Rusland": ("Russia", "Russian"), "Letland": ("Latvia", "Latvian"),
    "Brazilië": ("Brazil", "Brazilian"), "Colombia": ("Colombia", "Colombian"),
    "Venezuela": ("Venezuela", "Venezuelan"), "Argentinië": ("Argentina", "Argentinian"),
    "Suriname": ("Suriname", "Surinamese"), "Peru": ("Peru", "Peruvian"),
    "Thailand": ("Thailand", "Thai"), "Dominicaanse Republiek": ("the Dominican Republic", "Dominican"),
    "Curaçao": ("Curaçao", "Curaçaoan"), "Nigeria": ("Nigeria", "Nigerian"),
    "Filipijnen": ("the Philippines", "Filipina"), "Indonesië": ("Indonesia", "Indonesian"),
    "Vietnam": ("Vietnam", "Vietnamese"), "Marokko": ("Morocco", "Moroccan"),
}

EMOJI = ("😘", "💋", "🔥", "✨", "🌹", "😍", "💕", "🥰", "😉", "💦")

_FILLER_NL = (
    "Discreet en hygiënisch, dat spreekt voor zich.",
    "Ik hou van gezelligheid en een goed gesprek.",
    "Bel gerust voor een afspraak.",
    "Geen sms, alleen bellen of appen.",
    "Ook 's avonds laat beschikbaar.",
    "Gratis parkeren voor de deur.",
    "Een douche is aanwezig.",
    "Respect is voor mij heel belangrijk.",
    "Afspraak is afspraak.",
    "Ik neem de tijd voor je, geen haast.",
    "Nieuwsgierig geworden? Neem snel contact op!",
    "Lieve, spontane meid met een lach.",
    "Ook voor beginners, ik ben heel geduldig.",
    "Anonieme nummers neem ik niet op.",
    "Tot snel, kusjes!",
    "Ik spreek meerdere talen.",
    "Netjes verzorgd en altijd goed gehumeurd.",
    "Alleen op afspraak, even van tevoren bellen.",
)
_FILLER_EN = (
    "Sweet, discreet and always in a good mood.",
    "Call me for an appointment.",
    "No SMS please, only calls or WhatsApp.",
    "Available late in the evening too.",
    "Free parking nearby.",
    "Shower available.",
    "Respect and hygiene are very important to me.",
    "I take my time, no rush.",
    "Curious? Contact me soon!",
    "I do not answer hidden numbers.",
    "See you soon, kisses!",
    "I speak several languages.",
    "Appointments only, call in advance please.",
    "Beginners welcome, I am very patient.",
)
_TITLE_ADJ_NL = ("Lieve", "Sexy", "Nieuw:", "Spontane", "Ondeugende", "Heerlijke", "Verleidelijke")
_TITLE_ADJ_EN = ("Sweet", "Sexy", "New:", "Hot", "Naughty", "Lovely", "Elegant")
_CLUB_NAMES = ("Zandloper", "Maanvis", "Lantaarn", "Korenbloem", "Nachtegaal", "Zilverreiger", "Kameleon")


@dataclass(frozen=True)
class AdContent:
    """What the renderer needs for one ad page (all strings already HTML-escaped)."""

    title: str
    paragraphs: tuple[str, ...]
    fields: dict[str, str]  # field key -> escaped display value (only stated fields)
    phone_display: str


def _rng(row: dict[str, Any], salt: int) -> random.Random:
    return random.Random(int(row["text_seed"]) * 7919 + salt)


def format_phone(phone: str, style: int) -> str:
    """Display a 10-digit national number (e.g. 0691234567) in one of six common styles."""
    sub = phone[2:]
    return (
        f"06-{sub}",
        f"06 {sub[:4]} {sub[4:]}",
        f"+31 6 {sub}",
        phone,
        f"06-{sub[:3]} {sub[3:5]} {sub[5:]}",
        f"+31(0)6-{sub}",
    )[int(style) % 6]


def _esc(text: str, entities: bool) -> str:
    out = html.escape(text, quote=False)
    if entities:
        out = (
            out.replace("é", "&eacute;").replace("ë", "&euml;").replace("€", "&euro;")
            .replace("ï", "&iuml;").replace("'", "&#39;")
        )
    return out


def _round5(x: float) -> int:
    return int(5 * round(x / 5.0))


def _is_stated_in_text(row: dict[str, Any], field: str) -> bool:
    return row.get(f"{field}_source") in ("text", "both")


def _is_stated_in_field(row: dict[str, Any], field: str) -> bool:
    return row.get(f"{field}_source") in ("field", "both")


def _price_sentence(row: dict[str, Any], r: random.Random, en: bool, phen: frozenset[str] | set[str] = frozenset()) -> str:
    ph, pe, hour = row["price_home"], row["price_escort"], row["price_hour"]
    has_h = ph == ph and ph is not None
    has_e = pe == pe and pe is not None
    if has_h and has_e and ph != pe:
        a, b = int(ph), int(pe)
        if "service_prices" in phen and row["type_stated"]:
            return phr.service_prices(a, b, r, en)
        if en:
            return r.choice((f"Incall {a} / outcall {b} per hour.", f"Rates: incall €{a}, escort €{b} per hour."))
        return r.choice((
            f"Thuisontvangst €{a},- p/u, escort €{b},- p/u.",
            f"Prijs thuis {a} euro per uur / escort {b} euro per uur.",
            f"Tarief: ontvangst {a},- en escort {b},- per uur",
        ))
    p = int(hour)
    massage_only = not has_h and not has_e
    if massage_only:
        return (f"Massage 60 min €{p}." if en else r.choice((f"Massage 1 uur €{p},-", f"Ontspannende massage, 60 minuten {p} euro.")))
    if "price_list" in phen:
        return phr.duration_list(p, r, en)
    if "number_words" in phen or "price_abbrev" in phen:
        return phr.hourly_phrase(p, r, en, "number_words" in phen)
    half, two = _round5(p * 0.6), _round5(p * 1.8)
    if en:
        return r.choice((f"€{p} per hour.", f"{p} EUR/h", f"1h {p}€ / 30min {half}€", f"Rate: {p} euro per hour"))
    return r.choice((
        f"EUR {p} p/u",
        f"€{p},- per uur",
        f"{p},- per uur",
        f"half uur {half} / uur {p} / 2 uur {two}",
        f"va. {p}",
        f"Tarief {p} euro per uur.",
        f"1 uur: {p} euro",
    ))


def _type_sentence(row: dict[str, Any], r: random.Random, en: bool) -> str:
    h, e, m = bool(row["work_home"]), bool(row["work_escort"]), bool(row["work_massage"])
    if en:
        parts = [p for p, on in (("incall at my place", h), ("outcall / escort", e), ("erotic massage", m)) if on]
        return "I offer " + " and ".join(parts) + "."
    parts = [p for p, on in (("thuisontvangst", h), ("escort (ik kom naar je toe)", e), ("erotische massage", m)) if on]
    return r.choice(("Ik bied ", "Voor ")) + " en ".join(parts) + "."


def _age_sentence(age: int, r: random.Random, en: bool) -> str:
    if en:
        return r.choice((f"I am {age} years old.", f"{age}yo", f"Age: {age}"))
    return r.choice((f"Ik ben {age} jaar.", f"leeftijd: {age}", f"{age}jr", f"{age} jaar jong"))


def _origin_sentence(country: str, r: random.Random, en: bool) -> str:
    if en:
        place, adj = COUNTRY_EN.get(country, (country, country))
        return r.choice((f"I am from {place}.", f"{adj} girl.", f"Originally from {place}."))
    adj = COUNTRY_ADJ_NL.get(country, country)
    return r.choice((f"Ik kom uit {country}.", f"{adj} meid.", f"Afkomst: {adj.lower()}", f"Echte {adj} schoonheid."))


def _place_sentence(place: str, r: random.Random, en: bool, escort_only: bool) -> str:
    if en:
        return r.choice((f"Located in {place}.", f"In {place} and surroundings."))
    if escort_only:
        return r.choice((f"Escort in en rond {place}.", f"Regio {place}."))
    return r.choice((f"Ik ontvang in {place}.", f"Te vinden in {place}.", f"Regio {place}."))


def _term_sentence(row: dict[str, Any], r: random.Random, en: bool, variants: bool = False) -> str:
    sc = row.get("term_scenario") or ""
    place = row.get("place_text") or "de regio"
    number = int(row["text_seed"]) % 1_000_000
    if sc == "club_licensed":
        name = r.choice(_CLUB_NAMES)
        return r.choice((f"Je vindt mij ook in Club {name}.", f"Werkzaam in club {name} in {place}."))
    if sc == "club_nightclub":
        return r.choice((
            "We kunnen eerst samen naar een nachtclub.",
            "Zin om samen uit te gaan naar een club en daarna naar mijn plek?",
            "Ik ga graag mee naar een nachtclub of restaurant.",
            "Let's go to a club together first!",
        ))
    if sc == "club_or_privehuis_negation":
        if variants:
            return "Club of privéhuis? Nee hoor, ik werk alleen zelfstandig."
        return "Ik werk niet in een club of privéhuis, alleen zelfstandig."
    if sc == "privehuis_licensed":
        name = r.choice(_CLUB_NAMES)
        base = r.choice((f"Ik werk in privéhuis {name}.", f"Te vinden in Privéhuis {name}, {place}."))
        if row.get("licence_number_mentioned"):
            base += f" Vergunningnummer SBX-{number:06d}."
        return base
    if sc == "bureau_licensed":
        name = r.choice(_CLUB_NAMES)
        return r.choice((f"Boeken via escortbureau {name}.", f"Ik werk via bureau {name}."))
    if sc == "bureau_negation":
        if variants:  # 'bureau' as a desk: a mention that says nothing of licensed work
            return "Overdag zit ik achter mijn bureau, 's avonds ben ik er voor jou."
        return r.choice(("Geen bureau, ik werk zelfstandig.", "Ik werk niet via een bureau."))
    if sc == "kvk_licensed":
        return f"Ingeschreven bij de KvK onder nummer 00{number:06d}."
    return ""


_FORM_LABELS = {
    False: {"age": "Leeftijd", "origin": "Afkomst", "municipality": "Werkgebied", "type": "Diensten", "price": "Prijs"},
    True: {"age": "Age", "origin": "Nationality", "municipality": "Location", "type": "Services", "price": "Rate"},
}
_REGIONAL_NL = ("Friese", "Limburgse", "Brabantse", "Hollandse", "Zeeuwse", "Groningse")


def phenomena_of(row: dict[str, Any]) -> set[str]:
    """The phenomena of real ads this ad text shows (``text_phenomena`` in the ground truth)."""
    raw = row.get("text_phenomena") or ""
    return {p for p in str(raw).split(",") if p}


def _form_lines(row: dict[str, Any], r: random.Random, en: bool, fields: list[str]) -> str:
    """Stated facts pasted into the text as "Label: value" lines (as copied from another site's form)."""
    lab = _FORM_LABELS[en]
    lines = []
    for f in fields:
        if f == "age":
            value = str(int(row["age"]))
        elif f == "origin":
            c = str(row["origin_country"])
            value = COUNTRY_EN.get(c, (c, c))[1] if en else COUNTRY_ADJ_NL.get(c, c).removesuffix("e")
        elif f == "municipality":
            value = str(row["place_text"])
        elif f == "type":
            names = ("Incall", "Outcall", "Massage") if en else ("Thuisontvangst", "Escort", "Massage")
            value = ", ".join(n for n, on in zip(names, (row["work_home"], row["work_escort"], row["work_massage"])) if on)
        else:
            value = _price_sentence(row, r, en).rstrip(".")
        lines.append(f"{lab[f]}: {value}")
    return "\n".join(lines)


_NEWS_NL = ("Nieuw: nu ook in het weekend!", "Net terug van vakantie.", "Weer beschikbaar vanaf deze week.",
            "Nieuwe foto's!", "Nu ook 's ochtends.")
_NEWS_EN = ("New: weekends too!", "Just back from holiday.", "Available again from this week.", "New photos!",
            "Now also in the mornings.")


def _edit(sent: list[str], r: random.Random, en: bool) -> None:
    """A re-post's edit of the text: a sentence added, one filler replaced or dropped (facts unchanged)."""
    fillers = _FILLER_EN if en else _FILLER_NL
    sent.insert(r.randint(1, len(sent)), r.choice(_NEWS_EN if en else _NEWS_NL))
    idx = [i for i, x in enumerate(sent) if x in fillers]
    if idx and r.random() < 0.5:
        i = r.choice(idx)
        unused = [f for f in fillers if f not in sent]
        if unused and r.random() < 0.5:
            sent[i] = r.choice(unused)
        elif len(idx) > 1:
            del sent[i]


def build_content(row: dict[str, Any], site: str) -> AdContent:
    """Title, text paragraphs and pre-filled field values of one ad page."""
    r = _rng(row, 1)
    phen = phenomena_of(row)
    base_en = row["language"] == "en"
    mixed = "mixed" in phen

    def lang() -> bool:  # a mixed text switches language from sentence to sentence
        return (r.random() < 0.5) if mixed else base_en

    en = base_en
    ent = bool(row["entities"])
    name = str(row["name"])
    female = row["gender"] == "vrouw"
    male = not female
    trans = bool(row["transgender"])
    h, e, m = bool(row["work_home"]), bool(row["work_escort"]), bool(row["work_massage"])
    # agency and escort-boy wording name escort work: only where the ad states its types anyway
    typed = bool(row["type_stated"])
    agency = "agency" in phen and female and not trans and not row.get("couple") and e and typed
    # title
    adj = r.choice(_TITLE_ADJ_EN if en else _TITLE_ADJ_NL)
    title = f"{adj} {name}"
    if row["municipality_stated"] and r.random() < 0.5:
        title += f" in {row['place_text']}"
    if row.get("couple"):
        title = f"{'Couple' if en else 'Stel'} {name} & partner"
    if "capitals" in phen:
        title = title.upper() + "!!!"
    # sentences
    sent: list[str] = []
    en_s = lang()
    if "gender_words" in phen and male and not trans:
        if en_s:
            sent.append(r.choice((f"Hi, I am {name}, a masculine guy.", f"{name}, young man, discreet.")))
        elif e and typed:
            sent.append(r.choice((f"Hoi, ik ben {name}, mannelijke escort.", f"Escortjongen {name} hier.")))
        else:
            sent.append(r.choice((f"Hoi, ik ben {name}, een stoere jongen.", f"{name} hier, mannelijk en discreet.")))
    elif agency:
        # 'agency' (English) is no licensed-work search term; the Dutch 'bureau' would be (Tabel 2.6)
        word = "agency" if "agency_word" in phen else ("escort service" if en_s else "escortservice")
        sent.append(f"Our {word} introduces {name} and other ladies." if en_s
                    else f"Onze {word} stelt {name} en andere dames voor.")
    else:
        hello = r.choice(("Hi, I am", "Hello, my name is") if en_s else ("Hoi, ik ben", "Hallo, ik ben", "Hey lieverd, ik ben"))
        sent.append(f"{hello} {name}.")
    if trans:
        sent.append(r.choice((
            "Ik ben een transgender vrouw.",
            "Trans girl, volledig functioneel.",
            "TS (transgender) met een vrouwelijk lichaam.",
        )))
    if row.get("couple"):
        sent.append("Wij zijn een ondeugend stel." if not en else "We are a naughty couple.")
    if "client_phrase" in phen:
        sent.append(phr.client_phrase(r, lang()))
    in_text = [f for f in ("origin", "age", "type", "municipality") if _is_stated_in_text(row, f)]
    form = "form_lines" in phen and bool(in_text)
    if form:
        sent.append(_form_lines(row, r, lang(), in_text))
    else:
        if "origin" in in_text:
            c = str(row["origin_country"])
            if "origin_words" in phen and c == "Nederland" and not lang():
                sent.append(r.choice(_REGIONAL_NL) + r.choice((" meid.", " dame, echt Nederlands.")))
            else:
                sent.append(_origin_sentence(c, r, lang()))
        if "age" in in_text:
            words = "number_words" in phen
            person = "person_age" in phen
            age = int(row["age"])
            if words or person:
                ctx = {"male": male, "trans": trans, "massage": m and not h and not e}
                sent.append(phr.age_phrase(age, r, lang(), words, person, ctx))
            else:
                sent.append(_age_sentence(age, r, lang()))
        if "type" in in_text:
            if {"type_phrases", "agency", "typos"} & phen:
                sent.append(phr.type_phrase(h, e, m, r, lang(), agency, "typos" in phen))
            else:
                sent.append(_type_sentence(row, r, lang()))
        if "municipality" in in_text:
            escort_only = e and not h
            place = str(row["place_text"])
            official = str(row["municipality"])
            shown = place
            if place == official or place == "Den Haag":
                kind = "district" if "place_district" in phen else ("hyphen" if "place_hyphen" in phen else "")
                shown = phr.place_phrase(place, official, r, lang(), kind) if kind else place
            sent.append(_place_sentence(shown, r, lang(), escort_only))
    if "negations" in phen and row["type_stated"]:
        neg = phr.type_negations(h, e, m, r, lang())
        if neg:
            sent.append(neg)
    if "province" in phen and row.get("province"):
        sent.append(phr.province_phrase(str(row["province"]), r, lang()))
    if "distractor_numbers" in phen:
        sent.append(phr.distractor_numbers(r, lang(), female))
    fillers = list(_FILLER_EN if en else _FILLER_NL)
    r.shuffle(fillers)
    chosen = fillers[: r.randint(1, 3)]
    if "typos" in phen:
        chosen = [phr.typo(f, r) for f in chosen]
    if "capitals" in phen:
        chosen[0] = chosen[0].upper()
    sent.extend(chosen)
    if _is_stated_in_text(row, "price"):
        sent.insert(r.randint(2, len(sent)), _price_sentence(row, r, lang(), phen))
    if "minimum_booking" in phen:
        sent.append(phr.minimum_booking(r, lang(), e))
    term = _term_sentence(row, r, en, "term_variants" in phen)
    if term:
        sent.insert(r.randint(1, len(sent)), term)
    phone_display = format_phone(str(row["phone"]), int(row["phone_style"]))
    if row["phone_in_text"]:
        sent.append(("Call/WhatsApp: " if en else "Bel of app: ") + format_phone(str(row["phone"]), int(row["phone_style"]) + 1))
    if row["emoji"]:
        sent.append(" ".join(r.choice(EMOJI) for _ in range(r.randint(1, 3))))
    if row.get("text_edit_seed"):
        _edit(sent, random.Random(int(row["text_edit_seed"])), en)
    # group into paragraphs
    paras: list[str] = []
    i = 0
    while i < len(sent):
        k = r.randint(1, 3)
        chunk = sent[i : i + k]
        # pasted form lines stand in a paragraph of their own (a form ends with its last line)
        cut = next((n for n, x in enumerate(chunk) if "\n" in x), None)
        if cut is not None:
            chunk = chunk[: max(cut, 1)]
        paras.append(_esc(" ".join(chunk), ent))
        i += len(chunk)
    fields = _fields(row, site, r, en, female)
    return AdContent(
        title=_esc(title, ent),
        paragraphs=tuple(paras),
        fields={k: _esc(v, False) for k, v in fields.items()},
        phone_display=phone_display,
    )


def _type_field(row: dict[str, Any], site: str) -> str:
    h, e, m = bool(row["work_home"]), bool(row["work_escort"]), bool(row["work_massage"])
    if site == "kinky":
        names = ("Thuisontvangst", "Escort", "Massage")
    elif site == "sexjobs":
        names = ("Ontvangst", "Escort", "Erotische massage")
    else:
        names = ("Incall", "Outcall", "Massage")
    return ", ".join(n for n, on in zip(names, (h, e, m)) if on)


def _price_field(row: dict[str, Any], site: str, r: random.Random) -> str:
    ph, pe, hour = row["price_home"], row["price_escort"], row["price_hour"]
    has_h, has_e = ph == ph, pe == pe
    if has_h and has_e and ph != pe:
        return f"Ontvangst € {int(ph)} / Escort € {int(pe)} per uur"
    p = int(hour)
    return r.choice((f"€ {p} per uur", f"{p},- p/u", f"€{p},-"))


def _fields(row: dict[str, Any], site: str, r: random.Random, en: bool, female: bool) -> dict[str, str]:
    """Pre-filled fields (keys are neutral; the renderer labels them per site)."""
    f: dict[str, str] = {"name": str(row["name"])}
    f["gender"] = ("Vrouw" if female else "Man") if site != "topescortbabes" else "Female"
    if _is_stated_in_field(row, "age"):
        age = int(row["age"])
        f["age"] = str(age) if site != "sexjobs" else f"{age} jaar"
    if _is_stated_in_field(row, "origin"):
        c = str(row["origin_country"])
        if site == "topescortbabes":
            f["origin"] = COUNTRY_EN.get(c, (c, c))[1]
        elif site == "kinky":
            f["origin"] = c if r.random() < 0.5 else COUNTRY_ADJ_NL.get(c, c)
            if c == "Nederland" and "origin_words" in phenomena_of(row):
                f["origin"] = r.choice(("Nederlands", "Hollands"))
        else:
            f["origin"] = COUNTRY_ADJ_NL.get(c, c)
    if _is_stated_in_field(row, "municipality"):
        f["municipality"] = str(row["place_text"])
    if _is_stated_in_field(row, "type"):
        f["type"] = _type_field(row, site)
    if _is_stated_in_field(row, "price") and site == "sexjobs":
        f["price"] = _price_field(row, site, r)
    return f


def slugify(text: str) -> str:
    """ASCII slug of a title (for sexjobs/topescortbabes URLs)."""
    import unicodedata

    norm = unicodedata.normalize("NFKD", html.unescape(text)).encode("ascii", "ignore").decode()
    out = []
    for ch in norm.lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "-".join(part for part in "".join(out).split("-") if part)
    return slug[:60] or "advertentie"
