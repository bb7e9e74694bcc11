"""Derive many alerts at once: every alert's work advances in shared promtool rounds.

Each tested condition of each alert is a generator that yields the probes it
needs and resumes when they have results. The engine gathers the probes of
all live generators, runs them in one batch (a few promtool processes side
by side), and resumes them all; so the number of promtool runs grows with
the number of solver rounds, not with the number of alerts.
PROMRULES_DERIVE_DEBUG=1 prints one line per round (probes, queries, seconds).
"""

from __future__ import annotations

import collections
import math
import os
import sys
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from promrules.derive.cases import CaseDraft, build_cases
from promrules.derive.conditions import Condition
from promrules.derive.context import AlertContext, DeriveError, build_context
from promrules.derive.labels import calibrate_labels
from promrules.derive.model import AlertDerivation, CaseKind, DerivedCase, Gap
from promrules.derive.primary import solve_condition
from promrules.derive.probe import Probe, run_probes
from promrules.derive.progress import Progress
from promrules.derive.writer import case_group
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.promtool.binary import Promtool

__all__ = [
    "DEFAULT_BUDGET_S",
    "NO_CONDITION",
    "bug_reason",
    "choose_evaluation_interval",
    "derive_rule_files",
]

# Promtool time one alert may take before it is stopped (PROMRULES_DERIVE_BUDGET overrides).
DEFAULT_BUDGET_S = 60.0
NO_CONDITION = "the expression has no threshold comparison and no absent()"

Task = Generator[list[Probe], None, "ConditionResult"]


@dataclass
class ConditionResult:
    condition: Condition
    drafts: list[CaseDraft]
    gaps: dict[str, str]
    inapplicable: dict[str, str]


@dataclass
class AlertWork:
    rule: AlertDefinition
    context: AlertContext | None
    problem: str | None = None
    results: list[ConditionResult] = field(default_factory=list)
    shared_name: bool = False  # another rule of the file has this name
    seconds: float = 0.0  # promtool time attributed to this alert's probes
    stopped: bool = False  # a bug or the time budget ended its work


def bug_reason(rule: AlertDefinition, exc: BaseException) -> str:
    """How an unexpected exception of ours reads as the reason an alert was not derived."""
    return (
        f"promrules bug while deriving {rule.name} ({rule.path}:{rule.line}): "
        f"{type(exc).__name__}: {exc}; please report it"
    )


def _condition_task(ctx: AlertContext, condition: Condition) -> Task:
    solution = yield from solve_condition(ctx, condition)
    drafts, gaps = yield from build_cases(ctx, solution)
    return ConditionResult(condition, drafts, gaps, dict(solution.inapplicable))


def _drive(
    promtool: Promtool,
    tasks: list[tuple[AlertWork, Task]],
    workers: int,
    budget_s: float,
    progress: Progress | None = None,
) -> None:
    """Advance every task until it finishes, batching their probes per round.

    Each round's time is shared out among the alerts by their number of
    queries; an alert whose share passes `budget_s` is stopped with a reason.
    """
    live: list[tuple[AlertWork, Task, list[Probe]]] = []
    for work, task in tasks:
        _advance(work, task, None, live)
    rounds = 0
    while live:
        batch = [probe for _w, _t, probes in live for probe in probes]
        started = time.monotonic()
        run_probes(promtool, batch, workers)
        rounds += 1
        _charge(live, time.monotonic() - started, budget_s)
        if os.environ.get("PROMRULES_DERIVE_DEBUG"):
            queries = sum(len(p.queries) for p in batch)
            size = sum(len(v) for p in batch for _s, v in p.series)
            print(
                f"round {rounds}: {len(live)} tasks, {len(batch)} probes, {queries} queries, "
                f"{size} chars of series, {time.monotonic() - started:.2f}s",
                file=sys.stderr,
            )
        current, live = live, []
        for work, task, _probes in current:
            if work.stopped:
                task.close()
            else:
                _advance(work, task, True, live)
        if progress is not None:
            progress.round_done({id(w) for w, _t, _p in live})


def _charge(
    live: list[tuple[AlertWork, Task, list[Probe]]], seconds: float, budget_s: float
) -> None:
    """Share a round's time among its alerts; stop those past the budget."""
    weights = [sum(len(p.queries) or 1 for p in probes) for _w, _t, probes in live]
    total = sum(weights) or 1
    for (work, _task, _probes), weight in zip(live, weights, strict=True):
        work.seconds += seconds * weight / total
        if work.seconds > budget_s and not work.stopped:
            work.stopped = True
            work.problem = f"took longer than {budget_s:g} s (the per-alert budget)"


def _advance(
    work: AlertWork,
    task: Task,
    resume: bool | None,
    live: list[tuple[AlertWork, Task, list[Probe]]],
) -> None:
    started = time.monotonic()
    try:
        probes = next(task) if resume is None else task.send(None)
        while not probes:
            probes = task.send(None)
    except StopIteration as stop:
        work.results.append(stop.value)
        return
    except Exception as exc:  # a bug of ours costs this alert, not the run
        work.stopped = True
        work.problem = bug_reason(work.rule, exc)
        return
    finally:
        work.seconds += time.monotonic() - started  # our own time counts too
    live.append((work, task, probes))


