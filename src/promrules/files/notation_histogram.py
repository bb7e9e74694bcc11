"""Native histograms in series notation: `{{schema:0 sum:5 count:4 buckets:[1 2 1]}}`.

Kept apart from `notation` because it is its own little grammar, read only by
promtool 3.x. Field names, their order when written, and what promtool
rejects (a space after `{{` or `[`, a `+` sign, negative bucket counts,
custom bounds without schema -53) follow promtool 3.5.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace

__all__ = ["HINTS", "Histogram", "HistogramSyntaxError", "parse_histogram"]

HINTS = ("unknown", "reset", "not_reset", "gauge")
_FLOATS = ("sum", "count", "z_bucket", "z_bucket_w")
_INTS = ("schema", "offset", "n_offset")
_LISTS = ("buckets", "n_buckets", "custom_values")
_NUMBER_RE = re.compile(r"-?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf|nan))")
_INT_RE = re.compile(r"-?\d+")
_FIELD_RE = re.compile(r"(?P<key>[a-z_]+):(?P<value>\[[^\]]*\]|\S+)")


class HistogramSyntaxError(ValueError):
    """A bad histogram field: what is wrong, how to fix it, and where (offset in the item)."""

    def __init__(self, offset: int, token: str, problem: str, hint: str) -> None:
        self.offset = offset
        self.token = token
        self.problem = problem
        self.hint = hint
        super().__init__(f"{token!r}: {problem}; {hint}")


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True)
class Histogram:
    """One native histogram sample, field for field as the notation writes it."""

    schema: int = 0
    sum: float = 0.0
    count: float = 0.0
    z_bucket: float = 0.0
    z_bucket_w: float = 0.0
    buckets: tuple[float, ...] = ()
    offset: int = 0
    n_buckets: tuple[float, ...] = ()
    n_offset: int = 0
    counter_reset_hint: str | None = None
    custom_values: tuple[float, ...] = ()

    def __str__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, tuple):
                parts.append(f"{f.name}:[{' '.join(_fmt(v) for v in value)}]")
            elif isinstance(value, float):
                parts.append(f"{f.name}:{_fmt(value)}")
            else:
                parts.append(f"{f.name}:{value}")
        return "{{" + " ".join(parts) + "}}"

    def plus(self, other: Histogram) -> Histogram:
        return self._combine(other, 1.0)

    def minus(self, other: Histogram) -> Histogram:
        return self._combine(other, -1.0)

    def _combine(self, other: Histogram, factor: float) -> Histogram:
        """Bucket-wise sum, aligned by bucket index, for one schema (as promtool's runs)."""
        if (self.schema, self.custom_values) != (other.schema, other.custom_values):
            raise ValueError(
                "a histogram run whose step has another schema or custom_values is not "
                "supported here; give start and step the same schema"
            )
        buckets, offset = _add_spans(self.buckets, self.offset, other.buckets, other.offset, factor)
        negative, n_offset = _add_spans(
            self.n_buckets, self.n_offset, other.n_buckets, other.n_offset, factor
        )
        return replace(
            self,
            sum=self.sum + factor * other.sum,
            count=self.count + factor * other.count,
            z_bucket=self.z_bucket + factor * other.z_bucket,
            z_bucket_w=max(self.z_bucket_w, other.z_bucket_w),
            buckets=buckets,
            offset=offset,
            n_buckets=negative,
            n_offset=n_offset,
        )


def _add_spans(
    a: tuple[float, ...], a_offset: int, b: tuple[float, ...], b_offset: int, factor: float
) -> tuple[tuple[float, ...], int]:
    if not b:
        return a, a_offset
    if not a:
        return tuple(factor * v for v in b), b_offset
    counts: dict[int, float] = {}
    for index, value in enumerate(a):
        counts[a_offset + index] = value
    for index, value in enumerate(b):
        counts[b_offset + index] = counts.get(b_offset + index, 0.0) + factor * value
    low, high = min(counts), max(counts)
    return tuple(counts.get(i, 0.0) for i in range(low, high + 1)), low


def _list(key: str, raw: str, offset: int) -> tuple[float, ...]:
    inner = raw[1:-1]
    if inner[:1].isspace():
        raise HistogramSyntaxError(
            offset, raw, f"promtool rejects a space after '[' in {key}", f"write {key}:[1 2 1]"
        )
    values = []
    for token in inner.split():
        if not _NUMBER_RE.fullmatch(token):
            raise HistogramSyntaxError(
                offset, token, f"{key} holds numbers", f"write e.g. {key}:[1 2 1]"
            )
        value = float(token)
        if key != "custom_values" and value < 0:
            raise HistogramSyntaxError(
                offset, token, f"a bucket count in {key} is negative", "counts must be >= 0"
            )
        values.append(value)
    return tuple(values)


def _scalar(key: str, raw: str, offset: int) -> float | int | str:
    if key == "counter_reset_hint":
        if raw not in HINTS:
            raise HistogramSyntaxError(
                offset, raw, "unknown counter_reset_hint", f"use one of {', '.join(HINTS)}"
            )
        return raw
    if key in _INTS:
        if not _INT_RE.fullmatch(raw):
            raise HistogramSyntaxError(
                offset, raw, f"{key} is a whole number", f"write e.g. {key}:0"
            )
        return int(raw)
    if not _NUMBER_RE.fullmatch(raw):
        hint = f"write {key}:{raw[1:]}" if raw.startswith("+") else f"write e.g. {key}:5"
        raise HistogramSyntaxError(offset, raw, f"{key} is a number", hint)
    return float(raw)


def parse_histogram(item: str) -> Histogram:
    """Read `{{...}}` (the whole item, braces included)."""
    body = item[2:-2]
    if body[:1].isspace():
        raise HistogramSyntaxError(
            2, item, "promtool rejects a space after '{{'", "write e.g. {{sum:5 count:4}}"
        )
    values: dict[str, object] = {}
    position = 0
    known = {f.name for f in fields(Histogram)}
    for match in _FIELD_RE.finditer(body):
        gap = body[position : match.start()]
        if gap.strip():
            raise HistogramSyntaxError(
                2 + position, gap.strip(), "not a 'key:value' field", "write e.g. sum:5"
            )
        position = match.end()
        key, raw = match["key"], match["value"]
        offset = 2 + match.start()
        if key not in known:
            raise HistogramSyntaxError(
                offset, key, "unknown histogram field", f"use {', '.join(sorted(known))}"
            )
        if key in values:
            raise HistogramSyntaxError(offset, key, "field given twice", "give each field once")
        if key in _LISTS:
            if not (raw.startswith("[") and raw.endswith("]")):
                raise HistogramSyntaxError(
                    offset, raw, f"{key} is a list", f"write e.g. {key}:[1 2 1]"
                )
            values[key] = _list(key, raw, offset)
        else:
            values[key] = _scalar(key, raw, offset)
    if body[position:].strip():
        rest = body[position:].strip()
        raise HistogramSyntaxError(
            2 + position, rest, "not a 'key:value' field", "write e.g. sum:5"
        )
    histogram = Histogram(**values)  # type: ignore[arg-type]
    if histogram.custom_values and histogram.schema != -53:
        raise HistogramSyntaxError(
            2, item, "custom_values need schema:-53", "add schema:-53 or drop custom_values"
        )
    return histogram
