"""What a derivation pattern is, and the registry the patterns add themselves to.

A pattern knows one way a selector is read (through `rate()`, under
`histogram_quantile()`, next to `time()` ...) and builds the synthetic series
that reading needs, steered by a few numeric knobs: a gauge's value, a
counter's rate, a timestamp's age. The solver turns the knobs until the
expression's signal sits where a case needs it; the pattern never computes
PromQL itself.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from promrules.derive.selectors import Usage
from promrules.files.notation import Value

__all__ = [
    "PATTERNS",
    "At",
    "Context",
    "Knob",
    "Pattern",
    "SeriesValues",
    "pattern",
    "pattern_for",
]

At = Callable[[str, int], float]  # knob name, time in ms -> the knob's value then
SeriesValues = dict[tuple[tuple[str, str], ...], list[Value]]  # extra labels -> samples


@dataclass(frozen=True)
class Knob:
    """One number that steers a pattern's series."""

    name: str
    default: float
    low: float = -math.inf
    high: float = math.inf
    integer: bool = False

    def clamp(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        return float(round(value)) if self.integer else value


@dataclass(frozen=True)
class Context:
    """What a pattern may need besides its knobs: the sample period and the readings."""

    period_ms: int
    usages: tuple[Usage, ...]
    restarts: tuple[int, ...] = (0,)  # where scenarios begin: counters start over there

    def reads_through(self, *names: str) -> bool:
        return any(usage.reads_through(*names) for usage in self.usages)


class Pattern(ABC):
    """One way of reading a selector, and the series that serve it."""

    name: ClassVar[str]
    priority: ClassVar[int]  # when a selector is read several ways, the highest wins
    summary: ClassVar[str]

    @abstractmethod
    def claims(self, usage: Usage) -> bool:
        """Whether this reading of the selector needs this pattern's series."""

    @abstractmethod
    def knobs(self) -> tuple[Knob, ...]:
        """The pattern's knobs, the one that moves the signal most directly first."""

    @abstractmethod
    def values(self, at: At, times: Sequence[int], context: Context) -> SeriesValues:
        """Samples at `times` (ms), for each series the pattern needs."""

    def max_period_ms(self, usage: Usage, threshold: float | None) -> int | None:
        """The longest sample period this reading tolerates (None: no limit of its own)."""
        return usage.range_ms // 2 if usage.range_ms else None

    def needs_tick_multiple(self) -> bool:
        """True when the sample period must divide the evaluation tick."""
        return False


PATTERNS: dict[str, Pattern] = {}


def pattern(cls: type[Pattern]) -> type[Pattern]:
    """Register a pattern class under its name (its docs page is docs/derive/<name>.md)."""
    if cls.name in PATTERNS:
        raise ValueError(f"derive pattern {cls.name!r} is registered twice")
    PATTERNS[cls.name] = cls()
    return cls


def pattern_for(usages: Sequence[Usage]) -> Pattern:
    """The pattern a selector's readings need: the highest-priority claimant."""
    claimants = [p for p in PATTERNS.values() if any(p.claims(usage) for usage in usages)]
    return max(claimants, key=lambda p: p.priority)
