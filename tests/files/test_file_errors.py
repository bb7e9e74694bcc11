"""A problem with the whole file makes every item of that file error with the cause."""

from __future__ import annotations

import re

import pytest

from tests.helpers import PASSING_TEST, RULES

CASES = 4  # cases in PASSING_TEST


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=RULES)
    return pytester


@pytest.mark.parametrize(
    ("description", "edit", "message"),
    [
        (
            "unknown top-level field",
            lambda t: "bogus_field: 1\n" + t,
            "*field bogus_field not found*",
        ),
        (
            "unknown field inside a group",
            lambda t: t.replace("  - name: low\n", "  - name: low\n    bogus_group_field: 1\n"),
            "*field bogus_group_field not found*",
        ),
        (
            "missing rule file",
            lambda t: t.replace("[rules.yml]", "[missing.yml]"),
            "*rule_files pattern 'missing.yml' matches no file",
        ),
        (
            "glob matching nothing",
            lambda t: t.replace("[rules.yml]", "[rules.yml, 'extra/*.yml']"),
            "*rule_files pattern 'extra/*.yml' matches no file",
        ),
    ],
)
def test_whole_file_problems_error_every_item(
    project: pytest.Pytester, description: str, edit: object, message: str
) -> None:
    assert callable(edit)
    project.makefile(".yml", broken_test=edit(PASSING_TEST))
    result = project.runpytest("broken_test.yml")
    result.assert_outcomes(errors=CASES)
    result.stdout.fnmatch_lines([message])


def test_bad_promql_in_a_rule_errors_every_item(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES.replace("demo_value > 90", "demo_value >"))
    project.makefile(".yml", demo_test=PASSING_TEST)
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(errors=CASES)
    result.stdout.fnmatch_lines(["*could not parse expression*"])


def test_bad_promql_in_a_test_errors_that_case(project: pytest.Pytester) -> None:
    project.makefile(
        ".yml", demo_test=PASSING_TEST.replace("- expr: demo_value", "- expr: sum(demo_value")
    )
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*expression `sum(demo_value` at 1m (error)", "*parse error*"])


def test_malformed_yaml_is_one_error_naming_file_and_line(project: pytest.Pytester) -> None:
    project.makefile(
        ".yml", broken_test="rule_files: [rules.yml]\ntests:\n  - name: x\n   bad: [\n"
    )
    result = project.runpytest("broken_test.yml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*broken_test.yml:4: invalid YAML*"])


def test_bad_series_notation_errors_that_group(project: pytest.Pytester) -> None:
    project.makefile(".yml", demo_test=PASSING_TEST.replace('"85x10"', '"85xx10"'))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*low::HighValue@5m*"])


def test_no_file_is_changed_by_a_run(project: pytest.Pytester) -> None:
    project.makefile(".yml", demo_test=PASSING_TEST)
    before = {p: p.read_bytes() for p in project.path.rglob("*.yml")}
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)
    after = {p: p.read_bytes() for p in project.path.rglob("*.yml")}
    assert before == after


def test_no_temporary_files_are_left_behind(
    project: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """promtool leaves test_storage* folders in TMPDIR; the plugin gives it its own."""
    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setenv("TMPDIR", str(scratch))
    project.makefile(".yml", demo_test=PASSING_TEST.replace("value: 95", "value: 1"))
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "demo_test.yml")
    result.assert_outcomes(passed=3, failed=1)  # the failing path also writes split files
    assert list(scratch.iterdir()) == []


def test_duplicate_group_names_are_legal_and_warned_about_at_the_users_line(
    project: pytest.Pytester,
) -> None:
    """promtool runs groups with one name (real suites that pass have them): a warning."""
    project.makefile(".yml", demo_test=PASSING_TEST.replace("name: low", "name: high"))
    result = project.runpytest("demo_test.yml", "-v")
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*demo_test.yml::high#2::*PASSED*",
            "*demo_test.yml:*: PromrulesWarning: demo_test.yml:*: test group name 'high' is "
            "already used by the group at line 4*",
        ]
    )
    assert "plugin.py" not in result.stdout.str()  # shown at the test file, not our code


def test_a_zero_interval_errors_its_group(project: pytest.Pytester) -> None:
    zero = PASSING_TEST.replace(
        "  - name: low\n    interval: 1m", "  - name: low\n    interval: 0s"
    )
    assert zero != PASSING_TEST
    project.makefile(".yml", demo_test=zero)
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*interval: 0s — the series step must be positive*"])


@pytest.mark.parametrize(
    ("description", "content", "message"),
    [
        ("empty file", "", "the file is empty"),
        ("a list", "- rule_files: [a]\n", "its top level is a list"),
        ("a scalar", "just text\n", "its top level is a single value"),
        ("other keys", "groups_of: 1\n", "its top level has the keys groups_of"),
    ],
)
def test_yaml_in_the_test_folder_must_be_a_test_file(
    project: pytest.Pytester, description: str, content: str, message: str
) -> None:
    folder = project.mkdir("rule_tests")
    (folder / "odd_test.yml").write_text(content)
    result = project.runpytest("rule_tests")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*rule_tests/odd_test.yml: not a promtool test file: {message}*"])


