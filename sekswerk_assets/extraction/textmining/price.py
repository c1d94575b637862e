"""Hourly prices (overall and per work type) from price fields and free text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sekswerk_assets.extraction.textmining.normalise import fold, sentences
from sekswerk_assets.extraction.textmining.numbers import digits

PRICE_SENTENCE = re.compile(
    r"(€|\beur\b|\beuro|\d\s*,-|\bp/u\b|per uur|per hour|/h\b|\btarie[fv]|\bprijs|\bprijzen|\brates?\b|\bprice|"
    r"\bva\.|\bv\.a\.|\bvanaf\s+\d|\b\d+\s*(?:eur|€))"
)
_PHONE = re.compile(r"(?:\+|00)\s?31\s?(?:\(0\))?[\s-]?6[\s-]?(?:\d[\s-]?){8}|\b0\s?6[\s-]?(?:\d[\s-]?){7}\d\b")
# numbers followed by a duration unit are durations, not amounts
# (a number of 40 or more before "uur"/"hour" is an amount per hour: "160 uur", "180 hour")
_DURATION_NUMBER = re.compile(r"^\s*(?:min\w*|m\b|kwartier|jaar|jr|years?|yo\b|cm|kg|%|x\b|keer|dagen|days|nachten|nights|/7|sterren)")
_AMOUNT = re.compile(r"(?<![\d.,/:])(\d{2,4})(?:[.,](\d{2}))?(?![\d])")
_CURRENCY_BEFORE = re.compile(r"(?:€|\beur|\beuro|\beu)\s*[:.]?\s*$")
_HOUR_UNIT = re.compile(r"^\s*(?:uur|u\b|h\b|hours?|hrs?)")
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:€|eur\b|euro|eu\b|e\b|p u\b|per\s+(?:uur|hour|u\b|h\b|half|30|1\b|60|2\b|2\s)|"
    r"(?:an?|the|one|het|een|1|per|full|whole|heel|hele|for\s+(?:an?|one|1|the))\s+(?:uur|hour|hr)\b|"
    r"(?:voor|for)\s+(?:een\s+|an?\s+|1\s+|het\s+)?(?:half\s*(?:uur|hour)|halfuur|uur|hour|\d{2,3}\s*min))")
_AGE_BEFORE = re.compile(r"\b(?:leeftijd|age|lft|ik ben|i am|i'm)\s*[:=]?\s*$")
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


# (pattern, replacement, necessary condition): a rewrite runs only on a text where it can match
# (replacements with groups are functions: faster than re's template expansion)
_PREP = [(re.compile(p), r, pre) for p, r, pre in (
    (r"\b(?:kvk|k\.v\.k\.?)[^\d]{0,25}\d{6,10}", " ", lambda t: "kvk" in t or "k.v.k" in t),
    (r"\d{5,}", " ", None),  # postcodes, ids, numbers too long to be a price
    (r"p/u|p\.u\.", " p u ", lambda t: "p/u" in t or "p.u." in t),
    (r"per u\.", " per uur ", lambda t: "per u." in t),
    # per-hour abbreviations: "p/h", "ph", "pu", "100ph", "/hr"
    (r"(?<=\d)(?:ph|pu|p/h)\b|\bp\s*/\s*h\b|\bp\.h\.?|\bph\b|\bpu\b", " per uur ",
     lambda t: "ph" in t or "pu" in t or "p." in t or (("p" in t and "/" in t) and bool(_P_SLASH.search(t)))),
    (r"(\d)\s*,\s*-+", lambda m: m.group(1) + " eur ", lambda t: "," in t and "-" in t),  # 150,- -> 150 eur
    (r"/\s*1?\s*(uur|u|h|hr|hour)\b", lambda m: " per " + m.group(1), lambda t: "/" in t),
    (r"\b1/2\b", " half ", lambda t: "1/2" in t),
    (r"\b24/7\b", " altijd ", lambda t: "24/7" in t),
    # "va.", "vanaf", "from" give the lower bound; plain "van" is not "vanaf" ("vrouw van 32")
    (r"\b(v\.a\.|va\.|va\b|vanaf|van af|from|starting at|starting from)", " vanaf ",
     lambda t: "va" in t or "v.a." in t or "from" in t or "starting" in t),
    (r"€", " € ", lambda t: "€" in t),
    (r"eur\.", "eur ", lambda t: "eur." in t),
    (r"(\d)(eur|euro|e)\b", lambda m: m.group(1) + " " + m.group(2), None),
    (r"\b(\d+)(h|u|min|m)\b", lambda m: m.group(1) + " " + m.group(2), lambda t: bool(_DIGIT_UNIT.search(t))),
)]
_P_SLASH = re.compile(r"p\s*/")
_TWO_DIGITS = re.compile(r"\d\d")
_DIGIT_UNIT = re.compile(r"\d[hum]")


def _prep_price_text(text: str) -> str:
    t = _PHONE.sub(" ", digits(fold(text)))
    for rx, rep, pre in _PREP:
        if pre is None or pre(t):
            t = rx.sub(rep, t)
    return t


_DUR_PHRASE = re.compile(
    r"(?P<night>\b(?:nacht|night|overnight|overnachting|weekend|dag|day|dinner ?date)\b)"
    r"|(?P<quarter>\bkwartier(?:tje)?\b|\bquarter\b)"
    r"|(?P<half>\bhalf\s*(?:uur|uurtje|hour|u)\b|\bhalfuur(?:tje)?\b|½\s*(?:uur|u|h|hour)|\bhalve uur\b|\bhalf\b)"
    r"|(?P<onehalf>\banderhalf\s*uur\b)"
    r"|(?P<min>\b(?P<mins>\d{2,3})\s*(?:min\w*|m)\b)"
    r"|(?P<hrs>\b(?P<n>\d(?:[.,]5)?)\s*(?:uur|uurtje|u|h|hours?|hrs?|hr)\b)"
    r"|(?P<words>\b(?:twee|two)\s+(?:uur|hours)\b)"
    r"|(?P<hour>\b(?:heel\s+|hele\s+|een\s+|one\s+|an\s+|the\s+|het\s+|full\s+|whole\s+)?(?:uur|uurtje|hour|hr|u|h)\b|\bp u\b|\bph\b)"
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


_RIGHT_DURATION = re.compile(r"^\s*(?:€|eur\w*|e\b)?\s*[,:]?\s*(?:per|voor|for|het|een|an|a|/|pro|the|p|x|=)\s+")
# a minimum booking gives the duration of an amount stated without one ("min. 2 uur, 340 euro")
_MIN_BOOKING = re.compile(
    r"\b(?:min(?:imum|imaal|imale|\.)?|vanaf)\s*(?:boeking|booking|afname)?\s*(?:van\s*|of\s*)?"
    r"(?P<n>[1-4](?:[.,]5)?|twee|two|drie|three|vier|four)\s*(?:uur|hours?|u\b|h\b|hrs?)"
)
_WORD_HOURS = {"twee": 2.0, "two": 2.0, "drie": 3.0, "three": 3.0, "vier": 4.0, "four": 4.0}


def _booking_hours(m) -> float:
    n = m.group("n")
    return _WORD_HOURS.get(n) or float(n.replace(",", "."))
_EXTRA_COST = re.compile(r"(entree|toegang|aanbetaling|deposit|taxi|reiskosten|travel|extra|\+|toeslag|supplement|meer|"
                         r"kamerhuur|parkeren|parking|garage)\s*[:=]?\s*(?:€\s*)?$")
# an extra cost named after the amount ("20 euro voor de entree", "25 euro extra", "5 euro per uur parkeren")
_EXTRA_AFTER = re.compile(r"^\s*(?:€|eur\w*|e\b)?\s*(?:voor\s+de\s+|for\s+the\s+|per\s+\w+\s+)?(?:entree|toegang|entrance|"
                          r"aanbetaling|deposit|taxi|reiskosten|travel|extra|toeslag|parkeren|parking|kamerhuur)")
# sizes, measures and addresses are not prices ("Size 38 EU", "maat 40 EU", "huisnummer 118")
_NOT_PRICE_BEFORE = re.compile(r"\b(?:maat|size|schoenmaat|cup|lengte|height|gewicht|weight|huisnummer|huisnr|nummer|"
                               r"number|nr|postcode|bus|tram|lijn|verdieping|bh)\.?\s*[:=]?\s*$")
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
    if not _TWO_DIGITS.search(digits(fold(text))):
        # an amount has two digits in a row, and no rewrite of the preparation puts digits side by side
        return res
    for sent in sentences(_prep_price_text(text)):
        matches = list(_AMOUNT.finditer(sent))
        if not matches:
            continue  # nothing below runs without an amount
        has_cue = bool(PRICE_SENTENCE.search(sent))
        prev_end = 0
        seg_type, seg_dur = None, False
        bm = _MIN_BOOKING.search(sent)
        booking = _booking_hours(bm) if bm else None
        last_amount_end = -1
        for i, m in enumerate(matches):
            value = int(m.group(1))
            # a range "100-120 euro per uur": the lower bound takes the context after the upper bound
            nxt = matches[i + 1] if i + 1 < len(matches) else None
            end = nxt.end() if nxt is not None and _RANGE_SEP.match(sent[m.end() : nxt.start()]) else m.end()
            after = sent[end : end + 12]
            before_full = sent[prev_end : m.start()]
            if _DURATION_NUMBER.match(after) or (value < 40 and _HOUR_UNIT.match(after)):
                continue
            if _AGE_BEFORE.search(sent[max(0, m.start() - 14) : m.start()]):
                continue
            # second number of a range ("150-200", "150 tot 200"): skip
            if last_amount_end >= 0 and _RANGE_SEP.match(sent[last_amount_end : m.start()]):
                continue
            currency = bool(_CURRENCY_BEFORE.search(sent[max(0, m.start() - 7) : m.start()])) or bool(
                _CURRENCY_AFTER.match(sent[end : end + 24])
            ) or bool(_HOUR_UNIT.match(after))
            parts = _SEGMENT_SEP.split(before_full)
            left = parts[-1] if parts else before_full
            d_left = _duration_left(sent[max(0, m.start() - 24) : m.start()])
            keyword = bool(_PRICE_KW_BEFORE.search(sent[max(0, m.start() - 18) : m.start()]))
            if not (currency or d_left != "" or (keyword and (has_cue or value >= 50))):
                continue
            if (not 15 <= value <= 5000 or _EXTRA_COST.search(sent[max(0, m.start() - 14) : m.start()])
                    or _EXTRA_AFTER.match(sent[end : end + 30])
                    or _NOT_PRICE_BEFORE.search(sent[max(0, m.start() - 14) : m.start()])):
                last_amount_end = m.end()
                prev_end = m.end()
                continue
            right_full = sent[end : end + 32]
            right = _SEGMENT_SEP.split(right_full)[0]
            # a list entry that is only a duration ("Escort 30 min 110, 60 min 190") keeps the list's type
            bare_left = _DUR_PHRASE.sub(" ", left).strip(" €:=.")
            own = _last_type(left) or _first_type(right)
            t = own or (seg_type if not bare_left and seg_dur else None) or _last_type(before_full)
            if t is not None:
                seg_type, seg_dur = t, d_left != ""
            if d_left != "":
                d = d_left
            else:
                rm = _RIGHT_DURATION.match(right)
                if rm:
                    d = _duration(right[rm.end() : rm.end() + 14])
                else:  # a duration right after the amount: "90 halfuur", "70 euro half uur", "180 uur"
                    dm = _DUR_PHRASE.match(right, re.match(r"^\s*(?:€|eur\w*|e\b)?\s*", right).end())
                    d = _hours(dm) if dm else ""
                if d == "" and booking is not None:
                    d = booking  # "minimale boeking 2 uur: 320 euro"
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

