"""What changed in the alert rules between two revisions, in the terms a reviewer asks about.

A line diff of a rule file shows `90` becoming `85`; a reviewer wants to
know that HighCPU now fires at 85, sooner than before. So alerts are
matched by name (or, for a rename, by the same expr, `for` and labels),
and expressions are compared as ASTs: when two differ only in the
constant side or operator of their comparisons, that is a threshold
change, said in words; anything else is an expression change.

The firing point is said here in words ("now fires when x > 85 (was > 90)");
diff_firing adds when the alert fires, derived by promtool for both revisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from promrules.derive.comparisons import (
    Comparison,
    ExprError,
    Node,
    Signature,
    comparisons,
    parse,
    preorder,
    signature,
)
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration
from promrules.files.model import is_rule_file

__all__ = [
    "Alert",
    "AlertDiff",
    "Change",
    "DiffError",
    "diff_alerts",
    "read_alerts",
]


class DiffError(Exception):
    """A revision, folder or file the diff cannot read; says which."""


@dataclass(frozen=True)
class Alert:
    """An alerting rule as written: every value a string."""

    name: str
    path: str
    expr: str
    for_: str | None = None
    keep_firing_for: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    place: tuple[int, int] = field(default=(-1, -1), compare=False)  # (group, rule) in its file


@dataclass(frozen=True)
class Change:
    """One changed aspect of an alert; `note` says what it means for when it fires."""

    kind: str  # threshold, operator, expr, for, keep_firing_for, label, annotation, file, firing
    key: str  # the label or annotation name; "" otherwise
    old: str | None
    new: str | None
    note: str = ""


@dataclass(frozen=True)
class AlertDiff:
    added: tuple[Alert, ...] = ()
    removed: tuple[Alert, ...] = ()
    renamed: tuple[tuple[Alert, Alert, tuple[Change, ...]], ...] = ()
    changed: tuple[tuple[Alert, Alert, tuple[Change, ...]], ...] = ()
    ignored: tuple[str, ...] = ()  # YAML files that are not rule files

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed)


def _mapping(node: yaml.Node | None) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): yn.scalar(v) or "" for k, v in node.value}


def read_alerts(files: dict[str, str], where: str) -> tuple[dict[str, Alert], list[str]]:
    """The alerts of rule files given as {path: text}, by name; and the non-rule files."""
    alerts: dict[str, Alert] = {}
    ignored = []
    for path, text in sorted(files.items()):
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise DiffError(f"{path} ({where}): invalid YAML: {exc}") from exc
        if not is_rule_file(root):
            ignored.append(path)
            continue
        for g, group in enumerate(yn.sequence(yn.get(root, "groups"))):
            for r, rule in enumerate(yn.sequence(yn.get(group, "rules"))):
                name = yn.scalar(yn.get(rule, "alert"))
                if name is None:
                    continue
                key, n = name, 1
                while key in alerts:  # a repeated name: HighCPU, HighCPU#2
                    n += 1
                    key = f"{name}#{n}"
                alerts[key] = Alert(
                    name,
                    path,
                    yn.scalar(yn.get(rule, "expr")) or "",
                    yn.scalar(yn.get(rule, "for")),
                    yn.scalar(yn.get(rule, "keep_firing_for")),
                    _mapping(yn.get(rule, "labels")),
                    _mapping(yn.get(rule, "annotations")),
                    (g, r),
                )
    return alerts, ignored


def _canonical(expr: str) -> str:
    try:
        return str(parse(expr))
    except ExprError:
        return " ".join(expr.split())


def _ms(text: str | None) -> int:
    try:
        return parse_duration(text) if text else 0
    except DurationError:
        return -1


def _same_rule(a: Alert, b: Alert) -> bool:
    """Same expr, `for` and labels: a rename when only the name differs."""
    return (
        _canonical(a.expr) == _canonical(b.expr)
        and _ms(a.for_) == _ms(b.for_)
        and a.labels == b.labels
    )


def _skeleton(root: Node) -> list[Signature]:
    """The shape with every comparison's operator and constant side blanked out."""
    nodes = preorder(root)
    shape: list[Signature | None] = [None] * len(nodes)
    blank: set[int] = set()
    for comparison in comparisons(root):
        kind, _op, modifier, arity = signature(nodes[comparison.index])
        shape[comparison.index] = (kind, "?", modifier, arity)
        if comparison.constant is not None:
            node = nodes[comparison.index]
            side_start = comparison.index + 1
            if comparison.constant == "rhs":
                side_start += len(preorder(node.lhs))
            side = node.rhs if comparison.constant == "rhs" else node.lhs
            shape[side_start] = ("threshold",)
            blank.update(range(side_start + 1, side_start + len(preorder(side))))
    return [
        entry if entry is not None else signature(nodes[n])
        for n, entry in enumerate(shape)
        if n not in blank
    ]


