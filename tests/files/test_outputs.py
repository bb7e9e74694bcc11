"""Outputs that cannot be written give one line naming the path and why; the
test results of the run are still reported, and the run does not pass.

Tests run as root here, where a read-only mode bit does not stop writes: the
unwritable places are a folder where a file should go, a regular file where
a folder should be, and (where the file system has it) an immutable folder
made with `chattr +i`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from tests.helpers import PASSING_TEST, RULES

CASES = 5  # PASSING_TEST's four cases and the rule file's check


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=RULES, demo_test=PASSING_TEST)
    (pytester.path / "a_file").write_text("in the way\n")
    pytester.mkdir("a_folder")
    return pytester


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--promrules-html=a_folder", "cannot write the HTML report to a_folder: it is a folder"),
        (
            "--promrules-html=a_file/report.html",
            "cannot write the HTML report to a_file/report.html: a_file is a file, not a folder",
        ),
        (
            "--promrules-cov-json=a_file/deeper/cov.json",
            "cannot write the coverage JSON to a_file/deeper/cov.json: "
            "a_file is a file, not a folder",
        ),
        (
            "--promrules-cov-json=a_folder",
            "cannot write the coverage JSON to a_folder: it is a folder",
        ),
    ],
)
def test_an_unwritable_report_is_one_error_line_after_the_results(
    project: pytest.Pytester, option: str, message: str
) -> None:
    result = project.runpytest("-p", "no:cacheprovider", option)
    result.assert_outcomes(passed=CASES)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines([f"ERROR: promrules: {message}"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str()


def test_an_update_into_a_file_is_an_error_and_the_tests_still_run(
    project: pytest.Pytester,
) -> None:
    project.mkdir("rules")
    (project.path / "rules.yml").rename(project.path / "rules" / "rules.yml")
    (project.path / "demo_test.yml").write_text(
        PASSING_TEST.replace("[rules.yml]", "[rules/rules.yml]")
    )
    project.makeini("[pytest]\npromrules_generated_path = a_file\n")
    result = project.runpytest("-p", "no:cacheprovider", "--promrules-update")
    assert result.parseoutcomes()["passed"] >= CASES  # with the live derived cases
    assert "failed" not in result.parseoutcomes()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        [
            "ERROR: promrules: cannot write the generated tests to a_file: "
            "a_file is a file, not a folder"
        ]
    )


@pytest.fixture
def immutable(project: pytest.Pytester) -> Iterator[Path]:
    """A rule_tests folder nobody can write into, not even root (chattr +i)."""
    folder = project.mkdir("rule_tests")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_an_update_on_a_read_only_project_is_an_error_and_the_tests_still_run(
    project: pytest.Pytester, immutable: Path
) -> None:
    project.mkdir("rules")
    (project.path / "rules.yml").rename(project.path / "rules" / "rules.yml")
    (project.path / "demo_test.yml").write_text(
        PASSING_TEST.replace("[rules.yml]", "[rules/rules.yml]")
    )
    result = project.runpytest("-p", "no:cacheprovider", "--promrules-update")
    assert result.parseoutcomes()["passed"] >= CASES  # with the live derived cases
    assert "failed" not in result.parseoutcomes()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        [
            "ERROR: promrules: cannot write a generated test file to "
            "rule_tests/generated/rules_test.yml: Operation not permitted"
        ]
    )


def test_generate_into_an_existing_file_says_so(tmp_path: Path, promtool: Promtool) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "rules.yml").write_text(RULES)
    (tmp_path / "out").write_text("a file\n")
    argv = [sys.executable, "-m", "promrules.cli.command", "--promtool", promtool.path]
    argv += ["generate", "rules", "--out", "out"]
    run = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stderr == (
        "promrules generate: cannot write the generated tests to out: out is a file, not a folder\n"
    )


@pytest.mark.parametrize("value", ["abc", "-5", "0"])
def test_a_bad_ini_timeout_names_the_ini_key(project: pytest.Pytester, value: str) -> None:
    project.makeini(f"[pytest]\npromrules_timeout = {value}\n")
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: promrules: ini promrules_timeout = '{value}': expected seconds > 0"]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
