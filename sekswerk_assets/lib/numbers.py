"""Numbers as the report prints them and as Dutch municipal officials type them.

* :func:`percent`: the one percentage helper of both flows, rounded half up to one decimal
  (5/16 -> 31.3, as the report rounds), ``None`` for an empty base.
* :func:`parse_dutch_number`: a cell of a count or choice column read by the Dutch conventions
  (thousands dots ``1.000``, decimal comma ``2,5``), with the reason when a value is ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_PLAIN = re.compile(r"[+-]?\d+")
_DUTCH_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")  # 1.000  12.500  1.000,5
_ENGLISH_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,000  1,000.5
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")  # 2,5
_DECIMAL_POINT = re.compile(r"[+-]?\d+\.\d+")  # 2.5 (a spreadsheet's own number format)


def percent(n, base) -> float | None:
    """``100 * n / base`` rounded half up to one decimal; ``None`` when ``base`` is 0 or missing."""
    if base is None or not base or n is None:
        return None
    return float((Decimal(100) * Decimal(str(n)) / Decimal(str(base))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None
    reason: str | None = None  # why the text is not a number (value None)


def parse_dutch_number(text: str) -> ParsedNumber:
    """Read ``text`` as a number by the Dutch conventions.

    * ``1000``, ``1.000``, ``12.500`` (dots in groups of three are thousands separators) -> 1000, 1000, 12500;
    * ``2,5`` (decimal comma) -> 2.5; ``1.000,5`` -> 1000.5;
    * ``2.5`` (a dot not followed by three digits, as spreadsheets write their own numbers) -> 2.5;
    * ``1,000`` and ``1,000.5`` are ambiguous (a decimal comma in Dutch, a thousands separator in English)
      and rejected with that reason, as is anything else.
    """
    s = _SPACES.sub("", text)
    if _PLAIN.fullmatch(s):
        return ParsedNumber(float(int(s)))
    if _DUTCH_THOUSANDS.fullmatch(s):
        return ParsedNumber(float(s.replace(".", "").replace(",", ".")))
    if _ENGLISH_THOUSANDS.fullmatch(s) and not _DECIMAL_POINT.fullmatch(s):
        return ParsedNumber(None, "ambiguous number: a comma followed by three digits is a decimal comma in Dutch "
                                  "but a thousands separator in English; write the number without separators "
                                  "(1000) or with a thousands dot (1.000)")
    if _DECIMAL_COMMA.fullmatch(s):
        return ParsedNumber(float(s.replace(",", ".")))
    if _DECIMAL_POINT.fullmatch(s):
        return ParsedNumber(float(s))
    if "%" in s:
        return ParsedNumber(None, "percentage-style value")
    if re.fullmatch(r"[+\-\d.,]+", s):
        return ParsedNumber(None, "unreadable number: separators do not follow 1.000 (thousands) or 2,5 (decimal)")
    return ParsedNumber(None, "text value")
