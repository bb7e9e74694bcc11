"""The synthetic series of one alert: one leaf per distinct selector, and its knobs.

Selectors that would select the same series (same name, same labels after
examples are chosen) share a leaf. Every leaf gets `job` and `instance`
labels, the values its matchers demand, and the equality labels other
metrics of the expression are selected by, so that one-to-one matching
between different metrics finds its partner. Knob values are given per
knob as a schedule (value from a time on), which is how a case switches a
series from "beyond the threshold" to "short of it".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from promrules.derive import labelvalues
from promrules.derive.patterns import Knob, Pattern, pattern_for
from promrules.derive.patterns.base import Context
from promrules.derive.selectors import Usage
from promrules.files.notation import STALE, Value
from promrules.files.notation import format as format_notation

__all__ = ["DEFAULT_LABELS", "Leaf", "Schedule", "build_leaves", "input_series", "selects"]

DEFAULT_LABELS = (("instance", "promrules:9100"), ("job", "promrules"))
PRESENT = "present"
BEFORE = "before"
COPIES = "copies"
COPY_LABEL = "promrules_copy"
MAX_COPIES = 50.0

# knob id ("<leaf>.<knob>") -> ((from_ms, value), ...), sorted by time
Schedule = Mapping[str, tuple[tuple[int, float], ...]]


class LeafError(ValueError):
    """A selector no synthetic series can satisfy."""


@dataclass(frozen=True)
class Leaf:
    """One synthetic series family, read by one or more selectors of the expression."""

    number: int
    name: str
    labels: tuple[tuple[str, str], ...]
    pattern: Pattern
    usages: tuple[Usage, ...]
    stepped: bool  # read now and at an offset: its main knob has a "before" value
    copy_label: str | None = None  # counted by count(): copies differ in this label

    @property
    def knobs(self) -> tuple[Knob, ...]:
        own = self.pattern.knobs()
        extra = [Knob(PRESENT, 1.0, low=0.0, high=1.0, integer=True)]
        if self.stepped:
            main = own[0]
            extra.append(Knob(BEFORE, main.default, main.low, main.high, main.integer))
        if self.copy_label:
            extra.append(Knob(COPIES, 1.0, low=0.0, high=MAX_COPIES, integer=True))
        return (*own, *extra)

    def copy_labels(self, k: int) -> dict[str, str]:
        """The labels of copy k (1 is the series itself)."""
        labels = dict(self.labels)
        if k > 1 and self.copy_label:
            labels[self.copy_label] = _copy_value(labels.get(self.copy_label, ""), k)
        return labels

    def knob_id(self, name: str) -> str:
        return f"{self.number}.{name}"

    @property
    def main(self) -> str:
        return self.knob_id(self.pattern.knobs()[0].name)

    def knob(self, knob_id: str) -> Knob:
        name = knob_id.split(".", 1)[1]
        return next(k for k in self.knobs if k.name == name)

    @property
    def selector(self) -> str:
        inner = ", ".join(f"{k}={_quote(v)}" for k, v in self.labels)
        return f"{self.name}{{{inner}}}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _labels_for(usage: Usage) -> tuple[str, dict[str, str]]:
    """The metric name and labels that satisfy one selector's matchers."""
    by_label: dict[str, list[tuple[str, str]]] = {}
    for label, op, value in usage.matchers:
        by_label.setdefault(label, []).append((op, value))
    names = by_label.pop("__name__", [])
    name = usage.name or labelvalues.example(names, "promrules_metric")
    if not name:
        raise LeafError(f"no metric name satisfies the selector's __name__ matchers ({usage})")
    labels: dict[str, str] = {}
    defaults = dict(DEFAULT_LABELS)
    for label in sorted(set(by_label) | set(defaults)):
        chosen = labelvalues.example(by_label.get(label, []), defaults.get(label))
        if chosen is None:
            shown = " and ".join(f"{label}{op}{v!r}" for op, v in by_label[label])
            raise LeafError(f"no label value satisfies {shown}")
        if chosen:
            labels[label] = chosen
    return name, labels


_LABEL_KEEPING = ("topk", "bottomk", "limitk", "limit_ratio")


def _survives(label: str, aggregations: Sequence[tuple[str, str, tuple[str, ...]]]) -> bool:
    """Whether a label comes out of these aggregations (innermost first)."""
    for op, kind, labels in aggregations:
        if op in _LABEL_KEEPING:
            continue
        if (kind == "without") == (label in labels):
            return False
    return True


