"""Rounding as the printed report rounds: half up on the decimal value (2.25 -> 2.3, 12.5 -> 13).

Python's own ``round`` and format strings round binary floats half to even (``f"{2.5:.0f}"`` is ``2``);
the report's tables never do. Percentages of both flows come from the shared ``percent`` helper of
``sekswerk_assets.lib.numbers`` where it is available; this module only rounds for printing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value, digits: int = 1) -> Decimal:
    """``value`` rounded half up to ``digits`` decimals, as a Decimal (formats without further rounding)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(value, digits: int = 0, missing: str = "–") -> str:
    """Printed number with thousands separators, rounded half up; ``missing`` for None/NaN."""
    try:
        if value is None or value != value:
            return missing
    except (TypeError, ValueError):
        return missing
    return f"{round_half_up(value, digits):,.{digits}f}"
