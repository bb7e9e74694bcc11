"""pytest nodes for derived boundary cases of a generated file (snapshot mode).

Live mode (`live_items`) shows the same tree: `<file>::<Alert>::<case>`, one
item per derived test group (`fires-after-for`, `quiet-short-of-threshold`,
`at-threshold`, `resolves-after-clearing`), plus an item per case that could
not be derived, which skips with the reason, so that no alert disappears
without a word. Here each alert is also compared with the signature the file
was generated from: a changed alert fails once, with what changed and how
to accept it, and its other cases skip with a pointer to that failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from promrules.coverage import CoverageReport
from promrules.engine.render import render_failure
from promrules.engine.results import CaseResult
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import format_duration
from promrules.files.model import Case, TestFile, TestGroup
from promrules.promtool.output import Failure
from promrules.pytest_plugin.live import LIVE
from promrules.pytest_plugin.plugin import (
    STATE,
    CaseItem,
    PromrulesError,
    PromrulesItem,
    _relative,
    _shown,
    _unique,
)
from promrules.snapshot import AlertSignature, describe_changes, read_header
from promrules.snapshot.document import GapEntry

__all__ = [
    "GeneratedTestFile",
    "NotDerivedItem",
    "alert_nodes",
    "combine",
    "format_failure",
    "record_coverage",
    "rule_labels",
    "shown_case",
]

ACCEPT = "`promrules generate` (or `pytest --promrules-update`)"


def _alert_of(group: TestGroup) -> str | None:
    for case in group.cases:
        if case.kind == "alert":
            return case.subject
    return None


def _item_name(group: TestGroup, alert: str) -> str:
    prefix = f"{alert}: "
    name = group.name or group.label
    return name[len(prefix) :] if name.startswith(prefix) else name


def rule_labels(rules: Sequence[AlertDefinition]) -> list[str]:
    """Each rule's node name: its alert name, with `(file:line)` when the name is shared."""
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.name] = counts.get(rule.name, 0) + 1
    return [
        rule.name if counts[rule.name] == 1 else f"{rule.name} ({rule.path.name}:{rule.line})"
        for rule in rules
    ]


def alert_nodes(
    parent: pytest.Collector,
    test_file: TestFile,
    rules: Sequence[AlertDefinition],
    gaps: Sequence[GapEntry],
    changes: dict[str, list[str]] | None = None,
    generated_from: dict[str, AlertSignature] | None = None,
) -> Iterator[pytest.Collector]:
    """One node per alert of the rule file (in its order), holding its derived items.

    Rules sharing a name (legal in Prometheus) are told apart by their place:
    node `X (r.yml:12)`, whose groups are named `X (r.yml:12): <case>`.
    """
    labels = rule_labels(rules)
    groups: dict[str, list[TestGroup]] = {}
    for group in test_file.groups:
        owner = next((lbl for lbl in labels if (group.name or "").startswith(f"{lbl}: ")), None)
        alert = owner if owner is not None else _alert_of(group)
        if alert is not None:
            groups.setdefault(alert, []).append(group)
    for rule, label in zip(rules, labels, strict=True):
        yield DerivedAlertNode.from_parent(
            parent,
            name=label,
            rule=rule,
            test_file=test_file,
            groups=groups.get(label, []),
            gaps=[g for g in gaps if g.alert == label],
            changes=(changes or {}).get(rule.name, []),
            missing=generated_from is not None and rule.name not in generated_from,
        )
    if generated_from is not None:
        current = {rule.name for rule in rules}
        for alert in generated_from:
            if alert not in current:
                yield RemovedAlertNode.from_parent(parent, name=alert)