def _reaches(label: str, source: Usage, target: Usage) -> bool:
    """Whether `source` still carries the label where it meets `target`.

    The aggregations both share (the outermost, equal on both) sit above the
    operator that joins them; only the source's own ones can drop the label.
    `node_load1 / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"})`
    must not give node_load1 a `mode`, or the two never match.
    """
    own, other = list(source.aggregations), list(target.aggregations)
    while own and other and own[-1] == other[-1]:
        own.pop()
        other.pop()
    return _survives(label, own)


def _propagate(groups: list[tuple[str, dict[str, str], list[Usage]]]) -> None:
    """Give every metric the labels other metrics are selected by (`code=~"5.."` -> "5xx",
    `container!=""` -> "promrules"), where they still carry them at the join.

    Different metrics then match one to one. A metric read twice (errors
    `x{code=~"5.."}` and all `x`) keeps its two series apart instead: the
    wider selector's series gets a value the narrower one rejects, so the
    narrower selector reads only its own series.
    """
    wanted: dict[str, tuple[str, list[Usage]]] = {}
    for _name, labels, usages in groups:
        for usage in usages:
            for label, _op, _value in usage.matchers:
                # A negative matcher that no empty value passes (`container!=""`)
                # demands the label too: the partners must carry it to match.
                if labels.get(label) and label not in ("__name__", "le"):
                    value, sources = wanted.setdefault(label, (labels[label], []))
                    if value == labels[label]:
                        sources.append(usage)
    for name, labels, usages in groups:
        own = {m[0] for u in usages for m in u.matchers}
        siblings = [g for g in groups if g[0] == name and g[1] is not labels]
        for _sname, _slabels, susages in siblings:
            for usage in susages:
                for label, op, value in usage.matchers:
                    if label in own or label in ("__name__", "le") or op not in ("!=", "!~"):
                        continue
                    rejected = value if op == "!=" else labelvalues.example([("=~", value)])
                    if rejected:
                        labels[label] = rejected
        for label, (value, sources) in wanted.items():
            if label in own or siblings:
                continue
            if not any(_reaches(label, s, t) for s in sources for t in usages):
                continue
            if label not in labels or labels[label] == dict(DEFAULT_LABELS).get(label):
                labels[label] = value


def _copy_value(value: str, k: int) -> str:
    return f"{value}-{k}" if value else str(k)


def _copy_label(usages: Sequence[Usage], labels: dict[str, str]) -> str | None:
    """The label that tells copies of a counted series apart; None when nothing counts it.

    `count(x) by (a)` counts series: copies differ in a label of their own.
    `count(count by (version) (x))` counts groups: copies differ in `version`.
    A label is only used when every copy still passes the selectors' matchers.
    """

    def passes(label: str) -> bool:
        for usage in usages:
            for name, op, expected in usage.matchers:
                if name != label:
                    continue
                for k in (2, 3):
                    value = _copy_value(labels.get(label, ""), k)
                    if not labelvalues.satisfies(op, expected, value):
                        return False
        return True

    for usage in usages:
        aggregations = usage.aggregations
        counts = [n for n, a in enumerate(aggregations) if a[0] in ("count", "count_values")]
        if not counts:
            continue
        outer = [n for n in counts if n > 0]
        if outer and aggregations[0][1] == "by":
            _op, outer_kind, outer_labels = aggregations[outer[0]]
            kept = set(outer_labels) if outer_kind == "by" else set()
            candidates = [
                label
                for label in aggregations[0][2]
                if label not in kept and label != "le" and passes(label)
            ]
            dropped = set(outer_labels) if outer_kind == "without" else set()
            candidates.sort(key=lambda label: (label not in dropped, label in dict(DEFAULT_LABELS)))
            if candidates:
                return candidates[0]
        return COPY_LABEL
    return None


def selects(usage: Usage, leaf: Leaf) -> bool:
    """Whether a selector reads the leaf's series (an absent label reads as "")."""
    name = usage.name
    labels = {**dict(leaf.labels), "__name__": leaf.name}
    if name is not None and name != leaf.name:
        return False
    return all(
        labelvalues.satisfies(op, value, labels.get(label, ""))
        for label, op, value in usage.matchers
    )


