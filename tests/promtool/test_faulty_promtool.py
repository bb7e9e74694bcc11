"""A promtool that crashes, hangs or prints nonsense makes items error, never pass.

The real promtool cannot produce these faults on demand, so these tests wrap it:
the wrapper answers `--version` with the real binary and misbehaves otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from promrules.promtool.binary import Promtool
from tests.helpers import PASSING_TEST, RULES


def install_faulty(pytester: pytest.Pytester, real: Promtool, behaviour: str) -> None:
    wrapper = pytester.path / "faulty-promtool"
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = "--version" ]; then exec {real.path} --version; fi\n{behaviour}\n'
    )
    wrapper.chmod(0o755)
    pytester.makefile(".yml", rules=RULES, demo_test=PASSING_TEST)


@pytest.mark.parametrize(
    ("description", "behaviour", "message"),
    [
        (
            "crash",
            'echo "panic: runtime error: index out of range"; exit 2',
            "*promtool crashed (exit code 2)*",
        ),
        (
            "killed by a signal",
            "kill -9 $$",
            "*promtool crashed (killed by SIGKILL, exit code -9)*",
        ),
        (
            "garbage with failure",
            'echo "something unexpected"; exit 1',
            "*did not recognise promtool's output*",
        ),
        (
            "garbage with success",
            'echo "all good, probably"; exit 0',
            "*did not recognise promtool's output (expected 1 file verdict, found 0)*",
        ),
        (
            "success text with failing exit code",
            'echo "  SUCCESS"; exit 1',
            "*its printed verdict and exit code disagree*",
        ),
    ],
)
def test_a_faulty_promtool_makes_every_case_error(
    pytester: pytest.Pytester,
    promtool: Promtool,
    description: str,
    behaviour: str,
    message: str,
) -> None:
    install_faulty(pytester, promtool, behaviour)
    result = pytester.runpytest(f"--promtool={pytester.path / 'faulty-promtool'}", "demo_test.yml")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines([message])
    assert "Traceback" not in result.stdout.str()


def test_a_hanging_promtool_is_stopped_by_the_timeout(
    pytester: pytest.Pytester, promtool: Promtool
) -> None:
    install_faulty(pytester, promtool, "sleep 60")
    started = time.monotonic()
    result = pytester.runpytest(
        f"--promtool={pytester.path / 'faulty-promtool'}",
        "--promrules-timeout=1",
        "demo_test.yml",
    )
    elapsed = time.monotonic() - started
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(["*promtool did not finish within 1s and was stopped*"])
    assert elapsed < 30, f"the hang was not cut short ({elapsed:.1f}s)"


def test_a_success_without_the_asked_for_junit_report_is_an_error(
    pytester: pytest.Pytester, promtool: Promtool
) -> None:
    """promtool 3.x is asked for `--junit` when it runs files as written: a run that
    says SUCCESS but writes no report skipped part of its job, so it is not a pass."""
    if promtool.major < 3:
        pytest.skip("promrules asks only promtool 3.x for a JUnit report")
    says_success = (
        'for arg in "$@"; do case "$arg" in -*|test|rules) ;; '
        '*) echo "Unit Testing: $arg"; echo "  SUCCESS";; esac; done; exit 0'
    )
    install_faulty(pytester, promtool, says_success)
    result = pytester.runpytest(
        f"--promtool={pytester.path / 'faulty-promtool'}",
        "--promrules-trim-rules=off",
        "demo_test.yml",
    )
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        ["*promtool exited 0 but did not write the JUnit report it was asked for (--junit)*"]
    )


def test_a_crash_of_check_rules_names_the_signal(
    pytester: pytest.Pytester, promtool: Promtool
) -> None:
    install_faulty(pytester, promtool, "kill -SEGV $$")
    result = pytester.runpytest(f"--promtool={pytester.path / 'faulty-promtool'}", "rules.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*rules.yml: `promtool check rules` crashed (killed by SIGSEGV, exit code -11):"]
    )


def test_a_flood_of_output_is_cut_to_its_first_and_last_lines(
    pytester: pytest.Pytester, promtool: Promtool
) -> None:
    """Two million lines (about 30 MB) of nonsense: not pasted whole into each failure."""
    flood = 'seq 1 2000000 | sed "s/^/garbage line /"; exit 1'
    install_faulty(pytester, promtool, flood)
    result = pytester.runpytest(f"--promtool={pytester.path / 'faulty-promtool'}", "demo_test.yml")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [
            "garbage line 1",
            "garbage line 40",
            "... 1999920 lines (* characters) of promtool's output left out ...",
            "garbage line 1999961",
            "garbage line 2000000",
        ]
    )
    assert len(result.stdout.str()) < 100_000


def test_a_slow_promtool_run_names_its_files(pytester: pytest.Pytester, promtool: Promtool) -> None:
    """The notice threshold is set tiny; promtool is held until the notice is seen."""
    release = pytester.path / "release"
    held = f'if [ "$1" = test ]; then while [ ! -f {release} ]; do sleep 0.05; done; fi\n'
    install_faulty(pytester, promtool, held + f'exec {promtool.path} "$@"')
    pytester.makeini("[pytest]\npromrules_slow_notice = 0.05\n")
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "demo_test.yml"],
        cwd=pytester.path,
        env={**os.environ, "PROMTOOL": str(pytester.path / "faulty-promtool")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert run.stdout is not None
    seen = []
    for line in run.stdout:  # until the notice: the event this test waits for
        seen.append(line)
        if "still running" in line:
            break
    release.write_text("")
    rest, _ = run.communicate(timeout=600)
    assert seen[-1].strip() == "promrules: promtool still running after 0.05s: demo_test.yml"
    assert "4 passed" in rest
