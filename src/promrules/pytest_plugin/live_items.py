"""pytest nodes of live mode: named from the rules at collection, derived when they run.

Collection parses each alert and plans its items (`snapshot.naming`), so a
repository of 1,000 alerts lists its items, and starts running them, in
seconds. The first item of a rule file to run derives the file (or reads it
from pytest's cache); each item then runs its derived test group, or skips
with the reason it has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from promrules.derive import Progress
from promrules.derive.engine import choose_evaluation_interval
from promrules.engine.results import CaseResult
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.model import Case, TestFile, TestGroup
from promrules.pytest_plugin.derived_items import (
    NotDerivedItem,
    combine,
    format_failure,
    record_coverage,
    rule_labels,
    shown_case,
)
from promrules.pytest_plugin.live import LIVE, progress_line
from promrules.pytest_plugin.plugin import PromrulesError, PromrulesItem, _relative, _shown
from promrules.snapshot.document import GapEntry
from promrules.snapshot.naming import PlannedAlert, PlannedItem, planned_alert

__all__ = ["LiveCaseItem", "planned_nodes"]


def planned_nodes(parent: pytest.File) -> Iterator[pytest.Collector]:
    """One node per alert of the rule file, holding the items derivation will fill."""
    try:
        rules = load_alerts(parent.path)
    except yn.YamlError:
        return  # the file's `check` item reports it
    interval = choose_evaluation_interval(rules)
    parent.config.stash[LIVE].planned_alerts += len(rules)
    for rule, label in zip(rules, rule_labels(rules), strict=True):
        siblings = [r for r in rules if r.name == rule.name and r is not rule]
        yield LiveAlertNode.from_parent(
            parent, name=label, rule=rule, plan=planned_alert(rule, interval, siblings)
        )


class LiveAlertNode(pytest.Collector):
    def __init__(self, *, rule: AlertDefinition, plan: PlannedAlert, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.plan = plan

    def collect(self) -> Iterator[pytest.Item]:
        if self.plan.problem is not None:  # known now: nothing to derive
            gap = GapEntry(self.name, "derive", self.plan.problem, True)
            yield NotDerivedItem.from_parent(self, name="derive", gap=gap, rule=self.rule)
            return
        names = [planned.name for planned in self.plan.items]
        for n, planned in enumerate(self.plan.items):
            yield LiveCaseItem.from_parent(
                self,
                name=planned.name,
                rule=self.rule,
                planned=planned,
                siblings=names if n == 0 else [],
            )


class LiveCaseItem(PromrulesItem):
    """One planned derived case of a live rule file: derived on first run, then judged."""

    def __init__(
        self, *, rule: AlertDefinition, planned: PlannedItem, siblings: list[str], **kwargs: Any
    ) -> None:
        """`siblings`: the alert's planned names, given to its first item, which checks
        that derivation made no case outside them (a case nobody would run)."""
        super().__init__(**kwargs)
        self.rule = rule
        self.planned = planned
        self.siblings = siblings
        self.alert = self.parent.name if self.parent is not None else rule.name
        self.ran: tuple[TestFile, TestGroup, Case] | None = None
        self.verdict = CaseResult("error", message="not run")

    def judged_case(self) -> tuple[TestFile, TestGroup, Case, CaseResult] | None:
        return None if self.ran is None else (*self.ran, self.verdict)

    def setup(self) -> None:
        live = self.config.stash[LIVE]
        found = live.derived(self.path, self.state.promtool(), self._progress())
        if isinstance(found, str):
            pytest.fail(f"{_shown(self.path, self.config)}: {found}", pytrace=False)
        unplanned = found.unplanned(self.alert, self.siblings) if self.siblings else []
        if unplanned:
            pytest.fail(
                f"promrules bug: {self.rule.name} ({_shown(self.rule.path, self.config)}:"
                f"{self.rule.line}) was derived into cases no item stands for: "
                f"{', '.join(unplanned)}; please report it",
                pytrace=False,
            )
        group = found.group(self.alert, self.name)
        if group is None:
            pytest.skip(self._skip_reason(found.gap(self.alert, self.name)))
        self.ran = (found.test_file, group, shown_case(group))
        result = self.state.test_file_result(found.test_file)
        self.verdict = combine([result.result_for(group, c) for c in group.cases])
        if self.verdict.status == "error":
            pytest.fail(self._message(), pytrace=False)

    def _progress(self) -> Progress | None:
        live = self.config.stash[LIVE]
        if self.path in live.done:
            return None
        verbose = self.config.get_verbosity() > 0
        restore = f"{self.nodeid} " if verbose else f"{_shown(self.path, self.config)} "
        progress = progress_line(self.config, restore)
        if progress is not None:
            progress.done_before = live.alerts_derived
            progress.overall = live.planned_alerts
        return progress

    def _skip_reason(self, gap: GapEntry | None) -> str:
        where = f"{_shown(self.rule.path, self.config)}:{self.rule.line}"
        if gap is None:
            return f"{where} {self.alert} {self.name}: not derived: derivation made no such case"
        verb = "not derived" if gap.applies else "does not apply"
        shown = f"{self.alert} {self.name}: {verb}: {gap.reason}"
        if gap.applies:
            self.config.stash[LIVE].not_derived.append(shown)
        return f"{where} {shown}"

    def runtest(self) -> None:
        if self.verdict.status != "passed":
            raise PromrulesError(self._message())
        assert self.ran is not None
        record_coverage(self.state.coverage, self.rule, self.ran[1], self.name)

    def _message(self) -> str:
        where = f"{_shown(self.rule.path, self.config)}:{self.rule.line}"
        condition = f" (`{self.planned.condition}`)" if "[cond" in self.name else ""
        lines = [f"{where}: {self.rule.name} {self.name}{condition} ({self.verdict.status})"]
        lines += [format_failure(f) for f in self.verdict.failures] or [self.verdict.message]
        return _relative("\n".join(lines), self.config)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # The rule's name, not the node's: pytest turns dots of a domain that ends
        # the node id into `::` (`Errors (r.yml:6)` would show as `r::yml`).
        return self.rule.path, self.rule.line - 1, f"{self.rule.name}::{self.name}"
