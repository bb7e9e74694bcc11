"""Prometheus durations ("1h5m", "90s", "0") as milliseconds.

promtool prints times in Go's model.Duration format and test files write them
in any valid form, so both sides are compared as milliseconds.
"""

from __future__ import annotations

import re

__all__ = ["DurationError", "format_duration", "parse_duration"]

_UNITS_MS = {
    "y": 365 * 24 * 3600 * 1000,
    "w": 7 * 24 * 3600 * 1000,
    "d": 24 * 3600 * 1000,
    "h": 3600 * 1000,
    "m": 60 * 1000,
    "s": 1000,
    "ms": 1,
}
_DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_ORDER = ("y", "w", "d", "h", "m", "s", "ms")


class DurationError(ValueError):
    """A text that is not a Prometheus duration."""


def parse_duration(text: str | int) -> int:
    """Milliseconds of a Prometheus duration; a bare 0 is allowed, as in promtool."""
    value = str(text).strip()
    if value == "0":
        return 0
    match = _DURATION_RE.match(value)
    if not value or match is None:
        raise DurationError(f"not a duration: {value!r} (expected e.g. 30s, 5m, 1h30m)")
    return sum(
        int(n) * _UNITS_MS[unit] for n, unit in zip(match.groups(), _ORDER, strict=True) if n
    )


def format_duration(ms: int) -> str:
    """The shortest Prometheus form of a duration, e.g. 5400000 -> '1h30m'."""
    if ms == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = _UNITS_MS[unit]
        count, ms = divmod(ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
