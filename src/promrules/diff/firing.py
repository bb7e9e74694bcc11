"""When a changed alert starts firing, before and after, as derived by promtool.

A changed threshold or `for:` moves the moment an alert fires, and a reviewer
wants that moment, not a reading of PromQL. promrules.derive already finds it:
its "beyond" case of each condition puts the signal just past the threshold
and records when the alert turns pending and when it fires. So each changed
alert is derived twice, as it is at the base revision and at the head, each
alone in a temporary rule file (its group's settings kept), and the two
firing points are compared. What derive cannot derive is said, with its
reason; the textual change is printed either way.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import zip_longest
from pathlib import Path

import yaml

from promrules.derive import AlertDerivation, DerivedCase, derive_rule_files
from promrules.diff.changes import Alert, AlertDiff, Change
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.promtool.binary import Promtool, PromtoolError

__all__ = ["DERIVED_KINDS", "FiringPoint", "firing_points", "with_firing_points"]

# The changes that move when an alert fires, and so are worth deriving.
DERIVED_KINDS = ("threshold", "operator", "for")
_SIGNAL = re.compile(r"signal at (?P<value>.+?) \((?P<test>[^()]*)\):")


@dataclass(frozen=True)
class FiringPoint:
    """When one condition's alert fires: the input that holds it, and the delays.

    `onset_ms` is the first evaluation where the condition holds (the alert
    turns pending, or fires at once without `for:`); `firing_ms` when it fires.
    """

    condition: str  # as written in PromQL, e.g. `cpu > 85`
    test: str  # the comparison alone, e.g. `> 85`; the condition when unknown
    value: str | None  # the signal's value in the derived case, e.g. `85.1`
    onset_ms: int
    firing_ms: int

    @property
    def delay_ms(self) -> int:
        return self.firing_ms - self.onset_ms

    @property
    def delay(self) -> str:
        if self.delay_ms <= 0:
            return "at the first evaluation where the condition holds"
        return f"{format_duration(self.delay_ms)} after the condition first holds"


def _ms(text: object) -> int | None:
    try:
        return parse_duration(str(text))
    except DurationError:
        return None


def _first(tests: object, wanted: str, pending: bool) -> int | None:
    """The first eval_time at which a test of `tests` expects something."""
    for test in tests if isinstance(tests, list) else []:
        if not isinstance(test, dict) or not test.get(wanted):
            continue
        if pending and 'alertstate="pending"' not in str(test.get("expr", "")):
            continue
        return _ms(test.get("eval_time"))
    return None


def firing_point(case: DerivedCase) -> FiringPoint | None:
    """The firing point a derived "beyond" case shows; None if it shows no firing."""
    group = case.group
    firing = _first(group.get("alert_rule_test"), "exp_alerts", pending=False)
    if firing is None:
        return None
    pending = _first(group.get("promql_expr_test"), "exp_samples", pending=True)
    found = _SIGNAL.search(case.summary)
    value, test = (found["value"], found["test"]) if found else (None, case.condition)
    onset = pending if pending is not None and pending <= firing else firing
    return FiringPoint(case.condition, test, value, onset, firing)


def firing_points(derivation: AlertDerivation) -> list[FiringPoint] | str:
    """One firing point per tested condition, or why none could be derived."""
    points = []
    for case in derivation.cases:
        if case.kind == "beyond":
            point = firing_point(case)
            if point is not None:
                points.append(point)
    if points:
        return points
    gaps = [g for g in derivation.failures if g.kind in (None, "beyond")] or derivation.failures
    if not gaps:
        return "no derived case shows the alert firing"
    return f"`{gaps[0].condition}`: {gaps[0].reason}" if gaps[0].condition else gaps[0].reason


def _rule_file(text: str, alert: Alert) -> str | None:
    """A rule file that holds only `alert`'s rule, in a copy of its group."""
    try:
        root = yaml.safe_load(text)
        group = dict(root["groups"][alert.place[0]])
        rule = group["rules"][alert.place[1]]
    except (yaml.YAMLError, KeyError, IndexError, TypeError):
        return None
    if not isinstance(rule, dict) or rule.get("alert") != alert.name:
        return None
    group["rules"] = [rule]
    return yaml.safe_dump({"groups": [group]}, sort_keys=False)


