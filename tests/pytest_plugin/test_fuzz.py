"""Broken rule and test files never crash the plugin, and every error names its file.

Hypothesis mutates a valid rule file and test file (drops, repeats and garbles
lines, cuts the file short, swaps values for odd text) and runs collection and
execution on the result with the real promtool. The example count is small by
default; PROMRULES_FUZZ_EXAMPLES=500 gives the long run.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import PASSING_TEST, RULES

EXAMPLES = int(os.environ.get("PROMRULES_FUZZ_EXAMPLES", "25"))
ODD_TEXT = st.sampled_from(
    [
        "",
        "[",
        "{",
        "&a *a",
        "*missing",
        "!!binary AAAA",
        "- -",
        ": :",
        "\t",
        "0x1F",
        "-5m",
        "0s",
        "1e400",
        "NaN",
        "stale stale",
        "1+2x-3",
        "sum(",
        'up{job="',
        "{{ $value | nope }}",
        "ünïcödé",
        "\u0000",
        "a" * 300,
        "~",
        "'",
        '"',
    ]
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(["drop", "repeat", "replace_value", "insert", "indent", "cut"])
        )
        line = lines[index]
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, line)
        elif action == "replace_value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(ODD_TEXT)}"
        elif action == "insert":
            lines.insert(index, " " * draw(st.integers(0, 8)) + draw(ODD_TEXT))
        elif action == "indent":
            lines[index] = " " * draw(st.integers(0, 3)) + line.lstrip()
        elif action == "cut":
            lines = [*lines[:index], line[: draw(st.integers(0, len(line)))]]
    return "\n".join(lines) + "\n"


_counter = itertools.count()


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=st.one_of(st.just(RULES), mutated(RULES)), test=mutated(PASSING_TEST))
def test_broken_files_give_errors_that_name_the_file(
    pytester: pytest.Pytester,
    promtool_env: object,
    monkeypatch: pytest.MonkeyPatch,
    rules: str,
    test: str,
) -> None:
    project = pytester.path / f"example{next(_counter)}"
    (project / "rules").mkdir(parents=True)
    (project / "rule_tests").mkdir()
    (project / "rules" / "demo.yml").write_text(rules)
    (project / "rule_tests" / "demo_test.yml").write_text(
        test.replace("[rules.yml]", "[../rules/demo.yml]")
    )
    written = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-scratch-", dir=pytester.path))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    recorder = pytester.inline_run(str(project), f"--rootdir={project}", "-p", "no:cacheprovider")

    assert recorder.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), recorder.ret
    reports = recorder.getreports("pytest_runtest_logreport")
    assert reports, "nothing was collected from the broken files"
    for report in reports:
        if report.failed:
            text = str(report.longrepr)
            assert "Traceback" not in text, text
            assert "demo_test.yml" in text or "demo.yml" in text, text
    assert not recorder.getfailedcollections()
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == written
    assert list(scratch.iterdir()) == []
