"""The text of a generated test file, and reading back what its header records.

A generated file is a plain promtool test file: bare `promtool test rules`
runs it. Above the YAML, comment lines record what promrules needs later:
the rule file it was derived from, each alert's signature (to name what
changed) and each case that could not be derived (to say why). Groups are
named `Alert: item-name`, so the same names show in promtool's output, in
pytest ids and in reviews.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promrules.derive.model import AlertDerivation, DerivedCase
from promrules.files.alerts import AlertDefinition
from promrules.files.durations import format_duration
from promrules.snapshot.naming import CASE_NAMES, condition_numbers, item_name
from promrules.snapshot.signature import AlertSignature

__all__ = [
    "CASE_NAMES",
    "MARKER",
    "CaseEntry",
    "GapEntry",
    "Header",
    "derived_entries",
    "is_generated",
    "read_header",
    "render",
]

MARKER = "# promrules-generated-from: "
_SIGNATURE = "# promrules-alert: "
_GAP = "# promrules-not-derived: "


@dataclass(frozen=True)
class CaseEntry:
    alert: str
    item: str  # e.g. "fires-after-for", or "fires-after-for[cond2]" when there are several
    case: DerivedCase


@dataclass(frozen=True)
class GapEntry:
    alert: str
    item: str
    reason: str
    applies: bool  # False: the case has no meaning for this condition (not a miss)

    def to_json(self) -> str:
        data = {"alert": self.alert, "item": self.item, "reason": self.reason}
        return json.dumps({**data, "applies": self.applies}, ensure_ascii=False)


def derived_entries(derivation: AlertDerivation) -> tuple[list[CaseEntry], list[GapEntry]]:
    """The alert's cases and gaps, each with the item name it is shown under.

    Names come from `naming`, as live mode plans them before deriving.
    """
    seen_conditions = [c.condition for c in derivation.cases]
    seen_conditions += [g.condition for g in derivation.not_derived if g.condition]
    numbers = condition_numbers(derivation.expr, seen_conditions)
    several = len(numbers) > 1
    seen: dict[str, int] = {}

    def unique(name: str) -> str:
        seen[name] = seen.get(name, 0) + 1
        return name if seen[name] == 1 else f"{name}#{seen[name]}"

    def name(kind: str | None, condition: str | None) -> str:
        number = numbers.get(condition) if condition else None
        return unique(item_name(kind, number, several))

    cases = [CaseEntry(derivation.label, name(c.kind, c.condition), c) for c in derivation.cases]
    gaps = [
        GapEntry(derivation.label, name(g.kind, g.condition), g.reason, g.applies)
        for g in derivation.not_derived
    ]
    return cases, gaps


def group_name(alert: str, item: str) -> str:
    return f"{alert}: {item}"


def _dump(data: Any) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, width=1 << 20, allow_unicode=True
    )


def render(
    rules: Sequence[AlertDefinition],
    derivations: Sequence[AlertDerivation],
    rule_file: Path,
    out_path: Path,
    extra_gaps: Iterable[GapEntry] = (),
) -> str:
    """The generated file for one rule file (derivations in rule-file order)."""
    relative = Path(os.path.relpath(rule_file.resolve(), out_path.resolve().parent)).as_posix()
    intervals = {d.evaluation_interval_ms for d in derivations} or {60_000}
    if len(intervals) > 1:
        raise ValueError(f"{rule_file}: derivations use several evaluation intervals")
    lines = [
        f"# Boundary tests derived from {relative} by promrules.",
        "# Generated: edit the rules, not this file. Regenerate with `promrules generate`",
        "# (or `pytest --promrules-update`); bare `promtool test rules` runs it as it is.",
        f"{MARKER}{relative}",
    ]
    lines += [f"{_SIGNATURE}{AlertSignature.of(rule).to_json()}" for rule in rules]
    entries = [derived_entries(d) for d in derivations]
    excluded = {(g.alert, g.item) for g in extra_gaps}
    gaps = [g for _cases, found in entries for g in found] + list(extra_gaps)
    lines += [f"{_GAP}{gap.to_json()}" for gap in gaps]
    head = {
        "rule_files": [relative],
        "evaluation_interval": format_duration(intervals.pop()),
    }
    lines.append(_dump(head).rstrip("\n"))
    lines.append("tests:")
    for cases, _gaps in entries:
        for entry in cases:
            if (entry.alert, entry.item) in excluded:
                continue
            group = {"name": group_name(entry.alert, entry.item), **_without_name(entry.case.group)}
            lines.append(f"# {entry.alert} {entry.item}: {_case_comment(entry)}")
            lines.append(_dump([group]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _case_comment(entry: CaseEntry) -> str:
    """What the case proves; with its condition's PromQL when the name only numbers it."""
    summary = " ".join(entry.case.summary.split())
    if "[cond" not in entry.item:
        return summary
    return f"`{' '.join(entry.case.condition.split())}`: {summary}"


def _without_name(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != "name"}


@dataclass
class Header:
    """What a generated file's comment lines record."""

    source: str  # the rule file, relative to the generated file
    signatures: dict[str, AlertSignature] = field(default_factory=dict)
    gaps: list[GapEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # damaged records, with line numbers


def is_generated(path: Path) -> bool:
    """Does the file carry the marker? Read from its first lines only."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return any(line.startswith(MARKER) for _, line in zip(range(8), handle, strict=False))
    except OSError:
        return False


def read_header(path: Path) -> Header | None:
    """The header of a generated file, or None when the file has no marker."""
    header: Header | None = None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            text = line.rstrip("\n")
            if text.startswith(MARKER):
                header = Header(source=text[len(MARKER) :].strip())
            elif header is None:
                continue
            elif text.startswith(_SIGNATURE):
                try:
                    signature = AlertSignature.from_json(text[len(_SIGNATURE) :])
                except ValueError as exc:
                    header.problems.append(f"line {number}: damaged alert record: {exc}")
                else:
                    header.signatures[signature.alert] = signature
            elif text.startswith(_GAP):
                try:
                    data = json.loads(text[len(_GAP) :])
                    header.gaps.append(
                        GapEntry(
                            str(data["alert"]),
                            str(data["item"]),
                            str(data["reason"]),
                            bool(data["applies"]),
                        )
                    )
                except (ValueError, KeyError, TypeError) as exc:
                    header.problems.append(f"line {number}: damaged not-derived record: {exc}")
    return header
