"""What derivation hands back: per alert, its cases and what could not be derived.

Plain frozen data, so the pytest plugin, the CLI and the snapshot writer can
all consume it. An alert is never dropped: when nothing could be derived,
`not_derived` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["CASE_KINDS", "AlertDerivation", "CaseKind", "DerivedCase", "Gap"]

CaseKind = Literal["beyond", "short", "exact", "clears"]
CASE_KINDS: tuple[CaseKind, ...] = ("beyond", "short", "exact", "clears")


@dataclass(frozen=True)
class DerivedCase:
    """One boundary case of one condition: a promtool test group, ready for YAML."""

    alert: str
    kind: CaseKind
    condition: str  # the comparison under test, as written in PromQL
    summary: str  # one line: the signal's value and when the alert is pending/firing
    group: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.group["name"])


@dataclass(frozen=True)
class Gap:
    """A case (or a whole alert, when `condition` is None) that was not derived, and why.

    `applies` is False for cases that have no meaning for the condition (there
    is nothing "just short of 0" for a counter's rate): those are not failures.
    """

    condition: str | None
    kind: str | None
    reason: str
    applies: bool = True

    def render(self) -> str:
        where = f"`{self.condition}`" if self.condition else "the alert"
        what = f"{self.kind} case of {where}" if self.kind else where
        verb = "does not apply" if not self.applies else "was not derived"
        return f"{what} {verb}: {self.reason}"


@dataclass(frozen=True)
class AlertDerivation:
    """Everything derived for one alerting rule."""

    alert: str
    file: Path
    line: int
    expr: str
    evaluation_interval_ms: int
    cases: tuple[DerivedCase, ...]
    not_derived: tuple[Gap, ...] = ()
    patterns: tuple[str, ...] = ()
    shared_name: bool = False  # another alerting rule of the file has the same name

    @property
    def label(self) -> str:
        """The alert's name, with its place when another rule shares it: `X (r.yml:12)`."""
        return f"{self.alert} ({self.file.name}:{self.line})" if self.shared_name else self.alert

    @property
    def failures(self) -> tuple[Gap, ...]:
        return tuple(gap for gap in self.not_derived if gap.applies)

    @property
    def complete(self) -> bool:
        """Every applicable case of every tested condition was derived."""
        return bool(self.cases) and not self.failures
