"""promrules gives bare promtool's verdict, case by case, on generated projects.

A short profile here; `benchmarks/differential.py` runs thousands of files per
promtool version. Every disagreement either run ever found is a fixed example
below (`@example`), so it stays fixed.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from promrules.promtool.binary import Promtool
from tests import differential as d

# Found by the differential run: a group reusing another through a merge key with
# one key overridden. promrules read the group without what the merge brought,
# trimmed away the rule it tests, and passed a case promtool fails.
MERGED_GROUP = d.Project(
    rules=(
        d.Rule("r:m", "m * 2", record=True),
        d.Rule("r:n", "r:m + n", record=True),
        d.Rule("Alert0", "m > 1"),
    ),
    groups=(
        d.Group(
            "grpA",
            60,
            (('m{job="a"}', "0 0 5 5 5 5"),),
            (d.AlertCase("Alert0", 60, False),),
            (),
        ),
        d.Group("grpB", 30, (), (), (), form="merge-list"),
    ),
)


_FOLDERS = itertools.count()


def _plugin_outcomes(pytester: pytest.Pytester, test_path: Path, *args: str) -> list[d.ItemOutcome]:
    recorder = d.OutcomeRecorder()
    pytester.runpytest(
        str(test_path),
        "-p",
        "no:cacheprovider",
        "--promrules-workers=2",
        *args,
        plugins=[recorder],
    )
    return recorder.for_file(test_path)


@settings(
    max_examples=int(os.environ.get("PROMRULES_DIFFERENTIAL_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(project=MERGED_GROUP)
@given(project=d.projects())
def test_promrules_agrees_with_bare_promtool(
    project: d.Project, pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    folder = pytester.mkdir(f"p{next(_FOLDERS)}")
    test_path = d.write_project(project, folder)
    bare = d.bare_verdict(promtool_env.path, test_path)

    outcomes = _plugin_outcomes(pytester, test_path)
    assert d.disagreements(bare, outcomes) == [], d.test_file(project) + bare.output

    chosen = d.selection(project, random.Random(len(outcomes)))
    selected = _plugin_outcomes(pytester, test_path, "-k", " or ".join(chosen))
    unique = len({o.key for o in outcomes}) == len(outcomes)  # merged groups repeat cases
    problems = d.disagreements(bare, selected, whole_file=False, keys_unique=unique)
    assert problems == [], d.test_file(project)

    passed = sorted(o.key for o in outcomes if o.status == "passed")
    if bare.errored or not passed or not unique:
        return
    key = passed[0]
    flipped_path = d.write_project(d.flipped(project, key), folder / "flipped")
    flipped_bare = d.bare_verdict(promtool_env.path, flipped_path)
    assert key in flipped_bare.failed or flipped_bare.errored, flipped_bare.output
    flipped_mine = [o for o in _plugin_outcomes(pytester, flipped_path) if o.key == key]
    assert flipped_mine and all(o.status != "passed" for o in flipped_mine)