_RAISES = {">": True, ">=": True, "<": False, "<=": False}


def _firing_note(old: Comparison, new: Comparison) -> str:
    if new.threshold_text is None:
        return ""
    note = f"now fires when {new.condition} (was {old.normal_op} {old.threshold_text})"
    upward = _RAISES.get(new.normal_op)
    if upward is None or new.normal_op != old.normal_op:
        return note
    if old.threshold is None or new.threshold is None or old.threshold == new.threshold:
        return note
    sooner = (new.threshold < old.threshold) == upward
    side = "lower" if new.threshold < old.threshold else "higher"
    return f"{note}: {'sooner' if sooner else 'later'}, from {side} values on"


def _expr_changes(old: Alert, new: Alert) -> Iterator[Change]:
    if _canonical(old.expr) == _canonical(new.expr):
        return
    try:
        before, after = parse(old.expr), parse(new.expr)
    except ExprError:
        yield Change("expr", "", old.expr.strip(), new.expr.strip())
        return
    if _skeleton(before) != _skeleton(after):
        yield Change("expr", "", old.expr.strip(), new.expr.strip())
        return
    for a, b in zip(comparisons(before), comparisons(after), strict=True):
        if a.threshold_text == b.threshold_text and a.op == b.op:
            continue
        kind = "operator" if a.threshold_text == b.threshold_text else "threshold"
        yield Change(kind, "", a.condition, b.condition, _firing_note(a, b))


def _duration_change(kind: str, old: str | None, new: str | None) -> Iterator[Change]:
    if _ms(old) == _ms(new):
        return
    if kind == "for":
        if not _ms(new):
            note = f"now fires as soon as the condition holds (was after {old})"
        elif not _ms(old):
            note = f"now fires once the condition has held for {new} (was at once)"
        else:
            note = f"now fires once the condition has held for {new} (was {old})"
    else:
        note = f"now keeps firing for {new or '0s'} after the condition clears (was {old or '0s'})"
    yield Change(kind, "", old, new, note)


def _mapping_changes(kind: str, old: dict[str, str], new: dict[str, str]) -> Iterator[Change]:
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            yield Change(kind, key, old.get(key), new.get(key))


def changes(old: Alert, new: Alert) -> tuple[Change, ...]:
    found = list(_expr_changes(old, new))
    found += _duration_change("for", old.for_, new.for_)
    found += _duration_change("keep_firing_for", old.keep_firing_for, new.keep_firing_for)
    found += _mapping_changes("label", old.labels, new.labels)
    found += _mapping_changes("annotation", old.annotations, new.annotations)
    if old.path != new.path:
        found.append(Change("file", "", old.path, new.path))
    return tuple(found)


def diff_alerts(base: dict[str, Alert], head: dict[str, Alert]) -> AlertDiff:
    """Added, removed, renamed and changed alerts from `base` to `head`."""
    removed = [base[k] for k in base if k not in head]
    added = [head[k] for k in head if k not in base]
    renamed = []
    for old in list(removed):
        match = next((new for new in added if _same_rule(old, new)), None)
        if match is not None:
            removed.remove(old)
            added.remove(match)
            renamed.append((old, match, changes(old, match)))
    changed = []
    for key in (k for k in base if k in head):
        found = changes(base[key], head[key])
        if found:
            changed.append((base[key], head[key], found))
    return AlertDiff(tuple(added), tuple(removed), tuple(renamed), tuple(changed))