def _describe_pair(old: FiringPoint | str | None, new: FiringPoint | str | None) -> str:
    if not isinstance(new, FiringPoint):
        was = ""
        if isinstance(old, FiringPoint):
            was = f" (before: fired when {old.condition}, {old.delay})"
        return f"not derived: {new or 'no matching condition'}{was}"
    if not isinstance(old, FiringPoint):
        before = f"not derived: {old}" if old else "no matching condition"
        return f"fires when {new.condition}, firing {new.delay} (before: {before})"
    if old.condition == new.condition:
        where = f"fires when {new.condition} (unchanged)"
    else:
        where = f"fires when {new.condition} (was {old.test})"
    if old.delay_ms == new.delay_ms:
        when = f"firing {new.delay} (unchanged)"
    else:
        was = format_duration(old.delay_ms) if old.delay_ms > 0 else "at once"
        when = f"firing {new.delay} (was {was})"
    note = f"{where}, {when}"
    if new.value is not None:
        was = f" (was {old.value})" if old.value not in (None, new.value) else ""
        note += f"; derived with the signal at {new.value}{was}"
    return note


def _notes(old: list[FiringPoint] | str, new: list[FiringPoint] | str) -> Iterator[str]:
    if isinstance(new, str):
        was = old[0] if isinstance(old, list) and len(old) == 1 else None
        yield _describe_pair(was, new)
        return
    olds: Sequence[FiringPoint | str | None] = old if isinstance(old, list) else [old] * len(new)
    pairs = list(zip_longest(olds, new))
    moved = [(a, b) for a, b in pairs if not (isinstance(a, FiringPoint) and a == b)]
    for a, b in moved or pairs[:1]:
        if b is not None:
            yield _describe_pair(a, b)


def _wanted(diff: AlertDiff) -> list[tuple[Alert, Alert]]:
    pairs = [*diff.changed, *((old, new, cs) for old, new, cs in diff.renamed)]
    return [
        (old, new)
        for old, new, changes in pairs
        if any(change.kind in DERIVED_KINDS for change in changes)
    ]


def _derive(
    pairs: list[tuple[Alert, Alert]],
    old_texts: dict[str, str],
    new_texts: dict[str, str],
    promtool: Promtool,
) -> dict[tuple[str, int], list[FiringPoint] | str]:
    """Firing points by (side, pair number), all derived in one shared run."""
    found: dict[tuple[str, int], list[FiringPoint] | str] = {}
    with tempfile.TemporaryDirectory(prefix="promrules-diff-") as scratch:
        files: dict[Path, tuple[str, int]] = {}
        for n, (old, new) in enumerate(pairs):
            for side, alert, texts in (("base", old, old_texts), ("head", new, new_texts)):
                text = _rule_file(texts.get(alert.path, ""), alert)
                if text is None:
                    found[(side, n)] = f"cannot read {alert.name} from {alert.path}"
                    continue
                path = Path(scratch) / side / f"{n}.yml"
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
                files[path] = (side, n)
        try:
            derived = derive_rule_files(list(files), promtool) if files else {}
        except (PromtoolError, yn.YamlError) as exc:
            return {key: str(exc) for key in [*files.values(), *found]}
        for path, derivations in derived.items():
            key = files[path]
            found[key] = firing_points(derivations[0]) if derivations else "no alert derived"
    return found


def with_firing_points(
    diff: AlertDiff,
    old_texts: dict[str, str],
    new_texts: dict[str, str],
    promtool: Promtool | PromtoolError,
) -> AlertDiff:
    """`diff` with a `firing` change added to every alert whose threshold, operator or for changed.

    `promtool` may be the error that locating it gave: each such alert then says so.
    """
    pairs = _wanted(diff)
    if not pairs:
        return diff
    points: dict[tuple[str, int], list[FiringPoint] | str]
    if isinstance(promtool, PromtoolError):
        points = {("head", n): f"no promtool: {promtool}" for n in range(len(pairs))}
    else:
        points = _derive(pairs, old_texts, new_texts, promtool)
    notes = {
        (id(old), id(new)): list(_notes(points.get(("base", n), ""), points[("head", n)]))
        for n, (old, new) in enumerate(pairs)
    }
    Entries = tuple[tuple[Alert, Alert, tuple[Change, ...]], ...]

    def add(entries: Entries) -> Entries:
        return tuple(
            (old, new, (*changes, *(Change("firing", "", None, None, note) for note in found)))
            for old, new, changes in entries
            for found in [notes.get((id(old), id(new)), [])]
        )

    return replace(diff, changed=add(diff.changed), renamed=add(diff.renamed))
