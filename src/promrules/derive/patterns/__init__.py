"""The derivation patterns: one module per way a selector is read.

Each module is named like its docs page (`patterns/counter` <->
docs/derive/counter.md) and registers itself with `@pattern`.
"""

from __future__ import annotations

from promrules.derive.patterns import (  # noqa: F401  (importing registers the patterns)
    age,
    changes,
    counter,
    gauge,
    histogram,
    ramp,
)
from promrules.derive.patterns.base import PATTERNS, Knob, Pattern, pattern, pattern_for

__all__ = ["PATTERNS", "Knob", "Pattern", "pattern", "pattern_for"]