def build_leaves(usages: Sequence[Usage]) -> list[Leaf]:
    """One leaf per distinct synthetic series the selectors need (raises LeafError)."""
    by_selector: dict[tuple[object, ...], list[Usage]] = {}
    for usage in usages:
        key = (usage.name, tuple(sorted(usage.matchers)))
        by_selector.setdefault(key, []).append(usage)
    groups = []
    for selector_usages in by_selector.values():
        name, labels = _labels_for(selector_usages[0])
        groups.append((name, labels, selector_usages))
    _propagate(groups)
    merged: dict[tuple[object, ...], tuple[str, dict[str, str], list[Usage]]] = {}
    for name, labels, selector_usages in groups:
        series_key: tuple[object, ...] = (name, tuple(sorted(labels.items())))
        if series_key in merged:
            merged[series_key][2].extend(selector_usages)
        else:
            merged[series_key] = (name, labels, list(selector_usages))
    leaves = []
    for number, (name, labels, leaf_usages) in enumerate(merged.values()):
        offsets = {u.offset_ms for u in leaf_usages}
        leaves.append(
            Leaf(
                number=number,
                name=name,
                labels=tuple(sorted(labels.items())),
                pattern=pattern_for(leaf_usages),
                usages=tuple(leaf_usages),
                stepped=len(offsets) > 1,
                copy_label=_copy_label(leaf_usages, labels),
            )
        )
    return leaves


def knob_value(schedule: Schedule, leaf: Leaf, name: str, t: int) -> float:
    """A knob's value at time t, from its schedule (its default where it has none)."""
    entries = schedule.get(leaf.knob_id(name))
    if not entries:
        return leaf.knob(leaf.knob_id(name)).default
    value = entries[0][1]
    for start, entry in entries:
        if t >= start:
            value = entry
    return value


def _present(values: list[Value], present: list[bool]) -> list[Value]:
    """Missing samples while absent, with a stale marker where a series disappears."""
    out: list[Value] = []
    shown = False
    for value, here in zip(values, present, strict=True):
        if here and value is not None and not (isinstance(value, float) and math.isnan(value)):
            out.append(value)
            shown = True
        elif here:
            out.append(value)
        else:
            out.append(STALE if shown else None)
            shown = False
    return out


def input_series(
    leaves: Sequence[Leaf],
    schedule: Schedule,
    times: Sequence[int],
    period_ms: int,
    interval_ms: int,
    restarts: Sequence[int] = (0,),
) -> list[tuple[str, str]]:
    """promtool input_series entries (selector, values) for samples at `times`.

    `times` are multiples of `interval_ms` apart; the slots in between are
    written as missing samples.
    """
    entries = []
    for leaf in leaves:

        def at(name: str, t: int, leaf: Leaf = leaf) -> float:
            return knob_value(schedule, leaf, name, t)

        context = Context(period_ms, leaf.usages, tuple(restarts))
        family = leaf.pattern.values(at, times, context)
        copies = [int(at(COPIES, t)) if leaf.copy_label else 1 for t in times]
        distinct = any(u.reads_through("count_values") for u in leaf.usages)
        for k in range(1, max(copies, default=1) + 1):
            present = [at(PRESENT, t) >= 0.5 and n >= k for t, n in zip(times, copies, strict=True)]
            for extra, values in family.items():
                labels = leaf.copy_labels(k)
                labels.update(extra)
                if distinct:
                    values = _apart(values, k)
                shown = _present(list(values), present)
                entry = _entry(leaf.name, labels, times, shown, interval_ms)
                if entry:
                    entries.append(entry)
    return entries


def _apart(values: Sequence[Value], k: int) -> list[Value]:
    """Copy k of a series counted by count_values(): its own value (k - 1 above the first).

    count_values() counts distinct values, which copies of one value do not give.
    """
    return [v + (k - 1) if isinstance(v, float) and math.isfinite(v) else v for v in values]


def _entry(
    name: str, labels: dict[str, str], times: Sequence[int], values: list[Value], interval_ms: int
) -> tuple[str, str] | None:
    """One input_series entry, with missing slots between the samples (None: no samples)."""
    inner = ", ".join(f"{k}={_quote(v)}" for k, v in sorted(labels.items()))
    slots: list[Value] = []
    for t, value in zip(times, values, strict=True):
        while len(slots) < t // interval_ms:
            slots.append(None)
        slots.append(value)
    while slots and slots[-1] is None:
        slots.pop()
    return (f"{name}{{{inner}}}", format_notation(slots)) if slots else None
