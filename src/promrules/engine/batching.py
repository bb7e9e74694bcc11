"""Plan and run the promtool processes of a session: few processes, every core busy.

Starting promtool costs tens of milliseconds, so whole test files share one
process per worker. A file too large for one worker's share is cut into its
test groups, which run as separate files in several processes side by side:
promtool evaluates each group on its own storage, so this changes nothing but
the wall time.

With rule trimming on (the default), every group in the shared process runs
as a one-group copy that loads only the rules it needs (`trim`), and its
report is its own: no second run to attribute failures.

When only some groups of a file are selected (-k, --lf), only those run:
through promtool 3.x's `--run` when their names pick them out exactly (the
user's file is read as written, in a process of its own), else as per-group
copies in the shared process.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules.engine.checks import file_problem
from promrules.engine.execution import (
    judge_file,
    read_reports,
    run_groups,
    run_named_groups,
    run_test_files,
    run_whole_files,
)
from promrules.engine.results import FileResult
from promrules.engine.rule_slices import rule_file_root
from promrules.engine.split import write_group_files
from promrules.engine.trim import RuleTrimmer, trim_plan
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, parse_duration
from promrules.files.model import TestFile
from promrules.promtool.binary import Promtool, PromtoolError, PromtoolRun
from promrules.promtool.output import FileReport

__all__ = ["Selection", "Unit", "estimate_costs", "plan", "run_bin", "run_filter"]

_DEFAULT_EVALUATION_MS = 60_000
# Below this many rule evaluations a file is cheaper to run whole than to cut up
# (100 groups x 7 steps x 100 rules take promtool about 2 s).
MIN_SHARD_COST = 50_000.0
# The same for a trimmed file, whose groups are separate files anyway: worth a
# promtool start of its own (about 0.1 s of work).
MIN_TRIMMED_SHARD_COST = 3_000.0
# What promtool spends on a test group before evaluating anything (its storage,
# loading the rules), in rule evaluations: about 3.7 ms a group, measured over
# 500 one-rule groups, against about 0.025 ms a rule evaluation.
GROUP_OVERHEAD = 150.0


@dataclass(frozen=True)
class Unit:
    """A whole test file (groups is None) or some of its groups, for one process.

    Groups travel as trimmed per-group copies, or, when `run_regex` is set, as
    the file itself run with `--run=run_regex` in a process of its own.
    """

    test_file: TestFile
    groups: tuple[int, ...] | None
    cost: float
    run_regex: str | None = None
    # The file as written in a promtool process of its own: promrules' reading of
    # it may not be promtool's (TestFile.doubts), so nothing is cut, trimmed or shared.
    as_written: bool = False


# A file and the indexes of its selected groups (None: all of them).
Selection = tuple[TestFile, tuple[int, ...] | None]

_RUN_SAFE_NAME = re.compile(r"[\x20-\x7e]+")


def run_filter(test_file: TestFile, groups: Sequence[int]) -> str | None:
    """A `--run` regex that matches exactly these groups' names, if names can do that.

    Unnamed groups, repeated names and names outside printable ASCII fall
    back to trimmed copies. Every non-alphanumeric character is escaped, which
    RE2 reads as the character itself.
    """
    names = [g.name for g in test_file.groups]
    if any(not n or not _RUN_SAFE_NAME.fullmatch(n) for n in names) or len(set(names)) != len(
        names
    ):
        return None
    chosen = [re.sub(r"([^A-Za-z0-9])", r"\\\1", str(names[i])) for i in groups]
    return "^(?:" + "|".join(chosen) + ")$"


def _rule_count(path: str) -> int:
    root = rule_file_root(Path(path))
    if root is None:
        return 1
    return sum(len(yn.sequence(yn.get(g, "rules"))) for g in yn.sequence(yn.get(root, "groups")))


def estimate_costs(test_file: TestFile, trim: bool = False) -> list[float]:
    """Rule evaluations per group (evaluation steps x rules loaded): promtool's work.

    Only relative sizes matter: they balance bins and decide which files are
    worth cutting into shards. `trim`: groups load only the rules they need.
    """
    text = yn.scalar(yn.get(test_file.root, "evaluation_interval"))
    try:
        step_ms = parse_duration(text) if text else _DEFAULT_EVALUATION_MS
    except DurationError:
        step_ms = _DEFAULT_EVALUATION_MS
    step_ms = step_ms or _DEFAULT_EVALUATION_MS
    rules = sum(_rule_count(p) for ps in test_file.resolve_rule_files().values() for p in ps)
    trimmed = trim_plan(test_file) if trim else None
    costs = []
    for group in test_file.groups:
        horizon = max((c.eval_ms or 0 for c in group.cases), default=0)
        count = trimmed.rules_loaded(group.index) if trimmed else rules
        costs.append(GROUP_OVERHEAD + (1.0 + horizon / step_ms) * max(count, 1))
    return costs


def plan(
    selections: Sequence[Selection],
    workers: int,
    has_run: bool = False,
    busy: float = 0.0,
    trim: bool = False,
) -> list[list[Unit]]:
    """Bins of units, one bin per worker thread, with about equal cost each.

    `has_run`: promtool understands `--run`, so a file with some groups
    selected can be run as written. `busy`: cost of work one worker is
    already doing; the bin that shares its thread (the last) gets less.
    `trim`: groups will load only the rules they need.
    """
    units: list[Unit] = []
    costs: dict[Path, dict[int, float]] = {}
    every_cost: dict[Path, list[float]] = {}
    for test_file, groups in selections:
        every = estimate_costs(test_file, trim and not test_file.doubts)
        every_cost[test_file.path] = every
        chosen = range(len(every)) if groups is None else groups
        costs[test_file.path] = {i: every[i] for i in chosen}
    share = (busy + sum(sum(c.values()) for c in costs.values())) / max(workers, 1)
    for test_file, groups in selections:
        group_costs = costs[test_file.path]
        cost = sum(group_costs.values())
        if test_file.doubts:
            units.append(Unit(test_file, None, sum(every_cost[test_file.path]), as_written=True))
            continue
        # Trimmed, every group is a file of its own anyway: cutting a file up costs
        # nothing but, at worst, one more promtool start.
        big = cost > max(share, MIN_TRIMMED_SHARD_COST if trim else MIN_SHARD_COST)
        if workers > 1 and big and len(group_costs) > 1:
            units += [Unit(test_file, (i,), c) for i, c in group_costs.items()]
        elif groups is None:
            units.append(Unit(test_file, None, cost))
        else:
            regex = run_filter(test_file, groups) if has_run else None
            units.append(Unit(test_file, tuple(groups), cost, regex))
    count = max(1, min(workers, len(units) + (1 if busy else 0)))
    bins: list[list[Unit]] = [[] for _ in range(count)]
    loads = [0.0] * count
    if count > 1:
        loads[-1] = busy
    for unit in sorted(units, key=lambda u: -u.cost):
        lightest = loads.index(min(loads))
        bins[lightest].append(unit)
        loads[lightest] += unit.cost
    return [_merge_shards(b) for b in bins if b]


def _merge_shards(units: list[Unit]) -> list[Unit]:
    """Groups of one file that landed in the same bin travel as one unit."""
    whole = [u for u in units if u.groups is None or u.run_regex is not None]
    shards: dict[Path, Unit] = {}
    for unit in units:
        if unit.groups is None or unit.run_regex is not None:
            continue
        previous = shards.get(unit.test_file.path)
        if previous is not None and previous.groups is not None:
            groups = tuple(sorted(previous.groups + unit.groups))
            unit = Unit(unit.test_file, groups, previous.cost + unit.cost)
        shards[unit.test_file.path] = unit
    return whole + list(shards.values())


FileDone = Callable[[FileResult], None]
GroupsDone = Callable[[TestFile, dict[int, FileReport], PromtoolRun | None, str | None], None]


def run_bin(
    promtool: Promtool,
    units: Sequence[Unit],
    file_done: FileDone,
    groups_done: GroupsDone,
    trim: bool = False,
) -> None:
    """Run one bin: its shared promtool process, then each `--run` unit in its own.

    Whole files end in `file_done`; group shards, selections and trimmed
    files in `groups_done`, because such a file is only judged once all its
    groups are back. `trim`: groups load only the rules they need (`trim`).
    """
    shared = [u for u in units if u.run_regex is None and not u.as_written]
    named = [u for u in units if u.run_regex is not None]
    if shared:
        _run_shared(promtool, shared, file_done, groups_done, trim)
    for unit in named:
        _run_named(promtool, unit, file_done, groups_done)
    for unit in units:
        if unit.as_written:
            file_done(run_test_files(promtool, [unit.test_file])[unit.test_file.path])


def _run_named(
    promtool: Promtool, unit: Unit, file_done: FileDone, groups_done: GroupsDone
) -> None:
    assert unit.groups is not None and unit.run_regex is not None
    problem = file_problem(unit.test_file)
    if problem:
        file_done(FileResult(unit.test_file, file_error=problem))
        return
    try:
        run, reports = run_named_groups(promtool, unit.test_file, unit.groups, unit.run_regex)
    except PromtoolError as exc:
        groups_done(unit.test_file, {}, None, str(exc))
        return
    if isinstance(reports, str):
        groups_done(unit.test_file, {}, run, reports)
    else:
        groups_done(unit.test_file, reports, run, None)


@dataclass
class _Written:
    """A unit as group files in the shared run: which groups, and the probe they rely on."""

    unit: Unit
    groups: tuple[int, ...]
    paths: list[Path]
    rule_set: tuple[Path, ...] | None = None


def _write_units(
    units: Sequence[Unit], folder: Path, trim: bool
) -> tuple[list[Unit], list[_Written], dict[tuple[Path, ...], Path]]:
    """Whole files to run as written, units written as group files, and the probes."""
    trimmer = RuleTrimmer(folder / "trimmed") if trim else None
    whole: list[Unit] = []
    written: list[_Written] = []
    for n, unit in enumerate(units):
        groups = (
            unit.groups if unit.groups is not None else tuple(range(len(unit.test_file.groups)))
        )
        trimmed = trimmer.group_files(unit.test_file, groups) if trimmer else None
        if trimmed is not None:
            written.append(_Written(unit, groups, *trimmed))
        elif unit.groups is None:
            whole.append(unit)
        else:
            copies = folder / str(n)
            copies.mkdir()
            written.append(
                _Written(unit, groups, write_group_files(unit.test_file, copies, groups))
            )
    return whole, written, trimmer.probes() if trimmer else {}


def _run_shared(
    promtool: Promtool,
    units: Sequence[Unit],
    file_done: FileDone,
    groups_done: GroupsDone,
    trim: bool = False,
) -> None:
    """Whole files as written, and group files (shards, trimmed files), all in one process.

    When the probe of a trimmed rule set fails, the units relying on it run
    again with all their rules.
    """
    runnable: list[Unit] = []
    for unit in units:
        problem = file_problem(unit.test_file)
        if problem:
            file_done(FileResult(unit.test_file, file_error=problem))
        else:
            runnable.append(unit)
    if not runnable:
        return
    try:
        with tempfile.TemporaryDirectory(prefix="promrules-") as tmp:
            whole, written, probes = _write_units(runnable, Path(tmp), trim)
            targets = [
                *probes.values(),
                *(u.test_file.path.resolve() for u in whole),
                *(p for w in written for p in w.paths),
            ]
            if whole:  # 3.x's JUnit report attributes a whole file's failures
                run, by_group = run_whole_files(promtool, targets)
            else:  # group files: each report is already one group's
                run, by_group = promtool.test_rules(*targets), None
    except PromtoolError as exc:
        _fail_all(runnable, str(exc), file_done, groups_done)
        return
    reports = read_reports(run, len(targets))
    if isinstance(reports, str):
        _one_by_one(promtool, runnable, file_done, groups_done)
        return
    failed_probes = {s for s, r in zip(probes, reports, strict=False) if r.failed}
    reports = reports[len(probes) :]
    if by_group is not None:
        by_group = by_group[len(probes) :] if len(by_group) == len(targets) else None
    for n, (unit, report) in enumerate(zip(whole, reports, strict=False)):
        groups = by_group[n] if by_group is not None else None
        file_done(judge_file(promtool, unit.test_file, run, report, groups))
    position = len(whole)
    again = []
    for item in written:
        mine = reports[position : position + len(item.paths)]
        position += len(item.paths)
        if item.rule_set in failed_probes:
            again.append(item.unit)
        else:
            groups_done(item.unit.test_file, dict(zip(item.groups, mine, strict=True)), run, None)
    if again:
        _run_shared(promtool, again, file_done, groups_done, trim=False)


def _one_by_one(
    promtool: Promtool, units: Sequence[Unit], file_done: FileDone, groups_done: GroupsDone
) -> None:
    """After an unreadable shared run: run each unit alone, untrimmed, to find the culprit."""
    for unit in units:
        if unit.groups is None:
            file_done(run_test_files(promtool, [unit.test_file])[unit.test_file.path])
            continue
        run, reports = run_groups(promtool, unit.test_file, unit.groups)
        if isinstance(reports, str):
            groups_done(unit.test_file, {}, run, reports)
        else:
            groups_done(unit.test_file, dict(zip(unit.groups, reports, strict=True)), run, None)


def _fail_all(
    units: Sequence[Unit], message: str, file_done: FileDone, groups_done: GroupsDone
) -> None:
    for unit in units:
        if unit.groups is None:
            file_done(FileResult(unit.test_file, file_error=message))
        else:
            groups_done(unit.test_file, {}, None, message)