def test_yaml_in_the_rules_folder_must_be_a_rule_file(project: pytest.Pytester) -> None:
    folder = project.mkdir("rules")
    (folder / "odd.yml").write_text("- alert: X\n")
    result = project.runpytest("rules")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*rules/odd.yml: not a Prometheus rule file: its top level is a list*"]
    )


def test_non_utf8_bytes_name_the_file_and_line(project: pytest.Pytester) -> None:
    folder = project.mkdir("rule_tests")
    (folder / "latin1_test.yml").write_bytes(b"rule_files: [x]\ntests:\n  - name: caf\xe9\n")
    result = project.runpytest("rule_tests")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*latin1_test.yml:3: not valid UTF-8*"])


def test_an_alias_bomb_is_handled_without_expanding_it(project: pytest.Pytester) -> None:
    bomb = ["rule_files: [rules.yml]", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    bomb += [
        "tests:",
        "  - interval: 1m",
        "    input_series: [{series: demo_value, values: '1x3'}]",
    ]
    project.makefile(".yml", bomb_test="\n".join(bomb) + "\n")
    result = project.runpytest("bomb_test.yml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*field a0 not found*"])


def test_a_rule_files_entry_that_is_a_directory_errors_every_item(project: pytest.Pytester) -> None:
    project.mkdir("rulesdir")
    project.makefile(".yml", demo_test=PASSING_TEST.replace("[rules.yml]", "[rulesdir]"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(errors=CASES)
    result.stdout.fnmatch_lines(["*rulesdir: is a directory*"])


def test_a_negative_interval_errors_with_promtools_message(project: pytest.Pytester) -> None:
    negative = PASSING_TEST.replace(
        "  - name: low\n    interval: 1m", "  - name: low\n    interval: -1m"
    )
    assert negative != PASSING_TEST
    project.makefile(".yml", demo_test=negative)
    result = project.runpytest("demo_test.yml")
    assert result.parseoutcomes().get("errors", 0) >= 1
    result.stdout.fnmatch_lines(['*not a valid duration string: "-1m"*'])


def test_a_very_large_file_is_refused_with_its_size(project: pytest.Pytester) -> None:
    folder = project.mkdir("rule_tests")
    big = folder / "big_test.yml"
    with big.open("w") as handle:
        handle.write("rule_files: [../rules.yml]\ntests:\n")
        handle.write("# padding\n" * (33 * 1024 * 1024 // 10 + 1))
    result = project.runpytest("rule_tests")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*big_test.yml: file is * bytes, over the 33554432 limit*"])


def test_an_eval_time_after_the_series_ended_warns_with_file_and_line(
    project: pytest.Pytester,
) -> None:
    late = PASSING_TEST.replace('values: "85x10"', 'values: "85x2"')
    assert late != PASSING_TEST
    project.makefile(".yml", demo_test=late)
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*PromrulesWarning: demo_test.yml:30: eval_time 5m is after the last input sample"
            " (at 2m)*"
        ]
    )


def test_unusual_characters_in_a_label_value_show_in_the_diff(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES.replace("severity: critical", 'severity: "crît \\"x\\""'))
    project.makefile(".yml", demo_test=PASSING_TEST)
    result = project.runpytest("-p", "no:cacheprovider")
    # promtool compares the label value exactly: the firing case fails with a readable diff.
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(['*+  label      severity="crît \\"x\\""*'])
    assert "Traceback" not in result.stdout.str()


def test_an_alert_name_with_a_dash_works_end_to_end(project: pytest.Pytester) -> None:
    project.makefile(".yml", rules=RULES.replace("alert: HighValue", "alert: High-Value.v2"))
    renamed = PASSING_TEST.replace("alertname: HighValue", "alertname: High-Value.v2")
    project.makefile(".yml", demo_test=renamed)
    result = project.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["demo_test.yml::high::High-Value.v2@2m"])
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)


def test_a_rule_files_entry_that_is_not_a_rule_file_says_so(project: pytest.Pytester) -> None:
    project.makefile(".yml", other_test=PASSING_TEST)
    project.makefile(".yml", demo_test=PASSING_TEST.replace("[rules.yml]", "[other_test.yml]"))
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(errors=CASES)
    result.stdout.fnmatch_lines(
        [
            "*demo_test.yml:1: rule_files entry 'other_test.yml' is not a Prometheus rule file: "
            "its top level has the keys rule_files, evaluation_interval, tests, "
            "expected a mapping with `groups:`"
        ]
    )
    assert "not defined by any" not in result.stdout.str()


def test_promtools_line_numbers_are_the_users_not_a_copys(project: pytest.Pytester) -> None:
    """Groups run as one-group copies, where promtool's `line N` counts the copy's
    lines; the error shown must cite the line of the file as written (bare promtool's)."""
    twice = PASSING_TEST.replace(
        "      - eval_time: 5m\n", "      - eval_time: 5m\n        eval_time: 6m\n"
    )
    assert twice != PASSING_TEST
    project.makefile(".yml", demo_test=twice)
    line = twice.splitlines().index("        eval_time: 6m") + 1
    assert line == 31
    result = project.runpytest("demo_test.yml")
    result.assert_outcomes(errors=CASES)
    result.stdout.fnmatch_lines([f"  line {line}: field eval_time already set in type *"])
    cited = set(re.findall(r"^  line (\d+):", result.stdout.str(), re.MULTILINE))
    assert cited == {str(line)}
