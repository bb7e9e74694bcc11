"""Find why each changed case changes, and an edit verified to pass on both promtools.

Each changed case is copied on its own; copies with one change each run on
both versions, in rounds of one batched run per promtool over every case:

1. the unchanged copy and the diagnostic change of every cause that applies
   (the first change that makes the versions agree names the cause);
2. the candidate edits of that cause;
3. for a window-edge cause with no passing edit: at the nearest eval_time
   where both versions agree but fail alike, the case expecting what they
   computed (only the values that differ change).

An edit is suggested only when its copy passed on both; otherwise the
classification says why not, from what the copies showed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules.engine.results import CaseResult, FileResult
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.model import TestFile, load_test_file
from promrules.promtool.binary import Promtool
from promrules.upgrade import case_rules, copies
from promrules.upgrade.causes import CAUSES, MOVED, Cause
from promrules.upgrade.compare import ChangedCase
from promrules.upgrade.copies import Copy
from promrules.upgrade.expectations import expect_got

__all__ = ["NO_EDIT", "Classification", "Runner", "classify"]

# How a reason starts when the copies show that no edit of the case's check can pass on both.
NO_EDIT = "in this evaluation step no eval_time and no expected value pass on both"

Runner = Callable[[Promtool, Sequence[TestFile]], dict[Path, FileResult]]


@dataclass(frozen=True)
class Classification:
    """What the copies showed for one changed case."""

    changed: ChangedCase
    cause: Cause | None
    diagnosis: str  # the change that removed the difference, or why none was found
    edit: str | None = None  # a test edit whose copy passed on both versions
    edited_copy: str | None = None  # the one-case test file with that edit, as run
    unverified: str = ""  # with a cause and no edit: why no edit tried passed on both


@dataclass(frozen=True)
class _Variant:
    case: int
    cause: Cause | None  # None: the unchanged copy
    description: str
    copy: Copy
    test_file: TestFile


@dataclass(frozen=True)
class _Ran:
    variant: _Variant
    before: CaseResult
    after: CaseResult

    @property
    def passed(self) -> bool:
        return self.before.status == self.after.status == "passed"

    @property
    def agreed(self) -> bool:
        return _agree(self.before, self.after)


def _agree(a: CaseResult, b: CaseResult) -> bool:
    """Same verdict, and when both fail, the same results (not both broken)."""
    if a.status != b.status:
        return False
    if a.status == "passed":
        return True
    if a.status == "error":
        return False
    return [(f.subject, f.got) for f in a.failures] == [(f.subject, f.got) for f in b.failures]


def _verdict(result: FileResult) -> CaseResult:
    group = result.test_file.groups[0]
    return result.result_for(group, group.cases[0])


class _Rounds:
    """Writes the copies into one folder and runs each round's copies on both promtools."""

    def __init__(self, directory: Path, before: Promtool, after: Promtool, runner: Runner):
        self.directory, self.before, self.after, self.runner = directory, before, after, runner
        self.written = 0

    def variant(self, case: int, cause: Cause | None, description: str, copy: Copy) -> _Variant:
        self.written += 1
        target = self.directory / f"c{case}-{self.written}.yml"
        return _Variant(case, cause, description, copy, load_test_file(copy.write(target)))

    def edited(self, case: int, base: Copy, cause: Cause, diagnostic: bool) -> list[_Variant]:
        """The copies of one cause's diagnostic changes or candidate edits (each distinct once)."""
        variants: list[_Variant] = []
        seen: set[str] = set()
        for description, edit in cause.diagnostics if diagnostic else cause.edits:
            changed = edit(base, self.directory)
            if changed is None:
                continue
            shown = changed.change or description
            if shown not in seen:
                seen.add(shown)
                variants.append(self.variant(case, cause, shown, changed))
        return variants

    def run(self, variants: Sequence[_Variant]) -> list[_Ran]:
        if not variants:
            return []
        files = [v.test_file for v in variants]
        old, new = self.runner(self.before, files), self.runner(self.after, files)
        return [
            _Ran(v, _verdict(old[v.test_file.path]), _verdict(new[v.test_file.path]))
            for v in variants
        ]


def _eval_ms(copy: Copy) -> int | None:
    try:
        return parse_duration(yn.scalar(yn.get(copy.entry, "eval_time")) or "0")
    except DurationError:
        return None


def _step_ms(copy: Copy) -> int:
    return copies.interval_ms(copy, "evaluation_interval") or 60_000


def _expectable(r: _Ran, base: Copy) -> bool:
    """A move after which expecting the agreed result still checks the case's own window.

    An alert case is evaluated on the grid at every step, and expecting the
    same alerts with other values keeps what it checks. An expr case must
    stay in its evaluation step: an earlier step reads another evaluation of
    the recording rules (near the series' start, another result altogether).
    """
    if not r.variant.description.startswith(MOVED):
        return False
    if yn.get(base.entry, "alertname") is not None:
        return True
    start, moved = _eval_ms(base) or 0, _eval_ms(r.variant.copy) or 0
    return moved >= start and moved // _step_ms(base) == start // _step_ms(base)