class DerivedAlertNode(pytest.Collector):
    def __init__(
        self,
        *,
        rule: AlertDefinition,
        test_file: TestFile,
        groups: list[TestGroup],
        gaps: list[GapEntry],
        changes: list[str],
        missing: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.test_file = test_file
        self.groups = groups
        self.gaps = gaps
        self.changes = changes
        self.missing = missing

    def collect(self) -> Iterator[pytest.Item]:
        if self.missing:
            yield ProblemItem.from_parent(
                self,
                name="generated",
                problem=f"alert {self.rule.name} ({_shown(self.rule.path, self.config)}:"
                f"{self.rule.line}) has no generated cases in {_shown(self.path, self.config)}; "
                f"generate them with {ACCEPT}",
            )
            return
        names = _unique(_item_name(g, self.name) for g in self.groups)
        changed = ChangedAlert(self.rule, self.changes) if self.changes else None
        for group, name in zip(self.groups, names, strict=True):
            item = DerivedCaseItem.from_parent(
                self,
                name=name,
                test_file=self.test_file,
                group=group,
                case=shown_case(group),
                rule=self.rule,
                changed=changed,
            )
            if changed is not None:
                changed.items.append(item)
            yield item
        for gap in self.gaps:
            if not gap.applies:  # not a miss: recorded in the generated file's header
                continue
            yield NotDerivedItem.from_parent(self, name=gap.item, gap=gap, rule=self.rule)


class RemovedAlertNode(pytest.Collector):
    """An alert the generated file has cases for, which the rule file no longer defines."""

    def collect(self) -> Iterator[pytest.Item]:
        yield ProblemItem.from_parent(
            self,
            name="removed",
            problem=f"alert {self.name} is no longer in the rule file; its cases in "
            f"{_shown(self.path, self.config)} are stale: remove them with {ACCEPT}",
        )


def format_failure(failure: Failure) -> str:
    """A failure of a group item, with the evaluation time it happened at."""
    if failure.time_ms is None:
        return render_failure(failure)
    what = f" ({failure.subject})" if failure.subject else ""
    return f"at {format_duration(failure.time_ms)}{what}:\n{render_failure(failure)}"


def shown_case(group: TestGroup) -> Case:
    """The case that stands for a whole derived group (reports chart it): its last alert check."""
    alerts = [case for case in group.cases if case.kind == "alert"]
    return alerts[-1] if alerts else group.cases[0]


def combine(verdicts: list[CaseResult]) -> CaseResult:
    errors = [v for v in verdicts if v.status == "error"]
    if errors:
        return errors[0]
    failures = tuple(f for v in verdicts if v.status == "failed" for f in v.failures)
    if any(v.status == "failed" for v in verdicts):
        return CaseResult("failed", failures=failures, message="failed")
    return CaseResult("passed")


def record_coverage(
    coverage: CoverageReport, rule: AlertDefinition, group: TestGroup, name: str
) -> None:
    """A passed derived case counts for its alert's coverage."""
    alerts = [case for case in group.cases if case.kind == "alert"]
    for case in alerts:
        coverage.record(case.subject, firing=case.expected_alerts > 0)
    if not alerts and name.startswith(("fires", "resolves", "quiet")):
        # A rule sharing its name is checked through its ALERTS series only.
        coverage.record(rule.name, firing=not name.startswith("quiet"), line=rule.line)


class ChangedAlert:
    """An alert whose rule changed since its file was generated: one failure, not one per case.

    Its first selected item (the carrier) fails with what changed and every
    failure of the alert's selected cases; the others skip with a pointer to
    it. Choosing among the selected items keeps `-k` and `--lf` runs honest.
    """

    def __init__(self, rule: AlertDefinition, changes: list[str]) -> None:
        self.rule = rule
        self.changes = changes
        self.items: list[DerivedCaseItem] = []

    def selected(self, session: pytest.Session) -> list[DerivedCaseItem]:
        chosen = session.config.stash.get(_SELECTED, None)
        if chosen is None:
            chosen = session.config.stash[_SELECTED] = {id(i) for i in session.items}
        return [item for item in self.items if id(item) in chosen] or self.items

    def carrier(self, session: pytest.Session) -> DerivedCaseItem:
        return self.selected(session)[0]


_SELECTED = pytest.StashKey[set[int]]()  # ids of the session's selected items


class DerivedCaseItem(CaseItem):
    """One derived test group: every evaluation of it must pass."""

    def __init__(
        self, *, rule: AlertDefinition, changed: ChangedAlert | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.changed = changed

    def setup(self) -> None:
        if self.changed is not None:
            carrier = self.changed.carrier(self.session)
            if carrier is not self:
                pytest.skip(
                    f"{self.rule.name} changed since {_shown(self.path, self.config)} "
                    f"was generated: see {carrier.nodeid}"
                )
        result = self.state.test_file_result(self.test_file)
        self.verdict = combine([result.result_for(self.group, c) for c in self.group.cases])
        if self.verdict.status == "error" and self.changed is None:
            pytest.fail(self._message(), pytrace=False)

    def runtest(self) -> None:
        if self.changed is not None:
            raise PromrulesError(self._changed_message(self.changed))
        if self.verdict.status != "passed":
            raise PromrulesError(self._message())
        record_coverage(self.state.coverage, self.rule, self.group, self.name)

    @property
    def _line(self) -> int:
        """The line to cite in the generated file: the group's."""
        return self.group.line

    def _verdict_lines(self) -> list[str]:
        if self.verdict.status == "passed":
            return []
        return [format_failure(f) for f in self.verdict.failures] or [self.verdict.message]

    def _message(self) -> str:
        where = f"{_shown(self.path, self.config)}:{self._line}"
        lines = [f"{where}: {self.rule.name} {self.name} ({self.verdict.status})"]
        return _relative("\n".join(lines + self._verdict_lines()), self.config)

    def _changed_message(self, changed: ChangedAlert) -> str:
        """What changed, how to accept it, and how each selected case of the alert fares now."""
        rule_at = f"{_shown(self.rule.path, self.config)}:{self.rule.line}"
        lines = [
            f"{_shown(self.path, self.config)}:{self._line}: {self.rule.name} (changed)",
            f"{self.rule.name} ({rule_at}) changed since this file was generated: "
            + "; ".join(changed.changes),
            f"If the change is intended, accept it with {ACCEPT} and commit the regenerated file.",
        ]
        siblings = changed.selected(self.session)
        result = self.state.test_file_result(self.test_file)
        failing = []
        for item in siblings:
            verdicts = [result.result_for(item.group, c) for c in item.group.cases]
            item.verdict = combine(verdicts)
            if item.verdict.status != "passed":
                failing.append(item)
        names = ", ".join(item.name for item in failing)
        lines.append(
            f"Its {len(siblings)} generated case{'s' if len(siblings) != 1 else ''} against "
            f"the rule as it is now: {len(failing)} fail"
            + (f" ({names})" if failing else "")
            + ("; the others are skipped and point here" if len(siblings) > 1 else "")
        )
        for item in failing:
            where = f"{_shown(item.path, self.config)}:{item._line}"
            lines.append(f"{item.name} ({where}, {item.verdict.status}):")
            lines += item._verdict_lines()
        self.verdict = CaseResult("failed", message="changed since generated")
        return _relative("\n".join(lines), self.config)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self._line - 1, f"{self.rule.name}::{self.name}"


class NotDerivedItem(PromrulesItem):
    """A case derivation could not build: skipped with the reason, listed in the summary.

    A skip mark (not a skip raised while running) makes pytest report the
    item's own location, and the alert counts as not covered by this case.
    """

    def __init__(self, *, gap: GapEntry, rule: AlertDefinition, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gap = gap
        self.rule = rule
        shown = f"{gap.alert} {gap.item}: not derived: {gap.reason}"
        self.add_marker(pytest.mark.skip(reason=shown))
        self.config.stash[LIVE].not_derived.append(shown)

    def runtest(self) -> None:
        """Never reached: the skip mark applies first."""

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.rule.path, self.rule.line - 1, f"{self.gap.alert}::{self.name}"


class ProblemItem(PromrulesItem):
    """Stands for something wrong with a generated file: fails with the problem."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self) -> None:
        raise PromrulesError(self.problem)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: {self.name}"


class GeneratedTestFile(pytest.File):
    """A file written by `promrules generate`: items per alert, checked against the rule."""

    def collect(self) -> Iterator[pytest.Collector | pytest.Item]:
        header = read_header(self.path)
        if header is None:  # the marker went away between collection steps
            return
        rule_file = (self.path.parent / header.source).resolve()
        shown = _shown(self.path, self.config)
        for problem in header.problems:
            yield ProblemItem.from_parent(
                self, name="header", problem=f"{shown}: {problem}; regenerate it with {ACCEPT}"
            )
        if not rule_file.is_file():
            yield ProblemItem.from_parent(
                self,
                name="stale",
                problem=f"{shown} was generated from {header.source}, which no longer exists; "
                f"remove it with {ACCEPT}",
            )
            return
        state = self.config.stash[STATE]
        try:
            rules = load_alerts(rule_file)
        except yn.YamlError:
            return  # the rule file's own `load`/`check` items report it
        state.add_rule_file(rule_file, _shown(rule_file, self.config))
        test_file = state.load_test_file(self.path)
        changes = {}
        for rule in rules:
            recorded = header.signatures.get(rule.name)
            if recorded is not None:
                changes[rule.name] = describe_changes(recorded, AlertSignature.of(rule))
        yield from alert_nodes(self, test_file, rules, header.gaps, changes, header.signatures)
