"""The smallest meaningful step of a threshold, so a nudged threshold is a near miss.

The step is the smaller of
- one unit of the number's last written digit (1 for integers), and
- one unit of its second significant digit,
so 90 -> 91/89, 600 -> 601/599, 0.1 -> 0.11/0.09, 0.05 -> 0.051/0.049,
69.9 -> 70/69.8, 5 -> 5.1/4.9; and 0 -> 1/-1. A test that checks one step
either side of the threshold kills both mutants; a test that checks far
from it lets them live. Decimal arithmetic keeps 0.1 + 0.01 at 0.11.
"""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = ["nudged", "number_text", "step"]


def step(value: float) -> Decimal:
    """The smallest meaningful change of `value` (see the module docstring)."""
    if value == 0:
        return Decimal(1)
    number = Decimal(repr(abs(value)))
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    written = Decimal(1).scaleb(min(exponent, 0))
    second_digit = Decimal(1).scaleb(number.adjusted() - 1)
    return min(written, second_digit)


def nudged(value: float) -> tuple[Decimal, Decimal] | None:
    """`value` one step up and one step down; None for infinities and NaN."""
    if not math.isfinite(value):
        return None
    exact, delta = Decimal(repr(value)), step(value)
    return exact + delta, exact - delta


def number_text(number: Decimal) -> str:
    """Plain decimal text PromQL reads back as the same number: '0.049', '91'."""
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text
