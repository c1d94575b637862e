"""Number words to digits (Dutch and English) with ``text2num``: "drieëntwintig" -> 23, "twenty-five" -> 25.

Only texts that contain a tens/teens/hundred word are converted (the conversion costs ~12 µs per
language); small isolated words ("een uur", "one hour", "twee uur") are left as they are (text2num's
default threshold), so durations keep their own rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

_NL = re.compile(r"(?:tig|honderd|tien|twaalf|\belf\b)")
_EN = re.compile(r"(?:ty\b|ty-|teen\b|hundred|\beleven\b|\btwelve\b|\bten\b)")


@lru_cache(maxsize=1024)  # price and age convert the same folded text
def digits(text: str) -> str:
    """``text`` with Dutch and English number words written as digits (folded or not)."""
    low = text.casefold()
    if _NL.search(low):
        text = alpha2digit(text, "nl")
    if _EN.search(low):
        text = alpha2digit(text, "en")
    return text
