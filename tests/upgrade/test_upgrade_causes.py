"""Each cause of a verdict change is found by re-running the case with one change.

The examples in tests/upgrade_examples are the ones docs/upgrade.md shows:
each changes verdict between promtool 2.42 and 3.5.3 for one reason. A
suggested edit reported as verified must make bare promtool pass the edited
copy on both versions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from promrules.upgrade.check import UpgradeCheck, run_check
from promrules.upgrade.classify import NO_EDIT, Classification
from tests.upgrade_support import EXAMPLES, bare_returncode, both_promtools

# (test file, the cause found, whether a single edit passes on both, description)
CASES = [
    ("interval_test.yml", "missing-interval", True, "a group without interval"),
    ("lookback_test.yml", "left-open-lookback", True, "a sample exactly 5m old"),
    ("range_alert_test.yml", "left-open-range", True, "changes() sees the edge sample"),
    ("range_test.yml", "left-open-range", True, "count_over_time counts the edge sample"),
    ("range_annotation_test.yml", "left-open-range", True, "an annotation counts the edge"),
    ("range_recorded_test.yml", "left-open-range", False, "the edge is in a recording rule"),
    ("newer_field_test.yml", "newer-field", True, "fuzzy_compare is unknown to 2.42"),
    ("regex_test.yml", "regex-dot-newline", True, "a regex . meets a newline"),
    ("holt_winters_test.yml", None, False, "a function 3.x renamed: no cause tried explains it"),
]


@pytest.fixture(scope="module")
def promtools() -> tuple[Promtool, Promtool]:
    return both_promtools()


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(EXAMPLES, folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def check(promtools: tuple[Promtool, Promtool], examples: Path) -> UpgradeCheck:
    return run_check([examples], *promtools, examples, workers=2)


def _by_file(check: UpgradeCheck) -> dict[str, Classification]:
    return {item.changed.node_id.split("::")[0]: item for item in check.changed}


def test_it_finds_exactly_the_cases_that_change(check: UpgradeCheck) -> None:
    assert sorted(_by_file(check)) == sorted(name for name, *_ in CASES)
    assert len(check.changed) == len(CASES)  # unchanged_test.yml's two cases are not listed


@pytest.mark.parametrize(("name", "cause", "verified", "description"), CASES)
def test_it_names_the_cause(
    check: UpgradeCheck, name: str, cause: str | None, verified: bool, description: str
) -> None:
    item = _by_file(check)[name]
    assert (item.cause.code if item.cause else None) == cause, description
    assert (item.edit is not None) == verified, item.unverified or item.diagnosis
    assert bool(item.unverified) == (cause is not None and not verified), item.edit


@pytest.mark.parametrize(
    ("name", "description"),
    [(name, description) for name, _cause, verified, description in CASES if verified],
)
def test_the_suggested_edit_passes_on_both_versions(
    check: UpgradeCheck,
    promtools: tuple[Promtool, Promtool],
    tmp_path: Path,
    name: str,
    description: str,
) -> None:
    item = _by_file(check)[name]
    assert item.edited_copy is not None
    edited = tmp_path / name
    edited.write_text(item.edited_copy, encoding="utf-8")
    original = EXAMPLES / name
    assert [bare_returncode(p, original) for p in promtools] != [0, 0], description
    assert [bare_returncode(p, edited) for p in promtools] == [0, 0], item.edit


def test_an_edit_of_the_expectation_changes_only_the_value_that_differs(
    check: UpgradeCheck,
) -> None:
    item = _by_file(check)["range_annotation_test.yml"]
    assert item.edit == "`eval_time: 4m` (was 5m) and exp_annotations `description`: `5` -> `4`"


def test_a_case_no_edit_can_fix_says_why(check: UpgradeCheck) -> None:
    item = _by_file(check)["range_recorded_test.yml"]
    assert item.unverified.startswith(NO_EDIT + ": at every eval_time tried (")
    assert "the two versions still differ" in item.unverified
    assert "recording rule `requests:count5m`" in item.unverified


def test_it_leaves_the_users_files_alone(
    promtools: tuple[Promtool, Promtool], tmp_path: Path
) -> None:
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*")}
    run_check([tmp_path], *promtools, tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*")} == before