def choose_evaluation_interval(rules: Sequence[AlertDefinition]) -> int:
    """1m, unless a `for:`, `keep_firing_for:` or group interval needs a finer grid."""
    interval = 60_000
    for rule in rules:
        for value in (rule.for_ms, rule.keep_firing_for_ms, rule.group_interval_ms or 0):
            if value:
                interval = math.gcd(interval, value)
    return max(interval, 1000) if interval % 1000 == 0 else interval


def _patterns(ctx: AlertContext | None) -> tuple[str, ...]:
    if ctx is None:
        return ()
    found = {leaf.pattern.name for leaf in ctx.leaves}
    if any(c.kind == "absent" for c in ctx.conditions):
        found.add("absent")
    if any(leaf.stepped for leaf in ctx.leaves):
        found.add("offset")
    return tuple(sorted(found))


def _derivation(work: AlertWork, evaluation_interval_ms: int) -> AlertDerivation:
    try:
        return _derivation_of(work, evaluation_interval_ms)
    except Exception as exc:  # a bug of ours costs this alert, not the run
        work.stopped, work.problem, work.results = True, bug_reason(work.rule, exc), []
        return _derivation_of(work, evaluation_interval_ms)


def _derivation_of(work: AlertWork, evaluation_interval_ms: int) -> AlertDerivation:
    rule = work.rule
    gaps: list[Gap] = []
    cases: list[DerivedCase] = []
    if work.problem:
        gaps.append(Gap(None, None, work.problem))
    if work.stopped:
        work.results = []  # a stopped alert's cases are unfinished: none are written
    order = {id(c): n for n, c in enumerate(work.context.conditions)} if work.context else {}
    for result in sorted(work.results, key=lambda r: order.get(id(r.condition), 0)):
        label = result.condition.label
        for kind in ("beyond", "short", "exact", "clears"):
            if kind in result.inapplicable:
                gaps.append(Gap(label, kind, result.inapplicable[kind], applies=False))
            elif kind in result.gaps:
                gaps.append(Gap(label, kind, result.gaps[kind]))
        for draft in result.drafts:
            kind = cast(CaseKind, draft.case)
            cases.append(DerivedCase(rule.name, kind, label, draft.summary, case_group(draft)))
    return AlertDerivation(
        alert=rule.name,
        file=rule.path,
        line=rule.line,
        expr=rule.expr,
        evaluation_interval_ms=evaluation_interval_ms,
        cases=tuple(cases),
        not_derived=tuple(gaps),
        patterns=_patterns(work.context),
        shared_name=work.shared_name,
    )


def _name_cases(works: Sequence[AlertWork]) -> None:
    """Unique, readable group names: `Alert: case of condition`.

    A rule sharing its name with another is named by its place: `Alert (r.yml:12): ...`.
    """
    seen: dict[str, int] = {}
    names = collections.Counter(work.rule.name for work in works)
    for work in works:
        rule = work.rule
        alert = (
            rule.name if names[rule.name] == 1 else f"{rule.name} ({rule.path.name}:{rule.line})"
        )
        for result in work.results:
            for draft in result.drafts:
                base = f"{alert}: {draft.case}: {draft.condition.label}"
                seen[base] = seen.get(base, 0) + 1
                draft.name = base if seen[base] == 1 else f"{base} #{seen[base]}"


def _work(
    rule: AlertDefinition, interval: int, siblings: Sequence[AlertDefinition]
) -> tuple[AlertWork, list[Task]]:
    """One alert's work and its condition tasks; what stops it is its reason, never a raise."""
    try:
        ctx = build_context(rule, interval, siblings)
    except DeriveError as exc:
        return AlertWork(rule, None, str(exc)), []
    except Exception as exc:  # a bug of ours costs this alert, not the run
        return AlertWork(rule, None, bug_reason(rule, exc), stopped=True), []
    work = AlertWork(rule, ctx)
    testable = [c for c in ctx.conditions if c.testable]
    if not testable:
        work.problem = NO_CONDITION
    return work, [_condition_task(ctx, c) for c in testable]


def derive_rule_files(
    promtool: Promtool,
    paths: Sequence[Path],
    workers: int = 2,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    progress: Progress | None = None,
) -> dict[Path, list[AlertDerivation]]:
    """Derive every alert of every rule file, in shared promtool rounds.

    Each alert is derived in isolation: its problems (shape, promtool
    errors, the time budget, a bug of ours) become its not-derived reason.
    """
    per_file: dict[Path, tuple[int, list[AlertWork]]] = {}
    tasks: list[tuple[AlertWork, Task]] = []
    for path in paths:
        rules = load_alerts(path)
        interval = choose_evaluation_interval(rules)
        works = []
        for rule in rules:
            siblings = [r for r in rules if r.name == rule.name and r is not rule]
            work, conditions = _work(rule, interval, siblings)
            work.shared_name = bool(siblings)
            tasks += [(work, task) for task in conditions]
            works.append(work)
        per_file[path] = (interval, works)
    if progress is not None:
        progress.start([(id(w), w.rule.path) for _i, ws in per_file.values() for w in ws])
    _drive(promtool, tasks, workers, budget_s, progress)
    jobs = []
    for path, (interval, works) in per_file.items():
        _name_cases(works)
        jobs += [
            (path, interval, d) for w in works if not w.stopped for r in w.results for d in r.drafts
        ]
    calibrate_labels(promtool, jobs, workers)
    result = {
        path: [_derivation(work, interval) for work in works]
        for path, (interval, works) in per_file.items()
    }
    if progress is not None:
        progress.finish()
    return result
