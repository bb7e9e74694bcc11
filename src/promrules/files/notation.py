"""promtool's expanding notation for input series: parse it, expand it, write it.

An off-by-one in a repeat count shifts every expected alert time, so the rules
below were checked against promtool 2.42 and 3.5 (tests/files/test_notation.py runs
both):

- `a+bxn` and `a-bxn` are n+1 values a, a+b, ..., a+n*b, added up step by step
  as promtool does, so float rounding matches; `axn` is n+1 copies of a.
- `_` is one missing sample and `_xn` is n missing samples (not n+1).
- `stale` is a staleness marker; it cannot be repeated (`stalex3` is an error).
- `Inf` and `NaN` (any case) cannot take `xn` directly: promtool reads `Infx3`
  as one word. `Inf+0x3` works.
- `0x10` is 0 repeated ten times: numbers are decimal only.
- Native histograms `{{schema:0 sum:5 count:4 buckets:[1 2 1]}}`, alone or in
  runs `{{...}}x3` and `{{...}}+{{...}}x3`, are read by promtool 3.x; 2.42
  rejects them.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from promrules.files.notation_histogram import Histogram, HistogramSyntaxError, parse_histogram

__all__ = [
    "STALE",
    "Histogram",
    "Missing",
    "Notation",
    "NotationError",
    "Run",
    "Single",
    "Stale",
    "Term",
    "Value",
    "expand",
    "format",
    "format_number",
    "parse",
]


class Stale(enum.Enum):
    """The staleness marker `stale`: the series ends here, with no lookback."""

    MARKER = "stale"

    def __repr__(self) -> str:
        return "STALE"


STALE = Stale.MARKER

# One expanded sample: a number, a native histogram, a stale marker, or None (missing).
Value = float | Histogram | Stale | None


class NotationError(ValueError):
    """Series notation promtool would reject; names the token, its column and the fix."""

    def __init__(self, text: str, column: int, token: str, problem: str, hint: str) -> None:
        self.text = text
        self.column = column
        self.token = token
        self.problem = problem
        self.hint = hint
        super().__init__(
            f"bad series notation {token!r} at column {column} of {text!r}: {problem}; {hint}"
        )


@dataclass(frozen=True)
class Single:
    """One value: a number, a histogram or `stale`."""

    value: float | Histogram | Stale

    def __str__(self) -> str:
        return _format_value(self.value)

    def expand(self) -> list[Value]:
        return [self.value]


@dataclass(frozen=True)
class Missing:
    """`_` (count None, one sample) or `_xn` (n samples)."""

    count: int | None = None

    def __str__(self) -> str:
        return "_" if self.count is None else f"_x{self.count}"

    def expand(self) -> list[Value]:
        return [None] * (1 if self.count is None else self.count)


@dataclass(frozen=True)
class Run:
    """`axn` (step None), `a+bxn` or `a-bxn`: times+1 values."""

    start: float | Histogram
    times: int
    step: float | Histogram | None = None
    sign: str = "+"

    def __str__(self) -> str:
        if self.step is None:
            return f"{_format_value(self.start)}x{self.times}"
        return f"{_format_value(self.start)}{self.sign}{_format_value(self.step)}x{self.times}"

    def expand(self) -> list[Value]:
        if self.step is None:
            return [self.start] * (self.times + 1)
        values: list[Value] = []
        current = self.start
        for _ in range(self.times + 1):
            values.append(current)
            current = _add(current, self.step, self.sign)
        return values


Term = Single | Missing | Run


def _add(a: float | Histogram, b: float | Histogram, sign: str) -> float | Histogram:
    if isinstance(a, Histogram) and isinstance(b, Histogram):
        return a.plus(b) if sign == "+" else a.minus(b)
    assert isinstance(a, float) and isinstance(b, float)
    return a + b if sign == "+" else a + -b


@dataclass(frozen=True)
class Notation:
    """Parsed series notation: its terms, and the samples they expand to."""

    terms: tuple[Term, ...]

    def expand(self) -> tuple[Value, ...]:
        return tuple(value for term in self.terms for value in term.expand())

    def __str__(self) -> str:
        return " ".join(str(term) for term in self.terms)


# ---- parsing -------------------------------------------------------------------------

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SPECIAL = r"(?i:inf|nan)"
_ITEM_RE = re.compile(
    rf"(?P<start>[+-]?(?:{_NUMBER}|{_SPECIAL}))"
    rf"(?:(?P<sign>[+-])(?P<step>{_NUMBER}))?"
    rf"(?:x(?P<times>\d+))?"
)
_BLANK_RE = re.compile(r"_(?:x(?P<times>\d+))?")
_REPEAT_HINT = "write a value, then 'x' and a whole repeat count with no spaces, e.g. '5x10'"
_FORMS = (
    "use numbers, '_', '_xN', 'stale', 'axN' or 'a+bxN' / 'a-bxN' separated by spaces, "
    "e.g. '0+10x5 _x2 stale 7'"
)


def _items(text: str) -> list[tuple[int, str]]:
    """Whitespace-separated items with their 0-based offsets; `{{...}}` may hold spaces."""
    items: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        depth = False
        while i < n and (depth or not text[i].isspace()):
            if text.startswith("{{", i) and not depth:
                depth, i = True, i + 2
            elif text.startswith("}}", i) and depth:
                depth, i = False, i + 2
            else:
                i += 1
        if depth:
            problem = "a histogram '{{' is never closed"
            raise NotationError(text, start + 1, text[start:], problem, "end it with '}}'")
        items.append((start, text[start:i]))
    return items


def _number(token: str) -> float:
    value = float(token)
    if math.isinf(value) and "inf" not in token.lower():
        raise OverflowError(token)
    return value


def _explain(item: str) -> tuple[str, str]:
    """Why an item is not valid notation, and the form to write instead."""
    lowered = item.lower()
    if "," in item:
        return "values are separated by spaces, not commas", "write e.g. '1 2 3'"
    if lowered.startswith("stale"):
        return "a stale marker cannot be repeated", "write 'stale' once, then '_xN' for a gap"
    if re.fullmatch(rf"[+-]?{_SPECIAL}x\d+", item):
        value = item.split("x")[0]
        return (
            f"promtool reads {item!r} as one word",
            f"repeat {value} as '{value}+0x{item.split('x')[1]}'",
        )
    if re.fullmatch(r"[+-]?0[xXbBoO][0-9a-fA-F_]+", item):
        return (
            "numbers are decimal only (promtool reads '0x10' as 0 repeated 10 times)",
            "write the value in decimal, e.g. '31' for 0x1F",
        )
    if item.startswith("x"):
        return "a repeat count needs a value before it", _REPEAT_HINT
    if re.fullmatch(rf"[+-]?{_NUMBER}[+-]{_NUMBER}", item):
        return "a step needs a repeat count", f"write e.g. '{item}x10'"
    if re.search(r"[+-][+-]", item):
        return "a step takes one sign", "write 'a+bxN' or 'a-bxN', e.g. '10-2x5'"
    if re.fullmatch(rf"[+-]?{_NUMBER}(?:[+-]{_NUMBER})?x.*", item):
        return "the repeat count is not a whole number", _REPEAT_HINT
    if re.fullmatch(rf"[+-]?{_NUMBER}[a-wyzA-Z]+", item):
        return "values are plain numbers (no units or durations)", "write e.g. '60', not '1m'"
    if re.fullmatch(r"[+-]?\d[\d_]*", item) and "_" in item:
        return "promtool 2.x rejects '_' inside numbers", f"write {item.replace('_', '')!r}"
    if item.startswith(("-_", "+_", "_")):
        return "'_' takes no sign or step", "write '_' or '_xN' for missing samples"
    return "not a value promtool reads", _FORMS


def _histogram(text: str, offset: int, item: str) -> Histogram:
    try:
        return parse_histogram(item)
    except HistogramSyntaxError as exc:
        column = offset + exc.offset + 1
        raise NotationError(text, column, exc.token, exc.problem, exc.hint) from None


def _parse_histogram_item(text: str, offset: int, item: str) -> Term:
    """`{{...}}`, `{{...}}xN`, or `{{...}}+{{...}}xN` / `{{...}}-{{...}}xN`."""
    close = item.index("}}") + 2
    start = _histogram(text, offset, item[:close])
    rest = item[close:]
    if rest.startswith(("+{{", "-{{")):
        step_end = rest.index("}}") + 2
        step = _histogram(text, offset + close + 1, rest[1:step_end])
        times = rest[step_end:]
        if not re.fullmatch(r"x\d+", times):
            raise NotationError(
                text, offset + 1, item, "a histogram step needs a repeat count", "end it with 'xN'"
            )
        return Run(start, int(times[1:]), step, rest[0])
    if re.fullmatch(r"x\d+", rest):
        return Run(start, int(rest[1:]))
    if rest:
        raise NotationError(
            text,
            offset + close + 1,
            rest,
            "unexpected text after a histogram",
            "write '{{...}}', '{{...}}xN' or '{{...}}+{{...}}xN'",
        )
    return Single(start)


def _parse_item(text: str, offset: int, item: str) -> Term:
    if item == "stale":
        return Single(STALE)
    if item.startswith("{{"):
        return _parse_histogram_item(text, offset, item)
    blank = _BLANK_RE.fullmatch(item)
    if blank is not None:
        return Missing(None if blank["times"] is None else int(blank["times"]))
    match = _ITEM_RE.fullmatch(item)
    if match is None:
        problem, hint = _explain(item)
        raise NotationError(text, offset + 1, item, problem, hint)
    try:
        start = _number(match["start"])
        step = _number(match["step"]) if match["step"] is not None else None
    except OverflowError as exc:
        raise NotationError(
            text, offset + 1, item, f"{exc.args[0]} is out of float64 range", "use a smaller number"
        ) from None
    times = match["times"]
    if step is not None and times is None:
        problem, hint = _explain(item)
        raise NotationError(text, offset + 1, item, problem, hint)
    if times is None:
        return Single(start)
    if step is None and not math.isfinite(start):
        problem, hint = _explain(item)
        raise NotationError(text, offset + 1, item, problem, hint)
    return Run(start, int(times), step, match["sign"] or "+")


def parse(text: str) -> Notation:
    """Parse promtool series notation; raises NotationError naming the bad item."""
    return Notation(tuple(_parse_item(text, offset, item) for offset, item in _items(text)))


def expand(text: str) -> tuple[Value, ...]:
    """The samples a notation stands for, one per interval step."""
    return parse(text).expand()


# ---- formatting ----------------------------------------------------------------------


def format_number(value: float) -> str:
    """The shortest text promtool reads back as exactly this float."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _format_value(value: float | Histogram | Stale) -> str:
    if isinstance(value, Stale):
        return "stale"
    if isinstance(value, Histogram):
        return str(value)
    return format_number(value)


