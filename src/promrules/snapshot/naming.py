"""Names of derived items, known from the rule alone: no derivation, no promtool.

An item is `<case>` for an alert with one tested condition and
`<case>[condN]` when there are several (N counts the tested conditions in
the order the expression has them). The condition's PromQL goes into the
messages, not the name: a threshold edit keeps every name, so `--lf`,
`-k` and review comments still find the same items. Because the names need
only a parse of the expression, live mode can list (and `--co` can show)
every item before anything is derived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from promrules.derive.conditions import find_conditions
from promrules.derive.context import DeriveError, build_context
from promrules.derive.engine import NO_CONDITION
from promrules.derive.model import CASE_KINDS
from promrules.derive.promql import ExprError, parse
from promrules.files.alerts import AlertDefinition

__all__ = [
    "CASE_NAMES",
    "NO_CONDITION",
    "PlannedAlert",
    "PlannedItem",
    "condition_numbers",
    "item_name",
    "planned_alert",
]

# What each derived case proves, as the reader would name it.
CASE_NAMES = {
    "beyond": "fires-after-for",
    "short": "quiet-short-of-threshold",
    "exact": "at-threshold",
    "clears": "resolves-after-clearing",
}


def item_name(kind: str | None, number: int | None, several: bool) -> str:
    """`fires-after-for`, or `fires-after-for[cond2]` when the alert tests several conditions."""
    base = CASE_NAMES.get(kind or "", "derive")
    return f"{base}[cond{number}]" if several and number is not None else base


def _tested_labels(expr: str) -> list[str]:
    try:
        return [c.label for c in find_conditions(parse(expr)) if c.testable]
    except ExprError:
        return []


def condition_numbers(expr: str, seen: Sequence[str] = ()) -> dict[str, int]:
    """Each tested condition's number (from 1, in expression order), by its PromQL text.

    `seen` are condition texts derivation reported; one the expression does
    not show (it should not happen) is numbered after the others.
    """
    numbers: dict[str, int] = {}
    for label in [*_tested_labels(expr), *seen]:
        numbers.setdefault(label, len(numbers) + 1)
    return numbers


@dataclass(frozen=True)
class PlannedItem:
    name: str
    kind: str | None  # None: the alert as a whole (`derive`)
    condition: str | None  # the condition's PromQL, for messages


@dataclass(frozen=True)
class PlannedAlert:
    """The items an alert will have, and the reason when nothing can be derived."""

    items: tuple[PlannedItem, ...]
    problem: str | None = None  # known without promtool: the `derive` item skips with it


def planned_alert(
    rule: AlertDefinition, interval_ms: int, siblings: Sequence[AlertDefinition] = ()
) -> PlannedAlert:
    """What derivation of `rule` will be shown as, from its parse and plan only."""
    try:
        context = build_context(rule, interval_ms, siblings)
    except DeriveError as exc:
        return PlannedAlert((PlannedItem("derive", None, None),), str(exc))
    except Exception:  # derivation reports its own bug for this alert, at run time
        return PlannedAlert((PlannedItem("derive", None, None),))
    labels = [c.label for c in context.conditions if c.testable]
    if not labels:
        return PlannedAlert((PlannedItem("derive", None, None),), NO_CONDITION)
    numbers = condition_numbers(rule.expr, labels)
    several = len(numbers) > 1
    seen: dict[str, int] = {}
    items = []
    for label in labels:  # a condition written twice: its second cases are `...#2`
        for kind in CASE_KINDS:
            name = item_name(kind, numbers[label], several)
            seen[name] = seen.get(name, 0) + 1
            name = name if seen[name] == 1 else f"{name}#{seen[name]}"
            items.append(PlannedItem(name, kind, label))
    return PlannedAlert(tuple(items))
