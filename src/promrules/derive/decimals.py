"""Arithmetic on the numbers a case prints, done on their decimals, not their binary floats.

A knob of 0.055 is the decimal people read in the test file; binary
arithmetic on it (0.055 * 600) prints as 33.00000000000001. Products and
sums of printed values are taken on the exact decimals and rounded once, so
short inputs give short outputs (33), and a float picked on purpose (a
neighbour that hits a threshold bit for bit) still gives distinct results.
Readings promtool computes are shown in the shortest decimal that is
within a relative 1e-12 of them and on the same side of the threshold.
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["exact", "product", "shown", "total"]

_SLACK = 1e-12


def exact(value: float) -> Fraction:
    """The decimal `value` prints as, exactly (Fraction("0.1") is 1/10, not 0.1000...0555)."""
    return Fraction(repr(value)) if math.isfinite(value) else Fraction(value)


def product(a: float, b: float) -> float:
    """a * b on their printed decimals, rounded once (0.055 * 600 is 33)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return a * b
    return float(exact(a) * exact(b))


def total(a: float, b: float) -> float:
    """a + b on their printed decimals, rounded once (600 - 84.9 is 515.1)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return a + b
    return float(exact(a) + exact(b))


def _side(value: float, against: float | None) -> int:
    if against is None:
        return 0
    return (value > against) - (value < against)


def shown(value: float | None, against: float | None = None) -> str:
    """A reading as people write it: 0.501 for 0.5010000000000001, 90 for 90.0.

    The shorter decimal is used only when it lies within a relative 1e-12
    of the reading and on the same side of `against` (never `15` for a
    reading just short of 15); otherwise the reading's exact shortest form.
    """
    if value is None:
        return "nothing"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    chosen = value
    slack = abs(value) * _SLACK
    for digits in range(1, 18):
        short = float(f"{value:.{digits}g}")
        if abs(short - value) <= slack and _side(short, against) == _side(value, against):
            chosen = short
            break
    if chosen == int(chosen) and abs(chosen) < 1e15:
        return str(int(chosen))
    return repr(chosen)