def _nearest_agreed(ran: Sequence[_Ran], base: Copy) -> list[_Ran]:
    """The moves where both versions fail alike, nearest to the case's eval_time first."""
    start = _eval_ms(base) or 0
    agreed = [
        r
        for r in ran
        if _expectable(r, base)
        and r.agreed
        and r.before.status == "failed"
        and len(r.before.failures) == 1
    ]
    return sorted(agreed, key=lambda r: abs((_eval_ms(r.variant.copy) or 0) - start))


def _times(ran: Sequence[_Ran]) -> str:
    shown = sorted({_eval_ms(r.variant.copy) or 0 for r in ran})
    return ", ".join(format_duration(t) for t in shown)


def _why_unverified(
    base: Copy, ran: Sequence[_Ran], expected: Sequence[_Ran], versions: tuple[str, str]
) -> str:
    """Why no edit passed on both, in terms of what the copies showed."""
    if expected:
        r = expected[0]
        return (
            f"{r.variant.description}: {r.before.status} on {versions[0]}, "
            f"{r.after.status} on {versions[1]}"
        )
    moves = [r for r in ran if _expectable(r, base)]
    records = case_rules.recording_rules_read(base.entry, base.rule_files)
    if moves and not any(r.agreed for r in moves):
        why = f"at every eval_time tried ({_times(moves)}) the two versions still differ"
        if records and yn.get(base.entry, "expr") is not None:
            why = (
                f"{NO_EDIT}: {why}; the window is in recording rule `{records[0]}`, which "
                "promtool runs on the evaluation_interval grid whatever the eval_time, and "
                "at every run a sample sits at its window's start (the range is a multiple "
                "of the series interval), so the expected value holds on one version only "
                "(another step reads another run of the rule: another check)"
            )
        return why
    agreed = [r for r in moves if r.agreed]
    if agreed:
        return (
            f"where both versions agree ({_times(agreed)}) they give other alerts or samples "
            "than the case expects (not only other values), so no small edit of the "
            "expectation fits"
        )
    return f"none of the {len(ran)} edits tried passed on both versions"


def _first_round(
    rounds: _Rounds, changed: Sequence[ChangedCase], bases: Sequence[Copy]
) -> list[_Ran]:
    variants: list[_Variant] = []
    for n, (item, base) in enumerate(zip(changed, bases, strict=True)):
        variants.append(rounds.variant(n, None, "", base))
        for cause in CAUSES:
            if cause.applies(base, item):
                variants += rounds.edited(n, base, cause, diagnostic=True)
    return rounds.run(variants)


def _causes(
    changed: Sequence[ChangedCase], diagnosed: Sequence[_Ran]
) -> dict[int, tuple[Cause, str] | str]:
    """Per case, its cause and the change that showed it, or why none was found."""
    found: dict[int, tuple[Cause, str] | str] = {}
    for n in range(len(changed)):
        mine = [r for r in diagnosed if r.variant.case == n]
        if mine[0].agreed:
            found[n] = "the change does not show in a copy holding only this case"
            continue
        shown = next((r for r in mine[1:] if r.variant.cause is not None and r.agreed), None)
        if shown is None or shown.variant.cause is None:
            found[n] = "no single change tried removed it"
        else:
            found[n] = (shown.variant.cause, shown.variant.description)
    return found


def classify(
    changed: Sequence[ChangedCase], before: Promtool, after: Promtool, runner: Runner
) -> list[Classification]:
    """The cause of each changed case, and a verified edit or why there is none."""
    if not changed:
        return []
    versions = (before.version_text, after.version_text)
    with tempfile.TemporaryDirectory(prefix="promrules-upgrade-") as tmp:
        rounds = _Rounds(Path(tmp), before, after, runner)
        bases = [copies.one_case(c.test_file, c.group, c.case) for c in changed]
        causes = _causes(changed, _first_round(rounds, changed, bases))
        found = {
            n: Classification(changed[n], None, why)
            for n, why in causes.items()
            if isinstance(why, str)
        }
        known = {n: c for n, c in causes.items() if not isinstance(c, str)}
        edited = rounds.run(
            [v for n, (cause, _) in known.items() for v in rounds.edited(n, bases[n], cause, False)]
        )
        passed = {r.variant.case for r in edited if r.passed}
        third: list[_Variant] = []
        for n, (cause, _why) in known.items():
            if n in passed or not cause.expects_agreed:
                continue
            for r in _nearest_agreed([r for r in edited if r.variant.case == n], bases[n]):
                expecting = expect_got(r.variant.copy, r.before.failures[0])
                if expecting is not None:
                    third.append(rounds.variant(n, cause, expecting.change, expecting))
                    break
        expected = rounds.run(third)
        for n, (cause, why) in known.items():
            mine = [r for r in edited if r.variant.case == n]
            theirs = [r for r in expected if r.variant.case == n]
            passing = next((r for r in [*mine, *theirs] if r.passed), None)
            if passing is None:
                reason = _why_unverified(bases[n], mine, theirs, versions)
                found[n] = Classification(changed[n], cause, why, unverified=reason)
            else:
                text = passing.variant.test_file.path.read_text(encoding="utf-8")
                found[n] = Classification(changed[n], cause, why, passing.variant.description, text)
    return [found[n] for n in range(len(changed))]