def _same(a: Value, b: Value) -> bool:
    """Equality that treats NaNs as equal and keeps the sign of zero."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return type(a) is type(b) and a == b


def _repeat_length(values: list[Value], i: int) -> int:
    j = i + 1
    while j < len(values) and _same(values[j], values[i]):
        j += 1
    return j - i


def _progression_length(values: list[Value], i: int) -> tuple[int, float]:
    """How many values from i follow start, start+b, ... exactly, added step by step."""
    first, second = values[i], values[i + 1] if i + 1 < len(values) else None
    if not isinstance(first, float) or not isinstance(second, float):
        return 1, 0.0
    step = second - first
    if not math.isfinite(step) or step == 0:
        return 1, 0.0
    current, j = first, i + 1
    while j < len(values) and isinstance(values[j], float):
        current = current + step
        if not _same(values[j], current):
            break
        j += 1
    return j - i, step


def _compress(values: list[Value]) -> list[Term]:
    terms: list[Term] = []
    i = 0
    while i < len(values):
        value = values[i]
        if value is None:
            count = _repeat_length(values, i)
            terms.append(Missing(None if count == 1 else count))
            i += count
            continue
        if isinstance(value, Stale):
            terms.append(Single(STALE))
            i += 1
            continue
        repeat = _repeat_length(values, i)
        if repeat >= 3:
            if isinstance(value, float) and not math.isfinite(value):
                terms.append(Run(value, repeat - 1, 0.0))
            else:
                terms.append(Run(value, repeat - 1))
            i += repeat
            continue
        length, step = _progression_length(values, i)
        if length >= 3:
            assert isinstance(value, float)
            terms.append(Run(value, length - 1, abs(step), "+" if step > 0 else "-"))
            i += length
            continue
        terms.append(Single(value))
        i += 1
    return terms


def format(values: Notation | Iterable[Value]) -> str:
    """Compact notation for samples: runs become `axn` / `a+bxn`, gaps `_xn`.

    Runs are written only where promtool's step-by-step addition gives back
    exactly the same floats, so parsing the result expands to these values.
    """
    if isinstance(values, Notation):
        values = values.expand()
    items: list[Value] = [float(v) if isinstance(v, int) else v for v in values]
    return " ".join(str(term) for term in _compress(items))
